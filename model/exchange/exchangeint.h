/*
** What the pieces of the Exchange side share: the exchange object of a run
** and the functions exchange.c delegates to.  Not for code outside model/'s
** Exchange files; the runner uses exchange.h.
**
** One exchange owns one run's Exchange side: the SQLite database (source
** organization, stores, the wizard's memory), the servers, the wizard, and
** the findings counters.  Directory reads and writes always name a DC: the
** migrator's, a server's dc or gc, or the admin's.
*/
#ifndef MIGSIM_EXCHANGEINT_H
#define MIGSIM_EXCHANGEINT_H

#include <sqlite3.h>
#include "directory/directory.h"
#include "exchange/exchange.h"
#include "exchange/source.h"
#include "exchange/store.h"

struct kernel;

/*
** What the Exchange side asks of whoever migrates mailboxes into it: the
** account and mailbox a user's logon follows (the association the migrator
** made), the accounts an administrator's cleanup deletes for a user, and
** whether a mailbox carries the protect mark.  The migration layer installs
** one (wizOpen); the Exchange side never calls up into it by name.  Each
** function answers 0 / none when it knows nothing.
*/
typedef struct exMigratorView {
    int (*association)(void *obj, uint32_t user, guid *account, guid *mbx, int *server);
    size_t (*accounts)(void *obj, uint32_t user, guid *out, size_t max);
    int (*isProtected)(void *obj, const guid *mbx);
    /* Who migrates, as the narrative names it: "the wizard" or "the migrator". */
    const char *(*noun)(void *obj);
} exMigratorView;

/* The target organization's mail domain the recipient policy stamps. */
#define TARGET_MAIL_DOMAIN "target.example"

typedef struct exServer {
    char name[64];
    int dc, gc;                /* where its store/RUS read AD, where delivery resolves */
    char homemdb[512];         /* the DN accounts name in homeMDB */
    uint64_t rus_usn;          /* the RUS's watermark on dc */
} exServer;

/* One item held in the holding area (holding.c), ids 1, 2, ... in export order. */
typedef struct exHeldRow {
    int64_t id;
    uint32_t user;
    int server;
    guid mbx;                  /* the mailbox it was read from */
    char path[128];            /* its folder there */
    int64_t skey, size, mtime;
    simtime exported;
} exHeldRow;

struct exchange {
    struct kernel *k;
    directory *d;
    sqlite3 *db;               /* the SQL view (exSql), opened on first use; NULL: not yet */
    source src;
    store st;
    int nservers;
    exServer *servers;
    int admin_dc;
    int entry_server;          /* where inbound mail enters */
    const exMigratorView *mv;  /* the migrator's view; NULL: no migrator */
    void *mv_obj;              /* what mv's functions are called with (migration/) */
    int64_t ndrs;              /* non-delivery reports so far */
    int64_t logon_failures;    /* failed user logons so far */
    exHeldRow *held;           /* the holding area (holding.c), in id order */
    size_t nheld, capheld;
    itemSet heldkeys;          /* held's rows by search key (holding.c: an item per row, fid the user) */
    uint64_t held_walked;      /* holding lookups and rows they looked at: its measure of work, for tests */
};

/*
** The run's SQL view: an in-memory SQLite database, opened on first use,
** where src_item, src_folder and src_rule (sourcetable.c) and mailbox,
** folder, item, rule and import (storetable.c) are virtual tables over the
** run's C data.  NULL when it cannot be opened.  It dies with the run.
*/
sqlite3 *exSql(exchange *x);

/* A short DC name for the narrative. */
const char *exDcName(const exchange *x, int dc);

/* The server whose homeMDB is dn, or -1. */
int exServerOfHomeMdb(const exchange *x, const char *dn);

/* The account's DN on dc for the narrative ("CN=user3,OU=Migrated,..."), or
** "<guid> (not on DCn)". */
const char *exAccountDn(const exchange *x, int dc, const guid *acct, char *buf, size_t sz);

/* The migrator's view (exMigratorView), or none when no migrator is installed. */
int exAssociation(exchange *x, uint32_t user, guid *account, guid *mbx, int *server);
size_t exMigratorAccounts(exchange *x, uint32_t user, guid *out, size_t max);
int exProtected(exchange *x, const guid *mbx);
/* Who migrates, for the narrative: the view's noun; "the wizard" when none is installed. */
const char *exMigratorNoun(exchange *x);

/* rus.c: schedule every server's Recipient Update Service grid. */
msStatus rusStart(exchange *x);

/* rus.c: one RUS pass of server now (the grid event calls it). */
void rusRun(exchange *x, int server);

/* mail.c: deliver count messages to user; a non-delivery is a finding. */
msStatus mailDeliver(exchange *x, uint32_t user, int64_t count);

/* mail.c: user logs on to the mailbox the wizard associated with them. */
msStatus mailLogon(exchange *x, uint32_t user);

/* admin.c: delete user's accounts through the admin DC (the wizard's
** accounts and any live twin carrying the user's X500 address). */
msStatus adminDelete(exchange *x, uint32_t user);

/* admin.c: run the Cleanup Agent of server now; schedule purges. */
void adminCleanupAgent(exchange *x, int server, const char *why);

/* admin.c: schedule every server's Cleanup Agent grid. */
msStatus adminStart(exchange *x);

/* admin.c: purge now the disconnected mailboxes of server (-1: every
** server) made for one of users (n of them, ascending; NULL: any user). */
msStatus adminPurge(exchange *x, const uint32_t *users, size_t n, int server);

/* holding.c: free the holding area. */
void holdingClose(exchange *x);

/* holding.c: `export USER`, `import USER` (holding.c's essay has the rules). */
msStatus holdingExport(exchange *x, uint32_t user);
msStatus holdingImport(exchange *x, uint32_t user);

/* holding.c: the search keys of every held item, appended to *keys (*n, *cap as arrayGrow). */
msStatus holdingKeys(exchange *x, int64_t **keys, size_t *n, size_t *cap);

#endif
