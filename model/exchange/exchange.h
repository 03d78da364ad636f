/*
** The Exchange side of a run: the source organization (read-only), the
** target servers with their mailbox stores, Recipient Update Service and
** Cleanup Agent, mail delivery and user logon, and the administrator.
** docs/model-exchange.md explains the rules.  Every directory access goes
** through the directory module and names a DC: a server's DC or GC, or the
** admin's.
**
** This header is the contract for the layers above (migration, judge, the
** runner); the pieces live in their own files (source.c, store.c, rus.c,
** mail.c, admin.c) and share exchangeint.h.  The Exchange side is built from
** plain configuration (exConfig) over a kernel and a directory: it never sees
** the scenario.
*/
#ifndef MIGSIM_EXCHANGE_H
#define MIGSIM_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>
#include "directory/directory.h"
#include "exchange/source.h"
#include "kernel/status.h"

struct kernel;

typedef struct exchange exchange;

/* One target server: its name, the DC its store and RUS read, the GC delivery resolves on. */
typedef struct exServerConfig {
    const char *name;
    int dc, gc;
} exServerConfig;

typedef struct exConfig {
    const exServerConfig *servers;
    int nservers;
    srcConfig source;
    int admin_dc;                    /* the administrator's DC */
    int entry_server;                /* where inbound mail enters (the wizard's server) */
} exConfig;

/*
** Build the Exchange side described by cfg over directory d: generate the
** source organization from k's seed, create the servers' stores and schedule
** their RUS and Cleanup Agent grids.  On failure k->err says why; *out is
** then still to be freed with exFree.
*/
msStatus exBuild(struct kernel *k, directory *d, const exConfig *cfg, exchange **out);

/* Free x and everything it owns (a migrator opened on x is closed first). */
void exFree(exchange *x);

/* Source users (numbered 1..n). */
uint32_t exUserCount(const exchange *x);

/* `deliver USER count=N`, `logon USER`: act now; failures to deliver or log
** on are findings shown in the narrative, not failed steps. */
msStatus exDeliver(exchange *x, uint32_t user, int64_t count);
msStatus exLogon(exchange *x, uint32_t user);

/* `delete USER`: the administrator deletes the user's accounts through the admin DC. */
msStatus exDelete(exchange *x, uint32_t user);

/* The Cleanup Agent of every server, now (after an administrator's cleanup). */
void exCleanupAgents(exchange *x, const char *why);

/*
** `purge [USERS] [server=NAME]`: purge now, as Exchange System Manager's
** Purge does, every disconnected mailbox of server (-1: every server) made
** for one of users (n of them, ascending; NULL: any user).  Nothing to purge
** is a finding, not a failure.
*/
msStatus exPurge(exchange *x, const uint32_t *users, size_t n, int server);

/* `export USER`: copy the items of the user's mailboxes that are not copies
** of source items into the holding area (ExMerge's PST). */
msStatus exExport(exchange *x, uint32_t user);

/* `import USER`: put the user's held items into the user's current mailbox. */
msStatus exImport(exchange *x, uint32_t user);

/* `expect dc DC has|lacks USER`: 1 when at least one of the user's
** accounts (live, X500 in proxyAddresses) is live on dc. */
int exUserOnDc(const exchange *x, int dc, uint32_t user);

/* ---- Inspection (the runner's state views): read-only ------------------ */

/* Servers, in configuration order; a server's name and the DC its store and RUS read. */
int exServerCount(const exchange *x);
const char *exServerName(const exchange *x, int server);
int exServerDc(const exchange *x, int server);

/* Source user u's name ("user3"), or NULL when there is no such user. */
const char *exUserName(const exchange *x, uint32_t user);

/*
** The source user whose account obj is on dc, or 0.  A live object is the
** user's account when its proxyAddresses hold the user's X500 address (the
** judge's rule); a tombstone keeps no proxyAddresses, so it is the user's when
** its name before the deletion's mangling is the user's name.
*/
uint32_t exAccountUser(const exchange *x, int dc, const guid *obj);

/* 1 when obj on dc has an SMTP address in the target domain: the RUS has stamped it. */
int exStamped(const exchange *x, int dc, const guid *obj);

/* One folder of a mailbox, as the store holds it. */
typedef struct exFolderInfo {
    int64_t fid;
    char path[128];
    int64_t items;
    int from_source;           /* the ID is one of the source user's (a clone kept it) */
} exFolderInfo;

/* One mailbox of a store, as its server sees it. */
typedef struct exMailboxInfo {
    guid g;
    uint32_t user;             /* the source user it was made for; 0: unknown */
    const char *init;          /* initialized by: "clone", "merge", "delivery", "logon" */
    simtime init_at;
    int has_owner;             /* a live account on the server's DC carries g */
    guid owner;
    int64_t items, rules, rules_broken;
    exFolderInfo *folders;     /* in folder-ID order */
    size_t nfolders;
    int disconnected;
    simtime disconnected_at;
    simtime purge_at;          /* disconnected_at + the mailbox.retention parameter */
} exMailboxInfo;

/* Held items (the holding area) of one source user, from one mailbox and folder. */
typedef struct exHeldInfo {
    uint32_t user;
    int server;                /* the server of the mailbox they were exported from */
    guid mbx;                  /* that mailbox */
    char *path;                /* their folder there */
    int64_t items;
    simtime exported_at;       /* the first export of them */
} exHeldInfo;

/* The holding area of user (0: every user) exported from server (-1: any), grouped
** by user, mailbox and folder in export order, into *out (malloc'd, *n of them). */
msStatus exHeld(exchange *x, uint32_t user, int server, exHeldInfo **out, size_t *n);

/* Free what exHeld returned. */
void exHeldFree(exHeldInfo *v, size_t n);

/* The mailboxes of server's store in row order into *out (malloc'd, *n of them). */
msStatus exMailboxes(exchange *x, int server, exMailboxInfo **out, size_t *n);

/* Free what exMailboxes returned. */
void exMailboxesFree(exMailboxInfo *v, size_t n);

#endif
