/*
** The kernel context: the services every part of a run may use, and nothing
** else.  A kernel holds the virtual clock, the event queue, the random
** streams, the GUID generator, the parameters, the periodic jobs, the
** narrative and an error buffer.  The world (directory, Exchange side,
** migration, judge) is built over a kernel and sees only this: never the
** parsed scenario, never the runner's script state, never an output format.
** The runner (sim/run/) embeds one kernel in each run object.
**
** Invariants:
**   - now never decreases (kernelSchedule clamps a past instant to now);
**   - every random draw comes from one of the seeded streams, each owned by
**     one subsystem, so the seed alone decides the run;
**   - periodic jobs fire exactly on their grid (multiples of the interval
**     from time 0), whatever their handlers do.
**
** The trace.  kernelEmit adds a typed record (trace.h): narrated kinds print
** "TIME  ACTOR  message" lines as they happen, and every record is kept
** when recording (for --db, --json, --trace).  Callers that would format
** something costly check kernelNarrating first.
*/
#ifndef MIGSIM_KERNEL_H
#define MIGSIM_KERNEL_H

#include <stdint.h>
#include <stdio.h>
#include "kernel/clock.h"
#include "kernel/eventq.h"
#include "kernel/guid.h"
#include "kernel/params.h"
#include "kernel/prng.h"
#include "kernel/status.h"
#include "kernel/trace.h"

#define SIMTIME_MAX INT64_MAX

/* One periodic job of kernelEvery. */
typedef struct periodicJob {
    simtime interval;
    eventFn *fire;
    void *obj;
    int64_t arg;
    const char *what;
} periodicJob;

typedef struct kernel {
    uint64_t seed;          /* the seed in force */
    params p;
    simtime now;
    eventq q;
    guidgen guids;
    rng rsource, rjitter, rmodel;
    uint64_t events_fired;
    char err[512];          /* why the last failing call failed */
    msStatus fault;         /* sticky: the first failure met where no status could be returned */
    char where[128];        /* the event, step or phase a run stopped in (kernelFireNext, the runner) */

    /* Periodic work (kernelEvery), in registration order. */
    periodicJob *periodic;
    size_t nperiodic, capperiodic;

    trace tr;               /* what happened: narrative lines as they happen, records kept */
} kernel;

/*
** Make k ready for a run with seed and parameters p: an empty queue, the
** random streams and GUIDs derived from the seed, the clock at 0, a trace
** printing narrated records to narrative (NULL: nowhere) and keeping every
** record when record is 1.  Allocates nothing.
*/
void kernelInit(kernel *k, uint64_t seed, const params *p, FILE *narrative, int record);

/* Release everything k owns. */
void kernelFree(kernel *k);

/* Schedule fire(k, obj, arg) at `at` (clamped to now if earlier). */
msStatus kernelSchedule(kernel *k, simtime at, eventFn *fire, void *obj, int64_t arg, const char *what);

/*
** Run fire(k, obj, arg) on the fixed grid of interval (> 0) from time 0: at
** every multiple of interval after now, the first one interval after 0 when
** registered at 0 (the grids are never jittered, and a late start joins the
** grid rather than shifting it).  Each firing schedules the next after fire
** returns, so work fire schedules for the same instant runs first.  The job
** lasts as long as the run.
*/
msStatus kernelEvery(kernel *k, simtime interval, eventFn *fire, void *obj, int64_t arg, const char *what);

/*
** Pop and fire the earliest pending event (if any), advancing now to its
** instant.  Returns the handler's status, or the sticky fault when the
** handler met one (kernelFault); on a failure where names the event, and err
** too when the handler did not say more.
*/
msStatus kernelFireNext(kernel *k);

/*
** base varied by up to +/- the run's jitter percentage, drawn from the jitter
** stream; base itself when jitter is 0 (and then no draw is made).
*/
simtime kernelJitter(kernel *k, simtime base);

/* 1 when trace records go anywhere (printed or kept): skip costly formatting otherwise. */
int kernelNarrating(const kernel *k);

/*
** Record a failure (MS_NOMEM, say) met where no status can be returned: a
** trace record that could not be kept, a lookup whose answer could not be
** computed, a SQL query whose result is a count.  The first one sticks in
** k->fault (as SQLite's connection remembers a failed allocation), and the
** event or step it happened in ends the run with it: kernelFireNext returns
** it, and so does the runner after a step.  Code that calls this must leave
** its data safe to free, not necessarily meaningful.
*/
void kernelFault(kernel *k, msStatus st);

/*
** Emit trace record r at k->now, its message formatted from fmt (trace.h,
** traceEmit).  A record that cannot be kept (out of memory) is a fault
** (kernelFault): the run stops after the event or step, rather than give
** outputs that lack a record.
*/
void kernelEmit(kernel *k, traceRecord *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
