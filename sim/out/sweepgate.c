/*
** A sweep as a CI gate: `--max-bad P` (sweep and merge).  A sweep measures;
** the gate turns its measure into a verdict a pipeline can act on.
**
** The rule: every combination must show, with 95% confidence, that its
** bad share is at most P; that is, the upper end of its Wilson interval
** (the same interval the table prints) must be at most P.  A combination
** with a bad share under P but too few runs to show it fails the gate: the
** cure is more seeds, and the message says how far the bound is.  The
** point estimate alone would pass a procedure that failed 0 times in 10
** worlds, which says little; the bound does not.
**
** The verdict is printed after the table, on the same stream, one line,
** then one line per failing combination; nothing here changes the table,
** the CSV, the database or the plot, which stay the sweep's measure.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "out/sweep.h"

static int badLimit(const char *text, char *why, size_t whysz) {
    snprintf(why, whysz, "--max-bad needs a share from 0 to 1 (0.05) or a percentage (5%%), not '%s'", text);
    return -1;
}

int sweepGateParse(const char *text, double *max, char *why, size_t whysz) {
    char *end = NULL;
    size_t n = strlen(text);
    int percent = n > 0 && text[n - 1] == '%';
    /* strtod would take a sign, spaces, "inf" or hex: only plain decimals here. */
    for (size_t i = 0; i < n - (size_t)percent; i++)
        if (!(text[i] >= '0' && text[i] <= '9') && text[i] != '.') return badLimit(text, why, whysz);
    double v = n > (size_t)percent ? strtod(text, &end) : -1.0;
    if (!end || end == text || (size_t)(end - text) != n - (size_t)percent) return badLimit(text, why, whysz);
    if (percent) v /= 100.0;
    if (!isfinite(v) || v < 0.0 || v > 1.0) return badLimit(text, why, whysz);
    *max = v;
    return 0;
}

/* The combination's values as NAME=VALUE words, or "(one combination)". */
static void comboLabel(const sweepSpec *spec, uint64_t c, char *buf, size_t sz) {
    size_t len = 0;
    buf[0] = '\0';
    if (spec->nvary == 0) {
        snprintf(buf, sz, "(the scenario as written)");
        return;
    }
    for (size_t v = 0; v < spec->nvary && len < sz; v++) {
        int w = snprintf(buf + len, sz - len, "%s%s=%s", v ? " " : "", spec->vary[v].name,
                         spec->vary[v].values[sweepValueIndex(spec, c, v)]);
        if (w < 0) break;
        len += (size_t)w;
    }
}

uint64_t sweepGate(const sweepSpec *spec, const sweepAgg *agg, double max, FILE *f) {
    uint64_t failing = 0, worst = 0;
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        failing += agg[c].hi > max;
        if (agg[c].hi > agg[worst].hi) worst = c;
    }
    char label[512];
    if (!failing) {
        fprintf(f, "gate --max-bad %g: PASS: every combination's bad share is at most %g with 95%% confidence ", max,
                max);
        if (spec->nvary == 0) {
            fprintf(f, "(upper bound %.3f)\n", agg[worst].hi);
            return 0;
        }
        comboLabel(spec, worst, label, sizeof label);
        fprintf(f, "(highest upper bound %.3f, at %s)\n", agg[worst].hi, label);
        return 0;
    }
    fprintf(f, "gate --max-bad %g: FAIL: %llu of %llu combination%s cannot show a bad share of at most %g "
               "(the upper end of the 95%% interval is above it):\n",
            max, (unsigned long long)failing, (unsigned long long)spec->ncombos, spec->ncombos == 1 ? "" : "s", max);
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        if (agg[c].hi <= max) continue;
        comboLabel(spec, c, label, sizeof label);
        fprintf(f, "  %s: %llu bad of %llu run%s, share %.3f, interval [%.3f, %.3f]%s\n", label,
                (unsigned long long)agg[c].bad, (unsigned long long)agg[c].runs, agg[c].runs == 1 ? "" : "s",
                agg[c].share, agg[c].lo, agg[c].hi,
                agg[c].share <= max ? " (under the limit, but too few runs to show it: add seeds)" : "");
    }
    return failing;
}
