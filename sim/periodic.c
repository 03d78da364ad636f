/*
** Periodic work on fixed grids (semantics.md, "Periodic work"): replication
** schedules, site-link intervals, tombstone garbage collection, the Recipient
** Update Service, the Cleanup Agent.  A job fires at every multiple of its
** interval, never jittered and never shifted by what the job does, because
** each firing schedules the next at now + interval and now is exactly the grid
** point.  Jobs live in the run (s->periodic) and are referred to by index, so
** a job that registers another (and so moves the array) stays valid.
*/
#include "array.h"
#include "sim.h"

static void firePeriodic(sim *s, void *obj, int64_t index) {
    (void)obj;
    periodicJob job = s->periodic[index];   /* a copy: fire may grow the array */
    job.fire(s, job.obj, job.arg);
    (void)simSchedule(s, s->now + job.interval, firePeriodic, NULL, index, job.what);
}

msStatus simEvery(sim *s, simtime interval, eventFn *fire, void *obj, int64_t arg, const char *what) {
    if (interval <= 0) return MS_RANGE;
    if (s->nperiodic == s->capperiodic &&
        arrayGrow(&s->periodic, &s->capperiodic, sizeof *s->periodic, 8) != MS_OK)
        return MS_NOMEM;
    simtime first = (s->now / interval + 1) * interval;
    msStatus st = simSchedule(s, first, firePeriodic, NULL, (int64_t)s->nperiodic, what);
    if (st != MS_OK) return st;
    s->periodic[s->nperiodic++] = (periodicJob){interval, fire, obj, arg, what};
    return MS_OK;
}
