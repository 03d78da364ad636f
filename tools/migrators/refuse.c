/*
** refuse: an example C plugin migrator (docs/migrators.md, "The C API").
**
**   make                                   # builds build/tools/migrators/librefuse.so
**   migsim run scenarios/kb842101/reproduce.scn --migrator plugin:build/tools/migrators/librefuse.so
**
** A simple clone-only tool that refuses to touch a mailbox someone else has
** initialized, so KB 842101's merge can never happen to it.  Like the
** wizard it works in two stages.
**
** Stage 1, per selected user: read the source mailbox (its X500 address and
** item count); find the target account by that address on the run's DC,
** mailbox-enabling it if need be, or add one (disabled, mailbox-enabled);
** the user's logon then follows that account and mailbox (store.associate).
**
** Stage 2, per user: log on to the mailbox through the run's server.  A
** logon that fails (event 13003: the store's DC does not know the account
** yet) is retried every retry_interval for retry_window, then the user is
** skipped.  A mailbox initialized by mail delivery or by the user's logon is
** refused: a narrative record says so and nothing is copied.  Otherwise
** clone, `batch` items per request (a mailbox its own earlier clone left,
** after a cancel, is finished in merge mode, which skips what is there), and
** report the mailbox done.
**
** A cancel reaches it as the reply `cancelled`: it says so and returns
** MIG_DONE.  Every narrative line is a trace record of kind TR_MIG_LOG with
** the field `event` (start, refused, skipped, cloned, finished, cancelled),
** written through env->emit.
**
** It needs no symbol of migsim's: everything goes through the migEnv and the
** plain structs of the installed headers, so it links against nothing
** (`cc -shared -fPIC $(pkg-config --cflags migsim) refuse.c -o librefuse.so`).
** Strings of a reply are copied before the next call, since the engine
** reuses them; strings of a request are the instance's own.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "migration/migrator.h"

/* What the instance waits for: the reply to which request. */
enum step { S_SOURCE, S_FIND, S_ENABLE, S_ADD, S_ASSOC, S_LOGON, S_RETRY, S_PREPARE, S_COPY, S_DONE };

typedef struct target {
    uint32_t user;
    char name[64], x500[200];
    int64_t nitems;
    guid account, mailbox;
} target;

typedef struct refuser {
    const migEnv *env;
    migStart run;
    target *t;                 /* the run's users, in order */
    size_t cur;
    int stage;                 /* 1 accounts, 2 mailboxes */
    enum step step;
    migMode mode;
    int64_t next_item;
    simtime first_fail;
    int cloned, refused, skipped;
} refuser;

/* ---- records: plain structs, emitted by the engine ----------------- */

static void field(traceRecord *r, const char *key, const char *s, int64_t i) {
    if (r->nfields == TRACE_MAXFIELDS) return;
    traceField *f = &r->f[r->nfields++];
    memset(f, 0, sizeof *f);
    f->key = key;
    f->type = s ? TF_STR : TF_INT;
    f->s = s;
    f->i = i;
}

static traceRecord record(const char *event, const char *user) {
    traceRecord r;
    memset(&r, 0, sizeof r);
    r.kind = TR_MIG_LOG;
    r.user = user;
    field(&r, "event", event, 0);
    return r;
}

/* A narrative line with field event, about user (NULL: the run). */
static void say(refuser *z, const char *event, const char *user, const char *text) {
    traceRecord r = record(event, user);
    z->env->emit(z->env->engine, &r, text);
}

static void sayRefused(refuser *z, const target *t, int by, simtime at) {
    char text[160];
    traceRecord r = record("refused", t->name);
    field(&r, "by", migInitName(by), 0);
    field(&r, "at", NULL, at);
    snprintf(text, sizeof text, "%s: target mailbox already initialized by %s: refused, nothing copied", t->name,
             by == MIG_INIT_DELIVERY ? "mail delivery" : "a logon");
    z->env->emit(z->env->engine, &r, text);
}

/* ---- requests ------------------------------------------------------ */

static target *current(refuser *z) {
    return &z->t[z->cur];
}

static void ask(refuser *z, migRequest *q, migOp op, enum step next) {
    const target *t = current(z);
    q->op = op;
    q->dc = z->run.dc;
    q->server = z->run.server;
    q->user = t->user;
    q->object = t->account;
    q->mailbox = t->mailbox;
    z->step = next;
}

/* The current user's first request of the stage; past the last user, the next stage or the end. */
static int begin(refuser *z, migRequest *q) {
    char text[160];
    if (z->cur == z->run.nusers && z->stage == 1) {
        z->stage = 2;
        z->cur = 0;
    }
    if (z->cur == z->run.nusers) {
        snprintf(text, sizeof text, "run %d finished: %d cloned, %d refused, %d skipped", z->run.run, z->cloned,
                 z->refused, z->skipped);
        say(z, "finished", NULL, text);
        q->op = MIG_DONE;
        return 0;
    }
    z->first_fail = -1;
    z->next_item = 0;
    ask(z, q, z->stage == 1 ? MIG_OP_SOURCE_MAILBOX : MIG_OP_STORE_LOGON, z->stage == 1 ? S_SOURCE : S_LOGON);
    return 0;
}

/* This user is over in this stage; stage 2 reports the mailbox done (a note, answered even after a cancel). */
static int advance(refuser *z, migRequest *q) {
    if (z->stage == 2 && z->step != S_DONE) {
        ask(z, q, MIG_OP_MAILBOX_DONE, S_DONE);
        return 0;
    }
    z->cur++;
    return begin(z, q);
}

static void copyNext(refuser *z, migRequest *q) {
    int64_t batch = z->env->batch > 0 ? z->env->batch : 100;
    int64_t left = current(z)->nitems - z->next_item;
    ask(z, q, MIG_OP_STORE_COPY, S_COPY);
    q->mode = z->mode;
    q->first = z->next_item;
    q->count = left < batch ? left : batch;
    z->next_item += q->count;
}

/* The logon's answer decides: retry, skip, refuse, clone or finish the clone. */
static int afterLogon(refuser *z, const migReply *a, migRequest *q) {
    target *t = current(z);
    char text[160];
    if (a->status == MIG_ERR_LOGON_FAILED) {
        if (z->first_fail < 0) z->first_fail = a->now;
        if (a->now + z->env->retry_interval <= z->first_fail + z->env->retry_window) {
            ask(z, q, MIG_OP_SLEEP, S_RETRY);
            q->duration = z->env->retry_interval;
            return 0;
        }
        snprintf(text, sizeof text, "%s: could not log on to the target mailbox: skipped", t->name);
        say(z, "skipped", t->name, text);
        z->skipped++;
        return advance(z, q);
    }
    if (a->status != MIG_OK) return -1;
    if (a->exists && (a->initialized_by == MIG_INIT_DELIVERY || a->initialized_by == MIG_INIT_LOGON)) {
        sayRefused(z, t, a->initialized_by, a->initialized_at);
        z->refused++;
        return advance(z, q);
    }
    z->mode = a->exists ? MIG_MERGE : MIG_CLONE;
    ask(z, q, MIG_OP_STORE_PREPARE, S_PREPARE);
    q->mode = z->mode;
    return 0;
}

/* Where the user's account comes from: found, found without a mailbox, or added. */
static void afterFind(refuser *z, const migReply *a, migRequest *q) {
    target *t = current(z);
    if (a->status == MIG_OK && a->nentries > 0) {
        t->account = a->entries[0].object;
        t->mailbox = a->entries[0].mailbox;
        if (a->entries[0].has_mailbox) ask(z, q, MIG_OP_STORE_ASSOCIATE, S_ASSOC);
        else ask(z, q, MIG_OP_DIR_MAILBOX_ENABLE, S_ENABLE);
        return;
    }
    ask(z, q, MIG_OP_DIR_ADD, S_ADD);
}

static int afterSource(refuser *z, const migReply *a, migRequest *q) {
    target *t = current(z);
    if (a->status != MIG_OK) return -1;
    snprintf(t->name, sizeof t->name, "%s", a->user_name ? a->user_name : "?");
    snprintf(t->x500, sizeof t->x500, "%s", a->x500 ? a->x500 : "");
    t->nitems = a->items;
    ask(z, q, MIG_OP_DIR_SEARCH, S_FIND);
    q->by = MIG_BY_X500;
    q->key = t->x500;
    return 0;
}

static int afterCopy(refuser *z, const migReply *a, migRequest *q) {
    target *t = current(z);
    char text[160];
    if (a->status != MIG_OK) return -1;
    if (z->next_item < t->nitems) {
        copyNext(z, q);
        return 0;
    }
    snprintf(text, sizeof text, "%s: %s, %lld items", t->name, z->mode == MIG_CLONE ? "cloned" : "clone finished",
             (long long)t->nitems);
    say(z, "cloned", t->name, text);
    z->cloned++;
    return advance(z, q);
}

/* The reply a to the request of z->step: the next request into q; -1 on an answer this tool cannot handle. */
static int step(refuser *z, const migReply *a, migRequest *q) {
    target *t = current(z);
    switch (z->step) {
    case S_SOURCE: return afterSource(z, a, q);
    case S_FIND: afterFind(z, a, q); return 0;
    case S_ENABLE:
    case S_ADD:
        if (a->status != MIG_OK) return -1;
        if (z->step == S_ADD) t->account = a->object;
        t->mailbox = a->mailbox;
        ask(z, q, MIG_OP_STORE_ASSOCIATE, S_ASSOC);
        return 0;
    case S_ASSOC: return advance(z, q);
    case S_RETRY: ask(z, q, MIG_OP_STORE_LOGON, S_LOGON); return 0;
    case S_LOGON: return afterLogon(z, a, q);
    case S_PREPARE:
    case S_COPY: return afterCopy(z, a, q);
    case S_DONE: return advance(z, q);
    }
    return -1;
}

/* ---- the migrator -------------------------------------------------- */

static void *refuseOpen(const migEnv *env) {
    refuser *z = calloc(1, sizeof *z);
    if (z) z->env = env;
    return z;
}

static int start(refuser *z, const migStart *st, migRequest *q, char *why, size_t whysz) {
    char text[96];
    z->run = *st;
    free(z->t);
    z->t = calloc(st->nusers ? st->nusers : 1, sizeof *z->t);
    if (!z->t) {
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < st->nusers; i++) z->t[i].user = st->users[i];
    z->cur = 0;
    z->stage = 1;
    z->cloned = z->refused = z->skipped = 0;
    snprintf(text, sizeof text, "run %d: %zu users, clone only, initialized targets refused", st->run, st->nusers);
    say(z, "start", NULL, text);
    return begin(z, q);
}

static int refuseNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    refuser *z = self;
    char text[96];
    if (a->status == MIG_START) return start(z, &a->start, q, why, whysz);
    if (a->status == MIG_ERR_CANCELLED) {
        snprintf(text, sizeof text, "run %d cancelled", z->run.run);
        say(z, "cancelled", NULL, text);
        q->op = MIG_DONE;
        return 0;
    }
    if (step(z, a, q) == 0) return 0;
    /* An answer no step expects: a user this tool cannot handle is an error of the tool. */
    snprintf(why, whysz, "user %s: unexpected answer, status %d (%s)", current(z)->name, (int)a->status,
             a->message ? a->message : "no message");
    return -1;
}

static void refuseClose(void *self) {
    refuser *z = self;
    free(z->t);
    free(z);
}

static const migrator refuse = {
    .abi = MIGRATOR_ABI,
    .name = "refuse",
    .actor = "refuse",
    .open = refuseOpen,
    .next = refuseNext,
    .close = refuseClose,
};

/* The one symbol migsim looks up (MIGRATOR_ENTRY). */
const migrator *migsim_migrator(void);

const migrator *migsim_migrator(void) {
    return &refuse;
}
