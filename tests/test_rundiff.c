/*
** Tests of two runs compared (sim/out/rundiff.c, sim/cli/diff.c): a run
** against itself is the same; two seeds diverge at a record with both sides
** shown; a scenario that differs only by a comment line (every line number
** shifted) does not diverge; a record differs by a typed part but not by
** its line field or its prose; a --db file reads back as the run it came
** from, so a database and a scenario compare; the outcome table marks a
** differing user; the command's exit statuses (0, 1, 2) and its usage errors.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "clirun.h"
#include "out/rundiff.h"
#include "run/result.h"
#include "run/sim.h"
#include "scenario/scenario.h"

static const char migration[] =
    "seed 1\n"
    "site S\n"
    "dc DC1 site=S gc\n"
    "dc DC2 site=S\n"
    "server EX1 dc=DC1 gc=DC1\n"
    "source users=2 items=5\n"
    "wizard server=EX1 dc=DC1\n"
    "migrate all\n"
    "wait done\n"
    "wait converged\n"
    "expect user1,user2 cloned\n";

/* The same migration, but user2 gets mail before the run: it merges. */
static const char merging[] =
    "seed 1\n"
    "site S\n"
    "dc DC1 site=S gc\n"
    "dc DC2 site=S\n"
    "server EX1 dc=DC1 gc=DC1\n"
    "source users=2 items=5\n"
    "wizard server=EX1 dc=DC1\n"
    "migrate all\n"
    "cancel when mailboxes=1\n"
    "wait 2m\n"
    "deliver user2 count=2\n"
    "migrate all\n"
    "wait done\n"
    "wait converged\n"
    "expect user1,user2 cloned\n";

static int setupDir(void **state) {
    (void)state;
    return tmpdirMake("rundiff");
}

static int teardownDir(void **state) {
    (void)state;
    return tmpdirRemove();
}

/* Run text (seed when has_seed) and read its result into d. */
static void runInto(const char *text, int has_seed, uint64_t seed, diffRun *d) {
    scenario sc;
    scnError e;
    assert_int_equal(scnParse("t.scn", text, strlen(text), &sc, &e), MS_OK);
    sim s;
    simOptions opt = {has_seed, seed, NULL, 1, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    msStatus st = simRun(&s);
    assert_true(st == MS_OK || st == MS_FAIL);
    runResult r;
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    assert_int_equal(diffRunFromResult(&r, "t.scn", d), MS_OK);
    resultFree(&r);
    simFree(&s);
    scnFree(&sc);
}

/* The printed comparison, in a string of its own. */
static char *printed(const diffRun *a, const diffRun *b, const diffSummary *s) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_int_equal(diffPrint(a, b, s, 3, f), 1);
    fclose(f);
    return buf;
}

static void test_same_run_is_same(void **state) {
    (void)state;
    diffRun a, b;
    diffSummary s;
    runInto(migration, 0, 0, &a);
    runInto(migration, 0, 0, &b);
    assert_true(a.nrecs > 10);
    diffCompare(&a, &b, &s);
    assert_false(diffFound(&s));
    assert_int_equal(s.at, a.nrecs);
    char *out = printed(&a, &b, &s);
    assert_non_null(strstr(out, "Trace: identical"));
    assert_non_null(strstr(out, "diff: the runs are the same\n"));
    assert_null(strstr(out, "\n* "));
    free(out);
    diffRunFree(&a);
    diffRunFree(&b);
}

static void test_two_seeds_diverge(void **state) {
    (void)state;
    diffRun a, b;
    diffSummary s;
    runInto(migration, 1, 1, &a);
    runInto(migration, 1, 2, &b);
    diffCompare(&a, &b, &s);
    assert_true(s.diverged);
    assert_true(s.at < a.nrecs && s.at < b.nrecs);
    /* Everything before the divergence is the same, the record there is not. */
    for (size_t i = 0; i < s.at; i++) assert_true(diffRecordSame(&a.recs[i], &b.recs[i]));
    assert_false(diffRecordSame(&a.recs[s.at], &b.recs[s.at]));
    char *out = printed(&a, &b, &s);
    char head[64];
    snprintf(head, sizeof head, "diverge at record %zu ", s.at + 1);
    assert_non_null(strstr(out, head));
    assert_non_null(strstr(out, "\nA  "));
    assert_non_null(strstr(out, "\nB  "));
    assert_non_null(strstr(out, "kind="));
    free(out);
    diffRunFree(&a);
    diffRunFree(&b);
}

static void test_comment_line_does_not_diverge(void **state) {
    (void)state;
    char shifted[sizeof migration + 64];
    snprintf(shifted, sizeof shifted, "# one more line: every step's line number moves\n\n%s", migration);
    diffRun a, b;
    diffSummary s;
    runInto(migration, 0, 0, &a);
    runInto(shifted, 0, 0, &b);
    diffCompare(&a, &b, &s);
    assert_false(diffFound(&s));
    diffRunFree(&a);
    diffRunFree(&b);
}

static void test_record_compared_by_typed_parts(void **state) {
    (void)state;
    diffRecord x = {0}, y = {0};
    x.at = y.at = 1000;
    x.kind = y.kind = "step";
    x.actor = y.actor = "runner";
    x.fields = y.fields = "{}";
    x.text = "migrate all (line 8)";
    y.text = "migrate all (line 10)";
    assert_true(diffRecordSame(&x, &y));   /* prose is not compared */
    y.dc = "DC1";
    assert_false(diffRecordSame(&x, &y));  /* a subject only one side has */
    y.dc = NULL;
    y.fields = "{\"n\":1}";
    assert_false(diffRecordSame(&x, &y));
    y.fields = "{}";
    y.at = 1001;
    assert_false(diffRecordSame(&x, &y));
}

static void test_outcome_rows_marked(void **state) {
    (void)state;
    diffRun a, b;
    diffSummary s;
    runInto(migration, 0, 0, &a);
    runInto(merging, 0, 0, &b);
    diffCompare(&a, &b, &s);
    assert_true(diffFound(&s));
    assert_true(s.diverged);
    char *out = printed(&a, &b, &s);
    /* user2 merged with the 2 items delivered and its rule broken; user1 cloned on both sides. */
    assert_int_equal(s.users_differ, 1);
    assert_non_null(strstr(out, "\n* user2      cloned      merged         0|2"));
    assert_non_null(strstr(out, "\n  user1      cloned      cloned "));
    assert_non_null(strstr(out, "diff: the runs differ:"));
    free(out);
    diffRunFree(&a);
    diffRunFree(&b);
}

static void test_db_reads_back_as_the_run(void **state) {
    (void)state;
    char scn[512], db[512];
    pathIn("m.scn", scn, sizeof scn);
    pathIn("m.sqlite", db, sizeof db);
    writeFile(scn, migration);
    const char *r[] = {"migsim", "run", scn, "--quiet", "--db", db};
    captured c = runCli(6, r);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    diffRun a, b;
    diffSummary s;
    char why[512];
    runInto(migration, 0, 0, &a);
    assert_int_equal(diffRunFromDb(db, &b, why, sizeof why), MS_OK);
    assert_int_equal(a.nrecs, b.nrecs);
    assert_int_equal(a.nusers, b.nusers);
    diffCompare(&a, &b, &s);
    assert_false(diffFound(&s));
    diffRunFree(&a);
    diffRunFree(&b);
    /* Not a results database: an input error with its reason. */
    pathIn("empty.sqlite", db, sizeof db);
    writeFile(db, "");
    assert_int_equal(diffRunFromDb(db, &b, why, sizeof why), MS_INPUT);
    assert_non_null(strstr(why, "not a migsim results database"));
    diffRunFree(&b);
}

static void test_cli_diff(void **state) {
    (void)state;
    char a[512], b[512], m[512], da[512], db[512], bad[512];
    pathIn("a.scn", a, sizeof a);
    pathIn("b.scn", b, sizeof b);
    pathIn("merge.scn", m, sizeof m);
    pathIn("a.sqlite", da, sizeof da);
    pathIn("b.sqlite", db, sizeof db);
    pathIn("bad.scn", bad, sizeof bad);
    writeFile(a, migration);
    char shifted[sizeof migration + 64];
    snprintf(shifted, sizeof shifted, "# comment\n%s", migration);
    writeFile(b, shifted);
    writeFile(m, merging);
    writeFile(bad, "seed 1\nfrobnicate\n");

    const char *same[] = {"migsim", "diff", a, b};
    captured c = runCli(4, same);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "diff: the runs are the same"));
    freeCaptured(&c);

    const char *seeds[] = {"migsim", "diff", a, "--seeds", "1,2"};
    c = runCli(5, seeds);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, ", seed 1: pass"));
    assert_non_null(strstr(c.out, ", seed 2: pass"));
    assert_non_null(strstr(c.out, "diverge at record"));
    freeCaptured(&c);

    const char *both[] = {"migsim", "diff", a, b, "--seed", "2"};
    c = runCli(6, both);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);

    const char *dm[] = {"migsim", "diff", a, m};
    c = runCli(4, dm);
    assert_int_equal(c.status, 1);
    freeCaptured(&c);

    /* Databases: of one run with two seeds, and against the scenario itself. */
    const char *ra[] = {"migsim", "run", a, "--quiet", "--db", da};
    const char *rb[] = {"migsim", "run", a, "--quiet", "--seed", "2", "--db", db};
    c = runCli(6, ra);
    freeCaptured(&c);
    c = runCli(8, rb);
    freeCaptured(&c);
    const char *dbs[] = {"migsim", "diff", da, db};
    c = runCli(4, dbs);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "a.sqlite ("));
    freeCaptured(&c);
    const char *mixed[] = {"migsim", "diff", da, b};
    c = runCli(4, mixed);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);

    /* Errors: exit 2, one line on stderr, nothing on stdout. */
    const char *errs[][6] = {
        {"migsim", "diff", a},                          /* one scenario, no --seeds */
        {"migsim", "diff", da, db, "--seed", "1"},      /* a database has its seed */
        {"migsim", "diff", a, bad},                     /* does not parse */
        {"migsim", "diff", a, "/nonexistent/x.scn"},
        {"migsim", "diff", a, "--seeds", "1"},
        {"migsim", "diff", a, b, "--frob"},
    };
    const int nargs[] = {3, 6, 4, 4, 5, 5};
    for (size_t i = 0; i < sizeof nargs / sizeof *nargs; i++) {
        c = runCli(nargs[i], errs[i]);
        assert_int_equal(c.status, 2);
        assert_string_equal(c.out, "");
        assert_non_null(strchr(c.err, '\n'));
        assert_ptr_equal(strchr(c.err, '\n'), c.err + strlen(c.err) - 1);
        freeCaptured(&c);
    }
    const char *help[] = {"migsim", "diff", "--help"};
    c = runCli(3, help);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "usage: migsim diff"));
    freeCaptured(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_run_is_same),
        cmocka_unit_test(test_two_seeds_diverge),
        cmocka_unit_test(test_comment_line_does_not_diverge),
        cmocka_unit_test(test_record_compared_by_typed_parts),
        cmocka_unit_test(test_outcome_rows_marked),
        cmocka_unit_test(test_db_reads_back_as_the_run),
        cmocka_unit_test(test_cli_diff),
    };
    return cmocka_run_group_tests_name("rundiff", tests, setupDir, teardownDir);
}
