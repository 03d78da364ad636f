/*
** The report as a SQLite database (--db).  Schema (docs/results.md):
**
**   run(scenario, seed, migsim_version, end_ms, verdict, exit, failure,
**       failed_step_line, converged, judged_on, stranded)
**   events(id, time_ms, kind, actor, user, dc, peer, server, mailbox,
**          object, run, fields, detail)          the trace, in order
**   expectations(id, line, text, at_ms, passed, actual)
**   outcomes(user_no, user, outcome, extra, dupes, missing, rules_broken, detail)
**                                    counters NULL for an absent user (no mailbox judged)
**   migrator_messages(id, time_ms, direction, type, msg_id, in_reply_to, body)
**                                    a process migrator's JSON Lines, from the
**                                    migrator.message records
**
** The file is built under a temporary name beside the destination and
** renamed into place only when every row is in (atomicfile.h), so an
** interrupted or failed write never leaves a partial database under the
** final name.  Everything goes in one transaction.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/atomicfile.h"
#include "out/report.h"
#include "out/tracejson.h"

static const char schema[] =
    "CREATE TABLE run(scenario TEXT NOT NULL, seed INTEGER NOT NULL, migsim_version TEXT NOT NULL,"
    " end_ms INTEGER NOT NULL, verdict TEXT NOT NULL, exit INTEGER NOT NULL, failure TEXT,"
    " failed_step_line INTEGER, converged INTEGER NOT NULL, judged_on TEXT, stranded INTEGER NOT NULL);"
    "CREATE TABLE events(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    " actor TEXT NOT NULL, user TEXT, dc TEXT, peer TEXT, server TEXT, mailbox TEXT, object TEXT,"
    " run INTEGER, fields TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX events_kind ON events(kind);"
    "CREATE INDEX events_user ON events(user);"
    "CREATE TABLE expectations(id INTEGER PRIMARY KEY, line INTEGER NOT NULL, text TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL, passed INTEGER NOT NULL, actual TEXT NOT NULL);"
    "CREATE TABLE outcomes(user_no INTEGER PRIMARY KEY, user TEXT NOT NULL UNIQUE,"
    " outcome TEXT NOT NULL, extra INTEGER, dupes INTEGER,"
    " missing INTEGER, rules_broken INTEGER, detail TEXT NOT NULL);"
    "CREATE TABLE migrator_messages(id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL,"
    " direction TEXT NOT NULL, type TEXT NOT NULL, msg_id INTEGER, in_reply_to INTEGER, body TEXT NOT NULL);";

/* Run one prepared insert with the bound values; reset it for the next row. */
static int stepReset(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int insertRun(sqlite3 *db, const runResult *r) {
    char why[640];
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO run VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, r->scenario, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->seed);
    sqlite3_bind_text(st, 3, MIGSIM_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, r->end);
    sqlite3_bind_text(st, 5, reportVerdictWord(r), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, msExitCode(r->verdict));
    const char *failure = reportFailure(r, why, sizeof why);
    if (failure) sqlite3_bind_text(st, 7, failure, -1, SQLITE_TRANSIENT);
    if (r->step_failed) sqlite3_bind_int(st, 8, r->fail_line);
    sqlite3_bind_int(st, 9, r->converged);
    if (r->judged_on) sqlite3_bind_text(st, 10, r->judged_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, r->stranded);
    rc = stepReset(st);
    sqlite3_finalize(st);
    return rc;
}

static void bindText(sqlite3_stmt *st, int i, const char *v) {
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static int insertEvents(sqlite3 *db, const runResult *s) {
    sqlite3_stmt *st;
    size_t n;
    const traceRecord *v = traceRecords(&s->tr, &n);
    int rc = sqlite3_prepare_v2(db, "INSERT INTO events VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
    char *fields = NULL;
    size_t fieldsz = 0;
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const traceRecord *e = &v[i];
        char mg[GUID_STRLEN], og[GUID_STRLEN];
        FILE *mf = open_memstream(&fields, &fieldsz);
        if (!mf) {
            rc = SQLITE_NOMEM;
            break;
        }
        traceJsonFields(e, mf);
        if (fclose(mf) != 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_int64(st, 2, e->at);
        bindText(st, 3, traceKindName(e->kind));
        bindText(st, 4, e->actor);
        bindText(st, 5, e->user);
        bindText(st, 6, e->dc);
        bindText(st, 7, e->peer);
        bindText(st, 8, e->server);
        bindText(st, 9, e->has_mailbox ? guidFormat(&e->mailbox, mg) : NULL);
        bindText(st, 10, e->has_object ? guidFormat(&e->object, og) : NULL);
        if (e->run) sqlite3_bind_int(st, 11, e->run);
        bindText(st, 12, fields);
        bindText(st, 13, e->text);
        rc = stepReset(st);
        free(fields);
        fields = NULL;
    }
    free(fields);
    sqlite3_finalize(st);
    return rc;
}

static int insertExpectations(sqlite3 *db, const runResult *s) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO expectations VALUES(?,?,?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < s->nexpects; i++) {
        const expectResult *e = &s->expects[i];
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_int(st, 2, e->line);
        sqlite3_bind_text(st, 3, e->text, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, e->at);
        sqlite3_bind_int(st, 5, e->passed);
        sqlite3_bind_text(st, 6, e->actual, -1, SQLITE_STATIC);
        rc = stepReset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insertOutcomes(sqlite3 *db, const runResult *r) {
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO outcomes VALUES(?,?,?,?,?,?,?,?)", -1, &st, NULL);
    for (uint32_t i = 0; rc == SQLITE_OK && i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        const char *name = r->user_names[i];
        sqlite3_bind_int64(st, 1, v->user);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, outcomeName(v->out), -1, SQLITE_STATIC);
        /* No mailbox judged (absent): the counters stay NULL. */
        for (int c = 0; v->counted && c < CTR__COUNT; c++) sqlite3_bind_int64(st, 4 + c, v->counters[c]);
        sqlite3_bind_text(st, 8, v->detail, -1, SQLITE_STATIC);
        rc = stepReset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static void bindField(sqlite3_stmt *st, int i, const traceRecord *e, const char *key) {
    const traceField *f = traceFieldOf(e, key);
    if (f && f->type == TF_STR) sqlite3_bind_text(st, i, f->s, -1, SQLITE_STATIC);
    if (f && f->type == TF_INT) sqlite3_bind_int64(st, i, f->i);
}

/* The migrator.message records, one row each, numbered in order. */
static int insertMessages(sqlite3 *db, const runResult *s) {
    sqlite3_stmt *st;
    size_t n;
    sqlite3_int64 id = 0;
    const traceRecord *v = traceRecords(&s->tr, &n);
    int rc = sqlite3_prepare_v2(db, "INSERT INTO migrator_messages VALUES(?,?,?,?,?,?,?)", -1, &st, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const traceRecord *e = &v[i];
        if (e->kind != TR_MIG_MESSAGE) continue;
        sqlite3_bind_int64(st, 1, ++id);
        sqlite3_bind_int64(st, 2, e->at);
        bindField(st, 3, e, "direction");
        bindField(st, 4, e, "type");
        bindField(st, 5, e, "msg_id");
        bindField(st, 6, e, "in_reply_to");
        bindField(st, 7, e, "body");
        rc = stepReset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int fillDb(sqlite3 *db, const runResult *r) {
    int rc = sqlite3_exec(db, "PRAGMA journal_mode=OFF; BEGIN;", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, schema, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = insertRun(db, r);
    if (rc == SQLITE_OK) rc = insertEvents(db, r);
    if (rc == SQLITE_OK) rc = insertExpectations(db, r);
    if (rc == SQLITE_OK) rc = insertOutcomes(db, r);
    if (rc == SQLITE_OK) rc = insertMessages(db, r);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL);
    return rc;
}

msStatus reportWriteDb(const runResult *r, const outTarget *t, char *why, size_t whysz) {
    const char *path = t->path;
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 0, why, whysz);
    if (st != MS_OK) return st;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(af.tmp, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) rc = fillDb(db, r);
    if (rc != SQLITE_OK) {
        /* SQLite out of memory is the one out-of-memory error (docs/architecture.md, "Errors"). */
        int nomem = (rc & 0xff) == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM;
        snprintf(why, whysz, "%s: cannot write the results database: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        atomicAbort(&af);
        return nomem ? MS_NOMEM : MS_IO;
    }
    if (sqlite3_close(db) != SQLITE_OK) {
        snprintf(why, whysz, "%s: cannot close the results database", path);
        atomicAbort(&af);
        return MS_IO;
    }
    return atomicCommit(&af, why, whysz);
}
