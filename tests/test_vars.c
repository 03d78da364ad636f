/*
** Tests of scenario variables (sim/scenario/vars.c, their expansion in
** sim/scenario/lexer.c, settings from outside through scnParseWith):
** `let NAME = VALUE`, `$NAME` and `${NAME}` wherever a word or part of one
** goes, declare before use, one definition, settings that replace a `let`
** and settings no `let` takes, and every error at its exact line and
** column in the file as written (a byte that came from a variable maps to
** its `$`).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "scenario/scenario.h"

#define WORLD                                                                                      \
    "site S1\n"                                                                                    \
    "dc DC1 site=S1\n"                                                                             \
    "dc DC2 site=S1 gc\n"                                                                          \
    "server EX1 dc=DC1\n"                                                                          \
    "source users=6\n"                                                                             \
    "wizard server=EX1 dc=DC1\n"

static void parseSet(const char *text, const scnSetting *set, size_t nset, scenario *sc) {
    scnError err;
    msStatus st = scnParseWith("t.scn", text, strlen(text), set, nset, sc, &err);
    if (st != MS_OK) print_error("unexpected error %d:%d: %s\n", err.line, err.col, err.msg);
    assert_int_equal(st, MS_OK);
}

static void checkErrorSet(const char *text, const scnSetting *set, size_t nset, int line, int col, const char *msg) {
    scenario sc;
    scnError err;
    msStatus st = scnParseWith("t.scn", text, strlen(text), set, nset, &sc, &err);
    if (st != MS_INPUT || err.line != line || err.col != col || strcmp(err.msg, msg) != 0)
        print_error("for \"%s\" got %s %d:%d: %s\n", text, msStatusName(st), err.line, err.col, err.msg);
    assert_int_equal(st, MS_INPUT);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.msg, msg);
    assert_int_equal(sc.n, 0);
}

#define ERR(text, line, col, msg) checkErrorSet((text), NULL, 0, (line), (col), (msg))

/* A variable stands for a duration, a count, an option value, a whole option and a DC's name. */
static void test_expand_everywhere(void **state) {
    (void)state;
    scenario sc;
    parseSet("let W = 1h30m\n"
             "let N = 7\n"
             "let D = DC2\n"
             "let G = gc\n"
             "let R = rate=5/s\n"
             "site S1\n"
             "dc DC1 site=S1 $G\n"
             "dc $D site=S1\n"
             "server EX1 dc=${D}\n"
             "source users=$N items=1${N}\n"
             "wizard server=EX1 dc=DC1 $R\n"
             "wait $W\n"
             "deliver user$N count=${N}0\n",
             NULL, 0, &sc);
    assert_int_equal(sc.n, 8);   /* `let` lines are not statements */
    assert_true(sc.v[1].u.dc.gc);
    assert_string_equal(sc.v[2].u.dc.name.name, "DC2");
    assert_int_equal(sc.v[3].u.server.dc.index, 1);
    assert_int_equal(sc.v[4].u.source.users, 7);
    assert_int_equal(sc.v[4].u.source.items_lo, 17);
    assert_int_equal(sc.v[5].u.wizard.rate, 5);
    assert_int_equal(sc.v[6].u.wait.dur, 90 * 60 * 1000);
    assert_int_equal(sc.v[7].u.deliver.count, 70);
    assert_int_equal(sc.v[7].u.deliver.users.v[0].lo, 7);
    /* The statement's text is the line as it ran. */
    assert_string_equal(sc.v[6].text, "wait 1h30m");
    assert_string_equal(sc.v[7].text, "deliver user7 count=70");
    /* Lines are still the file's. */
    assert_int_equal(sc.v[6].pos.line, 12);
    scnFree(&sc);
}

/* A `let` value may use earlier variables; a comment after it is a comment; `$` in a comment is text. */
static void test_let_chain_and_comments(void **state) {
    (void)state;
    scenario sc;
    parseSet("let A = 5\n"
             "let B = ${A}m   # $UNDEFINED in a comment is fine\n"
             WORLD
             "wait $B # and here $X\n",
             NULL, 0, &sc);
    assert_int_equal(sc.v[sc.n - 1].u.wait.dur, 5 * 60 * 1000);
    scnFree(&sc);
}

/* A setting from outside replaces the let's value, and only the let's. */
static void test_settings(void **state) {
    (void)state;
    scenario sc;
    scnSetting set[] = {{"W", "45s"}, {"U", "user2"}};
    parseSet("let W = 5m\nlet U = user1\n" WORLD "wait $W\nlogon $U\n", set, 2, &sc);
    assert_int_equal(sc.v[sc.n - 2].u.wait.dur, 45000);
    assert_int_equal(sc.v[sc.n - 1].u.logon.users.v[0].lo, 2);
    scnFree(&sc);
    /* The let's own value is still expanded (and so still checked) when a setting replaces it. */
    checkErrorSet("let W = $Q\n" WORLD "wait $W\n", set, 1, 1, 9,
                  "undefined variable '$Q': no 'let Q = ...' before this line");
    /* A setting no let takes is an error of the whole file. */
    scnSetting typo[] = {{"WAIT", "1m"}};
    checkErrorSet("let W = 5m\n" WORLD "wait $W\n", typo, 1, 0, 0,
                  "variable 'WAIT' is set from outside (--set) but never defined: the scenario has no "
                  "'let WAIT = ...'");
}

/* Every error points into the file as written. */
static void test_errors(void **state) {
    (void)state;
    ERR(WORLD "wait $W\n", 7, 6, "undefined variable '$W': no 'let W = ...' before this line");
    ERR(WORLD "wait ${W}\n", 7, 6, "undefined variable '$W': no 'let W = ...' before this line");
    /* Declare before use: a let after the use does not count. */
    ERR(WORLD "wait $W\nlet W = 1m\n", 7, 6, "undefined variable '$W': no 'let W = ...' before this line");
    ERR("let W = 1m\nlet W = 2m\n", 2, 5, "variable 'W' is already defined (line 1)");
    ERR("let W=1m\n", 1, 5, "write 'let NAME = VALUE', with blanks around '='");
    ERR("let W =1m\n", 1, 5, "write 'let NAME = VALUE', with blanks around '='");
    ERR("let\n", 1, 4, "missing variable name in 'let' (write 'let NAME = VALUE')");
    ERR("let W\n", 1, 6, "expected '=' after 'let NAME'");
    ERR("let W = \n", 1, 8, "missing value after 'let NAME ='");
    ERR("let W = a b\n", 1, 11, "unexpected word after the value of 'let' (a value is one word)");
    ERR("let 9W = 1\n", 1, 5, "bad variable name '9W': a letter or '_', then letters, digits or '_' (at most 64)");
    ERR(WORLD "wait $\n", 7, 6,
        "'$' must be followed by a variable name: $NAME or ${NAME}, NAME a letter or '_', then letters, "
        "digits or '_' (at most 64)");
    ERR(WORLD "wait ${W\n", 7, 6,
        "'$' must be followed by a variable name: $NAME or ${NAME}, NAME a letter or '_', then letters, "
        "digits or '_' (at most 64)");
    /* An error inside a value points at the `$` that brought it; one past a word, just after the word as written. */
    ERR("let W = 5x\n" WORLD "wait $W\n", 8, 6,
        "unknown unit 'x' in duration '5x' for wait (units: ms, s, m, h, d)");
    ERR("let N = 3\n" WORLD "wait 1m$N\n", 8, 10,
        "missing unit at the end of duration '1m3' for wait (units: ms, s, m, h, d)");
    ERR("let D = DC9\n" WORLD "sync $D\n", 8, 6, "unknown DC 'DC9': no 'dc DC9' before this line");
    ERR("let L = loooooooooong\n" WORLD "wait 1m $L x\n", 8, 9,
        "unexpected 'loooooooooong' after the end of the 'wait' statement");
    ERR("let L = loooooooooong\n" WORLD "fail dc DC1 $L\n", 8, 13,
        "unexpected 'loooooooooong' after the end of the 'fail' statement");
}

/* A line that grows past the limit by expansion is refused, so chains cannot blow up. */
static void test_growth_bounded(void **state) {
    (void)state;
    static char text[200000];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "let A = ");
    for (int i = 0; i < 1000; i++) text[n++] = 'x';
    n += (size_t)snprintf(text + n, sizeof text - n, "\nlet B = ");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(text + n, sizeof text - n, "$A");
    text[n++] = '\n';
    text[n] = '\0';
    ERR(text, 2, 139, "line too long after expanding variables (at most 65536 bytes)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_everywhere),
        cmocka_unit_test(test_let_chain_and_comments),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_growth_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
