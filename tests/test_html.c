/*
** Tests of the timeline picture (sim/out/html.c, timescale.c): the page's
** structure (a lane per DC, server, the migrator, smtp and the
** administrator; an arrow per replication pull; the marks; the outcome
** table), the escaping of every string from the run, the compressed axis'
** rule, and determinism (the same run, the same bytes).  The browser test
** (tools/test_html.sh) checks the page as a browser draws it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exfixture.h"
#include "out/html.h"
#include "out/timescale.h"
#include "run/result.h"

/* The KB reproduction (scenarios/kb842101/reproduce.scn) without its expectations. */
static const char reproduce[] =
    "seed 1\nad 2003\nsite HQ\ndc DC1 site=HQ gc\ndc DC2 site=HQ\nserver EX1 dc=DC1 gc=DC1\n"
    "source users=6 items=100 folders=2 rules=1\nwizard server=EX1 dc=DC1 rate=20/s\nadmin dc=DC1\n"
    "migrate all\ncancel when mailboxes=2\nwait 2m\ndeliver user3 count=3\nlogon user4\nmigrate all\n"
    "wait done\nwait converged\n";

/* The page of scenario text (caller frees), and the number of repl.pull.start records in *pulls. */
static char *pageOf(const char *text, size_t *pulls) {
    exRun *x = exRunText(text);
    assert_non_null(x);
    runResult r;
    assert_int_equal(resultCollect(&x->s, &r), MS_OK);
    size_t n;
    const traceRecord *v = traceRecords(&r.tr, &n);
    *pulls = 0;
    for (size_t i = 0; i < n; i++) *pulls += v[i].kind == TR_REPL_PULL_START;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(htmlWrite(&r, f), MS_OK);
    fclose(f);
    resultFree(&r);
    exRunFree(x);
    return buf;
}

static size_t countOf(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
    return n;
}

static void test_lanes_arrows_marks_table(void **state) {
    (void)state;
    size_t pulls;
    char *doc = pageOf(reproduce, &pulls);
    assert_true(strncmp(doc, "<!DOCTYPE html>\n", 16) == 0);
    assert_non_null(strstr(doc, "</html>\n"));
    assert_int_equal(countOf(doc, "data-lane=\"dc\""), 2);
    assert_non_null(strstr(doc, "data-lane=\"dc\" data-name=\"DC1\""));
    assert_non_null(strstr(doc, "data-lane=\"dc\" data-name=\"DC2\""));
    assert_int_equal(countOf(doc, "data-lane=\"server\" data-name=\"EX1\""), 1);
    assert_int_equal(countOf(doc, "data-lane=\"migrator\""), 1);
    assert_int_equal(countOf(doc, "data-lane=\"smtp\""), 1);
    assert_int_equal(countOf(doc, "data-lane=\"admin\""), 1);   /* drawn though the admin did nothing */
    assert_true(pulls > 0);
    assert_int_equal(countOf(doc, "data-pull=\""), pulls);
    assert_non_null(strstr(doc, "class=\"rec mark-cancel\""));
    assert_non_null(strstr(doc, "class=\"rec mark-rerun\""));
    assert_non_null(strstr(doc, "mark-init"));
    assert_non_null(strstr(doc, "class=\"rec mark-merge\""));
    assert_non_null(strstr(doc, "class=\"rec mark-start\""));
    /* the idle 2 minutes after the cancel are breaks, each with its duration */
    assert_non_null(strstr(doc, "class=\"break\""));
    assert_non_null(strstr(doc, "class=\"breaklabel\""));
    /* the outcome table: the closing table's columns, a row per user, the picker */
    assert_non_null(strstr(doc, "<th>user</th><th>outcome</th><th>extra</th><th>dupes</th><th>missing</th>"
                                "<th>rules_broken</th><th>detail</th>"));
    assert_int_equal(countOf(doc, "<tr data-user=\""), 6);
    assert_non_null(strstr(doc, "<tr data-user=\"user3\"><td>user3</td><td class=\"outcome o-merged\">merged</td>"
                                "<td class=\"n\">3</td>"));
    assert_int_equal(countOf(doc, "<option value=\"user"), 6);
    assert_non_null(strstr(doc, "<title>migsim timeline: test.scn, seed 1</title>"));
    /* self-contained: nothing fetched */
    assert_null(strstr(doc, " src="));
    assert_null(strstr(doc, "<link"));
    assert_null(strstr(doc, "href="));
    free(doc);
}

static void test_same_run_same_bytes(void **state) {
    (void)state;
    size_t p1, p2;
    char *a = pageOf(reproduce, &p1), *b = pageOf(reproduce, &p2);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static char *escaped(const char *s) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    htmlEscape(f, s);
    fclose(f);
    return buf;
}

static void expectEscape(const char *in, const char *want) {
    char *got = escaped(in);
    if (strcmp(got, want) != 0) fail_msg("htmlEscape(%s) = %s, want %s", in, got, want);
    free(got);
}

static void test_escape(void **state) {
    (void)state;
    expectEscape("<script>a&b</script>", "&lt;script&gt;a&amp;b&lt;/script&gt;");
    expectEscape("\"q\" 'a'", "&quot;q&quot; &#39;a&#39;");
    expectEscape("a\nb\tc\x01", "a&#10;b&#9;c&#xFFFD;");
    expectEscape("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac");   /* UTF-8 kept */
    expectEscape("x\xff", "x&#xFFFD;");                                      /* not UTF-8 */
    expectEscape("x\xc0\xaf", "x&#xFFFD;&#xFFFD;");                          /* overlong '/' */
    expectEscape("x\xed\xa0\x80", "x&#xFFFD;&#xFFFD;&#xFFFD;");              /* a surrogate */
    expectEscape("x\xc3", "x&#xFFFD;");                                      /* cut short */
}

/* A result made by hand whose every string is hostile: none reaches the page unescaped. */
static void test_run_strings_are_escaped(void **state) {
    (void)state;
    static const char evil[] = "<img src=x onerror=alert(1)>\"'&";
    runResult r;
    memset(&r, 0, sizeof r);
    r.scenario = (char *)evil;
    r.seed = 7;
    r.end = 5000;
    r.finished = 1;
    r.nusers = 1;
    userVerdict v;
    memset(&v, 0, sizeof v);
    v.user = 1;
    snprintf(v.detail, sizeof v.detail, "%s", evil);
    char *names[1] = {(char *)evil};
    r.verdicts = &v;
    r.user_names = names;
    r.judged_on = (char *)evil;
    r.converged = 1;
    traceInit(&r.tr, NULL, 1);
    traceRecord a = traceNew(TR_SMTP_NDR, "smtp");
    a.user = evil;
    traceStr(&a, "reason", evil);
    assert_int_equal(traceEmit(&r.tr, 1000, &a, "bounced %s", evil), MS_OK);
    traceRecord b = traceNew(TR_REPL_PULL_START, evil);
    b.dc = evil;
    b.peer = "DC1";
    traceInt(&b, "pull", 1);
    assert_int_equal(traceEmit(&r.tr, 2000, &b, "start"), MS_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(htmlWrite(&r, f), MS_OK);
    fclose(f);
    traceFree(&r.tr);
    assert_null(strstr(buf, "<img"));
    assert_null(strstr(buf, "\"'&"));
    assert_true(countOf(buf, "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;") >= 8);
    assert_non_null(strstr(buf, "class=\"rec mark-ndr\""));
    assert_int_equal(countOf(buf, "data-pull=\"1\""), 1);    /* still in flight at the end: drawn to the end */
    assert_non_null(strstr(buf, "class=\"rec pull inflight\""));
    free(buf);
}

static void test_axis_compresses_idle_stretches(void **state) {
    (void)state;
    /* 0, 1 s, 1.1 s (closer than the least distance), then 60 s idle, then 61 s */
    simtime at[] = {0, 1000, 1100, 1100, 61100, 62100};
    timescale ts;
    assert_int_equal(timescaleBuild(&ts, at, 6, 70000), MS_OK);
    assert_int_equal(ts.n, 6);   /* 0, 1000, 1100, 61100, 62100, 70000 */
    assert_int_equal(ts.x[0], 0);
    assert_int_equal(ts.x[1], TS_PX_PER_S);
    assert_int_equal(ts.x[2], TS_PX_PER_S + TS_MIN_PX);
    assert_int_equal(ts.x[3], TS_PX_PER_S + TS_MIN_PX + TS_BREAK_PX);
    assert_int_equal(ts.x[4], TS_PX_PER_S + TS_MIN_PX + TS_BREAK_PX + TS_PX_PER_S);
    assert_int_equal(ts.nbreaks, 1);   /* 62.1 s to 70 s is 7.9 s: not idle enough */
    assert_int_equal(ts.breaks[0].from, 1100);
    assert_int_equal(ts.breaks[0].to, 61100);
    assert_int_equal(ts.width, ts.x[5]);
    assert_int_equal(timescaleX(&ts, 61100), ts.x[3]);
    assert_int_equal(timescaleX(&ts, 500), TS_PX_PER_S / 2);   /* between two instants: in proportion */
    timescaleFree(&ts);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanes_arrows_marks_table),
        cmocka_unit_test(test_same_run_same_bytes),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_run_strings_are_escaped),
        cmocka_unit_test(test_axis_compresses_idle_stretches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
