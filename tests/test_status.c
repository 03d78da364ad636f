/*
** Tests for status codes (sim/status.h): the exit-status mapping the issue
** fixes (0 every expectation holds, 1 a run-time failure, 2 bad input or
** usage) and the names used in messages.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "kernel/status.h"

static void testExitCodes(void **state) {
    (void)state;
    assert_int_equal(msExitCode(MS_OK), 0);
    assert_int_equal(msExitCode(MS_FAIL), 1);
    assert_int_equal(msExitCode(MS_INPUT), 2);
    assert_int_equal(msExitCode(MS_RANGE), 2);
    assert_int_equal(msExitCode(MS_IO), 2);
    assert_int_equal(msExitCode(MS_NOMEM), 2);
    /* A value outside the enum is still an error, never success. */
    assert_int_equal(msExitCode((msStatus)99), 2);
}

static void testNames(void **state) {
    (void)state;
    static const msStatus all[] = {MS_OK, MS_FAIL, MS_INPUT, MS_RANGE, MS_IO, MS_NOMEM};
    enum { N = sizeof all / sizeof all[0] };
    assert_string_equal(msStatusName(MS_OK), "ok");
    assert_string_equal(msStatusName(MS_FAIL), "failed");
    assert_string_equal(msStatusName(MS_INPUT), "bad input");
    assert_string_equal(msStatusName(MS_RANGE), "out of range");
    assert_string_equal(msStatusName(MS_IO), "i/o error");
    assert_string_equal(msStatusName(MS_NOMEM), "out of memory");
    for (size_t i = 0; i < N; i++)
        for (size_t j = i + 1; j < N; j++)
            assert_string_not_equal(msStatusName(all[i]), msStatusName(all[j]));
    assert_string_equal(msStatusName((msStatus)99), "unknown status");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testExitCodes),
        cmocka_unit_test(testNames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
