/*
** Tests for the Exchange Migration Wizard (wizard.c): stage 1 creates then
** matches accounts, clone keeps folder IDs, merge after initialization,
** batches cost 1/rate per copied item, the 13003 retry then skip, the cancel
** conditions, the step failures, the closing log and status, determinism.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "exfixture.h"


/* Passes the wizard started (a successful logon: clone or merge), for user (NULL: any). */
static int passes(const exRun *r, const char *user) {
    if (!user) return exCount(r, TR_WIZ_CLONE, NULL) + exCount(r, TR_WIZ_MERGE, NULL);
    return exCount(r, TR_WIZ_CLONE, "user", user, NULL) + exCount(r, TR_WIZ_MERGE, "user", user, NULL);
}

/* Completed passes of mode ("clone", "merge"; NULL: any) for user (NULL: any). */
static int passesDone(const exRun *r, const char *user, const char *mode) {
    size_t n;
    int c = 0;
    const traceRecord *v = exRecords(r, &n);
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != TR_WIZ_PASS_DONE || (user && strcmp(v[i].user, user) != 0)) continue;
        if (mode && strcmp(traceFieldOf(&v[i], "mode")->s, mode) != 0) continue;
        c++;
    }
    return c;
}

/* The field key of user's completed pass in mode (asserts there is one). */
static int64_t passField(const exRun *r, const char *user, const char *mode, const char *key) {
    size_t n;
    const traceRecord *v = exRecords(r, &n);
    for (size_t i = 0; i < n; i++)
        if (v[i].kind == TR_WIZ_PASS_DONE && strcmp(v[i].user, user) == 0 &&
            strcmp(traceFieldOf(&v[i], "mode")->s, mode) == 0)
            return exField(&v[i], key);
    fail_msg("no %s pass for %s", mode, user);
    return -1;
}

/* Completed passes that copied exactly copied items. */
static int passesDoneCopied(const exRun *r, int64_t copied) {
    size_t n;
    int c = 0;
    const traceRecord *v = exRecords(r, &n);
    for (size_t i = 0; i < n; i++)
        c += v[i].kind == TR_WIZ_PASS_DONE && exField(&v[i], "copied") == copied;
    return c;
}

/* Passes the closing logs report cancelled during the copy, for user (NULL: any); copied (-1: any). */
static int passesCancelled(const exRun *r, const char *user, int64_t copied) {
    size_t n;
    int c = 0;
    const traceRecord *v = exRecords(r, &n);
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != TR_WIZ_LOG_MAILBOX || (user && strcmp(v[i].user, user) != 0)) continue;
        if (strcmp(traceFieldOf(&v[i], "state")->s, "cancelled during the copy") != 0) continue;
        if (copied >= 0 && exField(&v[i], "copied") != copied) continue;
        c++;
    }
    return c;
}

static void test_clone_all(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_CREATE, "run", "1", "dc", "DC1", NULL), 4);
    assert_int_equal(exCount(r, TR_WIZ_CLONE, NULL), 4);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_MERGE_FOLDERS, NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_MERGE_RULES, NULL), 0);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item"), 120);
    assert_int_equal(passesDone(r, NULL, "clone"), 4);
    /* Clone keeps every source folder ID. */
    assert_int_equal(exQuery(r, "SELECT count(*) FROM folder f JOIN src_folder s ON s.fid = f.fid AND s.path = f.path"),
                     exQuery(r, "SELECT count(*) FROM src_folder"));
    /* Stage 1: 4 x 500 ms; logon 1 s; 30 items at 10/s = 3 s. */
    assert_int_equal(exAt(r, TR_WIZ_CLONE, "user", "user1", NULL), 3000);
    assert_int_equal(exAt(r, TR_WIZ_PASS_DONE, "user", "user1", NULL), 6000);
    assert_int_equal(exAt(r, TR_WIZ_PASS_DONE, "user", "user2", NULL), 10000);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "status", "0", NULL), 1);
    exRunFree(r);
}

static void test_rerun_matches_and_merges(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=1\nlogon user2\nmigrate all\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "run", "2", "by", "X500 address", NULL), 4);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 2);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, "user", "user2", "initialized_by", "logon", "initialized_at", "6000", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, "initialized_by", "logon", NULL), 1);
    /* user1's mailbox was filled by the first pass: every item skipped, no cost. */
    assert_int_equal(passField(r, "user1", "merge", "skipped"), 30);
    assert_int_equal(passField(r, "user2", "merge", "copied"), 30);
    simtime merged = exAt(r, TR_WIZ_MERGE, "user", "user1", NULL);
    assert_true(merged > 0);
    assert_int_equal(exAt(r, TR_WIZ_PASS_DONE, "user", "user1", "mode", "merge", NULL), merged);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "status", "1", NULL), 2);
    /* WORDING TEST: the merge line is the story's turning point, its words pinned whole. */
    const traceRecord *m = exFind(r, TR_WIZ_MERGE, "user", "user2", NULL);
    assert_non_null(m);
    char mg[GUID_STRLEN], want[256];
    snprintf(want, sizeof want, "user2: clone mode not possible, mailbox initialized: switching to merge mode "
             "(mailbox %s on EX1, initialized by logon at +00:00:06.000)", guidFormat(&m->mailbox, mg));
    assert_string_equal(m->text, want);
    userVerdict v = exVerdict(r, 2);
    assert_int_equal(v.out, OUT_MERGED);
    assert_int_equal(v.counters[CTR_RULES_BROKEN], 1);
    assert_int_equal(exVerdict(r, 3).out, OUT_CLONED);
    exRunFree(r);
}

static void test_13003_retry_then_skip(void **state) {
    (void)state;
    exRun *r = exRunText(
        "seed 3\nad 2000\nset wizard.retry_window 2m\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ gc\n"
        "server EX1 dc=DC2\nsource users=4 items=30 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=10/s\n"
        "migrate all\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    /* First failure at 3 s; retries judged at 64 s and 124 s; then skipped. */
    assert_int_equal(exAt(r, TR_WIZ_13003, "user", "user1", NULL), 3000);
    assert_int_equal(exAt(r, TR_WIZ_SKIP, "user", "user1", NULL), 124000);
    assert_int_equal(exAt(r, TR_WIZ_13003, "user", "user2", NULL), 125000);
    /* 13003 is the wizard's event (MSExchangeMig), not the store's: every
    ** 13003 and skip is the wizard's, and its lookup is the store's on DC2. */
    assert_int_equal(exCount(r, TR_WIZ_13003, NULL), 3);
    assert_int_equal(exCount(r, TR_WIZ_13003, "actor", "wizard", "server", "EX1", "dc", "DC2", NULL), 3);
    assert_int_equal(exCount(r, TR_WIZ_SKIP, "actor", "wizard", NULL), exCount(r, TR_WIZ_SKIP, NULL));
    assert_int_equal(exAt(r, TR_WIZ_SKIP, "user", "user2", NULL), 246000);
    assert_int_equal(exField(exFind(r, TR_WIZ_13003, "user", "user1", NULL), "last_attempt_at"), 123000);
    assert_int_equal(exField(exFind(r, TR_WIZ_SKIP, "user", "user1", NULL), "attempts"), 2);
    /* WORDING TEST: the 13003 line names the event as an administrator finds
    ** it, the cause and the retries; its words are pinned whole. */
    const traceRecord *e = exFind(r, TR_WIZ_13003, "user", "user1", NULL);
    char mg[GUID_STRLEN], want[320];
    snprintf(want, sizeof want, "user1: event 13003 (MSExchangeMig), failed to log on to the target mailbox %s on EX1: "
             "the store finds no live account carrying it on DC2; retrying every 1m, the last attempt at +00:02:03.000",
             guidFormat(&e->mailbox, mg));
    assert_string_equal(e->text, want);
    /* DC2 has the accounts at 301 s: user3's retry at 308 s succeeds. */
    assert_int_equal(exAt(r, TR_WIZ_CLONE, "user", "user3", NULL), 308000);
    assert_int_equal(exCount(r, TR_WIZ_CLONE, NULL), 2);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "status", "2", "completed", "2", "skipped", "2", "failed", "0",
                             "cancelled", "0", "not_processed", "0", NULL), 1);
    assert_int_equal(passes(r, "user1") + passes(r, "user2"), 0);
    assert_int_equal(exVerdict(r, 1).out, OUT_UNMIGRATED);
    exRunFree(r);
}

static void test_cancel_when_items_is_partial(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "set wizard.batch 10\n" "migrate all\ncancel when items=15\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    /* Batches of 10: the boundary at 20 items is the first at or after 15. */
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item"), 20);
    assert_int_equal(passesCancelled(r, "user1", 20), 1);
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "at a batch boundary", NULL), 5000);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_PARTIAL);
    assert_int_equal(v.counters[CTR_MISSING], 10);
    assert_int_equal(exVerdict(r, 2).out, OUT_UNMIGRATED);
    assert_int_equal(exCount(r, TR_WIZ_LOG_MAILBOX, "user", "user1", "state", "cancelled during the copy", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_LOG_MAILBOX, "state", "cancelled during the copy", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "status", "1", "completed", "0", "skipped", "0", "failed", "0",
                             "cancelled", "1", "not_processed", "3", NULL), 1);
    exRunFree(r);
}

static void test_cancel_when_mailboxes_stops_before_next_logon(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=2\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "before the next logon", NULL), 10000);
    assert_int_equal(passes(r, NULL), 2);
    assert_int_equal(exCount(r, TR_WIZ_LOG_MAILBOX, "state", "not processed", NULL), 2);
    exRunFree(r);
}

/* CN=user1,OU=Migrated on DC1, carrying neither of user1's addresses: the
** wizard cannot match it and cannot create the account. */
static void takeUser1Name(exRun *r) {
    const dirValue v[] = {{A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, "someone"}};
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_MIGRATED, "user1", v, 2, &g), MS_OK);
}

static void test_cancel_when_mailboxes_counts_a_failed_account(void **state) {
    (void)state;
    exRun *r = exRunPrepared(EX_WORLD "migrate all\ncancel when mailboxes=1\n", takeUser1Name);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_ERROR, "user", "user1", "dc", "DC1", "reason", "the name is taken", NULL), 1);
    /* user1 is the run's first finished mailbox (failed): the wizard stops
    ** before it logs on to user2. */
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "before the next logon", "mailboxes", "1", NULL), 2000);
    assert_int_equal(passes(r, NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_LOG_MAILBOX, "user", "user1", "state", "failed: no target account", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_LOG_MAILBOX, "state", "not processed", NULL), 3);
    /* The status line counts each selected mailbox once, as the log says it ended. */
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "status", "2", "completed", "0", "skipped", "0", "failed", "1",
                             "cancelled", "0", "not_processed", "3", NULL), 1);
    exRunFree(r);
}

/* An account on DC1 carrying user1's X500 address and a mailbox GUID, with a
** mail address of its own, but no homeMDB and no legacyExchangeDN. */
static void halfEnabledUser1(exRun *r) {
    const dirValue v[] = {
        {A_OBJECTCLASS, "user"},
        {A_SAMACCOUNTNAME, "jdoe"},
        {A_PROXYADDRESSES, "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1"},
        {A_MAIL, "jdoe@elsewhere.example"},
        {A_MAILBOXGUID, "0e0e0e0e-0000-4000-8000-000000000001"},
    };
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "jdoe", v, 5, &g), MS_OK);
}

static void test_match_fills_only_blank_attributes(void **state) {
    (void)state;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", halfEnabledUser1);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    exchange *x = exOf(r);
    guid g[2];
    assert_int_equal(dirFindByProxy(x->d, 0, "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1", g, 2), 1);
    /* Kept: the mailbox GUID and mail it had. */
    assert_string_equal(dirGet(x->d, 0, &g[0], A_MAILBOXGUID), "0e0e0e0e-0000-4000-8000-000000000001");
    assert_string_equal(dirGet(x->d, 0, &g[0], A_MAIL), "jdoe@elsewhere.example");
    /* Filled: the blank homeMDB and legacyExchangeDN. */
    assert_non_null(dirGet(x->d, 0, &g[0], A_HOMEMDB));
    assert_string_equal(dirGet(x->d, 0, &g[0], A_HOMEMDB), x->servers[0].homemdb);
    assert_non_null(dirGet(x->d, 0, &g[0], A_LEGACYEXCHANGEDN));
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "user", "user1", "filled", "homeMDB, legacyExchangeDN, proxyAddresses",
                             NULL), 1);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    exRunFree(r);
}

#define USER1_X500 "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1"

/* An account on DC1 carrying only user1's source SMTP address. */
static void smtpOnlyUser1(exRun *r) {
    const dirValue v[] = {{A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, "jdoe"},
                          {A_PROXYADDRESSES, "SMTP:user1@source.example"}};
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "jdoe", v, 3, &g), MS_OK);
}

/* No account carries the X500 address: the wizard matches by SMTP address. */
static void test_match_falls_back_to_smtp(void **state) {
    (void)state;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", smtpOnlyUser1);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "user", "user1", "dn", "CN=jdoe,CN=Users,DC=target,DC=example", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "by", "SMTP address", NULL), 1);
    guid g[2];                                     /* and gives it the X500 address */
    assert_int_equal(dirFindByProxy(exOf(r)->d, 0, USER1_X500, g, 2), 1);
    exRunFree(r);
}

/* Two accounts on DC1 carrying user1's X500 address. */
static void twoCarryUser1X500(exRun *r) {
    const dirValue v[] = {{A_OBJECTCLASS, "user"}, {A_PROXYADDRESSES, USER1_X500}};
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "one", v, 2, &g), MS_OK);
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "two", v, 2, &g), MS_OK);
}

/* Several match: the wizard takes the first by GUID, and fills only it. */
static void test_match_takes_the_first_by_guid(void **state) {
    (void)state;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", twoCarryUser1X500);
    assert_non_null(r);
    exchange *x = exOf(r);
    guid g[2];
    assert_int_equal(dirFindByProxy(x->d, 0, USER1_X500, g, 2), 2);
    const guid *first = guidCompare(&g[0], &g[1]) < 0 ? &g[0] : &g[1];
    const guid *other = first == &g[0] ? &g[1] : &g[0];
    char want[128], gs[GUID_STRLEN];
    snprintf(want, sizeof want, "CN=%s,CN=Users,DC=target,DC=example", dirGet(x->d, 0, first, A_NAME));
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "user", "user1", "dn", want, "object", guidFormat(first, gs), NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "candidates", "2", NULL), 1);
    assert_non_null(dirGet(x->d, 0, first, A_MAILBOXGUID));
    assert_null(dirGet(x->d, 0, other, A_MAILBOXGUID));
    exRunFree(r);
}

/* items=N reached exactly as a mailbox's last batch ends: that pass
** completes, and the run is cancelled before the next logon. */
static void test_cancel_when_items_reached_at_a_mailbox_end(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when items=30\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(passes(r, NULL), 1);
    assert_int_equal(passesDoneCopied(r, 30), 1);
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "at a batch boundary", "mailboxes", "1", "items", "30", NULL), 6000);
    exRunFree(r);
}

/* A pass's time is its copied items at `rate`, rounded up to the next
** millisecond: 10 items at 3/s take 3334 ms, never less than the rate allows. */
static void test_copy_time_rounds_up(void **state) {
    (void)state;
    exRun *r = exRunText("seed 3\nsite HQ\ndc DC1 site=HQ gc\nserver EX1 dc=DC1\n"
                         "source users=1 items=10 folders=1 rules=0\nwizard server=EX1 dc=DC1 rate=3/s\n"
                         "migrate user1\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exAt(r, TR_WIZ_PASS_DONE, "user", "user1", NULL) - exAt(r, TR_WIZ_CLONE, "user", "user1", NULL), 3334);
    exRunFree(r);
}

/* After `cleanup` and a rerun, the user's association is the newest
** account and mailbox: a logon goes there, not to the deleted one. */
static void test_logon_uses_the_newest_association(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate user1\nwait done\ncleanup\nwait converged\n"
                                  "migrate user1\nwait done\nwait converged\nlogon user1\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exOf(r)->logon_failures, 0);
    assert_int_equal(exCount(r, TR_LOGON, NULL), 1);
    /* ... to the newest association: the rerun's mailbox. */
    const traceRecord *pass2 = exFind(r, TR_WIZ_CLONE, "user", "user1", "run", "2", NULL);
    assert_non_null(pass2);
    char mg[GUID_STRLEN];
    assert_int_equal(exCount(r, TR_LOGON, "user", "user1", "mailbox", guidFormat(&pass2->mailbox, mg), NULL), 1);
    exRunFree(r);
}

/* A cancelled pass into a mailbox followed by a completed one: the judge
** reads the last pass into it, so the user is merged, not partial. */
static void test_a_completed_rerun_is_not_partial(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "set wizard.batch 10\nmigrate user1\ncancel when items=10\n"
                                  "migrate user1\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(passesCancelled(r, "user1", -1), 1);
    /* The rerun's merge completed the clone's mailbox, folder IDs kept: the
    ** state is a clone's, and the judge reads the state. */
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    exRunFree(r);
}

/* An account with a primary SMTP address of its own keeps it: the source
** address is added as a secondary (lowercase smtp:). */
static void primarySmtpUser1(exRun *r) {
    const dirValue v[] = {{A_OBJECTCLASS, "user"}, {A_PROXYADDRESSES, USER1_X500},
                          {A_PROXYADDRESSES, "SMTP:jdoe@elsewhere.example"}};
    guid g;
    assert_int_equal(dirAdd(exOf(r)->d, 0, C_USERS, "jdoe", v, 3, &g), MS_OK);
}

static void test_match_keeps_the_primary_smtp(void **state) {
    (void)state;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait 1s\n", primarySmtpUser1);
    assert_non_null(r);
    exchange *x = exOf(r);
    guid g[2];
    assert_int_equal(dirFindByProxy(x->d, 0, USER1_X500, g, 2), 1);
    const char *v[8];
    size_t n = dirGetAll(x->d, 0, &g[0], A_PROXYADDRESSES, v, 8);
    int primary = 0, secondary = 0;
    for (size_t i = 0; i < n; i++) {
        primary += strncmp(v[i], "SMTP:", 5) == 0;
        secondary += strcmp(v[i], "smtp:user1@source.example") == 0;
    }
    assert_int_equal(primary, 1);
    assert_int_equal(secondary, 1);
    exRunFree(r);
}

/* `cancel when` whose condition already holds cancels at once, mid-pass,
** not when the next mailbox would start. */
static void test_cancel_when_already_held_cancels_now(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\nwait 7s\ncancel when mailboxes=1\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "now (the condition already held)", NULL), 7000);
    assert_int_equal(passesDone(r, NULL, NULL), 1);
    exRunFree(r);
}

/* `cancel when mailboxes=0` during stage 1 is not a condition already
** held: it takes effect before the first logon of stage 2, once every
** account of the run exists and before any mailbox is touched. */
static void test_cancel_when_mailboxes_0_waits_for_stage_2(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=0\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    /* Stage 1: 4 x 500 ms; stage 2 begins at 2 s and stops at once. */
    assert_int_equal(exAt(r, TR_WIZ_CANCEL, "how", "before the first logon", NULL), 2000);
    assert_int_equal(exCount(r, TR_WIZ_CANCEL, NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_CREATE, NULL), 4);
    assert_int_equal(exCount(r, TR_WIZ_STAGE2, NULL), 1);
    assert_int_equal((int)engineUsers(r->s.world->eng, NULL, 0), 4);
    assert_int_equal(passes(r, NULL), 0);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM mailbox"), 0);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "completed", "0", "skipped", "0", "failed", "0", "cancelled", "0",
                             "not_processed", "4", NULL), 1);
    assert_false(engineActive(r->s.world->eng));
    exRunFree(r);
}

static void test_create_on_a_failed_dc(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "fail dc DC1\nmigrate user1\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_ERROR, "user", "user1", "dc", "DC1", "reason", "the DC is failed", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_ERROR, "reason", "the name is taken", NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_START, "run", "1", "users", "1", NULL), 1);
    exRunFree(r);
}

static void test_cancel_now_mid_batch(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\nwait 4s\ncancel\nwait 1m\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    /* The first batch (30 items) was written at 3 s; the cancel at 4 s ends the pass. */
    assert_int_equal(passesCancelled(r, NULL, -1), 1);
    assert_int_equal(exCount(r, TR_WIZ_CLONE, NULL), 1);
    assert_false(engineActive(r->s.world->eng));
    exRunFree(r);
}

/* Error-message tests: a failed step's message (k.err) is what the user reads. */
static void test_step_failures(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "cancel\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_FAIL);
    assert_non_null(strstr(r->s.k.err, "no migration run is active"));
    exRunFree(r);
    r = exRunText(EX_WORLD "migrate all\nmigrate user1\n");
    assert_int_equal(r->verdict, MS_FAIL);
    assert_non_null(strstr(r->s.k.err, "still active"));
    exRunFree(r);
    r = exRunText(EX_WORLD "migrate all\ncancel when mailboxes=9\n");
    assert_int_equal(r->verdict, MS_FAIL);
    assert_non_null(strstr(r->s.k.err, "ended before the cancel condition"));
    exRunFree(r);
}

static void test_deterministic(void **state) {
    (void)state;
    const char *t = EX_WORLD "migrate all\ncancel when mailboxes=1\ndeliver user3\nlogon user2\nmigrate all\nwait done\n";
    exRun *a = exRunText(t), *b = exRunText(t);
    assert_int_equal(a->s.k.tr.n, b->s.k.tr.n);
    for (size_t i = 0; i < a->s.k.tr.n; i++) {
        assert_int_equal(a->s.k.tr.v[i].at, b->s.k.tr.v[i].at);
        assert_string_equal(a->s.k.tr.v[i].text, b->s.k.tr.v[i].text);
    }
    exRunFree(a);
    exRunFree(b);
}

/* The rows the stores walked during the run (store.visits). */
static int64_t storeWork(exRun *r) {
    return (int64_t)exOf(r)->st.visits;
}

/* The store work of a run of n `migrate all` / `wait done` pairs, each second
** one preceded by a cancelled run (so passes of every kind pile up). */
static int64_t rerunWork(int n) {
    size_t cap = 512 + (size_t)n * 64, len;
    char *text = malloc(cap);
    assert_non_null(text);
    len = (size_t)snprintf(text, cap, "%s", EX_WORLD);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, i % 2 ? "migrate all\ncancel when mailboxes=1\n"
                                                            : "migrate all\nwait done\n");
    exRun *r = exRunText(text);
    free(text);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    int64_t work = storeWork(r);
    exRunFree(r);
    return work;
}

/*
** Repeated runs cost the same each: the store work of 400 reruns is about 8
** times that of 50, not 64 times.  (Every run adds rows for the mailboxes it
** touches; an UPDATE over all of a mailbox's rows at the end of each pass
** made 20,000 reruns quadratic, when the stores were SQL.)  Counted in rows
** the stores walked (store.visits), not seconds, so the machine's speed
** does not matter.
*/
static void test_reruns_cost_constant_store_work(void **state) {
    (void)state;
    int64_t small = rerunWork(50), big = rerunWork(400);
    if (big > 10 * small) fail_msg("50 runs: %lld rows walked; 400 runs: %lld", (long long)small, (long long)big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reruns_cost_constant_store_work),
        cmocka_unit_test(test_clone_all),
        cmocka_unit_test(test_rerun_matches_and_merges),
        cmocka_unit_test(test_13003_retry_then_skip),
        cmocka_unit_test(test_cancel_when_items_is_partial),
        cmocka_unit_test(test_cancel_when_mailboxes_stops_before_next_logon),
        cmocka_unit_test(test_cancel_when_mailboxes_counts_a_failed_account),
        cmocka_unit_test(test_match_fills_only_blank_attributes),
        cmocka_unit_test(test_match_falls_back_to_smtp),
        cmocka_unit_test(test_match_takes_the_first_by_guid),
        cmocka_unit_test(test_cancel_when_items_reached_at_a_mailbox_end),
        cmocka_unit_test(test_copy_time_rounds_up),
        cmocka_unit_test(test_logon_uses_the_newest_association),
        cmocka_unit_test(test_a_completed_rerun_is_not_partial),
        cmocka_unit_test(test_match_keeps_the_primary_smtp),
        cmocka_unit_test(test_cancel_when_already_held_cancels_now),
        cmocka_unit_test(test_cancel_when_mailboxes_0_waits_for_stage_2),
        cmocka_unit_test(test_create_on_a_failed_dc),
        cmocka_unit_test(test_cancel_now_mid_batch),
        cmocka_unit_test(test_step_failures),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
