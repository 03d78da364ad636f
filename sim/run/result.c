/*
** The result of a run (result.h): copied out of the run once, owned alone.
*/
#include <stdlib.h>
#include <string.h>
#include "run/result.h"
#include "run/world.h"

static char *dupOrNull(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static msStatus copyExpects(const sim *s, runResult *r) {
    if (!s->nexpects) return MS_OK;
    r->expects = calloc(s->nexpects, sizeof *r->expects);
    if (!r->expects) return MS_NOMEM;
    for (size_t i = 0; i < s->nexpects; i++) {
        const expectResult *e = &s->expects[i];
        expectResult *c = &r->expects[i];
        *c = *e;
        c->text = dupOrNull(e->text);
        c->actual = dupOrNull(e->actual);
        r->nexpects = i + 1;
        if (!c->text || !c->actual) return MS_NOMEM;
    }
    r->nfailed = s->nfailed;
    return MS_OK;
}

static msStatus copyOutcomes(sim *s, runResult *r) {
    if (!r->nusers) return MS_OK;
    r->verdicts = calloc(r->nusers, sizeof *r->verdicts);
    r->user_names = calloc(r->nusers, sizeof *r->user_names);
    if (!r->verdicts || !r->user_names) return MS_NOMEM;
    for (uint32_t u = 1; u <= r->nusers; u++) {
        char name[128];
        scnUserName(s->scn, u, name, sizeof name);
        if (!(r->user_names[u - 1] = dupOrNull(name))) return MS_NOMEM;
    }
    if (!s->world) return MS_OK;
    int dc = -1;
    msStatus st = worldOutcomes(s, r->verdicts, &r->stranded, &dc, &r->converged);
    if (st != MS_OK) return st;
    if (dc >= 0 && !(r->judged_on = dupOrNull(dirDcName(s->world->dir, dc)))) return MS_NOMEM;
    return MS_OK;
}

msStatus resultCollect(sim *s, runResult *r) {
    memset(r, 0, sizeof *r);
    r->seed = s->k.seed;
    r->end = s->k.now;
    r->finished = s->done;
    r->step_failed = s->step_failed;
    r->fail_line = s->fail_line;
    r->verdict = simVerdict(s);
    r->nusers = s->scn->nusers;
    if (!(r->scenario = dupOrNull(s->scn->file ? s->scn->file : "")) ||
        !(r->fail_why = dupOrNull(s->step_failed ? s->k.err : "")))
        return MS_NOMEM;
    msStatus st = copyExpects(s, r);
    if (st == MS_OK) st = copyOutcomes(s, r);
    if (st == MS_OK) st = traceCopy(&r->tr, &s->k.tr);
    return st;
}

void resultFree(runResult *r) {
    for (size_t i = 0; i < r->nexpects; i++) {
        free(r->expects[i].text);
        free(r->expects[i].actual);
    }
    free(r->expects);
    for (uint32_t u = 0; r->user_names && u < r->nusers; u++) free(r->user_names[u]);
    free(r->user_names);
    free(r->verdicts);
    free(r->scenario);
    free(r->fail_why);
    free(r->judged_on);
    traceFree(&r->tr);
    memset(r, 0, sizeof *r);
}

int resultIsEmpty(const runResult *r) {
    return r->verdict == MS_OK && r->nexpects == 0;
}
