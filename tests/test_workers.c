/*
** Tests of the worker processes (sim/cli/workers.c) on a job of their own,
** whose items are cheap arithmetic: every item is taken once, at its own
** number, with 1 to 5 jobs and with more jobs than items; the failure
** returned is the first in item order whichever worker meets it and
** whichever comes first in time (a later failing item is made to fail at
** once, an earlier one only after a sleep); a worker that dies of a signal
** or exits before its items are done is one error line, naming it, unless
** the items it left come after a failure; --jobs's values.  The items'
** results do not depend on time, so neither do the assertions.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/workers.h"

#define N 100

/* How an item behaves. */
enum { ITEM_OK, ITEM_FAIL, ITEM_FAIL_LATE, ITEM_KILL, ITEM_EXIT };

typedef struct testMsg {
    uint64_t square;
    char why[40];
} testMsg;

typedef struct testJob {
    int how[N];
    uint64_t got[N];
    int taken[N];
    int takes;
} testJob;

static int testRun(void *ctx, size_t i, void *msg) {
    const testJob *t = ctx;
    testMsg *m = msg;
    m->square = (uint64_t)i * i;
    switch (t->how[i]) {
    case ITEM_FAIL_LATE:
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        /* fall through */
    case ITEM_FAIL:
        snprintf(m->why, sizeof m->why, "item %zu failed", i);
        return 1;
    case ITEM_KILL:
        raise(SIGKILL);
        return 0;
    case ITEM_EXIT:
        _exit(0);
    default:
        return 0;
    }
}

static void testTake(void *ctx, size_t i, const void *msg) {
    testJob *t = ctx;
    t->got[i] = ((const testMsg *)msg)->square;
    t->taken[i]++;
    t->takes++;
}

typedef struct outcome {
    msStatus st;
    size_t failed;
    testMsg msg;
    char *err;
} outcome;

static outcome runJob(testJob *t, size_t n, int jobs) {
    outcome o;
    memset(&o, 0, sizeof o);
    size_t len, outlen;
    char *outbuf = NULL;
    FILE *err = open_memstream(&o.err, &len);
    FILE *out = open_memstream(&outbuf, &outlen);
    workersJob job = {"test", n, sizeof(testMsg), t, testRun, testTake};
    o.st = workersRun(&job, jobs, out, err, &o.failed, &o.msg);
    fclose(out);
    fclose(err);
    free(outbuf);
    return o;
}

static void testEveryItemOnce(void **state) {
    (void)state;
    int jobs[] = {1, 2, 3, 5, 256};
    for (size_t k = 0; k < sizeof jobs / sizeof jobs[0]; k++) {
        testJob t;
        memset(&t, 0, sizeof t);
        outcome o = runJob(&t, N, jobs[k]);
        assert_int_equal(o.st, MS_OK);
        assert_string_equal(o.err, "");
        assert_int_equal(t.takes, N);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(t.taken[i], 1);
            assert_int_equal(t.got[i], (uint64_t)i * i);
        }
        free(o.err);
    }
    /* No items: nothing runs, nothing forks. */
    testJob t;
    memset(&t, 0, sizeof t);
    outcome o = runJob(&t, 0, 4);
    assert_int_equal(o.st, MS_OK);
    assert_int_equal(t.takes, 0);
    free(o.err);
}

/* Items 37 (late) and 62 (at once) fail: 37 is returned with any number of jobs, and nothing is said. */
static void testFirstFailureInOrder(void **state) {
    (void)state;
    for (int jobs = 1; jobs <= 5; jobs++) {
        testJob t;
        memset(&t, 0, sizeof t);
        t.how[37] = ITEM_FAIL_LATE;
        t.how[62] = ITEM_FAIL;
        outcome o = runJob(&t, N, jobs);
        assert_int_equal(o.st, MS_FAIL);
        assert_int_equal(o.failed, 37);
        assert_string_equal(o.msg.why, "item 37 failed");
        assert_string_equal(o.err, "");
        assert_int_equal(t.taken[37], 0);
        for (size_t i = 0; i < 37; i++) assert_int_equal(t.taken[i], 1);   /* everything before it ran */
        free(o.err);
    }
}

/* A worker killed by a signal, or gone early, is one line and not MS_OK; after an earlier failure it does not matter. */
static void testWorkerDies(void **state) {
    (void)state;
    testJob t;
    memset(&t, 0, sizeof t);
    t.how[4] = ITEM_KILL;   /* item 4 of 2 jobs: the first worker's */
    outcome o = runJob(&t, N, 2);
    assert_int_not_equal(o.st, MS_OK);
    assert_int_not_equal(o.st, MS_FAIL);
    assert_string_equal(o.err, "migsim: error: test worker 1 ended by signal 9\n");
    free(o.err);

    memset(&t, 0, sizeof t);
    t.how[7] = ITEM_EXIT;   /* item 7 of 3 jobs: the second worker's third item */
    o = runJob(&t, 10, 3);
    assert_int_not_equal(o.st, MS_OK);
    assert_int_not_equal(o.st, MS_FAIL);
    /* How many of its items arrived depends on when its batch was sent: the line names the worker. */
    assert_non_null(strstr(o.err, "migsim: error: test worker 2 ended early ("));
    assert_non_null(strstr(o.err, " of 3 runs)\n"));
    assert_int_equal(strchr(o.err, '\n') - o.err + 1, (long)strlen(o.err));
    free(o.err);

    memset(&t, 0, sizeof t);
    t.how[0] = ITEM_FAIL_LATE;
    t.how[1] = ITEM_KILL;   /* every item the dead worker left comes after the failure: the failure is the answer */
    o = runJob(&t, N, 3);
    assert_int_equal(o.st, MS_FAIL);
    assert_int_equal(o.failed, 0);
    assert_string_equal(o.err, "");
    free(o.err);
}

static void testParseJobs(void **state) {
    (void)state;
    int j = 0;
    assert_int_equal(workersParseJobs("1", &j), 0);
    assert_int_equal(j, 1);
    assert_int_equal(workersParseJobs("256", &j), 0);
    assert_int_equal(j, 256);
    const char *bad[] = {"0", "257", "", "x", "-1", "2x", " 2", "99999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) assert_int_equal(workersParseJobs(bad[k], &j), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testEveryItemOnce),
        cmocka_unit_test(testFirstFailureInOrder),
        cmocka_unit_test(testWorkerDies),
        cmocka_unit_test(testParseJobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
