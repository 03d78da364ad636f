/*
** Tests of the explorer's shrinker (sim/run/shrink.c) on synthetic
** predicates, no simulation: a failure that needs a delivery to user 3, a
** logon and two DCs shrinks to exactly that (three users, two DCs, one
** site, the two steps and the pinned run); the result is 1-minimal over its
** steps; shrinking twice gives the same scenario and the same number of
** tries; the budget bounds the tries and still leaves a scenario that
** fails; a predicate's error stops it with that status; the pinned run is
** never removed; a DC's failure goes with its restore.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "run/gen.h"
#include "run/shrink.h"

typedef struct calls {
    int n;
    int error_at;   /* return MS_IO on this call (0: never) */
} calls;

/* Holds when some delivery names user 3, some step is a logon, and there are two DCs or more. */
static msStatus needsDeliverLogon(void *ctx, const genScn *g, int *holds) {
    calls *c = ctx;
    if (++c->n == c->error_at) return MS_IO;
    int deliver3 = 0, logon = 0;
    for (int i = 0; i < g->nsteps; i++) {
        if (g->steps[i].kind == GS_DELIVER && (g->steps[i].users & (1u << 2))) deliver3 = 1;
        if (g->steps[i].kind == GS_LOGON) logon = 1;
    }
    *holds = deliver3 && logon && g->ndcs >= 2;
    return MS_OK;
}

static genScn small(void) {
    genScn g;
    memset(&g, 0, sizeof g);
    g.seed = 7;
    g.ad = 2003;
    g.nsites = 1;
    g.ndcs = 2;
    g.latency_ms = -1;
    g.nusers = 6;
    g.items_lo = g.items_hi = 10;
    g.folders = 1;
    g.rate = 20;
    return g;
}

/* Eight users, five DCs in two sites, a script with noise around the two steps the predicate needs. */
static genScn start(void) {
    genScn g = small();
    g.ad = 2000;
    g.nsites = 2;
    g.link_interval_m[0] = 60;
    g.ndcs = 5;
    int sites[] = {0, 1, 0, 1, 1};
    memcpy(g.dc_site, sites, sizeof sites);
    g.server_dc = 3;
    g.wizard_dc = 4;
    g.admin_dc = 2;
    g.latency_ms = 1000;
    g.jitter_pct = 20;
    g.nusers = 8;
    g.items_lo = 12;
    g.items_hi = 30;
    g.folders = 3;
    g.rules = 2;
    g.rate = 5;
    genStep v[] = {
        {GS_MIGRATE, 0x0f, 2, 0, 0, 0, 0},
        {GS_CANCEL_MAILBOXES, 0, -1, 0, 2, 0, 0},
        {GS_WAIT, 0, -1, 0, 0, 3 * MS_PER_HOUR, 0},
        {GS_FAIL_DC, 0, 3, 0, 0, 0, 0},
        {GS_DELIVER, 0x07, -1, 0, 3, 0, 0},
        {GS_FAIL_LINK, 0, -1, 0, 0, 0, 0},
        {GS_SYNC, 0, -1, 0, 0, 0, 0},
        {GS_LOGON, 0x21, -1, 0, 0, 0, 0},
        {GS_DELIVER, 0xc0, -1, 0, 2, 0, 0},
        {GS_CLEANUP, 0x18, -1, 0, 0, 0, 0},
        {GS_WAIT, 0, -1, 0, 0, 15 * MS_PER_MINUTE, 0},
        {GS_RESTORE_DC, 0, 3, 0, 0, 0, 0},
        {GS_MIGRATE, 0xff, 1, 0, 0, 0, 1},
        {GS_WAIT, 0, -1, 0, 0, 30 * MS_PER_SECOND, 0},
        {GS_RESTORE_LINK, 0, -1, 0, 0, 0, 0},
    };
    g.nsteps = (int)(sizeof v / sizeof v[0]);
    memcpy(g.steps, v, sizeof v);
    return g;
}

static void testShrinksToTheCause(void **state) {
    (void)state;
    genScn g = start();
    calls c = {0, 0};
    int holds = 0;
    assert_int_equal(needsDeliverLogon(&c, &g, &holds), MS_OK);
    assert_true(holds);
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, needsDeliverLogon, &c, SHRINK_BUDGET, &st), MS_OK);
    assert_false(st.exhausted);
    assert_true(st.kept > 0);
    assert_int_equal(c.n - 1, st.tries);
    assert_int_equal(g.nusers, 3);     /* user 3 cannot go, nor the users before it (they renumber it) */
    assert_int_equal(g.ndcs, 2);
    assert_int_equal(g.nsites, 1);
    assert_int_equal(g.latency_ms, -1);
    assert_int_equal(g.items_hi, g.items_lo);
    assert_int_equal(g.folders, 1);
    assert_int_equal(g.rules, 0);
    /* The delivery, the logon and the pinned last run: nothing else. */
    assert_int_equal(g.nsteps, 3);
    int kinds = 0;
    for (int i = 0; i < g.nsteps; i++) {
        const genStep *s = &g.steps[i];
        if (s->kind == GS_DELIVER) {
            assert_int_equal(s->users, 1u << 2);   /* users 1 and 2 dropped from it */
            assert_int_equal(s->n, 1);
            kinds |= 1;
        } else if (s->kind == GS_LOGON) {
            assert_int_equal(s->users & (s->users - 1), 0);   /* one user */
            kinds |= 2;
        } else {
            assert_int_equal(s->kind, GS_MIGRATE);
            assert_true(s->pinned);
            assert_int_equal(s->dc, -1);
            kinds |= 4;
        }
    }
    assert_int_equal(kinds, 7);
}

static void testOneMinimalOverSteps(void **state) {
    (void)state;
    genScn g = start();
    calls c = {0, 0};
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, needsDeliverLogon, &c, SHRINK_BUDGET, &st), MS_OK);
    for (int i = 0; i < g.nsteps; i++) {
        if (g.steps[i].pinned) continue;
        genScn less = g;
        memmove(&less.steps[i], &less.steps[i + 1], (size_t)(less.nsteps - i - 1) * sizeof less.steps[0]);
        less.nsteps--;
        int holds = 1;
        assert_int_equal(needsDeliverLogon(&c, &less, &holds), MS_OK);
        assert_false(holds);
    }
}

static void testDeterministic(void **state) {
    (void)state;
    genScn a = start(), b = start();
    calls ca = {0, 0}, cb = {0, 0};
    shrinkStats sa, sb;
    assert_int_equal(shrinkScenario(&a, needsDeliverLogon, &ca, SHRINK_BUDGET, &sa), MS_OK);
    assert_int_equal(shrinkScenario(&b, needsDeliverLogon, &cb, SHRINK_BUDGET, &sb), MS_OK);
    assert_int_equal(sa.tries, sb.tries);
    assert_int_equal(sa.kept, sb.kept);
    assert_memory_equal(&a, &b, sizeof a);
}

static void testBudgetBounds(void **state) {
    (void)state;
    genScn g = start();
    calls c = {0, 0};
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, needsDeliverLogon, &c, 5, &st), MS_OK);
    assert_int_equal(st.tries, 5);
    assert_int_equal(c.n, 5);
    assert_true(st.exhausted);
    int holds = 0;
    assert_int_equal(needsDeliverLogon(&c, &g, &holds), MS_OK);
    assert_true(holds);
    g = start();
    assert_int_equal(shrinkScenario(&g, needsDeliverLogon, &c, 0, &st), MS_OK);
    assert_int_equal(st.tries, 0);
    genScn orig = start();
    assert_memory_equal(&g, &orig, sizeof g);
}

static void testPredicateErrorStops(void **state) {
    (void)state;
    genScn g = start();
    calls c = {0, 7};
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, needsDeliverLogon, &c, SHRINK_BUDGET, &st), MS_IO);
    assert_int_equal(c.n, 7);
    int holds = 0;
    c.error_at = 0;
    assert_int_equal(needsDeliverLogon(&c, &g, &holds), MS_OK);
    assert_true(holds);   /* what is left is still a failing scenario */
}

/* Holds whenever: everything that can go goes, but the pinned run stays. */
static msStatus always(void *ctx, const genScn *g, int *holds) {
    (void)ctx, (void)g;
    *holds = 1;
    return MS_OK;
}

static void testPinnedRunStays(void **state) {
    (void)state;
    genScn g = start();
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, always, NULL, SHRINK_BUDGET, &st), MS_OK);
    assert_int_equal(g.nsteps, 1);
    assert_int_equal(g.steps[0].kind, GS_MIGRATE);
    assert_true(g.steps[0].pinned);
    assert_int_equal(g.nusers, 1);
    assert_int_equal(g.ndcs, 1);
    assert_int_equal(g.nsites, 1);
}

/* Holds while no DC is failed by a fail step left without its restore, and some logon stays. */
static msStatus pairedFailures(void *ctx, const genScn *g, int *holds) {
    (void)ctx;
    int failed[GEN_MAX_DCS] = {0}, logon = 0;
    *holds = 0;
    for (int i = 0; i < g->nsteps; i++) {
        const genStep *s = &g->steps[i];
        if (s->kind == GS_FAIL_DC && failed[s->dc]++) return MS_OK;
        if (s->kind == GS_RESTORE_DC && !failed[s->dc]--) return MS_OK;
        logon |= s->kind == GS_LOGON;
    }
    for (int d = 0; d < GEN_MAX_DCS; d++)
        if (failed[d]) return MS_OK;
    *holds = logon;
    return MS_OK;
}

static void testFailureGoesWithItsRestore(void **state) {
    (void)state;
    genScn g = small();
    g.steps[0] = (genStep){GS_FAIL_DC, 0, 1, 0, 0, 0, 0};
    g.steps[1] = (genStep){GS_LOGON, 1, -1, 0, 0, 0, 0};
    g.steps[2] = (genStep){GS_WAIT, 0, -1, 0, 0, 5000, 0};
    g.steps[3] = (genStep){GS_RESTORE_DC, 0, 1, 0, 0, 0, 0};
    g.steps[4] = (genStep){GS_MIGRATE, 1, -1, 0, 0, 0, 1};
    g.nsteps = 5;
    shrinkStats st;
    assert_int_equal(shrinkScenario(&g, pairedFailures, NULL, SHRINK_BUDGET, &st), MS_OK);
    assert_int_equal(g.nsteps, 2);
    assert_int_equal(g.steps[0].kind, GS_LOGON);
    assert_int_equal(g.steps[1].kind, GS_MIGRATE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testShrinksToTheCause),
        cmocka_unit_test(testOneMinimalOverSteps),
        cmocka_unit_test(testDeterministic),
        cmocka_unit_test(testBudgetBounds),
        cmocka_unit_test(testPredicateErrorStops),
        cmocka_unit_test(testPinnedRunStays),
        cmocka_unit_test(testFailureGoesWithItsRestore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
