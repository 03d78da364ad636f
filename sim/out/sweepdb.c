/*
** The sweep database (--db of `sweep`, the shards `merge` reads and the
** file it writes).  Schema (docs/sweeps.md):
**
**   sweep(key, value)      what was swept: format, migsim_version, scenario,
**                          seeds, set, migrator, bad, combinations, runs,
**                          and shard (K/N) on a shard only
**   vary(position, value_index, name, kind, value, x)
**   runs(combo, seed, cloned, merged, ghost, duplicate, absent, partial,
**        unmigrated, stranded, expectations, passed, step_failed, bad)
**   summary(combo, runs, <outcomes>, stranded_runs, bad, bad_share,
**           bad_lo, bad_hi, passed, pass_rate)
**
** Equal sweeps must give equal files, byte for byte, however they were
** computed (one process, N workers, N shards merged): so the file holds no
** time, host or path of its own; every table is created by the same
** statements in the same order and filled in the same key order (runs by
** combination then seed) in one transaction with no journal.  SQLite then
** lays out the same pages.  The file is built under a temporary name and
** renamed into place when complete (atomicfile.h).
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/sweep.h"

static const char schema[] =
    "CREATE TABLE sweep(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE vary(position INTEGER NOT NULL, value_index INTEGER NOT NULL, name TEXT NOT NULL,"
    " kind TEXT NOT NULL, value TEXT NOT NULL, x REAL NOT NULL, PRIMARY KEY(position, value_index)) WITHOUT ROWID;"
    "CREATE TABLE runs(combo INTEGER NOT NULL, seed INTEGER NOT NULL, cloned INTEGER NOT NULL,"
    " merged INTEGER NOT NULL, ghost INTEGER NOT NULL, duplicate INTEGER NOT NULL, absent INTEGER NOT NULL,"
    " partial INTEGER NOT NULL, unmigrated INTEGER NOT NULL, stranded INTEGER NOT NULL,"
    " expectations INTEGER NOT NULL, passed INTEGER NOT NULL, step_failed INTEGER NOT NULL,"
    " bad INTEGER NOT NULL, PRIMARY KEY(combo, seed)) WITHOUT ROWID;"
    "CREATE TABLE summary(combo INTEGER PRIMARY KEY, runs INTEGER NOT NULL, cloned INTEGER NOT NULL,"
    " merged INTEGER NOT NULL, ghost INTEGER NOT NULL, duplicate INTEGER NOT NULL, absent INTEGER NOT NULL,"
    " partial INTEGER NOT NULL, unmigrated INTEGER NOT NULL, stranded_runs INTEGER NOT NULL,"
    " bad INTEGER NOT NULL, bad_share REAL NOT NULL, bad_lo REAL NOT NULL, bad_hi REAL NOT NULL,"
    " passed INTEGER NOT NULL, pass_rate REAL NOT NULL);";

static const char *const kindNames[] = {"words", "numbers", "durations"};

static int stepReset(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int putMeta(sqlite3_stmt *st, const char *key, const char *value) {
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    return stepReset(st);
}

static int insertMeta(sqlite3 *db, const sweepSpec *spec) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO sweep VALUES(?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    char seeds[64], combos[32], runs[32], shard[32];
    snprintf(seeds, sizeof seeds, "%llu..%llu", (unsigned long long)spec->seed_lo,
             (unsigned long long)spec->seed_hi);
    snprintf(combos, sizeof combos, "%llu", (unsigned long long)spec->ncombos);
    snprintf(runs, sizeof runs, "%llu", (unsigned long long)sweepTotal(spec));
    snprintf(shard, sizeof shard, "%u/%u", spec->shard_k, spec->shard_n);
    const char *kv[][2] = {
        {"format", SWEEP_FORMAT}, {"migsim_version", MIGSIM_VERSION}, {"scenario", spec->scenario},
        {"seeds", seeds}, {"set", spec->sets}, {"migrator", spec->migrator}, {"bad", spec->bad},
        {"combinations", combos}, {"runs", runs}, {"shard", spec->shard_n ? shard : NULL},
    };
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof kv / sizeof kv[0]; i++)
        if (kv[i][1]) rc = putMeta(st, kv[i][0], kv[i][1]);
    sqlite3_finalize(st);
    return rc;
}

static int insertVary(sqlite3 *db, const sweepSpec *spec) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO vary VALUES(?,?,?,?,?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    for (size_t v = 0; rc == SQLITE_OK && v < spec->nvary; v++) {
        const sweepVary *y = &spec->vary[v];
        for (size_t i = 0; rc == SQLITE_OK && i < y->n; i++) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)v);
            sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
            sqlite3_bind_text(st, 3, y->name, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, kindNames[y->kind], -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 5, y->values[i], -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 6, y->x[i]);
            rc = stepReset(st);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static int insertRuns(sqlite3 *db, const sweepRun *runs, size_t n) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO runs VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const sweepRun *r = &runs[i];
        int k = 1;
        sqlite3_bind_int64(st, k++, (sqlite3_int64)r->combo);
        sqlite3_bind_int64(st, k++, (sqlite3_int64)r->seed);
        for (int o = 0; o < OUT__COUNT; o++) sqlite3_bind_int64(st, k++, r->count[o]);
        sqlite3_bind_int64(st, k++, r->stranded);
        sqlite3_bind_int64(st, k++, r->nexpects);
        sqlite3_bind_int64(st, k++, r->npassed);
        sqlite3_bind_int(st, k++, r->step_failed);
        sqlite3_bind_int(st, k++, r->bad);
        rc = stepReset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insertSummary(sqlite3 *db, const sweepSpec *spec, const sweepAgg *agg) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO summary VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    for (uint64_t c = 0; rc == SQLITE_OK && c < spec->ncombos; c++) {
        const sweepAgg *a = &agg[c];
        int k = 1;
        sqlite3_bind_int64(st, k++, (sqlite3_int64)c);
        sqlite3_bind_int64(st, k++, (sqlite3_int64)a->runs);
        for (int o = 0; o < OUT__COUNT; o++) sqlite3_bind_int64(st, k++, (sqlite3_int64)a->count[o]);
        sqlite3_bind_int64(st, k++, (sqlite3_int64)a->stranded_runs);
        sqlite3_bind_int64(st, k++, (sqlite3_int64)a->bad);
        sqlite3_bind_double(st, k++, a->share);
        sqlite3_bind_double(st, k++, a->lo);
        sqlite3_bind_double(st, k++, a->hi);
        sqlite3_bind_int64(st, k++, (sqlite3_int64)a->passed);
        sqlite3_bind_double(st, k++, a->runs ? (double)a->passed / (double)a->runs : 0.0);
        rc = stepReset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int fillDb(sqlite3 *db, const sweepSpec *spec, const sweepRun *runs, size_t n, const sweepAgg *agg) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode=OFF; BEGIN;", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, schema, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = insertMeta(db, spec);
    if (rc == SQLITE_OK) rc = insertVary(db, spec);
    if (rc == SQLITE_OK) rc = insertRuns(db, runs, n);
    if (rc == SQLITE_OK) rc = insertSummary(db, spec, agg);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL);
    return rc;
}

static int isNoMem(int rc) {
    return (rc & 0xff) == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM;
}

msStatus sweepWriteDb(const sweepSpec *spec, const sweepRun *runs, size_t n, const sweepAgg *agg,
                      const outTarget *t, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 0, why, whysz);
    if (st != MS_OK) return st;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(af.tmp, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) rc = fillDb(db, spec, runs, n, agg);
    if (rc != SQLITE_OK) {
        snprintf(why, whysz, "%s: cannot write the sweep database: %s", t->path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        atomicAbort(&af);
        return isNoMem(rc) ? MS_NOMEM : MS_IO;
    }
    if (sqlite3_close(db) != SQLITE_OK) {
        snprintf(why, whysz, "%s: cannot close the sweep database", t->path);
        atomicAbort(&af);
        return MS_IO;
    }
    return atomicCommit(&af, why, whysz);
}

/* ---------------------------------------------------------------- reading */

static char *dupText(const unsigned char *s) {
    return strdup(s ? (const char *)s : "");
}

static int parseU64(const char *s, uint64_t *v) {
    char *end;
    if (!*s || *s < '0' || *s > '9') return -1;
    unsigned long long x = strtoull(s, &end, 10);
    *v = x;
    return *end ? -1 : 0;
}

/* The meta rows into spec; returns MS_OK or MS_INPUT with why. */
static msStatus readMeta(sqlite3 *db, const char *path, sweepSpec *spec, char *why, size_t whysz) {
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM sweep ORDER BY key", -1, &st, NULL) != SQLITE_OK) {
        snprintf(why, whysz, "%s: not a sweep database (%s)", path, sqlite3_errmsg(db));
        return MS_INPUT;
    }
    int format = 0, bad = 0;
    msStatus ms = MS_OK;
    while (ms == MS_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v) continue;
        char **slot = NULL;
        if (strcmp(k, "format") == 0) format = strcmp(v, SWEEP_FORMAT) == 0;
        else if (strcmp(k, "scenario") == 0) slot = &spec->scenario;
        else if (strcmp(k, "set") == 0) slot = &spec->sets;
        else if (strcmp(k, "migrator") == 0) slot = &spec->migrator;
        else if (strcmp(k, "bad") == 0) slot = &spec->bad;
        else if (strcmp(k, "combinations") == 0) bad |= parseU64(v, &spec->ncombos);
        else if (strcmp(k, "seeds") == 0) {
            const char *dots = strstr(v, "..");
            char lo[32];
            if (!dots || (size_t)(dots - v) >= sizeof lo) bad = 1;
            else {
                memcpy(lo, v, (size_t)(dots - v));
                lo[dots - v] = '\0';
                bad |= parseU64(lo, &spec->seed_lo) | parseU64(dots + 2, &spec->seed_hi);
            }
        } else if (strcmp(k, "shard") == 0) {
            unsigned a, b;
            char extra;
            if (sscanf(v, "%u/%u%c", &a, &b, &extra) != 2) bad = 1;
            spec->shard_k = a;
            spec->shard_n = b;
        }
        if (slot && !(*slot = strdup(v))) ms = MS_NOMEM;
    }
    sqlite3_finalize(st);
    if (ms != MS_OK) return ms;
    if (!format || bad || !spec->scenario || !spec->bad || !spec->sets || !spec->migrator || !spec->ncombos) {
        snprintf(why, whysz, "%s: not a sweep database of this version (format %s)", path, SWEEP_FORMAT);
        return MS_INPUT;
    }
    char rwhy[160];
    if (sweepBadParse(spec->bad, &spec->rule, rwhy, sizeof rwhy) != 0) {
        snprintf(why, whysz, "%s: bad rule: %s", path, rwhy);
        return MS_INPUT;
    }
    return MS_OK;
}

static msStatus readVary(sqlite3 *db, const char *path, sweepSpec *spec, char *why, size_t whysz) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT position, value_index, name, kind, value, x FROM vary "
                                "ORDER BY position, value_index", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, whysz, "%s: not a sweep database (%s)", path, sqlite3_errmsg(db));
        return MS_INPUT;
    }
    msStatus ms = MS_OK;
    while (ms == MS_OK && sqlite3_step(st) == SQLITE_ROW) {
        size_t pos = (size_t)sqlite3_column_int64(st, 0), idx = (size_t)sqlite3_column_int64(st, 1);
        if (pos == spec->nvary) {
            sweepVary *nv = realloc(spec->vary, (spec->nvary + 1) * sizeof *nv);
            if (!nv) { ms = MS_NOMEM; break; }
            spec->vary = nv;
            memset(&nv[spec->nvary], 0, sizeof *nv);
            if (!(nv[spec->nvary].name = dupText(sqlite3_column_text(st, 2)))) { ms = MS_NOMEM; break; }
            const char *kind = (const char *)sqlite3_column_text(st, 3);
            for (int k = 0; k < 3; k++)
                if (kind && strcmp(kind, kindNames[k]) == 0) nv[spec->nvary].kind = k;
            spec->nvary++;
        }
        sweepVary *y = &spec->vary[spec->nvary - 1];
        if (pos + 1 != spec->nvary || idx != y->n) {
            snprintf(why, whysz, "%s: the vary table is not a sequence", path);
            ms = MS_INPUT;
            break;
        }
        char **nvals = realloc(y->values, (y->n + 1) * sizeof *nvals);
        if (nvals) y->values = nvals;
        double *nx = realloc(y->x, (y->n + 1) * sizeof *nx);
        if (nx) y->x = nx;
        if (!nvals || !nx || !(y->values[y->n] = dupText(sqlite3_column_text(st, 4)))) { ms = MS_NOMEM; break; }
        y->x[y->n++] = sqlite3_column_double(st, 5);
    }
    sqlite3_finalize(st);
    uint64_t combos = 1;
    for (size_t v = 0; ms == MS_OK && v < spec->nvary; v++) combos *= spec->vary[v].n;
    if (ms == MS_OK && combos != spec->ncombos) {
        snprintf(why, whysz, "%s: %llu combinations, but the vary table makes %llu", path,
                 (unsigned long long)spec->ncombos, (unsigned long long)combos);
        ms = MS_INPUT;
    }
    return ms;
}

static msStatus readRuns(sqlite3 *db, const char *path, const sweepSpec *spec, sweepRun **runs, size_t *n,
                         char *why, size_t whysz) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT * FROM runs ORDER BY combo, seed", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, whysz, "%s: not a sweep database (%s)", path, sqlite3_errmsg(db));
        return MS_INPUT;
    }
    size_t cap = 0;
    msStatus ms = MS_OK;
    while (ms == MS_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 1024;
            sweepRun *g = realloc(*runs, cap * sizeof *g);
            if (!g) { ms = MS_NOMEM; break; }
            *runs = g;
        }
        sweepRun *r = &(*runs)[*n];
        memset(r, 0, sizeof *r);
        int k = 0;
        r->combo = (uint64_t)sqlite3_column_int64(st, k++);
        r->seed = (uint64_t)sqlite3_column_int64(st, k++);
        for (int o = 0; o < OUT__COUNT; o++) r->count[o] = (uint32_t)sqlite3_column_int64(st, k++);
        r->stranded = sqlite3_column_int64(st, k++);
        r->nexpects = (uint32_t)sqlite3_column_int64(st, k++);
        r->npassed = (uint32_t)sqlite3_column_int64(st, k++);
        r->step_failed = (uint8_t)sqlite3_column_int(st, k++);
        r->bad = (uint8_t)sqlite3_column_int(st, k++);
        if (r->combo >= spec->ncombos || r->seed < spec->seed_lo || r->seed > spec->seed_hi) {
            snprintf(why, whysz, "%s: a run outside the sweep (combination %llu, seed %llu)", path,
                     (unsigned long long)r->combo, (unsigned long long)r->seed);
            ms = MS_INPUT;
        }
        (*n)++;
    }
    sqlite3_finalize(st);
    return ms;
}

msStatus sweepReadDb(const char *path, sweepSpec *spec, sweepRun **runs, size_t *n, char *why, size_t whysz) {
    memset(spec, 0, sizeof *spec);
    *runs = NULL;
    *n = 0;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        snprintf(why, whysz, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return isNoMem(rc) ? MS_NOMEM : MS_INPUT;
    }
    msStatus ms = readMeta(db, path, spec, why, whysz);
    if (ms == MS_OK) ms = readVary(db, path, spec, why, whysz);
    if (ms == MS_OK) ms = readRuns(db, path, spec, runs, n, why, whysz);
    sqlite3_close(db);
    if (ms == MS_NOMEM) snprintf(why, whysz, "out of memory");
    return ms;
}
