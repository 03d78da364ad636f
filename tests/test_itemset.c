/*
** Tests for a mailbox's items (itemset.c): id order, the search-key index
** through growth, equal keys, out-of-order inserts, removals, and the
** invariant check itself.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "exchange/itemset.h"

static storeItem item(int64_t id, int64_t skey) {
    return (storeItem){id, 7, skey, 100, id * 10};
}

/* How many items hold skey, walking the index. */
static int copies(const itemSet *s, int64_t skey) {
    int n = 0;
    for (int64_t i = itemSetFirst(s, skey); i >= 0; i = itemSetNextSame(s, i)) {
        assert_int_equal(s->v[i].skey, skey);
        n++;
    }
    return n;
}

static void test_empty(void **state) {
    (void)state;
    itemSet s = {0};
    assert_int_equal(itemSetFirst(&s, 5), -1);
    assert_int_equal(itemSetFindId(&s, 5), -1);
    assert_true(itemSetCheck(&s));
    itemSetFree(&s);
}

/* 1,000 items through several growths: every key found, ids in order. */
static void test_append_and_find(void **state) {
    (void)state;
    itemSet s = {0};
    for (int64_t i = 1; i <= 1000; i++) {
        storeItem it = item(i * 3, i * 7919 % 100003);
        assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    }
    assert_int_equal(s.n, 1000);
    assert_true(itemSetCheck(&s));
    for (int64_t i = 1; i <= 1000; i++) {
        assert_int_equal(copies(&s, i * 7919 % 100003), 1);
        assert_int_equal(itemSetFindId(&s, i * 3), i - 1);
    }
    assert_int_equal(itemSetFirst(&s, -1), -1);
    assert_int_equal(itemSetFindId(&s, 4), -1);
    itemSetFree(&s);
    assert_int_equal(s.n, 0);
}

/* Copies with one key are all reachable, newest first. */
static void test_equal_keys_chain(void **state) {
    (void)state;
    itemSet s = {0};
    for (int64_t i = 1; i <= 40; i++) {
        storeItem it = item(i, i % 4);
        assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    }
    for (int k = 0; k < 4; k++) assert_int_equal(copies(&s, k), 10);
    assert_int_equal(s.v[itemSetFirst(&s, 1)].id, 37);
    assert_true(itemSetCheck(&s));
    itemSetFree(&s);
}

static void test_insert_keeps_id_order(void **state) {
    (void)state;
    itemSet s = {0};
    storeItem a = item(10, 1), b = item(30, 2), c = item(20, 1), d = item(5, 3);
    assert_int_equal(itemSetAppend(&s, &a), MS_OK);
    assert_int_equal(itemSetAppend(&s, &b), MS_OK);
    assert_int_equal(itemSetInsert(&s, &c), MS_OK);
    assert_int_equal(itemSetInsert(&s, &d), MS_OK);
    assert_int_equal(itemSetInsert(&s, &c), MS_FAIL);   /* an id once */
    int64_t want[] = {5, 10, 20, 30};
    for (size_t i = 0; i < 4; i++) assert_int_equal(s.v[i].id, want[i]);
    assert_int_equal(copies(&s, 1), 2);
    assert_true(itemSetCheck(&s));
    itemSetFree(&s);
}

/* A batch merges into id order in one pass; a clash leaves the set as it was. */
static void test_add_all_merges(void **state) {
    (void)state;
    itemSet s = {0};
    for (int64_t i = 1; i <= 50; i++) {
        storeItem it = item(i * 2, i);   /* even ids */
        assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    }
    storeItem batch[300];
    for (int64_t i = 0; i < 300; i++) batch[i] = item(i * 2 + 1, 1000 + i % 7);   /* odd ids, 1..599 */
    assert_int_equal(itemSetAddAll(&s, batch, 300), MS_OK);
    assert_int_equal(s.n, 350);
    for (size_t i = 0; i < 100; i++) assert_int_equal(s.v[i].id, (int64_t)i + 1);
    assert_int_equal(s.v[349].id, 599);
    assert_int_equal(copies(&s, 1000), 43);
    assert_int_equal(copies(&s, 25), 1);
    assert_true(itemSetCheck(&s));
    storeItem clash[2] = {item(700, 1), item(4, 1)};
    assert_int_equal(itemSetAddAll(&s, clash, 2), MS_FAIL);
    assert_int_equal(s.n, 350);
    assert_int_equal(itemSetFindId(&s, 700), -1);
    assert_int_equal(itemSetAddAll(&s, clash, 0), MS_OK);
    assert_true(itemSetCheck(&s));
    itemSetFree(&s);
}

static void test_remove_and_keep(void **state) {
    (void)state;
    itemSet s = {0};
    for (int64_t i = 1; i <= 100; i++) {
        storeItem it = item(i, i % 10);
        assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    }
    assert_int_equal(itemSetRemoveAt(&s, 0), MS_OK);     /* id 1, key 1 */
    assert_int_equal(itemSetRemoveAt(&s, 500), MS_INPUT);
    assert_int_equal(copies(&s, 1), 9);
    unsigned char keep[99];
    for (size_t i = 0; i < s.n; i++) keep[i] = s.v[i].skey != 3;
    assert_int_equal(itemSetKeep(&s, keep), MS_OK);
    assert_int_equal(s.n, 89);
    assert_int_equal(copies(&s, 3), 0);
    assert_int_equal(copies(&s, 4), 10);
    assert_true(itemSetCheck(&s));
    /* Appending after removals still finds its key. */
    storeItem it = item(101, 3);
    assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    assert_int_equal(copies(&s, 3), 1);
    itemSetFree(&s);
}

/* Keys changed in place need a reindex, and the check notices when one is missing. */
static void test_reindex_and_check(void **state) {
    (void)state;
    itemSet s = {0};
    for (int64_t i = 1; i <= 20; i++) {
        storeItem it = item(i, i);
        assert_int_equal(itemSetAppend(&s, &it), MS_OK);
    }
    s.v[4].skey = 1000;
    assert_false(itemSetCheck(&s));
    assert_int_equal(itemSetReindex(&s), MS_OK);
    assert_true(itemSetCheck(&s));
    assert_int_equal(copies(&s, 1000), 1);
    assert_int_equal(copies(&s, 5), 0);
    s.v[3].id = 99;   /* out of id order */
    assert_false(itemSetCheck(&s));
    itemSetFree(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_append_and_find),
        cmocka_unit_test(test_equal_keys_chain),
        cmocka_unit_test(test_insert_keeps_id_order),
        cmocka_unit_test(test_add_all_merges),
        cmocka_unit_test(test_remove_and_keep),
        cmocka_unit_test(test_reindex_and_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
