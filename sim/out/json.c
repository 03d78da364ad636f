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
#include "run/world.h"

/* The trace records, one per line (each as --trace writes it). */
static void writeTrace(const sim *s, FILE *f) {
    size_t n;
    const traceRecord *v = traceRecords(&s->k.tr, &n);
    fputs("  \"trace\": [", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n    " : "\n    ", f);
        traceJsonObject(&v[i], f);
    }
    fputs(n ? "\n  ]\n" : "]\n", f);
}

static void writeExpectations(const sim *s, FILE *f) {
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

static void writeOutcomes(const runReport *r, FILE *f) {
    fputs("  \"outcomes\": [", f);
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        char name[64];
        scnUserName(r->s->scn, v->user, name, sizeof name);
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

msStatus reportWriteJson(const runReport *r, FILE *f) {
    const sim *s = r->s;
    char why[640];
    const char *failure = reportFailure(r, why, sizeof why);
    fputs("{\n  \"migsim\": ", f);
    jsonString(f, MIGSIM_VERSION);
    fputs(",\n  \"scenario\": ", f);
    jsonString(f, s->scn->file);
    fprintf(f, ",\n  \"seed\": %llu,\n  \"end_ms\": %lld,\n  \"verdict\": ",
            (unsigned long long)s->k.seed, (long long)s->k.now);
    jsonString(f, reportVerdictWord(r));
    fprintf(f, ",\n  \"exit\": %d,\n  \"failure\": ", msExitCode(r->verdict));
    if (failure)
        jsonString(f, failure);
    else
        fputs("null", f);
    fputs(",\n", f);
    if (s->step_failed)
        fprintf(f, "  \"failed_step_line\": %d,\n", s->fail_line);
    else
        fputs("  \"failed_step_line\": null,\n", f);
    writeExpectations(s, f);
    fprintf(f, "  \"converged\": %s,\n  \"judged_on\": ", r->converged ? "true" : "false");
    if (r->judged_dc >= 0)
        jsonString(f, dirDcName(s->world->dir, r->judged_dc));
    else
        fputs("null", f);
    fputs(",\n", f);
    writeOutcomes(r, f);
    fprintf(f, "  \"stranded\": %lld,\n", (long long)r->stranded);
    writeTrace(s, f);
    fputs("}\n", f);
    return ferror(f) ? MS_IO : MS_OK;
}
