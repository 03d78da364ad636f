/*
** Tests for the outcome judge (judge.c): each outcome, the order in which
** they are checked (ghost before absent, partial before merged, unmigrated
** before partial), the counters of the mailbox judged, and stranded items.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "exfixture.h"

static void test_cloned_and_merged_with_counters(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nwait 1m\ndeliver user2 count=4\nlogon user3\n"
                                  "migrate all\nwait done\n");
    assert_non_null(r);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_MERGED);            /* filled, then merged with nothing to add */
    assert_int_equal(v.counters[CTR_EXTRA], 0);
    assert_int_equal(v.counters[CTR_DUPES], 0);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 0);
    v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_EXTRA], 4);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    assert_int_equal(exVerdict(r, 3).out, OUT_MERGED);
    v = exVerdict(r, 4);
    assert_int_equal(v.out, OUT_CLONED);
    assert_int_equal(v.counters[CTR_EXTRA] + v.counters[CTR_DUPES] + v.counters[CTR_MISSING] +
                     v.counters[CTR_RULES_BROKEN], 0);
    assert_int_equal(judgeStranded(exOf(r), 0), 0);
    exRunFree(r);
}

static void test_unmigrated_and_absent(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate user1,user2\ncancel when mailboxes=1\nwait 1m\nlogon user2\n");
    assert_non_null(r);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    userVerdict v = exVerdict(r, 2);                /* a mailbox with no source item */
    assert_int_equal(v.out, OUT_UNMIGRATED);
    assert_int_equal(v.counters[CTR_MISSING], 30);
    v = exVerdict(r, 3);                            /* no account, no mailbox: misses everything */
    assert_int_equal(v.out, OUT_ABSENT);
    assert_int_equal(v.counters[CTR_MISSING], 30);
    exRunFree(r);
}

static void test_partial_before_merged(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "set wizard.batch 10\nmigrate user1\nwait done\nlogon user1\nwait 1s\n"
                                  "migrate user2\ncancel\nlogon user2\nmigrate user2\ncancel when items=10\n");
    assert_non_null(r);
    /* user2: its mailbox initialized by logon, the merge cancelled after 10 items. */
    userVerdict v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_PARTIAL);
    assert_int_equal(v.counters[CTR_MISSING], 20);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    exRunFree(r);
}

static void test_ghost_before_absent_and_stranded(void **state) {
    (void)state;
    exRun *r = exRunText(
        "seed 3\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\n"
        "source users=4 items=30 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=5/s\nadmin dc=DC2\n"
        "migrate all\ncancel when mailboxes=1\nwait 1m\ndeliver user2 count=2\ncleanup\nmigrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    /* user1..user3 went into their old mailboxes before the deletions reached DC1 (16 s). */
    userVerdict v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_GHOST);
    assert_int_equal(v.counters[CTR_EXTRA], 2);
    assert_int_equal(exVerdict(r, 1).out, OUT_GHOST);
    /* user4 was reached after: logon failed (13003), skipped, no account. */
    assert_int_equal(exVerdict(r, 4).out, OUT_ABSENT);
    assert_int_equal(exLogCount(r, "wizard.skip", "user4"), 1);
    assert_int_equal(judgeStranded(exOf(r), 0), 2);
    exRunFree(r);
}

/* Ghost is checked before the account: a user whose last pass went into a
** mailbox no live account owns stays a ghost when a later run, cancelled
** before its pass, has given it a new account. */
static void test_ghost_with_a_new_account(void **state) {
    (void)state;
    exRun *r = exRunText(
        "seed 3\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\n"
        "source users=4 items=30 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=5/s\nadmin dc=DC2\n"
        "migrate all\ncancel when mailboxes=1\nwait 1m\ndeliver user2 count=2\ncleanup\nmigrate all\nwait done\nwait converged\n"
        "migrate user2\nwait 600ms\ncancel\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exUserOnDc(exOf(r), 0, 2), 1);   /* the new account */
    userVerdict v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_GHOST);
    assert_int_equal(v.counters[CTR_EXTRA], 2);
    exRunFree(r);
}

static void test_duplicate_counts_plain_name(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nmigrate all dc=DC2\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    for (uint32_t u = 1; u <= 4; u++) {
        userVerdict v = exVerdict(r, u);
        assert_int_equal(v.out, OUT_DUPLICATE);
        /* The plain-named account is the newer one, cloned by the rerun. */
        assert_int_equal(v.counters[CTR_MISSING], 0);
        assert_null(strstr(v.detail, "CNF"));
    }
    assert_int_equal(exUserOnDc(exOf(r), 1, 1), 1);
    exRunFree(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloned_and_merged_with_counters),
        cmocka_unit_test(test_unmigrated_and_absent),
        cmocka_unit_test(test_partial_before_merged),
        cmocka_unit_test(test_ghost_before_absent_and_stranded),
        cmocka_unit_test(test_ghost_with_a_new_account),
        cmocka_unit_test(test_duplicate_counts_plain_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
