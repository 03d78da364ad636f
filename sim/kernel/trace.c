/*
** The trace (trace.h): records kept in emission order, their strings in
** chunks that never move, and the table of kinds.
**
** The kind table is the trace's schema: each kind's name (dotted, stable:
** the results database and --trace carry it), whether it is narrated, and
** what it means.  docs/results.md lists the same kinds, and test_trace
** checks that every kind is documented there.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/trace.h"

typedef struct kindInfo {
    const char *name;
    int narrated;
    const char *doc;
} kindInfo;

static const kindInfo kinds[TR__COUNT] = {
    [TR_STEP] = {"step", 1, "a scenario step starts (fields line, statement)"},
    [TR_STEP_FAIL] = {"step.fail", 1, "a step failed and the run stopped (fields line, why)"},
    [TR_EXPECT_PASS] = {"expect.pass", 1, "an expectation held (fields line, statement)"},
    [TR_EXPECT_FAIL] = {"expect.fail", 1, "an expectation failed (fields line, statement, found)"},
    [TR_REPL_PULL_START] = {"repl.pull.start", 0,
        "a replication pull starts: dc pulls from peer what peer holds now (fields why, usn_from, usn_to); "
        "quiet, its application is repl.pull"},
    [TR_REPL_PULL] = {"repl.pull", 1,
        "a pull is applied on dc, latency after it started (fields why, objects, attributes, usn_from, usn_to; "
        "lost when a conflict renamed or moved objects)"},
    [TR_REPL_PULL_EMPTY] = {"repl.pull.empty", 0,
        "a scheduled or site-link pull applied on dc found nothing new (quiet: the norm, not news)"},
    [TR_REPL_PULL_FORCED] = {"repl.pull.forced", 1,
        "a forced pull (sync) applied on dc from peer (fields objects, attributes, usn_from, usn_to)"},
    [TR_REPL_LOST] = {"repl.lost", 1, "a pull in flight into a failed DC is dropped"},
    [TR_REPL_NOTIFY] = {"repl.notify", 1, "dc notifies partner peer of changes (field answered: 0 when peer is failed)"},
    [TR_REPL_NOTIFY_URGENT] = {"repl.notify.urgent", 1, "dc notifies partner peer at once (urgent replication)"},
    [TR_REPL_URGENT] = {"repl.urgent", 1, "an urgent attribute (userAccountControl) changed on dc"},
    [TR_REPL_GC] = {"repl.gc", 1, "garbage collection removed tombstones on dc (field removed)"},
    [TR_REPL_SYNC_ROUND] = {"repl.sync.round", 1, "a round of forced pulls (fields round, pulls)"},
    [TR_REPL_SYNC_DONE] = {"repl.sync.done", 1, "sync finished (field rounds)"},
    [TR_REPL_CONFLICT] = {"repl.conflict", 1, "a name conflict on dc renamed the object to its CNF name (field dn)"},
    [TR_REPL_ORPHAN] = {"repl.orphan", 1, "an object whose parent is gone moved to LostAndFound on dc (field dn)"},
    [TR_DC_FAIL] = {"dc.fail", 1, "dc failed: it neither sends nor receives"},
    [TR_DC_RESTORE] = {"dc.restore", 1, "dc restored: it catches up at its next trigger"},
    [TR_DC_NOTIFY_DROPPED] = {"dc.notify.dropped", 1, "a failed dc dropped its armed notification to peer"},
    [TR_DC_PERIODIC_SKIPPED] = {"dc.periodic.skipped", 1, "a failed dc skipped its periodic run (fields what, from: the DCs it would have pulled from, if any; peer when one)"},
    [TR_LINK_FAIL] = {"link.fail", 1, "a site link failed (fields a, b)"},
    [TR_LINK_RESTORE] = {"link.restore", 1, "a site link was restored (fields a, b)"},
    [TR_SMTP_DELIVER] = {"smtp.deliver", 1,
        "mail for user resolved on GC dc and delivered to mailbox on server (fields count, address, dn)"},
    [TR_SMTP_NDR] = {"smtp.ndr", 1, "mail for user bounced (fields count, address, code, reason)"},
    [TR_STORE_INIT] = {"store.init", 1,
        "server's store created (initialized) mailbox for user with default folders (field by: delivery or logon)"},
    [TR_LOGON] = {"logon", 1, "user logged on to mailbox on server"},
    [TR_LOGON_FAIL] = {"logon.fail", 1, "user's logon failed (field reason)"},
    [TR_RUS_STAMP] = {"rus.stamp", 1, "server's RUS stamped object on dc with its primary address (fields address, dn)"},
    [TR_STORE_DISCONNECT] = {"store.disconnect", 1,
        "the Cleanup Agent of server, reading dc, disconnected mailbox (no live account carries it)"},
    [TR_STORE_CLEANUP] = {"store.cleanup", 1, "the Cleanup Agent of server found nothing to disconnect"},
    [TR_STORE_PURGE] = {"store.purge", 1, "server purged mailbox after the retention period (field items)"},
    [TR_ADMIN_DELETE] = {"admin.delete", 1, "the administrator deleted user's account object on dc (field dn)"},
    [TR_ADMIN_DELETE_FAIL] = {"admin.delete.fail", 1, "the administrator could not delete object on dc"},
    [TR_ADMIN_DELETE_ALREADY] = {"admin.delete.already", 1, "object is already deleted on dc"},
    [TR_ADMIN_DELETE_MISSING] = {"admin.delete.missing", 1,
        "object is not on the admin's dc (not replicated yet): nothing deleted"},
    [TR_ADMIN_DELETE_NONE] = {"admin.delete.none", 1, "no account of user to delete on dc"},
    [TR_ADMIN_CLEANUP] = {"admin.cleanup", 1, "a cleanup found no account the migrator created"},
    [TR_ADMIN_PURGE] = {"admin.purge", 1,
        "the administrator purged user's disconnected mailbox on server now, as ESM's Purge does (fields items, disconnected_at)"},
    [TR_ADMIN_PURGE_NONE] = {"admin.purge.none", 1, "a purge found no disconnected mailbox to purge (field scope)"},
    [TR_ADMIN_EXPORT] = {"admin.export", 1,
        "the administrator exported user's items that are not copies of source items into the holding area, "
        "ExMerge-style (fields items, mailboxes, held)"},
    [TR_ADMIN_IMPORT] = {"admin.import", 1,
        "the administrator imported user's held items into user's current mailbox on server (fields items, skipped)"},
    [TR_ADMIN_IMPORT_NONE] = {"admin.import.none", 1,
        "an import found no current mailbox of user to import into (field reason)"},
    [TR_WIZ_START] = {"wizard.start", 1, "a migration run starts (fields users, protect)"},
    [TR_WIZ_ACCOUNT_MATCH] = {"wizard.account.match", 1,
        "stage 1 matched user's source address to object on dc (fields by, filled, candidates, dn)"},
    [TR_WIZ_ACCOUNT_CREATE] = {"wizard.account.create", 1, "stage 1 created a disabled account object for user on dc (field dn)"},
    [TR_WIZ_ACCOUNT_ERROR] = {"wizard.account.error", 1, "stage 1 could not match or create user's account (field reason)"},
    [TR_WIZ_STAGE2] = {"wizard.stage2", 1, "stage 2 starts: mailbox data to server, logons checked on dc"},
    [TR_WIZ_13003] = {"wizard.13003", 1,
        "event 13003: the store on server finds no live account carrying mailbox on dc, or cannot reach dc (field cause: dc failed); retries follow, the last at last_attempt_at (ms)"},
    [TR_WIZ_LOGON_RETRY] = {"wizard.logon.retry", 1, "a retried logon to mailbox succeeded (field attempt)"},
    [TR_WIZ_SKIP] = {"wizard.skip", 1, "the retries ran out: user's mailbox skipped as failed (field attempts)"},
    [TR_WIZ_CLONE] = {"wizard.clone", 1, "a pass logs on to an uninitialized mailbox: clone mode, folder IDs kept"},
    [TR_WIZ_MERGE] = {"wizard.merge", 1,
        "the mailbox is initialized: the pass switches to merge mode (fields initialized_by, initialized_at)"},
    [TR_WIZ_MERGE_FOLDERS] = {"wizard.merge.folders", 1, "merge created missing folders with new IDs (field folders)"},
    [TR_WIZ_MERGE_RULES] = {"wizard.merge.rules", 1, "merge copied rules naming source folder IDs (field rules)"},
    [TR_WIZ_ERROR] = {"wizard.error", 1, "the store refused to create mailbox"},
    [TR_WIZ_PASS_DONE] = {"wizard.pass.done", 1,
        "a pass finished (fields mode, copied, skipped, replaced, failed): the migrator's own account"},
    [TR_WIZ_CANCEL] = {"wizard.cancel", 1, "the run was cancelled (fields how, mailboxes, items)"},
    [TR_WIZ_WAIT_REACHED] = {"wizard.wait.reached", 1,
        "the condition of a `wait when` holds; the run goes on (fields how, mailboxes, items)"},
    [TR_WIZ_DONE] = {"wizard.done", 1, "the run finished"},
    [TR_WIZ_LOG] = {"wizard.log", 1, "the run's closing log starts (field state)"},
    [TR_WIZ_LOG_MAILBOX] = {"wizard.log.mailbox", 1,
        "one mailbox in the closing log (fields mode, copied, skipped, replaced, failed, state)"},
    [TR_WIZ_STATUS] = {"wizard.status", 1,
        "the run's exit status: 0 success, 1 warnings, 2 errors (fields status, completed, skipped, failed, cancelled, not_processed)"},
    [TR_MIG_OP] = {"migrator.op", 0,
        "a migrator's request answered by the engine (fields op, status); quiet: its effects have their own records"},
    [TR_MIG_LOG] = {"migrator.log", 1, "a line a migrator logged (a log request, or a plugin's own record through env->emit)"},
    [TR_MIG_MESSAGE] = {"migrator.message", 0,
        "one JSON Lines message between migsim and a process migrator (fields direction: sent or received, "
        "type, msg_id, in_reply_to when the message has one, body: the line as written); quiet"},
    [TR_WIZ_ACTIVE] = {"wizard.active", 1, "a run is still active when the scenario ends (field mailboxes)"},
    [TR_MIG_CANCEL] = {"migrator.cancel", 1,
        "the run of a migrator that is not the wizard or a built-in strategy was cancelled (fields how, mailboxes, items): wizard.cancel's twin"},
    [TR_MIG_ACTIVE] = {"migrator.active", 1,
        "the run of a migrator that is not the wizard or a built-in strategy is still active when the scenario ends (field mailboxes)"},
    [TR_REFUSE_INITIALIZED] = {"refuse.initialized", 1,
        "refuse-initialized found user's target mailbox initialized (fields initialized_by, initialized_at): the user is stopped, not merged"},
    [TR_WAIT_START] = {"wait.start", 1,
        "wait-then-rerun: a rerun waits until every DC's up-to-dateness vector covers every DC's USN as it is now (fields dcs, poll)"},
    [TR_WAIT_POLL] = {"wait.poll", 0,
        "wait-then-rerun read the replication state of every DC: dc is the first still behind, or failed and unable to answer (behind 0, origin dc) (fields behind, origin; quiet)"},
    [TR_WAIT_DONE] = {"wait.done", 1,
        "wait-then-rerun: the vectors cover the USNs (complete 1), or the wait limit passed (complete 0); fields waited, polls"},
    [TR_WAIT_CANCEL] = {"wait.cancel", 1,
        "wait-then-rerun: the run was cancelled while waiting for replication"},
    [TR_RESUME_FORGET] = {"resume.forget", 1,
        "resume: the account its journal names for user is gone from dc (deleted): the entry is dropped, its mailbox is to be drained"},
    [TR_RESUME_SKIP] = {"resume.skip", 1,
        "resume: its journal says user's pass into mailbox completed: no logon, no merge"},
    [TR_RESUME_CONTINUE] = {"resume.continue", 1,
        "resume: user's clone into mailbox continues at its checkpoint (field from)"},
    [TR_RESUME_REPLACE] = {"resume.replace", 1,
        "resume: user's mailbox (field old) was initialized outside the migration (field initialized_by): a new mailbox GUID on dc replaces it"},
    [TR_RESUME_MOVE] = {"resume.move", 1,
        "resume: delivered mail moved from a mailbox it replaced (field from) into user's mailbox (field moved)"},
    [TR_RESUME_PASS_DONE] = {"resume.pass.done", 1,
        "resume: a pass it continued itself finished (fields copied, from)"},
    [TR_RESUME_CANCEL] = {"resume.cancel", 1,
        "resume: the run was cancelled while it continued from its journal (field at: the checkpoint)"},
    [TR_RESUME_DONE] = {"resume.done", 1,
        "resume: the part of the run it continued from its journal is over (fields continued, skipped, to_wizard)"},
    [TR_RESUME_UNAVAILABLE] = {"resume.unavailable", 1,
        "resume: the DC its journal names for user's account (dc) cannot answer (failed): the account is looked up on the run's DC (field fallback)"},
    [TR_RESUME_FAIL] = {"resume.fail", 1,
        "resume: user's journaled mailbox cannot be continued in this run (field reason): the user is reported failed, nothing merged"},
};

/* String storage: chunks of at least CHUNK bytes, never moved once made. */
#define CHUNK 16384

struct traceChunk {
    traceChunk *next;
    size_t used, size;
    char data[];
};

void traceInit(trace *t, FILE *narrative, int record) {
    memset(t, 0, sizeof *t);
    t->narrative = narrative;
    t->record = record;
}

void traceFree(trace *t) {
    traceChunk *c = t->chunks;
    while (c) {
        traceChunk *next = c->next;
        free(c);
        c = next;
    }
    free(t->v);
    memset(t, 0, sizeof *t);
}

void traceSetNarrator(trace *t, traceNarrator *fn, void *ctx) {
    t->narrator = fn;
    t->narrator_ctx = ctx;
}

int traceOn(const trace *t) {
    return t->narrative != NULL || t->narrator != NULL || t->record;
}

traceRecord traceNew(traceKind kind, const char *actor) {
    traceRecord r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.actor = actor;
    return r;
}

static traceField *addField(traceRecord *r, const char *key, traceFieldType type) {
    if (NEVER(r->nfields >= TRACE_MAXFIELDS)) return NULL;
    traceField *f = &r->f[r->nfields++];
    memset(f, 0, sizeof *f);
    f->key = key;
    f->type = type;
    return f;
}

void traceInt(traceRecord *r, const char *key, int64_t v) {
    traceField *f = addField(r, key, TF_INT);
    if (f) f->i = v;
}

void traceStr(traceRecord *r, const char *key, const char *v) {
    traceField *f = addField(r, key, TF_STR);
    if (f) f->s = v ? v : "";
}

void traceGuid(traceRecord *r, const char *key, const guid *g) {
    traceField *f = addField(r, key, TF_GUID);
    if (f) f->g = *g;
}

void traceMailbox(traceRecord *r, const guid *g) {
    r->has_mailbox = 1;
    r->mailbox = *g;
}

void traceObject(traceRecord *r, const guid *g) {
    r->has_object = 1;
    r->object = *g;
}

/* A copy of s in t's storage, or NULL when memory runs out. */
static const char *keep(trace *t, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    traceChunk *c = t->chunks;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK ? n : CHUNK;
        traceChunk *nc = malloc(sizeof *nc + size);
        if (!nc) return NULL;
        nc->next = c;
        nc->used = 0;
        nc->size = size;
        t->chunks = c = nc;
    }
    char *d = c->data + c->used;
    memcpy(d, s, n);
    c->used += n;
    return d;
}

/* Copy every string of r into t's storage; 0 when memory runs out. */
static int keepStrings(trace *t, traceRecord *r) {
    const char **subj[] = {&r->actor, &r->user, &r->dc, &r->peer, &r->server, &r->text};
    for (size_t i = 0; i < sizeof subj / sizeof subj[0]; i++) {
        if (!*subj[i]) continue;
        if (!(*subj[i] = keep(t, *subj[i]))) return 0;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        if (r->f[i].type == TF_STR && !(r->f[i].s = keep(t, r->f[i].s))) return 0;
        if (r->copy_keys && !(r->f[i].key = keep(t, r->f[i].key))) return 0;
    }
    return 1;
}

msStatus traceEmit(trace *t, simtime at, traceRecord *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    msStatus rc = traceEmitV(t, at, r, fmt, ap);
    va_end(ap);
    return rc;
}

/* s, then spaces up to width columns (printf's %-Ns). */
static void putPadded(FILE *f, const char *s, size_t width) {
    fputs(s, f);
    for (size_t n = strlen(s); n < width; n++) putc(' ', f);
}

/* Written piece by piece: the same bytes as fprintf's "%-13s  %-7s  %s\n",
** without parsing a format for every line of every run. */
void traceWriteLine(FILE *f, simtime at, const char *actor, const char *text) {
    char ts[CLOCK_BUFSZ];
    putPadded(f, clockFormat(at, ts), 13);
    fputs("  ", f);
    putPadded(f, actor ? actor : "?", 7);   /* as traceEmitV names a record without one */
    fputs("  ", f);
    fputs(text, f);
    putc('\n', f);
}

msStatus traceEmitV(trace *t, simtime at, traceRecord *r, const char *fmt, va_list ap) {
    if (!traceOn(t)) return MS_OK;
    if (NEVER((unsigned)r->kind >= TR__COUNT)) return MS_INPUT;
    /* Emission order is time order (trace.h): the kernel's clock never goes back. */
    msAssert(at >= t->last_at);
    t->last_at = at;
    char text[1024];
    vsnprintf(text, sizeof text, fmt, ap);
    r->at = at;
    if (!r->actor) r->actor = "?";
    if (t->narrator && kinds[r->kind].narrated) {
        traceRecord shown = *r;
        shown.text = text;
        t->narrator(t->narrator_ctx, &shown);
    } else if (t->narrative && kinds[r->kind].narrated) {
        traceWriteLine(t->narrative, at, r->actor, text);
    }
    if (!t->record) return MS_OK;
    if (t->n == t->cap && arrayGrow(&t->v, &t->cap, sizeof *t->v, 256) != MS_OK) return MS_NOMEM;
    traceRecord *kept = &t->v[t->n];
    *kept = *r;
    kept->text = text;
    if (!keepStrings(t, kept)) return MS_NOMEM;
    t->n++;
    return MS_OK;
}

msStatus traceAppend(trace *t, const traceRecord *r) {
    if (!t->record) return MS_INPUT;
    if (t->n == t->cap && arrayGrow(&t->v, &t->cap, sizeof *t->v, 64) != MS_OK) return MS_NOMEM;
    t->v[t->n] = *r;
    if (!keepStrings(t, &t->v[t->n])) return MS_NOMEM;
    t->n++;
    return MS_OK;
}

msStatus traceCopy(trace *dst, const trace *src) {
    traceInit(dst, NULL, 1);
    if (!src->n) return MS_OK;
    dst->v = malloc(src->n * sizeof *dst->v);
    if (!dst->v) return MS_NOMEM;
    dst->cap = src->n;
    for (size_t i = 0; i < src->n; i++) {
        dst->v[i] = src->v[i];
        if (!keepStrings(dst, &dst->v[i])) return MS_NOMEM;
        dst->n = i + 1;
    }
    return MS_OK;
}

const traceRecord *traceRecords(const trace *t, size_t *n) {
    *n = t->n;
    return t->v;
}

const char *traceKindName(traceKind k) {
    return (unsigned)k < TR__COUNT ? kinds[k].name : "?";
}

const char *traceKindDoc(traceKind k) {
    return (unsigned)k < TR__COUNT ? kinds[k].doc : "?";
}

int traceKindNarrated(traceKind k) {
    return (unsigned)k < TR__COUNT && kinds[k].narrated;
}

const traceField *traceFieldOf(const traceRecord *r, const char *key) {
    for (size_t i = 0; i < r->nfields; i++)
        if (strcmp(r->f[i].key, key) == 0) return &r->f[i];
    return NULL;
}
