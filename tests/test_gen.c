/*
** Tests of the explorer's scenario generator (sim/run/gen.c): the same seed
** gives the same text byte for byte; every scenario of thousands of seeds,
** for every procedure, is within the documented bounds and parses; the
** procedures share the world and differ only in their own steps; user sets
** are written as ranges; the story ends with the pinned last run over every
** user, `wait done`, `wait converged` and the chosen invariants'
** expectations; a value out of bounds or a buffer too small is refused.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run/checker.h"
#include "run/gen.h"
#include "scenario/scenario.h"

#define ALL_CHECKS ((1u << CHK__COUNT) - 1)
#define NSEEDS 3000

static size_t render(const genScn *g, char *buf) {
    size_t len = 0;
    assert_int_equal(genRender(g, NULL, buf, GEN_TEXT_MAX, &len), MS_OK);
    assert_int_equal(strlen(buf), len);
    return len;
}

static void testSameSeedSameText(void **state) {
    (void)state;
    static char a[GEN_TEXT_MAX], b[GEN_TEXT_MAX];
    for (uint64_t seed = 1; seed <= 200; seed++) {
        genScn g1, g2;
        genGenerate(seed, PROC_KB, "builtin:wizard2003", ALL_CHECKS, &g1);
        genGenerate(seed, PROC_KB, "builtin:wizard2003", ALL_CHECKS, &g2);
        size_t n1 = render(&g1, a), n2 = render(&g2, b);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
    }
}

static void testSeedsDiffer(void **state) {
    (void)state;
    static char a[GEN_TEXT_MAX], b[GEN_TEXT_MAX];
    int same = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        genScn g1, g2;
        genGenerate(seed, PROC_KB, NULL, ALL_CHECKS, &g1);
        genGenerate(seed + 1000, PROC_KB, NULL, ALL_CHECKS, &g2);
        render(&g1, a);
        render(&g2, b);
        /* The `seed` line differs anyway: compare what follows it. */
        same += strcmp(strchr(a, '\n'), strchr(b, '\n')) == 0;
    }
    assert_true(same < 5);
}

static int popcount(uint32_t m) {
    int n = 0;
    for (; m; m &= m - 1) n++;
    return n;
}

static void checkBounds(const genScn *g) {
    assert_true(g->ad == 2000 || g->ad == 2003);
    assert_in_range(g->nsites, 1, 3);
    assert_in_range(g->ndcs, 2, 10);
    assert_in_range(g->nusers, 1, 20);
    assert_in_range(g->nsteps, 1, GEN_MAX_STEPS);
    int has[GEN_MAX_SITES] = {0};
    for (int d = 0; d < g->ndcs; d++) has[g->dc_site[d]] = 1;
    for (int s = 0; s < g->nsites; s++) assert_true(has[s]);
    int pinned = 0, last_migrate = -1, failed = 0;
    for (int i = 0; i < g->nsteps; i++) {
        const genStep *s = &g->steps[i];
        if (s->kind == GS_MIGRATE) last_migrate = i;
        pinned += s->pinned;
        if (s->kind == GS_FAIL_DC || s->kind == GS_FAIL_LINK) failed++;
        if (s->kind == GS_RESTORE_DC || s->kind == GS_RESTORE_LINK) failed--;
        assert_in_range(failed, 0, 1 + GEN_MAX_SITES);
        if (s->kind == GS_WAIT_CONVERGED) assert_int_equal(failed, 0);
        if (s->kind == GS_CANCEL_MAILBOXES) assert_in_range(s->n, 0, g->nusers - 1);
        if (s->kind == GS_CANCEL_ITEMS) assert_in_range(s->n, 0, g->items_lo - 1);
    }
    /* Every failure is restored by the end; the last run is over every user and pinned. */
    assert_int_equal(failed, 0);
    assert_int_equal(pinned, 1);
    assert_true(last_migrate >= 0);
    assert_true(g->steps[last_migrate].pinned);
    assert_int_equal(popcount(g->steps[last_migrate].users), g->nusers);
}

static void testBoundsAndParses(void **state) {
    (void)state;
    static char text[GEN_TEXT_MAX];
    const char *specs[] = {"builtin:wizard2003", "builtin:refuse-initialized", "builtin:wait-then-rerun",
                           "builtin:resume"};
    for (int p = 0; p < 4; p++) {
        for (uint64_t seed = 0; seed < NSEEDS; seed++) {
            genScn g;
            genGenerate(seed, genProcedureOf(specs[p]), specs[p], ALL_CHECKS, &g);
            checkBounds(&g);
            size_t len = render(&g, text);
            scenario sc;
            scnError e;
            msStatus st = scnParse("gen.scn", text, len, &sc, &e);
            if (st != MS_OK) {
                char line[600];
                scnErrorFormat(&e, line, sizeof line);
                fail_msg("seed %llu: %s\n%s", (unsigned long long)seed, line, text);
            }
            assert_int_equal(sc.seed, seed);
            assert_int_equal(sc.ndcs, (size_t)g.ndcs);
            assert_int_equal(sc.nsites, (size_t)g.nsites);
            assert_int_equal(sc.nusers, (uint32_t)g.nusers);
            scnFree(&sc);
        }
    }
}

/* The world lines (everything before the first step) of seed under each procedure are the same. */
static void testProceduresShareTheWorld(void **state) {
    (void)state;
    static char a[GEN_TEXT_MAX], b[GEN_TEXT_MAX];
    for (uint64_t seed = 1; seed <= 300; seed++) {
        genScn g1, g2;
        genGenerate(seed, PROC_KB, NULL, 0, &g1);
        genGenerate(seed, PROC_RESUME, NULL, 0, &g2);
        render(&g1, a);
        render(&g2, b);
        char *e1 = strstr(a, "\n\n"), *e2 = strstr(b, "\n\n");
        assert_non_null(e1);
        assert_non_null(e2);
        assert_int_equal(e1 - a, e2 - b);
        assert_memory_equal(a, b, (size_t)(e1 - a));
        /* The first run and its cancel are the script's, not the procedure's. */
        assert_int_equal(g1.steps[0].kind, g2.steps[0].kind);
        assert_int_equal(g1.steps[0].users, g2.steps[0].users);
    }
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

static void testUsersAsRanges(void **state) {
    (void)state;
    static char text[GEN_TEXT_MAX];
    genScn g = small();
    g.steps[0] = (genStep){GS_MIGRATE, 0x3f, -1, 0, 0, 0, 1};
    g.steps[1] = (genStep){GS_DELIVER, 0x17, -1, 0, 2, 0, 0};    /* users 1-3 and 5 */
    g.steps[2] = (genStep){GS_LOGON, 0x20, -1, 0, 0, 0, 0};      /* user 6 */
    g.steps[3] = (genStep){GS_CLEANUP, 0x3f, -1, 0, 0, 0, 0};
    g.steps[4] = (genStep){GS_WAIT, 0, -1, 0, 0, 90 * 1000, 0};
    g.nsteps = 5;
    g.invariants = 1u << CHK_NO_MERGED | 1u << CHK_NO_STRANDED;
    render(&g, text);
    assert_non_null(strstr(text, "\nmigrate all\n"));
    assert_non_null(strstr(text, "\ndeliver user1..user3,user5 count=2\n"));
    assert_non_null(strstr(text, "\nlogon user6\n"));
    assert_non_null(strstr(text, "\ncleanup\n"));
    assert_non_null(strstr(text, "\nwait 1m30s\n"));
    /* The end of every story, then the chosen invariants in the table's order. */
    const char *tail = "wait done\nwait converged\nexpect all not merged\nexpect stranded=0\n";
    assert_string_equal(text + strlen(text) - strlen(tail), tail);
}

static void testRefusesOutOfBounds(void **state) {
    (void)state;
    static char text[GEN_TEXT_MAX];
    size_t len = 99;
    genScn g = small();
    g.steps[0] = (genStep){GS_LOGON, 1u << 6, -1, 0, 0, 0, 0};   /* user 7 of 6 */
    g.nsteps = 1;
    assert_int_equal(genRender(&g, NULL, text, sizeof text, &len), MS_INPUT);
    assert_int_equal(len, 0);
    g = small();
    g.dc_site[1] = 1;   /* a DC in a site that does not exist */
    assert_int_equal(genRender(&g, NULL, text, sizeof text, &len), MS_INPUT);
    g = small();
    g.admin_dc = 2;
    assert_int_equal(genRender(&g, NULL, text, sizeof text, &len), MS_INPUT);
    g = small();
    assert_int_equal(genRender(&g, NULL, text, 40, &len), MS_RANGE);
    assert_int_equal(genRender(&g, "a comment", text, sizeof text, &len), MS_OK);
    assert_int_equal(strncmp(text, "# a comment\nseed 7\n", 19), 0);
}

static void testMigratorOnTheWizardLine(void **state) {
    (void)state;
    static char text[GEN_TEXT_MAX];
    genScn g;
    genGenerate(3, PROC_KB, "builtin:refuse-initialized", 0, &g);
    render(&g, text);
    assert_non_null(strstr(text, " migrator=refuse-initialized\n"));
    genGenerate(3, PROC_KB, "exec:python3 x.py", 0, &g);   /* given with --migrator, not in the text */
    render(&g, text);
    assert_null(strstr(text, "migrator="));
    assert_int_equal(genProcedureOf("builtin:wait-then-rerun"), PROC_SELF_WAIT);
    assert_int_equal(genProcedureOf("resume"), PROC_RESUME);
    assert_int_equal(genProcedureOf("builtin:wizard2003"), PROC_KB);
    assert_int_equal(genProcedureOf("plugin:./x.so"), PROC_KB);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testSameSeedSameText),
        cmocka_unit_test(testSeedsDiffer),
        cmocka_unit_test(testBoundsAndParses),
        cmocka_unit_test(testProceduresShareTheWorld),
        cmocka_unit_test(testUsersAsRanges),
        cmocka_unit_test(testRefusesOutOfBounds),
        cmocka_unit_test(testMigratorOnTheWizardLine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
