/*
** Tests of the language for labs (issue 10, item 6) as runs: users named by
** names= all the way through (records, judge, views), `wait when` ending
** where `cancel when` would stop the run and failing as it does, `purge`
** removing disconnected mailboxes now and nothing else, and the ExMerge-style
** rescue (`export`, `import`) reaching stranded=0 with no mail lost, with the
** judge's stranded rule read from the state.  Everything is checked on trace
** records (tests/tracematch.h), never on the narrative's prose.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run/sim.h"
#include "run/state.h"
#include "scenario/scenario.h"
#include "tracematch.h"

/* One site, two DCs, one server, the wizard and the admin on DC1; steps follow. */
#define WORLD(SOURCE)                                                                              \
    "seed 1\n"                                                                                     \
    "site HQ\n"                                                                                    \
    "dc DC1 site=HQ gc\n"                                                                          \
    "dc DC2 site=HQ\n"                                                                             \
    "server EX1 dc=DC1 gc=DC1\n" SOURCE "\n"                                                       \
    "wizard server=EX1 dc=DC1 rate=20/s\n"                                                         \
    "admin dc=DC1\n"

#define SIX "source users=6 items=100 folders=2 rules=1"
#define NAMED "source names=alice,bob,carol,dave,erin,frank items=100 folders=2 rules=1"

/* The KB issue: carol (user3) gets 3 messages, dave (user4) logs on, then a rerun merges. */
#define REPRODUCE(U3, U4)                                                                          \
    "migrate all\n"                                                                                \
    "cancel when mailboxes=2\n"                                                                    \
    "wait 2m\n"                                                                                    \
    "deliver " U3 " count=3\n"                                                                     \
    "logon " U4 "\n"                                                                               \
    "migrate all\n"                                                                                \
    "wait done\n"                                                                                  \
    "wait converged\n"

typedef struct lrun {
    scenario sc;
    sim s;
    msStatus rc;
} lrun;

/* Parse and run text to its end, keeping the records. */
static lrun *runText(const char *text) {
    lrun *r = calloc(1, sizeof *r);
    assert_non_null(r);
    scnError e;
    msStatus st = scnParse("lang.scn", text, strlen(text), &r->sc, &e);
    if (st != MS_OK) fail_msg("parse failed: %d:%d: %s", e.line, e.col, e.msg);
    simOptions opt = {0, 0, NULL, 1, NULL, 0};
    assert_int_equal(simInit(&r->s, &r->sc, &opt), MS_OK);
    r->rc = simRun(&r->s);
    return r;
}

static void runFree(lrun *r) {
    simFree(&r->s);
    scnFree(&r->sc);
    free(r);
}

static int count(lrun *r, traceKind kind, ...) {
    size_t n, first;
    const traceRecord *v = traceRecords(&r->s.k.tr, &n);
    va_list ap;
    va_start(ap, kind);
    int c = trScanV(v, n, kind, &first, ap);
    va_end(ap);
    return c;
}

static const traceRecord *find(lrun *r, traceKind kind, ...) {
    size_t n, first;
    const traceRecord *v = traceRecords(&r->s.k.tr, &n);
    va_list ap;
    va_start(ap, kind);
    trScanV(v, n, kind, &first, ap);
    va_end(ap);
    return first < n ? &v[first] : NULL;
}

/* The step record of the statement on line, or NULL. */
static const traceRecord *stepAt(lrun *r, int line) {
    char l[16];
    snprintf(l, sizeof l, "%d", line);
    return find(r, TR_STEP, "line", l, NULL);
}

static void test_names_run_through(void **state) {
    (void)state;
    lrun *r = runText(WORLD(NAMED) REPRODUCE("carol", "dave")
                      "expect carol merged extra=3 rules_broken=1\n"
                      "expect dave merged extra=0\n"
                      "expect alice,bob,erin..frank cloned\n");
    assert_int_equal(r->rc, MS_OK);
    assert_int_equal(count(r, TR_SMTP_DELIVER, "user", "carol", "count", "3", NULL), 1);
    assert_int_equal(count(r, TR_LOGON, "user", "dave", NULL), 1);
    assert_int_equal(count(r, TR_WIZ_ACCOUNT_CREATE, "user", "frank", NULL), 1);
    assert_int_equal(count(r, TR__COUNT, "user", "user3", NULL), 0);
    char name[64];
    assert_string_equal(scnUserName(&r->sc, 3, name, sizeof name), "carol");
    /* The user view finds the user by name. */
    stateRequest *req = NULL;
    size_t nreq = 0;
    char why[256];
    assert_int_equal(stateParseViews(&r->sc, "user:erin", &req, &nreq, why, sizeof why), MS_OK);
    assert_int_equal(req[0].index, 5);
    simState st;
    assert_int_equal(stateCollect(&r->s, req, nreq, r->s.k.now, &st), MS_OK);
    assert_string_equal(st.v[0].user.name, "erin");
    assert_true(st.v[0].user.naccounts > 0);
    stateFree(&st);
    free(req);
    runFree(r);
}

static void test_names_same_world_as_numbers(void **state) {
    (void)state;
    /* Names change what the users are called, nothing else: same items, same times. */
    lrun *a = runText(WORLD(SIX) REPRODUCE("user3", "user4"));
    lrun *b = runText(WORLD(NAMED) REPRODUCE("carol", "dave"));
    size_t na, nb;
    const traceRecord *va = traceRecords(&a->s.k.tr, &na), *vb = traceRecords(&b->s.k.tr, &nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(va[i].kind, vb[i].kind);
        assert_int_equal(va[i].at, vb[i].at);
    }
    assert_int_equal(a->s.k.now, b->s.k.now);
    runFree(a);
    runFree(b);
}

static void test_wait_when_mailboxes_ends_at_the_cancel_point(void **state) {
    (void)state;
    /* cancel when mailboxes=2 stops the run at the moment wait when mailboxes=2 lets the script on. */
    lrun *c = runText(WORLD(SIX) "migrate all\ncancel when mailboxes=2\nwait done\n");
    lrun *w = runText(WORLD(SIX) "migrate all\nwait when mailboxes=2\nwait 0s\nwait done\n");
    const traceRecord *cancel = find(c, TR_WIZ_CANCEL, "how", "before the next logon", NULL);
    const traceRecord *reached = find(w, TR_WIZ_WAIT_REACHED, "mailboxes", "2", NULL);
    assert_non_null(cancel);
    assert_non_null(reached);
    assert_int_equal(reached->at, cancel->at);
    assert_int_equal(trInt(reached, "items"), 200);
    /* The next step runs then, and the run goes on to every mailbox. */
    assert_int_equal(stepAt(w, 11)->at, reached->at);
    assert_int_equal(count(w, TR_WIZ_CANCEL, NULL), 0);
    assert_int_equal(count(w, TR_WIZ_CLONE, NULL), 6);
    assert_int_equal(w->rc, MS_OK);
    runFree(c);
    runFree(w);
}

static void test_wait_when_items_at_a_boundary(void **state) {
    (void)state;
    lrun *w = runText(WORLD(SIX) "migrate all\nwait when items=250\nwait done\n");
    const traceRecord *reached = find(w, TR_WIZ_WAIT_REACHED, NULL);
    assert_non_null(reached);
    assert_true(trInt(reached, "items") >= 250);
    assert_true(trInt(reached, "items") < 350);
    assert_int_equal(stepAt(w, 11)->at, reached->at);
    runFree(w);
}

static void test_wait_when_already_holds(void **state) {
    (void)state;
    lrun *w = runText(WORLD(SIX) "migrate all\nwait when mailboxes=1\nwait when mailboxes=1\nwait done\n");
    assert_int_equal(count(w, TR_WIZ_WAIT_REACHED, NULL), 2);
    assert_non_null(find(w, TR_WIZ_WAIT_REACHED, "how", "now (the condition already held)", NULL));
    /* The second holds at once: the step after it runs at the same instant. */
    assert_int_equal(stepAt(w, 12)->at, stepAt(w, 11)->at);
    runFree(w);
}

static void test_wait_when_fails_like_cancel(void **state) {
    (void)state;
    lrun *none = runText(WORLD(SIX) "wait when mailboxes=1\n");
    assert_int_equal(none->rc, MS_FAIL);
    assert_int_equal(none->s.fail_line, 9);
    assert_string_equal(none->s.k.err, "wait when: no migration run is active");
    runFree(none);
    lrun *ended = runText(WORLD(SIX) "migrate all\nwait when mailboxes=7\n");
    assert_int_equal(ended->rc, MS_FAIL);
    assert_int_equal(ended->s.fail_line, 10);
    assert_string_equal(ended->s.k.err, "the migration run ended before the wait condition (mailboxes=7) was met");
    runFree(ended);
}

static void test_purge_removes_disconnected_now(void **state) {
    (void)state;
    lrun *r = runText(WORLD(SIX) REPRODUCE("user3", "user4")
                      "purge\n"                            /* nothing disconnected yet */
                      "cleanup user3,user4\n"
                      "wait converged\n"
                      "purge user4\n"
                      "purge server=EX1\n"
                      "purge\n"
                      "expect stranded=0\n");
    assert_int_equal(count(r, TR_ADMIN_PURGE_NONE, "scope", "all", NULL), 2);
    assert_int_equal(count(r, TR_ADMIN_PURGE, NULL), 2);
    const traceRecord *p4 = find(r, TR_ADMIN_PURGE, "user", "user4", "server", "EX1", NULL);
    const traceRecord *p3 = find(r, TR_ADMIN_PURGE, "user", "user3", NULL);
    assert_non_null(p4);
    assert_non_null(p3);
    assert_int_equal(p4->at, stepAt(r, 20)->at);
    assert_int_equal(trInt(p3, "items"), 103);
    /* Purged at once, long before the retention period. */
    assert_true(p3->at < r->s.k.p.mailbox_retention);
    assert_int_equal(count(r, TR_STORE_PURGE, NULL), 0);
    /* The delivered mail went with the mailbox: the judge, from the state, has nothing stranded. */
    assert_int_equal(r->rc, MS_OK);
    runFree(r);
}

static void test_rescue_reaches_stranded_zero(void **state) {
    (void)state;
    lrun *r = runText(WORLD(NAMED) REPRODUCE("carol", "dave")
                      "cleanup\n"
                      "wait converged\n"
                      "export all\n"
                      "expect stranded=3\n"
                      "purge\n"
                      "expect stranded=3\n"
                      "migrate all\n"
                      "wait done\n"
                      "wait converged\n"
                      "expect stranded=3\n"
                      "import carol\n"
                      "expect carol cloned extra=3 dupes=0 missing=0 rules_broken=0\n"
                      "expect stranded=0\n"
                      "import carol\n"
                      "export all\n"
                      "expect carol cloned extra=3\n"
                      "expect stranded=0\n");
    assert_int_equal(r->rc, MS_OK);
    assert_int_equal(r->s.nfailed, 0);
    const traceRecord *ex = find(r, TR_ADMIN_EXPORT, "user", "carol", NULL);
    assert_int_equal(trInt(ex, "items"), 3);
    assert_int_equal(trInt(ex, "mailboxes"), 1);
    assert_int_equal(count(r, TR_ADMIN_EXPORT, "user", "alice", "items", "0", NULL), 2);
    /* The first import places the 3 messages; the second finds them there; re-exporting adds nothing. */
    assert_int_equal(count(r, TR_ADMIN_IMPORT, "user", "carol", "items", "3", "skipped", "0", NULL), 1);
    assert_int_equal(count(r, TR_ADMIN_IMPORT, "user", "carol", "items", "0", "skipped", "3", NULL), 1);
    assert_int_equal(count(r, TR_ADMIN_EXPORT, "user", "carol", "items", "0", "held", "3", NULL), 1);
    runFree(r);
}

static void test_held_mail_stays_stranded_until_imported(void **state) {
    (void)state;
    /* Without an import the purge leaves the mail in the holding area only: still stranded. */
    lrun *r = runText(WORLD(SIX) REPRODUCE("user3", "user4")
                      "export user3\n"
                      "cleanup\n"
                      "wait converged\n"
                      "purge\n"
                      "migrate all\n"
                      "wait done\n"
                      "wait converged\n"
                      "expect stranded=3\n"
                      "expect user3 cloned extra=0\n");
    assert_int_equal(r->rc, MS_OK);
    /* Exported from the current (soon replaced) mailbox, before the cleanup. */
    assert_non_null(find(r, TR_ADMIN_EXPORT, "user", "user3", "items", "3", NULL));
    simState st;
    stateRequest req[2] = {{VIEW_SERVER, 0}, {VIEW_USER, 3}};
    assert_int_equal(stateCollect(&r->s, req, 2, r->s.k.now, &st), MS_OK);
    assert_int_equal(st.v[0].server.nheld, 1);
    assert_string_equal(st.v[0].server.held[0].user, "user3");
    assert_string_equal(st.v[0].server.held[0].path, "Inbox");
    assert_int_equal(st.v[0].server.held[0].items, 3);
    assert_int_equal(st.v[1].user.nheld, 1);
    stateFree(&st);
    runFree(r);
}

static void test_import_needs_a_current_mailbox(void **state) {
    (void)state;
    lrun *r = runText(WORLD(SIX) REPRODUCE("user3", "user4")
                      "export user3\n"
                      "cleanup\n"
                      "wait converged\n"
                      "import user3\n"
                      "expect stranded=3\n");
    assert_int_equal(r->rc, MS_OK);
    const traceRecord *none = find(r, TR_ADMIN_IMPORT_NONE, "user", "user3", "dc", "DC1", NULL);
    assert_non_null(none);
    assert_string_equal(trStr(none, "reason"), "no live account of user3 on DC1");
    runFree(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_run_through),
        cmocka_unit_test(test_names_same_world_as_numbers),
        cmocka_unit_test(test_wait_when_mailboxes_ends_at_the_cancel_point),
        cmocka_unit_test(test_wait_when_items_at_a_boundary),
        cmocka_unit_test(test_wait_when_already_holds),
        cmocka_unit_test(test_wait_when_fails_like_cancel),
        cmocka_unit_test(test_purge_removes_disconnected_now),
        cmocka_unit_test(test_rescue_reaches_stranded_zero),
        cmocka_unit_test(test_held_mail_stays_stranded_until_imported),
        cmocka_unit_test(test_import_needs_a_current_mailbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
