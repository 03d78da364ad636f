/*
** wait-then-rerun: the Exchange Migration Wizard (wizard.c), but a rerun
** first waits for Active Directory replication, as KB 842101's resolution
** asks, judging "replication is done" only from what an administrator can
** read: the replication state of each DC (MIG_OP_DIR_REPLSTATE, what
** `repadmin /showutdvec` shows).
**
** The rule.  At the start of a rerun it reads every DC's own USN (a DC's
** up-to-dateness vector lists itself at its highest USN): target[o].  It
** then polls every DC until, for every pair of DCs d and o, d's vector
** entry for o is at least target[o].  A pull from o records o's USN as it
** was when the pull started, directly or passed on by a partner, so then
** every change written anywhere before the rerun started (the cleanup's
** deletions, on whichever DC the administrator used, and the accounts an
** earlier run made) has reached every DC.  The migrator cannot tell whether
** there was a cleanup (it sees only its own runs) nor which DC it was made
** on, and search by GUID cannot tell "deleted" from "not replicated yet";
** the vectors answer both, so it waits before every rerun.  A first run does
** not wait.
**
** Between rounds it sleeps wizard.retry_interval.  If the vectors still do
** not cover the USNs after WAIT_LIMIT (a DC that is failed never catches
** up), it says so and runs anyway.  A cancel during the wait ends the run
** with its own line.  Then the wizard runs, unchanged.
**
** Invariant: the wizard's first request of a rerun is made only after a
** poll round in which every vector covered every target, or the limit.
*/
#include <stdlib.h>
#include <string.h>
#include "migration/strategy.h"
#include "migration/wizard.h"

#define WAIT_LIMIT (24 * MS_PER_HOUR)

typedef struct waiter {
    const migEnv *env;
    void *wiz;
    int waiting;              /* a rerun's wait is under way */
    migReply start;           /* the rerun's start, handed to the wizard after the wait */
    uint32_t *users;
    uint64_t *target;         /* per DC: its own USN when the rerun started */
    int snapshot;             /* the first round reads the targets */
    int dc;                   /* the DC being read */
    int behind;               /* this round found a DC behind */
    simtime began;
    int64_t polls;
} waiter;

static void *waitOpen(const migEnv *env) {
    waiter *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->env = env;
    w->target = calloc((size_t)(env->ndcs ? env->ndcs : 1), sizeof *w->target);
    w->wiz = wizardOpen(env, NULL);
    if (!w->target || !w->wiz) {
        free(w->target);
        wizardClose(w->wiz);
        free(w);
        return NULL;
    }
    return w;
}

static void waitClose(void *self) {
    waiter *w = self;
    if (!w) return;
    wizardClose(w->wiz);
    free(w->users);
    free(w->target);
    free(w);
}

/* The USN a replication-state reply lists for DC name; 0 when it does not. */
static uint64_t utdOf(const migReply *a, const char *name) {
    for (size_t i = 0; i < a->nutd; i++)
        if (strcmp(a->utd[i].dc, name) == 0) return a->utd[i].usn;
    return 0;
}

static int readDc(waiter *w, migRequest *q, int dc) {
    w->dc = dc;
    q->op = MIG_OP_DIR_REPLSTATE;
    q->dc = dc;
    return 0;
}

/* The wait is over: hand the wizard the rerun's start, as of now. */
static int runWizard(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz, int complete) {
    traceRecord r = traceNew(TR_WAIT_DONE, "wizard");
    traceInt(&r, "complete", complete);
    traceInt(&r, "waited", a->now - w->began);
    traceInt(&r, "polls", w->polls);
    char d[CLOCK_BUFSZ];
    strategyEmit(w->env, &r, complete ? "replication is done: every DC's vector covers every DC's USN (waited %s, %lld polls)"
                                      : "replication still not done after %s (%lld polls): rerunning anyway",
                 durationFormat(a->now - w->began, d), (long long)w->polls);
    w->waiting = 0;
    w->start.now = a->now;
    return wizardNext(w->wiz, &w->start, q, why, whysz);
}

static int roundOver(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz);

/*
** DC w->dc is failed and cannot say what it has seen.  In the snapshot it
** has no USN to wait for (target 0: what it wrote before it failed is waited
** for only as far as others report it); in a poll it counts as behind, so a
** failed DC holds the wait until it is restored or the limit passes.
*/
static int onUnavailable(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz) {
    const migEnv *env = w->env;
    if (w->snapshot) {
        w->target[w->dc] = 0;
    } else if (!w->behind) {
        w->behind = 1;
        traceRecord r = traceNew(TR_WAIT_POLL, "wizard");
        r.dc = env->dc_names[w->dc];
        traceStr(&r, "origin", env->dc_names[w->dc]);
        traceInt(&r, "behind", 0);
        strategyEmit(env, &r, "%s cannot answer (failed): its replication state is unknown", r.dc);
    }
    return roundOver(w, a, q, why, whysz);
}

/* A replication-state reply for DC w->dc. */
static int onState(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz) {
    const migEnv *env = w->env;
    if (w->snapshot) {
        w->target[w->dc] = utdOf(a, env->dc_names[w->dc]);
    } else {
        for (int o = 0; o < env->ndcs && !w->behind; o++) {
            if (utdOf(a, env->dc_names[o]) >= w->target[o]) continue;
            w->behind = 1;
            traceRecord r = traceNew(TR_WAIT_POLL, "wizard");
            r.dc = env->dc_names[w->dc];
            traceStr(&r, "origin", env->dc_names[o]);
            traceInt(&r, "behind", (int64_t)(w->target[o] - utdOf(a, env->dc_names[o])));
            strategyEmit(env, &r, "%s has not yet seen %s's changes up to USN %llu", r.dc, env->dc_names[o],
                         (unsigned long long)w->target[o]);
        }
    }
    return roundOver(w, a, q, why, whysz);
}

/* After DC w->dc's reply: the next DC, or the round's end. */
static int roundOver(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz) {
    const migEnv *env = w->env;
    if (w->dc + 1 < env->ndcs) return readDc(w, q, w->dc + 1);
    /* A round is over. */
    if (w->snapshot) {
        w->snapshot = 0;
        return readDc(w, q, 0);
    }
    w->polls++;
    if (!w->behind) return runWizard(w, a, q, why, whysz, 1);
    if (a->now - w->began >= WAIT_LIMIT) return runWizard(w, a, q, why, whysz, 0);
    w->behind = 0;
    w->dc = -1;
    q->op = MIG_OP_SLEEP;
    q->duration = env->retry_interval > 0 ? env->retry_interval : MS_PER_SECOND;
    return 0;
}

static int beginWait(waiter *w, const migReply *a, migRequest *q, char *why, size_t whysz) {
    w->start = *a;
    if (strategyKeepStart(&w->start.start, &a->start, &w->users, why, whysz) != 0) return -1;
    w->waiting = w->snapshot = 1;
    w->behind = 0;
    w->began = a->now;
    w->polls = 0;
    char d[CLOCK_BUFSZ];
    traceRecord r = traceNew(TR_WAIT_START, "wizard");
    traceInt(&r, "dcs", w->env->ndcs);
    traceInt(&r, "poll", w->env->retry_interval);
    strategyEmit(w->env, &r, "run %d is a rerun: waiting until every DC has every change made before it "
                 "(up-to-dateness vectors of %d DC%s, read every %s)", a->start.run, w->env->ndcs,
                 w->env->ndcs == 1 ? "" : "s", durationFormat(w->env->retry_interval, d));
    return readDc(w, q, 0);
}

static int waitNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    waiter *w = self;
    if (a->status == MIG_START) {
        if (a->start.rerun && w->env->ndcs > 0) return beginWait(w, a, q, why, whysz);
        return wizardNext(w->wiz, a, q, why, whysz);
    }
    if (!w->waiting) return wizardNext(w->wiz, a, q, why, whysz);
    if (a->status == MIG_ERR_CANCELLED) {
        traceRecord r = traceNew(TR_WAIT_CANCEL, "wizard");
        strategyEmit(w->env, &r, "run %d cancelled while waiting for replication: nothing migrated",
                     w->start.start.run);
        w->waiting = 0;
        q->op = MIG_DONE;
        return 0;
    }
    if (w->dc < 0) return readDc(w, q, 0);   /* the sleep between rounds is over */
    if (a->status == MIG_ERR_UNAVAILABLE) return onUnavailable(w, a, q, why, whysz);
    if (a->status != MIG_OK) {
        snprintf(why, whysz, "wait-then-rerun: replication state of %s: %s", w->env->dc_names[w->dc],
                 migStatusName(a->status));
        return -1;
    }
    return onState(w, a, q, why, whysz);
}

static const migrator waitRerunDef = {
    MIGRATOR_ABI, "wait-then-rerun", "wizard", waitOpen, waitNext, waitClose,
};

const migrator *waitRerunMigrator(void) {
    return &waitRerunDef;
}
