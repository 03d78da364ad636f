/*
** The kernel context (see kernel.h): scheduling, jitter and the narrative
** shared by every part of a run.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"

void kernelInit(kernel *k, uint64_t seed, const params *p, FILE *narrative, int record) {
    memset(k, 0, sizeof *k);
    traceInit(&k->tr, narrative, record);
    k->seed = seed;
    k->p = *p;
    eqInit(&k->q);
    guidInit(&k->guids, seed);
    rngSeed(&k->rsource, seed, RNG_SOURCE);
    rngSeed(&k->rjitter, seed, RNG_JITTER);
    rngSeed(&k->rmodel, seed, RNG_MODEL);
}

void kernelFree(kernel *k) {
    eqFree(&k->q);
    traceFree(&k->tr);
    free(k->periodic);
    k->periodic = NULL;
    k->nperiodic = k->capperiodic = 0;
}

msStatus kernelSchedule(kernel *k, simtime at, eventFn *fire, void *obj, int64_t arg, const char *what) {
    if (at < k->now) at = k->now;
    return eqPush(&k->q, at, fire, obj, arg, what, NULL);
}

msStatus kernelFireNext(kernel *k) {
    event ev;
    if (!eqPop(&k->q, &ev)) return MS_OK;
    msAssert(ev.at >= k->now);   /* the clock never goes back */
    k->now = ev.at;
    k->events_fired++;
    msStatus rc = ev.fire(k, ev.obj, ev.arg);
    if (k->fault != MS_OK) rc = k->fault;   /* the root cause, whatever the handler made of it */
    if (rc != MS_OK) {
        if (!k->fault) k->fault = rc;
        snprintf(k->where, sizeof k->where, "%s", ev.what);
        if (k->err[0] == '\0') snprintf(k->err, sizeof k->err, "%s: %s", ev.what, msStatusName(rc));
    }
    return rc;
}

simtime kernelJitter(kernel *k, simtime base) {
    if (k->p.jitter_pct <= 0 || base <= 0) return base;
    int64_t span = base / 100 * k->p.jitter_pct + base % 100 * k->p.jitter_pct / 100;
    simtime v = base + rngBetween(&k->rjitter, -span, span);
    return v < 0 ? 0 : v;
}

void kernelFault(kernel *k, msStatus st) {
    if (k->fault == MS_OK) k->fault = st;
}

int kernelNarrating(const kernel *k) {
    return traceOn(&k->tr);
}

void kernelEmit(kernel *k, traceRecord *r, const char *fmt, ...) {
    if (!traceOn(&k->tr)) return;
    va_list ap;
    va_start(ap, fmt);
    msStatus st = traceEmitV(&k->tr, k->now, r, fmt, ap);
    if (st != MS_OK) kernelFault(k, st);
    va_end(ap);
}
