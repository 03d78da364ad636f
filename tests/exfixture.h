/*
** Test fixture for the Exchange side: run a scenario given as text (parsed
** by the real parser, world built by the real directory) with the narrative
** recorded, then look at its trace records (by kind, subjects and fields:
** tracematch.h), the verdicts and the rows of the run's SQL view.  Included by the Exchange test programs only.
*/
#ifndef MIGSIM_EXFIXTURE_H
#define MIGSIM_EXFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exchange/exchangeint.h"
#include "judge/judge.h"
#include "migration/engine.h"
#include "migration/wizard.h"
#include "run/sim.h"
#include "run/world.h"
#include "tracematch.h"

typedef struct exRun {
    scenario sc;
    sim s;
    msStatus verdict;
} exRun;

/* The world most tests use: two DCs in one site, EX1 on DC1, 4 users. */
#define EX_WORLD \
    "seed 3\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\n" \
    "source users=4 items=30 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=10/s\nadmin dc=DC1\n"

/* Parse text, build the world, call prepare (if any) on the built world
** before the first step, then run to the end.  prepare lets a test put in
** the directory what no scenario statement can (an account the wizard does
** not match, say). */
static inline exRun *exRunPrepared(const char *text, void (*prepare)(exRun *r)) {
    exRun *r = calloc(1, sizeof *r);
    scnError err;
    if (!r) return NULL;
    if (scnParse("test.scn", text, strlen(text), &r->sc, &err) != MS_OK) {
        fprintf(stderr, "test.scn:%d:%d: %s\n", err.line, err.col, err.msg);
        free(r);
        return NULL;
    }
    simOptions opt = {0};
    opt.record = 1;
    if (getenv("EX_SHOW")) opt.narrative = stdout;
    if (simInit(&r->s, &r->sc, &opt) != MS_OK) {
        fprintf(stderr, "simInit: %s\n", r->s.k.err);
        return NULL;
    }
    if (prepare) prepare(r);
    r->verdict = simRun(&r->s);
    return r;
}

/* Parse and run text to its end. */
static inline exRun *exRunText(const char *text) {
    return exRunPrepared(text, NULL);
}

static inline void exRunFree(exRun *r) {
    if (!r) return;
    simFree(&r->s);
    scnFree(&r->sc);
    free(r);
}

static inline exchange *exOf(exRun *r) {
    return r->s.world->ex;
}

/* The run's trace records (*n of them). */
static inline const traceRecord *exRecords(const exRun *r, size_t *n) {
    return traceRecords(&r->s.k.tr, n);
}

/* How many records of kind whose user (NULL: any) matches exactly. */
static inline int exKindCount(const exRun *r, traceKind kind, const char *user) {
    int n = 0;
    size_t nr;
    const traceRecord *v = exRecords(r, &nr);
    for (size_t i = 0; i < nr; i++)
        n += v[i].kind == kind && (!user || (v[i].user && strcmp(v[i].user, user) == 0));
    return n;
}

/* The first record of kind for user (NULL: any), or NULL. */
static inline const traceRecord *exFirst(const exRun *r, traceKind kind, const char *user) {
    size_t nr;
    const traceRecord *v = exRecords(r, &nr);
    for (size_t i = 0; i < nr; i++)
        if (v[i].kind == kind && (!user || (v[i].user && strcmp(v[i].user, user) == 0))) return &v[i];
    return NULL;
}

/* The string field key of record e (aborts when it is not there). */
static inline const char *exStr(const traceRecord *e, const char *key) {
    return trStr(e, key);
}

/* exCount, exFind, exAt, exIndex: records matching a kind and key/value
** pairs, NULL-terminated (tracematch.h). */
#define EX_TRACE(r) (&(r)->s.k.tr)
TR_DEFINE_MATCHERS(ex, const exRun *, EX_TRACE)

/* The integer field key of record e (aborts when it is not there). */
static inline int64_t exField(const traceRecord *e, const char *key) {
    return trInt(e, key);
}

/* One integer from a query over the run's SQL view (exSql: the stores and the source as tables). */
static inline int64_t exQuery(exRun *r, const char *sql) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(exSql(exOf(r)), sql, -1, &st, NULL) != SQLITE_OK) return -999;
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* The verdict of user u, judged on DC1 now. */
static inline userVerdict exVerdict(exRun *r, uint32_t u) {
    userVerdict v;
    memset(&v, 0, sizeof v);
    judgeUser(exOf(r), 0, u, &v);
    return v;
}

#endif
