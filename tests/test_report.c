/*
** Tests of the report of a finished run (sim/report.c, sim/json.c,
** sim/resultsdb.c): the JSON document is ASCII and reads back as what the
** run holds, whatever the bytes of a file name; the closing table.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "kernel/atomicfile.h"
#include "out/report.h"
#include "scenario/scenario.h"
#include "run/sim.h"

/* Run text (parsed as if from file name) and return its --json document (caller frees). */
static char *jsonOf(const char *name, const char *text) {
    scenario sc;
    scnError e;
    if (scnParse(name, text, strlen(text), &sc, &e) != MS_OK)
        fail_msg("parse failed: %d:%d: %s", e.line, e.col, e.msg);
    sim s;
    simOptions opt = {0, 0, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    runResult r;
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(reportWriteJson(&r, f), MS_OK);
    fclose(f);
    resultFree(&r);
    simFree(&s);
    scnFree(&sc);
    for (size_t i = 0; i < len; i++) assert_true((unsigned char)buf[i] < 0x80);
    return buf;
}

static void expectScenarioKey(const char *name, const char *want) {
    char *doc = jsonOf(name, "seed 1\n");
    char key[256];
    snprintf(key, sizeof key, "\"scenario\": \"%s\",", want);
    if (!strstr(doc, key)) fail_msg("%s not in:\n%s", key, doc);
    free(doc);
}

static void test_json_strings_decode_utf8(void **state) {
    (void)state;
    expectScenarioKey("caf\xc3\xa9.scn", "caf\\u00e9.scn");
    expectScenarioKey("\xe2\x82\xac.scn", "\\u20ac.scn");
    expectScenarioKey("\xf0\x9f\x98\x80.scn", "\\ud83d\\ude00.scn");
    expectScenarioKey("a\"b\\c\x01.scn", "a\\\"b\\\\c\\u0001.scn");
}

static void test_json_strings_replace_bad_utf8(void **state) {
    (void)state;
    expectScenarioKey("x\xff.scn", "x\\ufffd.scn");
    expectScenarioKey("x\xc0\xaf.scn", "x\\ufffd\\ufffd.scn");        /* overlong '/' */
    expectScenarioKey("x\xed\xa0\x80.scn", "x\\ufffd\\ufffd\\ufffd.scn"); /* a surrogate */
    expectScenarioKey("x\xc3", "x\\ufffd");                              /* cut short */
}

/* user1 migrated, user2 absent. */
static const char oneMigrated[] =
    "seed 1\nsite HQ\ndc DC1 site=HQ gc\nserver EX1 dc=DC1\nsource users=2 items=10 folders=1 rules=1\n"
    "wizard server=EX1 dc=DC1\nmigrate user1\nwait done\nwait converged\n";

static void test_json_absent_has_no_counters(void **state) {
    (void)state;
    char *doc = jsonOf("t.scn", oneMigrated);
    assert_non_null(strstr(doc, "{\"user\": \"user1\", \"outcome\": \"cloned\", \"extra\": 0, \"dupes\": 0, "
                                "\"missing\": 0, \"rules_broken\": 0,"));
    assert_non_null(strstr(doc, "{\"user\": \"user2\", \"outcome\": \"absent\", \"extra\": null, "
                                "\"dupes\": null, \"missing\": null, \"rules_broken\": null,"));
    free(doc);
}

static void test_table_and_db_absent_have_no_counters(void **state) {
    (void)state;
    scenario sc;
    scnError e;
    assert_int_equal(scnParse("t.scn", oneMigrated, strlen(oneMigrated), &sc, &e), MS_OK);
    sim s;
    simOptions opt = {0, 0, NULL, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    runResult r;
    assert_int_equal(resultCollect(&s, &r), MS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    reportPrintTable(&r, f);
    fclose(f);
    assert_non_null(strstr(buf, "  user1      cloned           0      0        0             0  "));
    assert_non_null(strstr(buf, "  user2      absent           -      -        -             -  no account"));
    free(buf);
    char path[] = "/tmp/migsim-report-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char why[512];
    outTarget t;
    assert_int_equal(outTargetPrepare(&t, "--db", path, 0, stdout, stderr, why, sizeof why), MS_OK);
    assert_int_equal(reportWriteDb(&r, &t, why, sizeof why), MS_OK);
    outTargetFree(&t);
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM outcomes WHERE user = 'user2' AND extra IS NULL"
                                            " AND dupes IS NULL AND missing IS NULL AND rules_broken IS NULL),"
                                            " (SELECT count(*) FROM outcomes WHERE user = 'user1' AND missing = 0)",
                                        -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    unlink(path);
    resultFree(&r);
    simFree(&s);
    scnFree(&sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_strings_decode_utf8),
        cmocka_unit_test(test_json_strings_replace_bad_utf8),
        cmocka_unit_test(test_json_absent_has_no_counters),
        cmocka_unit_test(test_table_and_db_absent_have_no_counters),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
