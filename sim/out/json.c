/*
** The report as one JSON document (--json).  The schema is in
** docs/results.md.  Keys come in a fixed order and numbers are integers, so
** the document is byte-identical for the same run.  Strings are escaped per
** RFC 8259 and the output is always ASCII: non-ASCII characters (a file name
** in UTF-8, say) are written as \u escapes of their code points.
*/
#include <stdint.h>
#include <string.h>
#include "out/report.h"
#include "run/world.h"

/*
** Length of the well-formed UTF-8 sequence at p (2 to 4) with its code point
** in *cp, or 0 when p does not start one (overlong forms, surrogates and
** code points above U+10FFFF are not well formed: RFC 3629).
*/
static int utf8Decode(const unsigned char *p, uint32_t *cp) {
    int n;
    uint32_t c, min;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2, c = p[0] & 0x1fu, min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3, c = p[0] & 0x0fu, min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4, c = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;   /* also stops at the terminating NUL */
        c = c << 6 | (p[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

/*
** s as a JSON string of ASCII only: control characters and every non-ASCII
** character escaped as \uXXXX (a surrogate pair above U+FFFF), so a file
** name in UTF-8 reads back as itself; a byte that is not part of well-formed
** UTF-8 becomes U+FFFD, the replacement character.
*/
static void jsonString(FILE *f, const char *s) {
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t cp;
        int n;
        switch (*p) {
        case '"': fputs("\\\"", f); p++; continue;
        case '\\': fputs("\\\\", f); p++; continue;
        case '\n': fputs("\\n", f); p++; continue;
        case '\r': fputs("\\r", f); p++; continue;
        case '\t': fputs("\\t", f); p++; continue;
        default: break;
        }
        if (*p >= 0x20 && *p < 0x7f) {
            fputc(*p++, f);
        } else if (*p < 0x80) {
            fprintf(f, "\\u%04x", (unsigned)*p++);
        } else if ((n = utf8Decode(p, &cp)) == 0) {
            fputs("\\ufffd", f);
            p++;
        } else {
            if (cp >= 0x10000)
                fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
                        (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
            else
                fprintf(f, "\\u%04x", (unsigned)cp);
            p += n;
        }
    }
    fputc('"', f);
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
    fprintf(f, "  \"stranded\": %lld\n}\n", (long long)r->stranded);
    return ferror(f) ? MS_IO : MS_OK;
}
