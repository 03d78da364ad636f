/*
** Tests of `migsim explore` (sim/cli/explore.c over sim/run/explore.c),
** driven in process through cliMain: against builtin:wizard2003 the
** invariant no-merged is broken, and the minimal scenario written is a
** handful of lines that `migsim run` fails on `expect all not merged`, with
** no failed step; against builtin:refuse-initialized, built never to merge
** into a mailbox it did not clone, 300 worlds find no merge and write
** nothing; the same arguments give the same output and the same file byte
** for byte; each usage error is one line and exit 2, before any run; help
** lists the command; docs/exploring.md quotes the file explore really
** writes.  --jobs 2 and 3 print the bytes --jobs 1 prints and write the
** same files; a run that cannot run stops explore with one line and exit
** 2 with any --jobs.  A migrator that fails in some worlds (the test
** plugin tests/plugins/errsome.c) has its first such world shrunk and
** written as explore-migrator-error.scn, on which `migsim run` stops on
** the same error.  And exploreRunText: a text that does not parse is an
** error, a run is judged on its invariants only; exploreSameError sets
** numbers aside and nothing else.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "clirun.h"
#include "run/checker.h"
#include "run/explore.h"


static int setupDir(void **state) {
    (void)state;
    return tmpdirMake("explore");
}

static int teardownDir(void **state) {
    (void)state;
    return tmpdirRemove();
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

/* Statements: lines that are neither blank nor comments. */
static int statements(const char *s) {
    int n = 0;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len && s[0] != '#') n++;
        s += len + (e ? 1 : 0);
    }
    return n;
}

static void testWizardMergesAndShrinks(void **state) {
    (void)state;
    const char *argv[] = {"migsim", "explore", "--migrator", "builtin:wizard2003", "--invariant", "no-merged",
                          "--runs", "40", "--out", tmpdir};
    captured c = runCli(10, argv);
    assert_string_equal(c.err, "");
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "explore: builtin:wizard2003, seeds 1..40, invariants no-merged\n"));
    assert_non_null(strstr(c.out, "no-merged     broken in "));
    assert_null(strstr(c.out, "no-ghost"));
    char path[400];
    snprintf(path, sizeof path, "%s/explore-no-merged.scn", tmpdir);
    assert_non_null(strstr(c.out, path));
    char *text = slurp(path);
    assert_non_null(text);
    /* A handful of lines: the world, a few steps, the end, the expectation. */
    assert_in_range(statements(text), 8, 20);
    assert_non_null(strstr(text, "# migsim explore: breaks no-merged"));
    assert_non_null(strstr(text, " migrator=wizard2003\n"));
    assert_non_null(strstr(text, "\nwait done\nwait converged\nexpect all not merged\n"));
    /* `migsim run` fails the same way: that expectation, no failed step. */
    const char *run[] = {"migsim", "run", path, "--quiet"};
    captured r = runCli(4, run);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "expectation failed: expect all not merged: found user"));
    assert_null(strstr(r.out, "step failed"));
    assert_non_null(strstr(r.out, "verdict: FAIL (1 of 1 expectations failed"));
    freeCaptured(&r);
    /* Again: the same output, the same file. */
    captured c2 = runCli(10, argv);
    assert_int_equal(c2.status, 1);
    assert_string_equal(c.out, c2.out);
    char *text2 = slurp(path);
    assert_string_equal(text, text2);
    free(text2);
    free(text);
    freeCaptured(&c2);
    freeCaptured(&c);
}

static void testRefuseNeverMerges(void **state) {
    (void)state;
    const char *argv[] = {"migsim", "explore", "--migrator", "builtin:refuse-initialized", "--invariant",
                          "no-merged", "--runs", "300", "--out", tmpdir};
    captured c = runCli(10, argv);
    assert_string_equal(c.err, "");
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "no-merged     held in all 300 runs\n"));
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/explore-no-merged.scn", tmpdir);
    unlink(path);
    captured again = runCli(10, argv);
    assert_int_equal(again.status, 0);
    assert_int_not_equal(stat(path, &st), 0);   /* nothing broken, nothing written */
    freeCaptured(&again);
    freeCaptured(&c);
}

/* Every invariant, one seed: `--seed S --runs 1` explores exactly the world run S-1 of --seed 1 did. */
static void testOneSeedReproduces(void **state) {
    (void)state;
    const char *argv[] = {"migsim", "explore", "--seed", "4", "--runs", "1", "--invariant", "no-merged",
                          "--out", tmpdir};
    captured c = runCli(10, argv);
    assert_string_equal(c.err, "");
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "no-merged     broken in 1 of 1 runs (100.0%); first at seed 4\n"));
    freeCaptured(&c);
}

/* The scenario docs/exploring.md quotes after its "<!-- explore: ... -->" line is what explore writes. */
static void testDocQuoteIsReal(void **state) {
    (void)state;
    char *doc = slurp("docs/exploring.md");
    assert_non_null(doc);
    const char *mark = "<!-- explore: --migrator builtin:wizard2003 --invariant no-merged -->\n```\n";
    char *q = strstr(doc, mark);
    assert_non_null(q);
    q += strlen(mark);
    char *end = strstr(q, "```\n");
    assert_non_null(end);
    *end = '\0';
    const char *argv[] = {"migsim", "explore", "--migrator", "builtin:wizard2003", "--invariant", "no-merged",
                          "--runs", "10", "--out", tmpdir};
    captured c = runCli(10, argv);
    assert_int_equal(c.status, 1);
    char path[400];
    snprintf(path, sizeof path, "%s/explore-no-merged.scn", tmpdir);
    char *text = slurp(path);
    assert_non_null(text);
    assert_string_equal(text, q);
    free(text);
    free(doc);
    freeCaptured(&c);
}

/* The files explore may write, by name, and what each held after the last run (NULL: none); removed for the next. */
static const char *const written[] = {"no-duplicate", "no-ghost", "no-missing", "no-merged", "no-stranded",
                                      "migrator-error"};
#define NWRITTEN (sizeof written / sizeof written[0])

static void takeWritten(char *files[NWRITTEN]) {
    for (size_t k = 0; k < NWRITTEN; k++) {
        char path[400];
        snprintf(path, sizeof path, "%s/explore-%s.scn", tmpdir, written[k]);
        files[k] = slurp(path);
        unlink(path);
    }
}

static void freeWritten(char *files[NWRITTEN]) {
    for (size_t k = 0; k < NWRITTEN; k++) free(files[k]);
}

/* --jobs 2 and 3: the same lines and the same files, byte for byte, as --jobs 1. */
static void testJobsSameBytes(void **state) {
    (void)state;
    char *one[NWRITTEN], *many[NWRITTEN];
    takeWritten(one);
    freeWritten(one);
    const char *argv[] = {"migsim", "explore", "--runs", "60", "--seed", "3", "--out", tmpdir, "--jobs", "1"};
    captured c1 = runCli(10, argv);
    assert_int_equal(c1.status, 1);
    assert_string_equal(c1.err, "");
    takeWritten(one);
    int nfiles = 0;
    for (size_t k = 0; k < NWRITTEN; k++) nfiles += one[k] != NULL;
    assert_int_equal(nfiles, 5);   /* wizard2003 breaks all five in 60 worlds; no migrator error */
    const char *jobs[] = {"2", "3"};
    for (int j = 0; j < 2; j++) {
        argv[9] = jobs[j];
        captured c = runCli(10, argv);
        assert_int_equal(c.status, 1);
        assert_string_equal(c.err, "");
        assert_string_equal(c.out, c1.out);
        takeWritten(many);
        for (size_t k = 0; k < NWRITTEN; k++) {
            if (!one[k]) {
                assert_null(many[k]);
                continue;
            }
            assert_non_null(many[k]);
            assert_string_equal(many[k], one[k]);
        }
        freeWritten(many);
        freeCaptured(&c);
    }
    freeWritten(one);
    freeCaptured(&c1);
}

/* A run that cannot run (a plugin that is not there) stops explore at its seed: one line, exit 2, any --jobs. */
static void testRunFailureOnce(void **state) {
    (void)state;
    const char *jobs[] = {"1", "3"};
    for (int j = 0; j < 2; j++) {
        const char *argv[] = {"migsim", "explore", "--migrator", "plugin:/nonexistent/x.so", "--runs", "9", "--out",
                              tmpdir, "--jobs", jobs[j]};
        captured c = runCli(10, argv);
        assert_int_equal(c.status, 2);
        assert_string_equal(c.err, "migsim: error: seed 1: explore.scn: migrator plugin:/nonexistent/x.so: no such file\n");
        assert_string_equal(c.out, "explore: plugin:/nonexistent/x.so, seeds 1..9, invariants no-duplicate, no-ghost, "
                                   "no-missing, no-merged, no-stranded\n");
        freeCaptured(&c);
    }
}

/*
** errsome fails in a world of more than 12 users: the first such world of
** 30 is seed 6 (13 users).  Its scenario, shrunk to the users and the one
** run the error needs, is written; `migsim run` on it with the same
** --migrator stops on the same error; --jobs 2 writes the same.
*/
static void testMigratorError(void **state) {
    (void)state;
    const char *dir = getenv("MIGSIM_PLUGINS");
    if (!dir) fail_msg("MIGSIM_PLUGINS must name the build directory (make check sets it)");
    char spec[400], path[400];
    snprintf(spec, sizeof spec, "plugin:%s/tests/plugins/liberrsome.so", dir);
    snprintf(path, sizeof path, "%s/explore-migrator-error.scn", tmpdir);
    char *files[NWRITTEN];
    takeWritten(files);
    freeWritten(files);
    const char *argv[] = {"migsim", "explore", "--migrator", spec, "--runs", "30", "--invariant", "no-merged",
                          "--out", tmpdir, "--jobs", "1"};
    captured c = runCli(12, argv);
    assert_string_equal(c.err, "");
    assert_int_equal(c.status, 1);   /* a migrator's error is a finding */
    assert_non_null(strstr(c.out, "a run stopped on an error in 10 of 30 runs (judged nothing); first at seed 6: "
                                  "migrator errsome: 13 source users, more than the 12 it can take\n  minimal: "));
    char line[1200];
    snprintf(line, sizeof line, "; migsim run %s --migrator %s\n", path, spec);
    assert_non_null(strstr(c.out, line));
    char *text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "# migsim explore: the run stops on the migrator's error: migrator errsome: 13 "
                                 "source users, more than the 12 it can take\n# shrunk from seed 6 "));
    assert_non_null(strstr(text, "\nsource users=13 "));
    assert_null(strstr(text, "expect"));   /* the run stops before any expectation */
    assert_in_range(statements(text), 6, 12);
    /* docs/exploring.md quotes this file, made with the plugin of build/check. */
    char *doc = slurp("docs/exploring.md");
    assert_non_null(doc);
    const char *mark = "<!-- explore: errsome -->\n```\n", *docSpec = "plugin:build/check/tests/plugins/liberrsome.so";
    char *q = strstr(doc, mark), quote[4096];
    assert_non_null(q);
    q += strlen(mark);
    char *end = strstr(q, "```\n"), *at;
    assert_non_null(end);
    *end = '\0';
    assert_non_null(at = strstr(q, docSpec));
    snprintf(quote, sizeof quote, "%.*s%s%s", (int)(at - q), q, spec, at + strlen(docSpec));
    assert_string_equal(text, quote);
    free(doc);
    const char *run[] = {"migsim", "run", path, "--quiet", "--migrator", spec};
    captured r = runCli(6, run);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, ": error: migrator errsome: 13 source users, more than the 12 it can take\n"));
    freeCaptured(&r);
    argv[11] = "2";
    captured c2 = runCli(12, argv);
    assert_int_equal(c2.status, 1);
    assert_string_equal(c2.out, c.out);
    char *text2 = slurp(path);
    assert_non_null(text2);
    assert_string_equal(text2, text);
    free(text2);
    free(text);
    freeCaptured(&c2);
    freeCaptured(&c);
}

static void testSameError(void **state) {
    (void)state;
    assert_true(exploreSameError("13 users, more than 12", "17 users, more than 12"));
    assert_true(exploreSameError("user7 failed at 1:00", "user12 failed at 10:30"));
    assert_true(exploreSameError("", ""));
    assert_false(exploreSameError("user7 failed", "user7 refused"));
    assert_false(exploreSameError("13 users", "users"));
    assert_false(exploreSameError("13 users", "13 users!"));
}

static void expectUsage(int argc, const char **argv, const char *msg) {
    captured c = runCli(argc, argv);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    if (!strstr(c.err, msg)) fail_msg("expected '%s' in '%s'", msg, c.err);
    assert_non_null(strstr(c.err, "migsim: error: "));
    assert_int_equal(strchr(c.err, '\n') - c.err + 1, (long)strlen(c.err));   /* one line */
    freeCaptured(&c);
}

static void testUsageErrors(void **state) {
    (void)state;
    const char *a1[] = {"migsim", "explore", "--runs", "0"};
    expectUsage(4, a1, "--runs needs a number from 1 to 100000000, not '0'");
    const char *a2[] = {"migsim", "explore", "--invariant", "no-such"};
    expectUsage(4, a2, "unknown invariant 'no-such'");
    const char *a3[] = {"migsim", "explore", "--seed", "x1"};
    expectUsage(4, a3, "--seed needs a number");
    const char *a4[] = {"migsim", "explore", "--out", "a", "--out", "b"};
    expectUsage(6, a4, "--out given twice");
    const char *a5[] = {"migsim", "explore", "--bogus"};
    expectUsage(3, a5, "unknown option '--bogus'");
    const char *a6[] = {"migsim", "explore", "--migrator", "builtin:nope"};
    expectUsage(4, a6, "--migrator:");
    const char *a7[] = {"migsim", "explore", "--invariant", "no-ghost", "--invariant=no-ghost"};
    expectUsage(5, a7, "--invariant no-ghost given twice");
    const char *a8[] = {"migsim", "explore", "--seed", "9223372036854775807", "--runs", "2"};
    expectUsage(6, a8, "--seed plus --runs passes");
    const char *b1[] = {"migsim", "explore", "--jobs", "0"};
    expectUsage(4, b1, "--jobs needs a number from 1 to 256, not '0'");
    const char *b2[] = {"migsim", "explore", "--jobs", "257"};
    expectUsage(4, b2, "--jobs needs a number from 1 to 256, not '257'");
    const char *b3[] = {"migsim", "explore", "--jobs=two"};
    expectUsage(3, b3, "--jobs needs a number from 1 to 256, not 'two'");
    const char *b4[] = {"migsim", "explore", "--jobs", "2", "--jobs", "2"};
    expectUsage(6, b4, "--jobs given twice");
    const char *a9[] = {"migsim", "explore", "--out", "/nonexistent/dir", "--runs", "1"};
    captured c = runCli(6, a9);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "migsim: error: "));
    assert_null(strstr(c.out, "broken"));   /* refused before any run */
    freeCaptured(&c);
}

static void testHelp(void **state) {
    (void)state;
    const char *top[] = {"migsim", "help"};
    captured c = runCli(2, top);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "migsim explore [--migrator SPEC] [--runs N] [--seed S] [--invariant NAME]..."));
    assert_non_null(strstr(c.out, "  explore "));
    freeCaptured(&c);
    const char *sub[] = {"migsim", "explore", "--help"};
    c = runCli(3, sub);
    assert_int_equal(c.status, 0);
    assert_string_equal(c.out, exploreUsage);
    for (int i = 0; i < CHK__COUNT; i++) assert_non_null(strstr(c.out, checkerGet(i)->name));
    freeCaptured(&c);
}

static void testRunText(void **state) {
    (void)state;
    exploreVerdict v;
    char err[512];
    const char *bad = "site S1\ndc DC1 site=S2\n";
    assert_int_equal(exploreRunText("bad.scn", bad, strlen(bad), NULL, 0, &v, err, sizeof err), MS_INPUT);
    assert_non_null(strstr(err, "bad.scn:2:"));
    /* The KB reproduction: user3 and user4 merged; only the invariants asked for are judged. */
    const char *kb = "site HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\nsource users=6\n"
                     "wizard server=EX1 dc=DC1\nmigrate all\ncancel when mailboxes=2\nwait 2m\ndeliver user3\n"
                     "logon user4\nmigrate all\nwait done\nwait converged\n"
                     "expect all not merged\nexpect all not duplicate\n";
    unsigned both = 1u << CHK_NO_MERGED | 1u << CHK_NO_DUPLICATE;
    assert_int_equal(exploreRunText("kb.scn", kb, strlen(kb), NULL, both, &v, err, sizeof err), MS_OK);
    assert_false(v.step_failed);
    assert_int_equal(v.broken, 1u << CHK_NO_MERGED);
    assert_int_equal(v.disagree, 0);
    assert_int_equal(exploreRunText("kb.scn", kb, strlen(kb), NULL, 1u << CHK_NO_DUPLICATE, &v, err, sizeof err),
                     MS_OK);
    assert_int_equal(v.broken, 0);
    /* The result says merged, but with no `expect all not merged` line the two forms disagree: not counted. */
    size_t cut = strlen(kb) - strlen("expect all not merged\nexpect all not duplicate\n");
    assert_int_equal(exploreRunText("kb.scn", kb, cut, NULL, 1u << CHK_NO_MERGED, &v, err, sizeof err), MS_OK);
    assert_int_equal(v.broken, 0);
    assert_int_equal(v.disagree, 1u << CHK_NO_MERGED);
    /* A step that fails judges nothing. */
    const char *step = "site HQ\ndc DC1 site=HQ\nserver EX1 dc=DC1\nsource users=1\nwizard server=EX1 dc=DC1\n"
                       "cancel\nexpect all not merged\n";
    assert_int_equal(exploreRunText("s.scn", step, strlen(step), NULL, 1u << CHK_NO_MERGED, &v, err, sizeof err),
                     MS_OK);
    assert_true(v.step_failed);
    assert_int_equal(v.fail_line, 6);
    assert_int_equal(v.broken, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testWizardMergesAndShrinks),
        cmocka_unit_test(testRefuseNeverMerges),
        cmocka_unit_test(testOneSeedReproduces),
        cmocka_unit_test(testDocQuoteIsReal),
        cmocka_unit_test(testJobsSameBytes),
        cmocka_unit_test(testRunFailureOnce),
        cmocka_unit_test(testMigratorError),
        cmocka_unit_test(testSameError),
        cmocka_unit_test(testUsageErrors),
        cmocka_unit_test(testHelp),
        cmocka_unit_test(testRunText),
    };
    return cmocka_run_group_tests(tests, setupDir, teardownDir);
}
