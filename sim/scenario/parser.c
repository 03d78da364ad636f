/*
** The scenario parser: a hand-written recursive descent over the lexer's
** lines, one function per statement, that fills the AST of scenario.h and
** resolves every name as it goes.  docs/scenario-language.md is the user's
** reference for the grammar and every message below.
**
** Invariants.
** - Single pass, declare before use: a statement may only name DCs, sites
**   and servers declared on earlier lines, so each reference is resolved
**   when it is read and an error names the line that holds it.  The one
**   exception is `site ... bridgehead=DC` (a site comes before its DCs): the
**   bridgeheads are resolved when the world ends (at the first step or at
**   the end of the input), and an error there names the site's line.
** - The world ends at the first step.  Before parsing that step the parser
**   checks the world as a whole (at least one DC, bridgeheads); each step
**   then checks the world statements it needs ("step before world").
** - A statement is appended to the scenario (zeroed) before it is parsed,
**   so on any error scnFree releases exactly what was allocated.
** - Numbers are unsigned decimal, checked for overflow and against a range
**   before they are stored; durations go through durationParse.  Ranges of
**   values that are also `set` parameters come from the params table, so
**   `site schedule=`, `sitelink interval=`/`cost=`, `latency`, `jitter=` and
**   `rate=` accept exactly what the matching `set` accepts.
** - The first error stops the parse; its column is that of the byte that
**   causes it (the first bad byte of a number or duration, the start of an
**   unknown name, the keyword of a statement that lacks a required option).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/text.h"
#include "scenario/lexer.h"
#include "kernel/params.h"
#include "scenario/scenario.h"
#include "migration/engine.h"

#define NAME_MAX_LEN 64        /* longest DC, site, server name or user prefix */
#define MAX_USERS 100000
#define ACCOUNT_NAME_MAX 20    /* names=: an account name (sAMAccountName) */
#define MAX_ITEMS 1000000      /* items per source mailbox */
#define MAX_FOLDERS 1000
#define MAX_RULES 1000
#define MAX_COUNT 1000000      /* deliver count= */
#define MAX_N 1000000000       /* cancel conditions, expectation counters */
#define MAX_FILE (64u << 20)   /* scnParseFile refuses larger files */
/* World sizes a run can bear: each DC keeps a high-watermark and an
** up-to-dateness entry per other DC (16 bytes per pair), and the
** notification events encode a DC in 16 bits. */
#define MAX_DCS 2000
#define MAX_SITES 1000
#define MAX_SITELINKS 1000
#define MAX_SERVERS 1000
#define MAX_STATEMENTS 200000
/* A wait beyond ten years is a typo; honouring it would run periodic events for minutes. */
#define WAIT_MAX (3650 * MS_PER_DAY)
#define SHOW 48                /* at most this many bytes of a word in a message */

static const char *const keywords[ST__COUNT] = {
    "seed", "ad", "set", "site", "sitelink", "dc", "server", "source", "wizard", "admin",
    "latency", "migrate", "cancel", "deliver", "logon", "cleanup", "delete", "sync", "wait",
    "fail", "restore", "expect", "purge", "export", "import",
};


const char *stmtKeyword(stmtKind k) {
    return (unsigned)k < ST__COUNT ? keywords[k] : "?";
}

/* 1 when the n bytes at s spell the NUL-terminated word w. */
static int eq(const char *s, size_t n, const char *w) {
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

int usersetHas(const userset *s, uint32_t u) {
    if (u == 0) return 0;
    if (s->all) return 1;
    for (size_t i = 0; i < s->n; i++)
        if (u >= s->v[i].lo && u <= s->v[i].hi) return 1;
    return 0;
}

char *scnUserName(const scenario *sc, uint32_t u, char *buf, size_t bufsz) {
    const char *prefix = "user";
    if (sc->source >= 0 && sc->v[sc->source].u.source.names && u >= 1 && u <= sc->nusers) {
        snprintf(buf, bufsz, "%s", sc->v[sc->source].u.source.names[u - 1]);
        return buf;
    }
    if (sc->source >= 0 && sc->v[sc->source].u.source.prefix) prefix = sc->v[sc->source].u.source.prefix;
    snprintf(buf, bufsz, "%s%u", prefix, (unsigned)u);
    return buf;
}

/* ---------------------------------------------------------------- memory */

static void refFree(nameref *r) {
    free(r->name);
    r->name = NULL;
}

static void stmtFree(stmt *st) {
    free(st->text);
    switch (st->kind) {
    case ST_SET: refFree(&st->u.set.name); break;
    case ST_SITE: refFree(&st->u.site.name); refFree(&st->u.site.bridgehead); break;
    case ST_SITELINK: refFree(&st->u.sitelink.a); refFree(&st->u.sitelink.b); break;
    case ST_DC: refFree(&st->u.dc.name); refFree(&st->u.dc.site); break;
    case ST_SERVER:
        refFree(&st->u.server.name); refFree(&st->u.server.dc); refFree(&st->u.server.gc);
        break;
    case ST_SOURCE:
        free(st->u.source.prefix); free(st->u.source.names); free(st->u.source.names_buf);
        break;
    case ST_WIZARD:
        refFree(&st->u.wizard.server); refFree(&st->u.wizard.dc); free(st->u.wizard.migrator);
        break;
    case ST_ADMIN: refFree(&st->u.admin.dc); break;
    case ST_MIGRATE: free(st->u.migrate.users.v); refFree(&st->u.migrate.dc); break;
    case ST_DELIVER: free(st->u.deliver.users.v); break;
    case ST_LOGON: free(st->u.logon.users.v); break;
    case ST_CLEANUP: free(st->u.cleanup.users.v); break;
    case ST_DELETE: free(st->u.del.users.v); break;
    case ST_PURGE: free(st->u.purge.users.v); refFree(&st->u.purge.server); break;
    case ST_EXPORT:
    case ST_IMPORT: free(st->u.rescue.users.v); break;
    case ST_SYNC: refFree(&st->u.sync.dc); break;
    case ST_FAIL:
    case ST_RESTORE:
        refFree(&st->u.fail.dc); refFree(&st->u.fail.a); refFree(&st->u.fail.b);
        break;
    case ST_EXPECT: free(st->u.expect.users.v); refFree(&st->u.expect.dc); break;
    default: break;
    }
}

static void scnEmpty(scenario *sc) {
    memset(sc, 0, sizeof *sc);
    sc->source = sc->wizard = sc->admin = sc->ad = sc->latency = -1;
    sc->seed = 1;
}

void scnFree(scenario *sc) {
    for (size_t i = 0; i < sc->n; i++) stmtFree(&sc->v[i]);
    free(sc->v);
    free(sc->dcs);
    free(sc->sites);
    free(sc->servers);
    free(sc->sitelinks);
    free(sc->file);
    scnEmpty(sc);
}

/*
** Make room for one more element in an array of n elements of size sz whose
** capacity is implied: the smallest power of two >= n (so no capacity field).
*/
static int grow(void *pv, size_t n, size_t sz) {
    void **p = pv;
    if (n != 0 && (n & (n - 1)) != 0) return 1;
    size_t cap = n ? 2 * n : 4;
    void *q = realloc(*p, cap * sz);
    if (!q) return 0;
    *p = q;
    return 1;
}

static int pushIndex(size_t **v, size_t *n, size_t x) {
    if (!grow(v, *n, sizeof **v)) return 0;
    (*v)[(*n)++] = x;
    return 1;
}

/* ---------------------------------------------------------------- errors */

/*
** Declared names by kind, for lookup only (declaration order lives in the
** scenario's tables): open addressing, at most half full.  A slot holds the
** kind, the declaration index (-1: empty) and the name's hash; the name
** itself is read from the declaring statement.
*/
typedef struct nameSlot {
    uint32_t hash;
    int kind;
    long index;
} nameSlot;

typedef struct nameIndex {
    nameSlot *slot;
    size_t cap, n;          /* cap: a power of two, or 0 */
} nameIndex;

/* A user of names=, for lookups by name. */
typedef struct userName {
    const char *name;
    uint32_t u;
} userName;

typedef struct parser {
    lexer lx;
    nameIndex names;
    scenario *sc;
    scnError *err;
    stmt *st;               /* the statement being parsed */
    size_t at;              /* next token of the line */
    int world_done;         /* the first step has been read */
    int first_step_line;
    long seed_stmt;         /* index of the `seed` statement, -1 if none yet */
    userName *byname;       /* names=: the users sorted by name, ignoring case */
} parser;

static msStatus failLine(parser *p, msStatus st, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static msStatus failLine(parser *p, msStatus st, int line, int col, const char *fmt, ...) {
    va_list ap;
    p->err->line = line;
    /* A column of the line being read counts in its expanded words: back to the line as written. */
    p->err->col = line == p->lx.line ? lexColumn(&p->lx, col) : col;
    va_start(ap, fmt);
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return st;
}

/* The error on the current line at column col. */
#define fail(p, st, col, ...) failLine((p), (st), (p)->lx.line, (col), __VA_ARGS__)

static msStatus noMemory(parser *p) {
    return fail(p, MS_NOMEM, 0, "out of memory");
}

/* Bytes of a word to show in a message. */
static int show(size_t n) {
    return n > SHOW ? SHOW : (int)n;
}

#define W(t) show((t)->n), (t)->s                      /* a whole word, for "%.*s" */
#define KEY(t) show((t)->eq), (t)->s                   /* an option's key */
#define VAL(t) show((t)->n - (t)->eq - 1), (t)->s + (t)->eq + 1

static const char *kw(const parser *p) {
    return keywords[p->st->kind];
}

/* ---------------------------------------------------------------- words */

static const lexToken *peek(parser *p) {
    return p->at < p->lx.ntok ? &p->lx.tok[p->at] : NULL;
}

/* Column just after the line's last word: where a missing word belongs. */
static int endCol(const parser *p) {
    const lexToken *last = &p->lx.tok[p->lx.ntok - 1];
    return last->col + (int)last->n;
}

/* The next word, which must be a plain word (not key=value); what names it. */
static msStatus word(parser *p, const char *what, const lexToken **out) {
    const lexToken *t = peek(p);
    if (!t)
        return fail(p, MS_INPUT, endCol(p), "missing %s in '%.*s'", what,
                    show(p->lx.stmtn), p->lx.stmt);
    if (lexIsOption(t))
        return fail(p, MS_INPUT, t->col, "expected %s, found option '%.*s'", what, W(t));
    p->at++;
    *out = t;
    return MS_OK;
}

/* Nothing may follow a complete statement. */
static msStatus end(parser *p) {
    const lexToken *t = peek(p);
    if (!t) return MS_OK;
    return fail(p, MS_INPUT, t->col, "unexpected '%.*s' after the end of the '%s' statement",
                W(t), kw(p));
}

static int isLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int isDigit(char c) {
    return c >= '0' && c <= '9';
}

/* A name: a letter, then letters, digits, '-' or '_'; what says of what. */
static msStatus checkName(parser *p, const char *s, size_t n, int col, const char *what) {
    if (n == 0) return fail(p, MS_INPUT, col, "missing %s", what);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = isLetter(c) || (i > 0 && (isDigit(c) || c == '-' || c == '_'));
        if (!ok)
            return fail(p, MS_INPUT, col + (int)i,
                        "bad %s '%.*s': a name is a letter, then letters, digits, '-' or '_'",
                        what, show(n), s);
    }
    if (n > NAME_MAX_LEN)
        return fail(p, MS_INPUT, col, "%s '%.*s...' is too long (at most %d characters)", what,
                    show(n), s, NAME_MAX_LEN);
    return MS_OK;
}

static msStatus setRef(parser *p, nameref *r, const char *s, size_t n, int col) {
    r->name = textDup(s, n);
    if (!r->name) return noMemory(p);
    r->pos = (srcpos){p->lx.line, col};
    r->index = -1;
    return MS_OK;
}

/* ---------------------------------------------------------------- numbers and durations */

/*
** The n bytes at s (column col) as an unsigned decimal in [lo, hi]; what
** names the value in messages.
*/
static msStatus number(parser *p, const char *s, size_t n, int col, const char *what,
                       uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t v = 0;
    int over = 0;
    if (n == 0) return fail(p, MS_INPUT, col, "missing number for %s", what);
    for (size_t i = 0; i < n; i++) {
        if (!isDigit(s[i]))
            return fail(p, MS_INPUT, col + (int)i, "bad number '%.*s' for %s: expected digits 0-9",
                        show(n), s, what);
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
            over = 1;
    }
    if (over || v < lo || v > hi)
        return fail(p, MS_RANGE, col, "%s must be between %llu and %llu, not %.*s", what,
                    (unsigned long long)lo, (unsigned long long)hi, show(n), s);
    *out = v;
    return MS_OK;
}

static msStatus number64(parser *p, const char *s, size_t n, int col, const char *what,
                         int64_t lo, int64_t hi, int64_t *out) {
    uint64_t v;
    msStatus st = number(p, s, n, col, what, (uint64_t)lo, (uint64_t)hi, &v);
    if (st == MS_OK) *out = (int64_t)v;
    return st;
}

/* Say what is wrong with the duration at s that durationParse refused at errat. */
static msStatus durationError(parser *p, msStatus st, const char *s, size_t n, int col,
                              size_t at, const char *what) {
    int c = col + (int)at;
    if (st == MS_RANGE)
        return fail(p, MS_RANGE, c, "duration '%.*s' for %s is too large", show(n), s, what);
    if (n == 0) return fail(p, MS_INPUT, col, "missing duration for %s", what);
    int unit_pos = at > 0 && isDigit(s[at - 1]);
    if (at >= n)
        return fail(p, MS_INPUT, c,
                    "missing unit at the end of duration '%.*s' for %s (units: ms, s, m, h, d)",
                    show(n), s, what);
    if (unit_pos && isLetter(s[at])) {
        size_t e = at;
        while (e < n && isLetter(s[e])) e++;
        return fail(p, MS_INPUT, c, "unknown unit '%.*s' in duration '%.*s' for %s (units: ms, s, m, h, d)",
                    show(e - at), s + at, show(n), s, what);
    }
    if (unit_pos)
        return fail(p, MS_INPUT, c, "missing unit before '%c' in duration '%.*s' for %s "
                    "(units: ms, s, m, h, d)", s[at], show(n), s, what);
    return fail(p, MS_INPUT, c, "expected a number at '%c' in duration '%.*s' for %s "
                "(a duration is terms like 1h30m)", s[at], show(n), s, what);
}

/* The n bytes at s as a duration in [lo, hi]. */
static msStatus duration(parser *p, const char *s, size_t n, int col, const char *what,
                         simtime lo, simtime hi, simtime *out) {
    size_t at = 0;
    simtime v = 0;
    msStatus st = durationParse(s, n, &v, &at);
    if (st != MS_OK) return durationError(p, st, s, n, col, at, what);
    if (v < lo || v > hi) {
        char a[CLOCK_BUFSZ], b[CLOCK_BUFSZ];
        return fail(p, MS_RANGE, col, "%s must be between %s and %s, not %.*s", what,
                    durationFormat(lo, a), durationFormat(hi, b), show(n), s);
    }
    *out = v;
    return MS_OK;
}

/* The params table entry named name; it exists (the table is the contract). */
static const paramDef *param(const char *name) {
    const paramDef *d = paramsFind(name);
    if (!d) abort();
    return d;
}

/* ---------------------------------------------------------------- options */

/* One option a statement accepts: key=value, or a bare flag word. */
typedef struct optDef {
    const char *key;
    int flag;
} optDef;

/* "expected site=, gc" for messages. */
static void optList(const optDef *d, size_t nd, char *buf, size_t sz) {
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nd && len < sz; i++)
        len += (size_t)snprintf(buf + len, sz - len, "%s%s%s", i ? ", " : "", d[i].key,
                                d[i].flag ? "" : "=");
}

static msStatus unknownOption(parser *p, const lexToken *t, const optDef *d, size_t nd) {
    char list[128];
    if (nd == 0) return end(p);
    optList(d, nd, list, sizeof list);
    return fail(p, MS_INPUT, t->col, "unknown option '%.*s' for '%s' (expected %s)",
                show(lexIsOption(t) && t->eq > 0 ? t->eq : t->n), t->s, kw(p), list);
}

/*
** Read the rest of the line as options among d; got[i] receives the token
** of d[i] (NULL when absent).  Rejects unknown and duplicate options, flags
** given a value, options without one, and any stray word.
*/
static msStatus options(parser *p, const optDef *d, size_t nd, const lexToken **got) {
    for (size_t i = 0; i < nd; i++) got[i] = NULL;
    for (; p->at < p->lx.ntok; p->at++) {
        const lexToken *t = &p->lx.tok[p->at];
        int opt = lexIsOption(t);
        size_t keylen = opt ? t->eq : t->n;
        size_t i = 0;
        while (i < nd && !eq(t->s, keylen, d[i].key)) i++;
        if (i == nd) return unknownOption(p, t, d, nd);
        if (opt && d[i].flag)
            return fail(p, MS_INPUT, t->col + (int)t->eq, "option '%s' of '%s' takes no value",
                        d[i].key, kw(p));
        if (!opt && !d[i].flag)
            return fail(p, MS_INPUT, t->col, "option '%s' of '%s' needs a value: %s=...", d[i].key,
                        kw(p), d[i].key);
        if (got[i])
            return fail(p, MS_INPUT, t->col, "duplicate option '%s%s' (first at column %d)", d[i].key,
                        d[i].flag ? "" : "=", got[i]->col);
        if (opt && t->eq + 1 == t->n)
            return fail(p, MS_INPUT, t->col + (int)t->n, "missing value after '%s='", d[i].key);
        got[i] = t;
    }
    return MS_OK;
}

static msStatus required(parser *p, const lexToken *t, const char *form) {
    if (t) return MS_OK;
    return fail(p, MS_INPUT, p->st->pos.col, "missing option %s for '%s'", form, kw(p));
}

/* An option's value: bytes, length, column. */
static const char *val(const lexToken *t, size_t *n, int *col) {
    *n = t->n - t->eq - 1;
    *col = t->col + (int)t->eq + 1;
    return t->s + t->eq + 1;
}

/* ---------------------------------------------------------------- world lookups */

static const nameref *declName(const stmt *st) {
    switch (st->kind) {
    case ST_DC: return &st->u.dc.name;
    case ST_SITE: return &st->u.site.name;
    case ST_SERVER: return &st->u.server.name;
    default: return NULL;
    }
}

typedef enum declKind { DECL_DC, DECL_SITE, DECL_SERVER } declKind;

static const char *const declWords[] = {"DC", "site", "server"};
static const char *const declKeywords[] = {"dc", "site", "server"};

static const size_t *declTable(const scenario *sc, declKind k) {
    return k == DECL_DC ? sc->dcs : k == DECL_SITE ? sc->sites : sc->servers;
}

/* FNV-1a over the name, then the kind. */
static uint32_t nameHash(declKind k, const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return (h ^ (uint32_t)k) * 16777619u;
}

/* Declaration index of the k named by the len bytes at s, or -1. */
static long lookupDecl(const parser *p, declKind k, const char *s, size_t len) {
    const nameIndex *t = &p->names;
    if (!t->cap) return -1;
    uint32_t h = nameHash(k, s, len);
    const size_t *idx = declTable(p->sc, k);
    for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        const nameSlot *e = &t->slot[i];
        if (e->index < 0) return -1;
        if (e->hash == h && e->kind == (int)k && eq(s, len, declName(&p->sc->v[idx[e->index]])->name))
            return e->index;
    }
}

static void namePut(nameIndex *t, nameSlot e) {
    size_t i = e.hash & (t->cap - 1);
    while (t->slot[i].index >= 0) i = (i + 1) & (t->cap - 1);
    t->slot[i] = e;
    t->n++;
}

/* Index the k just declared, declaration index `index`; 0 when out of memory. */
static int remember(parser *p, declKind k, size_t index) {
    nameIndex *t = &p->names;
    if (2 * (t->n + 1) > t->cap) {
        nameIndex g = {NULL, t->cap ? 2 * t->cap : 64, 0};
        g.slot = malloc(g.cap * sizeof *g.slot);
        if (!g.slot) return 0;
        for (size_t i = 0; i < g.cap; i++) g.slot[i].index = -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->slot[i].index >= 0) namePut(&g, t->slot[i]);
        free(t->slot);
        *t = g;
    }
    const char *name = declName(&p->sc->v[declTable(p->sc, k)[index]])->name;
    namePut(t, (nameSlot){nameHash(k, name, strlen(name)), (int)k, (long)index});
    return 1;
}

/* A world statement of kind k past its limit: the error at the keyword. */
static msStatus tooMany(parser *p, size_t have, size_t max, const char *what) {
    if (have < max) return MS_OK;
    return fail(p, MS_RANGE, p->st->pos.col, "too many %s: at most %zu", what, max);
}

/* Resolve the n bytes at s (column col) as a declared k into r. */
static msStatus resolve(parser *p, declKind k, const char *s, size_t n, int col, nameref *r) {
    msStatus st = checkName(p, s, n, col, k == DECL_DC ? "DC name" : k == DECL_SITE ? "site name"
                                                                                    : "server name");
    if (st != MS_OK) return st;
    long i = lookupDecl(p, k, s, n);
    if (i < 0)
        return fail(p, MS_INPUT, col, "unknown %s '%.*s': no '%s %.*s' before this line", declWords[k],
                    show(n), s, declKeywords[k], show(n), s);
    st = setRef(p, r, s, n, col);
    r->index = (int)i;
    return st;
}

static msStatus resolveTok(parser *p, declKind k, const lexToken *t, nameref *r) {
    return resolve(p, k, t->s, t->n, t->col, r);
}

static msStatus resolveOpt(parser *p, declKind k, const lexToken *t, nameref *r) {
    size_t n;
    int col;
    const char *s = val(t, &n, &col);
    return resolve(p, k, s, n, col, r);
}

/* The line of the declaration of s among DCs and servers, or 0. */
static int declaredLine(const parser *p, declKind k, const char *s, size_t n) {
    long i = lookupDecl(p, k, s, n);
    if (i < 0) return 0;
    return p->sc->v[declTable(p->sc, k)[i]].pos.line;
}

/* Declare a new name t of kind k: valid, and not a duplicate. */
static msStatus declare(parser *p, declKind k, const lexToken *t, nameref *r) {
    msStatus st = checkName(p, t->s, t->n, t->col, k == DECL_DC ? "DC name" : k == DECL_SITE
                                                                          ? "site name" : "server name");
    if (st != MS_OK) return st;
    int line = declaredLine(p, k, t->s, t->n);
    if (line)
        return fail(p, MS_INPUT, t->col, "duplicate %s '%.*s' (first declared on line %d)", declWords[k],
                    W(t), line);
    /* DCs and servers are both narrative actors: one name space. */
    if (k != DECL_SITE) {
        declKind other = k == DECL_DC ? DECL_SERVER : DECL_DC;
        line = declaredLine(p, other, t->s, t->n);
        if (line)
            return fail(p, MS_INPUT, t->col, "%s name '%.*s' is already the name of a %s (line %d)",
                        declWords[k], W(t), declWords[other], line);
    }
    st = setRef(p, r, t->s, t->n, t->col);
    return st;
}

/* A second `seed`, `ad`, ...: at most one each. */
static msStatus single(parser *p, long *slot) {
    if (*slot >= 0)
        return fail(p, MS_INPUT, p->st->pos.col, "second '%s' statement (the first is on line %d)",
                    kw(p), p->sc->v[*slot].pos.line);
    *slot = (long)(p->st - p->sc->v);
    return MS_OK;
}

/* ---------------------------------------------------------------- world statements */

static msStatus parseSeed(parser *p) {
    const lexToken *t = NULL;
    uint64_t v;
    msStatus st = single(p, &p->seed_stmt);
    if (st == MS_OK) st = word(p, "seed number", &t);
    if (st == MS_OK) st = number(p, t->s, t->n, t->col, "seed", 0, INT64_MAX, &v);
    if (st == MS_OK) st = end(p);
    if (st != MS_OK) return st;
    p->st->u.seed.value = v;
    p->sc->seed = v;
    return MS_OK;
}

static msStatus parseAd(parser *p) {
    const lexToken *t = NULL;
    uint64_t v;
    msStatus st = single(p, &p->sc->ad);
    if (st == MS_OK) st = word(p, "AD version (2000 or 2003)", &t);
    if (st != MS_OK) return st;
    st = number(p, t->s, t->n, t->col, "ad", 0, UINT64_MAX, &v);
    if (st == MS_RANGE || (st == MS_OK && v != 2000 && v != 2003))
        return fail(p, MS_INPUT, t->col, "ad must be 2000 or 2003, not %.*s", W(t));
    if (st == MS_OK) st = end(p);
    if (st != MS_OK) return st;
    p->st->u.ad.year = (int)v;
    return MS_OK;
}

static msStatus parseSet(parser *p) {
    const lexToken *name = peek(p), *value;
    if (name && lexIsOption(name))
        return fail(p, MS_INPUT, name->col, "write 'set %.*s %.*s', not '%.*s'", KEY(name), VAL(name),
                    W(name));
    msStatus st = word(p, "parameter name", &name);
    if (st != MS_OK) return st;
    const paramDef *d = NULL;
    char key[NAME_MAX_LEN + 1];
    if (name->n <= NAME_MAX_LEN) {
        memcpy(key, name->s, name->n);
        key[name->n] = '\0';
        d = paramsFind(key);
    }
    if (!d)
        return fail(p, MS_INPUT, name->col, "unknown parameter '%.*s' (docs/scenario-language.md "
                    "lists them)", W(name));
    st = word(p, "value", &value);
    if (st != MS_OK) return st;
    int64_t v;
    if (d->kind == PARAM_DURATION)
        st = duration(p, value->s, value->n, value->col, d->name, d->min, d->max, &v);
    else
        st = number64(p, value->s, value->n, value->col, d->name, d->min, d->max, &v);
    if (st != MS_OK) return st;
    if (d->step > 0 && v % d->step != 0) {
        char step[CLOCK_BUFSZ];
        return fail(p, MS_INPUT, value->col, "%s must be a multiple of %s, not %.*s", d->name,
                    durationFormat(d->step, step), W(value));
    }
    char why[160];
    size_t at = 0;
    st = paramsParseValue(d, value->s, value->n, &v, &at, why, sizeof why);
    if (st != MS_OK) return fail(p, st, value->col + (int)at, "%s", why);
    st = end(p);
    if (st != MS_OK) return st;
    size_t ntab;
    const paramDef *tab = paramsTable(&ntab);
    st = setRef(p, &p->st->u.set.name, name->s, name->n, name->col);
    p->st->u.set.name.index = (int)(d - tab);
    p->st->u.set.value = v;
    return st;
}

static msStatus parseSite(parser *p) {
    static const optDef d[] = {{"schedule", 0}, {"bridgehead", 0}};
    const lexToken *name = NULL, *got[2];
    stmt *s = p->st;
    s->u.site.bridgehead.index = -1;
    msStatus st = tooMany(p, p->sc->nsites, MAX_SITES, "sites");
    if (st == MS_OK) st = word(p, "site name", &name);
    if (st == MS_OK) st = declare(p, DECL_SITE, name, &s->u.site.name);
    if (st == MS_OK) st = options(p, d, 2, got);
    if (st != MS_OK) return st;
    s->u.site.name.index = (int)p->sc->nsites;
    if (got[0]) {
        size_t n;
        int col;
        const char *v = val(got[0], &n, &col);
        const paramDef *pd = param("site.schedule");
        st = duration(p, v, n, col, "site schedule", pd->min, pd->max, &s->u.site.schedule);
        if (st != MS_OK) return st;
        s->u.site.has_schedule = 1;
    }
    if (got[1]) {
        size_t n;
        int col;
        const char *v = val(got[1], &n, &col);
        st = checkName(p, v, n, col, "DC name");
        if (st == MS_OK) st = setRef(p, &s->u.site.bridgehead, v, n, col);
        if (st != MS_OK) return st;
    }
    if (!pushIndex(&p->sc->sites, &p->sc->nsites, (size_t)(s - p->sc->v))) return noMemory(p);
    if (!remember(p, DECL_SITE, p->sc->nsites - 1)) return noMemory(p);
    return MS_OK;
}

static msStatus parseSitelink(parser *p) {
    static const optDef d[] = {{"interval", 0}, {"cost", 0}};
    const lexToken *a = NULL, *b = NULL, *got[2];
    stmt *s = p->st;
    msStatus st = tooMany(p, p->sc->nsitelinks, MAX_SITELINKS, "site links");
    if (st == MS_OK) st = word(p, "first site", &a);
    if (st == MS_OK) st = resolveTok(p, DECL_SITE, a, &s->u.sitelink.a);
    if (st == MS_OK) st = word(p, "second site", &b);
    if (st == MS_OK) st = resolveTok(p, DECL_SITE, b, &s->u.sitelink.b);
    if (st != MS_OK) return st;
    int ia = s->u.sitelink.a.index, ib = s->u.sitelink.b.index;
    if (ia == ib)
        return fail(p, MS_INPUT, b->col, "sitelink joins site '%.*s' to itself", W(b));
    for (size_t i = 0; i < p->sc->nsitelinks; i++) {
        const stmt *o = &p->sc->v[p->sc->sitelinks[i]];
        int oa = o->u.sitelink.a.index, ob = o->u.sitelink.b.index;
        if ((oa == ia && ob == ib) || (oa == ib && ob == ia))
            return fail(p, MS_INPUT, a->col, "duplicate sitelink between '%.*s' and '%.*s' (first on line %d)",
                        W(a), W(b), o->pos.line);
    }
    st = options(p, d, 2, got);
    if (st != MS_OK) return st;
    if (got[0]) {
        size_t n;
        int col;
        const char *v = val(got[0], &n, &col);
        const paramDef *pd = param("sitelink.interval");
        simtime iv;
        st = duration(p, v, n, col, "sitelink interval", 0, INT64_MAX, &iv);
        if (st != MS_OK) return st;
        if (iv < 15 * MS_PER_MINUTE)
            return fail(p, MS_RANGE, col, "sitelink interval must be at least 15m, not %.*s", show(n), v);
        if (iv > pd->max) {
            char hi[CLOCK_BUFSZ];
            return fail(p, MS_RANGE, col, "sitelink interval must be between 15m and %s, not %.*s",
                        durationFormat(pd->max, hi), show(n), v);
        }
        if (iv % (15 * MS_PER_MINUTE) != 0)
            return fail(p, MS_INPUT, col, "sitelink interval must be a multiple of 15m, not %.*s",
                        show(n), v);
        s->u.sitelink.has_interval = 1;
        s->u.sitelink.interval = iv;
    }
    if (got[1]) {
        size_t n;
        int col;
        const char *v = val(got[1], &n, &col);
        const paramDef *pd = param("sitelink.cost");
        st = number64(p, v, n, col, "sitelink cost", pd->min, pd->max, &s->u.sitelink.cost);
        if (st != MS_OK) return st;
        s->u.sitelink.has_cost = 1;
    }
    if (!pushIndex(&p->sc->sitelinks, &p->sc->nsitelinks, (size_t)(s - p->sc->v))) return noMemory(p);
    return MS_OK;
}

static msStatus parseDc(parser *p) {
    static const optDef d[] = {{"site", 0}, {"gc", 1}};
    const lexToken *name = NULL, *got[2];
    stmt *s = p->st;
    msStatus st = tooMany(p, p->sc->ndcs, MAX_DCS, "DCs");
    if (st == MS_OK) st = word(p, "DC name", &name);
    if (st == MS_OK) st = declare(p, DECL_DC, name, &s->u.dc.name);
    if (st == MS_OK) st = options(p, d, 2, got);
    if (st == MS_OK) st = required(p, got[0], "site=SITE");
    if (st == MS_OK) st = resolveOpt(p, DECL_SITE, got[0], &s->u.dc.site);
    if (st != MS_OK) return st;
    s->u.dc.gc = got[1] != NULL;
    s->u.dc.name.index = (int)p->sc->ndcs;
    if (!pushIndex(&p->sc->dcs, &p->sc->ndcs, (size_t)(s - p->sc->v))) return noMemory(p);
    if (!remember(p, DECL_DC, p->sc->ndcs - 1)) return noMemory(p);
    return MS_OK;
}

static msStatus parseServer(parser *p) {
    static const optDef d[] = {{"dc", 0}, {"gc", 0}};
    const lexToken *name = NULL, *got[2];
    stmt *s = p->st;
    s->u.server.gc.index = -1;
    msStatus st = tooMany(p, p->sc->nservers, MAX_SERVERS, "servers");
    if (st == MS_OK) st = word(p, "server name", &name);
    if (st == MS_OK) st = declare(p, DECL_SERVER, name, &s->u.server.name);
    if (st == MS_OK) st = options(p, d, 2, got);
    if (st == MS_OK) st = required(p, got[0], "dc=DC");
    if (st == MS_OK) st = resolveOpt(p, DECL_DC, got[0], &s->u.server.dc);
    if (st != MS_OK) return st;
    s->u.server.gc.index = s->u.server.dc.index;
    if (got[1]) {
        st = resolveOpt(p, DECL_DC, got[1], &s->u.server.gc);
        if (st != MS_OK) return st;
        const stmt *g = &p->sc->v[p->sc->dcs[s->u.server.gc.index]];
        if (!g->u.dc.gc)
            return fail(p, MS_INPUT, s->u.server.gc.pos.col,
                        "gc=%s names a DC that is not a global catalog (declare it 'dc %s site=%s gc', "
                        "line %d)", g->u.dc.name.name, g->u.dc.name.name, g->u.dc.site.name, g->pos.line);
    }
    s->u.server.name.index = (int)p->sc->nservers;
    if (!pushIndex(&p->sc->servers, &p->sc->nservers, (size_t)(s - p->sc->v))) return noMemory(p);
    if (!remember(p, DECL_SERVER, p->sc->nservers - 1)) return noMemory(p);
    return MS_OK;
}

static msStatus parseItems(parser *p, const lexToken *t) {
    size_t n;
    int col;
    const char *v = val(t, &n, &col);
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i] == '.' && v[i + 1] == '.') {
            dots = v + i;
            break;
        }
    int64_t lo, hi;
    size_t nlo = dots ? (size_t)(dots - v) : n;
    msStatus st = number64(p, v, nlo, col, "items", 0, MAX_ITEMS, &lo);
    if (st != MS_OK || !dots) {
        hi = lo;
    } else {
        size_t off = nlo + 2;
        st = number64(p, v + off, n - off, col + (int)off, "items", 0, MAX_ITEMS, &hi);
        if (st == MS_OK && lo > hi)
            return fail(p, MS_INPUT, col, "items range %.*s is reversed: %lld is more than %lld", show(n), v,
                        (long long)lo, (long long)hi);
    }
    if (st != MS_OK) return st;
    p->st->u.source.items_lo = lo;
    p->st->u.source.items_hi = hi;
    return MS_OK;
}

/*
** One name of names=, at column col: an account name (a letter, then
** letters, digits, '.', '-' or '_'; at most ACCOUNT_NAME_MAX characters; no
** '.' at the end and no ".." inside, which would read as a range).
*/
static msStatus checkAccountName(parser *p, const char *s, size_t n, int col) {
    if (n == 0) return fail(p, MS_INPUT, col, "empty name in names= (names are separated by single commas)");
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = isLetter(c) || (i > 0 && (isDigit(c) || c == '-' || c == '_' || c == '.'));
        if (ok && c == '.' && (i + 1 == n || s[i + 1] == '.')) ok = 0;
        if (!ok)
            return fail(p, MS_INPUT, col + (int)i,
                        "bad user name '%.*s': an account name is a letter, then letters, digits, '.', '-' or "
                        "'_', not ending with '.' and without '..'", show(n), s);
    }
    if (n > ACCOUNT_NAME_MAX)
        return fail(p, MS_INPUT, col, "user name '%.*s' is too long (an account name has at most %d characters)",
                    show(n), s, ACCOUNT_NAME_MAX);
    if (eq(s, n, "all")) return fail(p, MS_INPUT, col, "'all' cannot be a user name (it means every user)");
    return MS_OK;
}

/* ASCII letters folded to lower case: account names compare without regard to case. */
static int foldCmp(const char *a, const char *b) {
    for (;; a++, b++) {
        int x = *a >= 'A' && *a <= 'Z' ? *a + 32 : *a, y = *b >= 'A' && *b <= 'Z' ? *b + 32 : *b;
        if (x != y || x == 0) return x - y;
    }
}

static int cmpByName(const void *a, const void *b) {
    const userName *x = a, *y = b;
    int c = foldCmp(x->name, y->name);
    return c ? c : (x->u > y->u) - (x->u < y->u);
}

/* The column of name u of the names= value starting at col. */
static int nameCol(char *const *names, const char *buf, uint32_t u, int col) {
    return col + (int)(names[u - 1] - buf);
}

/*
** names=LIST: split the value (at column col) into the statement's names,
** check each, and index them (p->byname) for the user lookups that follow;
** two names that differ only in case are one account name: a duplicate.
*/
static msStatus parseNames(parser *p, const char *v, size_t n, int col) {
    stmt *s = p->st;
    size_t count = 1;
    for (size_t i = 0; i < n; i++) count += v[i] == ',';
    if (count > MAX_USERS)
        return fail(p, MS_RANGE, col, "too many names in names=: at most %d users", MAX_USERS);
    char *buf = textDup(v, n);
    s->u.source.names_buf = buf;
    s->u.source.names = calloc(count, sizeof *s->u.source.names);
    p->byname = malloc(count * sizeof *p->byname);
    if (!buf || !s->u.source.names || !p->byname) return noMemory(p);
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && buf[i] != ',') continue;
        msStatus st = checkAccountName(p, buf + start, i - start, col + (int)start);
        if (st != MS_OK) return st;
        buf[i] = '\0';
        s->u.source.names[k] = buf + start;
        p->byname[k] = (userName){buf + start, (uint32_t)(k + 1)};
        k++;
        start = i + 1;
    }
    qsort(p->byname, count, sizeof *p->byname, cmpByName);
    for (size_t i = 1; i < count; i++) {
        char *const *nm = s->u.source.names;
        uint32_t a = p->byname[i - 1].u, b = p->byname[i].u;
        if (foldCmp(nm[a - 1], nm[b - 1]) != 0) continue;
        uint32_t later = a > b ? a : b, first = a > b ? b : a;
        return fail(p, MS_INPUT, nameCol(nm, buf, later, col),
                    "duplicate user name '%s' (the same account name as '%s', name %u of names=)",
                    nm[later - 1], nm[first - 1], (unsigned)first);
    }
    return MS_OK;
}

static msStatus parseSource(parser *p) {
    static const optDef d[] = {{"users", 0}, {"items", 0}, {"folders", 0}, {"rules", 0}, {"prefix", 0},
                               {"names", 0}};
    const lexToken *got[6];
    stmt *s = p->st;
    msStatus st = single(p, &p->sc->source);
    if (st == MS_OK) st = options(p, d, 6, got);
    if (st == MS_OK && !got[5]) st = required(p, got[0], "users=N");
    if (st != MS_OK) return st;
    size_t n;
    int col;
    const char *v;
    if (got[5] && got[4]) {
        const lexToken *later = got[5]->col > got[4]->col ? got[5] : got[4];
        return fail(p, MS_INPUT, later->col, "names= and prefix= exclude each other (names= gives every "
                    "user's name)");
    }
    if (got[0]) {
        v = val(got[0], &n, &col);
        st = number64(p, v, n, col, "users", 1, MAX_USERS, &s->u.source.users);
        if (st != MS_OK) return st;
    }
    if (got[5]) {
        v = val(got[5], &n, &col);
        st = parseNames(p, v, n, col);
        if (st != MS_OK) return st;
        int64_t count = 1;
        for (size_t i = 0; i < n; i++) count += v[i] == ',';
        if (got[0] && s->u.source.users != count) {
            int ucol;
            size_t un;
            val(got[0], &un, &ucol);
            return fail(p, MS_INPUT, ucol, "users=%lld does not agree with names= (%lld names)",
                        (long long)s->u.source.users, (long long)count);
        }
        s->u.source.users = count;
    }
    s->u.source.items_lo = s->u.source.items_hi = 100;
    s->u.source.folders = 5;
    s->u.source.rules = 1;
    if (st == MS_OK && got[1]) st = parseItems(p, got[1]);
    if (st == MS_OK && got[2]) {
        v = val(got[2], &n, &col);
        st = number64(p, v, n, col, "folders", 1, MAX_FOLDERS, &s->u.source.folders);
    }
    if (st == MS_OK && got[3]) {
        v = val(got[3], &n, &col);
        st = number64(p, v, n, col, "rules", 0, MAX_RULES, &s->u.source.rules);
    }
    if (st != MS_OK) return st;
    if (got[4]) {
        v = val(got[4], &n, &col);
        st = checkName(p, v, n, col, "user prefix");
        if (st != MS_OK) return st;
        if (isDigit(v[n - 1]))
            return fail(p, MS_INPUT, col + (int)n - 1,
                        "user prefix '%.*s' ends with a digit (users are PREFIX1, PREFIX2, ...)", show(n), v);
    } else {
        v = "user";
        n = 4;
    }
    s->u.source.prefix = textDup(v, n);
    if (!s->u.source.prefix) return noMemory(p);
    p->sc->nusers = (uint32_t)s->u.source.users;
    return MS_OK;
}

/*
** migrator=SPEC: builtin:NAME (or NAME alone) names a built-in migrator,
** checked now; exec:COMMAND and plugin:PATH are checked when the run starts.
*/
static msStatus parseMigratorSpec(parser *p, const lexToken *t, char **out) {
    size_t n;
    int col;
    const char *v = val(t, &n, &col);
    if (n == 0) return fail(p, MS_INPUT, col, "migrator= needs builtin:NAME, exec:COMMAND or plugin:PATH");
    int is_exec = n > 5 && memcmp(v, "exec:", 5) == 0, is_plugin = n > 7 && memcmp(v, "plugin:", 7) == 0;
    if (!is_exec && !is_plugin) {
        size_t skip = n > 8 && memcmp(v, "builtin:", 8) == 0 ? 8 : 0;
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n - skip < 63 ? n - skip : 63), v + skip);
        if (!engineBuiltin(name))
            return fail(p, MS_INPUT, col + (int)skip, "unknown built-in migrator '%s' (expected %s)", name,
                        engineBuiltinNames());
    }
    *out = textDup(v, n);
    return *out ? MS_OK : noMemory(p);
}

static msStatus parseWizard(parser *p) {
    static const optDef d[] = {{"server", 0}, {"dc", 0}, {"rate", 0}, {"protect", 1}, {"migrator", 0}};
    const lexToken *got[5];
    stmt *s = p->st;
    msStatus st = single(p, &p->sc->wizard);
    if (st == MS_OK) st = options(p, d, 5, got);
    if (st == MS_OK) st = required(p, got[0], "server=SERVER");
    if (st == MS_OK) st = required(p, got[1], "dc=DC");
    if (st == MS_OK) st = resolveOpt(p, DECL_SERVER, got[0], &s->u.wizard.server);
    if (st == MS_OK) st = resolveOpt(p, DECL_DC, got[1], &s->u.wizard.dc);
    if (st != MS_OK) return st;
    if (got[2]) {
        size_t n;
        int col;
        const char *v = val(got[2], &n, &col);
        if (n < 2 || v[n - 2] != '/' || v[n - 1] != 's') {
            const char *slash = memchr(v, '/', n);
            return fail(p, MS_INPUT, slash ? col + (int)(slash - v) : col + (int)n,
                        "rate must be written N/s (items per second), e.g. rate=20/s, not %.*s", show(n), v);
        }
        const paramDef *pd = param("wizard.rate");
        st = number64(p, v, n - 2, col, "rate (items per second)", pd->min, pd->max, &s->u.wizard.rate);
        if (st != MS_OK) return st;
        s->u.wizard.has_rate = 1;
    }
    s->u.wizard.protect = got[3] != NULL;
    return got[4] ? parseMigratorSpec(p, got[4], &s->u.wizard.migrator) : MS_OK;
}

static msStatus parseAdmin(parser *p) {
    static const optDef d[] = {{"dc", 0}};
    const lexToken *got[1];
    msStatus st = single(p, &p->sc->admin);
    if (st == MS_OK) st = options(p, d, 1, got);
    if (st == MS_OK) st = required(p, got[0], "dc=DC");
    if (st == MS_OK) st = resolveOpt(p, DECL_DC, got[0], &p->st->u.admin.dc);
    return st;
}

static msStatus parseLatency(parser *p) {
    static const optDef d[] = {{"jitter", 0}};
    const lexToken *t = NULL, *got[1];
    stmt *s = p->st;
    const paramDef *pl = param("repl.latency"), *pj = param("repl.jitter");
    msStatus st = single(p, &p->sc->latency);
    if (st == MS_OK) st = word(p, "duration", &t);
    if (st == MS_OK) st = duration(p, t->s, t->n, t->col, "latency", pl->min, pl->max, &s->u.latency.latency);
    if (st == MS_OK) st = options(p, d, 1, got);
    if (st != MS_OK || !got[0]) return st;
    size_t n;
    int col;
    const char *v = val(got[0], &n, &col);
    if (v[n - 1] != '%')
        return fail(p, MS_INPUT, col + (int)n, "jitter must be written P%% (percent), e.g. jitter=10%%, not %.*s",
                    show(n), v);
    st = number64(p, v, n - 1, col, "jitter percent", pj->min, pj->max, &s->u.latency.jitter_pct);
    if (st != MS_OK) return st;
    s->u.latency.has_jitter = 1;
    return MS_OK;
}

/* ---------------------------------------------------------------- the end of the world */

/* Resolve each site's bridgehead, now that every DC is known. */
static msStatus resolveBridgeheads(parser *p) {
    scenario *sc = p->sc;
    for (size_t i = 0; i < sc->nsites; i++) {
        stmt *site = &sc->v[sc->sites[i]];
        nameref *b = &site->u.site.bridgehead;
        if (!b->name) continue;
        long d = lookupDecl(p, DECL_DC, b->name, strlen(b->name));
        if (d < 0)
            return failLine(p, MS_INPUT, b->pos.line, b->pos.col,
                            "unknown DC '%s' (bridgehead of site '%s'): no 'dc %s' in the world", b->name,
                            site->u.site.name.name, b->name);
        const stmt *dc = &sc->v[sc->dcs[d]];
        if (dc->u.dc.site.index != (int)i)
            return failLine(p, MS_INPUT, b->pos.line, b->pos.col,
                            "bridgehead '%s' is not a DC of site '%s' (line %d puts it in site '%s')", b->name,
                            site->u.site.name.name, dc->pos.line, dc->u.dc.site.name);
        b->index = (int)d;
    }
    return MS_OK;
}

/* ---------------------------------------------------------------- users */

/* The user of names= spelled exactly by the n bytes at s, or 0. */
static uint32_t namedUser(const parser *p, const char *s, size_t n) {
    char key[ACCOUNT_NAME_MAX + 1];
    if (n == 0 || n > ACCOUNT_NAME_MAX) return 0;
    memcpy(key, s, n);
    key[n] = '\0';
    size_t lo = 0, hi = p->sc->nusers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = foldCmp(p->byname[mid].name, key);
        if (c == 0) return strcmp(p->byname[mid].name, key) == 0 ? p->byname[mid].u : 0;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* An unknown user of names= at col: say which names there are. */
static msStatus unknownNamed(parser *p, const char *s, size_t n, int col) {
    char *const *nm = p->sc->v[p->sc->source].u.source.names;
    if (n == 0) return fail(p, MS_INPUT, col, "missing user name");
    if (p->st->kind == ST_EXPECT && lookupDecl(p, DECL_DC, s, n) >= 0)
        return fail(p, MS_INPUT, col, "unknown user '%.*s': %.*s is a DC; to judge a DC write "
                    "'expect dc %.*s has|lacks USERS'", show(n), s, show(n), s, show(n), s);
    if (p->sc->nusers == 1)
        return fail(p, MS_INPUT, col, "unknown user '%.*s' (the only source user is %s)", show(n), s, nm[0]);
    return fail(p, MS_INPUT, col, "unknown user '%.*s' (the source users are the %u names of names=, %s..%s)",
                show(n), s, (unsigned)p->sc->nusers, nm[0], nm[p->sc->nusers - 1]);
}

/* The user named by the n bytes at s: PREFIXk with 1 <= k <= nusers, or a name of names=. */
static msStatus userNumber(parser *p, const char *s, size_t n, int col, uint32_t *out) {
    const scenario *sc = p->sc;
    if (sc->v[sc->source].u.source.names) {
        *out = namedUser(p, s, n);
        return *out ? MS_OK : unknownNamed(p, s, n, col);
    }
    const char *prefix = sc->v[sc->source].u.source.prefix;
    size_t pl = strlen(prefix);
    uint64_t k = 0;
    int ok = n > pl && n - pl <= 9 && memcmp(s, prefix, pl) == 0 && s[pl] != '0';
    for (size_t i = pl; ok && i < n; i++) {
        if (!isDigit(s[i])) ok = 0;
        else k = k * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok || k > sc->nusers) {
        if (n == 0) return fail(p, MS_INPUT, col, "missing user name");
        if (p->st->kind == ST_EXPECT && lookupDecl(p, DECL_DC, s, n) >= 0)
            return fail(p, MS_INPUT, col, "unknown user '%.*s': %.*s is a DC; to judge a DC write "
                        "'expect dc %.*s has|lacks USERS'", show(n), s, show(n), s, show(n), s);
        if (sc->nusers == 1)
            return fail(p, MS_INPUT, col, "unknown user '%.*s' (the only source user is %s1)", show(n), s,
                        prefix);
        return fail(p, MS_INPUT, col, "unknown user '%.*s' (the source users are %s1..%s%u)", show(n), s,
                    prefix, prefix, (unsigned)sc->nusers);
    }
    *out = (uint32_t)k;
    return MS_OK;
}

/* One element of a user list: a name or a range NAME..NAME. */
static msStatus userElement(parser *p, const char *s, size_t n, int col, userrange *r) {
    if (n == 0) return fail(p, MS_INPUT, col, "empty element in user list");
    if (eq(s, n, "all")) return fail(p, MS_INPUT, col, "'all' cannot be part of a user list");
    size_t dots = n;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = i;
            break;
        }
    r->pos = (srcpos){p->lx.line, col};
    msStatus st = userNumber(p, s, dots, col, &r->lo);
    if (st != MS_OK || dots == n) {
        r->hi = r->lo;
        return st;
    }
    st = userNumber(p, s + dots + 2, n - dots - 2, col + (int)dots + 2, &r->hi);
    if (st != MS_OK) return st;
    if (r->lo > r->hi)
        return fail(p, MS_INPUT, col, "bad range '%.*s': %.*s comes after %.*s", show(n), s, show(dots), s,
                    show(n - dots - 2), s + dots + 2);
    return MS_OK;
}

/* USERS in word t: `all`, or a comma list of names and ranges. */
static msStatus users(parser *p, const lexToken *t, userset *u) {
    if (eq(t->s, t->n, "all")) {
        u->all = 1;
        return MS_OK;
    }
    size_t n = 1;
    for (size_t i = 0; i < t->n; i++) n += t->s[i] == ',';
    u->v = calloc(n, sizeof *u->v);
    if (!u->v) return noMemory(p);
    u->n = n;
    size_t start = 0, k = 0;
    for (size_t i = 0; i <= t->n; i++) {
        if (i < t->n && t->s[i] != ',') continue;
        msStatus st = userElement(p, t->s + start, i - start, t->col + (int)start, &u->v[k++]);
        if (st != MS_OK) return st;
        start = i + 1;
    }
    return MS_OK;
}

static msStatus usersWord(parser *p, userset *u) {
    const lexToken *t = NULL;
    msStatus st = word(p, "users (all, a name, a range or a comma list)", &t);
    if (st == MS_OK) st = users(p, t, u);
    return st;
}

/* ---------------------------------------------------------------- steps */

enum need { NEED_WIZARD = 1, NEED_SERVER = 2, NEED_SOURCE = 4 };

/* The world statements a step relies on must exist ("step before world"). */
static msStatus needs(parser *p, unsigned what) {
    const scenario *sc = p->sc;
    const char *missing = NULL, *why = "";
    if ((what & NEED_WIZARD) && sc->wizard < 0) missing = "wizard";
    else if ((what & NEED_SERVER) && sc->nservers == 0) missing = "server";
    else if ((what & NEED_SOURCE) && sc->source < 0) {
        missing = "source";
        why = " (users come from the source)";
    }
    if (!missing) return MS_OK;
    return fail(p, MS_INPUT, p->st->pos.col, "step before world: no '%s' statement before this '%s'%s",
                missing, kw(p), why);
}

static msStatus parseMigrate(parser *p) {
    static const optDef d[] = {{"dc", 0}};
    const lexToken *got[1];
    stmt *s = p->st;
    s->u.migrate.dc.index = -1;
    msStatus st = needs(p, NEED_WIZARD | NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &s->u.migrate.users);
    if (st == MS_OK) st = options(p, d, 1, got);
    if (st == MS_OK && got[0]) st = resolveOpt(p, DECL_DC, got[0], &s->u.migrate.dc);
    return st;
}

/*
** The condition after `when` (already read) of `cancel when` and `wait
** when`: mailboxes=N or items=N, the whole rest of the statement.
*/
static msStatus parseWhen(parser *p, cancelWhen *when, int64_t *out) {
    const lexToken *t = peek(p);
    if (!t)
        return fail(p, MS_INPUT, endCol(p), "missing condition after '%s when' (mailboxes=N or items=N)", kw(p));
    int mb = lexIsOption(t) && eq(t->s, t->eq, "mailboxes");
    int it = lexIsOption(t) && eq(t->s, t->eq, "items");
    if (!mb && !it)
        return fail(p, MS_INPUT, t->col, "unknown %s condition '%.*s' (expected mailboxes=N or items=N)", kw(p),
                    show(lexIsOption(t) ? t->eq : t->n), t->s);
    p->at++;
    size_t n;
    int col;
    const char *v = val(t, &n, &col);
    msStatus st = number64(p, v, n, col, mb ? "mailboxes" : "items", 0, MAX_N, out);
    if (st != MS_OK) return st;
    *when = mb ? CANCEL_MAILBOXES : CANCEL_ITEMS;
    return end(p);
}

static msStatus parseCancel(parser *p) {
    stmt *s = p->st;
    const lexToken *t = NULL;
    msStatus st = needs(p, NEED_WIZARD);
    if (st != MS_OK) return st;
    s->u.cancel.when = CANCEL_NOW;
    if (!peek(p)) return MS_OK;
    t = peek(p);
    if (lexIsOption(t) || !eq(t->s, t->n, "when"))
        return fail(p, MS_INPUT, t->col, "expected 'when mailboxes=N' or 'when items=N' after 'cancel', found '%.*s'",
                    W(t));
    p->at++;
    return parseWhen(p, &s->u.cancel.when, &s->u.cancel.n);
}

static msStatus parseDeliver(parser *p) {
    static const optDef d[] = {{"count", 0}};
    const lexToken *got[1];
    stmt *s = p->st;
    s->u.deliver.count = 1;
    msStatus st = needs(p, NEED_SERVER | NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &s->u.deliver.users);
    if (st == MS_OK) st = options(p, d, 1, got);
    if (st == MS_OK && got[0]) {
        size_t n;
        int col;
        const char *v = val(got[0], &n, &col);
        st = number64(p, v, n, col, "count", 1, MAX_COUNT, &s->u.deliver.count);
    }
    return st;
}

static msStatus parseLogon(parser *p) {
    msStatus st = needs(p, NEED_SERVER | NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &p->st->u.logon.users);
    if (st == MS_OK) st = end(p);
    return st;
}

static msStatus parseCleanup(parser *p) {
    if (!peek(p)) {
        p->st->u.cleanup.users.all = 1;
        return MS_OK;
    }
    msStatus st = needs(p, NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &p->st->u.cleanup.users);
    if (st == MS_OK) st = end(p);
    return st;
}

static msStatus parseDelete(parser *p) {
    msStatus st = needs(p, NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &p->st->u.del.users);
    if (st == MS_OK) st = end(p);
    return st;
}

/* purge [USERS] [server=NAME]: users.all when no USERS word is given. */
static msStatus parsePurge(parser *p) {
    static const optDef d[] = {{"server", 0}};
    const lexToken *got[1], *t = peek(p);
    stmt *s = p->st;
    s->u.purge.server.index = -1;
    msStatus st = needs(p, NEED_SERVER);
    if (st != MS_OK) return st;
    if (t && !lexIsOption(t)) {
        st = needs(p, NEED_SOURCE);
        if (st == MS_OK) st = usersWord(p, &s->u.purge.users);
        if (st != MS_OK) return st;
    } else {
        s->u.purge.users.all = 1;
    }
    st = options(p, d, 1, got);
    if (st == MS_OK && got[0]) st = resolveOpt(p, DECL_SERVER, got[0], &s->u.purge.server);
    return st;
}

/* export USERS and import USERS. */
static msStatus parseRescue(parser *p) {
    msStatus st = needs(p, NEED_SERVER | NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &p->st->u.rescue.users);
    if (st == MS_OK) st = end(p);
    return st;
}

static msStatus parseSync(parser *p) {
    const lexToken *t = NULL;
    p->st->u.sync.dc.index = -1;
    if (!peek(p)) return MS_OK;
    msStatus st = word(p, "DC name", &t);
    if (st == MS_OK) st = resolveTok(p, DECL_DC, t, &p->st->u.sync.dc);
    if (st == MS_OK) st = end(p);
    return st;
}

static msStatus parseWait(parser *p) {
    const lexToken *t = NULL;
    stmt *s = p->st;
    msStatus st = word(p, "duration, 'converged' or 'done'", &t);
    if (st != MS_OK) return st;
    if (eq(t->s, t->n, "when")) {
        s->u.wait.mode = WAIT_WHEN;
        st = needs(p, NEED_WIZARD);
        return st == MS_OK ? parseWhen(p, &s->u.wait.when, &s->u.wait.n) : st;
    }
    if (eq(t->s, t->n, "converged")) s->u.wait.mode = WAIT_CONVERGED;
    else if (eq(t->s, t->n, "done")) s->u.wait.mode = WAIT_DONE;
    else if (!isDigit(t->s[0]))
        return fail(p, MS_INPUT, t->col, "expected a duration, 'converged' or 'done' after 'wait', found '%.*s'",
                    W(t));
    else {
        s->u.wait.mode = WAIT_DURATION;
        st = duration(p, t->s, t->n, t->col, "wait", 0, WAIT_MAX, &s->u.wait.dur);
        if (st != MS_OK) return st;
    }
    return end(p);
}

/* fail and restore: `dc DC` or `link SITE SITE`. */
static msStatus parseFail(parser *p) {
    const lexToken *t = NULL, *a = NULL, *b = NULL;
    stmt *s = p->st;
    s->u.fail.dc.index = s->u.fail.a.index = s->u.fail.b.index = -1;
    msStatus st = word(p, "'dc' or 'link'", &t);
    if (st != MS_OK) return st;
    if (eq(t->s, t->n, "dc")) {
        st = word(p, "DC name", &a);
        if (st == MS_OK) st = resolveTok(p, DECL_DC, a, &s->u.fail.dc);
        if (st == MS_OK) st = end(p);
        return st;
    }
    if (!eq(t->s, t->n, "link"))
        return fail(p, MS_INPUT, t->col, "expected 'dc' or 'link' after '%s', found '%.*s'", kw(p), W(t));
    s->u.fail.link = 1;
    st = word(p, "first site", &a);
    if (st == MS_OK) st = resolveTok(p, DECL_SITE, a, &s->u.fail.a);
    if (st == MS_OK) st = word(p, "second site", &b);
    if (st == MS_OK) st = resolveTok(p, DECL_SITE, b, &s->u.fail.b);
    if (st != MS_OK) return st;
    int ia = s->u.fail.a.index, ib = s->u.fail.b.index;
    size_t i = 0;
    for (; i < p->sc->nsitelinks; i++) {
        const stmt *o = &p->sc->v[p->sc->sitelinks[i]];
        int oa = o->u.sitelink.a.index, ob = o->u.sitelink.b.index;
        if ((oa == ia && ob == ib) || (oa == ib && ob == ia)) break;
    }
    if (i == p->sc->nsitelinks)
        return fail(p, MS_INPUT, a->col, "no sitelink between sites '%.*s' and '%.*s'", W(a), W(b));
    return end(p);
}

static msStatus expectCounters(parser *p) {
    stmt *s = p->st;
    const lexToken *seen[CTR__COUNT] = {0};
    for (const lexToken *t = NULL; (t = peek(p)) != NULL; p->at++) {
        /* Counters describe the mailbox judged: a negation names none, and
        ** an absent user has none. */
        if (s->u.expect.negate)
            return fail(p, MS_INPUT, t->col, "unexpected '%.*s' after 'not %s' (a negated outcome takes no "
                        "counters)", W(t), outcomeName(s->u.expect.out));
        if (s->u.expect.out == OUT_ABSENT && lexIsOption(t))
            return fail(p, MS_INPUT, t->col, "unexpected counter '%.*s' after 'absent' (an absent user has no "
                        "mailbox judged, so no counters)", W(t));
        if (!lexIsOption(t))
            return fail(p, MS_INPUT, t->col, "unexpected '%.*s' after the outcome (counters are extra=N, "
                        "dupes=N, missing=N, rules_broken=N)", W(t));
        int c = 0;
        while (c < CTR__COUNT && !eq(t->s, t->eq, counterName(c))) c++;
        if (c == CTR__COUNT)
            return fail(p, MS_INPUT, t->col, "unknown counter '%.*s' (expected extra, dupes, missing or "
                        "rules_broken)", KEY(t));
        if (seen[c])
            return fail(p, MS_INPUT, t->col, "duplicate option '%s=' (first at column %d)", counterName(c),
                        seen[c]->col);
        seen[c] = t;
        size_t n;
        int col;
        const char *v = val(t, &n, &col);
        msStatus st = number64(p, v, n, col, counterName(c), 0, MAX_N, &s->u.expect.counters[c]);
        if (st != MS_OK) return st;
        s->u.expect.has |= 1u << c;
    }
    return MS_OK;
}

static msStatus parseExpect(parser *p) {
    stmt *s = p->st;
    const lexToken *t = peek(p);
    s->u.expect.dc.index = -1;
    if (!t)
        return fail(p, MS_INPUT, endCol(p), "missing expectation after 'expect' (USERS OUTCOME, stranded=N, "
                    "converged, or dc DC has|lacks USERS)");
    if (lexIsOption(t)) {
        if (!eq(t->s, t->eq, "stranded"))
            return fail(p, MS_INPUT, t->col, "unknown expectation '%.*s=' (expected USERS OUTCOME, stranded=N, "
                        "converged, or dc DC has|lacks USERS)", KEY(t));
        p->at++;
        size_t n;
        int col;
        const char *v = val(t, &n, &col);
        s->u.expect.what = EXPECT_STRANDED;
        msStatus st = number64(p, v, n, col, "stranded", 0, MAX_N, &s->u.expect.stranded);
        return st == MS_OK ? end(p) : st;
    }
    if (eq(t->s, t->n, "converged")) {
        p->at++;
        s->u.expect.what = EXPECT_CONVERGED;
        return end(p);
    }
    if (eq(t->s, t->n, "dc")) {
        const lexToken *dc = NULL, *hl = NULL;
        p->at++;
        s->u.expect.what = EXPECT_DC;
        msStatus st = needs(p, NEED_SOURCE);
        if (st == MS_OK) st = word(p, "DC name", &dc);
        if (st == MS_OK) st = resolveTok(p, DECL_DC, dc, &s->u.expect.dc);
        if (st == MS_OK) st = word(p, "'has' or 'lacks'", &hl);
        if (st != MS_OK) return st;
        if (eq(hl->s, hl->n, "lacks")) s->u.expect.lacks = 1;
        else if (!eq(hl->s, hl->n, "has"))
            return fail(p, MS_INPUT, hl->col, "expected 'has' or 'lacks' after 'expect dc %.*s', found '%.*s'",
                        W(dc), W(hl));
        st = usersWord(p, &s->u.expect.users);
        return st == MS_OK ? end(p) : st;
    }
    s->u.expect.what = EXPECT_OUTCOME;
    const lexToken *o = NULL;
    msStatus st = needs(p, NEED_SOURCE);
    if (st == MS_OK) st = usersWord(p, &s->u.expect.users);
    if (st == MS_OK) st = word(p, "outcome", &o);
    if (st == MS_OK && eq(o->s, o->n, "not")) {
        s->u.expect.negate = 1;
        st = word(p, "outcome after 'not'", &o);
    }
    if (st != MS_OK) return st;
    int out = outcomeParse(o->s, o->n);
    if (out < 0)
        return fail(p, MS_INPUT, o->col, "unknown outcome '%.*s' (expected cloned, merged, ghost, duplicate, "
                    "absent, partial or unmigrated)", W(o));
    s->u.expect.out = (outcome)out;
    return expectCounters(p);
}

/* ---------------------------------------------------------------- statements */

typedef msStatus parseFn(parser *p);

static parseFn *const parsers[ST__COUNT] = {
    parseSeed, parseAd, parseSet, parseSite, parseSitelink, parseDc, parseServer, parseSource,
    parseWizard, parseAdmin, parseLatency, parseMigrate, parseCancel, parseDeliver, parseLogon,
    parseCleanup, parseDelete, parseSync, parseWait, parseFail, parseFail, parseExpect, parsePurge,
    parseRescue, parseRescue,
};

/* The world ends at the first step: check it as a whole. */
static msStatus endWorld(parser *p) {
    p->world_done = 1;
    p->first_step_line = p->lx.line;
    p->sc->first_step = p->sc->n - 1;
    msStatus st = resolveBridgeheads(p);
    if (st != MS_OK) return st;
    if (p->sc->ndcs == 0)
        return fail(p, MS_INPUT, p->st->pos.col, "step before world: no 'dc' statement before this '%s'", kw(p));
    return MS_OK;
}

static msStatus statement(parser *p) {
    scenario *sc = p->sc;
    const lexToken *k = &p->lx.tok[0];
    int kind = 0;
    while (kind < ST__COUNT && !eq(k->s, k->n, keywords[kind])) kind++;
    if (kind == ST__COUNT)
        return fail(p, MS_INPUT, k->col, "unknown statement '%.*s'", W(k));
    if (kind < ST_FIRST_STEP && p->world_done)
        return fail(p, MS_INPUT, k->col, "world statement '%s' after the first step (line %d)", keywords[kind],
                    p->first_step_line);
    if (sc->n >= MAX_STATEMENTS)
        return fail(p, MS_RANGE, k->col, "too many statements: at most %d", MAX_STATEMENTS);
    if (!grow(&sc->v, sc->n, sizeof *sc->v)) return noMemory(p);
    stmt *st = &sc->v[sc->n++];
    memset(st, 0, sizeof *st);
    st->kind = (stmtKind)kind;
    st->pos = (srcpos){p->lx.line, k->col};
    st->text = textDup(p->lx.stmt, p->lx.stmtn);
    if (!st->text) return noMemory(p);
    p->st = st;
    p->at = 1;
    if (kind >= ST_FIRST_STEP && !p->world_done) {
        msStatus s = endWorld(p);
        if (s != MS_OK) return s;
    }
    return parsers[kind](p);
}

msStatus scnParse(const char *file, const char *text, size_t len, scenario *out, scnError *err) {
    return scnParseWith(file, text, len, NULL, 0, out, err);
}

msStatus scnParseWith(const char *file, const char *text, size_t len, const scnSetting *set, size_t nset,
                      scenario *out, scnError *err) {
    parser p;
    scnVars vars;
    memset(&p, 0, sizeof p);
    scnEmpty(out);
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", file ? file : "<input>");
    p.sc = out;
    p.err = err;
    p.seed_stmt = -1;
    lexInit(&p.lx, text, len);
    lexSetVars(&p.lx, &vars);
    msStatus st = varsInit(&vars, set, nset);
    if (st != MS_OK) st = noMemory(&p);
    out->file = textDup(err->file, strlen(err->file));
    if (!out->file && st == MS_OK) st = noMemory(&p);
    for (int got = 1; st == MS_OK;) {
        st = lexNextLine(&p.lx, &got);
        if (st == MS_INPUT) st = fail(&p, MS_INPUT, p.lx.errcol, "%s", p.lx.err);
        else if (st == MS_NOMEM) st = noMemory(&p);
        if (st != MS_OK || !got) break;
        st = statement(&p);
    }
    if (st == MS_OK && !p.world_done) {
        out->first_step = out->n;
        st = resolveBridgeheads(&p);
    }
    const scnSetting *unused = st == MS_OK ? varsUnused(&vars) : NULL;
    if (unused)
        st = failLine(&p, MS_INPUT, 0, 0, "variable '%s' is set from outside (--set) but never defined: the "
                      "scenario has no 'let %s = ...'", unused->name, unused->name);
    varsFree(&vars);
    lexFree(&p.lx);
    free(p.names.slot);
    free(p.byname);
    if (st != MS_OK) {
        if (st == MS_NOMEM) err->line = 0;
        scnFree(out);
        return st;
    }
    return MS_OK;
}

msStatus scnParseFile(const char *path, scenario *out, scnError *err) {
    return scnParseFileWith(path, NULL, 0, out, err);
}

msStatus scnParseFileWith(const char *path, const scnSetting *set, size_t nset, scenario *out, scnError *err) {
    scnEmpty(out);
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err->msg, sizeof err->msg, "cannot read: %s", strerror(errno));
        return MS_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int e = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_FILE) {
                snprintf(err->msg, sizeof err->msg, "cannot read: file larger than %u bytes", MAX_FILE);
                e = -1;
                break;
            }
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                e = ENOMEM;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) e = errno ? errno : EIO;
            break;
        }
    }
    fclose(f);
    if (e) {
        free(buf);
        if (e > 0) snprintf(err->msg, sizeof err->msg, "cannot read: %s", strerror(e));
        return e == ENOMEM ? MS_NOMEM : MS_IO;
    }
    msStatus st = scnParseWith(path, buf, len, set, nset, out, err);
    free(buf);
    return st;
}

void scnErrorFormat(const scnError *err, char *buf, size_t bufsz) {
    if (err->line <= 0)
        snprintf(buf, bufsz, "%s: error: %s", err->file, err->msg);
    else
        snprintf(buf, bufsz, "%s:%d:%d: error: %s", err->file, err->line, err->col, err->msg);
}
