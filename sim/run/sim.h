/*
** A run: one scenario executed with one seed.  A `sim` owns everything a run
** touches: the kernel (clock, event queue, random streams, GUIDs,
** parameters, narrative), the simulated world built over it, the script's
** state and the expectation results.  Runs share no mutable state, so any
** number can execute one after another in a process.
**
** Stepping.  simStep advances the run by exactly one unit of work: either it
** fires the earliest pending event, or it executes the next scenario step.
** The rule that decides which (docs/semantics.md, "Time"): a step due at
** instant T runs only after every event due at or before T, including events
** scheduled at T by other events, so the world is quiescent at T when the step
** looks at it.  `wait DUR` sets the instant of the next step to now+DUR;
** blocking steps (`wait converged`, `wait done`, `sync`, `cancel when ...`)
** hold the script until the world reports their condition, checked after
** every event.  The run ends when the last step has executed; pending
** periodic events are then dropped.  simRun is a loop over simStep and
** nothing else, so lab mode and tests can drive a run one event at a time and
** see the same run.
*/
#ifndef MIGSIM_SIM_H
#define MIGSIM_SIM_H

#include <stdio.h>
#include <stdint.h>
#include "kernel/kernel.h"
#include "migration/migrator.h"
#include "scenario/scenario.h"

struct world;

typedef struct simOptions {
    int has_seed;           /* seed overrides the scenario's `seed` */
    uint64_t seed;
    FILE *narrative;        /* narrative lines as they happen; NULL: none */
    int record;             /* keep trace records (for --db, --json, --trace) */
    const char *migrator;   /* --migrator SPEC: overrides the scenario's (NULL: the scenario's) */
    int64_t migrator_timeout_ms;  /* --migrator-timeout: a process migrator's limit per answer (0: 10 s) */
} simOptions;

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
    const migrator *own;    /* simInitWith's migrator (NULL: opt.migrator or the scenario's) */
    const char *own_options;
    kernel k;               /* time, events, streams, GUIDs, parameters, narrative */
    struct world *world;

    /* Script state. */
    size_t pc;              /* next step (index into scn->v) */
    simtime resume_at;      /* the next step runs at this instant */
    int blocked;            /* the step at pc - 1 waits for its condition */
    simtime blocked_since;
    simtime block_deadline; /* a blocked step is judged idle at this instant (SIMTIME_MAX: none) */
    int done;               /* the run has ended */
    int step_failed;        /* a step failed: the run stopped there */
    int fail_line;          /* its line (why: k.err) */
    size_t world_steps;     /* steps other than `expect` executed: each may change the world */

    /* Records. */
    expectResult *expects;
    size_t nexpects, capexpects;
    size_t nfailed;         /* failed expectations */
} sim;

/*
** Prepare s to run sc (which must outlive s) with options opt: parameters
** from the scenario's `set`, `ad` and `latency`, random streams and GUIDs
** from the seed, and the world built from the world statements.  On failure
** s->k.err says why and s holds nothing to free beyond simFree.
*/
msStatus simInit(sim *s, const scenario *sc, const simOptions *opt);

/*
** simInit, with a migrator of the caller's own (a program embedding
** libmigsim): m overrides both opt->migrator and the scenario's `migrator=`
** and is opened with options (NULL: "").  m and options must outlive s.
** The scenario still needs its `wizard` line: it says where migration runs.
*/
msStatus simInitWith(sim *s, const scenario *sc, const simOptions *opt, const migrator *m, const char *options);

/*
** Advance s by one event or one step.  Sets *done when the run has ended.
** Returns MS_OK while things go as the scenario says (even when an
** expectation fails: that is recorded), MS_FAIL when a step failed (the run
** then ends, s->k.err says why) and another status on an internal error.
*/
msStatus simStep(sim *s, int *done);

/*
** Run s to its end: a loop over simStep.  Returns MS_OK when every
** expectation held, MS_FAIL when an expectation or a step failed, another
** status on an internal error.
*/
msStatus simRun(sim *s);

/*
** Send s's narrated records to fn(ctx, record) instead of the lines on
** opt.narrative (trace.h, traceNarrator; fn NULL: back to the lines).  Call
** it between simInit and the first simStep: building the world narrates
** nothing, so the printer sees every narrated record of the run.
*/
void simSetNarrator(sim *s, traceNarrator *fn, void *ctx);

/*
** The instant of s's next unit of work: the earliest pending event when it
** fires next, else the instant the next step (or the run's end) is due; a
** blocked step with nothing due before its deadline is judged at the
** deadline.  SIMTIME_MAX when the run has ended.  This is simStep's rule,
** read without stepping.
*/
simtime simNextAt(const sim *s);

/*
** Step s (simStep) while its next unit of work is due at or before t: the run
** stops after every event and step due at t, or at its end if that comes
** first.  Returns as simRun for a run that ended (MS_OK or MS_FAIL), MS_OK
** for one stopped part way, another status on an internal error.
*/
msStatus simRunUntil(sim *s, simtime t);

/* The status a finished run reports (as simRun's return). */
msStatus simVerdict(const sim *s);

/* Release everything s owns. */
void simFree(sim *s);

/* Record an expectation's verdict (the runner calls this; the model judges). */
msStatus simRecordExpect(sim *s, const stmt *st, int passed, const char *actual);

#endif
