/*
** The Exchange Migration Wizard (mailmig.exe) as KB 842101, the Exchange
** 2003 Deployment Guide and docs/semantics.md describe it.
**
** A run selects users and goes through two stages.  Stage 1, one slot of
** wizard.account_time per user: match the source user's X500 or primary SMTP
** address among live accounts' proxyAddresses on the run's DC, or create a
** disabled account CN=<user>,OU=Migrated with a new msExchMailboxGuid; the
** directory write happens at the start of the slot.  Stage 2, per user in
** order: log on to the mailbox through the wizard's server (the store must
** find a live account carrying the mailbox GUID on the server's DC; if not,
** event 13003 and a retry every wizard.retry_interval until
** wizard.retry_window after the first failure, then the mailbox is skipped),
** then clone when the store has no such mailbox, else log "clone mode not
** possible, mailbox initialized: switching to merge mode" and merge.  Items
** go in batches of wizard.batch source items; each copied or replaced item
** costs 1/rate seconds, a skipped one nothing.  Every wait is an event; the
** wizard never loops over time.
**
** `cancel` stops at once (a batch in flight has written its rows; its pass is
** cancelled); `cancel when mailboxes=N` fires when the N-th mailbox of the
** run finishes, before the next logon (`mailboxes=0` before the first logon
** of stage 2, every account made, no mailbox touched); `cancel when items=N`
** at the first batch boundary with N items copied (or replaced) in the run.
**
** The wizard remembers, in the run's database, every account it matched or
** created (wiz_account) and every pass (pass: mode, status, counts); the
** administrator reads those rows.  The judge never does: it reads the state.  `protect` (batch mode with
** the target-address option) makes delivery bounce for a mailbox the wizard
** has not yet filled (column protected of wiz_account).
**
** When a run ends (finished or cancelled) the wizard writes its closing log:
** one line per selected mailbox (mode, copied, skipped, replaced, failed)
** and a mailmig-style status: 0 success, 1 warnings (cancelled, merge mode),
** 2 errors (a mailbox skipped or an account not made, an item failed).
*/
#ifndef MIGSIM_WIZARD_H
#define MIGSIM_WIZARD_H

#include <stdint.h>
#include "exchange/exchangeint.h"
#include "migration/cancel.h"

/* Pass modes and statuses as stored in table pass. */
typedef struct passInfo {
    int64_t id;
    int run;
    uint32_t user;
    int server;
    guid mbx;
    int merge;                 /* 1 merge mode, 0 clone */
    char status[16];           /* running, completed, cancelled, failed */
} passInfo;

/* The `wizard` statement: where it works and how fast. */
typedef struct wizConfig {
    int server, dc;            /* indexes of its server and DC */
    int64_t rate;              /* items per second */
    int protect;               /* the protect (/D) option */
} wizConfig;

/*
** Create the wizard's tables and state for x (after the stores exist), and
** install in x the view the Exchange side asks of its migrator (the logon
** association, the accounts a cleanup deletes, the protect mark).
*/
msStatus wizOpen(exchange *x, const wizConfig *cfg);

/* Free the wizard and uninstall its view from its exchange (safe with NULL). */
void wizClose(wizard *w);

/*
** Start a run over the n users of users (1-based numbers, ascending; dc -1:
** the wizard's DC).  MS_FAIL when one is active.
*/
msStatus wizStart(exchange *x, const uint32_t *users, size_t n, int dc);

/* 1 while a run is active. */
int wizActive(const wizard *w);

/* The number of the current (or last) run, from 1; 0 before the first. */
int wizRunNumber(const wizard *w);

/* Cancel now or arm a condition (see exchange.h exCancel). */
msStatus wizCancel(exchange *x, cancelWhen when, int64_t n);

/* 1 cancelled, 0 still waiting, -1 the run ended first (s->err says so). */
int wizCancelSettled(exchange *x);

/* The latest account and mailbox the wizard associated with user; 0 if none. */
int wizAssociation(exchange *x, uint32_t user, guid *account, guid *mbx, int *server);

/* Every account GUID the wizard matched or created for user, in GUID order
** (up to max into out); returns how many. */
size_t wizAccounts(exchange *x, uint32_t user, guid *out, size_t max);

/* Users the wizard has associated with an account, ascending (up to max); returns how many. */
size_t wizUsers(exchange *x, uint32_t *out, size_t max);

/* The user's last pass (by pass id); 0 if the wizard never started one. */
int wizLastPass(exchange *x, uint32_t user, passInfo *out);

/* The last pass into mailbox mbx; 0 if none. */
int wizLastPassInto(exchange *x, const guid *mbx, passInfo *out);

/* 1 when some pass into mbx ran in merge mode. */
int wizMergedInto(exchange *x, const guid *mbx);

/* 1 when mbx is protected (protect option, not yet filled). */
int wizProtected(exchange *x, const guid *mbx);

/* If a run is still active at the end of the scenario, say so. */
void wizFinish(exchange *x);

#endif
