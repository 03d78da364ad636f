/*
** Tests for the model parameters (sim/params.h): the table itself (every
** default parses, lies in its range and matches the number docs/semantics.md
** gives), lookup, value parsing with its exact messages and error offsets,
** the `ad` profile, and that docs/scenario-language.md and docs/semantics.md
** each list every parameter with its default.
**
** The docs check reads the file named by $MIGSIM_DOCS (the file, taken as
** scenario-language.md, or the docs directory holding both), else docs/
** relative to the working directory (`make check` runs from the repository
** root).  It is skipped while a file does not exist.  Its rule: some line names the
** parameter (as a whole word, e.g. in a table row) and, on that same line,
** gives its default (any spelling of the same duration: `180m` or `3h`);
** for a profile parameter, the line gives both the ad 2003 and the ad 2000
** values.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel/params.h"

static const paramDef *mustFind(const char *name) {
    const paramDef *d = paramsFind(name);
    if (!d) fail_msg("no parameter %s", name);
    return d;
}

/* Field-by-field equality (struct padding is not compared). */
static void assertParamsEqual(const params *a, const params *b) {
    size_t n;
    const paramDef *t = paramsTable(&n);
    assert_int_equal(a->ad_profile, b->ad_profile);
    for (size_t i = 0; i < n; i++)
        if (paramsGet(a, &t[i]) != paramsGet(b, &t[i]))
            fail_msg("%s: %lld != %lld", t[i].name, (long long)paramsGet(a, &t[i]),
                     (long long)paramsGet(b, &t[i]));
}

/* ---- the table ---- */

static void testTableShape(void **state) {
    (void)state;
    size_t n = 0;
    const paramDef *t = paramsTable(&n);
    assert_non_null(t);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_true(strlen(t[i].name) > 0);
        assert_non_null(t[i].dflt);
        assert_non_null(t[i].doc);
        assert_true(strlen(t[i].doc) > 0);
        assert_non_null(t[i].source);
        assert_true(strlen(t[i].source) > 0);
        assert_true(t[i].kind == PARAM_DURATION || t[i].kind == PARAM_COUNT);
        assert_true(t[i].min <= t[i].max);
        assert_true(t[i].min >= 0);
        assert_true(t[i].offset % sizeof(int64_t) == 0);
        assert_true(t[i].offset + sizeof(int64_t) <= sizeof(params));
        assert_true(t[i].offset >= offsetof(params, notify_first));
        assert_true(t[i].step >= 0);
        if (t[i].step > 0) assert_true(t[i].min % t[i].step == 0 && t[i].min > 0);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t[i].name, t[j].name) == 0) fail_msg("%s listed twice", t[i].name);
            if (t[i].offset == t[j].offset) fail_msg("%s and %s share a field", t[i].name, t[j].name);
        }
    }
    /* Every int64 field after ad_profile has exactly one entry. */
    size_t fields = (sizeof(params) - offsetof(params, notify_first)) / sizeof(int64_t);
    assert_int_equal(n, fields);
}

static void testDefaultsParseAndFit(void **state) {
    (void)state;
    size_t n;
    const paramDef *t = paramsTable(&n);
    params p;
    paramsDefaults(&p); /* aborts if any default fails to parse */
    assert_int_equal(p.ad_profile, 2003);
    for (size_t i = 0; i < n; i++) {
        int64_t v = paramsGet(&p, &t[i]);
        if (strcmp(t[i].dflt, "profile") == 0) {
            assert_int_equal(v, -1);
            continue;
        }
        int64_t parsed = -2;
        size_t errat;
        char why[160];
        if (paramsParseValue(&t[i], t[i].dflt, strlen(t[i].dflt), &parsed, &errat, why, sizeof why) != MS_OK)
            fail_msg("default of %s: %s", t[i].name, why);
        assert_true(parsed == v);
        assert_true(v >= t[i].min && v <= t[i].max);
    }
}

/* The defaults are the numbers docs/semantics.md and the KB-side sources give. */
static void testDefaultValues(void **state) {
    (void)state;
    params p;
    paramsDefaults(&p);
    assert_true(p.notify_first == -1);
    assert_true(p.notify_between == -1);
    assert_true(p.latency == 1 * MS_PER_SECOND);
    assert_true(p.jitter_pct == 0);
    assert_true(p.site_schedule == MS_PER_HOUR);
    assert_true(p.sitelink_interval == 180 * MS_PER_MINUTE);
    assert_true(p.sitelink_cost == 100);
    assert_true(p.tombstone_lifetime == 60 * MS_PER_DAY);
    assert_true(p.gc_interval == 12 * MS_PER_HOUR);
    assert_true(p.converge_timeout == 30 * MS_PER_DAY);
    assert_true(p.rus_interval == 60 * MS_PER_SECOND);
    assert_true(p.cleanup_interval == 24 * MS_PER_HOUR);
    assert_true(p.mailbox_retention == 2592000 * MS_PER_SECOND);
    assert_true(p.wizard_account_time == 500);
    assert_true(p.wizard_logon_time == 1 * MS_PER_SECOND);
    assert_true(p.wizard_retry_interval == 60 * MS_PER_SECOND);
    assert_true(p.wizard_retry_window == 60 * MS_PER_MINUTE);
    assert_true(p.wizard_batch == 100);
    assert_true(p.wizard_rate == 20);
}

/* paramsDefaults overwrites whatever was there. */
static void testDefaultsOverwriteGarbage(void **state) {
    (void)state;
    params a, b;
    memset(&a, 0x5a, sizeof a);
    paramsDefaults(&a);
    paramsDefaults(&b);
    assertParamsEqual(&a, &b);
}

static void testSetGetEachField(void **state) {
    (void)state;
    size_t n;
    const paramDef *t = paramsTable(&n);
    for (size_t i = 0; i < n; i++) {
        params p, before;
        paramsDefaults(&p);
        before = p;
        paramsSet(&p, &t[i], 123456789);
        assert_true(paramsGet(&p, &t[i]) == 123456789);
        /* No other parameter moved. */
        for (size_t j = 0; j < n; j++)
            if (j != i) assert_true(paramsGet(&p, &t[j]) == paramsGet(&before, &t[j]));
        assert_int_equal(p.ad_profile, before.ad_profile);
        paramsSet(&p, &t[i], INT64_MIN);
        assert_true(paramsGet(&p, &t[i]) == INT64_MIN);
    }
    /* The table's offsets name the fields their names say. */
    params p;
    paramsDefaults(&p);
    paramsSet(&p, mustFind("rus.interval"), 7);
    assert_int_equal(p.rus_interval, 7);
    paramsSet(&p, mustFind("wizard.batch"), 8);
    assert_int_equal(p.wizard_batch, 8);
    paramsSet(&p, mustFind("notify.first_delay"), 9);
    assert_int_equal(p.notify_first, 9);
    paramsSet(&p, mustFind("repl.latency"), 10);
    assert_int_equal(p.latency, 10);
}

/* ---- lookup ---- */

static void testFindEveryName(void **state) {
    (void)state;
    size_t n;
    const paramDef *t = paramsTable(&n);
    for (size_t i = 0; i < n; i++) assert_ptr_equal(paramsFind(t[i].name), &t[i]);
    /* The names docs/semantics.md and the issue use. */
    static const char *named[] = {
        "rus.interval", "cleanup.interval", "gc.interval", "tombstone.lifetime",
        "wizard.batch", "wizard.account_time", "wizard.logon_time", "notify.first_delay",
        "notify.between_delay", "sitelink.interval", "site.schedule", "mailbox.retention",
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) mustFind(named[i]);
}

static void testFindUnknown(void **state) {
    (void)state;
    static const char *unknown[] = {
        "", "rus", "rus.", "rus.interval ", " rus.interval", "RUS.INTERVAL", "Rus.interval",
        "rus.intervalx", "rus_interval", "wizard", "wizard.", "ad", "seed", "latency",
        "notify.first", "x.y", ".", "rus.interval\n",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        if (paramsFind(unknown[i])) fail_msg("paramsFind(\"%s\") found something", unknown[i]);
}

/* ---- value parsing ---- */

/* Parse text (as an exact-length copy without NUL) for name; check the outcome. */
static void valueOk(const char *name, const char *text, int64_t want) {
    const paramDef *d = mustFind(name);
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, text, n);
    int64_t out = -777;
    size_t errat = 999;
    char why[160] = "untouched";
    msStatus st = paramsParseValue(d, copy, n, &out, &errat, why, sizeof why);
    if (st != MS_OK) fail_msg("%s %s: %s", name, text, why);
    assert_true(out == want);
    out = -777;
    assert_int_equal(paramsParseValue(d, copy, n, &out, NULL, why, sizeof why), MS_OK);
    assert_true(out == want);
    free(copy);
}

static void valueErr(const char *name, const char *text, msStatus want, size_t wantAt,
                     const char *wantWhy) {
    const paramDef *d = mustFind(name);
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, text, n);
    int64_t out = -777;
    size_t errat = 999;
    char why[160] = "untouched";
    msStatus st = paramsParseValue(d, copy, n, &out, &errat, why, sizeof why);
    if (st != want || errat != wantAt || strcmp(why, wantWhy) != 0)
        fail_msg("%s '%s': status %d at %zu \"%s\"; want %d at %zu \"%s\"", name, text, (int)st,
                 errat, why, (int)want, wantAt, wantWhy);
    assert_true(out == -777); /* nothing stored on failure */
    /* errat is optional; the message does not depend on it. */
    char why2[160];
    assert_int_equal(paramsParseValue(d, copy, n, &out, NULL, why2, sizeof why2), want);
    assert_string_equal(why2, wantWhy);
    /* A short buffer truncates the message, never overflows it. */
    char tiny[8];
    memset(tiny, 'X', sizeof tiny);
    assert_int_equal(paramsParseValue(d, copy, n, &out, NULL, tiny, 6), want);
    assert_int_equal(tiny[5], '\0');
    assert_int_equal(tiny[6], 'X');
    free(copy);
}

static void testParseDurations(void **state) {
    (void)state;
    valueOk("rus.interval", "60s", 60000);
    valueOk("rus.interval", "5m", 5 * MS_PER_MINUTE);
    valueOk("rus.interval", "1h30m", 90 * MS_PER_MINUTE);
    valueOk("rus.interval", "1s", MS_PER_SECOND);                     /* min */
    valueOk("rus.interval", "365d", 365 * MS_PER_DAY);                /* max */
    valueOk("notify.first_delay", "0s", 0);                           /* min 0 */
    valueOk("notify.first_delay", "1d", MS_PER_DAY);
    valueOk("wizard.account_time", "1ms", 1);
    valueOk("wizard.account_time", "1h", MS_PER_HOUR);
    valueOk("tombstone.lifetime", "180d", 180 * MS_PER_DAY);
    valueOk("tombstone.lifetime", "3650d", 3650 * MS_PER_DAY);
}

static void testParseDurationErrors(void **state) {
    (void)state;
    valueErr("rus.interval", "999ms", MS_RANGE, 0, "rus.interval must be between 1s and 365d");
    valueErr("rus.interval", "365d1ms", MS_RANGE, 0, "rus.interval must be between 1s and 365d");
    valueErr("rus.interval", "0s", MS_RANGE, 0, "rus.interval must be between 1s and 365d");
    valueErr("notify.first_delay", "1d1ms", MS_RANGE, 0,
             "notify.first_delay must be between 0s and 1d");
    valueErr("wizard.account_time", "0s", MS_RANGE, 0,
             "wizard.account_time must be between 1ms and 1h");
    valueErr("tombstone.lifetime", "3651d", MS_RANGE, 0,
             "tombstone.lifetime must be between 1s and 3650d");
    valueErr("rus.interval", "5x", MS_INPUT, 1, "bad duration '5x' for rus.interval");
    valueErr("rus.interval", "5", MS_INPUT, 1, "bad duration '5' for rus.interval");
    valueErr("rus.interval", "", MS_INPUT, 0, "bad duration '' for rus.interval");
    valueErr("rus.interval", "1h 5m", MS_INPUT, 2, "bad duration '1h 5m' for rus.interval");
    valueErr("rus.interval", "-5s", MS_INPUT, 0, "bad duration '-5s' for rus.interval");
    valueErr("rus.interval", "999999999999d", MS_RANGE, 0,
             "duration out of range '999999999999d' for rus.interval");
    valueErr("rus.interval", "1s9223372036854775807ms", MS_RANGE, 2,
             "duration out of range '1s9223372036854775807ms' for rus.interval");
}

static void testParseCounts(void **state) {
    (void)state;
    valueOk("wizard.batch", "250", 250);
    valueOk("wizard.batch", "1", 1);                  /* min */
    valueOk("wizard.batch", "1000000", 1000000);      /* max */
    valueOk("wizard.batch", "0007", 7);
    valueOk("repl.jitter", "0", 0);
    valueOk("repl.jitter", "100", 100);
    valueOk("sitelink.cost", "1", 1);
    valueOk("sitelink.cost", "99999", 99999);
    valueOk("wizard.rate", "1000000000", 1000000000);
}

static void testParseCountErrors(void **state) {
    (void)state;
    valueErr("wizard.batch", "0", MS_RANGE, 0, "wizard.batch must be between 1 and 1000000");
    valueErr("wizard.batch", "1000001", MS_RANGE, 0, "wizard.batch must be between 1 and 1000000");
    valueErr("repl.jitter", "101", MS_RANGE, 0, "repl.jitter must be between 0 and 100");
    valueErr("sitelink.cost", "0", MS_RANGE, 0, "sitelink.cost must be between 1 and 99999");
    valueErr("wizard.batch", "", MS_INPUT, 0, "missing number for wizard.batch");
    valueErr("wizard.batch", "12a", MS_INPUT, 2, "bad number '12a' for wizard.batch");
    valueErr("wizard.batch", "-1", MS_INPUT, 0, "bad number '-1' for wizard.batch");
    valueErr("wizard.batch", "+1", MS_INPUT, 0, "bad number '+1' for wizard.batch");
    valueErr("wizard.batch", "1 0", MS_INPUT, 1, "bad number '1 0' for wizard.batch");
    valueErr("wizard.batch", "10s", MS_INPUT, 2, "bad number '10s' for wizard.batch");
    valueErr("repl.jitter", "5%", MS_INPUT, 1, "bad number '5%' for repl.jitter");
    valueErr("wizard.batch", "99999999999999999999", MS_RANGE, 0,
             "number out of range for wizard.batch");
    valueErr("wizard.batch", "9223372036854775808", MS_RANGE, 0,
             "number out of range for wizard.batch");
    valueErr("wizard.batch", "9223372036854775807", MS_RANGE, 0,
             "wizard.batch must be between 1 and 1000000");
}

/* Only the first n bytes count. */
static void testParseUsesLength(void **state) {
    (void)state;
    int64_t out = 0;
    char why[160];
    assert_int_equal(paramsParseValue(mustFind("wizard.batch"), "25x", 2, &out, NULL, why, sizeof why), MS_OK);
    assert_int_equal(out, 25);
    assert_int_equal(paramsParseValue(mustFind("rus.interval"), "5m junk", 2, &out, NULL, why, sizeof why), MS_OK);
    assert_true(out == 5 * MS_PER_MINUTE);
}

/* docs/semantics.md: a site-link interval is a multiple of 15 min, at least 15 min. */
static void testSitelinkIntervalMultipleOf15m(void **state) {
    (void)state;
    valueOk("sitelink.interval", "15m", 15 * MS_PER_MINUTE);
    valueOk("sitelink.interval", "180m", 180 * MS_PER_MINUTE);
    valueOk("sitelink.interval", "1h15m", 75 * MS_PER_MINUTE);
    valueOk("sitelink.interval", "1d", MS_PER_DAY);
    valueErr("sitelink.interval", "14m", MS_RANGE, 0,
             "sitelink.interval must be between 15m and 365d");
    valueErr("sitelink.interval", "20m", MS_INPUT, 0,
             "sitelink.interval must be a multiple of 15m");
    valueErr("sitelink.interval", "15m1ms", MS_INPUT, 0,
             "sitelink.interval must be a multiple of 15m");
}

/* The step rule is the table's, not sitelink.interval's: a count can have one too. */
static void testStepOnACount(void **state) {
    (void)state;
    const paramDef fake = {"x.count", PARAM_COUNT, offsetof(params, wizard_batch), "10", 0, 100,
                           "a made-up count", "this test", 5};
    int64_t out = -1;
    size_t errat = 99;
    char why[160];
    assert_int_equal(paramsParseValue(&fake, "15", 2, &out, &errat, why, sizeof why), MS_OK);
    assert_int_equal(out, 15);
    assert_int_equal(paramsParseValue(&fake, "0", 1, &out, &errat, why, sizeof why), MS_OK);
    assert_int_equal(out, 0);
    out = -1;
    assert_int_equal(paramsParseValue(&fake, "7", 1, &out, &errat, why, sizeof why), MS_INPUT);
    assert_string_equal(why, "x.count must be a multiple of 5");
    assert_int_equal(errat, 0);
    assert_int_equal(out, -1);
    /* Range is judged before the step. */
    assert_int_equal(paramsParseValue(&fake, "101", 3, &out, &errat, why, sizeof why), MS_RANGE);
    assert_string_equal(why, "x.count must be between 0 and 100");
}

/* ---- the ad profile ---- */

static void testProfile2003(void **state) {
    (void)state;
    params p, before;
    paramsDefaults(&p);
    before = p;
    paramsResolveProfile(&p);
    assert_true(p.notify_first == 15 * MS_PER_SECOND);
    assert_true(p.notify_between == 3 * MS_PER_SECOND);
    /* Nothing else changes. */
    before.notify_first = p.notify_first;
    before.notify_between = p.notify_between;
    assertParamsEqual(&p, &before);
}

static void testProfile2000(void **state) {
    (void)state;
    params p;
    paramsDefaults(&p);
    p.ad_profile = 2000;
    paramsResolveProfile(&p);
    assert_true(p.notify_first == 300 * MS_PER_SECOND);
    assert_true(p.notify_between == 30 * MS_PER_SECOND);
}

/* A `set` value wins over the profile, including an explicit zero. */
static void testProfileKeepsSetValues(void **state) {
    (void)state;
    static const int profiles[] = {2000, 2003};
    for (size_t k = 0; k < 2; k++) {
        params p;
        paramsDefaults(&p);
        p.ad_profile = profiles[k];
        paramsSet(&p, mustFind("notify.first_delay"), 0);
        paramsResolveProfile(&p);
        assert_true(p.notify_first == 0);
        assert_true(p.notify_between == (profiles[k] == 2000 ? 30 : 3) * MS_PER_SECOND);

        paramsDefaults(&p);
        p.ad_profile = profiles[k];
        paramsSet(&p, mustFind("notify.between_delay"), 7 * MS_PER_SECOND);
        paramsResolveProfile(&p);
        assert_true(p.notify_first == (profiles[k] == 2000 ? 300 : 15) * MS_PER_SECOND);
        assert_true(p.notify_between == 7 * MS_PER_SECOND);
    }
    /* Once resolved, the delays stay as they are, even if the profile changes. */
    params p, once;
    paramsDefaults(&p);
    p.ad_profile = 2000;
    paramsResolveProfile(&p);
    once = p;
    paramsResolveProfile(&p);
    assertParamsEqual(&p, &once);
    p.ad_profile = 2003;
    paramsResolveProfile(&p);
    assert_true(p.notify_first == once.notify_first);
    assert_true(p.notify_between == once.notify_between);
}

/* ---- the docs list every parameter with its default ---- */

/* Read the doc at path name (docs/...) from the repository root, or from
** $MIGSIM_DOCS (see above); NULL when absent. */
static char *readDoc(const char *name, char *path, size_t pathsz) {
    const char *env = getenv("MIGSIM_DOCS");
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    struct stat st;
    if (env && *env && stat(env, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(path, pathsz, "%s/%s", env, base);
    else if (env && *env && strcmp(base, "scenario-language.md") == 0)
        snprintf(path, pathsz, "%s", env);
    else
        snprintf(path, pathsz, "%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static int isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static int isWordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* 1 if the line [s, e) holds name as a whole word. */
static int lineNames(const char *s, const char *e, const char *name) {
    size_t n = strlen(name);
    for (const char *p = s; p + n <= e; p++) {
        if (memcmp(p, name, n) != 0) continue;
        int okBefore = p == s || !isNameChar(p[-1]);
        /* A trailing '.' ends a sentence, it does not extend the name. */
        int okAfter = p + n == e || !isNameChar(p[n]) ||
                      (p[n] == '.' && (p + n + 1 == e || !isNameChar(p[n + 1])));
        if (okBefore && okAfter) return 1;
    }
    return 0;
}

/* 1 if some word of the line [s, e) reads as v for def's kind. */
static int lineHasValue(const char *s, const char *e, const paramDef *def, int64_t v) {
    const char *p = s;
    while (p < e) {
        if (!isWordChar(*p) || (p > s && (isWordChar(p[-1]) || p[-1] == '.'))) {
            p++;
            continue;
        }
        const char *w = p;
        while (p < e && isWordChar(*p)) p++;
        int64_t got;
        size_t errat;
        char why[160];
        if (paramsParseValue(def, w, (size_t)(p - w), &got, &errat, why, sizeof why) == MS_OK &&
            got == v)
            return 1;
        /* The same number written for a wider range than def's (a profile value). */
        if (def->kind == PARAM_DURATION && durationParse(w, (size_t)(p - w), &got, &errat) == MS_OK &&
            got == v)
            return 1;
    }
    return 0;
}

/* 1 if one line of doc names def and gives every value in vals. */
static int docLists(const char *doc, const paramDef *def, const int64_t *vals, size_t nvals) {
    const char *s = doc;
    while (*s) {
        const char *e = strchr(s, '\n');
        if (!e) e = s + strlen(s);
        if (lineNames(s, e, def->name)) {
            size_t k = 0;
            while (k < nvals && lineHasValue(s, e, def, vals[k])) k++;
            if (k == nvals) return 1;
        }
        s = *e ? e + 1 : e;
    }
    return 0;
}

static void docListsEveryParameter(const char *name) {
    char path[1024];
    char *doc = readDoc(name, path, sizeof path);
    if (!doc) {
        print_message("docs check skipped: %s does not exist yet\n", path);
        skip();
    }
    size_t n;
    const paramDef *t = paramsTable(&n);
    params d, p2000, p2003;
    paramsDefaults(&d);
    p2003 = d;
    paramsResolveProfile(&p2003);
    p2000 = d;
    p2000.ad_profile = 2000;
    paramsResolveProfile(&p2000);
    int missing = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t vals[2];
        size_t nvals = 1;
        vals[0] = paramsGet(&d, &t[i]);
        if (strcmp(t[i].dflt, "profile") == 0) {
            vals[0] = paramsGet(&p2003, &t[i]);
            vals[1] = paramsGet(&p2000, &t[i]);
            nvals = 2;
        }
        if (!docLists(doc, &t[i], vals, nvals)) {
            print_error("%s: no line names %s with its default %s\n", path, t[i].name,
                        nvals == 2 ? "(both ad 2003 and ad 2000 values)" : t[i].dflt);
            missing++;
        }
    }
    free(doc);
    assert_int_equal(missing, 0);
}

static void testDocsListEveryParameter(void **state) {
    (void)state;
    docListsEveryParameter("docs/scenario-language.md");
}

static void testSemanticsListsEveryParameter(void **state) {
    (void)state;
    docListsEveryParameter("docs/semantics.md");
}

/* The docs check itself: it finds what is there and misses what is not. */
static void testDocsCheckerSelf(void **state) {
    (void)state;
    const paramDef *rus = mustFind("rus.interval");
    const paramDef *sl = mustFind("sitelink.interval");
    const paramDef *nf = mustFind("notify.first_delay");
    const paramDef *lat = mustFind("repl.latency");
    int64_t v60 = 60 * MS_PER_SECOND, v180 = 180 * MS_PER_MINUTE, v1s = MS_PER_SECOND;
    int64_t nfv[2] = {15 * MS_PER_SECOND, 300 * MS_PER_SECOND};
    assert_true(docLists("| `rus.interval` | 60s | KB 319065 |\n", rus, &v60, 1));
    assert_true(docLists("x\n- rus.interval: default 1m.\n", rus, &v60, 1));
    assert_false(docLists("| `rus.interval` | 600s |\n", rus, &v60, 1));
    assert_false(docLists("| `rus.interval` |\n| 60s |\n", rus, &v60, 1));
    assert_false(docLists("| `rus.intervals` | 60s |\n", rus, &v60, 1));
    assert_true(docLists("sitelink.interval (default 3h, multiple of 15m)", sl, &v180, 1));
    assert_true(docLists("| notify.first_delay | 15s (ad 2003), 300s (ad 2000) |", nf, nfv, 2));
    assert_false(docLists("| notify.first_delay | 15s |", nf, nfv, 2));
    assert_false(docLists("| repl.latency | 31s |", lat, &v1s, 1));
    assert_false(docLists("| repl.latency | 1.1s |", lat, &v1s, 1));
    assert_true(docLists("| repl.latency | 1s |", lat, &v1s, 1));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testTableShape),
        cmocka_unit_test(testDefaultsParseAndFit),
        cmocka_unit_test(testDefaultValues),
        cmocka_unit_test(testDefaultsOverwriteGarbage),
        cmocka_unit_test(testSetGetEachField),
        cmocka_unit_test(testFindEveryName),
        cmocka_unit_test(testFindUnknown),
        cmocka_unit_test(testParseDurations),
        cmocka_unit_test(testParseDurationErrors),
        cmocka_unit_test(testParseCounts),
        cmocka_unit_test(testParseCountErrors),
        cmocka_unit_test(testParseUsesLength),
        cmocka_unit_test(testSitelinkIntervalMultipleOf15m),
        cmocka_unit_test(testStepOnACount),
        cmocka_unit_test(testProfile2003),
        cmocka_unit_test(testProfile2000),
        cmocka_unit_test(testProfileKeepsSetValues),
        cmocka_unit_test(testDocsCheckerSelf),
        cmocka_unit_test(testDocsListEveryParameter),
        cmocka_unit_test(testSemanticsListsEveryParameter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
