/*
** Two runs compared (rundiff.h).  Both sides are first read into the same
** plain form, a diffRun: a scenario's run result and a results database
** give identical diffRuns for one run, so `diff A.scn B.sqlite` compares
** like with like.  The record's fields go through one path on both sides:
** their JSON text (the run's, written by traceJsonFields, or the events
** table's column, written by the same function) is parsed, `line` dropped,
** and written back compact in its order, so a GUID field and a string field
** that reads the same compare equal, and two equal records give equal bytes.
**
** The traces are compared in lockstep: the first index where the records
** differ (or where one trace ends) is the divergence.  Both traces are in
** emission order, which is time order (trace.h), and a deterministic run
** gives the same order for the same inputs, so lockstep finds the first
** point where the runs took different paths; nothing after it is compared,
** because everything after a divergence may differ for that one reason.
**
** Users are matched by name: A's users in A's order, then those only B has,
** in B's order.  The printed table is a pure function of the two diffRuns.
*/
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "out/rundiff.h"
#include "out/tracejson.h"

/* strdup that keeps NULL as NULL; *bad set when a copy could not be made. */
static char *dupOr(const char *s, int *bad) {
    if (!s) return NULL;
    char *c = strdup(s);
    if (!c) *bad = 1;
    return c;
}

/*
** The fields JSON object text `json` without its `line` member, compact, into
** *out.  MS_INPUT when json is not an object; MS_NOMEM out of memory.
*/
static msStatus canonFields(const char *json, char **out) {
    json_error_t e;
    *out = NULL;
    json_t *o = json_loads(json ? json : "{}", 0, &e);
    if (!o) return json_error_code(&e) == json_error_out_of_memory ? MS_NOMEM : MS_INPUT;
    if (!json_is_object(o)) {
        json_decref(o);
        return MS_INPUT;
    }
    json_object_del(o, "line");
    *out = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? MS_OK : MS_NOMEM;
}

static msStatus pushRecord(diffRun *d, diffRecord **rec) {
    if (d->nrecs == d->cap && arrayGrow(&d->recs, &d->cap, sizeof *d->recs, 64) != MS_OK) return MS_NOMEM;
    *rec = &d->recs[d->nrecs++];
    memset(*rec, 0, sizeof **rec);
    return MS_OK;
}

/* r's fields as the JSON text traceJsonFields writes, in a string of its own. */
static char *fieldsText(const traceRecord *r) {
    char *buf = NULL;
    size_t sz = 0;
    FILE *f = open_memstream(&buf, &sz);
    if (!f) return NULL;
    traceJsonFields(r, f);
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static msStatus recordFromTrace(diffRun *d, const traceRecord *r) {
    diffRecord *x;
    char mg[GUID_STRLEN], og[GUID_STRLEN];
    int bad = 0;
    if (pushRecord(d, &x) != MS_OK) return MS_NOMEM;
    x->at = r->at;
    x->run = r->run;
    x->kind = dupOr(traceKindName(r->kind), &bad);
    x->actor = dupOr(r->actor ? r->actor : "", &bad);
    x->user = dupOr(r->user, &bad);
    x->dc = dupOr(r->dc, &bad);
    x->peer = dupOr(r->peer, &bad);
    x->server = dupOr(r->server, &bad);
    x->mailbox = dupOr(r->has_mailbox ? guidFormat(&r->mailbox, mg) : NULL, &bad);
    x->object = dupOr(r->has_object ? guidFormat(&r->object, og) : NULL, &bad);
    x->text = dupOr(r->text ? r->text : "", &bad);
    char *json = fieldsText(r);
    if (!json || bad) {
        free(json);
        return MS_NOMEM;
    }
    msStatus st = canonFields(json, &x->fields);
    free(json);
    /* Our own writer's JSON always parses: anything else is an allocation failing inside the parser. */
    return st == MS_OK ? MS_OK : MS_NOMEM;
}

msStatus diffRunFromResult(const runResult *r, const char *label, diffRun *d) {
    int bad = 0;
    memset(d, 0, sizeof *d);
    d->label = dupOr(label, &bad);
    d->verdict = dupOr(resultIsEmpty(r) ? "none" : r->verdict == MS_OK ? "pass" : "fail", &bad);
    d->stranded = r->stranded;
    if (bad) return MS_NOMEM;
    if (r->nusers && !(d->users = calloc(r->nusers, sizeof *d->users))) return MS_NOMEM;
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        diffUser *u = &d->users[d->nusers++];
        u->name = dupOr(r->user_names[i], &bad);
        u->outcome = dupOr(outcomeName(v->out), &bad);
        u->counted = v->counted;
        for (int c = 0; c < CTR__COUNT; c++) u->ctr[c] = v->counted ? v->counters[c] : 0;
        if (bad) return MS_NOMEM;
    }
    size_t n;
    const traceRecord *v = traceRecords(&r->tr, &n);
    for (size_t i = 0; i < n; i++)
        if (recordFromTrace(d, &v[i]) != MS_OK) return MS_NOMEM;
    return MS_OK;
}

/* Column i of the current row as a copy, NULL staying NULL. */
static char *colText(sqlite3_stmt *st, int i, int *bad) {
    return dupOr((const char *)sqlite3_column_text(st, i), bad);
}

/* SQLite's failure as a status and a reason: out of memory or unreadable input. */
static msStatus dbFail(sqlite3 *db, int rc, const char *path, const char *what, char *why, size_t whysz) {
    if ((rc & 0xff) == SQLITE_NOMEM) return MS_NOMEM;
    snprintf(why, whysz, "%s: not a migsim results database (%s: %s)", path, what,
             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    return MS_INPUT;
}

static msStatus readRunRow(sqlite3 *db, const char *path, diffRun *d, char *why, size_t whysz) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT scenario, seed, verdict, stranded FROM run", -1, &st, NULL);
    if (rc != SQLITE_OK) return dbFail(db, rc, path, "the run table", why, whysz);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE) {
            snprintf(why, whysz, "%s: not a migsim results database (the run table is empty)", path);
            return MS_INPUT;
        }
        return dbFail(db, rc, path, "the run table", why, whysz);
    }
    const char *scn = (const char *)sqlite3_column_text(st, 0);
    long long seed = sqlite3_column_int64(st, 1);
    int bad = 0;
    size_t n = strlen(path) + (scn ? strlen(scn) : 0) + 48;
    if ((d->label = malloc(n)) != NULL) snprintf(d->label, n, "%s (%s, seed %lld)", path, scn ? scn : "?", seed);
    d->verdict = colText(st, 2, &bad);
    d->stranded = sqlite3_column_int64(st, 3);
    sqlite3_finalize(st);
    return !d->label || bad ? MS_NOMEM : MS_OK;
}

static msStatus readOutcomes(sqlite3 *db, const char *path, diffRun *d, char *why, size_t whysz) {
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc = sqlite3_prepare_v2(db,
        "SELECT user, outcome, extra, dupes, missing, rules_broken FROM outcomes ORDER BY user_no", -1, &st, NULL);
    if (rc != SQLITE_OK) return dbFail(db, rc, path, "the outcomes table", why, whysz);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int bad = 0;
        if (d->nusers == cap && arrayGrow(&d->users, &cap, sizeof *d->users, 16) != MS_OK) {
            sqlite3_finalize(st);
            return MS_NOMEM;
        }
        diffUser *u = &d->users[d->nusers++];
        memset(u, 0, sizeof *u);
        u->name = colText(st, 0, &bad);
        u->outcome = colText(st, 1, &bad);
        /* NULL counters: no mailbox was judged (resultsdb.c). */
        u->counted = sqlite3_column_type(st, 2) != SQLITE_NULL;
        for (int c = 0; c < CTR__COUNT; c++) u->ctr[c] = sqlite3_column_int64(st, 2 + c);
        if (bad) {
            sqlite3_finalize(st);
            return MS_NOMEM;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? MS_OK : dbFail(db, rc, path, "the outcomes table", why, whysz);
}

static msStatus eventRow(sqlite3_stmt *st, diffRun *d, const char *path, char *why, size_t whysz) {
    diffRecord *x;
    int bad = 0;
    if (pushRecord(d, &x) != MS_OK) return MS_NOMEM;
    x->at = sqlite3_column_int64(st, 0);
    x->kind = colText(st, 1, &bad);
    x->actor = colText(st, 2, &bad);
    x->user = colText(st, 3, &bad);
    x->dc = colText(st, 4, &bad);
    x->peer = colText(st, 5, &bad);
    x->server = colText(st, 6, &bad);
    x->mailbox = colText(st, 7, &bad);
    x->object = colText(st, 8, &bad);
    x->run = sqlite3_column_int(st, 9);
    x->text = colText(st, 11, &bad);
    if (bad) return MS_NOMEM;
    if (!x->kind || !x->actor || !x->text) {
        snprintf(why, whysz, "%s: not a migsim results database (event %zu has no kind, actor or detail)", path,
                 d->nrecs);
        return MS_INPUT;
    }
    msStatus s = canonFields((const char *)sqlite3_column_text(st, 10), &x->fields);
    if (s == MS_INPUT)
        snprintf(why, whysz, "%s: not a migsim results database (event %zu: fields is not a JSON object)", path,
                 d->nrecs);
    return s;
}

static msStatus readEvents(sqlite3 *db, const char *path, diffRun *d, char *why, size_t whysz) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db,
        "SELECT time_ms, kind, actor, user, dc, peer, server, mailbox, object, run, fields, detail"
        " FROM events ORDER BY id", -1, &st, NULL);
    if (rc != SQLITE_OK) return dbFail(db, rc, path, "the events table", why, whysz);
    msStatus s = MS_OK;
    while (s == MS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) s = eventRow(st, d, path, why, whysz);
    sqlite3_finalize(st);
    if (s != MS_OK) return s;
    return rc == SQLITE_DONE ? MS_OK : dbFail(db, rc, path, "the events table", why, whysz);
}

msStatus diffRunFromDb(const char *path, diffRun *d, char *why, size_t whysz) {
    memset(d, 0, sizeof *d);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        msStatus s = (rc & 0xff) == SQLITE_NOMEM ? MS_NOMEM : MS_INPUT;
        snprintf(why, whysz, "%s: cannot open the results database: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return s;
    }
    msStatus s = readRunRow(db, path, d, why, whysz);
    if (s == MS_OK) s = readOutcomes(db, path, d, why, whysz);
    if (s == MS_OK) s = readEvents(db, path, d, why, whysz);
    sqlite3_close(db);
    return s;
}

static void freeRecord(diffRecord *x) {
    char *owned[] = {x->kind, x->actor, x->user, x->dc, x->peer, x->server, x->mailbox, x->object, x->fields,
                     x->text};
    for (size_t i = 0; i < sizeof owned / sizeof *owned; i++) free(owned[i]);
}

void diffRunFree(diffRun *d) {
    for (size_t i = 0; i < d->nusers; i++) {
        free(d->users[i].name);
        free(d->users[i].outcome);
    }
    for (size_t i = 0; i < d->nrecs; i++) freeRecord(&d->recs[i]);
    free(d->users);
    free(d->recs);
    free(d->label);
    free(d->verdict);
    memset(d, 0, sizeof *d);
}

/* Two optional strings alike: both absent, or both present and equal. */
static int sameStr(const char *x, const char *y) {
    if (!x || !y) return x == y;
    return strcmp(x, y) == 0;
}

int diffRecordSame(const diffRecord *x, const diffRecord *y) {
    return x->at == y->at && x->run == y->run && sameStr(x->kind, y->kind) && sameStr(x->actor, y->actor) &&
           sameStr(x->user, y->user) && sameStr(x->dc, y->dc) && sameStr(x->peer, y->peer) &&
           sameStr(x->server, y->server) && sameStr(x->mailbox, y->mailbox) && sameStr(x->object, y->object) &&
           sameStr(x->fields, y->fields);
}

static const diffUser *findUser(const diffRun *d, const char *name) {
    for (size_t i = 0; i < d->nusers; i++)
        if (sameStr(d->users[i].name, name)) return &d->users[i];
    return NULL;
}

static int sameUser(const diffUser *x, const diffUser *y) {
    if (!x || !y || !sameStr(x->outcome, y->outcome) || x->counted != y->counted) return 0;
    for (int c = 0; x->counted && c < CTR__COUNT; c++)
        if (x->ctr[c] != y->ctr[c]) return 0;
    return 1;
}

void diffCompare(const diffRun *a, const diffRun *b, diffSummary *s) {
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < a->nusers; i++)
        s->users_differ += !sameUser(&a->users[i], findUser(b, a->users[i].name));
    for (size_t i = 0; i < b->nusers; i++) s->users_differ += findUser(a, b->users[i].name) == NULL;
    s->stranded_differ = a->stranded != b->stranded;
    size_t n = a->nrecs < b->nrecs ? a->nrecs : b->nrecs, i = 0;
    while (i < n && diffRecordSame(&a->recs[i], &b->recs[i])) i++;
    s->at = i;
    s->diverged = i < a->nrecs || i < b->nrecs;
    msAssert(s->at <= a->nrecs && s->at <= b->nrecs);
}

int diffFound(const diffSummary *s) {
    return s->users_differ || s->stranded_differ || s->diverged;
}

/* A counter cell: "N" when both sides agree, "A|B" when they differ, "-" for no counters. */
static void counterCell(const diffUser *x, const diffUser *y, int c, char *buf, size_t n) {
    char xs[24] = "-", ys[24] = "-";
    if (x && x->counted) snprintf(xs, sizeof xs, "%lld", (long long)x->ctr[c]);
    if (y && y->counted) snprintf(ys, sizeof ys, "%lld", (long long)y->ctr[c]);
    if (strcmp(xs, ys) == 0)
        snprintf(buf, n, "%s", xs);
    else
        snprintf(buf, n, "%s|%s", xs, ys);
}

static void userRow(const diffUser *x, const diffUser *y, FILE *f) {
    static const char *const width[CTR__COUNT] = {"%6s", "%6s", "%8s", "%13s"};
    const char *name = x ? x->name : y->name;
    fprintf(f, "%c %-10s %-11s %-11s", sameUser(x, y) ? ' ' : '*', name, x ? x->outcome : "-",
            y ? y->outcome : "-");
    for (int c = 0; c < CTR__COUNT; c++) {
        char cell[64];
        counterCell(x, y, c, cell, sizeof cell);
        fputc(' ', f);
        fprintf(f, width[c], cell);
    }
    fputc('\n', f);
}

static void printOutcomes(const diffRun *a, const diffRun *b, FILE *f) {
    fprintf(f, "\nOutcomes (A | B; a differing row is marked *):\n");
    fprintf(f, "  %-10s %-11s %-11s %6s %6s %8s %13s\n", "user", "outcome A", "outcome B", "extra", "dupes",
            "missing", "rules_broken");
    for (size_t i = 0; i < a->nusers; i++) userRow(&a->users[i], findUser(b, a->users[i].name), f);
    for (size_t i = 0; i < b->nusers; i++)
        if (!findUser(a, b->users[i].name)) userRow(NULL, &b->users[i], f);
    if (a->stranded == b->stranded)
        fprintf(f, "  stranded items: %lld\n", (long long)a->stranded);
    else
        fprintf(f, "* stranded items: %lld | %lld\n", (long long)a->stranded, (long long)b->stranded);
}

/* A record as the narrative shows it, after a two-character mark. */
static void recordLine(const char *mark, const diffRecord *x, FILE *f) {
    char ts[CLOCK_BUFSZ];
    fprintf(f, "%-2s %-13s  %-7s  %s\n", mark, clockFormat(x->at, ts), x->actor, x->text);
}

/* A record's typed parts, the ones compared, on one line under its narrative line. */
static void recordParts(const diffRecord *x, FILE *f) {
    const char *keys[] = {"user", "dc", "peer", "server", "mailbox", "object"};
    const char *vals[] = {x->user, x->dc, x->peer, x->server, x->mailbox, x->object};
    fprintf(f, "%-2s %-13s  kind=%s", "", "", x->kind);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (vals[i]) fprintf(f, " %s=%s", keys[i], vals[i]);
    if (x->run) fprintf(f, " run=%d", x->run);
    fprintf(f, " fields=%s\n", x->fields);
}

static void sideAt(const char *mark, const diffRun *d, size_t at, FILE *f) {
    if (at >= d->nrecs) {
        fprintf(f, "%-2s (the trace ends: %zu records)\n", mark, d->nrecs);
        return;
    }
    recordLine(mark, &d->recs[at], f);
    recordParts(&d->recs[at], f);
}

static void printDivergence(const diffRun *a, const diffRun *b, const diffSummary *s, size_t context, FILE *f) {
    if (!s->diverged) {
        fprintf(f, "\nTrace: identical (%zu records; line numbers ignored)\n", a->nrecs);
        return;
    }
    size_t from = s->at > context ? s->at - context : 0;
    fprintf(f, "\nTrace: the runs diverge at record %zu", s->at + 1);
    fprintf(f, " (%zu in common before it; line numbers ignored):\n", s->at);
    for (size_t i = from; i < s->at; i++) recordLine("", &a->recs[i], f);
    sideAt("A", a, s->at, f);
    sideAt("B", b, s->at, f);
}

int diffPrint(const diffRun *a, const diffRun *b, const diffSummary *s, size_t context, FILE *f) {
    fprintf(f, "A: %s: %s\n", a->label, a->verdict ? a->verdict : "?");
    fprintf(f, "B: %s: %s\n", b->label, b->verdict ? b->verdict : "?");
    printOutcomes(a, b, f);
    printDivergence(a, b, s, context, f);
    if (!diffFound(s)) {
        fprintf(f, "\ndiff: the runs are the same\n");
    } else {
        const char *sep = " ";
        fprintf(f, "\ndiff: the runs differ:");
        if (s->users_differ) {
            fprintf(f, "%sthe outcomes of %zu user%s", sep, s->users_differ, s->users_differ == 1 ? "" : "s");
            sep = ", ";
        }
        if (s->stranded_differ) {
            fprintf(f, "%sthe stranded items", sep);
            sep = ", ";
        }
        if (s->diverged) fprintf(f, "%sthe traces from record %zu", sep, s->at + 1);
        fputc('\n', f);
    }
    return !ferror(f);
}
