/*
** The report as one JSON document (--json).  The schema is in
** docs/results.md.  Keys come in a fixed order and numbers are integers, so
** the document is byte-identical for the same run.  Strings are escaped per
** RFC 8259 and the output is always ASCII: non-ASCII characters (a file name
** in UTF-8, say) are written as \u escapes of their code points.
*/
#include <stdint.h>
#include <string.h>
#include "out/jsonw.h"
#include "out/report.h"
#include "out/tracejson.h"
#include "out/view.h"

/* The trace records, one per line (each as --trace writes it). */
static void writeTrace(const runResult *r, FILE *f) {
    size_t n;
    const traceRecord *v = traceRecords(&r->tr, &n);
    fputs("  \"trace\": [", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        traceJsonObject(&v[i], f);
    }
    fputs(n ? "\n  ]\n" : "]\n", f);
}

static void writeExpectations(const runResult *s, FILE *f) {
    fputs("  \"expectations\": [", f);
    for (size_t i = 0; i < s->nexpects; i++) {
        const expectResult *e = &s->expects[i];
        fprintf(f, "%s\n    {\"line\": %d, \"text\": ", i ? "," : "", e->line);
        jsonString(f, e->text);
        fprintf(f, ", \"at_ms\": %lld, \"passed\": %s, \"actual\": ", (long long)e->at,
                e->passed ? "true" : "false");
        jsonString(f, e->actual);
        fputc('}', f);
    }
    fputs(s->nexpects ? "\n  ],\n" : "],\n", f);
}

static void writeOutcomes(const runResult *r, FILE *f) {
    fputs("  \"outcomes\": [", f);
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        const char *name = r->user_names[i];
        fprintf(f, "%s\n    {\"user\": ", i ? "," : "");
        jsonString(f, name);
        fputs(", \"outcome\": ", f);
        jsonString(f, outcomeName(v->out));
        for (int c = 0; c < CTR__COUNT; c++) {
            if (v->counted)
                fprintf(f, ", \"%s\": %lld", counterName(c), (long long)v->counters[c]);
            else
                fprintf(f, ", \"%s\": null", counterName(c));   /* no mailbox judged */
        }
        fputs(", \"detail\": ", f);
        jsonString(f, v->detail);
        fputc('}', f);
    }
    fputs(r->nusers ? "\n  ],\n" : "],\n", f);
}

msStatus reportWriteJson(const runResult *r, FILE *f) {
    return reportWriteJsonState(r, NULL, f);
}

msStatus reportWriteJsonState(const runResult *r, const simState *st, FILE *f) {
    char why[640];
    const char *failure = reportFailure(r, why, sizeof why);
    fputs("{\n  \"migsim\": ", f);
    jsonString(f, MIGSIM_VERSION);
    fputs(",\n  \"scenario\": ", f);
    jsonString(f, r->scenario);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"end_ms\": %lld,\n  \"verdict\": ",
            (unsigned long long)r->seed, (long long)r->end);
    jsonString(f, reportVerdictWord(r));
    fprintf(f, ",\n  \"exit\": %d,\n  \"failure\": ", msExitCode(r->verdict));
    if (failure)
        jsonString(f, failure);
    else
        fputs("null", f);
    fputs(",\n", f);
    if (r->step_failed)
        fprintf(f, "  \"failed_step_line\": %d,\n", r->fail_line);
    else
        fputs("  \"failed_step_line\": null,\n", f);
    writeExpectations(r, f);
    fprintf(f, "  \"converged\": %s,\n  \"judged_on\": ", r->converged ? "true" : "false");
    if (r->judged_on)
        jsonString(f, r->judged_on);
    else
        fputs("null", f);
    fputs(",\n", f);
    writeOutcomes(r, f);
    fprintf(f, "  \"stranded\": %lld,\n", (long long)r->stranded);
    if (st) {
        fputs("  \"state\": ", f);
        viewWriteJson(st, f);
        fputs(",\n", f);
    }
    writeTrace(r, f);
    fputs("}\n", f);
    return ferror(f) ? MS_IO : MS_OK;
}
