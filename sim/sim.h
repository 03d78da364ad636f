/*
** A run: one scenario executed with one seed.  A `sim` owns everything a run
** touches (clock, event queue, random streams, GUID generator, parameters,
** the simulated world, the narrative and the results), so runs share no
** mutable state and any number can execute one after another in a process.
**
** Stepping.  simStep advances the run by exactly one unit of work: either it
** fires the earliest pending event, or it executes the next scenario step.
** The rule that decides which (semantics.md, "Time"): a step due at instant T
** runs only after every event due at or before T, including events scheduled
** at T by other events, so the world is quiescent at T when the step looks at
** it.  `wait DUR` sets the instant of the next step to now+DUR; blocking steps
** (`wait converged`, `wait done`, `sync`, `cancel when ...`) hold the script
** until the model reports their condition, checked after every event.  The
** run ends when the last step has executed; pending periodic events are then
** dropped.  simRun is a loop over simStep and nothing else, so lab mode and
** tests can drive a run one event at a time and see the same run.
**
** Narrative.  simLog records "TIME  ACTOR  message" lines: printed as they
** happen when opt.narrative is set, kept in memory when opt.record is set
** (for --db and --json).  Callers that would format something costly check
** simNarrating first.
*/
#ifndef MIGSIM_SIM_H
#define MIGSIM_SIM_H

#include <stdio.h>
#include <stdint.h>
#include "clock.h"
#include "eventq.h"
#include "guid.h"
#include "params.h"
#include "prng.h"
#include "scenario.h"
#include "status.h"

struct world;

#define SIMTIME_MAX INT64_MAX

typedef struct simOptions {
    int has_seed;           /* seed overrides the scenario's `seed` */
    uint64_t seed;
    FILE *narrative;        /* narrative lines as they happen; NULL: none */
    int record;             /* keep narrative lines in memory (s->log) */
} simOptions;

typedef struct logEntry {
    simtime at;
    char *actor;            /* one word: wizard, DC2, EX1, admin, smtp, expect, ... */
    char *kind;             /* a dotted label for machines: repl.pull, wizard.clone */
    char *detail;           /* the human message */
} logEntry;

/* One periodic job of simEvery. */
typedef struct periodicJob {
    simtime interval;
    eventFn *fire;
    void *obj;
    int64_t arg;
    const char *what;
} periodicJob;

typedef struct expectResult {
    int line;               /* of the expect statement */
    char *text;             /* the statement as written */
    simtime at;             /* when it was judged */
    int passed;
    char *actual;           /* what was found, in words */
} expectResult;

typedef struct sim {
    const scenario *scn;
    simOptions opt;
    uint64_t seed;          /* the seed in force */
    params p;
    simtime now;
    eventq q;
    guidgen guids;
    rng rsource, rjitter, rmodel;
    struct world *world;

    /* Script state. */
    size_t pc;              /* next step (index into scn->v) */
    simtime resume_at;      /* the next step runs at this instant */
    int blocked;            /* the step at pc - 1 waits for its condition */
    simtime blocked_since;
    simtime block_deadline; /* a blocked step is judged idle at this instant (SIMTIME_MAX: none) */
    int done;               /* the run has ended */
    int step_failed;        /* a step failed: the run stopped there */
    int fail_line;          /* its line */
    char err[512];          /* why it failed */
    uint64_t events_fired;

    /* Periodic work (simEvery), in registration order. */
    periodicJob *periodic;
    size_t nperiodic, capperiodic;

    /* Records. */
    logEntry *log;
    size_t nlog, caplog;
    expectResult *expects;
    size_t nexpects, capexpects;
    size_t nfailed;         /* failed expectations */
} sim;

/*
** Prepare s to run sc (which must outlive s) with options opt: parameters
** from the scenario's `set`, `ad` and `latency`, random streams and GUIDs
** from the seed, and the world built from the world statements.  On failure
** s->err says why and s holds nothing to free beyond simFree.
*/
msStatus simInit(sim *s, const scenario *sc, const simOptions *opt);

/*
** Advance s by one event or one step.  Sets *done when the run has ended.
** Returns MS_OK while things go as the scenario says (even when an
** expectation fails: that is recorded), MS_FAIL when a step failed (the run
** then ends, s->err says why) and another status on an internal error.
*/
msStatus simStep(sim *s, int *done);

/*
** Run s to its end: a loop over simStep.  Returns MS_OK when every
** expectation held, MS_FAIL when an expectation or a step failed, another
** status on an internal error.
*/
msStatus simRun(sim *s);

/* The status a finished run reports (as simRun's return). */
msStatus simVerdict(const sim *s);

/* Release everything s owns. */
void simFree(sim *s);

/* Schedule fire(s, obj, arg) at `at` (clamped to now if earlier). */
msStatus simSchedule(sim *s, simtime at, eventFn *fire, void *obj, int64_t arg, const char *what);

/*
** Run fire(s, obj, arg) on the fixed grid of interval (> 0) from time 0: at
** every multiple of interval after now, the first one interval after 0 when
** registered at 0 (semantics.md, "Periodic work": the grids are never
** jittered, and a late start joins the grid rather than shifting it).  Each
** firing schedules the next after fire returns, so work fire schedules for
** the same instant runs first.  The job lasts as long as the run.
*/
msStatus simEvery(sim *s, simtime interval, eventFn *fire, void *obj, int64_t arg, const char *what);

/* 1 when narrative lines go anywhere (printed or recorded). */
int simNarrating(const sim *s);

/* Add one narrative line at s->now, attributed to actor. */
void simLog(sim *s, const char *actor, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
** base varied by up to +/- the run's jitter percentage, drawn from the jitter
** stream; base itself when jitter is 0 (and then no draw is made).
*/
simtime simJitter(sim *s, simtime base);

/* Record an expectation's verdict (the runner calls this; the model judges). */
msStatus simRecordExpect(sim *s, const stmt *st, int passed, const char *actual);

#endif
