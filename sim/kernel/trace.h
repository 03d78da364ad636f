/*
** The trace: the one record of what happened in a run.  Every narrative line,
** every row of the results database's events table, every line of --trace
** and every mark of a picture is rendered from a trace record; nothing reads
** the narrative's prose back.
**
** A record has a virtual time, a kind (traceKind: each documented in the
** kind table of trace.c and in docs/results.md), an actor (the one word of
** the narrative's second column), typed subjects (the source user, the DC, a
** peer DC, the server, the migration run, a mailbox GUID, an object GUID:
** each absent unless set) and up to TRACE_MAXFIELDS named fields, each an
** integer, a string or a GUID.  Its text is the narrative line's message,
** formatted once at emission from the same values.
**
** Records are built on the stack by the code that observes the event
** (traceNew, then the subjects, then traceInt/traceStr/traceGuid) and handed
** to traceEmit, which copies every string into the trace's own storage, so
** the caller's buffers may die at once.  A kind is narrated or quiet: a
** quiet record (a replication pull's start, say) is in the trace, the
** database and --trace, but prints no narrative line.
**
** Invariants: records are kept in emission order, which is time order (the
** kernel's clock never goes back); a stored string stays at its address for
** the trace's whole life (storage grows by whole new chunks, never by
** moving one).
*/
#ifndef MIGSIM_TRACE_H
#define MIGSIM_TRACE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "kernel/clock.h"
#include "kernel/guid.h"
#include "kernel/status.h"

/* The kinds of record; trace.c's table gives each its name and meaning. */
typedef enum traceKind {
    /* the runner */
    TR_STEP, TR_STEP_FAIL, TR_EXPECT_PASS, TR_EXPECT_FAIL,
    /* the directory */
    TR_REPL_PULL_START, TR_REPL_PULL, TR_REPL_PULL_EMPTY, TR_REPL_PULL_FORCED, TR_REPL_LOST, TR_REPL_NOTIFY,
    TR_REPL_NOTIFY_URGENT, TR_REPL_URGENT, TR_REPL_GC, TR_REPL_SYNC_ROUND, TR_REPL_SYNC_DONE,
    TR_REPL_CONFLICT, TR_REPL_ORPHAN, TR_DC_FAIL, TR_DC_RESTORE, TR_DC_NOTIFY_DROPPED,
    TR_DC_PERIODIC_SKIPPED, TR_LINK_FAIL, TR_LINK_RESTORE,
    /* the Exchange side */
    TR_SMTP_DELIVER, TR_SMTP_NDR, TR_STORE_INIT, TR_LOGON, TR_LOGON_FAIL, TR_RUS_STAMP,
    TR_STORE_DISCONNECT, TR_STORE_CLEANUP, TR_STORE_PURGE,
    TR_ADMIN_DELETE, TR_ADMIN_DELETE_FAIL, TR_ADMIN_DELETE_ALREADY, TR_ADMIN_DELETE_MISSING,
    TR_ADMIN_DELETE_NONE, TR_ADMIN_CLEANUP, TR_ADMIN_PURGE, TR_ADMIN_PURGE_NONE, TR_ADMIN_EXPORT,
    TR_ADMIN_IMPORT, TR_ADMIN_IMPORT_NONE,
    /* the migration */
    TR_WIZ_START, TR_WIZ_ACCOUNT_MATCH, TR_WIZ_ACCOUNT_CREATE, TR_WIZ_ACCOUNT_ERROR,
    TR_WIZ_STAGE2, TR_WIZ_13003, TR_WIZ_LOGON_RETRY, TR_WIZ_SKIP, TR_WIZ_CLONE, TR_WIZ_MERGE,
    TR_WIZ_MERGE_FOLDERS, TR_WIZ_MERGE_RULES, TR_WIZ_ERROR, TR_WIZ_PASS_DONE, TR_WIZ_CANCEL,
    TR_WIZ_WAIT_REACHED, TR_WIZ_DONE, TR_WIZ_LOG, TR_WIZ_LOG_MAILBOX, TR_WIZ_STATUS, TR_WIZ_ACTIVE,
    TR_MIG_OP, TR_MIG_LOG, TR_MIG_MESSAGE, TR_MIG_CANCEL, TR_MIG_ACTIVE,
    /* the built-in strategies (model/migration/refuse.c, waitrerun.c, resume.c) */
    TR_REFUSE_INITIALIZED, TR_WAIT_START, TR_WAIT_POLL, TR_WAIT_DONE, TR_WAIT_CANCEL,
    TR_RESUME_FORGET, TR_RESUME_SKIP, TR_RESUME_CONTINUE, TR_RESUME_REPLACE, TR_RESUME_MOVE,
    TR_RESUME_PASS_DONE, TR_RESUME_CANCEL, TR_RESUME_DONE, TR_RESUME_UNAVAILABLE, TR_RESUME_FAIL,
    TR__COUNT
} traceKind;

#define TRACE_MAXFIELDS 8

typedef enum traceFieldType { TF_INT, TF_STR, TF_GUID } traceFieldType;

/* One named field: key is a static string ("objects"), or copied (traceRecord.copy_keys). */
typedef struct traceField {
    const char *key;
    traceFieldType type;
    int64_t i;               /* TF_INT */
    const char *s;           /* TF_STR */
    guid g;                  /* TF_GUID */
} traceField;

typedef struct traceRecord {
    simtime at;              /* set by traceEmit */
    traceKind kind;
    const char *actor;
    /* Subjects: NULL / 0 when absent. */
    const char *user;        /* source user name */
    const char *dc;          /* the DC it happened on or through */
    const char *peer;        /* the other DC (a pull's source, a notified partner) */
    const char *server;      /* Exchange server */
    int run;                 /* migration run number, from 1 */
    int has_mailbox, has_object;
    guid mailbox;            /* a mailbox GUID (msExchMailboxGuid) */
    guid object;             /* a directory object's GUID */
    size_t nfields;
    traceField f[TRACE_MAXFIELDS];
    const char *text;        /* the narrative message; set by traceEmit */
    /*
    ** 1 when the field keys are not static strings (a plugin's, which
    ** unloads before the run's records die): the trace copies them too.
    */
    int copy_keys;
} traceRecord;

typedef struct traceChunk traceChunk;

/*
** A narrative printer of the caller's own: called with each narrated record
** as it happens (text set; the record's strings live only for the call), in
** place of the default line on `narrative`.  The runner's outputs use one to
** filter the narrative or shorten its names (sim/out/narrative.h).
*/
typedef void traceNarrator(void *ctx, const traceRecord *r);

typedef struct trace {
    FILE *narrative;         /* narrated records as lines as they happen; NULL: none */
    traceNarrator *narrator; /* when set, narrated records go to it instead of narrative */
    void *narrator_ctx;
    int record;              /* keep records (traceRecords) */
    traceRecord *v;
    size_t n, cap;
    traceChunk *chunks;      /* string storage */
    simtime last_at;         /* time of the latest record: the next may not be earlier */
} trace;

/* Make t an empty trace printing to narrative (NULL: nowhere), keeping records when record is 1. */
void traceInit(trace *t, FILE *narrative, int record);

/* Release everything t owns. */
void traceFree(trace *t);

/* Send t's narrated records to fn(ctx, record) instead of its narrative FILE (fn NULL: back to it). */
void traceSetNarrator(trace *t, traceNarrator *fn, void *ctx);

/*
** Keep a copy of r (an already emitted record, say one of another trace's)
** at the end of t, its strings copied into t's storage; t must be recording.
** Nothing is printed.  MS_NOMEM when the copy could not be kept.
*/
msStatus traceAppend(trace *t, const traceRecord *r);

/* 1 when records go anywhere (printed or kept): callers skip costly work otherwise. */
int traceOn(const trace *t);

/* A record of kind by actor, with no subjects and no fields yet. */
traceRecord traceNew(traceKind kind, const char *actor);

/* Add a field to r (ignored past TRACE_MAXFIELDS: a programming error, checked by NEVER). */
void traceInt(traceRecord *r, const char *key, int64_t v);
void traceStr(traceRecord *r, const char *key, const char *v);
void traceGuid(traceRecord *r, const char *key, const guid *g);

/* Set r's mailbox or object subject. */
void traceMailbox(traceRecord *r, const guid *g);
void traceObject(traceRecord *r, const guid *g);

/*
** Emit r at time `at` with its message formatted from fmt: print it as a
** narrative line "TIME  ACTOR  message" when the kind is narrated, and keep
** a copy when recording.  Returns MS_NOMEM when the copy could not be kept
** (the line was still printed).
*/
msStatus traceEmit(trace *t, simtime at, traceRecord *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
msStatus traceEmitV(trace *t, simtime at, traceRecord *r, const char *fmt, va_list ap);

/* Write one narrative line to f: the stamp of at padded to 13 columns, two
** spaces, actor ("?" if NULL) padded to 7, two spaces, text, a newline. */
void traceWriteLine(FILE *f, simtime at, const char *actor, const char *text);

/*
** Make dst a recording trace (printing nowhere) holding copies of src's
** records and their strings, independent of src.  On MS_NOMEM dst holds what
** was copied so far; free it with traceFree either way.
*/
msStatus traceCopy(trace *dst, const trace *src);

/* The kept records, in emission order. */
const traceRecord *traceRecords(const trace *t, size_t *n);

/* The kind's name ("repl.pull"), its one-line meaning, and whether it is narrated. */
const char *traceKindName(traceKind k);
const char *traceKindDoc(traceKind k);
int traceKindNarrated(traceKind k);

/* The field named key of r, or NULL. */
const traceField *traceFieldOf(const traceRecord *r, const char *key);

#endif
