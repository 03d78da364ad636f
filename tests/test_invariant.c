/*
** Tests for the invariant macros (sim/kernel/invariant.h).  In a checking
** build (MIGSIM_CHECKS: make check, san, valgrind) a broken invariant must
** abort with FILE:LINE and the expression on stderr, in the test program and
** in the library alike; a check that holds must not change the value or the
** number of evaluations of its expression.  In a release build msAssert must
** not evaluate its expression and ALWAYS/NEVER must only evaluate theirs.
** Each violation runs in a forked child, so the abort is observed, not
** suffered.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kernel/invariant.h"
#include "kernel/trace.h"

static volatile int one = 1, zero = 0;
static int evaluations;

static int counted(int v) {
    evaluations++;
    return v;
}

/*
** Run fn in a child with its stderr into err (NUL-terminated); return the
** child's wait status.  No core file: an abort here is the expected outcome.
*/
static int inChild(void (*fn)(void), char *err, size_t errsz) {
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(NULL);   /* the child must not print the parent's buffered output again */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        close(fd[0]);
        dup2(fd[1], STDERR_FILENO);
        fn();
        _exit(0);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < errsz && (got = read(fd[0], err + n, errsz - 1 - n)) > 0) n += (size_t)got;
    err[n] = '\0';
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* fn must abort, and say where and what on stderr. */
static void expectAbort(void (*fn)(void), const char *where, const char *what) {
    char err[4096];
    int status = inChild(fn, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
        fail_msg("expected an abort (status %#x), stderr: %s", status, err);
    if (!strstr(err, where) || !strstr(err, what))
        fail_msg("expected \"%s\" and \"%s\" on stderr, got: %s", where, what, err);
}

#ifdef MIGSIM_CHECKS

static void brokenAssert(void) {
    msAssert(one == 2);
}

static void brokenAlways(void) {
    if (ALWAYS(zero)) _exit(3);
}

static void brokenNever(void) {
    if (NEVER(one)) _exit(3);
}

/* A library invariant: trace records are kept in time order. */
static void traceBackInTime(void) {
    trace t;
    traceInit(&t, NULL, 1);
    traceRecord r = traceNew(TR_STEP, "step");
    (void)traceEmit(&t, 10, &r, "later");
    r = traceNew(TR_STEP, "step");
    (void)traceEmit(&t, 5, &r, "earlier");
    traceFree(&t);
}

static void testBrokenAborts(void **state) {
    (void)state;
    expectAbort(brokenAssert, "test_invariant.c:", "invariant failed: one == 2");
    expectAbort(brokenAlways, "test_invariant.c:", "invariant failed: zero");
    expectAbort(brokenNever, "test_invariant.c:", "invariant failed: one");
}

static void testLibraryChecksOn(void **state) {
    (void)state;
    expectAbort(traceBackInTime, "trace.c:", "invariant failed:");
}

static void testHoldingChecksPassThrough(void **state) {
    (void)state;
    evaluations = 0;
    msAssert(counted(1));
    assert_int_equal(evaluations, 1);
    assert_int_equal(ALWAYS(counted(7)), 1);
    assert_int_equal(NEVER(counted(0)), 0);
    assert_int_equal(evaluations, 3);
}

#else

static void testReleaseEvaluatesOnlyDefensiveChecks(void **state) {
    (void)state;
    evaluations = 0;
    msAssert(counted(0));             /* not evaluated: no abort, no count */
    assert_int_equal(evaluations, 0);
    assert_int_equal(ALWAYS(counted(0)), 0);   /* evaluated once, no abort: the defensive branch runs */
    assert_int_equal(NEVER(counted(5)), 1);
    assert_int_equal(evaluations, 2);
}

#endif

/* The failure routine itself, in either build. */
static void failNow(void) {
    msInvariantFailed("here.c", 42, "x > 0");
}

static void testFailureMessage(void **state) {
    (void)state;
    expectAbort(failNow, "here.c:42: invariant failed: x > 0", "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
#ifdef MIGSIM_CHECKS
        cmocka_unit_test(testBrokenAborts),
        cmocka_unit_test(testLibraryChecksOn),
        cmocka_unit_test(testHoldingChecksPassThrough),
#else
        cmocka_unit_test(testReleaseEvaluatesOnlyDefensiveChecks),
#endif
        cmocka_unit_test(testFailureMessage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
