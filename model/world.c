/*
** The world of one run: the directory and the Exchange side, and the glue
** between the runner's statements and the modules that carry them out.
**
** Outcome expectations are judged only on a converged directory (semantics.md,
** "Outcomes"): on any other it is impossible to say which DC's view is the
** truth, so such an expectation fails and says the scenario needs
** `wait converged` first.  A converged directory reads the same on every
** non-failed DC; the world reads the first one.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "world.h"

msStatus worldBuild(sim *s) {
    world *w = calloc(1, sizeof *w);
    if (!w) return MS_NOMEM;
    s->world = w;
    msStatus st = dirBuild(s, &w->dir);
    if (st != MS_OK) return st;
    return exBuild(s, w->dir, &w->ex);
}

void worldFree(sim *s) {
    world *w = s->world;
    if (!w) return;
    exFree(w->ex);
    dirFree(w->dir);
    free(w);
    s->world = NULL;
}

/* The first DC that is not failed, or -1. */
static int firstLiveDc(const directory *d) {
    for (int i = 0; i < dirDcCount(d); i++)
        if (!dirDcFailed(d, i)) return i;
    return -1;
}

static msStatus failOrRestore(sim *s, const stmt *st, int fail) {
    directory *d = s->world->dir;
    if (st->u.fail.link) {
        int a = st->u.fail.a.index, b = st->u.fail.b.index;
        return fail ? dirFailLink(d, a, b) : dirRestoreLink(d, a, b);
    }
    int dc = st->u.fail.dc.index;
    return fail ? dirFailDc(d, dc) : dirRestoreDc(d, dc);
}

msStatus worldStep(sim *s, const stmt *st, int *block) {
    world *w = s->world;
    *block = 0;
    switch (st->kind) {
    case ST_MIGRATE:
        return exMigrate(w->ex, &st->u.migrate.users, st->u.migrate.dc.index);
    case ST_CANCEL: {
        msStatus rc = exCancel(w->ex, st->u.cancel.when, st->u.cancel.n);
        *block = rc == MS_OK && st->u.cancel.when != CANCEL_NOW;
        return rc;
    }
    case ST_DELIVER:
        return exDeliver(w->ex, &st->u.deliver.users, st->u.deliver.count);
    case ST_LOGON:
        return exLogon(w->ex, &st->u.logon.users);
    case ST_CLEANUP:
        return exCleanup(w->ex, &st->u.cleanup.users);
    case ST_DELETE:
        return exDelete(w->ex, &st->u.del.users);
    case ST_SYNC: {
        msStatus rc = dirSyncStart(w->dir, st->u.sync.dc.index);
        *block = rc == MS_OK;
        return rc;
    }
    case ST_WAIT:
        if (st->u.wait.mode == WAIT_CONVERGED &&
            __builtin_add_overflow(s->now, s->p.converge_timeout, &s->block_deadline))
            s->block_deadline = SIMTIME_MAX;
        *block = st->u.wait.mode != WAIT_DURATION;
        return MS_OK;
    case ST_FAIL:
        return failOrRestore(s, st, 1);
    case ST_RESTORE:
        return failOrRestore(s, st, 0);
    default:
        snprintf(s->err, sizeof s->err, "'%s' is not a step", stmtKeyword(st->kind));
        return MS_INPUT;
    }
}

static int convergedOrExplain(sim *s, int idle) {
    directory *d = s->world->dir;
    if (dirConverged(d)) return 1;
    if (!idle) return 0;
    char diff[256], dur[CLOCK_BUFSZ];
    dirDescribeDivergence(d, diff, sizeof diff);
    snprintf(s->err, sizeof s->err, "the directory did not converge within %s: %s",
             durationFormat(s->now - s->blocked_since, dur), diff);
    return -1;
}

int worldReady(sim *s, const stmt *st, int idle) {
    world *w = s->world;
    switch (st->kind) {
    case ST_CANCEL:
        return exCancelSettled(w->ex);
    case ST_SYNC:
        return dirSyncDone(w->dir) ? 1 : 0;
    case ST_WAIT:
        if (st->u.wait.mode == WAIT_CONVERGED) return convergedOrExplain(s, idle);
        if (st->u.wait.mode == WAIT_DONE) return exRunActive(w->ex) ? 0 : 1;
        return 1;
    default:
        return 1;
    }
}

/* Append to buf (of size sz, holding a string) as snprintf would, never overflowing. */
static void appendf(char *buf, size_t sz, const char *fmt, const char *a, const char *b) {
    size_t len = strlen(buf);
    if (len + 1 >= sz) return;
    snprintf(buf + len, sz - len, fmt, a, b);
}

static void describeVerdict(const userVerdict *v, unsigned shown, char *buf, size_t sz) {
    size_t len = (size_t)snprintf(buf, sz, "%s", outcomeName(v->out));
    for (int c = 0; c < CTR__COUNT && len < sz; c++)
        if (shown & (1u << c))
            len += (size_t)snprintf(buf + len, sz - len, " %s=%lld", counterName(c),
                                    (long long)v->counters[c]);
}

static int verdictMatches(const stmt *st, const userVerdict *v) {
    if (v->out != st->u.expect.out) return 0;
    for (int c = 0; c < CTR__COUNT; c++)
        if ((st->u.expect.has & (1u << c)) && v->counters[c] != st->u.expect.counters[c]) return 0;
    return 1;
}

static msStatus expectOutcomes(sim *s, const stmt *st, int dc, int *passed, char *actual, size_t sz) {
    const scenario *sc = s->scn;
    unsigned shown = st->u.expect.has ? st->u.expect.has : (1u << CTR__COUNT) - 1;
    int all_ok = 1;
    actual[0] = '\0';
    for (uint32_t u = 1; u <= sc->nusers; u++) {
        if (!usersetHas(&st->u.expect.users, u)) continue;
        userVerdict v;
        memset(&v, 0, sizeof v);
        msStatus rc = exJudge(s->world->ex, dc, u, &v);
        if (rc != MS_OK) return rc;
        int ok = verdictMatches(st, &v);
        if (ok && !all_ok) continue;
        if (!ok && all_ok) actual[0] = '\0';   /* report the failures only */
        all_ok &= ok;
        char name[64], what[256];
        scnUserName(sc, u, name, sizeof name);
        describeVerdict(&v, shown, what, sizeof what);
        appendf(actual, sz, actual[0] ? "; %s %s" : "%s %s", name, what);
    }
    *passed = all_ok;
    return MS_OK;
}

static void expectOnDc(sim *s, const stmt *st, int *passed, char *actual, size_t sz) {
    const scenario *sc = s->scn;
    int dc = st->u.expect.dc.index, lacks = st->u.expect.lacks;
    const char *dcname = dirDcName(s->world->dir, dc);
    *passed = 1;
    actual[0] = '\0';
    for (uint32_t u = 1; u <= sc->nusers; u++) {
        if (!usersetHas(&st->u.expect.users, u)) continue;
        int on = exUserOnDc(s->world->ex, dc, u);
        if (on != lacks) continue;
        char name[64];
        *passed = 0;
        scnUserName(sc, u, name, sizeof name);
        appendf(actual, sz, actual[0] ? "; %s %s" : "%s %s", name,
                on ? "is on the DC" : "is not on the DC");
    }
    if (*passed) snprintf(actual, sz, "as expected on %s", dcname);
}

msStatus worldExpect(sim *s, const stmt *st, int *passed, char *actual, size_t sz) {
    directory *d = s->world->dir;
    *passed = 0;
    switch (st->u.expect.what) {
    case EXPECT_CONVERGED:
        *passed = dirConverged(d);
        if (*passed)
            snprintf(actual, sz, "converged");
        else
            dirDescribeDivergence(d, actual, sz);
        return MS_OK;
    case EXPECT_DC:
        expectOnDc(s, st, passed, actual, sz);
        return MS_OK;
    case EXPECT_STRANDED:
    case EXPECT_OUTCOME:
        break;
    }
    if (!dirConverged(d)) {
        char diff[256];
        dirDescribeDivergence(d, diff, sizeof diff);
        snprintf(actual, sz, "a directory that has not converged (%s): "
                 "outcomes are judged on a converged directory, add `wait converged` first", diff);
        return MS_OK;
    }
    int dc = firstLiveDc(d);
    if (dc < 0) {
        snprintf(actual, sz, "no domain controller that is not failed");
        return MS_OK;
    }
    if (st->u.expect.what == EXPECT_STRANDED) {
        int64_t n = exStranded(s->world->ex, dc);
        *passed = n == st->u.expect.stranded;
        snprintf(actual, sz, "stranded=%lld", (long long)n);
        return MS_OK;
    }
    return expectOutcomes(s, st, dc, passed, actual, sz);
}

msStatus worldOutcomes(sim *s, userVerdict *out, int64_t *stranded, int *judged_dc, int *converged) {
    directory *d = s->world->dir;
    int dc = firstLiveDc(d);
    *judged_dc = dc;
    *converged = dirConverged(d);
    *stranded = dc < 0 ? 0 : exStranded(s->world->ex, dc);
    for (uint32_t u = 1; u <= s->scn->nusers; u++) {
        memset(&out[u - 1], 0, sizeof out[u - 1]);
        out[u - 1].user = u;
        out[u - 1].out = OUT_ABSENT;
        if (dc < 0) continue;   /* no DC to read: no account anywhere */
        msStatus rc = exJudge(s->world->ex, dc, u, &out[u - 1]);
        if (rc != MS_OK) return rc;
        out[u - 1].user = u;
    }
    return MS_OK;
}
