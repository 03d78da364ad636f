/*
** The world of one run as the runner sees it: the directory, the Exchange
** side and the migrator opened on it, built from the scenario's world
** statements (steps.c turns them into each part's plain configuration), and
** the glue that executes steps and judges expectations.
*/
#ifndef MIGSIM_WORLD_H
#define MIGSIM_WORLD_H

#include <stddef.h>
#include "directory/directory.h"
#include "exchange/exchange.h"
#include "judge/outcome.h"
#include "scenario/scenario.h"
#include "kernel/status.h"

struct sim;

struct engine;

typedef struct world {
    directory *dir;
    exchange *ex;
    struct engine *eng;       /* the migration engine; NULL without a `wizard` line */
    /* Verdicts judged since the world last changed (an event fired or a step
    ** ran): an outcome `expect` and the closing table at the same moment ask
    ** the judge once. */
    userVerdict *judged;      /* per user, valid where judged_ok[u - 1] */
    unsigned char *judged_ok;
    uint64_t judged_events;
    size_t judged_pc;         /* sim.world_steps when judged */
    int judged_dc;
} world;

/* Build the world of s's scenario into s->world.  On failure s->k.err says why. */
msStatus worldBuild(struct sim *s);

/* Free s->world (safe when NULL). */
void worldFree(struct sim *s);

/* The run has ended: let the migrator write its closing lines (a run still active, say). */
void worldFinish(struct sim *s);

/*
** Execute step st at the kernel's now.  On MS_OK *block is 1 when the step
** waits for a condition (the runner then calls worldReady after every
** event).  MS_FAIL means the step failed; s->k.err says why.
*/
msStatus worldStep(struct sim *s, const stmt *st, int *block);

/*
** For a blocked step: 1 when its condition holds, 0 not yet, -1 when it
** failed (s->k.err says why).  idle is 1 when no event is pending, so nothing
** can change any more.
*/
int worldReady(struct sim *s, const stmt *st, int idle);

/*
** Judge expectation st now: *passed and a short description of what was
** found into actual ("merged extra=1 dupes=0 missing=0 rules_broken=1").
*/
msStatus worldExpect(struct sim *s, const stmt *st, int *passed, char *actual, size_t actualsz);

/*
** Verdicts for every source user (nusers entries into out, allocated by the
** caller) and the stranded count, for the closing table and the results.
** *judged_dc is the DC read; *converged says whether the directory was
** converged (outcomes are only meaningful then).
*/
msStatus worldOutcomes(struct sim *s, userVerdict *out, int64_t *stranded,
                       int *judged_dc, int *converged);

#endif
