/*
** The trace: records kept in order with their strings, quiet kinds that
** print no narrative line, the kind table documented in docs/results.md, a
** replication pull as a span (start and application share a number), and
** --trace written as JSON Lines that python3's json module reads back.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "exfixture.h"
#include "kernel/trace.h"
#include "out/tracejson.h"

static void test_records_keep_their_strings(void **state) {
    (void)state;
    trace t;
    traceInit(&t, NULL, 1);
    char user[16], dn[32];
    strcpy(user, "user7");
    strcpy(dn, "CN=user7");
    traceRecord r = traceNew(TR_REPL_CONFLICT, "DC2");
    r.user = user;
    r.dc = "DC2";
    traceStr(&r, "dn", dn);
    traceInt(&r, "n", 42);
    assert_int_equal(traceEmit(&t, 1500, &r, "conflict %s", dn), MS_OK);
    memset(user, 'x', sizeof user - 1);   /* the caller's buffers die */
    memset(dn, 'x', sizeof dn - 1);
    size_t n;
    const traceRecord *v = traceRecords(&t, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].at, 1500);
    assert_int_equal(v[0].kind, TR_REPL_CONFLICT);
    assert_string_equal(v[0].user, "user7");
    assert_string_equal(v[0].text, "conflict CN=user7");
    assert_string_equal(traceFieldOf(&v[0], "dn")->s, "CN=user7");
    assert_int_equal(traceFieldOf(&v[0], "n")->i, 42);
    assert_null(traceFieldOf(&v[0], "missing"));
    traceFree(&t);
}

/* The tests' record matcher (tracematch.h) over a bare trace. */
#define SAME_TRACE(t) (t)
TR_DEFINE_MATCHERS(tt, const trace *, SAME_TRACE)

/* The matcher reads kinds, subjects and typed fields, never the text; a
** pair that does not hold, or names what the record lacks, fails it. */
static void test_matching_reads_kinds_subjects_and_fields(void **state) {
    (void)state;
    trace t;
    traceInit(&t, NULL, 1);
    guid g;
    assert_int_equal(guidParse("0e0e0e0e-0000-4000-8000-000000000001", &g), 0);
    traceRecord a = traceNew(TR_WIZ_CANCEL, "wizard");
    a.run = 2;
    a.server = "EX1";
    traceMailbox(&a, &g);
    traceStr(&a, "how", "now");
    traceInt(&a, "items", 30);
    traceGuid(&a, "other", &g);
    traceEmit(&t, 1000, &a, "text the matcher never reads: user9 items=31");
    traceRecord b = traceNew(TR_WIZ_CANCEL, "wizard");
    b.user = "user9";
    traceInt(&b, "items", -4);
    traceEmit(&t, 2000, &b, "x");
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, NULL), 2);
    assert_int_equal(ttCount(&t, TR__COUNT, NULL), 2);
    assert_int_equal(ttCount(&t, TR_WIZ_DONE, NULL), 0);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "run", "2", "server", "EX1", "how", "now", "items", "30", NULL), 1);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "mailbox", "0e0e0e0e-0000-4000-8000-000000000001",
                             "other", "0e0e0e0e-0000-4000-8000-000000000001", NULL), 1);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "items", "31", NULL), 0);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "items", "-4", "user", "user9", NULL), 1);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "user", "user9", "how", "now", NULL), 0);   /* b has no how */
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "run", "0", NULL), 0);                   /* absent, not 0 */
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "object", "0e0e0e0e-0000-4000-8000-000000000001", NULL), 0);
    assert_int_equal(ttCount(&t, TR_WIZ_CANCEL, "how", "no", NULL), 0);
    assert_int_equal(ttAt(&t, TR_WIZ_CANCEL, "user", "user9", NULL), 2000);
    assert_int_equal(ttAt(&t, TR_WIZ_CANCEL, "user", "user8", NULL), -1);
    assert_int_equal(ttIndex(&t, TR_WIZ_CANCEL, "items", "-4", NULL), 2);
    assert_int_equal(ttIndex(&t, TR_WIZ_DONE, NULL), 0);
    assert_ptr_equal(ttFind(&t, TR__COUNT, "actor", "wizard", NULL), &t.v[0]);
    assert_null(ttFind(&t, TR__COUNT, "actor", "smtp", NULL));
    assert_string_equal(trStr(&t.v[0], "how"), "now");
    assert_int_equal(trInt(&t.v[1], "items"), -4);
    traceFree(&t);
}

static void test_quiet_kinds_print_no_line(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    trace t;
    traceInit(&t, f, 1);
    traceRecord a = traceNew(TR_REPL_PULL_START, "DC2");
    traceEmit(&t, 0, &a, "quiet");
    traceRecord b = traceNew(TR_REPL_PULL, "DC2");
    traceEmit(&t, 1000, &b, "loud");
    fclose(f);
    assert_non_null(strstr(buf, "loud"));
    assert_null(strstr(buf, "quiet"));
    assert_int_equal(t.n, 2);   /* both kept */
    free(buf);
    traceFree(&t);
}

static void test_nothing_kept_when_off(void **state) {
    (void)state;
    trace t;
    traceInit(&t, NULL, 0);
    assert_false(traceOn(&t));
    traceRecord r = traceNew(TR_STEP, "step");
    assert_int_equal(traceEmit(&t, 0, &r, "x"), MS_OK);
    assert_int_equal(t.n, 0);
    traceFree(&t);
}

static void test_every_kind_is_named_and_documented(void **state) {
    (void)state;
    FILE *f = fopen("docs/results.md", "r");
    assert_non_null(f);
    static char doc[1 << 20];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    doc[n] = '\0';
    fclose(f);
    for (int k = 0; k < TR__COUNT; k++) {
        const char *name = traceKindName((traceKind)k);
        assert_non_null(name);
        assert_true(strlen(traceKindDoc((traceKind)k)) > 10);
        for (int j = 0; j < k; j++) assert_string_not_equal(name, traceKindName((traceKind)j));
        char quoted[64];
        snprintf(quoted, sizeof quoted, "`%s`", name);
        if (!strstr(doc, quoted)) fail_msg("trace kind %s is not documented in docs/results.md", name);
    }
}

/* Every applied pull has a start with the same span number, earlier or at the same time, same DCs. */
static void test_a_pull_is_a_span(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate all\nwait done\nwait converged\n");
    assert_non_null(r);
    size_t n;
    const traceRecord *v = exRecords(r, &n);
    int applied = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != TR_REPL_PULL) continue;
        applied++;
        int64_t id = exField(&v[i], "pull");
        const traceRecord *start = NULL;
        for (size_t j = 0; j < i; j++)
            if (v[j].kind == TR_REPL_PULL_START && exField(&v[j], "pull") == id) start = &v[j];
        assert_non_null(start);
        assert_true(start->at <= v[i].at);
        assert_string_equal(start->dc, v[i].dc);
        assert_string_equal(start->peer, v[i].peer);
        assert_non_null(traceFieldOf(start, "usn_from"));
        assert_non_null(traceFieldOf(&v[i], "objects"));
        assert_non_null(traceFieldOf(&v[i], "attributes"));
    }
    assert_true(applied > 0);
    exRunFree(r);
}

/* The wizard's records carry the run, the user and the mailbox as subjects. */
static void test_wizard_records_have_subjects(void **state) {
    (void)state;
    exRun *r = exRunText(EX_WORLD "migrate user2\nwait done\n");
    assert_non_null(r);
    const traceRecord *e = exFirst(r, TR_WIZ_ACCOUNT_CREATE, "user2");
    assert_non_null(e);
    assert_int_equal(e->run, 1);
    assert_true(e->has_mailbox && e->has_object);
    assert_string_equal(e->dc, "DC1");
    const traceRecord *p = exFirst(r, TR_WIZ_PASS_DONE, "user2");
    assert_non_null(p);
    assert_string_equal(traceFieldOf(p, "mode")->s, "clone");
    assert_true(exField(p, "copied") > 0);
    exRunFree(r);
}

static void test_trace_file_is_json_lines(void **state) {
    (void)state;
    const char *bin = getenv("MIGSIM");
    if (!bin) bin = "build/migsim";
    char path[] = "/tmp/migsim-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run scenarios/kb842101/reproduce.scn --quiet --trace %s >/dev/null", bin, path);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) <= 1);
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import json,sys\n"
             "recs=[json.loads(l) for l in open(sys.argv[1])]\n"
             "assert recs, 'empty'\n"
             "kinds={r['kind'] for r in recs}\n"
             "assert {'repl.pull.start','repl.pull','wizard.merge','smtp.deliver','logon'} <= kinds, kinds\n"
             "assert all(set(r) >= {'t','time','kind','actor','fields','text'} for r in recs)\n"
             "assert [r['t'] for r in recs] == sorted(r['t'] for r in recs)\n"
             "\" %s",
             path);
    rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

/* --trace into the command's own stdout streams there after the verdict, replacing nothing. */
static void test_trace_to_stdout_streams(void **state) {
    (void)state;
    const char *bin = getenv("MIGSIM");
    if (!bin) bin = "build/migsim";
    char path[] = "/tmp/migsim-trace-out-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s run scenarios/kb842101/reproduce.scn --quiet --trace /dev/stdout > %s", bin, path);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int verdict = 0, records = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "verdict: PASS", 13) == 0) verdict = 1;
        if (strncmp(line, "{\"t\":", 5) == 0) records++;
    }
    fclose(f);
    unlink(path);
    assert_true(verdict);
    assert_true(records > 50);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_keep_their_strings),
        cmocka_unit_test(test_matching_reads_kinds_subjects_and_fields),
        cmocka_unit_test(test_quiet_kinds_print_no_line),
        cmocka_unit_test(test_nothing_kept_when_off),
        cmocka_unit_test(test_every_kind_is_named_and_documented),
        cmocka_unit_test(test_a_pull_is_a_span),
        cmocka_unit_test(test_wizard_records_have_subjects),
        cmocka_unit_test(test_trace_file_is_json_lines),
        cmocka_unit_test(test_trace_to_stdout_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
