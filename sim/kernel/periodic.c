/*
** Periodic work on fixed grids (docs/semantics.md, "Periodic work"):
** replication schedules, site-link intervals, tombstone garbage collection,
** the Recipient Update Service, the Cleanup Agent.  A job fires at every
** multiple of its interval, never jittered and never shifted by what the job
** does, because each firing schedules the next at now + interval and now is
** exactly the grid point.  Jobs live in the kernel (k->periodic) and are
** referred to by index, so a job that registers another (and so moves the
** array) stays valid.
*/
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"

static msStatus firePeriodic(kernel *k, void *obj, int64_t index) {
    (void)obj;
    periodicJob job = k->periodic[index];   /* a copy: fire may grow the array */
    msAssert(k->now % job.interval == 0);   /* exactly on the grid */
    msStatus rc = job.fire(k, job.obj, job.arg);
    if (rc != MS_OK) return rc;
    return kernelSchedule(k, k->now + job.interval, firePeriodic, NULL, index, job.what);
}

msStatus kernelEvery(kernel *k, simtime interval, eventFn *fire, void *obj, int64_t arg, const char *what) {
    if (interval <= 0) return MS_RANGE;
    if (k->nperiodic == k->capperiodic &&
        arrayGrow(&k->periodic, &k->capperiodic, sizeof *k->periodic, 8) != MS_OK)
        return MS_NOMEM;
    simtime first = (k->now / interval + 1) * interval;
    msStatus st = kernelSchedule(k, first, firePeriodic, NULL, (int64_t)k->nperiodic, what);
    if (st != MS_OK) return st;
    k->periodic[k->nperiodic++] = (periodicJob){interval, fire, obj, arg, what};
    return MS_OK;
}
