/*
** The scenario generator (gen.h): a random KB 842101 story within the
** documented bounds, as a genScn value and then as scenario text.
**
** The story has the shape every KB 842101 case has.  A first migration run
** (all users, or some), cancelled (`cancel when mailboxes=K` or `when
** items=N`) or let run; then the world moves on its own and people act:
** waits, mail delivered, users logging on, a DC or a site link failing and
** coming back, a forced sync; then the procedure of the migrator under test
** (genProcedure): a cleanup or not, a wait for replication or a guess at
** one or nothing, and the rerun (`migrate all`, sometimes through another
** DC).  Up to two cancelled runs; the last run goes to its end while a few
** more things may happen.  The script always ends the same way: every
** failed DC and link restored, then (written by genRender, not a step, so
** the shrinker keeps it) `wait done`, `wait converged` and the chosen
** invariants' expectations (run/checker.h), so the outcomes are
** judged on a converged directory as the language requires.
**
** What keeps a generated scenario runnable (the explorer counts the runs
** whose steps still fail, docs/exploring.md gives the figures): a cancel
** condition is drawn below what the run can reach (K below the users the run
** selected, N below the first user's items), at most one DC is failed at a
** time, and `wait converged` is written in the middle of a script only when
** nothing is failed (otherwise a directory split by a failed link or
** bridgehead would sit out `converge.timeout`).
**
** Invariants: every index drawn is inside its table (msAssert), and every
** user mask is a non-empty subset of the users.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kernel/invariant.h"
#include "kernel/prng.h"
#include "run/checker.h"
#include "run/gen.h"

typedef struct genState {
    genScn *g;
    rng world, script, proc;
    int failed_dc;                     /* -1: none */
    int failed_link[GEN_MAX_SITES];
} genState;

/* The waits a script draws from, shortest first (the shrinker walks them down). */
static const simtime waitLadder[] = {
    0, 5 * MS_PER_SECOND, 15 * MS_PER_SECOND, 30 * MS_PER_SECOND, MS_PER_MINUTE, 2 * MS_PER_MINUTE,
    5 * MS_PER_MINUTE, 15 * MS_PER_MINUTE, MS_PER_HOUR, 3 * MS_PER_HOUR,
};
#define NLADDER (sizeof waitLadder / sizeof waitLadder[0])

uint32_t genAllUsers(const genScn *g) {
    return g->nusers >= 32 ? 0xffffffffu : (1u << g->nusers) - 1;
}

genProcedure genProcedureOf(const char *name) {
    if (!name) return PROC_KB;
    if (strncmp(name, "builtin:", 8) == 0) name += 8;
    if (strcmp(name, "wait-then-rerun") == 0) return PROC_SELF_WAIT;
    if (strcmp(name, "resume") == 0) return PROC_RESUME;
    return PROC_KB;
}

/* 1 with probability pct percent. */
static int chance(rng *r, int pct) {
    return (int)rngBelow(r, 100) < pct;
}

static genStep *push(genState *st, genStepKind kind) {
    genScn *g = st->g;
    msAssert(g->nsteps < GEN_MAX_STEPS);
    genStep *s = &g->steps[g->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->dc = -1;
    return s;
}

/* k distinct random users (k at least 1, at most every user) as a mask. */
static uint32_t someUsers(genState *st, rng *r, int k) {
    int n = st->g->nusers;
    if (k > n) k = n;
    uint32_t m = 0;
    for (int got = 0; got < k;) {
        uint32_t bit = 1u << rngBelow(r, (uint64_t)n);
        if (m & bit) continue;
        m |= bit;
        got++;
    }
    msAssert(m && (m & ~genAllUsers(st->g)) == 0);
    return m;
}

static int popcount(uint32_t m) {
    int n = 0;
    for (; m; m &= m - 1) n++;
    return n;
}

static void drawWorld(genState *st) {
    genScn *g = st->g;
    rng *r = &st->world;
    g->ad = chance(r, 33) ? 2000 : 2003;
    uint64_t s = rngBelow(r, 10);
    g->nsites = s < 5 ? 1 : s < 8 ? 2 : 3;
    static const int intervals[] = {15, 60, 180};
    for (int i = 0; i + 1 < g->nsites; i++) g->link_interval_m[i] = intervals[rngBelow(r, 3)];
    g->ndcs = (int)rngBetween(r, GEN_MIN_DCS, GEN_MAX_DCS);
    if (g->ndcs < g->nsites) g->ndcs = g->nsites;
    for (int d = 0; d < g->ndcs; d++) g->dc_site[d] = d < g->nsites ? d : (int)rngBelow(r, (uint64_t)g->nsites);
    g->server_dc = (int)rngBelow(r, (uint64_t)g->ndcs);
    g->wizard_dc = chance(r, 50) ? g->server_dc : (int)rngBelow(r, (uint64_t)g->ndcs);
    g->admin_dc = (int)rngBelow(r, (uint64_t)g->ndcs);
    static const int latencies[] = {0, 1000, 5000, 30000}, jitters[] = {0, 20, 50};
    g->latency_ms = -1;
    g->jitter_pct = 0;
    if (chance(r, 30)) {
        g->latency_ms = latencies[rngBelow(r, 4)];
        g->jitter_pct = jitters[rngBelow(r, 3)];
    }
    g->nusers = (int)rngBetween(r, 1, GEN_MAX_USERS);
    g->items_lo = (int)rngBetween(r, 5, 40);
    g->items_hi = g->items_lo + (int)rngBetween(r, 0, 20);
    g->folders = (int)rngBetween(r, 1, 3);
    g->rules = (int)rngBetween(r, 0, 2);
    static const int rates[] = {5, 20, 100};
    g->rate = rates[rngBelow(r, 3)];
}

static simtime drawWait(rng *r) {
    return waitLadder[rngBelow(r, NLADDER)];
}

static int anyFailed(const genState *st) {
    if (st->failed_dc >= 0) return 1;
    for (int i = 0; i + 1 < st->g->nsites; i++)
        if (st->failed_link[i]) return 1;
    return 0;
}

/* One thing that happens while nobody migrates, or while a run goes on. */
static void disturb(genState *st) {
    genScn *g = st->g;
    rng *r = &st->script;
    uint64_t k = rngBelow(r, 100);
    if (k < 30) {
        push(st, GS_WAIT)->dur = drawWait(r);
    } else if (k < 55) {
        genStep *s = push(st, GS_DELIVER);
        s->users = someUsers(st, r, (int)rngBetween(r, 1, 3));
        s->n = rngBetween(r, 1, 3);
    } else if (k < 75) {
        push(st, GS_LOGON)->users = someUsers(st, r, (int)rngBetween(r, 1, 2));
    } else if (k < 85 || (k < 90 && g->nsites == 1)) {
        if (st->failed_dc >= 0) {
            push(st, GS_RESTORE_DC)->dc = st->failed_dc;
            st->failed_dc = -1;
        } else {
            st->failed_dc = (int)rngBelow(r, (uint64_t)g->ndcs);
            push(st, GS_FAIL_DC)->dc = st->failed_dc;
        }
    } else if (k < 90) {
        int l = (int)rngBelow(r, (uint64_t)(g->nsites - 1));
        push(st, st->failed_link[l] ? GS_RESTORE_LINK : GS_FAIL_LINK)->link = l;
        st->failed_link[l] = !st->failed_link[l];
    } else {
        push(st, GS_SYNC);
    }
}

static void cancelRun(genState *st, int selected, int first) {
    rng *r = &st->script;
    /* items=N only in the first run: a rerun may copy fewer items than any N (it skips clones). */
    if (first && chance(r, 40)) {
        push(st, GS_CANCEL_ITEMS)->n = rngBetween(r, 0, st->g->items_lo - 1);
        return;
    }
    push(st, GS_CANCEL_MAILBOXES)->n = rngBetween(r, 0, selected - 1);
}

/* The migrator's procedure before a rerun: cleanup or not, then a wait. */
static void procedure(genState *st, genProcedure proc) {
    rng *r = &st->proc;
    static const int pCleanup[] = {[PROC_KB] = 70, [PROC_SELF_WAIT] = 70, [PROC_RESUME] = 30};
    /* Percent of the wait after a cleanup: for `wait converged`, then a duration; the rest none. */
    static const int pConverged[] = {[PROC_KB] = 50, [PROC_SELF_WAIT] = 15, [PROC_RESUME] = 20};
    static const int pDuration[] = {[PROC_KB] = 30, [PROC_SELF_WAIT] = 25, [PROC_RESUME] = 30};
    int cleanup = chance(r, pCleanup[proc]);
    if (cleanup) {
        genStep *s = push(st, GS_CLEANUP);
        s->users = chance(r, 80) ? genAllUsers(st->g) : someUsers(st, r, (int)rngBetween(r, 1, st->g->nusers));
    }
    uint64_t w = rngBelow(r, 100);
    simtime dur = drawWait(r);
    if (!cleanup) w = 100;   /* a plain rerun: no wait of the procedure's own */
    if (w < (uint64_t)pConverged[proc])
        push(st, anyFailed(st) ? GS_WAIT : GS_WAIT_CONVERGED)->dur = waitLadder[NLADDER - 1];
    else if (w < (uint64_t)(pConverged[proc] + pDuration[proc]))
        push(st, GS_WAIT)->dur = dur;
    genStep *m = push(st, GS_MIGRATE);
    m->users = genAllUsers(st->g);
    if (chance(r, 25)) m->dc = (int)rngBelow(r, (uint64_t)st->g->ndcs);
}

static void drawScript(genState *st, genProcedure proc) {
    genScn *g = st->g;
    rng *r = &st->script;
    genStep *m = push(st, GS_MIGRATE);
    m->users = chance(r, 70) ? genAllUsers(g) : someUsers(st, r, (int)rngBetween(r, 1, g->nusers));
    if (chance(r, 20)) m->dc = (int)rngBelow(r, (uint64_t)g->ndcs);
    uint64_t c = rngBelow(r, 10);
    int ncancel = c < 1 ? 0 : c < 7 ? 1 : 2;
    int selected = popcount(m->users);
    for (int i = 0; i < ncancel; i++) {
        cancelRun(st, selected, i == 0);
        int nd = (int)rngBetween(r, 0, 4);
        for (int d = 0; d < nd; d++) disturb(st);
        procedure(st, proc);
        selected = g->nusers;
    }
    if (ncancel == 0 && m->users != genAllUsers(g)) {
        /* Some users first, then everyone: the story ends with a run over all. */
        push(st, GS_WAIT_DONE);
        push(st, GS_MIGRATE)->users = genAllUsers(g);
    }
    /* "Nothing missing at the end" is a promise about the last run over every
    ** user: pinned, so no shrinking turns a lost item into a run never made. */
    for (int i = g->nsteps - 1; i >= 0; i--)
        if (g->steps[i].kind == GS_MIGRATE) {
            msAssert(g->steps[i].users == genAllUsers(g));
            g->steps[i].pinned = 1;
            break;
        }
    int during = (int)rngBetween(r, 0, 2);
    for (int d = 0; d < during; d++) disturb(st);
    if (st->failed_dc >= 0) push(st, GS_RESTORE_DC)->dc = st->failed_dc;
    for (int l = 0; l + 1 < g->nsites; l++)
        if (st->failed_link[l]) push(st, GS_RESTORE_LINK)->link = l;
}

void genGenerate(uint64_t seed, genProcedure proc, const char *spec, unsigned invariants, genScn *g) {
    genState st;
    memset(g, 0, sizeof *g);
    memset(&st, 0, sizeof st);
    st.g = g;
    st.failed_dc = -1;
    rngSeed(&st.world, seed, RNG_GEN_WORLD);
    rngSeed(&st.script, seed, RNG_GEN_SCRIPT);
    rngSeed(&st.proc, seed, RNG_GEN_PROC);
    g->seed = seed;
    g->invariants = invariants;
    /* A built-in is named on the wizard line; exec: and plugin: are given with --migrator. */
    if (spec && strncmp(spec, "builtin:", 8) == 0) spec += 8;
    if (spec && !strchr(spec, ':')) snprintf(g->migrator, sizeof g->migrator, "%s", spec);
    drawWorld(&st);
    drawScript(&st, proc);
}

/* ---- rendering ---- */

typedef struct textBuf {
    char *p;
    size_t len, cap;
    int overflow;
} textBuf;

static void put(textBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(textBuf *b, const char *fmt, ...) {
    if (b->overflow) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->cap - b->len) {
        b->overflow = 1;
        b->p[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

/* USERS for mask m: `all`, or names and ranges ("user1..user3,user5"). */
static void putUsers(textBuf *b, const genScn *g, uint32_t m) {
    if (m == genAllUsers(g)) {
        put(b, "all");
        return;
    }
    int first = 1;
    for (int u = 1; u <= g->nusers; u++) {
        if (!(m & (1u << (u - 1)))) continue;
        int v = u;
        while (v < g->nusers && (m & (1u << v))) v++;
        put(b, "%suser%d", first ? "" : ",", u);
        if (v > u) put(b, "..user%d", v);
        first = 0;
        u = v;
    }
}

static int validUsers(const genScn *g, uint32_t m) {
    return m != 0 && (m & ~genAllUsers(g)) == 0;
}

static int validDc(const genScn *g, int d) {
    return d >= 0 && d < g->ndcs;
}

static int validStep(const genScn *g, const genStep *s) {
    switch (s->kind) {
    case GS_MIGRATE: return validUsers(g, s->users) && (s->dc == -1 || validDc(g, s->dc));
    case GS_DELIVER: return validUsers(g, s->users) && s->n >= 1;
    case GS_LOGON:
    case GS_CLEANUP: return validUsers(g, s->users);
    case GS_FAIL_DC:
    case GS_RESTORE_DC: return validDc(g, s->dc);
    case GS_FAIL_LINK:
    case GS_RESTORE_LINK: return s->link >= 0 && s->link + 1 < g->nsites;
    case GS_CANCEL_MAILBOXES:
    case GS_CANCEL_ITEMS: return s->n >= 0;
    case GS_WAIT: return s->dur >= 0;
    default: return 1;
    }
}

static int validWorld(const genScn *g) {
    if (g->nsites < 1 || g->nsites > GEN_MAX_SITES || g->ndcs < 1 || g->ndcs > GEN_MAX_DCS) return 0;
    if (g->nusers < 1 || g->nusers > GEN_MAX_USERS || g->nsteps < 0 || g->nsteps > GEN_MAX_STEPS) return 0;
    if (!validDc(g, g->server_dc) || !validDc(g, g->wizard_dc) || !validDc(g, g->admin_dc)) return 0;
    if (g->items_lo < 0 || g->items_hi < g->items_lo || g->folders < 1 || g->rules < 0 || g->rate < 1) return 0;
    int has[GEN_MAX_SITES] = {0};
    for (int d = 0; d < g->ndcs; d++) {
        if (g->dc_site[d] < 0 || g->dc_site[d] >= g->nsites) return 0;
        has[g->dc_site[d]] = 1;
    }
    for (int s = 0; s < g->nsites; s++)
        if (!has[s]) return 0;
    for (int i = 0; i < g->nsteps; i++)
        if (!validStep(g, &g->steps[i])) return 0;
    return 1;
}

static void putStep(textBuf *b, const genScn *g, const genStep *s) {
    char dur[CLOCK_BUFSZ];
    switch (s->kind) {
    case GS_MIGRATE:
        put(b, "migrate ");
        putUsers(b, g, s->users);
        if (s->dc >= 0) put(b, " dc=DC%d", s->dc + 1);
        break;
    case GS_CANCEL_MAILBOXES: put(b, "cancel when mailboxes=%lld", (long long)s->n); break;
    case GS_CANCEL_ITEMS: put(b, "cancel when items=%lld", (long long)s->n); break;
    case GS_WAIT: put(b, "wait %s", durationFormat(s->dur, dur)); break;
    case GS_WAIT_DONE: put(b, "wait done"); break;
    case GS_WAIT_CONVERGED: put(b, "wait converged"); break;
    case GS_DELIVER:
        put(b, "deliver ");
        putUsers(b, g, s->users);
        if (s->n != 1) put(b, " count=%lld", (long long)s->n);
        break;
    case GS_LOGON:
        put(b, "logon ");
        putUsers(b, g, s->users);
        break;
    case GS_CLEANUP:
        put(b, "cleanup");
        if (s->users != genAllUsers(g)) {
            put(b, " ");
            putUsers(b, g, s->users);
        }
        break;
    case GS_SYNC: put(b, "sync"); break;
    case GS_FAIL_DC: put(b, "fail dc DC%d", s->dc + 1); break;
    case GS_RESTORE_DC: put(b, "restore dc DC%d", s->dc + 1); break;
    case GS_FAIL_LINK: put(b, "fail link S%d S%d", s->link + 1, s->link + 2); break;
    case GS_RESTORE_LINK: put(b, "restore link S%d S%d", s->link + 1, s->link + 2); break;
    }
    put(b, "\n");
}

static void putWorld(textBuf *b, const genScn *g) {
    put(b, "seed %llu\n", (unsigned long long)g->seed);
    if (g->ad != 2003) put(b, "ad %d\n", g->ad);
    for (int s = 0; s < g->nsites; s++) put(b, "site S%d\n", s + 1);
    for (int l = 0; l + 1 < g->nsites; l++) put(b, "sitelink S%d S%d interval=%dm\n", l + 1, l + 2, g->link_interval_m[l]);
    for (int d = 0; d < g->ndcs; d++)
        put(b, "dc DC%d site=S%d%s\n", d + 1, g->dc_site[d] + 1, d == 0 || d == g->server_dc ? " gc" : "");
    put(b, "server EX1 dc=DC%d\n", g->server_dc + 1);
    put(b, "source users=%d items=%d", g->nusers, g->items_lo);
    if (g->items_hi != g->items_lo) put(b, "..%d", g->items_hi);
    put(b, " folders=%d rules=%d\n", g->folders, g->rules);
    put(b, "wizard server=EX1 dc=DC%d", g->wizard_dc + 1);
    if (g->rate != 20) put(b, " rate=%d/s", g->rate);
    if (g->migrator[0]) put(b, " migrator=%s", g->migrator);
    put(b, "\n");
    if (g->admin_dc != 0) put(b, "admin dc=DC%d\n", g->admin_dc + 1);
    if (g->latency_ms >= 0) {
        char dur[CLOCK_BUFSZ];
        put(b, "latency %s", durationFormat(g->latency_ms, dur));
        if (g->jitter_pct) put(b, " jitter=%d%%", g->jitter_pct);
        put(b, "\n");
    }
}

msStatus genRender(const genScn *g, const char *comment, char *buf, size_t bufsz, size_t *len) {
    *len = 0;
    if (bufsz == 0) return MS_RANGE;
    buf[0] = '\0';
    if (!validWorld(g)) return MS_INPUT;
    textBuf b = {buf, 0, bufsz, 0};
    if (comment) put(&b, "# %s\n", comment);
    putWorld(&b, g);
    put(&b, "\n");
    for (int i = 0; i < g->nsteps; i++) putStep(&b, g, &g->steps[i]);
    /* The end of every story, outside the steps so no shrinking removes it:
    ** outcomes are judged after the last run, on a converged directory. */
    put(&b, "wait done\nwait converged\n");
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(g->invariants & (1u << c))) continue;
        const checker *k = checkerGet(c);
        for (int e = 0; e < CHECKER_MAX_EXPECTS && k->expects[e]; e++) put(&b, "%s\n", k->expects[e]);
    }
    if (b.overflow) return MS_RANGE;
    *len = b.len;
    return MS_OK;
}
