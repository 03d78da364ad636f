/*
** Tests for one DC's replica and the access API (directory.h): building the
** forest, creates, reads, lookups, modifies, deletes, the change log.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "dirfixture.h"

static void fresh_forest_is_converged_with_identical_containers(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 2, (int[]){3, 2});
    assert_int_equal(dirDcCount(f.d), 5);
    assert_string_equal(dirDcName(f.d, 0), "DC1");
    assert_string_equal(dirDcName(f.d, 4), "DC5");
    assert_true(dirConverged(f.d));
    guid g, named;
    dirContainerGuid(f.d, C_MIGRATED, &g);
    guidNamed(&f.k.guids, "container:Migrated", &named);
    assert_memory_equal(g.b, named.b, 16);
    char dn[256];
    for (int dc = 0; dc < 5; dc++) {
        assert_true(dirIsLive(f.d, dc, &g));
        assert_string_equal(dirDn(f.d, dc, &g, dn, sizeof dn), "OU=Migrated,DC=target,DC=example");
        assert_int_equal(dirObjectCount(f.d, dc), 5);
    }
    dirContainerGuid(f.d, C_USERS, &g);
    assert_string_equal(dirDn(f.d, 0, &g, dn, sizeof dn), "CN=Users,DC=target,DC=example");
    dirContainerGuid(f.d, C_DOMAIN, &g);
    assert_string_equal(dirDn(f.d, 0, &g, dn, sizeof dn), "DC=target,DC=example");
    /* A pull between fresh DCs moves nothing: the containers are covered. */
    assert_int_equal(dirPullNow(f.d, 1, 0), 0);
    fxFree(&f);
}

static void add_then_read_through_the_same_dc(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    assert_true(dirIsLive(f.d, 0, &u));
    assert_false(dirIsLive(f.d, 1, &u));   /* not replicated yet */
    assert_false(dirIsDeleted(f.d, 0, &u));
    assert_string_equal(dirGet(f.d, 0, &u, A_SAMACCOUNTNAME), "user1");
    assert_string_equal(dirGet(f.d, 0, &u, A_USERACCOUNTCONTROL), "514");
    assert_string_equal(dirGet(f.d, 0, &u, A_NAME), "user1");
    assert_null(dirGet(f.d, 0, &u, A_DESCRIPTION));
    assert_null(dirGet(f.d, 1, &u, A_NAME));
    const char *v[4];
    assert_int_equal(dirGetAll(f.d, 0, &u, A_PROXYADDRESSES, v, 4), 2);
    assert_string_equal(v[0], "SMTP:user1@target.example");
    assert_string_equal(v[1], "X500:/o=Source/ou=Site/cn=Recipients/cn=user1");
    assert_int_equal(dirGetAll(f.d, 0, &u, A_PROXYADDRESSES, v, 1), 2);   /* count beyond max */
    char dn[256];
    assert_string_equal(dirDn(f.d, 0, &u, dn, sizeof dn), "CN=user1,OU=Migrated,DC=target,DC=example");
    assert_null(dirDn(f.d, 1, &u, dn, sizeof dn));
    assert_int_equal(dirStampVersion(f.d, 0, &u, A_NAME), 1);
    fxFree(&f);
}

static void names_are_unique_per_parent_ignoring_case(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxUser(&f, 0, "user1");
    guid g;
    dirValue v[] = {{A_SAMACCOUNTNAME, "x"}};
    assert_int_equal(dirAdd(f.d, 0, C_MIGRATED, "USER1", v, 1, &g), MS_FAIL);
    assert_int_equal(dirAdd(f.d, 0, C_USERS, "USER1", v, 1, &g), MS_OK);   /* other parent */
    assert_int_equal(dirAdd(f.d, 1, C_MIGRATED, "user1", v, 1, &g), MS_OK); /* other DC: not seen yet */
    fxFree(&f);
}

static void bad_input_is_refused_not_crashed(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid g;
    dirValue two[] = {{A_MAIL, "a@b"}, {A_MAIL, "c@d"}};
    assert_int_equal(dirAdd(f.d, 0, C_MIGRATED, "u", two, 2, &g), MS_FAIL);   /* single-valued */
    dirValue isdel[] = {{A_ISDELETED, "TRUE"}};
    assert_int_equal(dirAdd(f.d, 0, C_MIGRATED, "u", isdel, 1, &g), MS_FAIL);
    assert_int_equal(dirAdd(f.d, 0, C_MIGRATED, "", NULL, 0, &g), MS_FAIL);
    assert_int_equal(dirAdd(f.d, 7, C_MIGRATED, "u", NULL, 0, &g), MS_INPUT);
    assert_int_equal(dirAdd(f.d, 0, C_DELETED, "u", NULL, 0, &g), MS_FAIL);
    guid nowhere;
    memset(&nowhere, 7, sizeof nowhere);
    const char *val = "x";
    assert_int_equal(dirModify(f.d, 0, &nowhere, A_DESCRIPTION, &val, 1), MS_FAIL);
    assert_int_equal(dirDelete(f.d, 0, &nowhere), MS_FAIL);
    dirContainerGuid(f.d, C_MIGRATED, &g);
    assert_int_equal(dirDelete(f.d, 0, &g), MS_FAIL);   /* well-known container */
    assert_null(dirGet(f.d, -1, &g, A_NAME));
    assert_int_equal(dirFindByProxy(f.d, 9, "SMTP:x", NULL, 0), 0);
    fxFree(&f);
}

static void lookups_by_proxy_and_mailbox_guid(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid a = fxUser(&f, 0, "alice"), b = fxUser(&f, 0, "bob");
    guid out[4];
    assert_int_equal(dirFindByProxy(f.d, 0, "smtp:ALICE@target.example", out, 4), 1);
    assert_memory_equal(out[0].b, a.b, 16);
    assert_int_equal(dirFindByProxy(f.d, 0, "SMTP:nobody@target.example", out, 4), 0);
    assert_int_equal(dirFindByProxy(f.d, 1, "SMTP:alice@target.example", out, 4), 0);
    /* Two accounts with one proxy come back in objectGUID order. */
    const char *shared[] = {"SMTP:bob@target.example", "X500:/o=Source/cn=shared"};
    assert_int_equal(dirModify(f.d, 0, &b, A_PROXYADDRESSES, shared, 2), MS_OK);
    const char *shared2[] = {"smtp:alice@target.example", "x500:/O=Source/CN=Shared"};
    assert_int_equal(dirModify(f.d, 0, &a, A_PROXYADDRESSES, shared2, 2), MS_OK);
    assert_int_equal(dirFindByProxy(f.d, 0, "X500:/o=Source/cn=shared", out, 4), 2);
    assert_true(guidCompare(&out[0], &out[1]) < 0);
    /* The old values are no longer found. */
    assert_int_equal(dirFindByProxy(f.d, 0, "X500:/o=Source/ou=Site/cn=Recipients/cn=bob", out, 4), 0);
    guid mbx;
    guidNamed(&f.k.guids, "mailbox:test", &mbx);
    char ms[GUID_STRLEN];
    const char *mv = guidFormat(&mbx, ms);
    assert_int_equal(dirModify(f.d, 0, &b, A_MAILBOXGUID, &mv, 1), MS_OK);
    assert_int_equal(dirFindByMailboxGuid(f.d, 0, &mbx, out, 4), 1);
    assert_memory_equal(out[0].b, b.b, 16);
    assert_int_equal(dirModify(f.d, 0, &b, A_MAILBOXGUID, NULL, 0), MS_OK);
    assert_int_equal(dirFindByMailboxGuid(f.d, 0, &mbx, out, 4), 0);
    assert_null(dirGet(f.d, 0, &b, A_MAILBOXGUID));
    fxFree(&f);
}

static void modify_bumps_the_version_and_a_noop_does_not(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    const char *d1 = "first";
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &d1, 1), MS_OK);
    assert_int_equal(dirStampVersion(f.d, 0, &u, A_DESCRIPTION), 1);
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &d1, 1), MS_OK);
    assert_int_equal(dirStampVersion(f.d, 0, &u, A_DESCRIPTION), 1);
    const char *d2 = "second";
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &d2, 1), MS_OK);
    assert_int_equal(dirStampVersion(f.d, 0, &u, A_DESCRIPTION), 2);
    assert_string_equal(dirGet(f.d, 0, &u, A_DESCRIPTION), "second");
    const char *isdel = "TRUE";
    assert_int_equal(dirModify(f.d, 0, &u, A_ISDELETED, &isdel, 1), MS_FAIL);
    fxFree(&f);
}

static void delete_makes_a_stripped_tombstone(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    assert_int_equal(dirDelete(f.d, 0, &u), MS_OK);
    assert_false(dirIsLive(f.d, 0, &u));
    assert_true(dirIsDeleted(f.d, 0, &u));
    assert_null(dirGet(f.d, 0, &u, A_SAMACCOUNTNAME));   /* reads see live objects only */
    guid out[2];
    assert_int_equal(dirFindByProxy(f.d, 0, "SMTP:user1@target.example", out, 2), 0);
    char dn[256], want[256], gs[GUID_STRLEN];
    snprintf(want, sizeof want, "CN=user1\\0ADEL:%s,CN=Deleted Objects,DC=target,DC=example", guidFormat(&u, gs));
    assert_string_equal(dirDn(f.d, 0, &u, dn, sizeof dn), want);
    assert_int_equal(dirDelete(f.d, 0, &u), MS_FAIL);   /* not live any more */
    /* The name is free again. */
    fxUser(&f, 0, "user1");
    fxFree(&f);
}

static void an_ou_with_children_cannot_be_deleted(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid dom, ou, u;
    dirContainerGuid(f.d, C_DOMAIN, &dom);
    dirValue cls[] = {{A_OBJECTCLASS, "organizationalUnit"}};
    assert_int_equal(dirAddUnder(f.d, 0, &dom, "Sales", cls, 1, &ou), MS_OK);
    assert_int_equal(dirAddUnder(f.d, 0, &ou, "u1", NULL, 0, &u), MS_OK);
    char dn[256];
    assert_string_equal(dirDn(f.d, 0, &u, dn, sizeof dn), "CN=u1,OU=Sales,DC=target,DC=example");
    assert_int_equal(dirDelete(f.d, 0, &ou), MS_FAIL);
    assert_int_equal(dirMove(f.d, 0, &ou, &u), MS_FAIL);   /* under its own child */
    assert_int_equal(dirDelete(f.d, 0, &u), MS_OK);
    assert_int_equal(dirDelete(f.d, 0, &ou), MS_OK);
    fxFree(&f);
}

static void rename_and_move(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid a = fxUser(&f, 0, "a"), b = fxUser(&f, 0, "b"), users;
    assert_int_equal(dirRename(f.d, 0, &a, "B"), MS_FAIL);   /* taken (case-insensitive) */
    assert_int_equal(dirRename(f.d, 0, &a, "a2"), MS_OK);
    assert_string_equal(dirGet(f.d, 0, &a, A_NAME), "a2");
    assert_int_equal(dirStampVersion(f.d, 0, &a, A_NAME), 2);
    dirContainerGuid(f.d, C_USERS, &users);
    assert_int_equal(dirMove(f.d, 0, &b, &users), MS_OK);
    char dn[256];
    assert_string_equal(dirDn(f.d, 0, &b, dn, sizeof dn), "CN=b,CN=Users,DC=target,DC=example");
    assert_int_equal(dirRename(f.d, 0, &b, "b"), MS_OK);   /* same name: nothing written */
    assert_int_equal(dirStampVersion(f.d, 0, &b, A_NAME), 2);
    fxFree(&f);
}

typedef struct seen {
    guid g[16];
    int n;
} seen;

static void collect(void *ctx, const guid *obj) {
    seen *s = ctx;
    if (s->n < 16) s->g[s->n++] = *obj;
}

static void changed_objects_come_in_usn_order(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    seen s0 = {0};
    uint64_t mark = dirForEachChanged(f.d, 0, 0, collect, &s0);
    assert_int_equal(s0.n, 5);   /* the containers */
    guid a = fxUser(&f, 0, "a"), b = fxUser(&f, 0, "b");
    const char *desc = "x";
    assert_int_equal(dirModify(f.d, 0, &a, A_DESCRIPTION, &desc, 1), MS_OK);
    seen s1 = {0};
    uint64_t top = dirForEachChanged(f.d, 0, mark, collect, &s1);
    assert_int_equal(s1.n, 2);
    assert_memory_equal(s1.g[0].b, b.b, 16);   /* a changed last */
    assert_memory_equal(s1.g[1].b, a.b, 16);
    assert_int_equal(top, mark + 3);
    seen s2 = {0};
    assert_int_equal(dirForEachChanged(f.d, 0, top, collect, &s2), top);
    assert_int_equal(s2.n, 0);
    fxFree(&f);
}

static void a_failed_dc_takes_no_writes(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    assert_int_equal(dirFailDc(f.d, 1), MS_OK);
    assert_true(dirDcFailed(f.d, 1));
    assert_int_equal(dirFailDc(f.d, 1), MS_FAIL);
    guid g;
    assert_int_equal(dirAdd(f.d, 1, C_MIGRATED, "u", NULL, 0, &g), MS_FAIL);
    assert_int_equal(dirRestoreDc(f.d, 1), MS_OK);
    assert_int_equal(dirRestoreDc(f.d, 1), MS_FAIL);
    assert_int_equal(dirAdd(f.d, 1, C_MIGRATED, "u", NULL, 0, &g), MS_OK);
    fxFree(&f);
}

static void many_objects_keep_indexes_right(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){1});
    guid g[600];
    char name[32];
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof name, "u%d", i);
        g[i] = fxUser(&f, 0, name);
    }
    for (int i = 0; i < 600; i += 2) assert_int_equal(dirDelete(f.d, 0, &g[i]), MS_OK);
    guid out[2];
    for (int i = 0; i < 600; i++) {
        char proxy[64];
        snprintf(proxy, sizeof proxy, "smtp:U%d@TARGET.EXAMPLE", i);
        assert_int_equal(dirFindByProxy(f.d, 0, proxy, out, 2), i % 2 ? 1 : 0);
        assert_int_equal(dirIsLive(f.d, 0, &g[i]), i % 2);
    }
    fxFree(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_forest_is_converged_with_identical_containers),
        cmocka_unit_test(add_then_read_through_the_same_dc),
        cmocka_unit_test(names_are_unique_per_parent_ignoring_case),
        cmocka_unit_test(bad_input_is_refused_not_crashed),
        cmocka_unit_test(lookups_by_proxy_and_mailbox_guid),
        cmocka_unit_test(modify_bumps_the_version_and_a_noop_does_not),
        cmocka_unit_test(delete_makes_a_stripped_tombstone),
        cmocka_unit_test(an_ou_with_children_cannot_be_deleted),
        cmocka_unit_test(rename_and_move),
        cmocka_unit_test(changed_objects_come_in_usn_order),
        cmocka_unit_test(a_failed_dc_takes_no_writes),
        cmocka_unit_test(many_objects_keep_indexes_right),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
