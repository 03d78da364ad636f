/*
** Tests for replication: change sets, stamps, propagation dampening and the
** conflict rules, including one test per reference case of the domain facts
** (Samba's DRS tests: two DCs, replication otherwise off, the named pulls
** forced with dirPullNow).  No event runs in these tests, so nothing
** replicates except the pulls a test asks for.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "dirfixture.h"

/* Pull both ways until nothing moves ("sync both ways"). */
static void syncPair(fixture *f) {
    for (int i = 0; i < 10; i++) {
        size_t a = dirPullNow(f->d, 1, 0), b = dirPullNow(f->d, 0, 1);
        if (!a && !b) return;
    }
    fail_msg("pulls did not settle");
}

static void expectName(fixture *f, int dc, const guid *g, const char *want) {
    const char *got = dirGet(f->d, dc, g, A_NAME);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static char *cnf(const char *base, const char *tag, const guid *g, char *buf, size_t n) {
    char gs[GUID_STRLEN];
    snprintf(buf, n, "%s\n%s:%s", base, tag, guidFormat(g, gs));
    return buf;
}

/* ---- pulls and dampening ---- */

static void a_pull_carries_an_object_and_its_stamps(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){3});
    fxSetTime(&f, 5 * MS_PER_SECOND);
    guid u = fxUser(&f, 0, "user1");
    assert_false(dirConverged(f.d));
    size_t moved = dirPullNow(f.d, 1, 0);
    assert_int_equal(moved, 6);   /* objectClass name sAMAccountName mail proxyAddresses uac */
    assert_true(dirIsLive(f.d, 1, &u));
    assert_string_equal(dirGet(f.d, 1, &u, A_MAIL), "user1@target.example");
    assert_int_equal(dirStampVersion(f.d, 1, &u, A_NAME), 1);
    assert_false(dirConverged(f.d));   /* DC3 lacks it */
    dirPullNow(f.d, 2, 1);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/*
** Representation (docs/model-directory.md): an object that arrives whole
** shares the source's body, so a forest holds one copy of it; a later write
** on the source copies the body first, and the destination keeps what it
** pulled until the next pull.
*/
static void a_whole_object_shares_the_body_until_written(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){3});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    dirPullNow(f.d, 2, 1);
    const dobj *a = replicaFind(&f.d->dc[0].r, &u), *b = replicaFind(&f.d->dc[1].r, &u),
               *c = replicaFind(&f.d->dc[2].r, &u);
    assert_ptr_equal(a->b, b->b);
    assert_ptr_equal(b->b, c->b);
    assert_int_equal(a->b->refs, 3);
    const char *desc = "moved";
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &desc, 1), MS_OK);
    assert_ptr_not_equal(a->b, b->b);
    assert_int_equal(b->b->refs, 2);
    assert_null(dirGet(f.d, 1, &u, A_DESCRIPTION));
    assert_string_equal(dirGet(f.d, 0, &u, A_DESCRIPTION), "moved");
    assert_int_equal(dirPullNow(f.d, 1, 0), 1);   /* only the description moves */
    assert_string_equal(dirGet(f.d, 1, &u, A_DESCRIPTION), "moved");
    fxFree(&f);
}

static void a_pull_to_an_up_to_date_partner_moves_0_attributes(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){3});
    fxUser(&f, 0, "user1");
    assert_true(dirPullNow(f.d, 1, 0) > 0);
    assert_true(dirPullNow(f.d, 2, 0) > 0);
    /* DC3 already has DC1's change: DC2's copy of it is filtered by DC3's
    ** up-to-dateness vector (propagation dampening), and a second pull from
    ** DC1 is below the high-watermark. */
    assert_int_equal(dirPullNow(f.d, 2, 1), 0);
    assert_int_equal(dirPullNow(f.d, 2, 0), 0);
    assert_int_equal(dirPullNow(f.d, 0, 1), 0);   /* nobody sends DC1 its own change */
    assert_int_equal(dirPullNow(f.d, 0, 2), 0);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void only_changed_attributes_move(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    const char *d = "desk 4";
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &d, 1), MS_OK);
    assert_int_equal(dirPullNow(f.d, 1, 0), 1);
    assert_string_equal(dirGet(f.d, 1, &u, A_DESCRIPTION), "desk 4");
    fxFree(&f);
}

/* ---- attribute stamps ---- */

static void higher_version_wins_over_later_time(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    const char *a = "a", *b = "b", *c = "c";
    fxSetTime(&f, 10 * MS_PER_SECOND);
    dirModify(f.d, 0, &u, A_DESCRIPTION, &a, 1);   /* v1 */
    dirModify(f.d, 0, &u, A_DESCRIPTION, &b, 1);   /* v2 at 10 s */
    fxSetTime(&f, 20 * MS_PER_SECOND);
    dirModify(f.d, 1, &u, A_DESCRIPTION, &c, 1);   /* v1 at 20 s */
    syncPair(&f);
    assert_string_equal(dirGet(f.d, 0, &u, A_DESCRIPTION), "b");
    assert_string_equal(dirGet(f.d, 1, &u, A_DESCRIPTION), "b");
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void same_version_later_time_wins(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    const char *a = "from DC2 at 10 s", *b = "from DC1 at 11 s";
    fxSetTime(&f, 10 * MS_PER_SECOND);
    dirModify(f.d, 1, &u, A_DESCRIPTION, &a, 1);
    fxSetTime(&f, 11 * MS_PER_SECOND);
    dirModify(f.d, 0, &u, A_DESCRIPTION, &b, 1);
    syncPair(&f);
    assert_string_equal(dirGet(f.d, 1, &u, A_DESCRIPTION), b);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void same_second_larger_invocation_id_wins(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    fxSetTime(&f, 10 * MS_PER_SECOND);
    const char *a = "DC1", *b = "DC2";
    dirModify(f.d, 0, &u, A_DESCRIPTION, &a, 1);
    fxSetTime(&f, 10 * MS_PER_SECOND + 999);   /* the same second */
    dirModify(f.d, 1, &u, A_DESCRIPTION, &b, 1);
    syncPair(&f);
    guid i1, i2;
    guidNamed(&f.k.guids, "invocation:DC1", &i1);
    guidNamed(&f.k.guids, "invocation:DC2", &i2);
    const char *want = guidCompare(&i1, &i2) > 0 ? "DC1" : "DC2";
    assert_string_equal(dirGet(f.d, 0, &u, A_DESCRIPTION), want);
    assert_string_equal(dirGet(f.d, 1, &u, A_DESCRIPTION), want);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void different_attributes_on_different_dcs_both_survive(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    dirPullNow(f.d, 1, 0);
    const char *d = "desk", *uac = "512";
    dirModify(f.d, 0, &u, A_DESCRIPTION, &d, 1);
    dirModify(f.d, 1, &u, A_USERACCOUNTCONTROL, &uac, 1);
    syncPair(&f);
    for (int dc = 0; dc < 2; dc++) {
        assert_string_equal(dirGet(f.d, dc, &u, A_DESCRIPTION), "desk");
        assert_string_equal(dirGet(f.d, dc, &u, A_USERACCOUNTCONTROL), "512");
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/* ---- reference cases (domain facts, section 5) ---- */

static void ref_name_conflict_remote_wins(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxSetTime(&f, 10 * MS_PER_SECOND);
    guid g1 = fxUser(&f, 0, "X");
    fxSetTime(&f, 11 * MS_PER_SECOND);
    guid g2 = fxUser(&f, 1, "X");
    assert_true(dirPullNow(f.d, 0, 1) > 0);   /* DC1 pulls from DC2 */
    char want[128];
    expectName(&f, 0, &g1, cnf("X", "CNF", &g1, want, sizeof want));
    expectName(&f, 0, &g2, "X");
    syncPair(&f);
    for (int dc = 0; dc < 2; dc++) {
        expectName(&f, dc, &g1, want);
        expectName(&f, dc, &g2, "X");
    }
    char dn[256], gs[GUID_STRLEN], wdn[256];
    snprintf(wdn, sizeof wdn, "CN=X\\0ACNF:%s,OU=Migrated,DC=target,DC=example", guidFormat(&g1, gs));
    assert_string_equal(dirDn(f.d, 1, &g1, dn, sizeof dn), wdn);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void ref_name_conflict_local_wins(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxSetTime(&f, 10 * MS_PER_SECOND);
    guid g2 = fxUser(&f, 1, "X");
    fxSetTime(&f, 11 * MS_PER_SECOND);
    guid g1 = fxUser(&f, 0, "X");
    dirPullNow(f.d, 0, 1);
    char want[128];
    expectName(&f, 0, &g2, cnf("X", "CNF", &g2, want, sizeof want));   /* incoming, older */
    expectName(&f, 0, &g1, "X");
    syncPair(&f);
    for (int dc = 0; dc < 2; dc++) {
        expectName(&f, dc, &g2, want);
        expectName(&f, dc, &g1, "X");
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void ref_renamed_vs_new(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxSetTime(&f, 10 * MS_PER_SECOND);
    guid g1 = fxUser(&f, 0, "Y");
    fxSetTime(&f, 11 * MS_PER_SECOND);
    assert_int_equal(dirRename(f.d, 0, &g1, "X"), MS_OK);   /* name version 2 */
    fxSetTime(&f, 12 * MS_PER_SECOND);
    guid g2 = fxUser(&f, 1, "X");                             /* name version 1, later */
    syncPair(&f);
    char want[128];
    cnf("X", "CNF", &g1, want, sizeof want);
    for (int dc = 0; dc < 2; dc++) {
        expectName(&f, dc, &g1, want);
        expectName(&f, dc, &g2, "X");
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void deleteReplicates(int dc1_pulls_first) {
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxSetTime(&f, 10 * MS_PER_SECOND);
    guid u = fxUser(&f, 0, "orig");
    dirPullNow(f.d, 1, 0);
    fxSetTime(&f, 20 * MS_PER_SECOND);
    assert_int_equal(dirDelete(f.d, 0, &u), MS_OK);
    fxSetTime(&f, 21 * MS_PER_SECOND);   /* the modify is the newer write */
    const char *d = "changed on DC2";
    assert_int_equal(dirModify(f.d, 1, &u, A_DESCRIPTION, &d, 1), MS_OK);
    if (dc1_pulls_first) {
        dirPullNow(f.d, 0, 1);
        dirPullNow(f.d, 1, 0);
    } else {
        dirPullNow(f.d, 1, 0);
        dirPullNow(f.d, 0, 1);
    }
    syncPair(&f);
    char want[128], dn[256], gs[GUID_STRLEN], wdn[256];
    cnf("orig", "DEL", &u, want, sizeof want);
    snprintf(wdn, sizeof wdn, "CN=orig\\0ADEL:%s,CN=Deleted Objects,DC=target,DC=example", guidFormat(&u, gs));
    for (int dc = 0; dc < 2; dc++) {
        assert_true(dirIsDeleted(f.d, dc, &u));
        assert_false(dirIsLive(f.d, dc, &u));
        assert_string_equal(dirDn(f.d, dc, &u, dn, sizeof dn), wdn);
        assert_null(fxRaw(&f, dc, &u, A_DESCRIPTION));   /* the delete beat the newer modify */
        assert_null(fxRaw(&f, dc, &u, A_MAIL));
        assert_string_equal(fxRaw(&f, dc, &u, A_ISDELETED), "TRUE");
        assert_string_equal(fxRaw(&f, dc, &u, A_SAMACCOUNTNAME), "orig");
        assert_string_equal(fxRaw(&f, dc, &u, A_LASTKNOWNPARENT), "OU=Migrated,DC=target,DC=example");
    }
    assert_true(dirConverged(f.d));   /* stamps agree too */
    fxFree(&f);
}

static void ref_delete_replicates_dc1_first(void **state) {
    (void)state;
    deleteReplicates(1);
}

static void ref_delete_replicates_dc2_first(void **state) {
    (void)state;
    deleteReplicates(0);
}

static void ref_non_conflicting_merge(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid dom, ou, u;
    dirContainerGuid(f.d, C_DOMAIN, &dom);
    dirValue cls[] = {{A_OBJECTCLASS, "organizationalUnit"}};
    assert_int_equal(dirAddUnder(f.d, 0, &dom, "Sales", cls, 1, &ou), MS_OK);
    assert_int_equal(dirAddUnder(f.d, 0, &ou, "u", NULL, 0, &u), MS_OK);
    syncPair(&f);
    fxSetTime(&f, 30 * MS_PER_SECOND);
    assert_int_equal(dirRename(f.d, 0, &ou, "Sales2"), MS_OK);
    const char *d = "desk";
    assert_int_equal(dirModify(f.d, 1, &u, A_DESCRIPTION, &d, 1), MS_OK);
    syncPair(&f);
    char dn[256];
    for (int dc = 0; dc < 2; dc++) {
        assert_string_equal(dirDn(f.d, dc, &u, dn, sizeof dn), "CN=u,OU=Sales2,DC=target,DC=example");
        assert_string_equal(dirGet(f.d, dc, &u, A_DESCRIPTION), "desk");
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void ref_orphan_goes_to_lostandfound(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid dom, ou, child;
    dirContainerGuid(f.d, C_DOMAIN, &dom);
    dirValue cls[] = {{A_OBJECTCLASS, "organizationalUnit"}};
    assert_int_equal(dirAddUnder(f.d, 0, &dom, "Sales", cls, 1, &ou), MS_OK);
    syncPair(&f);
    fxSetTime(&f, 30 * MS_PER_SECOND);
    assert_int_equal(dirDelete(f.d, 0, &ou), MS_OK);
    assert_int_equal(dirAddUnder(f.d, 1, &ou, "child", NULL, 0, &child), MS_OK);
    syncPair(&f);
    char dn[256];
    for (int dc = 0; dc < 2; dc++) {
        assert_true(dirIsDeleted(f.d, dc, &ou));
        assert_true(dirIsLive(f.d, dc, &child));
        assert_string_equal(dirDn(f.d, dc, &child, dn, sizeof dn), "CN=child,CN=LostAndFound,DC=target,DC=example");
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void orphan_the_other_way_round(void **state) {
    (void)state;
    /* DC2 receives the OU's tombstone while it holds the live child. */
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid dom, ou, child;
    dirContainerGuid(f.d, C_DOMAIN, &dom);
    dirValue cls[] = {{A_OBJECTCLASS, "organizationalUnit"}};
    dirAddUnder(f.d, 0, &dom, "Sales", cls, 1, &ou);
    syncPair(&f);
    dirDelete(f.d, 0, &ou);
    dirAddUnder(f.d, 1, &ou, "child", NULL, 0, &child);
    dirPullNow(f.d, 1, 0);   /* DC2 first */
    char dn[256];
    assert_string_equal(dirDn(f.d, 1, &child, dn, sizeof dn), "CN=child,CN=LostAndFound,DC=target,DC=example");
    syncPair(&f);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/* ---- tombstones ---- */

static void delete_beats_a_newer_rename_and_move(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "u"), users;
    dirContainerGuid(f.d, C_USERS, &users);
    syncPair(&f);
    fxSetTime(&f, 10 * MS_PER_SECOND);
    dirDelete(f.d, 0, &u);
    fxSetTime(&f, 11 * MS_PER_SECOND);
    assert_int_equal(dirRename(f.d, 1, &u, "renamed"), MS_OK);
    assert_int_equal(dirMove(f.d, 1, &u, &users), MS_OK);
    syncPair(&f);
    char dn[256], gs[GUID_STRLEN], wdn[256];
    /* The rename's newer name stamp wins, but a tombstone's name is always
    ** DEL-mangled and it always sits in Deleted Objects. */
    snprintf(wdn, sizeof wdn, "CN=renamed\\0ADEL:%s,CN=Deleted Objects,DC=target,DC=example", guidFormat(&u, gs));
    for (int dc = 0; dc < 2; dc++) {
        assert_true(dirIsDeleted(f.d, dc, &u));
        assert_string_equal(dirDn(f.d, dc, &u, dn, sizeof dn), wdn);
    }
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void tombstones_keep_only_preserved_attributes(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "u");
    const char *leg = "/o=Target/cn=u";
    dirModify(f.d, 0, &u, A_LEGACYEXCHANGEDN, &leg, 1);
    dirDelete(f.d, 0, &u);
    dirPullNow(f.d, 1, 0);
    assert_null(fxRaw(&f, 1, &u, A_PROXYADDRESSES));
    assert_null(fxRaw(&f, 1, &u, A_USERACCOUNTCONTROL));
    assert_string_equal(fxRaw(&f, 1, &u, A_LEGACYEXCHANGEDN), "/o=Target/cn=u");
    guid out[2];
    assert_int_equal(dirFindByProxy(f.d, 1, "SMTP:u@target.example", out, 2), 0);
    assert_true(dirIsDeleted(f.d, 1, &u));
    assert_int_equal(dirStampVersion(f.d, 1, &u, A_MAIL), 2);         /* stripped: a write */
    assert_int_equal(dirStampVersion(f.d, 1, &u, A_SAMACCOUNTNAME), 1); /* preserved: untouched */
    assert_int_equal(dirStampVersion(f.d, 1, &u, A_ISDELETED), 1);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void tombstones_are_collected_after_the_lifetime(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "u");
    dirPullNow(f.d, 1, 0);
    fxRunUntil(&f, MS_PER_HOUR);
    assert_int_equal(dirDelete(f.d, 0, &u), MS_OK);
    fxRunUntil(&f, MS_PER_HOUR + 20 * MS_PER_SECOND);
    assert_true(dirIsDeleted(f.d, 1, &u));
    /* 60 days after the delete (at 1 h) the 12 h grid's next firing is at 60 d 12 h. */
    fxRunUntil(&f, 60 * MS_PER_DAY + 11 * MS_PER_HOUR);
    assert_true(dirIsDeleted(f.d, 0, &u));
    fxRunUntil(&f, 60 * MS_PER_DAY + 12 * MS_PER_HOUR);
    assert_false(dirIsDeleted(f.d, 0, &u));
    assert_false(dirIsDeleted(f.d, 1, &u));
    assert_int_equal(dirObjectCount(f.d, 0), 5);
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/* ---- change sets see the source as it was ---- */

static void a_pull_sees_the_source_as_it_was_when_it_started(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxSetTime(&f, 0);
    guid u = fxUser(&f, 0, "u");   /* arms DC1's notification: DC2 pulls at 15 s, applies at 16 s */
    fxRunUntil(&f, 15 * MS_PER_SECOND);
    assert_false(dirIsLive(f.d, 1, &u));
    const char *d = "written during the pull";
    dirModify(f.d, 0, &u, A_DESCRIPTION, &d, 1);   /* after the pull started */
    fxRunUntil(&f, 16 * MS_PER_SECOND);
    assert_true(dirIsLive(f.d, 1, &u));
    assert_null(dirGet(f.d, 1, &u, A_DESCRIPTION));
    fxFree(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pull_carries_an_object_and_its_stamps),
        cmocka_unit_test(a_whole_object_shares_the_body_until_written),
        cmocka_unit_test(a_pull_to_an_up_to_date_partner_moves_0_attributes),
        cmocka_unit_test(only_changed_attributes_move),
        cmocka_unit_test(higher_version_wins_over_later_time),
        cmocka_unit_test(same_version_later_time_wins),
        cmocka_unit_test(same_second_larger_invocation_id_wins),
        cmocka_unit_test(different_attributes_on_different_dcs_both_survive),
        cmocka_unit_test(ref_name_conflict_remote_wins),
        cmocka_unit_test(ref_name_conflict_local_wins),
        cmocka_unit_test(ref_renamed_vs_new),
        cmocka_unit_test(ref_delete_replicates_dc1_first),
        cmocka_unit_test(ref_delete_replicates_dc2_first),
        cmocka_unit_test(ref_non_conflicting_merge),
        cmocka_unit_test(ref_orphan_goes_to_lostandfound),
        cmocka_unit_test(orphan_the_other_way_round),
        cmocka_unit_test(delete_beats_a_newer_rename_and_move),
        cmocka_unit_test(tombstones_keep_only_preserved_attributes),
        cmocka_unit_test(tombstones_are_collected_after_the_lifetime),
        cmocka_unit_test(a_pull_sees_the_source_as_it_was_when_it_started),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
