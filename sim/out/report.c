/*
** The report of a finished run, and its text forms: the closing outcome
** table, the failures and the verdict line.  See report.h.
*/
#include <stdlib.h>
#include <string.h>
#include "out/report.h"
#include "run/world.h"

msStatus reportCollect(sim *s, runReport *r) {
    memset(r, 0, sizeof *r);
    r->s = s;
    r->judged_dc = -1;
    r->verdict = simVerdict(s);
    r->nusers = s->scn->nusers;
    if (!s->world) return MS_OK;
    if (r->nusers) {
        r->verdicts = calloc(r->nusers, sizeof *r->verdicts);
        if (!r->verdicts) return MS_NOMEM;
    }
    return worldOutcomes(s, r->verdicts, &r->stranded, &r->judged_dc, &r->converged);
}

void reportFree(runReport *r) {
    free(r->verdicts);
    memset(r, 0, sizeof *r);
}

int reportIsEmpty(const runReport *r) {
    return r->verdict == MS_OK && r->s->nexpects == 0;
}

const char *reportVerdictWord(const runReport *r) {
    if (reportIsEmpty(r)) return "none";
    return r->verdict == MS_OK ? "pass" : "fail";
}

const char *reportFailure(const runReport *r, char *buf, size_t bufsz) {
    const sim *s = r->s;
    if (s->step_failed) {
        snprintf(buf, bufsz, "the step at line %d failed: %s", s->fail_line, s->k.err);
        return buf;
    }
    if (s->nfailed) {
        snprintf(buf, bufsz, "%zu of %zu expectations failed", s->nfailed, s->nexpects);
        return buf;
    }
    return NULL;
}

void reportPrintTable(const runReport *r, FILE *f) {
    const sim *s = r->s;
    if (r->nusers == 0) return;
    fprintf(f, "\n");
    if (r->judged_dc >= 0) {
        const char *dc = dirDcName(s->world->dir, r->judged_dc);
        if (r->converged)
            fprintf(f, "Outcomes (directory converged; read on %s):\n", dc);
        else
            fprintf(f, "Outcomes (directory NOT converged: read on %s, other DCs may disagree):\n", dc);
    }
    fprintf(f, "  %-10s %-11s %6s %6s %8s %13s  %s\n", "user", "outcome", "extra", "dupes",
            "missing", "rules_broken", "detail");
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        char name[64];
        scnUserName(s->scn, v->user, name, sizeof name);
        /* No mailbox judged (absent): no counters to show, not zeros. */
        if (!v->counted) {
            fprintf(f, "  %-10s %-11s %6s %6s %8s %13s  %s\n", name, outcomeName(v->out), "-", "-", "-", "-",
                    v->detail);
            continue;
        }
        fprintf(f, "  %-10s %-11s %6lld %6lld %8lld %13lld  %s\n", name, outcomeName(v->out),
                (long long)v->counters[CTR_EXTRA], (long long)v->counters[CTR_DUPES],
                (long long)v->counters[CTR_MISSING], (long long)v->counters[CTR_RULES_BROKEN],
                v->detail);
    }
    fprintf(f, "  stranded items: %lld\n", (long long)r->stranded);
}

void reportPrintFailures(const runReport *r, FILE *f) {
    const sim *s = r->s;
    for (size_t i = 0; i < s->nexpects; i++) {
        const expectResult *e = &s->expects[i];
        if (e->passed) continue;
        fprintf(f, "%s:%d: expectation failed: %s: found %s\n", s->scn->file, e->line, e->text,
                e->actual);
    }
    if (s->step_failed)
        fprintf(f, "%s:%d: step failed: %s\n", s->scn->file, s->fail_line, s->k.err);
}

void reportPrintVerdict(const runReport *r, FILE *f) {
    const sim *s = r->s;
    char why[640], t[CLOCK_BUFSZ];
    if (reportIsEmpty(r))
        fprintf(f, "verdict: NONE (no expectations; seed %llu; ended at %s)\n", (unsigned long long)s->k.seed,
                clockFormat(s->k.now, t));
    else if (r->verdict == MS_OK)
        fprintf(f, "verdict: PASS (%zu expectation%s held; seed %llu; ended at %s)\n", s->nexpects,
                s->nexpects == 1 ? "" : "s", (unsigned long long)s->k.seed, clockFormat(s->k.now, t));
    else
        fprintf(f, "verdict: FAIL (%s; seed %llu; ended at %s)\n", reportFailure(r, why, sizeof why),
                (unsigned long long)s->k.seed, clockFormat(s->k.now, t));
}
