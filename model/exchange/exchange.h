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

/* `expect dc DC has|lacks USER`: 1 when at least one of the user's
** accounts (live, X500 in proxyAddresses) is live on dc. */
int exUserOnDc(const exchange *x, int dc, uint32_t user);

#endif
