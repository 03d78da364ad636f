/*
** One explored world (explore.h).  The generated scenario goes through the
** same path as a file given to `migsim run`: text, scnParse, simInit,
** simRun, resultCollect; so what the explorer reports is what `migsim run`
** on the written file reports.  A run keeps no narrative and no trace
** records (the explorer reads only the outcomes and the expectations),
** which is what makes runs by the thousand cheap.
**
** Shrinking a migrator's error asks whether a candidate's run stops on an
** error of the same kind: the same message with its numbers set aside
** (exploreSameError), because the numbers are what shrinking changes (the
** users, the DCs, the counts) and the words are what the error is.
**
** Invariant: a checker counts as broken only when its expectation failed
** in the run and the result's outcomes say so too; when the two disagree
** the run is counted apart (exploreVerdict.disagree), never as a
** violation, since a minimal scenario must fail `migsim run` the same way.
*/
#include <stdio.h>
#include <string.h>
#include "kernel/invariant.h"
#include "run/checker.h"
#include "run/explore.h"
#include "run/result.h"
#include "run/sim.h"
#include "scenario/scenario.h"

static void judge(const runResult *r, unsigned invariants, exploreVerdict *v) {
    if (!r->converged) return;   /* outcomes on a directory still changing judge nothing */
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(invariants & (1u << c))) continue;
        int byState = checkerGet(c)->broken(r), byExpect = checkerExpectFailed(c, r);
        if (byState && byExpect)
            v->broken |= 1u << c;
        else if (byState != byExpect)
            v->disagree |= 1u << c;
    }
}

msStatus exploreRunText(const char *file, const char *text, size_t len, const char *spec, unsigned invariants,
                        exploreVerdict *v, char *err, size_t errsz) {
    memset(v, 0, sizeof *v);
    err[0] = '\0';
    scenario sc;
    scnError e;
    msStatus st = scnParse(file, text, len, &sc, &e);
    if (st != MS_OK) {
        if (st == MS_NOMEM)
            snprintf(err, errsz, "out of memory (parsing %s)", file);
        else
            scnErrorFormat(&e, err, errsz);
        return st == MS_NOMEM ? MS_NOMEM : MS_INPUT;
    }
    sim s;
    simOptions opt = {0, 0, NULL, 0, spec, 0};
    st = simInit(&s, &sc, &opt);
    if (st == MS_FAIL) st = MS_INPUT;   /* not set up: an error, not a failed run */
    int built = st == MS_OK;
    if (st == MS_OK) st = simRun(&s);
    runResult r;
    memset(&r, 0, sizeof r);
    if (st == MS_OK || st == MS_FAIL) st = resultCollect(&s, &r);
    if (st == MS_OK) {
        v->step_failed = r.step_failed;
        v->fail_line = r.fail_line;
        snprintf(v->why, sizeof v->why, "%s", r.fail_why ? r.fail_why : "");
        if (!r.step_failed) judge(&r, invariants, v);
    } else if (st == MS_NOMEM) {
        snprintf(err, errsz, "out of memory (%s)", s.k.where[0] ? s.k.where : "running the scenario");
    } else if (built) {
        /* The run stopped on an error of its own (exit 2 for `migsim run`): a finding, not the explorer's failure. */
        v->run_error = 1;
        snprintf(v->why, sizeof v->why, "%s", s.k.err[0] ? s.k.err : msStatusName(st));
        st = MS_OK;
    } else {
        snprintf(err, errsz, "%s: %s", file, s.k.err[0] ? s.k.err : msStatusName(st));
    }
    resultFree(&r);
    simFree(&s);
    scnFree(&sc);
    return st;
}

msStatus exploreRunGen(const genScn *g, const char *spec, exploreVerdict *v, char *err, size_t errsz) {
    char text[GEN_TEXT_MAX];
    size_t len;
    msStatus st = genRender(g, NULL, text, sizeof text, &len);
    if (st != MS_OK) {
        memset(v, 0, sizeof *v);
        snprintf(err, errsz, "explore: a generated scenario does not render (%s)", msStatusName(st));
        return st;
    }
    return exploreRunText("explore.scn", text, len, spec, g->invariants, v, err, errsz);
}

/*
** Run a shrink candidate into *v; *ran is 0 when the shrinker made it out of
** bounds or it no longer parses: such a candidate does not fail the same way.
*/
static msStatus runCandidate(const genScn *g, const char *spec, exploreVerdict *v, char *err, size_t errsz,
                             int *ran) {
    *ran = 0;
    msStatus st = exploreRunGen(g, spec, v, err, errsz);
    if (st == MS_INPUT || st == MS_RANGE) {
        err[0] = '\0';
        return MS_OK;
    }
    *ran = st == MS_OK;
    return st;
}

typedef struct shrinkCtx {
    int c;
    const char *spec;
    char *err;
    size_t errsz;
} shrinkCtx;

static msStatus stillBreaks(void *ctx, const genScn *g, int *holds) {
    shrinkCtx *x = ctx;
    exploreVerdict v;
    int ran;
    *holds = 0;
    msStatus st = runCandidate(g, x->spec, &v, x->err, x->errsz, &ran);
    if (st != MS_OK || !ran) return st;
    *holds = !v.step_failed && (v.broken & (1u << x->c));
    return MS_OK;
}

msStatus exploreShrink(genScn *g, int c, const char *spec, int budget, shrinkStats *st, char *err,
                       size_t errsz) {
    memset(st, 0, sizeof *st);
    err[0] = '\0';
    if (!ALWAYS(checkerGet(c) != NULL)) return MS_INPUT;
    g->invariants = 1u << c;
    shrinkCtx x = {c, spec, err, errsz};
    int holds;
    msStatus rc = stillBreaks(&x, g, &holds);
    if (rc != MS_OK) return rc;
    if (!holds) {
        snprintf(err, errsz, "explore: seed %llu does not break %s", (unsigned long long)g->seed, checkerGet(c)->name);
        return MS_INPUT;
    }
    return shrinkScenario(g, stillBreaks, &x, budget, st);
}

/* explore.h. */
int exploreSameError(const char *a, const char *b) {
    for (;;) {
        int da = *a >= '0' && *a <= '9', db = *b >= '0' && *b <= '9';
        if (da != db) return 0;
        if (da) {
            while (*a >= '0' && *a <= '9') a++;
            while (*b >= '0' && *b <= '9') b++;
            continue;
        }
        if (*a != *b) return 0;
        if (!*a) return 1;
        a++;
        b++;
    }
}

typedef struct errorCtx {
    const char *spec;
    const char *why;         /* the error of the world shrunk from */
    char *last;              /* the error of the last candidate that held: the one kept */
    size_t lastsz;
    char *err;
    size_t errsz;
} errorCtx;

static msStatus stillErrs(void *ctx, const genScn *g, int *holds) {
    errorCtx *x = ctx;
    exploreVerdict v;
    int ran;
    *holds = 0;
    msStatus st = runCandidate(g, x->spec, &v, x->err, x->errsz, &ran);
    if (st != MS_OK || !ran) return st;
    *holds = v.run_error && exploreSameError(v.why, x->why);
    if (*holds) snprintf(x->last, x->lastsz, "%s", v.why);
    return MS_OK;
}

msStatus exploreShrinkError(genScn *g, const char *spec, const char *why, int budget, shrinkStats *st, char *last,
                            size_t lastsz, char *err, size_t errsz) {
    memset(st, 0, sizeof *st);
    err[0] = '\0';
    last[0] = '\0';
    g->invariants = 0;
    errorCtx x = {spec, why, last, lastsz, err, errsz};
    int holds;
    msStatus rc = stillErrs(&x, g, &holds);
    if (rc != MS_OK) return rc;
    if (!holds) {
        snprintf(err, errsz, "explore: seed %llu does not stop on the error '%s'", (unsigned long long)g->seed, why);
        return MS_INPUT;
    }
    return shrinkScenario(g, stillErrs, &x, budget, st);
}
