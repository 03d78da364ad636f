/*
** The Exchange side of a run: the source organization (read-only), the
** target servers with their mailbox stores, Recipient Update Service and
** Cleanup Agent, mail delivery and user logon, the Exchange Migration Wizard,
** the administrator, and the outcome judge.  docs/model-exchange.md explains
** the rules.  Every directory access goes through the directory module and
** names a DC: the wizard's, a server's DC or GC, or the admin's.
**
** This header is the step-facing contract the runner uses; the pieces live
** in their own files (source.c, store.c, rus.c, mail.c, wizard.c, admin.c,
** judge.c) with their own headers.
*/
#ifndef MIGSIM_EXCHANGE_H
#define MIGSIM_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>
#include "directory.h"
#include "scenario.h"
#include "status.h"

struct sim;

typedef struct exchange exchange;

/* One user's verdict: outcome and counters (semantics.md, "Outcomes"). */
typedef struct userVerdict {
    uint32_t user;                    /* source user number, 1-based */
    outcome out;
    int64_t counters[CTR__COUNT];     /* extra, dupes, missing, rules_broken */
    char detail[160];                 /* a few words: which mailbox, which pass */
} userVerdict;

/*
** Build the Exchange side of s's scenario over directory d: generate the
** source organization from the seed, create the servers' stores and schedule
** their RUS and Cleanup Agent grids.  On failure s->err says why.
*/
msStatus exBuild(struct sim *s, directory *d, exchange **out);

/* Free x and everything it owns. */
void exFree(exchange *x);

/* `migrate USERS [dc=DC]`: start a wizard run (dc -1: the wizard's DC).
** MS_FAIL with a reason in s->err when a run is active. */
msStatus exMigrate(exchange *x, const userset *users, int dc);

/* 1 while a wizard run is active (`wait done` waits for 0). */
int exRunActive(const exchange *x);

/*
** `cancel [when ...]`: MS_FAIL when no run is active.  CANCEL_NOW cancels
** at once; the other conditions arm the wizard and the step blocks until
** exCancelSettled reports 1 (cancelled) or -1 (the run ended first, a
** failure with the reason in s->err).
*/
msStatus exCancel(exchange *x, cancelWhen when, int64_t n);
int exCancelSettled(exchange *x);

/* `deliver USERS [count=N]`, `logon USERS`: act now; failures to deliver or
** log on are findings shown in the narrative, not failed steps. */
msStatus exDeliver(exchange *x, const userset *users, int64_t count);
msStatus exLogon(exchange *x, const userset *users);

/* `cleanup [USERS]` and `delete USERS`: the administrator, through the admin DC. */
msStatus exCleanup(exchange *x, const userset *users);
msStatus exDelete(exchange *x, const userset *users);

/* `expect dc DC has|lacks USER`: 1 when at least one of the user's
** accounts (live, X500 in proxyAddresses) is live on dc. */
int exUserOnDc(const exchange *x, int dc, uint32_t user);

/*
** Judge user (1-based) as semantics.md says, reading the directory on dc
** (the caller passes a DC of a converged directory).
*/
msStatus exJudge(exchange *x, int dc, uint32_t user, userVerdict *out);

/* Delivered items (not copies of source items) in mailboxes no live
** account on dc owns. */
int64_t exStranded(exchange *x, int dc);

/* Write the run's closing wizard log lines, if any (called at the end of a run). */
void exFinish(exchange *x);

#endif
