/*
** The steps of a run: the glue between the scenario's statements and the
** world's parts that carry them out.  This is the one place that knows both
** the scenario (above) and the world (below): it turns the world statements
** into the plain configuration the directory, the Exchange side and the
** wizard are built from, and each step into calls on them.
**
** Outcome expectations are judged only on a converged directory
** (docs/semantics.md, "Outcomes"): on any other it is impossible to say which
** DC's view is the truth, so such an expectation fails and says the scenario
** needs `wait converged` first.  A converged directory reads the same on every
** non-failed DC; the judge reads the first one.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/judge.h"
#include "migration/engine.h"
#include "run/sim.h"
#include "run/world.h"

/* The directory's configuration from the scenario's site, dc and sitelink lines. */
static msStatus dirConfigOf(const scenario *sc, dirConfig *cfg) {
    dirSiteConfig *sites = calloc(sc->nsites + 1, sizeof *sites);
    dirDcConfig *dcs = calloc(sc->ndcs + 1, sizeof *dcs);
    dirLinkConfig *links = calloc(sc->nsitelinks + 1, sizeof *links);
    *cfg = (dirConfig){sites, (int)sc->nsites, dcs, (int)sc->ndcs, links, (int)sc->nsitelinks};
    if (!sites || !dcs || !links) return MS_NOMEM;
    for (size_t i = 0; i < sc->nsites; i++) {
        const stmt *st = &sc->v[sc->sites[i]];
        sites[i] = (dirSiteConfig){st->u.site.name.name, st->u.site.has_schedule, st->u.site.schedule,
                                   st->u.site.bridgehead.index};
    }
    for (size_t i = 0; i < sc->ndcs; i++) {
        const stmt *st = &sc->v[sc->dcs[i]];
        dcs[i] = (dirDcConfig){st->u.dc.name.name, st->u.dc.site.index, st->u.dc.gc};
    }
    for (size_t i = 0; i < sc->nsitelinks; i++) {
        const stmt *st = &sc->v[sc->sitelinks[i]];
        links[i] = (dirLinkConfig){st->u.sitelink.a.index, st->u.sitelink.b.index,
                                   st->u.sitelink.has_interval, st->u.sitelink.has_cost,
                                   st->u.sitelink.interval, st->u.sitelink.cost};
    }
    return MS_OK;
}

static void dirConfigFree(dirConfig *cfg) {
    free((void *)cfg->sites);
    free((void *)cfg->dcs);
    free((void *)cfg->links);
}

/* The Exchange side's configuration from the server, source, admin and wizard lines. */
static msStatus exConfigOf(const scenario *sc, exConfig *cfg) {
    exServerConfig *sv = calloc(sc->nservers + 1, sizeof *sv);
    memset(cfg, 0, sizeof *cfg);
    cfg->servers = sv;
    cfg->nservers = (int)sc->nservers;
    if (!sv) return MS_NOMEM;
    for (size_t i = 0; i < sc->nservers; i++) {
        const stmt *st = &sc->v[sc->servers[i]];
        sv[i] = (exServerConfig){st->u.server.name.name, st->u.server.dc.index, st->u.server.gc.index};
    }
    if (sc->source >= 0) {
        const stmt *st = &sc->v[sc->source];
        cfg->source = (srcConfig){(int64_t)sc->nusers, st->u.source.items_lo, st->u.source.items_hi,
                                  st->u.source.folders, st->u.source.rules, st->u.source.prefix,
                                  st->u.source.names};
    }
    cfg->admin_dc = sc->admin >= 0 ? sc->v[sc->admin].u.admin.dc.index : 0;
    cfg->entry_server = sc->wizard >= 0 ? sc->v[sc->wizard].u.wizard.server.index : 0;
    return MS_OK;
}

static msStatus buildWorld(sim *s, world *w) {
    const scenario *sc = s->scn;
    dirConfig dc;
    exConfig ec;
    msStatus st = dirConfigOf(sc, &dc);
    if (st == MS_OK) st = dirBuild(&s->k, &dc, &w->dir);
    dirConfigFree(&dc);
    if (st != MS_OK) return st;
    st = exConfigOf(sc, &ec);
    if (st == MS_OK) st = exBuild(&s->k, w->dir, &ec, &w->ex);
    free((void *)ec.servers);
    if (st != MS_OK || sc->wizard < 0) return st;
    const stmt *wst = &sc->v[sc->wizard];
    engineConfig wc = {wst->u.wizard.server.index, wst->u.wizard.dc.index,
                       wst->u.wizard.has_rate ? wst->u.wizard.rate : s->k.p.wizard_rate, wst->u.wizard.protect,
                       NULL, "", NULL, s->opt.migrator_timeout_ms};
    const char *spec = s->opt.migrator ? s->opt.migrator : wst->u.wizard.migrator;
    if (s->own) {
        wc.m = s->own;
        wc.options = s->own_options ? s->own_options : "";
    } else if (spec) {
        msStatus rc = migratorResolve(spec, &wc.m, &wc.options, &wc.plugin, s->k.err, sizeof s->k.err);
        if (rc != MS_OK) return rc == MS_NOMEM ? rc : MS_INPUT;
    }
    /* The engine owns the plugin from here on: worldFree's engineClose unloads it. */
    return engineOpen(w->ex, &wc, &w->eng);
}

msStatus worldBuild(sim *s) {
    world *w = calloc(1, sizeof *w);
    if (!w) return MS_NOMEM;
    s->world = w;
    return buildWorld(s, w);
}

void worldFree(sim *s) {
    world *w = s->world;
    if (!w) return;
    engineClose(w->eng);
    free(w->judged);
    free(w->judged_ok);
    exFree(w->ex);
    dirFree(w->dir);
    free(w);
    s->world = NULL;
}

void worldFinish(sim *s) {
    if (s->world) engineFinish(s->world->eng);
}

/*
** The judge's verdict on user as dc reads the world now.  The world changes
** only when an event fires or a step other than `expect` runs, so a verdict judged since then is
** still the verdict: the closing table after a final `expect` costs nothing.
*/
static msStatus judgeNow(sim *s, int dc, uint32_t u, userVerdict *out) {
    world *w = s->world;
    uint32_t n = s->scn->nusers;
    if (!w->judged) {
        w->judged = calloc(n ? n : 1, sizeof *w->judged);
        w->judged_ok = calloc(n ? n : 1, 1);
        if (!w->judged || !w->judged_ok) return MS_NOMEM;
    }
    if (w->judged_events != s->k.events_fired || w->judged_pc != s->world_steps || w->judged_dc != dc) {
        memset(w->judged_ok, 0, n ? n : 1);
        w->judged_events = s->k.events_fired;
        w->judged_pc = s->world_steps;
        w->judged_dc = dc;
    }
    if (!w->judged_ok[u - 1]) {
        msStatus rc = judgeUser(w->ex, dc, u, &w->judged[u - 1]);
        if (rc != MS_OK) return rc;
        w->judged_ok[u - 1] = 1;
    }
    *out = w->judged[u - 1];
    return MS_OK;
}

/* The users of set, ascending, into a new array (*n of them). */
static uint32_t *usersOf(const sim *s, const userset *set, size_t *n) {
    uint32_t *v = malloc((s->scn->nusers ? s->scn->nusers : 1) * sizeof *v);
    *n = 0;
    if (!v) return NULL;
    for (uint32_t u = 1; u <= s->scn->nusers; u++)
        if (usersetHas(set, u)) v[(*n)++] = u;
    return v;
}

typedef msStatus userStepFn(exchange *x, uint32_t user, int64_t arg);

static msStatus deliverOne(exchange *x, uint32_t user, int64_t count) {
    return exDeliver(x, user, count);
}

static msStatus logonOne(exchange *x, uint32_t user, int64_t unused) {
    (void)unused;
    return exLogon(x, user);
}

static msStatus deleteOne(exchange *x, uint32_t user, int64_t unused) {
    (void)unused;
    return exDelete(x, user);
}

static msStatus exportOne(exchange *x, uint32_t user, int64_t unused) {
    (void)unused;
    return exExport(x, user);
}

static msStatus importOne(exchange *x, uint32_t user, int64_t unused) {
    (void)unused;
    return exImport(x, user);
}

/* fn for each user of set, in ascending order; stops at the first failure. */
static msStatus forEachUser(sim *s, const userset *set, userStepFn *fn, int64_t arg) {
    for (uint32_t u = 1; u <= s->scn->nusers; u++) {
        if (!usersetHas(set, u)) continue;
        msStatus rc = fn(s->world->ex, u, arg);
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}

static msStatus migrateStep(sim *s, const stmt *st) {
    size_t n;
    uint32_t *v = usersOf(s, &st->u.migrate.users, &n);
    if (!v) return MS_NOMEM;
    msStatus rc = MS_FAIL;
    if (s->world->eng)
        rc = engineStart(s->world->eng, v, n, st->u.migrate.dc.index);
    else
        snprintf(s->k.err, sizeof s->k.err, "the scenario declares no wizard");
    free(v);
    return rc;
}

/* `cleanup`: delete what the wizard created (all: the users it touched),
** then run every server's Cleanup Agent. */
static msStatus cleanupStep(sim *s, const stmt *st) {
    exchange *x = s->world->ex;
    if (!st->u.cleanup.users.all) {
        msStatus rc = forEachUser(s, &st->u.cleanup.users, deleteOne, 0);
        if (rc != MS_OK) return rc;
        exCleanupAgents(x, "after the cleanup");
        return MS_OK;
    }
    size_t n = engineUsers(s->world->eng, NULL, 0);
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return MS_NOMEM;
    n = engineUsers(s->world->eng, v, n);
    if (n == 0) {
        traceRecord r = traceNew(TR_ADMIN_CLEANUP, "admin");
        kernelEmit(&s->k, &r, "the wizard created no account: nothing to delete");
    }
    for (size_t i = 0; i < n; i++) exDelete(x, v[i]);
    free(v);
    exCleanupAgents(x, "after the cleanup");
    return MS_OK;
}

/* `purge [USERS] [server=NAME]`: no USERS (all) purges every user's and
** unknown users' disconnected mailboxes alike. */
static msStatus purgeStep(sim *s, const stmt *st) {
    exchange *x = s->world->ex;
    int server = st->u.purge.server.index;
    if (st->u.purge.users.all) return exPurge(x, NULL, 0, server);
    size_t n;
    uint32_t *v = usersOf(s, &st->u.purge.users, &n);
    if (!v) return MS_NOMEM;
    msStatus rc = exPurge(x, v, n, server);
    free(v);
    return rc;
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
        return migrateStep(s, st);
    case ST_CANCEL: {
        if (!w->eng) {
            snprintf(s->k.err, sizeof s->k.err, "cancel: the scenario declares no wizard");
            return MS_FAIL;
        }
        msStatus rc = engineCancel(w->eng, st->u.cancel.when, st->u.cancel.n);
        *block = rc == MS_OK && st->u.cancel.when != CANCEL_NOW;
        return rc;
    }
    case ST_DELIVER:
        return forEachUser(s, &st->u.deliver.users, deliverOne, st->u.deliver.count);
    case ST_LOGON:
        return forEachUser(s, &st->u.logon.users, logonOne, 0);
    case ST_CLEANUP:
        return cleanupStep(s, st);
    case ST_DELETE:
        return forEachUser(s, &st->u.del.users, deleteOne, 0);
    case ST_SYNC: {
        msStatus rc = dirSyncStart(w->dir, st->u.sync.dc.index);
        *block = rc == MS_OK;
        return rc;
    }
    case ST_WAIT:
        if (st->u.wait.mode == WAIT_WHEN) {
            if (!w->eng) {
                snprintf(s->k.err, sizeof s->k.err, "wait when: the scenario declares no wizard");
                return MS_FAIL;
            }
            msStatus rc = engineWaitFor(w->eng, st->u.wait.when, st->u.wait.n);
            *block = rc == MS_OK;
            return rc;
        }
        if (st->u.wait.mode == WAIT_CONVERGED &&
            __builtin_add_overflow(s->k.now, s->k.p.converge_timeout, &s->block_deadline))
            s->block_deadline = SIMTIME_MAX;
        *block = st->u.wait.mode != WAIT_DURATION;
        return MS_OK;
    case ST_FAIL:
        return failOrRestore(s, st, 1);
    case ST_RESTORE:
        return failOrRestore(s, st, 0);
    case ST_PURGE:
        return purgeStep(s, st);
    case ST_EXPORT:
        return forEachUser(s, &st->u.rescue.users, exportOne, 0);
    case ST_IMPORT:
        return forEachUser(s, &st->u.rescue.users, importOne, 0);
    default:
        snprintf(s->k.err, sizeof s->k.err, "'%s' is not a step", stmtKeyword(st->kind));
        return MS_INPUT;
    }
}

static int convergedOrExplain(sim *s, int idle) {
    directory *d = s->world->dir;
    if (dirConverged(d)) return 1;
    if (!idle) return 0;
    char diff[256], dur[CLOCK_BUFSZ];
    dirDescribeDivergence(d, diff, sizeof diff);
    snprintf(s->k.err, sizeof s->k.err, "the directory did not converge within %s: %s",
             durationFormat(s->k.now - s->blocked_since, dur), diff);
    return -1;
}

int worldReady(sim *s, const stmt *st, int idle) {
    world *w = s->world;
    switch (st->kind) {
    case ST_CANCEL:
        return engineCancelSettled(w->eng);
    case ST_SYNC:
        return dirSyncDone(w->dir) ? 1 : 0;
    case ST_WAIT:
        if (st->u.wait.mode == WAIT_CONVERGED) return convergedOrExplain(s, idle);
        if (st->u.wait.mode == WAIT_DONE) return engineActive(w->eng) ? 0 : 1;
        if (st->u.wait.mode == WAIT_WHEN) return engineCancelSettled(w->eng);
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
    for (int c = 0; v->counted && c < CTR__COUNT && len < sz; c++)
        if (shown & (1u << c))
            len += (size_t)snprintf(buf + len, sz - len, " %s=%lld", counterName(c),
                                    (long long)v->counters[c]);
}

static int verdictMatches(const stmt *st, const userVerdict *v) {
    if (st->u.expect.negate) return v->out != st->u.expect.out;
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
        msStatus rc = judgeNow(s, dc, u, &v);
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

/* A run still copying explains an unmigrated or partial user (or a directory
** still changing) better than the counters do: say so after what was found. */
static void hintActiveRun(sim *s, char *actual, size_t sz) {
    if (!engineActive(s->world->eng)) return;
    size_t len = strlen(actual);
    if (len + 1 >= sz) return;
    snprintf(actual + len, sz - len, " (migration run %d is still active: add `wait done` before this expect)",
             engineRunNumber(s->world->eng));
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
        hintActiveRun(s, actual, sz);
        return MS_OK;
    }
    int dc = firstLiveDc(d);
    if (dc < 0) {
        snprintf(actual, sz, "no domain controller that is not failed");
        return MS_OK;
    }
    if (st->u.expect.what == EXPECT_STRANDED) {
        int64_t n = judgeStranded(s->world->ex, dc);
        *passed = n == st->u.expect.stranded;
        snprintf(actual, sz, "stranded=%lld", (long long)n);
        return MS_OK;
    }
    msStatus rc = expectOutcomes(s, st, dc, passed, actual, sz);
    if (rc == MS_OK && !*passed) hintActiveRun(s, actual, sz);
    return rc;
}

msStatus worldOutcomes(sim *s, userVerdict *out, int64_t *stranded, int *judged_dc, int *converged) {
    directory *d = s->world->dir;
    int dc = firstLiveDc(d);
    *judged_dc = dc;
    *converged = dirConverged(d);
    *stranded = dc < 0 ? 0 : judgeStranded(s->world->ex, dc);
    /* judgeStranded answers with a count, so a failure inside it is a fault; after the run no
    ** event or step will stop on it: this is where it must not pass for "nothing stranded". */
    if (s->k.fault != MS_OK) return s->k.fault;
    for (uint32_t u = 1; u <= s->scn->nusers; u++) {
        memset(&out[u - 1], 0, sizeof out[u - 1]);
        out[u - 1].user = u;
        out[u - 1].out = OUT_ABSENT;
        if (dc < 0) continue;   /* no DC to read: no account anywhere */
        msStatus rc = judgeNow(s, dc, u, &out[u - 1]);
        if (rc != MS_OK) return rc;
        out[u - 1].user = u;
    }
    return MS_OK;
}
