/*
** Tests for virtual time (sim/clock.h): the narrative stamp format of
** docs/semantics.md, and the duration syntax of the scenario language with its
** error offsets (they become error columns) and its overflow rule (a range
** error, never a wrap).  Inputs are handed over as exact-length heap copies
** without a terminating NUL, so ASan and valgrind catch any read past n.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/clock.h"
#include "kernel/prng.h"

/* ---- clockFormat ---- */

static void checkStamp(simtime t, const char *want) {
    char buf[CLOCK_BUFSZ];
    memset(buf, 'X', sizeof buf);
    assert_ptr_equal(clockFormat(t, buf), buf);
    assert_string_equal(buf, want);
}

static void testClockFormatBelowADay(void **state) {
    (void)state;
    checkStamp(0, "+00:00:00.000");
    checkStamp(1, "+00:00:00.001");
    checkStamp(999, "+00:00:00.999");
    checkStamp(1000, "+00:00:01.000");
    checkStamp(90 * MS_PER_SECOND, "+00:01:30.000");
    checkStamp(59 * MS_PER_MINUTE + 59 * MS_PER_SECOND + 999, "+00:59:59.999");
    checkStamp(MS_PER_HOUR, "+01:00:00.000");
    checkStamp(10 * MS_PER_HOUR + 20 * MS_PER_MINUTE + 30 * MS_PER_SECOND + 40, "+10:20:30.040");
    checkStamp(MS_PER_DAY - 1, "+23:59:59.999");
}

static void testClockFormatDays(void **state) {
    (void)state;
    checkStamp(MS_PER_DAY, "+1d00:00:00.000");
    checkStamp(MS_PER_DAY + 1, "+1d00:00:00.001");
    checkStamp(2 * MS_PER_DAY + 3 * MS_PER_HOUR + 4 * MS_PER_MINUTE + 5 * MS_PER_SECOND + 6,
               "+2d03:04:05.006");
    checkStamp(10 * MS_PER_DAY - 1, "+9d23:59:59.999");
    checkStamp(10 * MS_PER_DAY, "+10d00:00:00.000");
    checkStamp(365 * MS_PER_DAY, "+365d00:00:00.000");
    checkStamp(1000 * MS_PER_DAY + 1, "+1000d00:00:00.001");
    checkStamp(INT64_MAX, "+106751991167d07:12:55.807");
}

static void testClockFormatNegative(void **state) {
    (void)state;
    checkStamp(-1, "-00:00:00.001");
    checkStamp(-90 * MS_PER_SECOND, "-00:01:30.000");
    checkStamp(-MS_PER_DAY, "-1d00:00:00.000");
    checkStamp(INT64_MIN, "-106751991167d07:12:55.808");
}

/* Read a stamp back (test-side parser) to check the format over many values. */
static simtime readStamp(const char *s) {
    unsigned long long d = 0;
    unsigned hh, mm, ss, ms;
    int used = 0;
    assert_int_equal(s[0], '+');
    if (strchr(s, 'd')) {
        assert_int_equal(sscanf(s + 1, "%llud%2u:%2u:%2u.%3u%n", &d, &hh, &mm, &ss, &ms, &used), 5);
        assert_true(d >= 1);
    } else {
        assert_int_equal(sscanf(s + 1, "%2u:%2u:%2u.%3u%n", &hh, &mm, &ss, &ms, &used), 4);
        assert_int_equal(strlen(s), 13);
    }
    assert_int_equal(s[1 + used], '\0');
    assert_true(hh < 24 && mm < 60 && ss < 60 && ms < 1000);
    /* Fixed-width fields after the days. */
    size_t tail = strlen(s) - (size_t)(strchr(s, 'd') ? strchr(s, 'd') - s + 1 : 1);
    assert_int_equal(tail, 12);
    return (simtime)d * MS_PER_DAY + hh * MS_PER_HOUR + mm * MS_PER_MINUTE +
           ss * MS_PER_SECOND + ms;
}

static void testClockFormatProperty(void **state) {
    (void)state;
    rng r;
    rngSeed(&r, 21, RNG_TEST);
    for (int i = 0; i < 20000; i++) {
        /* Spread over magnitudes: below a second up to the int64 limit. */
        int bits = (int)rngBelow(&r, 63) + 1;
        simtime t = (simtime)(rngNext(&r) >> (64 - bits));
        char buf[CLOCK_BUFSZ];
        clockFormat(t, buf);
        assert_true(strlen(buf) < CLOCK_BUFSZ);
        assert_true(readStamp(buf) == t);
    }
}

/* ---- durationParse ---- */

/* A heap copy of exactly strlen(text) bytes, no NUL: reading past n is caught. */
static char *exact(const char *text) {
    size_t n = strlen(text);
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, text, n);
    return p;
}

static void parseOk(const char *text, simtime want) {
    char *p = exact(text);
    simtime out = -12345;
    size_t errat = 9999;
    msStatus st = durationParse(p, strlen(text), &out, &errat);
    if (st != MS_OK) fail_msg("\"%s\": status %d at %zu", text, (int)st, errat);
    if (out != want) fail_msg("\"%s\": %lld, want %lld", text, (long long)out, (long long)want);
    /* errat is optional. */
    out = -12345;
    assert_int_equal(durationParse(p, strlen(text), &out, NULL), MS_OK);
    assert_true(out == want);
    free(p);
}

static void parseErr(const char *text, msStatus want, size_t wantAt) {
    char *p = exact(text);
    simtime out = -12345;
    size_t errat = 9999;
    msStatus st = durationParse(p, strlen(text), &out, &errat);
    if (st != want || errat != wantAt)
        fail_msg("\"%s\": status %d at %zu, want %d at %zu", text, (int)st, errat, (int)want, wantAt);
    assert_true(out == -12345); /* nothing stored on failure */
    assert_int_equal(durationParse(p, strlen(text), &out, NULL), want);
    assert_true(out == -12345);
    free(p);
}

static void testParseUnits(void **state) {
    (void)state;
    parseOk("250ms", 250);
    parseOk("15s", 15 * MS_PER_SECOND);
    parseOk("5m", 5 * MS_PER_MINUTE);
    parseOk("2h", 2 * MS_PER_HOUR);
    parseOk("1d", MS_PER_DAY);
    parseOk("1ms", 1);
    parseOk("180m", 180 * MS_PER_MINUTE);
    parseOk("60d", 60 * MS_PER_DAY);
}

static void testParseSums(void **state) {
    (void)state;
    parseOk("1h30m", MS_PER_HOUR + 30 * MS_PER_MINUTE);
    parseOk("1d12h30m15s250ms",
            MS_PER_DAY + 12 * MS_PER_HOUR + 30 * MS_PER_MINUTE + 15 * MS_PER_SECOND + 250);
    parseOk("1s500ms", 1500);
    parseOk("90m", 90 * MS_PER_MINUTE); /* a term need not be below the next unit */
    parseOk("1m1m", 2 * MS_PER_MINUTE); /* a sum is a sum, in any order */
    parseOk("30s1h", MS_PER_HOUR + 30 * MS_PER_SECOND);
}

static void testParseZero(void **state) {
    (void)state;
    parseOk("0s", 0);
    parseOk("0ms", 0);
    parseOk("0d0h0m0s0ms", 0);
    parseOk("000s", 0);
    parseOk("0000000000000000000000000000001s", 1000); /* leading zeros never overflow */
}

static void testParseErrors(void **state) {
    (void)state;
    parseErr("", MS_INPUT, 0);
    parseErr("5", MS_INPUT, 1);      /* a number without unit: the missing unit's place */
    parseErr("5x", MS_INPUT, 1);
    parseErr("h5", MS_INPUT, 0);
    parseErr("5 m", MS_INPUT, 1);
    parseErr("-5s", MS_INPUT, 0);
    parseErr("5s!", MS_INPUT, 2);
    parseErr("+5s", MS_INPUT, 0);
    parseErr(" 5s", MS_INPUT, 0);
    parseErr("5s ", MS_INPUT, 2);
    parseErr("1h30", MS_INPUT, 4);
    parseErr("1h 30m", MS_INPUT, 2);
    parseErr("1.5h", MS_INPUT, 1);
    parseErr("5S", MS_INPUT, 1);     /* units are lowercase */
    parseErr("5M", MS_INPUT, 1);
    parseErr("5sec", MS_INPUT, 1);
    parseErr("5msx", MS_INPUT, 1);
    parseErr("5us", MS_INPUT, 1);
    parseErr("5mss", MS_INPUT, 1);
    parseErr("ms", MS_INPUT, 0);
    parseErr("s", MS_INPUT, 0);
    parseErr("1h30m5", MS_INPUT, 6);
}

static void testParseRespectsLength(void **state) {
    (void)state;
    /* Only the first n bytes count, whatever follows them. */
    const char text[] = "1h30m";
    simtime out = 0;
    size_t errat = 0;
    assert_int_equal(durationParse(text, 2, &out, &errat), MS_OK);
    assert_true(out == MS_PER_HOUR);
    assert_int_equal(durationParse(text, 4, &out, &errat), MS_INPUT);
    assert_int_equal(errat, 4);
    assert_int_equal(durationParse("15s garbage", 3, &out, &errat), MS_OK);
    assert_true(out == 15 * MS_PER_SECOND);
    assert_int_equal(durationParse("15s", 0, &out, &errat), MS_INPUT);
    assert_int_equal(errat, 0);
    /* A NUL inside the n bytes is a stray byte, not an end. */
    assert_int_equal(durationParse("1s\0" "2s", 5, &out, &errat), MS_INPUT);
    assert_int_equal(errat, 2);
}

static void testParseOverflow(void **state) {
    (void)state;
    parseOk("9223372036854775807ms", INT64_MAX);
    parseOk("106751991167d7h12m55s807ms", INT64_MAX);
    parseErr("9223372036854775808ms", MS_RANGE, 0);
    parseErr("999999999999d", MS_RANGE, 0);
    parseErr("9223372036854775807s", MS_RANGE, 0);
    parseErr("106751991168d", MS_RANGE, 0);
    parseOk("106751991167d", 106751991167LL * MS_PER_DAY);
    /* The sum overflows: the error points at the term that tipped it. */
    parseErr("106751991167d7h12m55s808ms", MS_RANGE, 21);
    parseErr("1ms9223372036854775807ms", MS_RANGE, 3);
    parseErr("5s99999999999999999999999999ms", MS_RANGE, 2);
    parseErr("4611686018427387904ms4611686018427387904ms", MS_RANGE, 21);
}

/* ---- durationFormat ---- */

static void checkFormat(simtime d, const char *want) {
    char buf[CLOCK_BUFSZ];
    memset(buf, 'X', sizeof buf);
    assert_ptr_equal(durationFormat(d, buf), buf);
    assert_string_equal(buf, want);
}

static void testFormatKnown(void **state) {
    (void)state;
    checkFormat(0, "0s");
    checkFormat(1, "1ms");
    checkFormat(250, "250ms");
    checkFormat(1000, "1s");
    checkFormat(1500, "1s500ms");
    checkFormat(15 * MS_PER_SECOND, "15s");
    checkFormat(90 * MS_PER_SECOND, "1m30s");
    checkFormat(5 * MS_PER_MINUTE, "5m");
    checkFormat(MS_PER_HOUR + 30 * MS_PER_MINUTE, "1h30m");
    checkFormat(180 * MS_PER_MINUTE, "3h");
    checkFormat(MS_PER_DAY, "1d");
    checkFormat(2 * MS_PER_DAY + 3 * MS_PER_HOUR, "2d3h");
    checkFormat(60 * MS_PER_DAY, "60d");
    checkFormat(MS_PER_DAY + 1, "1d1ms");
    checkFormat(INT64_MAX, "106751991167d7h12m55s807ms");
}

/*
** A formatted duration is canonical: units largest first, each at most once,
** zero terms left out, each term below the next larger unit.
*/
static void checkCanonical(const char *s) {
    static const struct { const char *name; long long limit; } units[] = {
        {"d", -1}, {"h", 24}, {"m", 60}, {"s", 60}, {"ms", 1000},
    };
    size_t k = 0;
    const char *p = s;
    if (strcmp(s, "0s") == 0) return;
    while (*p) {
        char *end;
        long long q = strtoll(p, &end, 10);
        assert_true(end > p);
        assert_true(q > 0);
        size_t ulen = end[0] == 'm' && end[1] == 's' ? 2 : 1;
        size_t j = k;
        while (j < 5 && !(strlen(units[j].name) == ulen && strncmp(end, units[j].name, ulen) == 0)) j++;
        if (j == 5) fail_msg("\"%s\": units out of order or unknown", s);
        if (units[j].limit > 0) assert_true(q < units[j].limit);
        k = j + 1;
        p = end + ulen;
    }
}

static void testFormatRoundTripProperty(void **state) {
    (void)state;
    rng r;
    rngSeed(&r, 22, RNG_TEST);
    for (int i = 0; i < 50000; i++) {
        simtime d;
        switch (i % 4) {
        case 0: d = (simtime)rngBelow(&r, 2000); break;                       /* small */
        case 1: d = (simtime)rngBelow(&r, 400) * MS_PER_MINUTE; break;       /* round */
        case 2: d = rngBetween(&r, 0, INT64_MAX); break;                     /* huge */
        default: {
            int bits = (int)rngBelow(&r, 63) + 1;                            /* any magnitude */
            d = (simtime)(rngNext(&r) >> (64 - bits));
        }
        }
        char buf[CLOCK_BUFSZ];
        durationFormat(d, buf);
        size_t n = strlen(buf);
        assert_true(n > 0 && n < CLOCK_BUFSZ);
        checkCanonical(buf);
        char *p = exact(buf);
        simtime back = -1;
        size_t errat;
        if (durationParse(p, n, &back, &errat) != MS_OK || back != d)
            fail_msg("%lld -> \"%s\" -> %lld", (long long)d, buf, (long long)back);
        free(p);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testClockFormatBelowADay),
        cmocka_unit_test(testClockFormatDays),
        cmocka_unit_test(testClockFormatNegative),
        cmocka_unit_test(testClockFormatProperty),
        cmocka_unit_test(testParseUnits),
        cmocka_unit_test(testParseSums),
        cmocka_unit_test(testParseZero),
        cmocka_unit_test(testParseErrors),
        cmocka_unit_test(testParseRespectsLength),
        cmocka_unit_test(testParseOverflow),
        cmocka_unit_test(testFormatKnown),
        cmocka_unit_test(testFormatRoundTripProperty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
