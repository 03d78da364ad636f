/*
** Tests for deterministic GUIDs (sim/guid.h).  The known answers were
** computed independently (RFC 4122 version 5: Python's uuid.uuid5 over the
** OID namespace), so they check both that libuuid's uuid_generate_sha1 is
** used as documented and that the names ("migsim-seed:<seed>",
** "<kind>:<n>") are exactly what the header says.  Changing either changes
** every GUID of every run and must fail here.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/guid.h"
#include "kernel/prng.h"

static void fmt(const guid *g, char *buf) {
    assert_ptr_equal(guidFormat(g, buf), buf);
}

static void testKnownAnswers(void **state) {
    (void)state;
    guidgen g;
    guid id;
    char s[GUID_STRLEN];
    guidInit(&g, 1);
    fmt(&g.ns, s);
    assert_string_equal(s, "7600e54a-cda5-5fbf-9c7a-50432b6a6d3d");
    guidNamed(&g, "object:0", &id);
    fmt(&id, s);
    assert_string_equal(s, "92fdba2e-5c51-596e-83a4-b4fce2471b20");

    guidInit(&g, 0);
    guidNamed(&g, "object:0", &id);
    fmt(&id, s);
    assert_string_equal(s, "6c014532-58fa-5212-8b30-edb1dcb54114");

    guidInit(&g, UINT64_MAX);
    guidNamed(&g, "invocation:DC1", &id);
    fmt(&id, s);
    assert_string_equal(s, "ae3279f0-7f50-5c24-841c-a331cd1004df");
}

/* guidNext(kind) is guidNamed("<kind>:<n>"), n counting every guidNext call from 0. */
static void testNextIsNamedCounter(void **state) {
    (void)state;
    guidgen g;
    guid a, b;
    char s[GUID_STRLEN];
    guidInit(&g, 1);
    assert_int_equal(g.count, 0);
    guidNext(&g, "object", &a);
    fmt(&a, s);
    assert_string_equal(s, "92fdba2e-5c51-596e-83a4-b4fce2471b20");
    guidNext(&g, "object", &a);
    fmt(&a, s);
    assert_string_equal(s, "a71edbeb-ef43-5ce1-bf39-a64abc53008c");
    assert_int_equal(g.count, 2);
    /* The counter is shared by all kinds. */
    guidNext(&g, "mailbox", &a);
    guidNamed(&g, "mailbox:2", &b);
    assert_memory_equal(a.b, b.b, 16);
    assert_int_equal(g.count, 3);
    /* guidNamed does not advance the counter. */
    guidNamed(&g, "object:0", &b);
    assert_int_equal(g.count, 3);
    /* guidInit resets it. */
    guidInit(&g, 1);
    assert_int_equal(g.count, 0);
}

static void testDeterministicAcrossInstances(void **state) {
    (void)state;
    guidgen g1, g2;
    guidInit(&g1, 77);
    guidInit(&g2, 77);
    assert_memory_equal(g1.ns.b, g2.ns.b, 16);
    for (int i = 0; i < 500; i++) {
        guid a, b;
        const char *kind = i % 3 ? "object" : "invocation";
        guidNext(&g1, kind, &a);
        guidNext(&g2, kind, &b);
        assert_memory_equal(a.b, b.b, 16);
        guidNamed(&g1, "user3", &a);
        guidNamed(&g2, "user3", &b);
        assert_memory_equal(a.b, b.b, 16);
    }
}

static void testSeedsDiffer(void **state) {
    (void)state;
    static const uint64_t seeds[] = {0, 1, 2, 10, 100, UINT64_MAX};
    enum { NS = sizeof seeds / sizeof seeds[0] };
    guid ns[NS], named[NS];
    for (size_t i = 0; i < NS; i++) {
        guidgen g;
        guidInit(&g, seeds[i]);
        ns[i] = g.ns;
        guidNamed(&g, "object:0", &named[i]);
    }
    for (size_t i = 0; i < NS; i++)
        for (size_t j = i + 1; j < NS; j++) {
            assert_memory_not_equal(ns[i].b, ns[j].b, 16);
            assert_memory_not_equal(named[i].b, named[j].b, 16);
        }
}

static void testNamesDiffer(void **state) {
    (void)state;
    guidgen g;
    guid a, b;
    guidInit(&g, 1);
    guidNamed(&g, "user1", &a);
    guidNamed(&g, "User1", &b);
    assert_memory_not_equal(a.b, b.b, 16);
    guidNamed(&g, "", &b); /* the empty name is a name like any other */
    assert_memory_not_equal(a.b, b.b, 16);
    guidNamed(&g, "user1 ", &b);
    assert_memory_not_equal(a.b, b.b, 16);
}

static int guidSortCmp(const void *a, const void *b) {
    return guidCompare(a, b);
}

static void testNextDistinct(void **state) {
    (void)state;
    enum { N = 50000 };
    guid *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    guidgen g;
    guidInit(&g, 5);
    for (size_t i = 0; i < N; i++) guidNext(&g, i % 2 ? "object" : "mailbox", &ids[i]);
    qsort(ids, N, sizeof *ids, guidSortCmp);
    for (size_t i = 1; i < N; i++) assert_true(guidCompare(&ids[i - 1], &ids[i]) < 0);
    for (size_t i = 0; i < N; i++) assert_false(guidIsNil(&ids[i]));
    free(ids);
}

/* A long kind must not push the counter out of the name (every call distinct). */
static void testNextDistinctWithLongKind(void **state) {
    (void)state;
    char kind[300];
    memset(kind, 'k', sizeof kind - 1);
    kind[sizeof kind - 1] = '\0';
    guidgen g;
    guid a, b, c;
    guidInit(&g, 1);
    guidNext(&g, kind, &a);
    guidNext(&g, kind, &b);
    assert_memory_not_equal(a.b, b.b, 16);
    /* And it is still exactly "<kind>:<n>". */
    char name[320];
    snprintf(name, sizeof name, "%s:1", kind);
    guidNamed(&g, name, &c);
    assert_memory_equal(b.b, c.b, 16);
}

static int isLowerHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void checkFormat(const char *s) {
    assert_int_equal(strlen(s), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(s[i], '-');
        else
            assert_true(isLowerHex(s[i]));
    }
    assert_int_equal(s[14], '5'); /* version 5: name-based, SHA-1 */
    assert_non_null(strchr("89ab", s[19])); /* RFC 4122 variant */
}

static void testFormat(void **state) {
    (void)state;
    guidgen g;
    char s[GUID_STRLEN];
    guidInit(&g, 3);
    fmt(&g.ns, s);
    checkFormat(s);
    for (int i = 0; i < 2000; i++) {
        guid id;
        guidNext(&g, "object", &id);
        memset(s, 'X', sizeof s);
        fmt(&id, s);
        checkFormat(s);
        assert_int_equal(id.b[6] >> 4, 5);
        assert_int_equal(id.b[8] >> 6, 2);
    }
    /* Every byte value prints as two lowercase digits. */
    guid all = {{0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
                 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}};
    fmt(&all, s);
    assert_string_equal(s, "abcdef01-2345-6789-fedc-ba9876543210");
}

static void testParseRoundTrip(void **state) {
    (void)state;
    guidgen g;
    guidInit(&g, 4);
    for (int i = 0; i < 1000; i++) {
        guid id, back;
        char s[GUID_STRLEN], s2[GUID_STRLEN];
        guidNext(&g, "object", &id);
        fmt(&id, s);
        assert_int_equal(guidParse(s, &back), 0);
        assert_memory_equal(id.b, back.b, 16);
        fmt(&back, s2);
        assert_string_equal(s, s2);
    }
    guid nil, max;
    assert_int_equal(guidParse("00000000-0000-0000-0000-000000000000", &nil), 0);
    assert_true(guidIsNil(&nil));
    assert_int_equal(guidParse("ffffffff-ffff-ffff-ffff-ffffffffffff", &max), 0);
    for (int i = 0; i < 16; i++) assert_int_equal(max.b[i], 0xff);
    guid x;
    assert_int_equal(guidParse("abcdef01-2345-6789-fedc-ba9876543210", &x), 0);
    assert_int_equal(x.b[0], 0xab);
    assert_int_equal(x.b[15], 0x10);
}

static void testParseRejects(void **state) {
    (void)state;
    static const char *bad[] = {
        "",
        "92fdba2e",
        "92fdba2e-5c51-596e-83a4-b4fce2471b2",      /* 35 */
        "92fdba2e-5c51-596e-83a4-b4fce2471b200",    /* 37 */
        "{92fdba2e-5c51-596e-83a4-b4fce2471b20}",   /* braces */
        "92fdba2e5c51596e83a4b4fce2471b20",         /* no dashes */
        "92fdba2e-5c51-596e-83a4-b4fce2471b2g",     /* not hex */
        "92fdba2e-5c51-596e-83a4-b4fce2471b2 ",     /* blank */
        " 92fdba2e-5c51-596e-83a4-b4fce2471b2",
        "92fdba2e-5c51-596e-83a4-b4fce2471b20\n",
        "92fdba2e05c51-596e-83a4-b4fce2471b20",     /* dash replaced by hex */
        "92fdba2-e5c51-596e-83a4-b4fce2471b20",     /* dash moved */
        "92fdba2e-5c51-596e-83a4b-4fce2471b20",
        "92fdba2e-5c51-596e-83a4-b4fce-2471b20",
        "92fdba2e-5c51+596e-83a4-b4fce2471b20",
        "------------------------------------",
        "urn:uuid:92fdba2e-5c51-596e-83a4-b4fce2471b20",
        "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        guid out;
        if (guidParse(bad[i], &out) != -1) fail_msg("guidParse accepted \"%s\"", bad[i]);
    }
}

static int sign(int x) { return (x > 0) - (x < 0); }

static void checkCompare(const guid *a, const guid *b) {
    char sa[GUID_STRLEN], sb[GUID_STRLEN];
    fmt(a, sa);
    fmt(b, sb);
    assert_int_equal(sign(guidCompare(a, b)), sign(strcmp(sa, sb)));
    assert_int_equal(sign(guidCompare(b, a)), sign(strcmp(sb, sa)));
}

static void testCompareMatchesStrings(void **state) {
    (void)state;
    guidgen g;
    guid ids[200];
    guidInit(&g, 6);
    for (int i = 0; i < 200; i++) guidNext(&g, "object", &ids[i]);
    for (int i = 0; i < 200; i++)
        for (int j = 0; j < 200; j++) checkCompare(&ids[i], &ids[j]);
    for (int i = 0; i < 200; i++) assert_int_equal(guidCompare(&ids[i], &ids[i]), 0);

    /* Hand-made pairs differing in one nibble, where a-f meets 0-9. */
    rng r;
    rngSeed(&r, 6, RNG_TEST);
    for (int i = 0; i < 5000; i++) {
        guid a, b;
        for (int k = 0; k < 16; k++) a.b[k] = (unsigned char)rngBelow(&r, 256);
        b = a;
        int k = (int)rngBelow(&r, 16);
        b.b[k] = (unsigned char)rngBelow(&r, 256);
        checkCompare(&a, &b);
    }
    guid lo = {{0x09}}, hi = {{0x0a}};
    assert_true(guidCompare(&lo, &hi) < 0);
    assert_true(guidCompare(&hi, &lo) > 0);
    guid first = {{0x00, [15] = 0xff}}, second = {{0x01}};
    assert_true(guidCompare(&first, &second) < 0);
}

static void testIsNil(void **state) {
    (void)state;
    guid zero;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(guidIsNil(&zero), 1);
    for (int i = 0; i < 16; i++) {
        guid one = zero;
        one.b[i] = 1;
        assert_int_equal(guidIsNil(&one), 0);
        one.b[i] = 0x80;
        assert_int_equal(guidIsNil(&one), 0);
    }
    guidgen g;
    guidInit(&g, 0);
    assert_int_equal(guidIsNil(&g.ns), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testKnownAnswers),
        cmocka_unit_test(testNextIsNamedCounter),
        cmocka_unit_test(testDeterministicAcrossInstances),
        cmocka_unit_test(testSeedsDiffer),
        cmocka_unit_test(testNamesDiffer),
        cmocka_unit_test(testNextDistinct),
        cmocka_unit_test(testNextDistinctWithLongKind),
        cmocka_unit_test(testFormat),
        cmocka_unit_test(testParseRoundTrip),
        cmocka_unit_test(testParseRejects),
        cmocka_unit_test(testCompareMatchesStrings),
        cmocka_unit_test(testIsNil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
