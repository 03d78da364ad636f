/*
** The scenario language (v1): its abstract syntax tree and its parser.
**
** A scenario is a list of statements, one per line.  World statements
** (seed, ad, set, site, sitelink, dc, server, source, wizard, admin, latency)
** come first and describe the simulated world; the first step (migrate,
** cancel, deliver, logon, cleanup, delete, sync, wait, fail, restore, expect)
** ends the world, and the steps then run in order (purge, export and
** import are steps too: the administrator's rescue of issue 10).  `let NAME =
** VALUE` lines (anywhere) define variables that `$NAME` expands in later
** lines (vars.h); the lexer consumes them, so they are not statements of
** the AST, and a statement's text is the line after expansion.  docs/scenario-language.md
** is the user's reference; this header is the contract for code.
**
** scnParse does all of the checking a scenario can get without running it:
** lexing, syntax, option names and values, and name resolution.  After a
** successful parse every nameref's `index` points into the world (DCs, sites,
** servers numbered from 0 in declaration order) and every user range is
** resolved to source user numbers (1-based, inclusive).  So the runner and the
** model never see an unknown name or an unchecked value.  On error the parser
** stops at the first problem and fills an scnError with the file, line and
** column (both 1-based, column counted in bytes) of the real cause.
**
** Memory: a scenario owns every string and array it points to; scnFree
** releases them.  A scenario is read-only once parsed, so many runs may
** share one.
*/
#ifndef MIGSIM_SCENARIO_H
#define MIGSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/clock.h"
#include "kernel/status.h"
#include "judge/outcome.h"
#include "migration/cancel.h"
#include "scenario/vars.h"

typedef enum stmtKind {
    /* world */
    ST_SEED, ST_AD, ST_SET, ST_SITE, ST_SITELINK, ST_DC, ST_SERVER, ST_SOURCE,
    ST_WIZARD, ST_ADMIN, ST_LATENCY,
    /* steps */
    ST_MIGRATE, ST_CANCEL, ST_DELIVER, ST_LOGON, ST_CLEANUP, ST_DELETE, ST_SYNC,
    ST_WAIT, ST_FAIL, ST_RESTORE, ST_EXPECT, ST_PURGE, ST_EXPORT, ST_IMPORT,
    ST__COUNT
} stmtKind;

#define ST_FIRST_STEP ST_MIGRATE

typedef struct srcpos {
    int line, col;          /* 1-based; col in bytes */
} srcpos;

/* A reference to a named world object (DC, site, server). */
typedef struct nameref {
    char *name;             /* NULL when the optional reference is absent */
    srcpos pos;
    int index;              /* resolved: declaration index from 0; -1 if absent */
} nameref;

/* One element of USERS: a name (lo == hi) or a range user2..user5. */
typedef struct userrange {
    srcpos pos;
    uint32_t lo, hi;        /* resolved source user numbers, 1-based, lo <= hi */
} userrange;

/* USERS: `all`, or a comma list of names and ranges. */
typedef struct userset {
    int all;                /* 1 for `all` (then n == 0) */
    size_t n;
    userrange *v;
} userset;

typedef enum waitMode { WAIT_DURATION, WAIT_CONVERGED, WAIT_DONE, WAIT_WHEN } waitMode;

typedef enum expectKind {
    EXPECT_OUTCOME,         /* expect USERS OUTCOME [counters] | USERS not OUTCOME */
    EXPECT_STRANDED,        /* expect stranded=N */
    EXPECT_CONVERGED,       /* expect converged */
    EXPECT_DC               /* expect dc DC has|lacks USERS */
} expectKind;

typedef struct stmt {
    stmtKind kind;
    srcpos pos;             /* of the statement's first word */
    char *text;             /* the statement as written, comment and outer blanks removed */
    union {
        struct { uint64_t value; } seed;
        struct { int year; } ad;                                 /* 2000 or 2003 */
        struct { nameref name; int64_t value; } set;             /* name.index: params table index */
        struct { nameref name; int has_schedule; simtime schedule; nameref bridgehead; } site;
        struct { nameref a, b; int has_interval; simtime interval; int has_cost; int64_t cost; } sitelink;
        struct { nameref name; nameref site; int gc; } dc;
        struct { nameref name; nameref dc; nameref gc; } server; /* gc.index = dc.index if absent */
        struct {
            int64_t users, items_lo, items_hi, folders, rules;
            char *prefix;
            char **names;                  /* names=: users entries, or NULL (PREFIXn) */
            char *names_buf;               /* what names point into */
        } source;
        struct {
            nameref server; nameref dc; int has_rate; int64_t rate; int protect;
            char *migrator;                /* migrator=SPEC; NULL: builtin:wizard2003 */
        } wizard;
        struct { nameref dc; } admin;
        struct { simtime latency; int has_jitter; int64_t jitter_pct; } latency;
        struct { userset users; nameref dc; } migrate;           /* dc.index -1: the wizard's */
        struct { cancelWhen when; int64_t n; } cancel;
        struct { userset users; int64_t count; } deliver;        /* count default 1 */
        struct { userset users; } logon;
        struct { userset users; } cleanup;                       /* users.all when none given */
        struct { userset users; } del;
        struct { userset users; nameref server; } purge;         /* users.all when none given; server.index -1: every server */
        struct { userset users; } rescue;                        /* export and import */
        struct { nameref dc; } sync;                             /* dc.index -1: every DC */
        struct { waitMode mode; simtime dur; cancelWhen when; int64_t n; } wait;  /* WAIT_WHEN: when, n */
        struct { int link; nameref dc; nameref a, b; } fail;     /* fail and restore */
        struct {
            expectKind what;
            userset users;
            outcome out;
            int negate;                    /* EXPECT_OUTCOME: `not OUTCOME` (no counters) */
            unsigned has;                  /* bit (1 << counterId) set when pinned */
            int64_t counters[CTR__COUNT];
            int64_t stranded;
            nameref dc;
            int lacks;                     /* EXPECT_DC: 0 has, 1 lacks */
        } expect;
    } u;
} stmt;

typedef struct scenario {
    char *file;             /* as given to the parser, for messages */
    stmt *v;
    size_t n;
    size_t first_step;      /* index of the first step; n if there is none */
    /* World tables: indexes into v of the declaring statements, in order. */
    size_t *dcs, ndcs;
    size_t *sites, nsites;
    size_t *servers, nservers;
    size_t *sitelinks, nsitelinks;
    long source;            /* index of the `source` statement, -1 if none */
    long wizard;            /* index of the `wizard` statement, -1 if none */
    long admin;             /* index of the `admin` statement, -1 if none */
    long ad;                /* index of the `ad` statement, -1 if none */
    long latency;           /* index of the `latency` statement, -1 if none */
    uint64_t seed;          /* from `seed`, default 1 */
    uint32_t nusers;        /* source users (0 without `source`) */
} scenario;

typedef struct scnError {
    char file[256];
    int line, col;
    char msg[256];
} scnError;

/*
** Parse and validate len bytes of scenario text.  file names the text in
** error messages.  On MS_OK *out holds the scenario (free with scnFree); on
** MS_INPUT or MS_RANGE err holds the first error and *out is empty; on
** MS_NOMEM err says so.  Never reads past text + len; the text need not be
** NUL-terminated and may hold any bytes.
*/
msStatus scnParse(const char *file, const char *text, size_t len, scenario *out, scnError *err);

/*
** scnParse with settings from outside (`--set NAME=VALUE`, vars.h): each
** replaces the value of the scenario's `let NAME`; one that no `let`
** defines is an error (line 0).  set[0..nset) need only outlive the call.
*/
msStatus scnParseWith(const char *file, const char *text, size_t len, const scnSetting *set, size_t nset,
                      scenario *out, scnError *err);

/* scnParseFile with settings from outside, as scnParseWith. */
msStatus scnParseFileWith(const char *path, const scnSetting *set, size_t nset, scenario *out, scnError *err);

/*
** Read and parse the file at path.  A file that cannot be read gives MS_IO
** with err->line = 0 and a message naming the system error.
*/
msStatus scnParseFile(const char *path, scenario *out, scnError *err);

/* Release everything sc owns and leave it empty (safe to call twice). */
void scnFree(scenario *sc);

/* Format err as one line "FILE:LINE:COL: error: MESSAGE" (or "FILE: error: ..." when line is 0). */
void scnErrorFormat(const scnError *err, char *buf, size_t bufsz);

/* The keyword of a statement kind ("migrate"). */
const char *stmtKeyword(stmtKind k);

/* 1 when user number u (1-based) is in set s. */
int usersetHas(const userset *s, uint32_t u);

/* The source user name for number u into buf: the u-th of names= ("alice"),
** or prefix followed by u ("user3"). */
char *scnUserName(const scenario *sc, uint32_t u, char *buf, size_t bufsz);

#endif
