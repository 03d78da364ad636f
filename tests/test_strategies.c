/*
** The built-in strategies (refuse.c, waitrerun.c, resume.c): what each does
** that the wizard does not.  refuse-initialized stops a user at a target
** initialized by delivery or logon and still completes its own clones;
** wait-then-rerun reads only replication state before a rerun, waits until
** every vector covers every DC's USN, gives up at its limit, and does not
** wait on a first run; resume skips a completed pass, continues a clone at
** its checkpoint, replaces an initialized mailbox and moves its mail across,
** makes no second account on another DC, forgets a deleted account and
** drains its mailbox.  The records checked are the strategies' own kinds.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "exfixture.h"

/* EX_WORLD's forest with the migrator m (and room for `set` lines before the steps). */
#define WORLD(m, extra) \
    "seed 3\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1\n" \
    "source users=4 items=30 folders=1 rules=1\nwizard server=EX1 dc=DC1 rate=10/s migrator=" m "\n" extra

/* The cancelled run and the two initializations of KB 842101, then a rerun. */
#define KB_STEPS \
    "migrate all\ncancel when mailboxes=1\nwait 2m\ndeliver user2 count=2\nlogon user3\n" \
    "migrate all\nwait done\nwait converged\n"

static void test_names_resolve(void **state) {
    (void)state;
    static const char *const names[] = {"refuse-initialized", "wait-then-rerun", "resume", "builtin:resume"};
    const migrator *m;
    const char *opt;
    char err[256];
    migPlugin *lib;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(migratorResolve(names[i], &m, &opt, &lib, err, sizeof err), MS_OK);
        assert_null(lib);   /* a built-in lives in migsim: no library to unload */
        assert_non_null(strstr(engineBuiltinNames(), m->name));
    }
    assert_int_equal(migratorResolve("builtin:resumes", &m, &opt, &lib, err, sizeof err), MS_INPUT);
}

static void test_refuse_stops_an_initialized_target(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("refuse-initialized", "admin dc=DC1\n") KB_STEPS);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_REFUSE_INITIALIZED, "user", "user2", "initialized_by", "delivery", NULL), 1);
    assert_int_equal(exCount(r, TR_REFUSE_INITIALIZED, "user", "user3", "initialized_by", "logon", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, "user", "user2", NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, "user", "user3", NULL), 0);
    /* user1's mailbox is the migration's own clone: merged into, not refused. */
    assert_int_equal(exCount(r, TR_REFUSE_INITIALIZED, "user", "user1", NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, "user", "user1", "initialized_by", "clone", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, "run", "2", "status", "2", "skipped", "2", NULL), 1);
    assert_int_equal(exVerdict(r, 1).out, OUT_CLONED);
    assert_int_equal(exVerdict(r, 2).out, OUT_UNMIGRATED);
    assert_int_equal(exVerdict(r, 2).counters[CTR_EXTRA], 2);
    assert_int_equal(exVerdict(r, 3).out, OUT_UNMIGRATED);
    assert_int_equal(exVerdict(r, 4).out, OUT_CLONED);
    exRunFree(r);
}

/* Requests of run 2 before its wizard started that are neither replication-state reads nor sleeps. */
static int otherOpsBeforeWizard(const exRun *r) {
    size_t n, start = exIndex(r, TR_WIZ_START, "run", "2", NULL);
    const traceRecord *v = exRecords(r, &n);
    int other = 0;
    for (size_t i = 0; start && i + 1 < start; i++) {
        if (v[i].kind != TR_MIG_OP || v[i].run != 2) continue;
        const char *op = exStr(&v[i], "op");
        other += strcmp(op, "dir.replstate") != 0 && strcmp(op, "sleep") != 0;
    }
    return other;
}

static void test_wait_reads_only_replication_state_then_reruns(void **state) {
    (void)state;
    /* The fix without its wait: cleanup on DC2, the rerun at once through DC1. */
    exRun *r = exRunText(WORLD("wait-then-rerun", "admin dc=DC2\n")
                         "migrate all\ncancel when mailboxes=1\nwait 2m\ndeliver user2\ncleanup\n"
                         "migrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WAIT_START, "run", "1", NULL), 0);   /* a first run does not wait */
    assert_int_equal(exCount(r, TR_WAIT_START, "run", "2", "dcs", "2", NULL), 1);
    assert_int_equal(exCount(r, TR_WAIT_DONE, "run", "2", "complete", "1", NULL), 1);
    assert_true(exIndex(r, TR_WAIT_DONE, NULL) < exIndex(r, TR_WIZ_START, "run", "2", NULL));
    assert_int_equal(otherOpsBeforeWizard(r), 0);
    assert_true(exCount(r, TR_MIG_OP, "run", "2", "op", "dir.replstate", NULL) >= 4);
    /* It waited past the deletions' arrival on DC1: nothing matched, every mailbox cloned. */
    assert_true(exAt(r, TR_WAIT_DONE, NULL) > exAt(r, TR_ADMIN_CLEANUP, NULL));
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_MATCH, "run", "2", NULL), 0);
    for (uint32_t u = 1; u <= 4; u++) assert_int_equal(exVerdict(r, u).out, OUT_CLONED);
    exRunFree(r);
}

static void test_wait_gives_up_at_its_limit(void **state) {
    (void)state;
    /* DC2 fails, then user2 is deleted on DC1: DC2's vector never covers DC1's USN again. */
    exRun *r = exRunText(WORLD("wait-then-rerun", "admin dc=DC1\n")
                         "migrate all\ncancel when mailboxes=1\nwait 2m\nfail dc DC2\ndelete user2\nmigrate user1\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    const traceRecord *d = exFind(r, TR_WAIT_DONE, "run", "2", "complete", "0", NULL);
    assert_non_null(d);
    assert_int_equal(exField(d, "waited"), 24 * MS_PER_HOUR);
    assert_int_equal(exCount(r, TR_WIZ_START, "run", "2", NULL), 1);   /* then it runs anyway */
    exRunFree(r);
}

static void test_resume_skips_replaces_and_moves(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "admin dc=DC1\n") KB_STEPS);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_RESUME_SKIP, "run", "2", "user", "user1", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 0);
    assert_int_equal(exCount(r, TR_RESUME_REPLACE, "user", "user2", "initialized_by", "delivery", NULL), 1);
    assert_int_equal(exCount(r, TR_RESUME_REPLACE, "user", "user3", "initialized_by", "logon", NULL), 1);
    assert_int_equal(exCount(r, TR_RESUME_MOVE, "user", "user2", "moved", "2", NULL), 1);
    assert_int_equal(exCount(r, TR_RESUME_MOVE, "user", "user3", "moved", "0", NULL), 1);
    /* The new mailbox is not the one replaced. */
    const traceRecord *rep = exFind(r, TR_RESUME_REPLACE, "user", "user2", NULL);
    const traceRecord *mv = exFind(r, TR_RESUME_MOVE, "user", "user2", NULL);
    assert_non_null(rep);
    assert_non_null(mv);
    assert_memory_equal(&traceFieldOf(rep, "old")->g, &traceFieldOf(mv, "from")->g, sizeof(guid));
    assert_memory_not_equal(&mv->mailbox, &traceFieldOf(mv, "from")->g, sizeof(guid));
    for (uint32_t u = 1; u <= 4; u++) assert_int_equal(exVerdict(r, u).out, OUT_CLONED);
    assert_int_equal(exVerdict(r, 2).counters[CTR_EXTRA], 2);
    /* Every delivered item is in a mailbox an account owns: the replaced one is empty. */
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item i JOIN mailbox m ON m.id = i.mbx WHERE m.user = 2"), 32);
    exRunFree(r);
}

static void test_resume_continues_at_the_checkpoint(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "set wizard.batch 10\nadmin dc=DC1\n")
                         "migrate all\ncancel when items=15\nmigrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_RESUME_CONTINUE, "user", "user1", "from", "20", NULL), 1);
    assert_int_equal(exCount(r, TR_RESUME_PASS_DONE, "user", "user1", "from", "20", "copied", "10", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 0);
    userVerdict v = exVerdict(r, 1);
    assert_int_equal(v.out, OUT_CLONED);
    assert_int_equal(v.counters[CTR_DUPES], 0);
    assert_int_equal(v.counters[CTR_MISSING], 0);
    exRunFree(r);
}

static void test_resume_makes_no_second_account_on_another_dc(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "admin dc=DC1\n")
                         "migrate all\ncancel when mailboxes=1\nmigrate all dc=DC2\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_CREATE, "run", "2", NULL), 0);
    for (uint32_t u = 1; u <= 4; u++) assert_int_equal(exVerdict(r, u).out, OUT_CLONED);
    exRunFree(r);
}

static void test_resume_forgets_a_deleted_account_and_drains(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "admin dc=DC1\n") KB_STEPS
                         "cleanup\nwait converged\nmigrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_RESUME_FORGET, "run", "3", "dc", "DC1", NULL), 4);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_CREATE, "run", "3", NULL), 4);
    assert_int_equal(exCount(r, TR_RESUME_MOVE, "run", "3", "user", "user2", "moved", "2", NULL), 1);
    assert_int_equal(exVerdict(r, 2).out, OUT_CLONED);
    assert_int_equal(exVerdict(r, 2).counters[CTR_EXTRA], 2);
    exRunFree(r);
}

/* The journal's DC failed before the rerun: each account is looked up on the
** run's DC instead, found there (replicated), and continued on it; the run
** ends normally (it used to stop with exit 2, resume's own writes refused). */
static void test_resume_falls_back_to_the_runs_dc(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "admin dc=DC1\n")
                         "migrate all dc=DC2\ncancel when mailboxes=1\nwait 2m\ndeliver user2 count=2\n"
                         "wait converged\nfail dc DC2\nmigrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_RESUME_UNAVAILABLE, "run", "2", "dc", "DC2", "fallback", "DC1", NULL), 4);
    assert_int_equal(exCount(r, TR_RESUME_FAIL, NULL), 0);
    assert_int_equal(exCount(r, TR_RESUME_REPLACE, "run", "2", "user", "user2", "dc", "DC1", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_ACCOUNT_CREATE, "run", "2", NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 0);
    for (uint32_t u = 1; u <= 4; u++) assert_int_equal(exVerdict(r, u).out, OUT_CLONED);
    exRunFree(r);
}

/* The journal's DC fails between resume's logon and its replacement of an
** initialized mailbox: that user is reported failed with a finding, the
** others go on, and the run ends normally. */
static void test_resume_reports_a_user_failed_when_its_dc_fails(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("resume", "admin dc=DC1\n")
                         "migrate all dc=DC2\ncancel when mailboxes=1\nwait 2m\ndeliver user2 count=2\n"
                         "wait converged\nmigrate all dc=DC2\nwait 500ms\nfail dc DC2\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    const traceRecord *f = exFirst(r, TR_RESUME_FAIL, "user2");
    assert_non_null(f);
    assert_string_equal(exStr(f, "reason"), "clearing msExchMailboxGuid on DC2: unavailable");
    assert_int_equal(exCount(r, TR_RESUME_FAIL, NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_MERGE, NULL), 0);
    /* Nothing was replaced: user2 keeps its mailbox, its delivered mail in it. */
    assert_int_equal(exCount(r, TR_RESUME_MOVE, NULL), 0);
    exRunFree(r);
}

/* The whole text of a file (malloc'd), or NULL. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = 0;
    return buf;
}

/* A user whose journal entry was dropped and who comes back to the mailbox
** the entry names has no mail to move: resume asks for one move (user1's,
** out of a mailbox really replaced), never one from a mailbox into itself. */
static void test_resume_moves_only_from_another_mailbox(void **state) {
    (void)state;
    char *text = slurp("scenarios/migrators/resume-refused-move.scn");
    assert_non_null(text);
    exRun *r = exRunText(text);
    free(text);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_RESUME_FORGET, NULL), 10);
    assert_int_equal(exCount(r, TR_RESUME_MOVE, NULL), 1);
    const traceRecord *m = exFirst(r, TR_RESUME_MOVE, "user1");
    assert_non_null(m);
    char from[GUID_STRLEN], to[GUID_STRLEN];
    assert_non_null(trValue(m, "from", from, sizeof from));
    assert_non_null(trValue(m, "mailbox", to, sizeof to));
    assert_string_not_equal(from, to);
    assert_int_equal(exCount(r, TR_MIG_OP, "op", "store.move_foreign", "status", "bad_request", NULL), 0);
    exRunFree(r);
}

/* wait-then-rerun with a failed DC: the DC cannot answer, so the wait holds
** until its limit and the rerun goes on (it used to stop with exit 2). */
static void test_wait_meets_a_failed_dc(void **state) {
    (void)state;
    exRun *r = exRunText(WORLD("wait-then-rerun", "admin dc=DC1\n")
                         "migrate all\ncancel when mailboxes=1\nwait 2m\nfail dc DC2\nmigrate all\nwait done\n");
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_OK);
    assert_true(exCount(r, TR_WAIT_POLL, "dc", "DC2", "origin", "DC2", "behind", "0", NULL) > 0);
    assert_int_equal(exCount(r, TR_WAIT_DONE, "complete", "0", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_START, "run", "2", NULL), 1);
    exRunFree(r);
}

/* The same scenario twice: the same records, text and time. */
static void test_deterministic(void **state) {
    (void)state;
    const char *text = WORLD("resume", "admin dc=DC1\n") KB_STEPS "cleanup\nmigrate all\nwait done\n";
    exRun *a = exRunText(text), *b = exRunText(text);
    assert_non_null(a);
    assert_non_null(b);
    size_t na, nb;
    const traceRecord *va = exRecords(a, &na), *vb = exRecords(b, &nb);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(va[i].at, vb[i].at);
        assert_string_equal(va[i].text ? va[i].text : "", vb[i].text ? vb[i].text : "");
    }
    exRunFree(a);
    exRunFree(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_resolve),
        cmocka_unit_test(test_refuse_stops_an_initialized_target),
        cmocka_unit_test(test_wait_reads_only_replication_state_then_reruns),
        cmocka_unit_test(test_wait_gives_up_at_its_limit),
        cmocka_unit_test(test_resume_skips_replaces_and_moves),
        cmocka_unit_test(test_resume_moves_only_from_another_mailbox),
        cmocka_unit_test(test_resume_continues_at_the_checkpoint),
        cmocka_unit_test(test_resume_makes_no_second_account_on_another_dc),
        cmocka_unit_test(test_resume_forgets_a_deleted_account_and_drains),
        cmocka_unit_test(test_resume_falls_back_to_the_runs_dc),
        cmocka_unit_test(test_resume_reports_a_user_failed_when_its_dc_fails),
        cmocka_unit_test(test_wait_meets_a_failed_dc),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
