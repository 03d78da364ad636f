/*
** A sweep's summary as CSV (--csv), one row per combination in
** combination order, RFC 4180: a header row, fields holding a comma or a
** quote are quoted.  Columns: combo, each varied variable's value, x (the
** last variable's number, as the plot reads it), runs, one count per
** outcome, stranded_runs, bad, bad_share, bad_lo, bad_hi (the Wilson 95%
** interval), passed, pass_rate.  Numbers are printed with a fixed format
** (%.6f), so equal sweeps give equal files.
*/
#include <string.h>
#include "out/sweep.h"

static void csvField(const char *s, FILE *f) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void sweepWriteCsv(const sweepSpec *spec, const sweepAgg *agg, FILE *f) {
    fputs("combo", f);
    for (size_t v = 0; v < spec->nvary; v++) {
        fputc(',', f);
        csvField(spec->vary[v].name, f);
    }
    fputs(",x,runs", f);
    for (int o = 0; o < OUT__COUNT; o++) fprintf(f, ",%s", outcomeName(o));
    fputs(",stranded_runs,bad,bad_share,bad_lo,bad_hi,passed,pass_rate\n", f);
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        const sweepAgg *a = &agg[c];
        fprintf(f, "%llu", (unsigned long long)c);
        for (size_t v = 0; v < spec->nvary; v++) {
            fputc(',', f);
            csvField(spec->vary[v].values[sweepValueIndex(spec, c, v)], f);
        }
        double x = 0;
        if (spec->nvary) {
            const sweepVary *last = &spec->vary[spec->nvary - 1];
            x = last->x[sweepValueIndex(spec, c, spec->nvary - 1)];
        }
        fprintf(f, ",%.6f,%llu", x, (unsigned long long)a->runs);
        for (int o = 0; o < OUT__COUNT; o++) fprintf(f, ",%llu", (unsigned long long)a->count[o]);
        fprintf(f, ",%llu,%llu,%.6f,%.6f,%.6f,%llu,%.6f\n", (unsigned long long)a->stranded_runs,
                (unsigned long long)a->bad, a->share, a->lo, a->hi, (unsigned long long)a->passed,
                a->runs ? (double)a->passed / (double)a->runs : 0.0);
    }
}

msStatus sweepWriteCsvFile(const sweepSpec *spec, const sweepAgg *agg, const outTarget *t, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 1, why, whysz);
    if (st != MS_OK) return st;
    sweepWriteCsv(spec, agg, af.f);
    return atomicCommit(&af, why, whysz);
}
