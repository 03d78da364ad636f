/*
** Tests of the runner (sim/run.c): the stepping rule (one event or one step
** per simStep, steps after every event due at their instant, `wait DUR`
** landing exactly), parameters from the world statements, jitter, and
** determinism: the same scenario and seed give the same narrative, runs
** execute back to back in one process, and every scenario shipped in
** scenarios/ runs identically twice.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/report.h"
#include "simrun.h"

static msStatus noteEvent(kernel *k, void *obj, int64_t arg) {
    traceRecord r = traceNew(TR_STEP, "test");
    traceStr(&r, "note", (const char *)obj);
    traceInt(&r, "arg", arg);
    kernelEmit(k, &r, "%s %lld", (const char *)obj, (long long)arg);
    return MS_OK;
}

/* The trace's records as one string "TIME ACTOR KIND key=value...\n..." from
** their kinds and fields, not their text (caller frees). */
static char *logText(const sim *s) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    size_t n;
    const traceRecord *v = traceRecords(&s->k.tr, &n);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%lld %s %s", (long long)v[i].at, v[i].actor, traceKindName(v[i].kind));
        if (v[i].run) fprintf(f, " run=%d", v[i].run);
        for (size_t j = 0; j < v[i].nfields; j++) {
            const traceField *fd = &v[i].f[j];
            if (fd->type == TF_INT) fprintf(f, " %s=%lld", fd->key, (long long)fd->i);
            else if (fd->type == TF_STR) fprintf(f, " %s=%s", fd->key, fd->s);
        }
        fputc('\n', f);
    }
    fclose(f);
    return buf;
}

static void test_wait_lands_exactly(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 4\nsite S\ndc DC1 site=S\nwait 5m\nwait 1h30m\nwait 250ms\n", 1);
    assert_int_equal(simRun(&s), MS_OK);
    assert_int_equal(s.k.now, 5 * MS_PER_MINUTE + 90 * MS_PER_MINUTE + 250);
    assert_int_equal(s.k.seed, 4);
    simEnd(&s, &sc);
}

static void test_step_runs_after_events_due_at_its_instant(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nwait 1s\nwait 1s\n", 1);
    /* Pushed in this order: due at 1000 (twice), 2000, and one after the end. */
    assert_int_equal(kernelSchedule(&s.k, 1000, noteEvent, "a", 1, "test"), MS_OK);
    assert_int_equal(kernelSchedule(&s.k, 1000, noteEvent, "b", 2, "test"), MS_OK);
    assert_int_equal(kernelSchedule(&s.k, 2000, noteEvent, "c", 3, "test"), MS_OK);
    assert_int_equal(kernelSchedule(&s.k, 2001, noteEvent, "late", 4, "test"), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    char *text = logText(&s);
    /* The second wait (at 1000) comes after both events due at 1000; the end
    ** at 2000 after the event due at 2000; the event at 2001 never fires. */
    assert_string_equal(text,
        "0 step step line=3 statement=wait 1s\n"
        "1000 test step note=a arg=1\n"
        "1000 test step note=b arg=2\n"
        "1000 step step line=4 statement=wait 1s\n"
        "2000 test step note=c arg=3\n");
    assert_int_equal(s.k.now, 2000);
    free(text);
    simEnd(&s, &sc);
}

static msStatus scheduleInThePast(kernel *k, void *obj, int64_t arg) {
    (void)obj;
    (void)arg;
    /* Due before now: it fires at now, the clock never goes back. */
    assert_int_equal(kernelSchedule(k, 1000, noteEvent, "past", 5, "test"), MS_OK);
    return MS_OK;
}

static void test_schedule_in_the_past_fires_now(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nwait 10s\n", 1);
    assert_int_equal(kernelSchedule(&s.k, 4000, scheduleInThePast, NULL, 0, "test"), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    char *text = logText(&s);
    assert_string_equal(text,
        "0 step step line=3 statement=wait 10s\n"
        "4000 test step note=past arg=5\n");
    assert_int_equal(s.k.now, 10000);
    free(text);
    simEnd(&s, &sc);
}

/* The span is base * pct / 100 exactly, also when base is no multiple of
** 100, and the draw goes both ways around base. */
static void test_jitter_spans_both_ways_exactly(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "latency 1s jitter=20%\n", 0);
    simtime lo = 150, hi = 150;
    for (int i = 0; i < 2000; i++) {
        simtime x = kernelJitter(&s.k, 150);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    assert_int_equal(lo, 120);   /* 150 - 30 */
    assert_int_equal(hi, 180);   /* 150 + 30 */
    simEnd(&s, &sc);
}

/* A `wait converged` that gives up does so at its deadline, and says how
** long it waited from its own start (not from time 0).  The timeout is
** off every periodic grid, so no event happens to move the clock there. */
static void test_wait_converged_gives_up_at_its_deadline(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 1\nsite HQ\nsite Branch\nsitelink HQ Branch interval=15m\n"
            "dc DC1 site=HQ gc\ndc DC3 site=Branch\nserver EX1 dc=DC1 gc=DC1\n"
            "source users=1 items=2 folders=1 rules=0\nwizard server=EX1 dc=DC1\n"
            "set converge.timeout 3601s\nfail link HQ Branch\nmigrate user1\nwait 10m\n"
            "wait converged\n", 0);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.fail_line, 14);
    assert_int_equal(s.k.now, 70 * MS_PER_MINUTE + 1000);   /* off every grid */
    /* Error-message test: the failed step's message says how long it waited. */
    assert_non_null(strstr(s.k.err, "did not converge within 1h1s:"));
    simEnd(&s, &sc);
}

/* Expectations judge the outcome of every user named (the last one too),
** name only the failing users, list every counter when the expect names
** none, and compare stranded exactly. */
static void test_expectations_judge_exactly(void **state) {
    (void)state;
    scenario sc;
    simParseOk("seed 1\nad 2003\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\n"
            "server EX1 dc=DC1 gc=DC1\nsource users=6 items=100 folders=2 rules=1\n"
            "wizard server=EX1 dc=DC1 rate=20/s\nadmin dc=DC1\n"
            "migrate all\ncancel when mailboxes=2\nwait 2m\ndeliver user3 count=3\nlogon user4\n"
            "migrate all\nwait done\nwait converged\n"
            "expect user5 merged\n"             /* 18: cloned, not merged */
            "expect user6 merged\n"             /* 19: the last user is judged too */
            "expect user4,user5 cloned\n"       /* 20: user4 fails, user5 is not listed */
            "cleanup\nwait converged\nmigrate all\nwait done\nwait converged\n"
            "expect stranded=2\n"               /* 26: there are 3 */
            "expect stranded=3\n", &sc);        /* 27 */
    sim s;
    simOptions opt = {0, 0, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.step_failed, 0);
    assert_int_equal(s.nexpects, 5);
    assert_int_equal(s.nfailed, 4);
    assert_false(s.expects[0].passed);
    assert_string_equal(s.expects[0].actual, "user5 cloned extra=0 dupes=0 missing=0 rules_broken=0");
    assert_false(s.expects[1].passed);
    assert_string_equal(s.expects[1].actual, "user6 cloned extra=0 dupes=0 missing=0 rules_broken=0");
    assert_false(s.expects[2].passed);
    assert_string_equal(s.expects[2].actual, "user4 merged extra=0 dupes=0 missing=0 rules_broken=1");
    assert_false(s.expects[3].passed);
    assert_string_equal(s.expects[3].actual, "stranded=3");
    assert_true(s.expects[4].passed);
    simEnd(&s, &sc);
}

/* `expect USERS not OUTCOME` holds when none of the users has the outcome;
** an absent user's verdict shows no counters. */
static void test_expect_not_outcome(void **state) {
    (void)state;
    scenario sc;
    simParseOk("seed 1\nad 2003\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\n"
            "server EX1 dc=DC1 gc=DC1\nsource users=6 items=100 folders=2 rules=1\n"
            "wizard server=EX1 dc=DC1 rate=20/s\nadmin dc=DC1\n"
            "migrate user1..user4\ncancel when mailboxes=2\nwait 2m\ndeliver user3 count=3\n"
            "migrate user1..user3\nwait done\nwait converged\n"
            "expect user1,user2 not merged\n"      /* 17: a harmless rerun merge is not merged */
            "expect user1..user3 not merged\n"     /* 18: user3 is merged */
            "expect all not partial\n"             /* 19 */
            "expect user4,user5 not absent\n"      /* 20: user5 is absent */
            "expect user5 unmigrated\n", &sc);     /* 21: absent, shown without counters */
    sim s;
    simOptions opt = {0, 0, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.nexpects, 5);
    assert_true(s.expects[0].passed);
    assert_false(s.expects[1].passed);
    assert_string_equal(s.expects[1].actual, "user3 merged extra=3 dupes=0 missing=0 rules_broken=1");
    assert_true(s.expects[2].passed);
    assert_false(s.expects[3].passed);
    assert_string_equal(s.expects[3].actual, "user5 absent");
    assert_false(s.expects[4].passed);
    assert_string_equal(s.expects[4].actual, "user5 absent");
    simEnd(&s, &sc);
}

/* An outcome is judged only on a converged directory. */
static void test_outcome_on_unconverged_directory_fails(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 1\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1 gc=DC1\n"
            "source users=1 items=2 folders=1 rules=0\nwizard server=EX1 dc=DC1\n"
            "migrate user1\nwait 1s\nexpect user1 unmigrated\n", 0);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.nexpects, 1);
    assert_false(s.expects[0].passed);
    /* WORDING TEST: a failed expectation's `actual` is the FAIL line's and the report's words. */
    assert_non_null(strstr(s.expects[0].actual, "a directory that has not converged"));
    simEnd(&s, &sc);
}

/* An outcome expected while the run still copies says so, and names the missing step. */
static void test_expect_during_an_active_run_says_so(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 1\nsite HQ\ndc DC1 site=HQ gc\nserver EX1 dc=DC1 gc=DC1\n"
            "source users=2 items=50 folders=1 rules=0\nwizard server=EX1 dc=DC1 rate=1/s\n"
            "migrate all\nwait 5s\nexpect user2 cloned\nwait done\nwait converged\nexpect user2 cloned\n", 0);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.nexpects, 2);
    assert_false(s.expects[0].passed);
    /* WORDING TEST: a failed expectation's `actual` is the FAIL line's and the report's words. */
    assert_non_null(strstr(s.expects[0].actual, "user2 unmigrated"));
    assert_non_null(strstr(s.expects[0].actual, "migration run 1 is still active: add `wait done`"));
    assert_true(s.expects[1].passed);
    simEnd(&s, &sc);
}

static msStatus failingEvent(kernel *k, void *obj, int64_t arg) {
    (void)k;
    (void)obj;
    (void)arg;
    return MS_NOMEM;
}

/* A handler's failure stops the run as an internal error, naming the event; no verdict is made up. */
static void test_failed_event_stops_the_run(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nwait 10s\nexpect converged\n", 0);
    assert_int_equal(kernelSchedule(&s.k, 1000, failingEvent, NULL, 0, "test.failing"), MS_OK);
    assert_int_equal(simRun(&s), MS_NOMEM);
    /* Error-message test: the message names the failed event. */
    assert_non_null(strstr(s.k.err, "test.failing"));
    assert_int_equal(s.nexpects, 0);
    simEnd(&s, &sc);
}

/* A verdict is judged again once a step changed the world, even at the same instant with no event between. */
static void test_judged_again_after_a_step(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 1\nsite HQ\ndc DC1 site=HQ gc\nserver EX1 dc=DC1 gc=DC1\n"
            "source users=1 items=5 folders=1 rules=0\nwizard server=EX1 dc=DC1\nadmin dc=DC1\n"
            "migrate all\nwait done\nwait converged\nexpect user1 cloned\ndelete user1\nexpect user1 ghost\n", 0);
    assert_int_equal(simRun(&s), MS_OK);
    assert_int_equal(s.nexpects, 2);
    assert_true(s.expects[0].passed);
    assert_true(s.expects[1].passed);
    simEnd(&s, &sc);
}

static void test_one_unit_per_step(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nwait 10s\n", 1);
    for (int i = 0; i < 5; i++)
        assert_int_equal(kernelSchedule(&s.k, 1000 * (i + 1), noteEvent, "e", i, "test"), MS_OK);
    int done = 0, calls = 0;
    size_t before = 0;
    while (!done) {
        assert_int_equal(simStep(&s, &done), MS_OK);
        calls++;
        /* Each call adds at most one narrative line: one event or one step. */
        assert_true(s.k.tr.n <= before + 1);
        before = s.k.tr.n;
    }
    /* One step, five events, and the call that ends the run. */
    assert_int_equal(calls, 7);
    assert_int_equal(s.k.events_fired, 5);
    simStep(&s, &done);
    assert_true(done);
    simEnd(&s, &sc);
}

static void test_params_from_world(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "ad 2000\nlatency 2s jitter=10%\nset wizard.batch 50\nset rus.interval 2m\n", 0);
    assert_int_equal(s.k.p.ad_profile, 2000);
    assert_int_equal(s.k.p.notify_first, 300000);
    assert_int_equal(s.k.p.notify_between, 30000);
    assert_int_equal(s.k.p.latency, 2000);
    assert_int_equal(s.k.p.jitter_pct, 10);
    assert_int_equal(s.k.p.wizard_batch, 50);
    assert_int_equal(s.k.p.rus_interval, 120000);
    simEnd(&s, &sc);
}

static void test_set_overrides_profile(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "ad 2000\nset notify.first_delay 20s\n", 0);
    assert_int_equal(s.k.p.notify_first, 20000);
    assert_int_equal(s.k.p.notify_between, 30000);
    simEnd(&s, &sc);
}

static void test_seed_option_overrides(void **state) {
    (void)state;
    scenario sc;
    simParseOk("seed 9\n", &sc);
    sim s;
    simOptions opt = {1, 12345, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(s.k.seed, 12345);
    simEnd(&s, &sc);
}

static void test_jitter_bounded_and_deterministic(void **state) {
    (void)state;
    scenario sc;
    simParseOk("latency 1s jitter=20%\n", &sc);
    sim a, b;
    simOptions opt = {0, 0, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&a, &sc, &opt), MS_OK);
    assert_int_equal(simInit(&b, &sc, &opt), MS_OK);
    int varied = 0;
    for (int i = 0; i < 1000; i++) {
        simtime x = kernelJitter(&a.k, 15000), y = kernelJitter(&b.k, 15000);
        assert_int_equal(x, y);
        assert_true(x >= 12000 && x <= 18000);
        varied |= x != 15000;
    }
    assert_true(varied);
    simFree(&a);
    simFree(&b);
    scnFree(&sc);
}

static void test_no_jitter_draws_nothing(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "seed 2\n", 0);
    rng before = s.k.rjitter;
    assert_int_equal(kernelJitter(&s.k, 15000), 15000);
    assert_memory_equal(&before, &s.k.rjitter, sizeof before);
    simEnd(&s, &sc);
}

/* Run path to its end and return its narrative and JSON report (caller frees). */
static char *runFile(const char *path, uint64_t seed) {
    scenario sc;
    scnError e;
    if (scnParseFile(path, &sc, &e) != MS_OK) fail_msg("%s:%d:%d: %s", path, e.line, e.col, e.msg);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sim s;
    simOptions opt = {1, seed, f, 1, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    msStatus st = simRun(&s);
    assert_true(st == MS_OK || st == MS_FAIL);
    runResult r;
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    reportPrintTable(&r, f);
    reportPrintVerdict(&r, f);
    assert_int_equal(reportWriteJson(&r, f), MS_OK);
    resultFree(&r);
    simEnd(&s, &sc);
    fclose(f);
    return buf;
}

static int endsWithScn(const char *n) {
    size_t l = strlen(n);
    return l > 4 && strcmp(n + l - 4, ".scn") == 0;
}

/* Every shipped scenario, twice, with two seeds, and interleaved: identical each time. */
static void test_shipped_scenarios_are_deterministic(void **state) {
    (void)state;
    const char *dirs[] = {"scenarios/kb842101", "scenarios/directory", "scenarios"};
    int ran = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        DIR *dir = opendir(dirs[d]);
        if (!dir) continue;
        struct dirent *ent;
        while ((ent = readdir(dir)) != NULL) {
            if (!endsWithScn(ent->d_name)) continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[d], ent->d_name);
            char *a1 = runFile(path, 1);
            char *b1 = runFile(path, 2);
            char *a2 = runFile(path, 1);
            char *b2 = runFile(path, 2);
            assert_string_equal(a1, a2);
            assert_string_equal(b1, b2);
            free(a1);
            free(a2);
            free(b1);
            free(b2);
            ran++;
        }
        closedir(dir);
    }
    if (ran == 0) skip();
}

static void test_back_to_back_runs_identical(void **state) {
    (void)state;
    const char *text = "seed 5\nlatency 1s jitter=50%\nsite S\ndc DC1 site=S\nwait 1m\n";
    char *first = NULL;
    for (int k = 0; k < 3; k++) {
        scenario sc;
        sim s;
        simStartOk(&s, &sc, text, 1);
        for (int i = 0; i < 50; i++)
            kernelSchedule(&s.k, kernelJitter(&s.k, 1000 * i), noteEvent, "j", i, "test");
        assert_int_equal(simRun(&s), MS_OK);
        char *t = logText(&s);
        if (!first)
            first = t;
        else {
            assert_string_equal(first, t);
            free(t);
        }
        simEnd(&s, &sc);
    }
    free(first);
}

/* A run that ends while the wizard is still copying says so (exFinish is called). */
static void test_end_of_run_closes_the_world(void **state) {
    (void)state;
    const char *texts[] = {
        /* Ends normally, the wizard still busy. */
        "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=2\nwizard server=EX1 dc=DC1\n"
        "migrate all\nwait 1s\n",
        /* Ends on a failed step (a second run while one is active). */
        "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=2\nwizard server=EX1 dc=DC1\n"
        "migrate all\nmigrate all\n",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        scenario sc;
        sim s;
        simStartOk(&s, &sc, texts[k], 1);
        assert_int_equal(simRun(&s), k == 0 ? MS_OK : MS_FAIL);
        size_t nr;
        const traceRecord *v = traceRecords(&s.k.tr, &nr);
        size_t closing = 0;
        for (size_t i = 0; i < nr; i++)
            closing += v[i].kind == TR_WIZ_ACTIVE && v[i].run == 1 && strcmp(v[i].actor, "wizard") == 0 &&
                       traceFieldOf(&v[i], "mailboxes") != NULL;
        if (closing != 1) fail_msg("case %zu: %zu closing wizard.active records for run 1", k, closing);
        simEnd(&s, &sc);
    }
}

static msStatus registerLater(kernel *k, void *obj, int64_t arg) {
    (void)obj;
    (void)arg;
    /* Registered at 4000 on a 3 s grid: joins it at 6000, not 7000. */
    assert_int_equal(kernelEvery(k, 3000, noteEvent, "late", 9, "test"), MS_OK);
    return MS_OK;
}

static void test_every_fires_on_the_grid(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nwait 10s\n", 1);
    assert_int_equal(kernelEvery(&s.k, 0, noteEvent, "zero", 0, "test"), MS_RANGE);
    assert_int_equal(kernelEvery(&s.k, 3000, noteEvent, "grid", 1, "test"), MS_OK);
    assert_int_equal(kernelSchedule(&s.k, 4000, registerLater, NULL, 0, "test"), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    char *text = logText(&s);
    assert_string_equal(text,
        "0 step step line=3 statement=wait 10s\n"
        "3000 test step note=grid arg=1\n"
        "6000 test step note=grid arg=1\n"
        "6000 test step note=late arg=9\n"
        "9000 test step note=grid arg=1\n"
        "9000 test step note=late arg=9\n");
    free(text);
    simEnd(&s, &sc);
}

/* A run stopped part way reports the moment: what was judged so far, the outcomes as they stand. */
static void test_report_of_a_run_in_progress(void **state) {
    (void)state;
    scenario sc;
    sim s;
    simStartOk(&s, &sc, "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=2 items=5\n"
            "wizard server=EX1 dc=DC1\nmigrate all\nwait done\nexpect all cloned\n", 0);
    int done = 0;
    for (int i = 0; i < 3 && !done; i++) assert_int_equal(simStep(&s, &done), MS_OK);
    assert_false(done);
    runResult r;
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    assert_int_equal(r.verdict, MS_OK);
    assert_int_equal(r.nusers, 2);
    assert_int_equal(s.nexpects, 0);
    /* Mid-run nobody is cloned yet: the accounts exist, the mailboxes do not. */
    assert_int_not_equal(r.verdicts[0].out, OUT_CLONED);
    resultFree(&r);
    assert_int_equal(simRun(&s), MS_OK);
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    assert_int_equal(r.verdicts[0].out, OUT_CLONED);
    assert_int_equal(r.verdicts[1].out, OUT_CLONED);
    resultFree(&r);
    simEnd(&s, &sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_lands_exactly),
        cmocka_unit_test(test_step_runs_after_events_due_at_its_instant),
        cmocka_unit_test(test_one_unit_per_step),
        cmocka_unit_test(test_params_from_world),
        cmocka_unit_test(test_set_overrides_profile),
        cmocka_unit_test(test_seed_option_overrides),
        cmocka_unit_test(test_jitter_bounded_and_deterministic),
        cmocka_unit_test(test_no_jitter_draws_nothing),
        cmocka_unit_test(test_schedule_in_the_past_fires_now),
        cmocka_unit_test(test_jitter_spans_both_ways_exactly),
        cmocka_unit_test(test_wait_converged_gives_up_at_its_deadline),
        cmocka_unit_test(test_expectations_judge_exactly),
        cmocka_unit_test(test_outcome_on_unconverged_directory_fails),
        cmocka_unit_test(test_expect_during_an_active_run_says_so),
        cmocka_unit_test(test_failed_event_stops_the_run),
        cmocka_unit_test(test_judged_again_after_a_step),
        cmocka_unit_test(test_expect_not_outcome),
        cmocka_unit_test(test_back_to_back_runs_identical),
        cmocka_unit_test(test_report_of_a_run_in_progress),
        cmocka_unit_test(test_every_fires_on_the_grid),
        cmocka_unit_test(test_end_of_run_closes_the_world),
        cmocka_unit_test(test_shipped_scenarios_are_deterministic),
    };
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
