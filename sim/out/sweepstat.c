/*
** A sweep's arithmetic (sweep.h): the combinations' numbering, the rule
** that calls a run bad, the sums per combination and the Wilson interval of
** the bad share.  The Wilson score interval is used rather than the normal
** approximation because sweeps often see 0 or all bad runs, where the
** normal interval collapses to a point; Wilson's stays inside [0, 1] and
** keeps a width that says how many runs the share rests on.  Sums are
** integers; the share and interval are computed from them once, in one
** order, so they print the same on every run of the same sweep.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/invariant.h"
#include "out/sweep.h"

void sweepSpecFree(sweepSpec *spec) {
    for (size_t v = 0; v < spec->nvary; v++) {
        sweepVary *y = &spec->vary[v];
        for (size_t i = 0; i < y->n; i++) free(y->values[i]);
        free(y->values);
        free(y->x);
        free(y->name);
    }
    free(spec->vary);
    free(spec->scenario);
    free(spec->sets);
    free(spec->migrator);
    free(spec->bad);
    memset(spec, 0, sizeof *spec);
}

uint64_t sweepTotal(const sweepSpec *spec) {
    uint64_t seeds = spec->seed_hi - spec->seed_lo + 1, t;
    if (seeds == 0 || __builtin_mul_overflow(seeds, spec->ncombos, &t)) return 0;
    return t;
}

size_t sweepValueIndex(const sweepSpec *spec, uint64_t c, size_t v) {
    for (size_t w = spec->nvary; w-- > v + 1;) c /= spec->vary[w].n;
    return (size_t)(c % spec->vary[v].n);
}

int sweepBadParse(const char *text, sweepBad *bad, char *why, size_t whysz) {
    memset(bad, 0, sizeof *bad);
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int o = outcomeParse(p, n);
        if (n == 10 && memcmp(p, "not-cloned", 10) == 0) bad->not_cloned = 1;
        else if (n == 8 && memcmp(p, "stranded", 8) == 0) bad->stranded = 1;
        else if (n == 6 && memcmp(p, "failed", 6) == 0) bad->failed = 1;
        else if (o >= 0) bad->outcomes |= 1u << o;
        else {
            snprintf(why, whysz, "'%.*s' is not a rule (not-cloned, stranded, failed, or an outcome: cloned, "
                     "merged, ghost, duplicate, absent, partial, unmigrated)", n > 40 ? 40 : (int)n, p);
            return -1;
        }
        if (!comma) return 0;
        p = comma + 1;
    }
}

int sweepBadHolds(const sweepBad *b, const sweepRun *r) {
    if (b->stranded && r->stranded > 0) return 1;
    if (b->failed && (r->step_failed || r->npassed < r->nexpects)) return 1;
    for (int o = 0; o < OUT__COUNT; o++) {
        if (!r->count[o]) continue;
        if ((b->outcomes >> o) & 1u) return 1;
        if (b->not_cloned && o != OUT_CLONED) return 1;
    }
    return 0;
}

void sweepWilson(uint64_t k, uint64_t n, double *lo, double *hi) {
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    const double z = 1.959963984540054, z2 = z * z;
    double nn = (double)n, p = (double)k / nn;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
    /* At the ends the interval touches its bound exactly, not a rounding away from it. */
    if (k == 0) *lo = 0;
    if (k == n) *hi = 1;
}

void sweepAggregate(const sweepSpec *spec, const sweepRun *runs, size_t n, sweepAgg *agg) {
    for (size_t i = 0; i < n; i++) {
        const sweepRun *r = &runs[i];
        msAssert(r->combo < spec->ncombos);
        msAssert(i == 0 || runs[i - 1].combo < r->combo ||
                 (runs[i - 1].combo == r->combo && runs[i - 1].seed < r->seed));
        sweepAgg *a = &agg[r->combo];
        a->runs++;
        for (int o = 0; o < OUT__COUNT; o++) a->count[o] += r->count[o];
        a->stranded_runs += r->stranded > 0;
        a->bad += r->bad;
        a->passed += !r->step_failed && r->npassed == r->nexpects;
    }
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        sweepAgg *a = &agg[c];
        a->share = a->runs ? (double)a->bad / (double)a->runs : 0;
        sweepWilson(a->bad, a->runs, &a->lo, &a->hi);
    }
}

/* The widest value of variable v, for the table's column. */
static int varWidth(const sweepVary *y) {
    size_t w = strlen(y->name);
    for (size_t i = 0; i < y->n; i++)
        if (strlen(y->values[i]) > w) w = strlen(y->values[i]);
    return w > 32 ? 32 : (int)w;
}

void sweepPrintTable(const sweepSpec *spec, const sweepAgg *agg, FILE *f) {
    uint64_t seeds = spec->seed_hi - spec->seed_lo + 1;
    fprintf(f, "sweep: %s, seeds %llu..%llu, %llu combination%s x %llu seed%s, bad = %s\n", spec->scenario,
            (unsigned long long)spec->seed_lo, (unsigned long long)spec->seed_hi,
            (unsigned long long)spec->ncombos, spec->ncombos == 1 ? "" : "s", (unsigned long long)seeds,
            seeds == 1 ? "" : "s", spec->bad);
    for (size_t v = 0; v < spec->nvary; v++) fprintf(f, "%-*s  ", varWidth(&spec->vary[v]), spec->vary[v].name);
    fprintf(f, "%8s", "runs");
    for (int o = 0; o < OUT__COUNT; o++) fprintf(f, " %*s", o == OUT_UNMIGRATED ? 10 : 9, outcomeName(o));
    fprintf(f, " %8s %8s %6s  %-15s %7s\n", "stranded", "bad", "share", "95% interval", "expects");
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        const sweepAgg *a = &agg[c];
        for (size_t v = 0; v < spec->nvary; v++)
            fprintf(f, "%-*s  ", varWidth(&spec->vary[v]), spec->vary[v].values[sweepValueIndex(spec, c, v)]);
        fprintf(f, "%8llu", (unsigned long long)a->runs);
        for (int o = 0; o < OUT__COUNT; o++)
            fprintf(f, " %*llu", o == OUT_UNMIGRATED ? 10 : 9, (unsigned long long)a->count[o]);
        fprintf(f, " %8llu %8llu %6.3f  [%.3f, %.3f] %6.1f%%\n", (unsigned long long)a->stranded_runs,
                (unsigned long long)a->bad, a->share, a->lo, a->hi,
                a->runs ? 100.0 * (double)a->passed / (double)a->runs : 0.0);
    }
}
