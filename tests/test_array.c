/*
** Tests for growable arrays (sim/array.h): the first capacity, doubling,
** contents kept across growth, and that a size that would overflow fails
** without touching the array.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include "kernel/array.h"

static void testFirstThenDoubles(void **state) {
    (void)state;
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 100; i++) {
        if (n == cap) {
            size_t was = cap;
            assert_int_equal(arrayGrow(&v, &cap, sizeof *v, 8), MS_OK);
            assert_int_equal(cap, was ? was * 2 : 8);
        }
        v[n++] = i;
    }
    assert_int_equal(cap, 128);
    for (int i = 0; i < 100; i++) assert_int_equal(v[i], i);
    free(v);
}

static void testOverflowLeavesArray(void **state) {
    (void)state;
    char *v = malloc(4);
    assert_non_null(v);
    char *was = v;
    size_t cap = SIZE_MAX / 2 + 1;
    assert_int_equal(arrayGrow(&v, &cap, 1, 8), MS_NOMEM);
    assert_ptr_equal(v, was);
    assert_int_equal(cap, SIZE_MAX / 2 + 1);
    cap = 4;
    assert_int_equal(arrayGrow(&v, &cap, SIZE_MAX / 4, 8), MS_NOMEM);
    assert_ptr_equal(v, was);
    assert_int_equal(cap, 4);
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testFirstThenDoubles),
        cmocka_unit_test(testOverflowLeavesArray),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
