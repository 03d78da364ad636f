/*
** The kernel context (see kernel.h): scheduling, jitter and the narrative
** shared by every part of a run.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/kernel.h"

void kernelInit(kernel *k, uint64_t seed, const params *p) {
    memset(k, 0, sizeof *k);
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
    for (size_t i = 0; i < k->nlog; i++) {
        free(k->log[i].actor);
        free(k->log[i].kind);
        free(k->log[i].detail);
    }
    free(k->log);
    free(k->periodic);
    k->log = NULL;
    k->periodic = NULL;
    k->nlog = k->caplog = k->nperiodic = k->capperiodic = 0;
}

msStatus kernelSchedule(kernel *k, simtime at, eventFn *fire, void *obj, int64_t arg, const char *what) {
    if (at < k->now) at = k->now;
    return eqPush(&k->q, at, fire, obj, arg, what, NULL);
}

int kernelFireNext(kernel *k) {
    event ev;
    if (!eqPop(&k->q, &ev)) return 0;
    k->now = ev.at;
    k->events_fired++;
    ev.fire(k, ev.obj, ev.arg);
    return 1;
}

simtime kernelJitter(kernel *k, simtime base) {
    if (k->p.jitter_pct <= 0 || base <= 0) return base;
    int64_t span = base / 100 * k->p.jitter_pct + base % 100 * k->p.jitter_pct / 100;
    simtime v = base + rngBetween(&k->rjitter, -span, span);
    return v < 0 ? 0 : v;
}

int kernelNarrating(const kernel *k) {
    return k->narrative != NULL || k->record;
}

static char *dupString(const char *src) {
    size_t n = strlen(src) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, src, n);
    return d;
}

static msStatus recordLine(kernel *k, const char *actor, const char *kind, const char *detail) {
    if (k->nlog == k->caplog && arrayGrow(&k->log, &k->caplog, sizeof *k->log, 256) != MS_OK)
        return MS_NOMEM;
    logEntry *e = &k->log[k->nlog];
    e->at = k->now;
    e->actor = dupString(actor);
    e->kind = dupString(kind);
    e->detail = dupString(detail);
    if (!e->actor || !e->kind || !e->detail) {
        free(e->actor);
        free(e->kind);
        free(e->detail);
        return MS_NOMEM;
    }
    k->nlog++;
    return MS_OK;
}

void kernelLog(kernel *k, const char *actor, const char *kind, const char *fmt, ...) {
    if (!kernelNarrating(k)) return;
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (k->narrative) {
        char t[CLOCK_BUFSZ];
        fprintf(k->narrative, "%-13s  %-7s  %s\n", clockFormat(k->now, t), actor, detail);
    }
    /* A narrative line lost to memory exhaustion is not worth failing a run. */
    if (k->record) (void)recordLine(k, actor, kind, detail);
}
