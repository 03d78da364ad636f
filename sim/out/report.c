/*
** The report of a finished run, and its text forms: the closing outcome
** table, the failures and the verdict line.  See report.h.
*/
#include <stdlib.h>
#include <string.h>
#include "out/report.h"

const char *reportVerdictWord(const runResult *r) {
    if (resultIsEmpty(r)) return "none";
    return r->verdict == MS_OK ? "pass" : "fail";
}

const char *reportFailure(const runResult *r, char *buf, size_t bufsz) {
    if (r->step_failed) {
        snprintf(buf, bufsz, "the step at line %d failed: %s", r->fail_line, r->fail_why);
        return buf;
    }
    if (r->nfailed) {
        snprintf(buf, bufsz, "%zu of %zu expectations failed", r->nfailed, r->nexpects);
        return buf;
    }
    return NULL;
}

void reportPrintTable(const runResult *r, FILE *f) {
    if (r->nusers == 0) return;
    fprintf(f, "\n");
    if (r->judged_on) {
        const char *dc = r->judged_on;
        if (r->converged)
            fprintf(f, "Outcomes (directory converged; read on %s):\n", dc);
        else
            fprintf(f, "Outcomes (directory NOT converged: read on %s, other DCs may disagree):\n", dc);
    }
    fprintf(f, "  %-10s %-11s %6s %6s %8s %13s  %s\n", "user", "outcome", "extra", "dupes",
            "missing", "rules_broken", "detail");
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        const char *name = r->user_names[i];
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

void reportPrintFailures(const runResult *r, FILE *f) {
    for (size_t i = 0; i < r->nexpects; i++) {
        const expectResult *e = &r->expects[i];
        if (e->passed) continue;
        fprintf(f, "%s:%d: expectation failed: %s: found %s\n", r->scenario, e->line, e->text, e->actual);
    }
    if (r->step_failed) fprintf(f, "%s:%d: step failed: %s\n", r->scenario, r->fail_line, r->fail_why);
}

void reportPrintVerdict(const runResult *r, FILE *f) {
    char why[640], t[CLOCK_BUFSZ];
    /* A run stopped part way (--until) has not ended: say where it stopped. */
    const char *when = r->finished ? "ended at" : "stopped at";
    if (resultIsEmpty(r))
        fprintf(f, "verdict: NONE (no expectations; seed %llu; %s %s)\n", (unsigned long long)r->seed, when,
                clockFormat(r->end, t));
    else if (r->verdict == MS_OK)
        fprintf(f, "verdict: PASS (%zu expectation%s held; seed %llu; %s %s)\n", r->nexpects,
                r->nexpects == 1 ? "" : "s", (unsigned long long)r->seed, when, clockFormat(r->end, t));
    else
        fprintf(f, "verdict: FAIL (%s; seed %llu; %s %s)\n", reportFailure(r, why, sizeof why),
                (unsigned long long)r->seed, when, clockFormat(r->end, t));
}
