/*
** Virtual time: narrative stamps and durations.  See clock.h for the formats.
** Parsing is strict (every byte must belong to a term) and overflow-checked
** with the compiler's checked arithmetic, so that a hostile scenario can
** neither wrap a duration nor make the parser read past its input.
*/
#include <stdio.h>
#include <string.h>
#include "kernel/clock.h"

/* Write v as exactly width digits (zero-padded) at p; return the end. */
static char *digits(char *p, unsigned v, int width) {
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

/*
** The stamp of every narrative line: written by hand, not by snprintf,
** because it is formatted once per line of every run (an eighth of the
** narrative's cost).  Days, rare, take the general path.
*/
char *clockFormat(simtime t, char *buf) {
    char sign = '+';
    uint64_t u = (uint64_t)t;
    if (t < 0) {
        sign = '-';
        u = (uint64_t)0 - u;
    }
    uint64_t ms = u % 1000, s = u / 1000;
    uint64_t days = s / 86400;
    s %= 86400;
    unsigned hh = (unsigned)(s / 3600), mm = (unsigned)(s / 60 % 60), ss = (unsigned)(s % 60);
    if (days > 0) {
        snprintf(buf, CLOCK_BUFSZ, "%c%llud%02u:%02u:%02u.%03u", sign,
                 (unsigned long long)days, hh, mm, ss, (unsigned)ms);
        return buf;
    }
    char *p = buf;
    *p++ = sign;
    p = digits(p, hh, 2);
    *p++ = ':';
    p = digits(p, mm, 2);
    *p++ = ':';
    p = digits(p, ss, 2);
    *p++ = '.';
    p = digits(p, (unsigned)ms, 3);
    *p = '\0';
    return buf;
}

/* Milliseconds in one unit spelled by the len bytes at u, or 0 if unknown. */
static simtime unitValue(const char *u, size_t len) {
    if (len == 2 && memcmp(u, "ms", 2) == 0) return 1;
    if (len != 1) return 0;
    switch (u[0]) {
    case 's': return MS_PER_SECOND;
    case 'm': return MS_PER_MINUTE;
    case 'h': return MS_PER_HOUR;
    case 'd': return MS_PER_DAY;
    }
    return 0;
}

static int isDigit(char c) { return c >= '0' && c <= '9'; }
static int isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

msStatus durationParse(const char *s, size_t n, simtime *out, size_t *errat) {
    size_t i = 0, dummy;
    simtime total = 0;
    if (!errat) errat = &dummy;
    if (n == 0) {
        *errat = 0;
        return MS_INPUT;
    }
    while (i < n) {
        size_t start = i;
        int64_t num = 0;
        if (!isDigit(s[i])) {
            *errat = i;
            return MS_INPUT;
        }
        while (i < n && isDigit(s[i])) {
            if (__builtin_mul_overflow(num, 10, &num) ||
                __builtin_add_overflow(num, s[i] - '0', &num)) {
                *errat = start;
                return MS_RANGE;
            }
            i++;
        }
        size_t u = i;
        while (i < n && isAlpha(s[i])) i++;
        simtime unit = unitValue(s + u, i - u);
        if (unit == 0) {
            *errat = u;
            return MS_INPUT;
        }
        int64_t term;
        if (__builtin_mul_overflow(num, unit, &term) ||
            __builtin_add_overflow(total, term, &total)) {
            *errat = start;
            return MS_RANGE;
        }
    }
    *out = total;
    return MS_OK;
}

char *durationFormat(simtime d, char *buf) {
    static const struct { simtime ms; const char *name; } units[] = {
        {MS_PER_DAY, "d"}, {MS_PER_HOUR, "h"}, {MS_PER_MINUTE, "m"},
        {MS_PER_SECOND, "s"}, {1, "ms"},
    };
    size_t len = 0;
    if (d <= 0) {
        snprintf(buf, CLOCK_BUFSZ, "%s", d == 0 ? "0s" : "-");
        return buf;
    }
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        simtime q = d / units[k].ms;
        if (q == 0) continue;
        len += (size_t)snprintf(buf + len, CLOCK_BUFSZ - len, "%lld%s", (long long)q, units[k].name);
        d -= q * units[k].ms;
    }
    return buf;
}
