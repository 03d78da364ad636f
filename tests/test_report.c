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
    simOptions opt = {0, 0, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRun(&s), MS_OK);
    runReport r;
    assert_int_equal(reportCollect(&s, &r), MS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(reportWriteJson(&r, f), MS_OK);
    fclose(f);
    reportFree(&r);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_strings_decode_utf8),
        cmocka_unit_test(test_json_strings_replace_bad_utf8),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
