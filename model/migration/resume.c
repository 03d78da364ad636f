/*
** resume: the Exchange Migration Wizard (wizard.c) with a checkpoint
** journal of its own, so that a rerun after a cancel continues instead of
** merging, and mail delivered meanwhile is not stranded.
**
** The journal (one entry per source user, kept for the whole simulated
** run: one migrator instance serves every `migrate` step) is written only
** from what the engine answered: the account and mailbox a run associated
** with the user and the DC it did so on, whether a clone into that mailbox
** began, how many source items it holds (the checkpoint: every batch's
** reply counts, a cancelled batch's too), whether its pass completed.
**
** A run hands the wizard every user the journal does not hold, and the
** wizard's requests and replies pass through here so the journal follows
** them.  A user the journal holds is continued here, first, in user order:
**
**   - its account is looked up by objectGUID on the DC it was made on
**     (where it is known to have existed, so absence means deleted, not
**     "not replicated yet"); gone: the entry is dropped (resume.forget),
**     its mailbox remembered to be drained, and the user goes to the wizard;
**     that DC failed (it cannot answer: resume.unavailable), the account is
**     looked up on the run's DC (`migrate dc=`) instead, and when it is live
**     there the entry continues on that DC from then on; not there (deleted,
**     or not replicated yet: a search cannot tell), or that DC failed too,
**     the user is reported failed for this run (resume.fail): no second
**     account, no merge, the entry kept for a later run;
**   - its pass completed: nothing to do (resume.skip), no logon, no merge;
**   - else a logon to the journal's mailbox: absent, a clone from item 0;
**     cloned by this journal, the clone continues at the checkpoint
**     (resume.continue); initialized by delivery or logon (or a clone the
**     journal does not know), it is replaced (resume.replace): the
**     account's msExchMailboxGuid is cleared and mailbox-enabled again on
**     the journal's DC (a new GUID), the user's logon follows the new
**     mailbox, and the new one is cloned.  A logon that fails (no account
**     found, or the store's DC failed) hands the user to the wizard, whose
**     13003 retries handle it.  Any other refusal of its own requests (a DC
**     that failed meanwhile, a store that refuses) reports the user failed
**     for this run (resume.fail) instead of stopping the run.
**
** When a pass into the user's mailbox completes (its own or the wizard's)
** and a replaced or forgotten mailbox is waiting to be drained, the items
** in it that are not copies (delivered mail) are moved into the new one
** (MIG_OP_STORE_MOVE_FOREIGN, resume.move), so nothing is stranded.
**
** Invariants: it never asks for a merge; the checkpoint never exceeds what
** the store confirmed; a journal entry names an account only while that
** account was last seen live on the entry's DC.
*/
#include <stdlib.h>
#include <string.h>
#include "migration/strategy.h"
#include "migration/wizard.h"

typedef struct jEntry {
    int has;                  /* an account is journaled */
    guid account, mailbox;
    int dc;                   /* the DC the account was made or matched on */
    int64_t nitems;           /* the user's source items */
    int cloning;              /* a clone into mailbox began */
    int64_t next;             /* checkpoint: source items [0, next) are in mailbox */
    int done;                 /* a pass into mailbox completed */
    int has_drain;            /* a replaced mailbox whose delivered mail is to move */
    guid drain;
    int failed_run;           /* the run that reported the user failed (resume.fail), or 0 */
    int fell_back;            /* this run looks the account up on the run's DC (its own DC failed) */
} jEntry;

/* What the strategy waits for in its own part of a run. */
enum rphase { R_NAMES, R_CHECK, R_LOGON, R_PREPARE, R_COPY, R_CLEAR, R_ENABLE, R_ASSOCIATE, R_MOVE,
              R_UNPROTECT, R_DONE_NOTE };

typedef struct resume {
    const migEnv *env;
    void *wiz;
    jEntry *j;                /* index user - 1 */
    char **names;             /* source user names, index user - 1 (read once) */
    migStart run;
    uint32_t *run_copy;       /* the run's users */
    uint32_t *mine, *rest;    /* continued here; handed to the wizard */
    size_t nmine, nrest, cur;
    enum rphase phase;
    int delegating;           /* the wizard has the run */
    migRequest last;          /* the wizard's request in flight */
    int holding;              /* a wizard request waits behind a move */
    migRequest held;
    int64_t continued, skipped, from, copied;   /* this run: passes done here, skipped; the pass under way */
    int nomem;                /* an allocation failed: next says MIGRATOR_NOMEM */
} resume;

static jEntry *entry(resume *s, uint32_t user) {
    return &s->j[user - 1];
}

static const char *nameOf(const resume *s, uint32_t user) {
    return s->names && user >= 1 && user <= s->env->nusers && s->names[user - 1] ? s->names[user - 1] : "?";
}

static traceRecord rec(const resume *s, traceKind kind, uint32_t user) {
    traceRecord r = traceNew(kind, "wizard");
    r.user = nameOf(s, user);
    return r;
}

/* ---- the wizard's part: the journal follows it ---------------------- */

/* The journal follows the reply a to the wizard's request q. */
static void observe(resume *s, const migRequest *q, const migReply *a) {
    if (!q->user || q->user > s->env->nusers) return;
    jEntry *e = entry(s, q->user);
    int ok = a->status == MIG_OK;
    switch (q->op) {
    case MIG_OP_SOURCE_MAILBOX:
        if (ok) e->nitems = a->items;
        break;
    case MIG_OP_STORE_ASSOCIATE:
        if (!ok) break;
        if (!e->has || guidCompare(&e->mailbox, &q->mailbox) != 0) {
            e->cloning = e->done = 0;
            e->next = 0;
        }
        e->has = 1;
        e->account = q->object;
        e->mailbox = q->mailbox;
        e->dc = q->dc;
        break;
    case MIG_OP_STORE_PREPARE:
        if (ok) e->cloning = q->mode == MIG_CLONE;
        break;
    case MIG_OP_STORE_COPY: {
        /* A cancelled batch that was performed carries its counts; one that was not, none. */
        int64_t did = a->copied + a->skipped + a->replaced + a->failed;
        if (e->cloning) e->next = q->first + did;
        if (did == q->count && q->first + q->count >= e->nitems) e->done = 1;
        break;
    }
    default: break;
    }
}

/*
** 1 when e has delivered mail to move: a drained mailbox that is not the
** user's mailbox now.  A user whose journal entry was dropped can come back
** to the very mailbox it names (the account made again with the same GUID):
** its mail is where it belongs, and a move from a mailbox into itself is one
** the store refuses.
*/
static int needsMove(jEntry *e) {
    if (e->has_drain && guidCompare(&e->drain, &e->mailbox) == 0) e->has_drain = 0;
    return e->has_drain;
}

/* Ask to move the drained mailbox's delivered mail into user's mailbox. */
static void askMove(resume *s, migRequest *q, uint32_t user) {
    jEntry *e = entry(s, user);
    memset(q, 0, sizeof *q);
    q->op = MIG_OP_STORE_MOVE_FOREIGN;
    q->dc = -1;
    q->server = s->run.server;
    q->user = user;
    q->mailbox = e->mailbox;
    q->from_mailbox = e->drain;
}

static void logMove(resume *s, uint32_t user, const migReply *a) {
    jEntry *e = entry(s, user);
    char from[GUID_STRLEN], to[GUID_STRLEN];
    traceRecord r = rec(s, TR_RESUME_MOVE, user);
    traceMailbox(&r, &e->mailbox);
    traceGuid(&r, "from", &e->drain);
    traceInt(&r, "moved", a->status == MIG_OK ? a->moved : 0);
    if (a->status == MIG_OK)
        strategyEmit(s->env, &r, "%s: %lld delivered item%s moved from replaced mailbox %s into mailbox %s",
                     r.user, (long long)a->moved, a->moved == 1 ? "" : "s", guidFormat(&e->drain, from),
                     guidFormat(&e->mailbox, to));
    else
        strategyEmit(s->env, &r, "%s: replaced mailbox %s: nothing moved (%s)", r.user, guidFormat(&e->drain, from),
                     migStatusName(a->status));
    /* Moved, nothing left to move from (purged), or a move the store refuses
    ** (asking again would be refused again, at the same instant, for ever):
    ** done with it.  Cancelled: the next run asks again. */
    if (a->status != MIG_ERR_CANCELLED) e->has_drain = 0;
}

static int delegate(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    if (s->holding) {
        /* The move that went first is answered: log it, then the wizard's request. */
        logMove(s, s->held.user, a);
        s->holding = 0;
        *q = s->held;
        return 0;
    }
    observe(s, &s->last, a);
    if (wizardNext(s->wiz, a, q, why, whysz) != 0) return -1;
    s->last = *q;
    if (q->op == MIG_DONE) s->delegating = 0;
    if (q->op == MIG_OP_MAILBOX_DONE && q->user && entry(s, q->user)->done && needsMove(entry(s, q->user))) {
        s->held = *q;
        s->holding = 1;
        askMove(s, q, q->user);
    }
    return 0;
}

/* Hand the users the journal does not hold to the wizard, as a run of their own. */
static int toWizard(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    traceRecord r = rec(s, TR_RESUME_DONE, 0);
    r.user = NULL;
    traceInt(&r, "continued", s->continued);
    traceInt(&r, "skipped", s->skipped);
    traceInt(&r, "to_wizard", (int64_t)s->nrest);
    if (s->continued || s->skipped)
        strategyEmit(s->env, &r, "run %d: %lld mailbox%s continued from the journal, %lld already complete; %zu user%s "
                     "to the wizard", s->run.run, (long long)s->continued, s->continued == 1 ? "" : "es",
                     (long long)s->skipped, s->nrest, s->nrest == 1 ? "" : "s");
    if (!s->nrest) {
        q->op = MIG_DONE;
        return 0;
    }
    migReply st;
    memset(&st, 0, sizeof st);
    st.status = MIG_START;
    st.now = a->now;
    st.start = s->run;
    st.start.users = s->rest;
    st.start.nusers = s->nrest;
    s->delegating = 1;
    memset(&s->last, 0, sizeof s->last);
    return delegate(s, &st, q, why, whysz);
}

/* ---- its own part: continuing from the journal ---------------------- */

static void ask(resume *s, migRequest *q, migOp op, enum rphase next) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    q->op = op;
    q->dc = e->dc;
    q->server = s->run.server;
    q->user = u;
    q->object = e->account;
    q->mailbox = e->mailbox;
    s->phase = next;
}

static int nextMine(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz);

/* The current user's mailbox is finished: report it, then the next. */
static int mineDone(resume *s, migRequest *q) {
    ask(s, q, MIG_OP_MAILBOX_DONE, R_DONE_NOTE);
    return 0;
}

/*
** The current user cannot be continued in this run: one finding says why,
** the mailbox is reported done, and the journal keeps the entry for a later
** run (a real tool reports the user failed; it does not stop the run).
*/
static void sayFailed(resume *s, uint32_t u, const char *reason) {
    jEntry *e = entry(s, u);
    e->failed_run = s->run.run;
    traceRecord r = rec(s, TR_RESUME_FAIL, u);
    r.dc = s->env->dc_names[e->dc];
    traceStr(&r, "reason", reason);
    strategyEmit(s->env, &r, "%s: cannot continue from the journal in run %d: %s; user failed, nothing merged",
                 r.user, s->run.run, reason);
}

static int failUser(resume *s, migRequest *q, uint32_t u, const char *reason) {
    sayFailed(s, u, reason);
    return mineDone(s, q);
}

/* failUser with the reply's status named. */
static int failOn(resume *s, migRequest *q, const char *what, const migReply *a) {
    char reason[160];
    uint32_t u = s->mine[s->cur];
    snprintf(reason, sizeof reason, "%s on %s: %s", what, s->env->dc_names[entry(s, u)->dc], migStatusName(a->status));
    return failUser(s, q, u, reason);
}

static int copyNext(resume *s, migRequest *q) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    if (e->next < e->nitems) {
        int64_t batch = s->env->batch > 0 ? s->env->batch : 100;
        ask(s, q, MIG_OP_STORE_COPY, R_COPY);
        q->mode = MIG_CLONE;
        q->first = e->next;
        q->count = e->nitems - e->next < batch ? e->nitems - e->next : batch;
        return 0;
    }
    if (!e->done) {
        e->done = 1;
        traceRecord r = rec(s, TR_RESUME_PASS_DONE, u);
        traceMailbox(&r, &e->mailbox);
        traceInt(&r, "from", s->from);
        traceInt(&r, "copied", s->copied);
        strategyEmit(s->env, &r, "%s: clone finished: %lld copied (from item %lld)", r.user, (long long)s->copied,
                     (long long)s->from);
    }
    if (needsMove(e)) {
        askMove(s, q, u);
        s->phase = R_MOVE;
        return 0;
    }
    if (s->run.protect && s->phase != R_UNPROTECT) {
        ask(s, q, MIG_OP_STORE_PROTECT, R_UNPROTECT);
        q->on = 0;
        return 0;
    }
    return mineDone(s, q);
}

/* Replace an initialized mailbox: a new GUID on the account, then a clone of it. */
static int replace(resume *s, const migReply *a, migRequest *q) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    char mg[GUID_STRLEN], t[CLOCK_BUFSZ];
    traceRecord r = rec(s, TR_RESUME_REPLACE, u);
    r.dc = s->env->dc_names[e->dc];
    traceGuid(&r, "old", &e->mailbox);
    traceStr(&r, "initialized_by", migInitName(a->initialized_by));
    strategyEmit(s->env, &r, "%s: mailbox %s was initialized by %s at %s: replaced by a new mailbox (a new GUID on %s); "
                 "its delivered mail follows", r.user, guidFormat(&e->mailbox, mg), migInitName(a->initialized_by),
                 clockFormat(a->initialized_at, t), r.dc);
    e->has_drain = 1;
    e->drain = e->mailbox;
    ask(s, q, MIG_OP_DIR_MODIFY, R_CLEAR);
    q->attr = "msExchMailboxGuid";
    q->values = NULL;
    q->nvalues = 0;
    return 0;
}

static int onLogon(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    if (a->status == MIG_ERR_LOGON_FAILED || a->status == MIG_ERR_UNAVAILABLE) {
        /* The wizard knows how to wait for a logon (event 13003): the user is its. */
        s->rest[s->nrest++] = u;
        s->cur++;
        return nextMine(s, a, q, why, whysz);
    }
    if (a->status != MIG_OK) return failOn(s, q, "the logon", a);
    s->from = 0;
    s->copied = 0;
    if (!a->exists) {
        ask(s, q, MIG_OP_STORE_PREPARE, R_PREPARE);
        q->mode = MIG_CLONE;
        return 0;
    }
    if (a->initialized_by == MIG_INIT_CLONE && e->cloning) {
        s->from = e->next;
        traceRecord r = rec(s, TR_RESUME_CONTINUE, u);
        traceMailbox(&r, &e->mailbox);
        traceInt(&r, "from", e->next);
        strategyEmit(s->env, &r, "%s: clone continues at item %lld of %lld (journal checkpoint), no merge", r.user,
                     (long long)e->next, (long long)e->nitems);
        s->continued++;
        return copyNext(s, q);
    }
    return replace(s, a, q);
}

/* The reply a to the strategy's own request. */
static int own(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    switch (s->phase) {
    case R_LOGON: return onLogon(s, a, q, why, whysz);
    case R_PREPARE:
        if (a->status != MIG_OK) return replace(s, a, q);
        e->cloning = 1;
        e->next = 0;
        s->continued++;
        return copyNext(s, q);
    case R_COPY:
        if (a->status != MIG_OK) return failOn(s, q, "a copy", a);
        s->copied += a->copied;
        e->next += a->copied + a->skipped + a->replaced + a->failed;
        return copyNext(s, q);
    case R_CLEAR:
        if (a->status != MIG_OK) {
            e->has_drain = 0;   /* nothing was replaced: the mailbox is still the user's */
            return failOn(s, q, "clearing msExchMailboxGuid", a);
        }
        ask(s, q, MIG_OP_DIR_MAILBOX_ENABLE, R_ENABLE);
        return 0;
    case R_ENABLE:
        /* The GUID is cleared: the next run's logon fails and the wizard mailbox-enables it. */
        if (a->status != MIG_OK) return failOn(s, q, "mailbox-enabling the account", a);
        e->mailbox = a->mailbox;
        e->cloning = e->done = 0;
        e->next = 0;
        ask(s, q, MIG_OP_STORE_ASSOCIATE, R_ASSOCIATE);
        return 0;
    case R_ASSOCIATE:
        if (a->status != MIG_OK) return failOn(s, q, "the association", a);
        ask(s, q, MIG_OP_STORE_LOGON, R_LOGON);
        return 0;
    case R_MOVE: logMove(s, u, a); return copyNext(s, q);
    case R_UNPROTECT: return mineDone(s, q);
    case R_DONE_NOTE:
        s->cur++;
        return nextMine(s, a, q, why, whysz);
    default: return -1;
    }
}

static int nextMine(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    if (s->cur >= s->nmine) return toWizard(s, a, q, why, whysz);
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    if (e->failed_run == s->run.run) return mineDone(s, q);   /* resume.fail said why */
    if (e->done) {
        char mg[GUID_STRLEN];
        traceRecord r = rec(s, TR_RESUME_SKIP, u);
        traceMailbox(&r, &e->mailbox);
        strategyEmit(s->env, &r, "%s: the journal has mailbox %s complete: nothing to copy, no merge", r.user,
                     guidFormat(&e->mailbox, mg));
        s->skipped++;
        return mineDone(s, q);
    }
    ask(s, q, MIG_OP_STORE_LOGON, R_LOGON);
    return 0;
}

/* The journal's account of user (s->mine[s->cur]) was searched on its DC: keep or forget it. */
static int onCheck(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    uint32_t u = s->mine[s->cur];
    jEntry *e = entry(s, u);
    if (a->status == MIG_ERR_UNAVAILABLE && !e->fell_back && e->dc != s->run.dc) {
        /* Its DC cannot answer: look on the run's DC, where a live account is the same account. */
        traceRecord r = rec(s, TR_RESUME_UNAVAILABLE, u);
        r.dc = s->env->dc_names[e->dc];
        traceStr(&r, "fallback", s->env->dc_names[s->run.dc]);
        strategyEmit(s->env, &r, "%s: %s, where the journal's account was made, cannot answer (failed): looking "
                     "it up on %s", r.user, r.dc, s->env->dc_names[s->run.dc]);
        e->fell_back = 1;
        e->dc = s->run.dc;
        ask(s, q, MIG_OP_DIR_SEARCH, R_CHECK);
        q->by = MIG_BY_GUID;
        return 0;
    }
    if (a->status == MIG_OK && a->nentries > 0) {
        s->cur++;
    } else if (e->fell_back || a->status != MIG_OK) {
        /* Not found on a DC it was not made on, or no DC answered: neither deleted nor usable. */
        sayFailed(s, u, a->status == MIG_OK
                            ? "its account is not on the run's DC (deleted, or not replicated yet: a search cannot tell)"
                            : "no DC that could hold its account answers");
        s->cur++;
    } else {
        char og[GUID_STRLEN];
        traceRecord r = rec(s, TR_RESUME_FORGET, u);
        r.dc = s->env->dc_names[e->dc];
        traceObject(&r, &e->account);
        strategyEmit(s->env, &r, "%s: account %s is no longer on %s, where it was made: journal entry dropped%s",
                     r.user, guidFormat(&e->account, og), r.dc,
                     e->cloning || e->done ? "; its mailbox's delivered mail will follow the user" : "");
        e->has_drain = 1;
        e->drain = e->mailbox;
        e->has = 0;
        s->rest[s->nrest++] = u;
        memmove(&s->mine[s->cur], &s->mine[s->cur + 1], (s->nmine - s->cur - 1) * sizeof *s->mine);
        s->nmine--;
    }
    if (s->cur < s->nmine) {
        ask(s, q, MIG_OP_DIR_SEARCH, R_CHECK);
        q->by = MIG_BY_GUID;
        return 0;
    }
    s->cur = 0;
    return nextMine(s, a, q, why, whysz);
}

/* ---- runs ---------------------------------------------------------- */

static int begin(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    s->nmine = s->nrest = s->cur = 0;
    s->continued = s->skipped = 0;
    for (size_t i = 0; i < s->run.nusers; i++) {
        uint32_t u = s->run.users[i];
        if (u < 1 || u > s->env->nusers) continue;
        entry(s, u)->fell_back = 0;
        if (entry(s, u)->has) s->mine[s->nmine++] = u;
        else s->rest[s->nrest++] = u;
    }
    if (!s->nmine) return toWizard(s, a, q, why, whysz);
    ask(s, q, MIG_OP_DIR_SEARCH, R_CHECK);
    q->by = MIG_BY_GUID;
    return 0;
}

static int onNames(resume *s, const migReply *a, migRequest *q, char *why, size_t whysz) {
    if (a->status != MIG_OK) return -1;
    s->names = calloc(s->env->nusers ? s->env->nusers : 1, sizeof *s->names);
    if (!s->names) return s->nomem = 1, -1;
    for (size_t i = 0; i < a->nusers && i < s->env->nusers; i++)
        if (!(s->names[i] = strdup(a->user_names[i]))) return s->nomem = 1, -1;
    return begin(s, a, q, why, whysz);
}

static int onCancel(resume *s, const migReply *a, migRequest *q) {
    uint32_t u = s->cur < s->nmine ? s->mine[s->cur] : 0;
    if (u && s->phase == R_COPY) entry(s, u)->next += a->copied + a->skipped + a->replaced + a->failed;
    traceRecord r = rec(s, TR_RESUME_CANCEL, u);
    if (!u) r.user = NULL;
    traceInt(&r, "at", u ? entry(s, u)->next : 0);
    strategyEmit(s->env, &r, "run %d cancelled: the journal keeps every checkpoint for the next run", s->run.run);
    q->op = MIG_DONE;
    return 0;
}

static int resumeNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    resume *s = self;
    int rc;
    if (a->status == MIG_START) {
        /* The run's users are read now; begin() sorts them into mine and rest. */
        if (strategyKeepStart(&s->run, &a->start, &s->run_copy, why, whysz) != 0) return -1;
        s->holding = s->delegating = 0;
        if (!s->names) {
            s->phase = R_NAMES;
            q->op = MIG_OP_SOURCE_USERS;
            return 0;
        }
        rc = begin(s, a, q, why, whysz);
    } else if (s->delegating) {
        rc = delegate(s, a, q, why, whysz);
    } else if (a->status == MIG_ERR_CANCELLED) {
        rc = onCancel(s, a, q);
    } else if (s->phase == R_NAMES) {
        rc = onNames(s, a, q, why, whysz);
    } else if (s->phase == R_CHECK) {
        rc = onCheck(s, a, q, why, whysz);
    } else {
        rc = own(s, a, q, why, whysz);
    }
    if (rc != 0 && s->nomem) snprintf(why, whysz, "%s", MIGRATOR_NOMEM);
    else if (rc != 0 && !why[0]) snprintf(why, whysz, "resume: unexpected reply %s", migStatusName(a->status));
    return rc;
}

static void resumeClose(void *self) {
    resume *s = self;
    if (!s) return;
    wizardClose(s->wiz);
    for (uint32_t i = 0; s->names && i < s->env->nusers; i++) free(s->names[i]);
    free(s->names);
    free(s->j);
    free(s->mine);
    free(s->rest);
    free(s->run_copy);
    free(s);
}

static void *resumeOpen(const migEnv *env) {
    resume *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    size_t n = env->nusers ? env->nusers : 1;
    s->env = env;
    s->j = calloc(n, sizeof *s->j);
    s->mine = calloc(n, sizeof *s->mine);
    s->rest = calloc(n, sizeof *s->rest);
    s->wiz = wizardOpen(env, NULL);
    if (!s->j || !s->mine || !s->rest || !s->wiz) {
        resumeClose(s);
        return NULL;
    }
    return s;
}

static const migrator resumeDef = {
    MIGRATOR_ABI, "resume", "wizard", resumeOpen, resumeNext, resumeClose,
};

const migrator *resumeMigrator(void) {
    return &resumeDef;
}
