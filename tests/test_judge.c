/*
** Tests for the outcome judge (judge.c).  The judge reads the state alone
** (directory, stores, source), so most tests build a state and look at the
** verdict: each outcome, the order in which they are checked (ghost before
** absent, unmigrated before partial, partial before merged, merged before
** cloned), each counter over the mailbox judged, which mailbox is judged for
** ghost and duplicate, and stranded items.  Independence from the wizard is
** shown twice: a migrator that writes the stores directly (no wizard in the
** world) gets the same verdicts as the wizard for the same state, and
** rewriting the wizard's journal of passes changes no verdict.
**
** Outcomes and counters are checked as values.  v.detail is the text of the
** report's detail column (an output): the checks of its words are wording
** checks of that column, not of the narrative, which is checked by record.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "exfixture.h"

/* EX_WORLD without a wizard: only the test's own writes migrate anything. */
#define NOWIZ_WORLD \
    "seed 3\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\n" \
    "source users=4 items=30 folders=1 rules=1\nadmin dc=DC1\n"

static int64_t sumCounters(const userVerdict *v) {
    return v->counters[CTR_EXTRA] + v->counters[CTR_DUPES] + v->counters[CTR_MISSING] +
           v->counters[CTR_RULES_BROKEN];
}

/* ---- the outcomes, through the wizard --------------------------------- */

static void test_rerun_merge_into_a_cloned_mailbox_stays_cloned(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nwait 1m\ndeliver user2 count=4\nlogon user3\n"
                                  "migrate all\nwait done\n");
    assert_non_null(r);
    /* user1 was cloned before the cancel; the rerun merged into it, skipping everything. */
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_CLONED);
    assert_int_equal(v.counted, 1);
    assert_int_equal(sumCounters(&v), 0);
    assert_non_null(strstr(v.detail, "merge pass: copied 0, skipped 30"));
    v = exVerdict(r, 4);
    assert_int_equal(v.out, OUT_CLONED);
    assert_non_null(strstr(v.detail, "clone pass: copied 30, skipped 0"));
    assert_int_equal(sumCounters(&v), 0);
    exRunFree(r);
}

static void test_merged_when_folders_are_not_kept(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nwait 1m\ndeliver user2 count=4\nlogon user3\n"
                                  "migrate all\nwait done\n");
    assert_non_null(r);
    /* Delivery made user2's mailbox with new folder IDs; the merge put every item there. */
    userVerdict v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_EXTRA], 4);
    assert_int_equal(v.counters[CTR_DUPES], 0);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    assert_non_null(strstr(v.detail, "6 of 6 source folders not kept"));
    v = exVerdict(r, 3);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_EXTRA], 0);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    exRunFree(r);
}

static void test_unmigrated_and_absent(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate user1,user2\ncancel when mailboxes=1\nwait 1m\nlogon user2\n");
    assert_non_null(r);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    userVerdict v = exVerdict(r, 2);                /* a mailbox with no copy */
    assert_int_equal(v.out, OUT_UNMIGRATED);
    assert_int_equal(v.counted, 1);
    assert_int_equal(v.counters[CTR_MISSING], 30);
    assert_non_null(strstr(v.detail, "holds no copy"));
    v = exVerdict(r, 3);                            /* no account: no mailbox judged, no counters */
    assert_int_equal(v.out, OUT_ABSENT);
    assert_int_equal(v.counted, 0);
    assert_int_equal(sumCounters(&v), 0);
    exRunFree(r);
}

/* A source mailbox with no items: judged by its folders once the account's
** mailbox exists (it used to be unmigrated for ever: "holds no copy"). */
static void test_an_empty_source_mailbox_is_judged_by_its_folders(void **state) {
    (void)state;
    exRun *r = exRunText("seed 3\nsite HQ\ndc DC1 site=HQ gc\nserver EX1 dc=DC1\n"
                         "source users=3 items=0 folders=2 rules=0\nwizard server=EX1 dc=DC1\n"
                         "migrate all\ncancel when mailboxes=1\nwait 1m\nlogon user2\n");
    assert_non_null(r);
    userVerdict v = exVerdict(r, 1);                /* cloned: every source folder with its ID */
    assert_int_equal(v.out, OUT_CLONED);
    assert_int_equal(sumCounters(&v), 0);
    v = exVerdict(r, 2);                            /* made by the user's logon: new folder IDs */
    assert_int_equal(v.out, OUT_MERGED);
    assert_non_null(strstr(v.detail, "source folders not kept"));
    v = exVerdict(r, 3);                            /* an account, no mailbox */
    assert_int_equal(v.out, OUT_UNMIGRATED);
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
    assert_non_null(strstr(v.detail, "misses 20 source items"));
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    exRunFree(r);
}

static void test_cancelled_clone_is_partial_until_a_rerun_completes_it(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "set wizard.batch 10\nmigrate user1\ncancel when items=10\n");
    assert_non_null(r);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_PARTIAL);
    assert_int_equal(v.counters[CTR_MISSING], 20);
    exRunFree(r);
    r = exRunText(EX_WORLD "set wizard.batch 10\nmigrate user1\ncancel when items=10\nmigrate user1\nwait done\n");
    assert_non_null(r);
    v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_CLONED);           /* the merge kept the clone's folder IDs */
    assert_int_equal(sumCounters(&v), 0);
    assert_non_null(strstr(v.detail, "merge pass: copied 20, skipped 10"));
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
    assert_int_equal(v.counters[CTR_MISSING], 0);
    assert_non_null(strstr(v.detail, "orphaned mailbox"));
    assert_int_equal(exVerdict(r, 1).out, OUT_GHOST);
    /* user4 was reached after: logon failed (13003), skipped, no account. */
    v = exVerdict(r, 4);
    assert_int_equal(v.out, OUT_ABSENT);
    assert_int_equal(v.counted, 0);
    assert_int_equal(exCount(r, TR_WIZ_SKIP, "user", "user4", NULL), 1);
    assert_int_equal(judgeStranded(exOf(r), 0), 2);
    exRunFree(r);
}

/* Ghost is checked before the account: a user whose copies sit only in an
** orphaned mailbox stays a ghost when a later run, cancelled before its
** pass, has given it a new account (whose mailbox does not exist). */
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

/* ---- a migrator of its own: direct writes to the directory and stores --- */

/* What the test's migrator does for one user. */
enum how { HOW_CLONE, HOW_MERGE, HOW_HALF, HOW_ORPHAN };

/* Create user u's account on DC1 with a new mailbox GUID on EX1 (into *mbx). */
static void ownAccount(exRun *r, uint32_t u, guid *mbx) {
    exchange *x = exOf(r);
    const srcUser *su = sourceUser(&x->src, u);
    char gs[GUID_STRLEN], smtp[120];
    guidNext(&r->s.k.guids, "mailbox", mbx);
    guidFormat(mbx, gs);
    snprintf(smtp, sizeof smtp, "SMTP:%s", su->smtp);
    const dirValue v[] = {
        {A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, su->name}, {A_MAIL, su->smtp},
        {A_PROXYADDRESSES, smtp}, {A_PROXYADDRESSES, su->x500}, {A_MAILBOXGUID, gs},
        {A_HOMEMDB, x->servers[0].homemdb},
    };
    guid acct;
    assert_int_equal(dirAdd(x->d, 0, C_MIGRATED, su->name, v, sizeof v / sizeof v[0], &acct), MS_OK);
}

/* Copy user u into mailbox g on EX1 as how says, without the wizard; returns the row. */
static int64_t ownCopy(exRun *r, uint32_t u, const guid *g, enum how how) {
    exchange *x = exOf(r);
    const srcUser *su = sourceUser(&x->src, u);
    int64_t row = 0, n = 0, last = su->first_item + su->nitems - 1;
    mergeCounts c;
    if (how == HOW_MERGE) {
        /* A mailbox initialized first (default folders, new IDs), then merged into. */
        assert_int_equal(storeCreate(&x->st, 0, g, u, INIT_LOGON, 0, 1, &row), MS_OK);
        assert_int_equal(storeMergeFolders(&x->st, 0, row, u, &n), MS_OK);
        assert_int_equal(storeCopyRules(&x->st, row, u, &n), MS_OK);
        assert_int_equal(storeMergeBatch(&x->st, row, u, su->first_item, last, &c), MS_OK);
        return row;
    }
    assert_int_equal(storeCreate(&x->st, 0, g, u, INIT_CLONE, 0, 0, &row), MS_OK);
    assert_int_equal(storeCloneFolders(&x->st, row, u), MS_OK);
    assert_int_equal(storeCopyRules(&x->st, row, u, &n), MS_OK);
    if (how == HOW_HALF) last = su->first_item + su->nitems / 2 - 1;
    assert_int_equal(storeCloneBatch(&x->st, row, su->first_item, last, &n), MS_OK);
    return row;
}

/* user1 cloned, user2 merged, user3 half cloned, user4 cloned into a
** mailbox no account names (its account carries another GUID). */
static void ownMigrator(exRun *r) {
    guid g[4], stray;
    for (uint32_t u = 1; u <= 4; u++) ownAccount(r, u, &g[u - 1]);
    ownCopy(r, 1, &g[0], HOW_CLONE);
    ownCopy(r, 2, &g[1], HOW_MERGE);
    ownCopy(r, 3, &g[2], HOW_HALF);
    guidNext(&r->s.k.guids, "mailbox", &stray);
    ownCopy(r, 4, &stray, HOW_CLONE);
}

static void test_another_migrator_is_judged_the_same(void **state) {
    (void)state;
    exRun *own = exRunPrepared(NOWIZ_WORLD "wait converged\n", ownMigrator);
    assert_non_null(own);
    assert_null(exOf(own)->mv_obj);                 /* no migrator in this world */
    userVerdict v = exVerdict(own, 1);
    assert_int_equal(v.out, OUT_CLONED);
    assert_int_equal(sumCounters(&v), 0);
    v = exVerdict(own, 2);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    v = exVerdict(own, 3);
    assert_int_equal(v.out, OUT_PARTIAL);
    assert_int_equal(v.counters[CTR_MISSING], 15);
    v = exVerdict(own, 4);
    assert_int_equal(v.out, OUT_GHOST);
    assert_int_equal(sumCounters(&v), 0);
    /* The wizard leaving the same state gets the same verdicts for user1 and user2. */
    exRun *wiz = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nwait 1m\nlogon user2\n"
                                    "migrate user2\nwait done\nwait converged\n");
    assert_non_null(wiz);
    for (uint32_t u = 1; u <= 2; u++) {
        userVerdict a = exVerdict(own, u), b = exVerdict(wiz, u);
        assert_int_equal(a.out, b.out);
        assert_memory_equal(a.counters, b.counters, sizeof a.counters);
    }
    exRunFree(wiz);
    exRunFree(own);
}

static void test_the_wizards_journal_decides_nothing(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nwait 1m\nlogon user3\nmigrate all\nwait done\n");
    assert_non_null(r);
    userVerdict before[4], after;
    for (uint32_t u = 1; u <= 4; u++) before[u - 1] = exVerdict(r, u);
    /* The migrator and everything it remembered, gone: the judge never asked it anything. */
    engineClose(r->s.world->eng);
    r->s.world->eng = NULL;
    for (uint32_t u = 1; u <= 4; u++) {
        after = exVerdict(r, u);
        assert_int_equal(after.out, before[u - 1].out);
        assert_memory_equal(after.counters, before[u - 1].counters, sizeof after.counters);
    }
    assert_int_equal(before[0].out, OUT_CLONED);
    assert_int_equal(before[2].out, OUT_MERGED);
    exRunFree(r);
}

/* ---- each counter and each rule, on state written directly ------------ */

static guid g_mbx;

static void oneCloned(exRun *r) {
    ownAccount(r, 1, &g_mbx);
    ownCopy(r, 1, &g_mbx, HOW_CLONE);
}

static int64_t mbxRow1(exRun *r) {
    return storeFind(&exOf(r)->st, 0, &g_mbx);
}

static void test_dupes_and_extra(void **state) {
    (void)state;
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    exchange *x = exOf(r);
    const srcItem *it = &x->src.items[sourceUser(&x->src, 1)->first_item - 1];
    /* Two more copies of a source item (in the Inbox) and one foreign message. */
    assert_int_equal(storeDeliver(&x->st, mbxRow1(r), it->skey, 10, 0), MS_OK);
    assert_int_equal(storeDeliver(&x->st, mbxRow1(r), it->skey, 10, 0), MS_OK);
    assert_int_equal(storeDeliver(&x->st, mbxRow1(r), 999999999, 10, 0), MS_OK);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.counters[CTR_DUPES], 2);
    assert_int_equal(v.counters[CTR_EXTRA], 1);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    /* The surplus copies sit outside their source folder unless it is the Inbox. */
    const char *inbox = "SELECT fid FROM src_folder WHERE user = 1 AND path = 'Inbox'";
    assert_int_equal(v.out, exQuery(r, inbox) == it->fid ? OUT_CLONED : OUT_MERGED);
    exRunFree(r);
}

static void test_a_copy_in_another_folder_is_a_folder_not_kept(void **state) {
    (void)state;
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    /* Move one copy into a folder that is not its source folder's. */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE item SET fid = (SELECT fid FROM folder WHERE mbx = %lld AND fid <> item.fid"
             " ORDER BY id LIMIT 1) WHERE id = (SELECT min(id) FROM item WHERE mbx = %lld)",
             (long long)mbxRow1(r), (long long)mbxRow1(r));
    assert_int_equal(sqlite3_exec(exSql(exOf(r)), sql, NULL, NULL, NULL), SQLITE_OK);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(sumCounters(&v), 0);
    assert_non_null(strstr(v.detail, "1 of 6 source folders not kept"));
    exRunFree(r);
}

static void test_a_missing_source_folder_id_is_not_kept(void **state) {
    (void)state;
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    /* A source folder with no copies in it still needs its ID (rules name it). */
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM item WHERE mbx = %lld; UPDATE folder SET fid = fid + 1000000 WHERE mbx = %lld"
             " AND path = 'Contacts'", (long long)mbxRow1(r), (long long)mbxRow1(r));
    assert_int_equal(sqlite3_exec(exSql(exOf(r)), sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(exVerdict(r, 1).out, OUT_UNMIGRATED);   /* no copy at all: unmigrated first */
    exRunFree(r);
    r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    snprintf(sql, sizeof sql, "UPDATE folder SET fid = fid + 1000000 WHERE mbx = %lld AND path = 'Contacts'",
             (long long)mbxRow1(r));
    assert_int_equal(sqlite3_exec(exSql(exOf(r)), sql, NULL, NULL, NULL), SQLITE_OK);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 0);      /* the rule names another folder */
    exRunFree(r);
}

static void test_rules_broken(void **state) {
    (void)state;
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE rule SET fid = 12345 WHERE mbx = %lld", (long long)mbxRow1(r));
    assert_int_equal(sqlite3_exec(exSql(exOf(r)), sql, NULL, NULL, NULL), SQLITE_OK);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_CLONED);                    /* rules do not decide the outcome */
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    exRunFree(r);
}

static void test_a_disconnected_mailbox_is_not_the_accounts(void **state) {
    (void)state;
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", oneCloned);
    assert_non_null(r);
    assert_int_equal(storeDisconnect(&exOf(r)->st, mbxRow1(r), 0), MS_OK);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_UNMIGRATED);
    assert_int_equal(v.counters[CTR_MISSING], 30);
    exRunFree(r);
}

/* Two orphaned mailboxes of user1: a small one made first, a full one made later. */
static guid g_small, g_full;

static void twoOrphans(exRun *r) {
    guidNext(&r->s.k.guids, "mailbox", &g_small);
    guidNext(&r->s.k.guids, "mailbox", &g_full);
    ownCopy(r, 1, &g_small, HOW_HALF);
    ownCopy(r, 1, &g_full, HOW_CLONE);
}

static void twoEqualOrphans(exRun *r) {
    guidNext(&r->s.k.guids, "mailbox", &g_small);
    guidNext(&r->s.k.guids, "mailbox", &g_full);
    ownCopy(r, 1, &g_small, HOW_CLONE);
    ownCopy(r, 1, &g_full, HOW_CLONE);
}

static void test_ghost_judges_the_orphan_with_most_copies_ties_to_the_older(void **state) {
    (void)state;
    char gs[GUID_STRLEN];
    exRun *r = exRunPrepared(NOWIZ_WORLD "wait converged\n", twoOrphans);
    assert_non_null(r);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_GHOST);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    assert_non_null(strstr(v.detail, guidFormat(&g_full, gs)));
    exRunFree(r);
    r = exRunPrepared(NOWIZ_WORLD "wait converged\n", twoEqualOrphans);
    assert_non_null(r);
    v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_GHOST);
    assert_non_null(strstr(v.detail, guidFormat(&g_small, gs)));
    exRunFree(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rerun_merge_into_a_cloned_mailbox_stays_cloned),
        cmocka_unit_test(test_merged_when_folders_are_not_kept),
        cmocka_unit_test(test_unmigrated_and_absent),
        cmocka_unit_test(test_an_empty_source_mailbox_is_judged_by_its_folders),
        cmocka_unit_test(test_partial_before_merged),
        cmocka_unit_test(test_cancelled_clone_is_partial_until_a_rerun_completes_it),
        cmocka_unit_test(test_ghost_before_absent_and_stranded),
        cmocka_unit_test(test_ghost_with_a_new_account),
        cmocka_unit_test(test_duplicate_counts_plain_name),
        cmocka_unit_test(test_another_migrator_is_judged_the_same),
        cmocka_unit_test(test_the_wizards_journal_decides_nothing),
        cmocka_unit_test(test_dupes_and_extra),
        cmocka_unit_test(test_a_copy_in_another_folder_is_a_folder_not_kept),
        cmocka_unit_test(test_a_missing_source_folder_id_is_not_kept),
        cmocka_unit_test(test_rules_broken),
        cmocka_unit_test(test_a_disconnected_mailbox_is_not_the_accounts),
        cmocka_unit_test(test_ghost_judges_the_orphan_with_most_copies_ties_to_the_older),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
