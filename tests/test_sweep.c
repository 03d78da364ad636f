/*
** Tests of `migsim sweep` and `migsim merge` (sim/cli/sweep.c, merge.c,
** sim/out/sweep*.c) and of --set on `run` and `check`, driven in process
** through cliMain: the Wilson interval against known values, the bad-result
** rules, a sweep's table, --jobs 2 giving the very bytes of --jobs 1 (table,
** CSV, database), three shards merged into the unsharded database byte for
** byte, merge refusing a missing, doubled or foreign shard, the plot, and
** the usage errors.  The sweeps are small (a few runs each) so the test
** does not depend on the machine's speed.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "clirun.h"
#include "out/sweep.h"

#define SCN "scenarios/kb842101/fix-wait-jitter.scn"


#define RUN(...)                                                                                   \
    ({                                                                                             \
        const char *argv_[] = {"migsim", __VA_ARGS__};                                             \
        runCli((int)(sizeof argv_ / sizeof argv_[0]), argv_);                                      \
    })

static char dir[256];

static int setupDir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/migsim-test-sweep-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardownDir(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path(const char *name) {
    static char bufs[8][300];
    static int k;
    char *b = bufs[k++ % 8];
    snprintf(b, 300, "%s/%s", dir, name);
    return b;
}

/* The whole file at p (NUL-terminated; *n its length). */
static char *slurp(const char *p, size_t *n) {
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *n = 0;
    for (;;) {
        if (*n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 65536;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + *n, 1, cap - *n - 1, f);
        *n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[*n] = '\0';
    return buf;
}

static void assertSameFile(const char *a, const char *b) {
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    if (na != nb || memcmp(x, y, na) != 0) print_error("%s and %s differ\n", a, b);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x);
    free(y);
}

static void test_wilson(void **state) {
    (void)state;
    double lo, hi;
    sweepWilson(0, 20, &lo, &hi);
    assert_true(lo == 0.0);
    assert_true(fabs(hi - 0.161125) < 1e-6);
    sweepWilson(20, 20, &lo, &hi);
    assert_true(fabs(lo - 0.838875) < 1e-6 && hi == 1.0);
    sweepWilson(5, 10, &lo, &hi);
    assert_true(fabs(lo - 0.236593) < 1e-6 && fabs(hi - 0.763407) < 1e-6);
    sweepWilson(0, 0, &lo, &hi);
    assert_true(lo == 0.0 && hi == 1.0);
}

static void test_bad_rules(void **state) {
    (void)state;
    sweepBad b;
    char why[200];
    sweepRun r;
    memset(&r, 0, sizeof r);
    r.count[OUT_CLONED] = 5;
    r.count[OUT_MERGED] = 1;
    assert_int_equal(sweepBadParse("not-cloned,stranded", &b, why, sizeof why), 0);
    assert_true(sweepBadHolds(&b, &r));
    assert_int_equal(sweepBadParse("ghost", &b, why, sizeof why), 0);
    assert_false(sweepBadHolds(&b, &r));
    assert_int_equal(sweepBadParse("merged", &b, why, sizeof why), 0);
    assert_true(sweepBadHolds(&b, &r));
    assert_int_equal(sweepBadParse("stranded", &b, why, sizeof why), 0);
    assert_false(sweepBadHolds(&b, &r));
    r.stranded = 3;
    assert_true(sweepBadHolds(&b, &r));
    assert_int_equal(sweepBadParse("failed", &b, why, sizeof why), 0);
    r.nexpects = 2;
    r.npassed = 2;
    assert_false(sweepBadHolds(&b, &r));
    r.npassed = 1;
    assert_true(sweepBadHolds(&b, &r));
    assert_int_equal(sweepBadParse("merged,bogus", &b, why, sizeof why), -1);
    assert_non_null(strstr(why, "'bogus' is not a rule"));
}

/* The table: the varied value, the counts, the share; bad by the default rule (stranded mail here). */
static void test_table(void **state) {
    (void)state;
    captured c = RUN("sweep", SCN, "--seeds", "1..3", "--vary", "WAIT=0s,30s");
    assert_int_equal(c.status, 0);
    assert_string_equal(c.err, "");
    assert_non_null(strstr(c.out, "sweep: " SCN ", seeds 1..3, 2 combinations x 3 seeds, bad = not-cloned,stranded\n"));
    /* 30s: every user cloned in every run; the three stranded messages make each run bad. */
    assert_non_null(strstr(c.out, "\n30s          3        18         0         0         0         0         0"
                                  "          0        3        3  1.000  [0.439, 1.000]  100.0%\n"));
    freeCaptured(&c);
    c = RUN("sweep", SCN, "--seeds", "1..3", "--vary", "WAIT=30s", "--bad", "not-cloned");
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, " 0  0.000  [0.000, 0.561]  100.0%\n"));
    freeCaptured(&c);
}

/* --jobs 2 gives the bytes of --jobs 1: table, CSV and database. */
static void test_jobs_identical(void **state) {
    (void)state;
    captured a = RUN("sweep", SCN, "--seeds", "1..5", "--vary", "JITTER=0,100", "--vary", "WAIT=5s,15s",
                     "--db", path("j1.sqlite"), "--csv", path("j1.csv"));
    captured b = RUN("sweep", SCN, "--seeds", "1..5", "--vary", "JITTER=0,100", "--vary", "WAIT=5s,15s",
                     "--db", path("j2.sqlite"), "--csv", path("j2.csv"), "--jobs", "2");
    assert_int_equal(a.status, 0);
    assert_int_equal(b.status, 0);
    assert_string_equal(a.out, b.out);
    assert_string_equal(b.err, "");
    assertSameFile(path("j1.sqlite"), path("j2.sqlite"));
    assertSameFile(path("j1.csv"), path("j2.csv"));
    size_t n;
    char *csv = slurp(path("j1.csv"), &n);
    assert_non_null(strstr(csv, "combo,JITTER,WAIT,x,runs,cloned,merged,ghost,duplicate,absent,partial,"
                                "unmigrated,stranded_runs,bad,bad_share,bad_lo,bad_hi,passed,pass_rate\n"
                                "0,0,5s,5.000000,5,"));
    free(csv);
    freeCaptured(&a);
    freeCaptured(&b);
}

/* Three shards, merged, are the unsharded sweep byte for byte; merge refuses what is not one sweep. */
static void test_shards_merge(void **state) {
    (void)state;
    captured w = RUN("sweep", SCN, "--seeds", "1..4", "--vary", "WAIT=5s,15s,25s", "--db", path("whole.sqlite"),
                     "--csv", path("whole.csv"));
    assert_int_equal(w.status, 0);
    const char *shard[] = {"s1.sqlite", "s2.sqlite", "s3.sqlite"}, *ks[] = {"1/3", "2/3", "3/3"};
    for (int k = 0; k < 3; k++) {
        captured s = RUN("sweep", SCN, "--seeds", "1..4", "--vary", "WAIT=5s,15s,25s", "--shard", ks[k], "--db",
                         path(shard[k]));
        assert_int_equal(s.status, 0);
        freeCaptured(&s);
    }
    captured m = RUN("merge", path("merged.sqlite"), path("s3.sqlite"), path("s1.sqlite"), path("s2.sqlite"),
                     "--csv", path("merged.csv"));
    assert_int_equal(m.status, 0);
    assert_string_equal(m.out, w.out);
    assertSameFile(path("whole.sqlite"), path("merged.sqlite"));
    assertSameFile(path("whole.csv"), path("merged.csv"));
    freeCaptured(&m);
    freeCaptured(&w);

    m = RUN("merge", path("m2.sqlite"), path("s1.sqlite"), path("s2.sqlite"));
    assert_int_equal(m.status, 2);
    assert_string_equal(m.err, "migsim: error: a shard is missing: each K from 1 to N must be given once\n");
    freeCaptured(&m);
    m = RUN("merge", path("m2.sqlite"), path("s1.sqlite"), path("s1.sqlite"), path("s2.sqlite"));
    assert_int_equal(m.status, 2);
    assert_non_null(strstr(m.err, "a second copy of a shard"));
    freeCaptured(&m);
    captured o = RUN("sweep", SCN, "--seeds", "1..5", "--vary", "WAIT=5s,15s,25s", "--shard", "3/3", "--db",
                     path("other.sqlite"));
    assert_int_equal(o.status, 0);
    m = RUN("merge", path("m2.sqlite"), path("s1.sqlite"), path("s2.sqlite"), path("other.sqlite"));
    assert_int_equal(m.status, 2);
    assert_non_null(strstr(m.err, "other.sqlite: not a shard of the same sweep as the first"));
    assert_int_equal(access(path("m2.sqlite"), F_OK), -1);
    freeCaptured(&m);
    freeCaptured(&o);
    m = RUN("merge", path("m2.sqlite"), path("whole.csv"));
    assert_int_equal(m.status, 2);
    assert_non_null(strstr(m.err, "not a sweep database"));
    freeCaptured(&m);
}

static void test_plot(void **state) {
    (void)state;
    captured c = RUN("sweep", SCN, "--seeds", "1..2", "--vary", "WAIT=5s,25s", "--plot", path("p.svg"),
                     "--bad", "not-cloned");
    assert_int_equal(c.status, 0);
    size_t n;
    char *svg = slurp(path("p.svg"), &n);
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "share of bad runs"));
    assert_non_null(strstr(svg, "WAIT (seconds)"));
    free(svg);
    freeCaptured(&c);
}

static void test_usage_errors(void **state) {
    (void)state;
    struct {
        const char *argv[10];
        const char *err;
    } cases[] = {
        {{"sweep", SCN}, "migsim: error: --seeds A..B is required (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "5..1"},
         "migsim: error: --seeds needs A..B, 0 <= A <= B <= 2^63-1, not '5..1' (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--vary", "WAIT=1s..5s/0s"},
         "migsim: error: --vary 1s..5s/0s: needs A <= B, a STEP above 0, at most 10000 values (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--vary", "WAIT=1s", "--set", "WAIT=2s"},
         "migsim: error: WAIT is both varied (--vary) and set (--set) (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--shard", "4/3"},
         "migsim: error: --shard needs K/N with 1 <= K <= N <= 1000000, not '4/3' (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--bad", "worse"},
         "migsim: error: --bad: 'worse' is not a rule (not-cloned, stranded, failed, or an outcome: cloned, merged, "
         "ghost, duplicate, absent, partial, unmigrated) (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--plot", "x.svg"},
         "migsim: error: --plot needs a --vary (its x axis) (see 'migsim sweep --help')\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--vary", "NOPE=1,2"},
         SCN ": error: variable 'NOPE' is set from outside (--set) but never defined: the scenario has no "
             "'let NOPE = ...'\nmigsim: error: in combination 0: NOPE=1\n"},
        {{"sweep", SCN, "--seeds", "1..2", "--vary", "WAIT=5x"},
         SCN ":26:6: error: unknown unit 'x' in duration '5x' for wait (units: ms, s, m, h, d)\n"
             "migsim: error: in combination 0: WAIT=5x\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int argc = 1;
        const char *argv[10] = {"migsim"};
        for (int k = 0; cases[i].argv[k]; k++) argv[argc++] = cases[i].argv[k];
        captured c = runCli(argc, argv);
        if (strcmp(c.err, cases[i].err) != 0) print_error("case %zu: %s", i, c.err);
        assert_int_equal(c.status, 2);
        assert_string_equal(c.err, cases[i].err);
        assert_string_equal(c.out, "");
        freeCaptured(&c);
    }
}

/* A run that cannot run stops the sweep with exit 2, naming the first such run in order, with any --jobs. */
static void test_run_error(void **state) {
    (void)state;
    const char *want = SCN ": error: combination 0, seed 1: migrator plugin:/nonexistent/x.so: no such file\n";
    for (int k = 0; k < 3; k++) {
        captured c = RUN("sweep", SCN, "--seeds", "1..6", "--migrator", "plugin:/nonexistent/x.so", "--jobs",
                         k == 0 ? "1" : "3", "--db", path("never.sqlite"));
        assert_int_equal(c.status, 2);
        assert_string_equal(c.err, want);
        assert_string_equal(c.out, "");
        assert_int_equal(access(path("never.sqlite"), F_OK), -1);
        freeCaptured(&c);
    }
}

/* --set on run and check: the value replaces the let's; a name no let defines is an error. */
static void test_set_run_check(void **state) {
    (void)state;
    captured c = RUN("run", "--quiet", "scenarios/kb842101/reproduce.scn", "--set", "WAIT=30s");
    /* At 30 s the RUS has not stamped user3's address: the mail bounces, user3 is cloned. */
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "user3      cloned"));
    freeCaptured(&c);
    c = RUN("run", "--quiet", "scenarios/kb842101/reproduce.scn", "--set", "WAIT=2m");
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    c = RUN("run", "scenarios/kb842101/reproduce.scn", "--set", "WAYT=2m");
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "scenarios/kb842101/reproduce.scn: error: variable 'WAYT' is set from outside "
                               "(--set) but never defined: the scenario has no 'let WAYT = ...'\n");
    freeCaptured(&c);
    c = RUN("run", "scenarios/kb842101/reproduce.scn", "--set", "WAIT=2m", "--set", "WAIT=3m");
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --set WAIT given twice (see 'migsim run --help')\n");
    freeCaptured(&c);
    c = RUN("run", "scenarios/kb842101/reproduce.scn", "--set", "WAIT=2 m");
    assert_int_equal(c.status, 2);
    freeCaptured(&c);
    c = RUN("lab", "scenarios/kb842101/reproduce.scn", "--set", "WAYT=2m");
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "variable 'WAYT' is set from outside (--set) but never defined"));
    freeCaptured(&c);
    c = RUN("check", "--set", "WAIT=30s", "scenarios/kb842101/reproduce.scn", "scenarios/kb842101/fix.scn");
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.out, "FAIL  scenarios/kb842101/reproduce.scn:"));
    assert_non_null(strstr(c.out, "ERROR scenarios/kb842101/fix.scn: error: variable 'WAIT' is set from outside"));
    freeCaptured(&c);
}

static void test_gate_parse(void **state) {
    (void)state;
    char why[256];
    double v = -1;
    const char *good[] = {"0", "1", "0.05", "5%", ".5", "100%", "0%"};
    const double want[] = {0, 1, 0.05, 0.05, 0.5, 1, 0};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(sweepGateParse(good[i], &v, why, sizeof why), 0);
        assert_true(v > want[i] - 1e-12 && v < want[i] + 1e-12);
    }
    const char *bad[] = {"", "%", "-0.1", "+0.1", "1.5", "101%", "5", "abc", "0x1", "1e-2", " 0.1", "0.1 ", "1.2.3", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sweepGateParse(bad[i], &v, why, sizeof why), -1);
    assert_string_equal(why, "--max-bad needs a share from 0 to 1 (0.05) or a percentage (5%), not 'inf'");
}

/* --max-bad: exit 1 unless every combination's 95% upper bound is at most P;
** the table and the files are the sweep's all the same; merge judges the whole. */
static void test_gate(void **state) {
    (void)state;
    captured c = RUN("sweep", SCN, "--seeds", "1..40", "--vary", "WAIT=0s,40s", "--bad", "not-cloned", "--max-bad",
                     "0.5", "--csv", path("gate.csv"));
    assert_int_equal(c.status, 1);
    const char *table = strstr(c.out, "\n0s  "), *gate = strstr(c.out, "gate --max-bad 0.5: FAIL: 1 of 2 combinations");
    assert_non_null(table);
    assert_non_null(gate);
    assert_true(table < gate);
    assert_non_null(strstr(c.out, "\n  WAIT=0s: 40 bad of 40 runs, share 1.000, interval [0.912, 1.000]\n"));
    assert_null(strstr(c.out, "WAIT=40s:"));
    assert_string_equal(c.err, "");
    assert_int_equal(access(path("gate.csv"), F_OK), 0);
    freeCaptured(&c);
    /* 0 bad of 40: the bound is 0.088. */
    c = RUN("sweep", SCN, "--seeds", "1..40", "--set", "WAIT=40s", "--bad", "not-cloned", "--max-bad", "10%");
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "gate --max-bad 0.1: PASS: every combination's bad share is at most 0.1 with 95% "
                                  "confidence (upper bound 0.088)\n"));
    freeCaptured(&c);
    c = RUN("sweep", SCN, "--seeds", "1..40", "--set", "WAIT=40s", "--bad", "not-cloned", "--max-bad", "0.05");
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "0 bad of 40 runs, share 0.000, interval [0.000, 0.088] (under the limit, but too "
                                  "few runs to show it: add seeds)\n"));
    freeCaptured(&c);
    c = RUN("sweep", SCN, "--seeds", "1..4", "--shard", "1/2", "--max-bad", "0.5");
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --max-bad judges a whole sweep, not a shard: give it to 'migsim merge' "
                               "(see 'migsim sweep --help')\n");
    freeCaptured(&c);
    /* Merged shards are judged as the whole sweep is. */
    captured w = RUN("sweep", SCN, "--seeds", "1..6", "--vary", "WAIT=0s,40s", "--bad", "not-cloned", "--max-bad", "0.5");
    assert_int_equal(w.status, 1);
    captured p = RUN("sweep", SCN, "--seeds", "1..6", "--vary", "WAIT=40s,60s", "--bad", "not-cloned", "--max-bad", "0.5");
    assert_int_equal(p.status, 0);
    assert_non_null(strstr(p.out, "(highest upper bound 0.390, at WAIT=40s)\n"));
    freeCaptured(&p);
    const char *ks[] = {"1/2", "2/2"}, *files[] = {"g1.sqlite", "g2.sqlite"};
    for (int k = 0; k < 2; k++) {
        captured s = RUN("sweep", SCN, "--seeds", "1..6", "--vary", "WAIT=0s,40s", "--bad", "not-cloned", "--shard", ks[k],
                         "--db", path(files[k]));
        assert_int_equal(s.status, 0);
        freeCaptured(&s);
    }
    captured m = RUN("merge", path("g.sqlite"), path("g1.sqlite"), path("g2.sqlite"), "--max-bad", "0.5");
    assert_int_equal(m.status, 1);
    assert_string_equal(m.out, w.out);
    freeCaptured(&m);
    freeCaptured(&w);
    m = RUN("merge", path("g3.sqlite"), path("g1.sqlite"), path("g2.sqlite"), "--max-bad", "2");
    assert_int_equal(m.status, 2);
    freeCaptured(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_parse),
        cmocka_unit_test(test_gate),
        cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_jobs_identical),
        cmocka_unit_test(test_shards_merge),
        cmocka_unit_test(test_plot),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_run_error),
        cmocka_unit_test(test_set_run_check),
    };
    return cmocka_run_group_tests(tests, setupDir, teardownDir);
}
