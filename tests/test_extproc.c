/*
** Tests of the process migrator (model/migration/extproc.c), driven through
** the command (cliMain) as a user would run it.
**
** Equivalence: on every KB scenario, `--migrator exec:'python3
** tools/migrators/wizard.py'` reaches the outcomes, expectations, verdict,
** end time and stranded count of builtin:wizard2003, and two runs of it (on
** reproduce.scn and fix.scn) give byte-identical JSON, trace included.  The messages: --db's migrator_messages and --trace's
** migrator.message records hold every line in order, each answering the
** other side's last.  The protocol errors, each with a tiny shell fake:
** malformed JSON, an unknown type, a wrong or missing msg_id or in_reply_to,
** a bad or unknown field, a line too long, output out of turn, an early exit
** (with its status and stderr tail; one that closes its input and makes
** migsim's write fail must not kill migsim with SIGPIPE), and a hung process
** stopped by the watchdog (a short --migrator-timeout): each one line on
** stderr naming the command and the last request, exit 2, no --db written.
** The options' usage errors, and `check --migrator`.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "clirun.h"

#define WIZARD_PY "exec:python3 tools/migrators/wizard.py"

static int setupDir(void **state) {
    (void)state;
    return tmpdirMake("extproc");
}

static int removeDir(void **state) {
    (void)state;
    return tmpdirRemove();
}

/* A one-user scenario whose migrator is given on the command line. */
static const char *smallScenario(void) {
    static char path[300];
    snprintf(path, sizeof path, "%s/small.scn", tmpdir);
    writeFile(path, "site HQ\ndc DC1 site=HQ\nserver EX1 dc=DC1\nsource users=1 items=3\nwizard server=EX1 dc=DC1\n"
                    "migrate all\nwait done\nexpect all cloned\n");
    return path;
}

/* ---- equivalence with the built-in wizard -------------------------- */

static json_t *parseJson(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j) fail_msg("not JSON: %s", e.text);
    return j;
}

static void assertSameResults(const char *file, json_t *a, json_t *b) {
    static const char *const keys[] = {"outcomes", "expectations", "verdict", "end_ms", "stranded", "exit"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_equal(json_object_get(a, keys[i]), json_object_get(b, keys[i])))
            fail_msg("%s: \"%s\" differs between builtin:wizard2003 and %s", file, keys[i], WIZARD_PY);
}

static void test_wizard_py_matches_builtin(void **state) {
    (void)state;
    DIR *d = opendir("scenarios/kb842101");
    assert_non_null(d);
    struct dirent *e;
    int n = 0, checked = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0) continue;
        char file[300];
        snprintf(file, sizeof file, "scenarios/kb842101/%s", e->d_name);
        const char *builtin[] = {"migsim", "run", file, "--json"};
        const char *exec[] = {"migsim", "run", file, "--json", "--migrator", WIZARD_PY};
        /* Twice on the stories with a cancel, a rerun and a cleanup (a python start is slow). */
        int twice = strcmp(e->d_name, "reproduce.scn") == 0 || strcmp(e->d_name, "fix.scn") == 0;
        captured a = runCli(4, builtin), b = runCli(6, exec), c = twice ? runCli(6, exec) : runCli(4, builtin);
        if (b.status != a.status) fail_msg("%s: exit %d with %s, %d built in: %s", file, b.status, WIZARD_PY, a.status, b.err);
        json_t *ja = parseJson(a.out), *jb = parseJson(b.out);
        assertSameResults(file, ja, jb);
        if (twice && strcmp(b.out, c.out) != 0) fail_msg("%s: two runs of %s differ", file, WIZARD_PY);
        checked += twice;
        json_decref(ja);
        json_decref(jb);
        freeCaptured(&a);
        freeCaptured(&b);
        freeCaptured(&c);
        n++;
    }
    closedir(d);
    assert_true(n >= 10);
    assert_int_equal(checked, 2);
}

/* ---- the messages -------------------------------------------------- */

static void test_messages_in_db_and_trace(void **state) {
    (void)state;
    char db[300], tr[300];
    snprintf(db, sizeof db, "%s/m.sqlite", tmpdir);
    snprintf(tr, sizeof tr, "%s/m.jsonl", tmpdir);
    const char *argv[] = {"migsim", "run", smallScenario(), "--quiet", "--migrator", WIZARD_PY, "--db", db,
                          "--trace", tr};
    captured c = runCli(10, argv);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);

    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT id, direction, type, msg_id, in_reply_to, body FROM "
                                           "migrator_messages ORDER BY id", -1, &st, NULL), SQLITE_OK);
    int rows = 0, sent = 0, last_sent = 0, last_got = 0, done = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        assert_int_equal(sqlite3_column_int(st, 0), rows);
        const char *dir = (const char *)sqlite3_column_text(st, 1), *type = (const char *)sqlite3_column_text(st, 2);
        int id = sqlite3_column_int(st, 3), re = sqlite3_column_int(st, 4);
        json_t *body = parseJson((const char *)sqlite3_column_text(st, 5));
        assert_string_equal(json_string_value(json_object_get(body, "type")), type);
        assert_int_equal(json_integer_value(json_object_get(body, "msg_id")), id);
        json_decref(body);
        if (rows == 1) assert_string_equal(type, "init");
        if (rows == 2) assert_string_equal(type, "init_ok");
        if (rows == 3) assert_string_equal(type, "migrate");
        if (strcmp(dir, "sent") == 0) {
            /* migsim counts its own ids and answers the process's last message (migrate answers nothing). */
            assert_int_equal(id, ++sent);
            assert_int_equal(rows % 2, 1);
            if (strcmp(type, "init") != 0 && strcmp(type, "migrate") != 0) assert_int_equal(re, last_got);
            last_sent = id;
        } else {
            assert_string_equal(dir, "received");
            assert_int_equal(rows % 2, 0);
            assert_true(id > last_got);
            assert_int_equal(re, last_sent);
            last_got = id;
            done += strcmp(type, "done") == 0;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    assert_true(rows > 10);
    assert_int_equal(done, 1);

    /* The same messages in --trace, as migrator.message records. */
    FILE *f = fopen(tr, "r");
    assert_non_null(f);
    char line[70000];
    int records = 0;
    while (fgets(line, sizeof line, f))
        records += strstr(line, "\"kind\":\"migrator.message\"") != NULL;
    fclose(f);
    assert_int_equal(records, rows);
}

/* ---- protocol errors ----------------------------------------------- */

/*
** Run the small scenario with the fake whose shell body is given (it gets
** init as msg_id 1 and migrate as msg_id 2); expect exit 2, one line on
** stderr holding each of the NULL-ended phrases, and no --db file.
*/
static void expectProtocolError(const char *body, const char *timeout, ...) {
    char fake[300], spec[400], db[300];
    snprintf(fake, sizeof fake, "%s/fake.sh", tmpdir);
    snprintf(db, sizeof db, "%s/never.sqlite", tmpdir);
    writeFile(fake, body);
    snprintf(spec, sizeof spec, "exec:sh %s", fake);
    const char *argv[] = {"migsim", "run", smallScenario(), "--quiet", "--migrator", spec, "--db", db,
                          "--migrator-timeout", timeout};
    captured c = runCli(10, argv);
    if (c.status != 2 || countLines(c.err) != 1) fail_msg("exit %d, stderr: %s", c.status, c.err);
    char process[400];
    snprintf(process, sizeof process, "process 'sh %s'", fake);
    if (!strstr(c.err, process)) fail_msg("the error does not name the command: %s", c.err);
    if (!strstr(c.err, "last request: ")) fail_msg("the error does not name the last request: %s", c.err);
    va_list ap;
    va_start(ap, timeout);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL;)
        if (!strstr(c.err, want)) fail_msg("'%s' not in the error: %s", want, c.err);
    va_end(ap);
    struct stat st;
    assert_int_not_equal(stat(db, &st), 0);
    freeCaptured(&c);
}

#define INIT_OK "read l; echo '{\"type\":\"init_ok\",\"msg_id\":1,\"in_reply_to\":1}'\nread l\n"

/* A process's log text with a newline and a control character is one narrative line, escaped. */
static void test_log_text_is_escaped(void **state) {
    (void)state;
    char fake[300], spec[400];
    snprintf(fake, sizeof fake, "%s/logger.sh", tmpdir);
    writeFile(fake, INIT_OK "printf '%s\\n' '{\"type\":\"log\",\"msg_id\":2,\"in_reply_to\":2,\"text\":\"one\\ntwo\\u0001\"}'\n"
                    "read l\necho '{\"type\":\"done\",\"msg_id\":3,\"in_reply_to\":3}'\nread l\n");
    snprintf(spec, sizeof spec, "exec:sh %s", fake);
    const char *argv[] = {"migsim", "run", smallScenario(), "--migrator", spec};
    captured c = runCli(5, argv);
    if (c.status != 1) fail_msg("exit %d (not 1: the scenario's expectation, nothing migrated): %s", c.status, c.err);
    if (!strstr(c.out, "one\\ntwo\\x01\n")) fail_msg("no escaped line in: %s", c.out);
    assert_null(strstr(c.out, "one\ntwo"));
    freeCaptured(&c);
}

static void test_malformed_json(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "echo '{\"type\":'\nsleep 5\n", "10", "wrote malformed JSON", NULL);
    expectProtocolError(INIT_OK "echo '[1,2]'\nsleep 5\n", "10", "wrote malformed JSON (not an object)", NULL);
    expectProtocolError(INIT_OK "echo '{\"msg_id\":2,\"in_reply_to\":2}'\nsleep 5\n", "10",
                        "without a string \"type\"", NULL);
}

static void test_unknown_type(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "echo '{\"type\":\"dir.fly\",\"msg_id\":2,\"in_reply_to\":2}'\nsleep 5\n", "10",
                        "unknown message type \"dir.fly\"", NULL);
    /* init answered with something else than init_ok */
    expectProtocolError("read l; echo '{\"type\":\"done\",\"msg_id\":1,\"in_reply_to\":1}'\nsleep 5\n", "10",
                        "answered init with \"done\", not init_ok", "last request: none yet", NULL);
}

static void test_wrong_ids(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "echo '{\"type\":\"done\",\"msg_id\":2,\"in_reply_to\":1}'\nsleep 5\n", "10",
                        "wrote done with a wrong in_reply_to (another message's; expected 2)", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"done\",\"msg_id\":2}'\nsleep 5\n", "10",
                        "wrote done with a wrong in_reply_to (missing; expected 2)", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"done\",\"in_reply_to\":2}'\nsleep 5\n", "10",
                        "wrote done with a wrong msg_id (missing; expected an integer above 1)", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"done\",\"msg_id\":1,\"in_reply_to\":2}'\nsleep 5\n", "10",
                        "wrote done with a wrong msg_id (not above the last", NULL);
}

static void test_bad_fields(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "echo '{\"type\":\"dir.search\",\"msg_id\":2,\"in_reply_to\":2,\"dc\":\"DC9\","
                                "\"by\":\"x500\",\"key\":\"k\"}'\nsleep 5\n",
                        "10", "sent dir.search msg_id 2 with a bad field \"dc\": no DC of that name",
                        "last request: dir.search msg_id 2", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"sleep\",\"msg_id\":2,\"in_reply_to\":2,\"duraton_ms\":5}'\n"
                                "sleep 5\n",
                        "10", "sent sleep msg_id 2 with an unknown field \"duraton_ms\"", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"store.copy\",\"msg_id\":2,\"in_reply_to\":2,\"user\":\"user1\","
                                "\"mailbox\":\"not-a-guid\",\"mode\":\"clone\",\"first\":0,\"count\":1}'\nsleep 5\n",
                        "10", "bad field \"mailbox\": expected a GUID string", NULL);
    expectProtocolError(INIT_OK "echo '{\"type\":\"source.mailbox\",\"msg_id\":2,\"in_reply_to\":2}'\nsleep 5\n",
                        "10", "sent source.mailbox msg_id 2 without its field \"user\"", NULL);
}

static void test_line_too_long(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "head -c 70000 /dev/zero | tr '\\000' x\nsleep 5\n", "10",
                        "wrote a line longer than 65536 bytes", NULL);
}

static void test_out_of_turn(void **state) {
    (void)state;
    /* Two requests in one write: the second was not asked for. */
    expectProtocolError(INIT_OK "printf '%s\\n%s\\n' '{\"type\":\"source.users\",\"msg_id\":2,\"in_reply_to\":2}' "
                                "'{\"type\":\"done\",\"msg_id\":3,\"in_reply_to\":3}'\nsleep 5\n",
                        "10", "wrote to stdout out of turn", NULL);
}

static void test_early_exit(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "echo 'first line' >&2\necho 'Traceback: it broke' >&2\nexit 3\n", "10",
                        "exited early with status 3", "last request: none yet in run 1",
                        "stderr: \"first line | Traceback: it broke\"", NULL);
    /* It closes its input and keeps running: migsim's write fails (EPIPE), and SIGPIPE must not kill it. */
    expectProtocolError("read l; echo '{\"type\":\"init_ok\",\"msg_id\":1,\"in_reply_to\":1}'\nexec 0<&-\n"
                        "sleep 0.3\nexit 4\n",
                        "10", "exited early with status 4", NULL);
}

static void test_watchdog_stops_a_hung_process(void **state) {
    (void)state;
    expectProtocolError(INIT_OK "sleep 30\n", "0.2", "gave no answer within 200 ms (--migrator-timeout)",
                        "last request: none yet in run 1", NULL);
    /* One that never answers init. */
    expectProtocolError("sleep 30\n", "0.2", "gave no answer within 200 ms", "last request: none yet", NULL);
}

/* ---- options ------------------------------------------------------- */

static void test_usage_errors(void **state) {
    (void)state;
    const char *cases[][6] = {
        {"migsim", "run", "x.scn", "--migrator-timeout", "0", "--migrator-timeout needs seconds"},
        {"migsim", "run", "x.scn", "--migrator-timeout", "1.2.3", "--migrator-timeout needs seconds"},
        {"migsim", "run", "x.scn", "--migrator", "exec:", "needs a command"},
        {"migsim", "run", "x.scn", "--migrator", "builtin:nope", "unknown built-in migrator 'nope'"},
        {"migsim", "check", "x.scn", "--migrator-timeout", "-1", "--migrator-timeout needs seconds"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        captured c = runCli(5, cases[i]);
        assert_int_equal(c.status, 2);
        assert_int_equal(countLines(c.err), 1);
        if (!strstr(c.err, cases[i][5])) fail_msg("'%s' not in: %s", cases[i][5], c.err);
        freeCaptured(&c);
    }
    const char *twice[] = {"migsim", "run", "x.scn", "--migrator", "builtin:wizard2003", "--migrator=wizard2003"};
    captured c = runCli(6, twice);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "--migrator given twice"));
    freeCaptured(&c);
}

static void test_check_with_migrator(void **state) {
    (void)state;
    const char *argv[] = {"migsim", "check", "--migrator", WIZARD_PY, "--migrator-timeout=20", smallScenario()};
    captured c = runCli(6, argv);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "PASS  "));
    freeCaptured(&c);
    char fake[300], spec[400];
    snprintf(fake, sizeof fake, "%s/fake.sh", tmpdir);
    writeFile(fake, "exit 5\n");
    snprintf(spec, sizeof spec, "exec:sh %s", fake);
    const char *bad[] = {"migsim", "check", "--migrator", spec, smallScenario()};
    c = runCli(5, bad);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.out, "ERROR "));
    assert_non_null(strstr(c.out, "exited early with status 5"));
    freeCaptured(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wizard_py_matches_builtin),
        cmocka_unit_test(test_messages_in_db_and_trace),
        cmocka_unit_test(test_log_text_is_escaped),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_wrong_ids),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_out_of_turn),
        cmocka_unit_test(test_early_exit),
        cmocka_unit_test(test_watchdog_stops_a_hung_process),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_check_with_migrator),
    };
    return cmocka_run_group_tests(tests, setupDir, removeDir);
}
