/*
** Tests for the administrator and the Cleanup Agent (admin.c): delete acts
** only on what the admin DC holds ("not on DC2 (not replicated yet)"), the
** Cleanup Agent disconnects mailboxes no live account on its DC carries,
** nothing is purged before the retention period, and it is purged after.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "exfixture.h"

#define TWO_DC_WORLD(admin) \
    "seed 3\nset mailbox.retention 2h\nset cleanup.interval 1h\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\n" \
    "server EX1 dc=DC1\nsource users=2 items=10 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=10/s\nadmin dc=" admin "\n"

static void test_delete_only_what_admin_dc_holds(void **state) {
    (void)state;
    exRun *r = exRunText(TWO_DC_WORLD("DC2") "migrate all\nwait 1s\ndelete user1\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE_MISSING, "user", "user1", "dc", "DC2", NULL), 1);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE, NULL), 0);
    assert_int_equal(exUserOnDc(exOf(r), 0, 1), 1);
    exRunFree(r);
}

static void test_cleanup_disconnects_then_purges(void **state) {
    (void)state;
    exRun *r = exRunText(TWO_DC_WORLD("DC1") "migrate all\nwait done\ncleanup\nwait 1h\n");
    assert_non_null(r);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE, "user", "user1", "dc", "DC1", "dn", "CN=user1,OU=Migrated,DC=target,DC=example", NULL), 1);
    assert_int_equal(exCount(r, TR_STORE_DISCONNECT, NULL), 2);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM mailbox WHERE disconnected IS NOT NULL"), 2);
    assert_int_equal(exCount(r, TR_STORE_PURGE, NULL), 0);
    exRunFree(r);
    r = exRunText(TWO_DC_WORLD("DC1") "migrate all\nwait done\ncleanup\nwait 2h\n");
    assert_int_equal(exCount(r, TR_STORE_PURGE, NULL), 2);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM mailbox"), 0);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item"), 0);
    exRunFree(r);
}

static void test_cleanup_agent_reads_its_own_dc(void **state) {
    (void)state;
    /* Deleted on DC2: EX1's agent reads DC1, which still has the accounts. */
    exRun *r = exRunText(TWO_DC_WORLD("DC2") "migrate all\nwait done\nwait converged\ncleanup\n");
    assert_non_null(r);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE, "dc", "DC2", NULL), 2);
    assert_int_equal(exCount(r, TR_STORE_DISCONNECT, NULL), 0);
    assert_int_equal(exCount(r, TR_STORE_CLEANUP, "server", "EX1", "dc", "DC1", NULL), 1);
    assert_int_equal(exCount(r, TR_STORE_CLEANUP, NULL), 1);
    exRunFree(r);
    /* Its next run on the grid, after replication, disconnects them. */
    r = exRunText(TWO_DC_WORLD("DC2") "migrate all\nwait done\nwait converged\ncleanup\nwait 1h\n");
    assert_int_equal(exCount(r, TR_STORE_DISCONNECT, NULL), 2);
    exRunFree(r);
}

/* An account on DC1 carrying user1's X500 address that the wizard never
** matched (a twin made outside it). */
static void twinOfUser1(exRun *r) {
    const dirValue v[] = {{A_OBJECTCLASS, "user"},
                          {A_PROXYADDRESSES, "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1"}};
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "twin", v, 2, &g), MS_OK);
}

/* `delete` takes every live account on the admin DC carrying the user's
** X500 address, not only those the wizard remembers. */
static void test_delete_finds_accounts_by_x500(void **state) {
    (void)state;
    exRun *r = exRunPrepared(TWO_DC_WORLD("DC1") "delete user1\n", twinOfUser1);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE, "user", "user1", "dn", "CN=twin,CN=Users,DC=target,DC=example", NULL), 1);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE_NONE, NULL), 0);
    exRunFree(r);
}

/* The agent of a server whose DC is failed cannot read it: it does nothing,
** not even report that every mailbox has an account. */
static void test_cleanup_agent_skips_a_failed_dc(void **state) {
    (void)state;
    exRun *r = exRunText(TWO_DC_WORLD("DC2") "migrate all\nwait done\nwait converged\nfail dc DC1\ncleanup\nwait 2h\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_ADMIN_DELETE, "dc", "DC2", NULL), 2);
    assert_int_equal(exCount(r, TR_STORE_CLEANUP, NULL), 0);
    assert_int_equal(exCount(r, TR_STORE_DISCONNECT, NULL), 0);
    exRunFree(r);
}

/* The agent's runs on its grid are silent when they find nothing; only a
** `cleanup` step reports "no mailbox to disconnect". */
static void test_cleanup_agent_grid_run_is_quiet(void **state) {
    (void)state;
    exRun *r = exRunText(TWO_DC_WORLD("DC1") "migrate all\nwait done\nwait 2h\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_STORE_CLEANUP, NULL), 0);
    exRunFree(r);
}

/* The work of `export user1` after N messages were delivered to user1's mailbox. */
static uint64_t exportWork(int n) {
    char text[1024];
    snprintf(text, sizeof text, TWO_DC_WORLD("DC1") "migrate all\nwait done\nwait 30m\ndeliver user1 count=%d\n"
             "export user1\nexport user1\n", n);
    exRun *r = exRunText(text);
    assert_non_null(r);
    assert_int_equal(exCount(r, TR_ADMIN_EXPORT, "user", "user1", NULL), 2);
    assert_int_equal(exOf(r)->nheld, (size_t)n);
    uint64_t work = exOf(r)->held_walked;
    exRunFree(r);
    return work;
}

/*
** An export asks, per item it reads, whether the user's holding area holds
** its search key already: an index answers, so exporting N delivered items
** (twice: the second adds nothing) costs in proportion to N, not N^2 (a walk
** of the whole area per item took seconds for 20,000 messages).  Counted in
** holding rows looked at, not seconds.
*/
static void test_export_cost_is_linear(void **state) {
    (void)state;
    uint64_t small = exportWork(200), big = exportWork(1600);
    if (big > 10 * small || big > 4 * 1600)
        fail_msg("200 items: %llu rows looked at; 1600 items: %llu", (unsigned long long)small, (unsigned long long)big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delete_only_what_admin_dc_holds),
        cmocka_unit_test(test_export_cost_is_linear),
        cmocka_unit_test(test_cleanup_disconnects_then_purges),
        cmocka_unit_test(test_cleanup_agent_reads_its_own_dc),
        cmocka_unit_test(test_delete_finds_accounts_by_x500),
        cmocka_unit_test(test_cleanup_agent_skips_a_failed_dc),
        cmocka_unit_test(test_cleanup_agent_grid_run_is_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
