/*
** The shrinker (shrink.h): from a scenario that breaks an invariant to the
** smallest one found that breaks it the same way.
**
** The shape is delta debugging's: a candidate is the current scenario with
** something taken away or made simpler, the caller's predicate says
** whether it still fails, and a candidate that does becomes the current
** scenario.  Steps go first, by ddmin (Zeller and Hildebrandt: try removing
** each of n chunks; on success coarsen, else split finer, down to single
** steps), since a short script makes every later candidate cheaper to run.
** The other passes enumerate their candidates by an index: candidate i of a
** pass is made from the current scenario, or the pass says that index does
** not apply (skip) or that there are no more.  After a kept candidate the
** same index is tried again (a removal shifts the next element into it).
**
** Invariants: the scenario kept is always one the predicate held for; every
** kept candidate is strictly smaller in a well-founded order (steps, users,
** DCs, sites, then waits and values each only ever decrease or become their
** simplest form), so the rounds end even without the budget; the budget
** bounds the predicate calls.
*/
#include <string.h>
#include "kernel/invariant.h"
#include "run/shrink.h"

typedef struct shrinker {
    genScn *cur;
    shrinkPredicate *pred;
    void *ctx;
    int budget;
    shrinkStats *st;
    msStatus err;
} shrinker;

/* Try cand: 1 kept (now current), 0 not kept, -1 stop (budget or error). */
static int try(shrinker *k, const genScn *cand) {
    if (k->st->tries >= k->budget) {
        k->st->exhausted = 1;
        return -1;
    }
    k->st->tries++;
    int holds = 0;
    msStatus rc = k->pred(k->ctx, cand, &holds);
    if (rc != MS_OK) {
        k->err = rc;
        return -1;
    }
    if (!holds) return 0;
    *k->cur = *cand;
    k->st->kept++;
    return 1;
}

/* Remove the steps in [from, from+count) but the pinned ones; returns how many went. */
static int removeUnpinned(genScn *g, int from, int count) {
    int w = from, gone = 0;
    for (int s = from; s < g->nsteps; s++) {
        if (s < from + count && !g->steps[s].pinned) {
            gone++;
            continue;
        }
        g->steps[w++] = g->steps[s];
    }
    g->nsteps -= gone;
    return gone;
}

static void removeSteps(genScn *g, int from, int count) {
    msAssert(from >= 0 && count >= 0 && from + count <= g->nsteps);
    memmove(&g->steps[from], &g->steps[from + count], (size_t)(g->nsteps - from - count) * sizeof g->steps[0]);
    g->nsteps -= count;
}

/* ddmin over the steps; returns 1 when something was removed, -1 to stop. */
static int ddminSteps(shrinker *k) {
    int any = 0, n = 2;
    while (k->cur->nsteps > 0) {
        int len = k->cur->nsteps, chunk = (len + n - 1) / n, reduced = 0;
        for (int start = 0; start < len; start += chunk) {
            genScn cand = *k->cur;
            if (!removeUnpinned(&cand, start, start + chunk <= len ? chunk : len - start)) continue;
            int r = try(k, &cand);
            if (r < 0) return -1;
            if (r) {
                reduced = any = 1;
                n = n > 2 ? n - 1 : 2;
                break;
            }
        }
        if (reduced) continue;
        if (n >= len) break;
        n = n * 2 < len ? n * 2 : len;
    }
    return any;
}

/* Mask m without user u's bit, the users after u moved down by one. */
static uint32_t maskWithout(uint32_t m, int u) {
    uint32_t low = m & ((1u << (u - 1)) - 1);
    uint32_t high = u < 32 ? (m >> u) << (u - 1) : 0;
    return low | high;
}

static int usesUsers(genStepKind k) {
    return k == GS_MIGRATE || k == GS_DELIVER || k == GS_LOGON || k == GS_CLEANUP;
}

/* Pass results: a candidate made, this index does not apply, no more indexes. */
enum { CAND_MADE, CAND_SKIP, CAND_END };

static int dropUser(const genScn *g, int i, genScn *c) {
    if (g->nusers <= 1 || i >= g->nusers) return CAND_END;
    int u = g->nusers - i;
    *c = *g;
    c->nusers--;
    int w = 0;
    for (int s = 0; s < c->nsteps; s++) {
        genStep st = c->steps[s];
        if (usesUsers(st.kind)) {
            st.users = maskWithout(st.users, u);
            if (!st.users) continue;
        }
        if (st.kind == GS_CANCEL_MAILBOXES && st.n >= c->nusers) st.n = c->nusers - 1;
        c->steps[w++] = st;
    }
    c->nsteps = w;
    return CAND_MADE;
}

static void dropLinkSteps(genScn *c) {
    int w = 0;
    for (int s = 0; s < c->nsteps; s++)
        if (c->steps[s].kind != GS_FAIL_LINK && c->steps[s].kind != GS_RESTORE_LINK) c->steps[w++] = c->steps[s];
    c->nsteps = w;
}

static int oneSite(const genScn *g, int i, genScn *c) {
    if (i > 0 || g->nsites == 1) return CAND_END;
    *c = *g;
    c->nsites = 1;
    for (int d = 0; d < c->ndcs; d++) c->dc_site[d] = 0;
    dropLinkSteps(c);
    return CAND_MADE;
}

/* Index of DC x once DC d is gone (d itself: DC1, or DC2 when d is DC1, now DC1). */
static int dcAfter(int x, int d) {
    if (x < 0) return x;
    if (x == d) return 0;
    return x > d ? x - 1 : x;
}

/* Remove site s (no DC left in it): the chain of links closes over it; steps on its links go. */
static void removeSite(genScn *c, int s) {
    int w = 0;
    for (int k = 0; k < c->nsteps; k++) {
        genStep st = c->steps[k];
        if (st.kind == GS_FAIL_LINK || st.kind == GS_RESTORE_LINK) {
            if (st.link == s - 1 || st.link == s) continue;
            if (st.link > s) st.link--;
        }
        c->steps[w++] = st;
    }
    c->nsteps = w;
    for (int l = s; l + 1 < c->nsites - 1; l++) c->link_interval_m[l] = c->link_interval_m[l + 1];
    for (int d = 0; d < c->ndcs; d++)
        if (c->dc_site[d] > s) c->dc_site[d]--;
    c->nsites--;
}

static int dropDc(const genScn *g, int i, genScn *c) {
    if (g->ndcs <= 1 || i >= g->ndcs) return CAND_END;
    int d = g->ndcs - 1 - i, site = g->dc_site[d];
    *c = *g;
    for (int x = d; x + 1 < c->ndcs; x++) c->dc_site[x] = c->dc_site[x + 1];
    c->ndcs--;
    c->server_dc = dcAfter(c->server_dc, d);
    c->wizard_dc = dcAfter(c->wizard_dc, d);
    c->admin_dc = dcAfter(c->admin_dc, d);
    int w = 0;
    for (int s = 0; s < c->nsteps; s++) {
        genStep st = c->steps[s];
        if ((st.kind == GS_FAIL_DC || st.kind == GS_RESTORE_DC) && st.dc == d) continue;
        if (st.kind == GS_MIGRATE && st.dc == d) st.dc = -1;
        st.dc = dcAfter(st.dc, d);
        c->steps[w++] = st;
    }
    c->nsteps = w;
    int left = 0;
    for (int x = 0; x < c->ndcs; x++) left += c->dc_site[x] == site;
    if (!left) removeSite(c, site);
    return CAND_MADE;
}

/* The i-th failure (of a DC or a link) removed with the restore that ends it. */
static int dropFailure(const genScn *g, int i, genScn *c) {
    int s = 0, seen = 0;
    for (; s < g->nsteps; s++)
        if ((g->steps[s].kind == GS_FAIL_DC || g->steps[s].kind == GS_FAIL_LINK) && seen++ == i) break;
    if (s == g->nsteps) return CAND_END;
    const genStep *f = &g->steps[s];
    genStepKind undo = f->kind == GS_FAIL_DC ? GS_RESTORE_DC : GS_RESTORE_LINK;
    *c = *g;
    for (int r = s + 1; r < g->nsteps; r++) {
        const genStep *x = &g->steps[r];
        if (x->kind == undo && (undo == GS_RESTORE_DC ? x->dc == f->dc : x->link == f->link)) {
            removeSteps(c, r, 1);
            break;
        }
    }
    removeSteps(c, s, 1);
    return CAND_MADE;
}

/* The generator's waits, shortest first: a wait is only shortened to one of them. */
static const simtime ladder[] = {
    0, 5 * MS_PER_SECOND, 15 * MS_PER_SECOND, 30 * MS_PER_SECOND, MS_PER_MINUTE, 2 * MS_PER_MINUTE,
    5 * MS_PER_MINUTE, 15 * MS_PER_MINUTE, MS_PER_HOUR, 3 * MS_PER_HOUR,
};
#define NLADDER ((int)(sizeof ladder / sizeof ladder[0]))

static int shortenWait(const genScn *g, int i, genScn *c) {
    int s = i / NLADDER, j = i % NLADDER;
    if (s >= g->nsteps) return CAND_END;
    if (g->steps[s].kind != GS_WAIT || ladder[j] >= g->steps[s].dur) return CAND_SKIP;
    *c = *g;
    c->steps[s].dur = ladder[j];
    return CAND_MADE;
}

/* The world's simpler values, one per index; then four per step. */
static int simplerWorld(const genScn *g, int i, genScn *c) {
    *c = *g;
    switch (i) {
    case 0: if (g->ad == 2003) return CAND_SKIP; c->ad = 2003; return CAND_MADE;
    case 1: if (g->latency_ms < 0) return CAND_SKIP; c->latency_ms = -1; c->jitter_pct = 0; return CAND_MADE;
    case 2: if (g->items_hi == g->items_lo) return CAND_SKIP; c->items_hi = g->items_lo; return CAND_MADE;
    case 3:
        if (g->items_lo <= 1) return CAND_SKIP;
        c->items_lo = g->items_lo / 2;
        c->items_hi = g->items_hi - (g->items_lo - c->items_lo);
        return CAND_MADE;
    case 4: if (g->folders == 1) return CAND_SKIP; c->folders = 1; return CAND_MADE;
    case 5: if (g->rules == 0) return CAND_SKIP; c->rules = 0; return CAND_MADE;
    case 6: if (g->rate == 20) return CAND_SKIP; c->rate = 20; return CAND_MADE;
    case 7: if (g->server_dc == 0) return CAND_SKIP; c->server_dc = 0; return CAND_MADE;
    case 8: if (g->wizard_dc == 0) return CAND_SKIP; c->wizard_dc = 0; return CAND_MADE;
    case 9: if (g->admin_dc == 0) return CAND_SKIP; c->admin_dc = 0; return CAND_MADE;
    default: return CAND_END;
    }
}

#define WORLD_VALUES 10

/* Per step: dc=, count, `all`, cancel at 0, then one field per user to take out of its USERS. */
#define STEP_FIELDS (4 + GEN_MAX_USERS)

static int simplerStep(const genScn *g, int i, genScn *c) {
    if (i < WORLD_VALUES) return simplerWorld(g, i, c);
    int s = (i - WORLD_VALUES) / STEP_FIELDS, f = (i - WORLD_VALUES) % STEP_FIELDS;
    if (s >= g->nsteps) return CAND_END;
    *c = *g;
    genStep *st = &c->steps[s];
    uint32_t all = genAllUsers(g);
    switch (f) {
    case 0:
        if (st->kind != GS_MIGRATE || st->dc < 0) return CAND_SKIP;
        st->dc = -1;
        return CAND_MADE;
    case 1:
        if (st->kind != GS_DELIVER || st->n == 1) return CAND_SKIP;
        st->n = 1;
        return CAND_MADE;
    case 2:
        if ((st->kind != GS_MIGRATE && st->kind != GS_CLEANUP) || st->users == all) return CAND_SKIP;
        st->users = all;
        return CAND_MADE;
    case 3:
        if ((st->kind != GS_CANCEL_MAILBOXES && st->kind != GS_CANCEL_ITEMS) || st->n == 0) return CAND_SKIP;
        st->n = 0;
        return CAND_MADE;
    default: {
        uint32_t bit = 1u << (f - 4);
        /* A delivery or a logon to fewer users; a migrate or a cleanup only once it is not `all`. */
        int fewer = st->kind == GS_DELIVER || st->kind == GS_LOGON ||
                    ((st->kind == GS_MIGRATE || st->kind == GS_CLEANUP) && st->users != all && !st->pinned);
        if (!fewer || !(st->users & bit) || st->users == bit) return CAND_SKIP;
        st->users &= ~bit;
        return CAND_MADE;
    }
    }
}

typedef int candidateFn(const genScn *g, int i, genScn *c);

/* One pass: every index of fn, a kept candidate's index tried again. 1 kept any, 0 none, -1 stop. */
static int pass(shrinker *k, candidateFn *fn) {
    int any = 0;
    for (int i = 0;;) {
        genScn cand;
        int made = fn(k->cur, i, &cand);
        if (made == CAND_END) return any;
        if (made == CAND_SKIP) {
            i++;
            continue;
        }
        int r = try(k, &cand);
        if (r < 0) return -1;
        if (r)
            any = 1;
        else
            i++;
    }
}

msStatus shrinkScenario(genScn *g, shrinkPredicate *pred, void *ctx, int budget, shrinkStats *st) {
    memset(st, 0, sizeof *st);
    shrinker k = {g, pred, ctx, budget, st, MS_OK};
    candidateFn *passes[] = {dropFailure, dropUser, oneSite, dropDc, shortenWait, simplerStep};
    for (int round = 1; round;) {
        round = 0;
        int r = ddminSteps(&k);
        if (r < 0) break;
        round |= r;
        for (size_t p = 0; p < sizeof passes / sizeof passes[0] && r >= 0; p++) {
            r = pass(&k, passes[p]);
            if (r > 0) round = 1;
        }
        if (r < 0) break;
    }
    return k.err;
}
