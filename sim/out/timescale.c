/*
** The compressed time axis (timescale.h).  Built in one pass over the
** instants, which come in time order as a trace keeps its records, so they
** come out sorted and distinct without sorting.  Invariants, checked after the
** build: instants and positions strictly ascend, and each break lies
** between two consecutive instants more than TS_GAP_MS apart.
*/
#include <stdlib.h>
#include "kernel/invariant.h"
#include "out/timescale.h"

/* Append instant t (ignored when it equals the last one) with the distance rule of timescale.h. */
static void addInstant(timescale *ts, simtime t) {
    if (ts->n && ts->t[ts->n - 1] == t) return;
    if (NEVER(ts->n && ts->t[ts->n - 1] > t)) return;   /* records come in time order */
    int64_t x = 0;
    if (ts->n) {
        simtime prev = ts->t[ts->n - 1], gap = t - prev;
        int64_t px = (int64_t)gap * TS_PX_PER_S / MS_PER_SECOND;
        if (gap > TS_GAP_MS) {
            timescaleBreak *b = &ts->breaks[ts->nbreaks++];
            b->from = prev;
            b->to = t;
            b->x = ts->x[ts->n - 1];
            px = TS_BREAK_PX;
        } else if (px < TS_MIN_PX) {
            px = TS_MIN_PX;
        }
        x = ts->x[ts->n - 1] + px;
    }
    ts->t[ts->n] = t;
    ts->x[ts->n] = x;
    ts->n++;
}

msStatus timescaleBuild(timescale *ts, const simtime *at, size_t n, simtime end) {
    ts->n = ts->nbreaks = 0;
    ts->width = 0;
    size_t cap = n + 2;   /* time 0, every instant, the end */
    ts->t = malloc(cap * sizeof *ts->t);
    ts->x = malloc(cap * sizeof *ts->x);
    ts->breaks = malloc(cap * sizeof *ts->breaks);
    if (!ts->t || !ts->x || !ts->breaks) return MS_NOMEM;
    addInstant(ts, 0);
    for (size_t i = 0; i < n; i++) addInstant(ts, at[i]);
    addInstant(ts, end);
    ts->width = ts->x[ts->n - 1];
    for (size_t i = 1; i < ts->n; i++) msAssert(ts->t[i - 1] < ts->t[i] && ts->x[i - 1] < ts->x[i]);
    for (size_t i = 0; i < ts->nbreaks; i++) msAssert(ts->breaks[i].to - ts->breaks[i].from > TS_GAP_MS);
    return MS_OK;
}

int64_t timescaleX(const timescale *ts, simtime t) {
    if (!ts->n || t <= ts->t[0]) return 0;
    if (t >= ts->t[ts->n - 1]) return ts->x[ts->n - 1];
    size_t lo = 0, hi = ts->n - 1;   /* t[lo] <= t < t[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts->t[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (ts->t[lo] == t) return ts->x[lo];
    return ts->x[lo] + (ts->x[hi] - ts->x[lo]) * (t - ts->t[lo]) / (ts->t[hi] - ts->t[lo]);
}

void timescaleFree(timescale *ts) {
    free(ts->t);
    free(ts->x);
    free(ts->breaks);
    ts->t = NULL;
    ts->x = NULL;
    ts->breaks = NULL;
    ts->n = ts->nbreaks = 0;
}
