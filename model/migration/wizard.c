/*
** The Exchange Migration Wizard (mailmig.exe), as a migrator on the engine
** (migrator.h): everything it knows comes from replies, everything it
** changes goes through requests.  docs/semantics.md, "The wizard", gives the
** rules; in short:
**
** Stage 1, one slot of wizard.account_time per selected user: match the
** source user's X500 address, else its primary SMTP address, among live
** accounts' proxyAddresses on the run's DC; a match has its blank attributes
** filled (mailbox-enabled if need be), no match gets a disabled account
** CN=<user>,OU=Migrated with a new mailbox GUID.  Either way the wizard
** associates the user with that account and mailbox (the user's logon
** follows it), and with `protect` marks the mailbox so mail bounces until a
** pass has filled it.
**
** Stage 2, per user in order: log on to the mailbox through the wizard's
** server.  If the store finds no live account carrying the mailbox on its
** DC, event 13003: retry every wizard.retry_interval until
** wizard.retry_window after the first failure, then skip the mailbox.  Else
** clone when the mailbox does not exist (folder IDs kept), merge when it
** does ("clone mode not possible, mailbox initialized: switching to merge
** mode"), copying wizard.batch source items per request.
**
** A run ends with the closing log: one line per selected mailbox and a
** mailmig-style status, 0 success, 1 warnings (cancelled, merge mode),
** 2 errors (a mailbox skipped, an account not made, an item failed).
**
** The wizard keeps, across runs of one simulation, the mailboxes a
** completed pass filled: a later run does not protect them again.
**
** The built-in strategies reuse it (wizard.h): wizardOpen gives an instance
** with hooks (refuse-initialized stops a user at an initialized target
** instead of merging), and wizardNext drives it, so a strategy that wraps
** the wizard (wait-then-rerun, resume) adds only its own requests.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kernel/array.h"
#include "migration/wizard.h"

/* Where a selected user stands in the current run. */
enum wuState { WU_PENDING, WU_READY, WU_NOACCOUNT, WU_INPASS, WU_DONE, WU_SKIPPED, WU_CANCELLED, WU_REFUSED };

/* What the wizard is waiting for: the reply to which request of which stage. */
enum phase {
    P_IDLE, P_SOURCE, P_FIND_X500, P_FIND_SMTP, P_ENABLE, P_FILL_MAIL, P_FILL_PROXIES, P_ADD,
    P_ASSOCIATE, P_PROTECT, P_SLOT_END, P_LOGON, P_RETRY_WAIT, P_PREPARE, P_COPY, P_UNPROTECT,
    P_MAILBOX_DONE
};

typedef struct wizUser {
    uint32_t user;
    int state;
    char name[64], smtp[96], x500[168];
    int64_t nitems;
    guid account, mbx;
    int merge, passed;
    int64_t copied, skipped, replaced, failed;
    int64_t next_item;
} wizUser;

typedef struct wizard {
    const migEnv *env;
    int nomem;             /* an allocation failed: next says "out of memory" (the run stops, exit 2) */
    migStart run;
    wizUser *u;
    size_t n, cur;
    enum phase phase;
    simtime slot_end, first_fail;
    int64_t attempts;
    int cancelled;
    /* the match in progress */
    char by[16], fill[160], key[120], match_dn[512];
    size_t candidates;
    int has_mailbox, has_home, has_legacy, has_mail;
    char *proxies[32];
    size_t nproxies;
    const char *mail_value[1];
    /* across runs */
    guid *filled;              /* mailboxes a completed pass filled */
    size_t nfilled, capfilled;
    int64_t batch;             /* wizard.batch */
    wizardHooks hooks;         /* a strategy's decisions (none: the wizard's own) */
} wizard;

/* ---- records ------------------------------------------------------- */

static void emit(wizard *w, traceRecord *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void emit(wizard *w, traceRecord *r, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    w->env->emit(w->env->engine, r, text);
}

static traceRecord record(const wizUser *wu, traceKind kind) {
    traceRecord r = traceNew(kind, "wizard");
    if (wu) r.user = wu->name;
    return r;
}

static const char *serverName(const wizard *w) {
    return w->env->server_names[w->run.server];
}

static const char *dcName(const wizard *w, int dc) {
    return dc >= 0 && dc < w->env->ndcs ? w->env->dc_names[dc] : "?";
}

/* ---- requests ------------------------------------------------------ */

static void ask(wizard *w, migRequest *q, migOp op, enum phase next) {
    q->op = op;
    q->dc = w->run.dc;
    q->server = w->run.server;
    w->phase = next;
    if (w->cur < w->n) {
        q->user = w->u[w->cur].user;
        q->object = w->u[w->cur].account;
        q->mailbox = w->u[w->cur].mbx;
    }
}

/* ---- the closing log ----------------------------------------------- */

static const char *stateWord(int state) {
    switch (state) {
    case WU_DONE: return "completed";
    case WU_SKIPPED: return "skipped: event 13003, could not log on to the target mailbox";
    case WU_NOACCOUNT: return "failed: no target account";
    case WU_CANCELLED: return "cancelled during the copy";
    case WU_REFUSED: return "refused: the target mailbox is initialized";
    default: return "not processed";
    }
}

/* The wizard's own account of a pass, as fields. */
static void passFields(traceRecord *r, const wizUser *wu) {
    traceStr(r, "mode", wu->merge ? "merge" : "clone");
    traceInt(r, "copied", wu->copied);
    traceInt(r, "skipped", wu->skipped);
    traceInt(r, "replaced", wu->replaced);
    traceInt(r, "failed", wu->failed);
}

static void closingLog(wizard *w) {
    int errors = 0, warnings = w->cancelled;
    size_t done = 0, skipped = 0, failed = 0, cancelled = 0, idle = 0;
    traceRecord head = record(NULL, TR_WIZ_LOG);
    traceStr(&head, "state", w->cancelled ? "cancelled" : "finished");
    emit(w, &head, "run %d log (%s):", w->run.run, w->cancelled ? "cancelled" : "finished");
    for (size_t i = 0; i < w->n; i++) {
        const wizUser *wu = &w->u[i];
        if (wu->state == WU_SKIPPED || wu->state == WU_NOACCOUNT || wu->state == WU_REFUSED || wu->failed) errors = 1;
        if (wu->merge) warnings = 1;
        if (wu->state == WU_DONE) done++;
        else if (wu->state == WU_SKIPPED || wu->state == WU_REFUSED) skipped++;
        else if (wu->state == WU_NOACCOUNT) failed++;
        else if (wu->state == WU_CANCELLED) cancelled++;
        else idle++;
        traceRecord r = record(wu, TR_WIZ_LOG_MAILBOX);
        if (wu->passed) traceMailbox(&r, &wu->mbx);
        traceStr(&r, "state", stateWord(wu->state));
        if (!wu->passed) {
            emit(w, &r, "  %-8s -      %s", wu->name, stateWord(wu->state));
            continue;
        }
        passFields(&r, wu);
        emit(w, &r, "  %-8s %-5s copied=%lld skipped=%lld replaced=%lld failed=%lld  %s", wu->name,
             wu->merge ? "merge" : "clone", (long long)wu->copied, (long long)wu->skipped,
             (long long)wu->replaced, (long long)wu->failed, stateWord(wu->state));
    }
    int status = errors ? 2 : warnings ? 1 : 0;
    /* Every selected mailbox is counted once; failed and cancelled only when
    ** there are some, so the common line stays short. */
    char more[64] = "";
    if (failed) snprintf(more, sizeof more, ", %zu failed", failed);
    if (cancelled) snprintf(more + strlen(more), sizeof more - strlen(more), ", %zu cancelled", cancelled);
    traceRecord r = record(NULL, TR_WIZ_STATUS);
    traceInt(&r, "status", status);
    traceInt(&r, "completed", (int64_t)done);
    traceInt(&r, "skipped", (int64_t)skipped);
    traceInt(&r, "failed", (int64_t)failed);
    traceInt(&r, "cancelled", (int64_t)cancelled);
    traceInt(&r, "not_processed", (int64_t)idle);
    emit(w, &r, "run %d exit status %d (%s): %zu completed, %zu skipped%s, %zu not processed", w->run.run, status,
         status == 2 ? "errors" : status == 1 ? "warnings" : "success", done, skipped, more, idle);
}

static int finish(wizard *w, migRequest *q) {
    closingLog(w);
    w->phase = P_IDLE;
    q->op = MIG_DONE;
    return 0;
}

/* ---- stage 1 ------------------------------------------------------- */

static int hasProxy(char *const *v, size_t n, const char *p) {
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], p) == 0) return 1;
    return 0;
}

static int hasPrimarySmtp(char *const *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i], "SMTP:", 5) == 0) return 1;
    return 0;
}

static void addFill(wizard *w, const char *what) {
    size_t len = strlen(w->fill);
    snprintf(w->fill + len, sizeof w->fill - len, "%s%s", len ? ", " : "", what);
}

static void freeProxies(wizard *w) {
    for (size_t i = 0; i < w->nproxies; i++) free(w->proxies[i]);
    w->nproxies = 0;
}

/* Begin user w->cur's slot (or stage 2 after the last). */
static int nextUser(wizard *w, migRequest *q, simtime now);
static int stage2(wizard *w, migRequest *q);

static int slotEnd(wizard *w, migRequest *q, simtime now) {
    if (now >= w->slot_end) {
        w->cur++;
        return nextUser(w, q, now);
    }
    ask(w, q, MIG_OP_SLEEP, P_SLOT_END);
    q->duration = w->slot_end - now;
    return 0;
}

static void logMatch(wizard *w, wizUser *wu) {
    char mg[GUID_STRLEN];
    traceRecord r = record(wu, TR_WIZ_ACCOUNT_MATCH);
    r.dc = dcName(w, w->run.dc);
    traceObject(&r, &wu->account);
    traceMailbox(&r, &wu->mbx);
    traceStr(&r, "by", w->by);
    traceStr(&r, "filled", w->fill);
    traceStr(&r, "dn", w->match_dn);
    traceInt(&r, "candidates", (int64_t)w->candidates);
    emit(w, &r, "%s: matched %s on %s by %s%s%s%s; mailbox GUID %s", wu->name, w->match_dn, r.dc, w->by,
         w->candidates > 1 ? " (first of several, by GUID)" : "", w->fill[0] ? "; filled: " : "", w->fill,
         guidFormat(&wu->mbx, mg));
}

/* After the account is settled: associate, maybe protect, then the slot's end. */
static int associate(wizard *w, migRequest *q) {
    ask(w, q, MIG_OP_STORE_ASSOCIATE, P_ASSOCIATE);
    return 0;
}

static int filled(const wizard *w, const guid *mbx) {
    for (size_t i = 0; i < w->nfilled; i++)
        if (guidCompare(&w->filled[i], mbx) == 0) return 1;
    return 0;
}

/* Where stage 1 failed for a user: a search, the create, an update of the match. */
enum acctStep { ACCT_SEARCH, ACCT_CREATE, ACCT_UPDATE };

static int accountFailed(wizard *w, migRequest *q, simtime now, const char *why, enum acctStep at) {
    wizUser *wu = &w->u[w->cur];
    wu->state = WU_NOACCOUNT;
    traceRecord r = record(wu, TR_WIZ_ACCOUNT_ERROR);
    r.dc = dcName(w, w->run.dc);
    traceStr(&r, "reason", why);
    if (at == ACCT_SEARCH)
        emit(w, &r, "%s: %s cannot answer a search (%s): no account matched or created", wu->name, r.dc, why);
    else if (at == ACCT_CREATE)
        emit(w, &r, "%s: no match on %s, and CN=%s cannot be created in OU=Migrated there: %s", wu->name, r.dc,
             wu->name, why);
    else
        emit(w, &r, "%s: cannot update the matched account on %s", wu->name, r.dc);
    return slotEnd(w, q, now);
}

/* Fill the matched account's blanks one request at a time, then associate. */
static int fillNext(wizard *w, migRequest *q) {
    wizUser *wu = &w->u[w->cur];
    if (w->phase < P_ENABLE && (!w->has_mailbox || !w->has_home || !w->has_legacy)) {
        ask(w, q, MIG_OP_DIR_MAILBOX_ENABLE, P_ENABLE);
        return 0;
    }
    if (w->phase < P_FILL_MAIL && !w->has_mail) {
        ask(w, q, MIG_OP_DIR_MODIFY, P_FILL_MAIL);
        q->attr = "mail";
        w->mail_value[0] = wu->smtp;
        q->values = w->mail_value;
        q->nvalues = 1;
        return 0;
    }
    if (w->phase < P_FILL_PROXIES) {
        /* proxyAddresses is multi-valued: add what is missing, keep the rest. */
        size_t n0 = w->nproxies;
        char smtp[120];
        snprintf(smtp, sizeof smtp, "%s:%s", hasPrimarySmtp(w->proxies, w->nproxies) ? "smtp" : "SMTP", wu->smtp);
        if (!hasProxy(w->proxies, w->nproxies, smtp) && !(w->proxies[w->nproxies++] = strdup(smtp)))
            return w->nomem = 1, -1;
        if (!hasProxy(w->proxies, w->nproxies, wu->x500) && !(w->proxies[w->nproxies++] = strdup(wu->x500)))
            return w->nomem = 1, -1;
        if (w->nproxies != n0) {
            ask(w, q, MIG_OP_DIR_MODIFY, P_FILL_PROXIES);
            q->attr = "proxyAddresses";
            q->values = (const char *const *)w->proxies;
            q->nvalues = w->nproxies;
            return 0;
        }
    }
    wu->state = WU_READY;
    logMatch(w, wu);
    return associate(w, q);
}

static int onFound(wizard *w, migRequest *q, const migReply *a) {
    wizUser *wu = &w->u[w->cur];
    const migEntry *m = &a->entries[0];
    w->candidates = a->nentries;
    w->has_mailbox = m->has_mailbox;
    w->has_home = m->home_server != NULL;
    w->has_legacy = m->legacy_dn != NULL;
    w->has_mail = m->mail != NULL;
    wu->account = m->object;
    wu->mbx = m->mailbox;
    freeProxies(w);
    for (size_t i = 0; i < m->nproxies && i < 30; i++) {
        char *c = strdup(m->proxies[i]);
        if (!c) return w->nomem = 1, -1;
        w->proxies[w->nproxies++] = c;
    }
    snprintf(w->match_dn, sizeof w->match_dn, "%s", m->dn ? m->dn : "");
    w->fill[0] = '\0';
    w->phase = P_FIND_SMTP;   /* so fillNext starts at the mailbox-enable test */
    return fillNext(w, q);
}

static int stage1(wizard *w, migRequest *q, const migReply *a) {
    wizUser *wu = &w->u[w->cur];
    char mg[GUID_STRLEN];
    switch (w->phase) {
    case P_SOURCE:
        snprintf(wu->name, sizeof wu->name, "%s", a->user_name);
        snprintf(wu->smtp, sizeof wu->smtp, "%s", a->smtp);
        snprintf(wu->x500, sizeof wu->x500, "%s", a->x500);
        wu->nitems = a->items;
        ask(w, q, MIG_OP_DIR_SEARCH, P_FIND_X500);
        q->by = MIG_BY_X500;
        q->key = wu->x500;
        snprintf(w->by, sizeof w->by, "X500 address");
        return 0;
    case P_FIND_X500:
    case P_FIND_SMTP:
        /* A failed DC answers no search: the user fails at the first. */
        if (a->status == MIG_ERR_UNAVAILABLE) return accountFailed(w, q, a->now, "the DC is failed", ACCT_SEARCH);
        if (a->status == MIG_OK && a->nentries) return onFound(w, q, a);
        if (w->phase == P_FIND_SMTP) {
            ask(w, q, MIG_OP_DIR_ADD, P_ADD);
            return 0;
        }
        ask(w, q, MIG_OP_DIR_SEARCH, P_FIND_SMTP);
        q->by = MIG_BY_SMTP;
        snprintf(w->key, sizeof w->key, "SMTP:%s", wu->smtp);
        q->key = w->key;
        snprintf(w->by, sizeof w->by, "SMTP address");
        return 0;
    case P_ENABLE:
        if (a->status != MIG_OK) return accountFailed(w, q, a->now, "cannot update", ACCT_UPDATE);
        if (!w->has_mailbox) addFill(w, "mailbox-enabled it");
        if (!w->has_home) addFill(w, "homeMDB");
        if (!w->has_legacy) addFill(w, "legacyExchangeDN");
        wu->mbx = a->mailbox;
        return fillNext(w, q);
    case P_FILL_MAIL:
        if (a->status != MIG_OK) return accountFailed(w, q, a->now, "cannot update", ACCT_UPDATE);
        addFill(w, "mail");
        return fillNext(w, q);
    case P_FILL_PROXIES:
        if (a->status != MIG_OK) return accountFailed(w, q, a->now, "cannot update", ACCT_UPDATE);
        addFill(w, "proxyAddresses");
        return fillNext(w, q);
    case P_ADD:
        if (a->status != MIG_OK)
            return accountFailed(w, q, a->now, a->status == MIG_ERR_UNAVAILABLE ? "the DC is failed" : "the name is taken",
                                 ACCT_CREATE);
        wu->account = a->object;
        wu->mbx = a->mailbox;
        wu->state = WU_READY;
        {
            traceRecord r = record(wu, TR_WIZ_ACCOUNT_CREATE);
            r.dc = dcName(w, w->run.dc);
            traceObject(&r, &wu->account);
            traceMailbox(&r, &wu->mbx);
            traceStr(&r, "dn", a->dn);
            emit(w, &r, "%s: no match on %s: created disabled account %s, mailbox GUID %s", wu->name, r.dc, a->dn,
                 guidFormat(&wu->mbx, mg));
        }
        return associate(w, q);
    case P_ASSOCIATE:
        if (w->run.protect && !filled(w, &wu->mbx)) {
            ask(w, q, MIG_OP_STORE_PROTECT, P_PROTECT);
            q->on = 1;
            return 0;
        }
        return slotEnd(w, q, a->now);
    case P_PROTECT:
        return slotEnd(w, q, a->now);
    case P_SLOT_END:
        w->cur++;
        return nextUser(w, q, a->now);
    default:
        return -1;
    }
}

static int nextUser(wizard *w, migRequest *q, simtime now) {
    if (w->cur >= w->n) {
        /* Stage 2 starts when the last slot ends. */
        traceRecord r = record(NULL, TR_WIZ_STAGE2);
        r.dc = dcName(w, w->run.dc);
        emit(w, &r, "run %d stage 2: copying mailbox data to %s (logons checked on %s)", w->run.run,
             serverName(w), w->env->dc_names[w->env->server_dcs[w->run.server]]);
        w->cur = 0;
        return stage2(w, q);
    }
    w->slot_end = now + w->env->account_time;
    ask(w, q, MIG_OP_SOURCE_MAILBOX, P_SOURCE);
    return 0;
}

/* ---- stage 2 ------------------------------------------------------- */

static int logon(wizard *w, migRequest *q) {
    ask(w, q, MIG_OP_STORE_LOGON, P_LOGON);
    return 0;
}

/* The next user with an account from w->cur on; a user whose account failed
** in stage 1 is a mailbox finished (skipped), reported as such. */
static int stage2(wizard *w, migRequest *q) {
    if (w->cur < w->n && w->u[w->cur].state == WU_NOACCOUNT) {
        ask(w, q, MIG_OP_MAILBOX_DONE, P_MAILBOX_DONE);
        return 0;
    }
    if (w->cur >= w->n) {
        traceRecord r = record(NULL, TR_WIZ_DONE);
        emit(w, &r, "run %d finished", w->run.run);
        return finish(w, q);
    }
    w->first_fail = -1;
    w->attempts = 0;
    return logon(w, q);
}

static int mailboxDone(wizard *w, migRequest *q) {
    ask(w, q, MIG_OP_MAILBOX_DONE, P_MAILBOX_DONE);
    return 0;
}

static int copyNext(wizard *w, migRequest *q) {
    wizUser *wu = &w->u[w->cur];
    if (wu->next_item >= wu->nitems) {
        wu->state = WU_DONE;
        traceRecord r = record(wu, TR_WIZ_PASS_DONE);
        traceMailbox(&r, &wu->mbx);
        passFields(&r, wu);
        emit(w, &r, "%s: %s finished: %lld copied, %lld skipped, %lld replaced, %lld failed", wu->name,
             wu->merge ? "merge" : "clone", (long long)wu->copied, (long long)wu->skipped, (long long)wu->replaced,
             (long long)wu->failed);
        if (!filled(w, &wu->mbx)) {
            if (w->nfilled == w->capfilled && arrayGrow(&w->filled, &w->capfilled, sizeof *w->filled, 16) != MS_OK)
                return w->nomem = 1, -1;
            w->filled[w->nfilled++] = wu->mbx;
        }
        if (w->run.protect) {
            ask(w, q, MIG_OP_STORE_PROTECT, P_UNPROTECT);
            q->on = 0;
            return 0;
        }
        return mailboxDone(w, q);
    }
    ask(w, q, MIG_OP_STORE_COPY, P_COPY);
    q->mode = wu->merge ? MIG_MERGE : MIG_CLONE;
    q->first = wu->next_item;
    q->count = wu->nitems - wu->next_item < w->batch ? wu->nitems - wu->next_item : w->batch;
    wu->next_item += q->count;
    return 0;
}

static int onLogon(wizard *w, migRequest *q, const migReply *a) {
    wizUser *wu = &w->u[w->cur];
    char mg[GUID_STRLEN], t[CLOCK_BUFSZ], win[CLOCK_BUFSZ];
    guidFormat(&wu->mbx, mg);
    /* A logon fails the same way whether the store finds no account or cannot reach its DC. */
    if (a->status == MIG_ERR_LOGON_FAILED || a->status == MIG_ERR_UNAVAILABLE) {
        if (w->first_fail < 0) {
            w->first_fail = a->now;
            /* MSExchangeMig 13003 is the wizard's own event (KB 842631), logged
            ** where the wizard runs; the cause is the store's lookup on its DC. */
            int sdc = w->env->server_dcs[w->run.server];
            traceRecord r = record(wu, TR_WIZ_13003);
            r.dc = dcName(w, sdc);
            traceMailbox(&r, &wu->mbx);
            traceInt(&r, "last_attempt_at", w->first_fail + w->env->retry_window);
            if (a->status == MIG_ERR_UNAVAILABLE) traceStr(&r, "cause", "dc failed");
            emit(w, &r, "%s: event 13003 (MSExchangeMig), failed to log on to the target mailbox %s on %s: %s %s; "
                 "retrying every %s, the last attempt at %s", wu->name, mg, serverName(w),
                 a->status == MIG_ERR_UNAVAILABLE ? "the store cannot reach its DC, failed:"
                                                  : "the store finds no live account carrying it on",
                 r.dc, durationFormat(w->env->retry_interval, t),
                 clockFormat(w->first_fail + w->env->retry_window, win));
        }
        int64_t n = w->attempts + 1;
        if (n * w->env->retry_interval <= w->env->retry_window) {
            w->attempts = n;
            ask(w, q, MIG_OP_SLEEP, P_RETRY_WAIT);
            q->duration = w->first_fail + n * w->env->retry_interval - a->now;
            if (q->duration < 0) q->duration = 0;
            return 0;
        }
        wu->state = WU_SKIPPED;
        traceRecord r = record(wu, TR_WIZ_SKIP);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "attempts", w->attempts);
        emit(w, &r, "%s: still no logon after %lld retries (event 13003): mailbox skipped as failed", wu->name,
             (long long)w->attempts);
        return mailboxDone(w, q);
    }
    if (a->status != MIG_OK) return -1;
    if (w->attempts) {
        traceRecord r = record(wu, TR_WIZ_LOGON_RETRY);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "attempt", w->attempts);
        emit(w, &r, "%s: logon to mailbox %s on %s succeeded at retry %lld", wu->name, mg, serverName(w),
             (long long)w->attempts);
    }
    if (a->exists && w->hooks.initialized && w->hooks.initialized(w->hooks.ctx, wu->user, wu->name, &wu->mbx, a)) {
        wu->state = WU_REFUSED;
        return mailboxDone(w, q);
    }
    wu->passed = 1;
    wu->copied = wu->skipped = wu->replaced = wu->failed = 0;
    wu->next_item = 0;
    wu->merge = a->exists;
    if (wu->merge) {
        traceRecord r = record(wu, TR_WIZ_MERGE);
        traceMailbox(&r, &wu->mbx);
        traceStr(&r, "initialized_by", migInitName(a->initialized_by));
        traceInt(&r, "initialized_at", a->initialized_at);
        emit(w, &r, "%s: clone mode not possible, mailbox initialized: switching to merge mode (mailbox %s on %s, "
             "initialized by %s at %s)", wu->name, mg, serverName(w), migInitName(a->initialized_by),
             clockFormat(a->initialized_at, t));
    }
    ask(w, q, MIG_OP_STORE_PREPARE, P_PREPARE);
    q->mode = wu->merge ? MIG_MERGE : MIG_CLONE;
    return 0;
}

static int onPrepare(wizard *w, migRequest *q, const migReply *a) {
    wizUser *wu = &w->u[w->cur];
    char mg[GUID_STRLEN];
    guidFormat(&wu->mbx, mg);
    if (a->status != MIG_OK) {
        wu->state = WU_SKIPPED;
        traceRecord r = record(wu, TR_WIZ_ERROR);
        traceMailbox(&r, &wu->mbx);
        emit(w, &r, "%s: the store on %s refused mailbox %s", wu->name, serverName(w), mg);
        return mailboxDone(w, q);
    }
    if (!wu->merge) {
        traceRecord r = record(wu, TR_WIZ_CLONE);
        traceMailbox(&r, &wu->mbx);
        emit(w, &r, "%s: logged on to mailbox %s on %s: not initialized, clone mode (folder IDs kept)", wu->name, mg,
             serverName(w));
    }
    if (wu->merge && a->folders_created) {
        traceRecord r = record(wu, TR_WIZ_MERGE_FOLDERS);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "folders", a->folders_created);
        emit(w, &r, "%s: %lld folder%s missing in the target: created with new folder IDs", wu->name,
             (long long)a->folders_created, a->folders_created == 1 ? "" : "s");
    }
    if (wu->merge && a->rules) {
        traceRecord r = record(wu, TR_WIZ_MERGE_RULES);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "rules", a->rules);
        emit(w, &r, "%s: %lld rule%s copied as %s; %s", wu->name, (long long)a->rules, a->rules == 1 ? "" : "s",
             a->rules == 1 ? "it is" : "they are",
             a->rules == 1 ? "it names a source folder ID" : "they name source folder IDs");
    }
    wu->state = WU_INPASS;
    return copyNext(w, q);
}

static int stage2Reply(wizard *w, migRequest *q, const migReply *a) {
    wizUser *wu = &w->u[w->cur];
    switch (w->phase) {
    case P_LOGON: return onLogon(w, q, a);
    case P_RETRY_WAIT: return logon(w, q);
    case P_PREPARE: return onPrepare(w, q, a);
    case P_COPY:
        wu->copied += a->copied;
        wu->skipped += a->skipped;
        wu->replaced += a->replaced;
        wu->failed += a->failed;
        return copyNext(w, q);
    case P_UNPROTECT: return mailboxDone(w, q);
    case P_MAILBOX_DONE:
        w->cur++;
        return stage2(w, q);
    default: return -1;
    }
}

/* ---- the migrator -------------------------------------------------- */

void *wizardOpen(const migEnv *env, const wizardHooks *hooks) {
    wizard *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->env = env;
    w->batch = env->batch > 0 ? env->batch : 100;
    if (hooks) w->hooks = *hooks;
    return w;
}

static void *wizOpenInstance(const migEnv *env) {
    return wizardOpen(env, NULL);
}

void wizardClose(void *self) {
    wizard *w = self;
    if (!w) return;
    freeProxies(w);
    free(w->u);
    free(w->filled);
    free(w);
}

static int start(wizard *w, migRequest *q, const migReply *a) {
    w->run = a->start;
    free(w->u);
    w->u = calloc(a->start.nusers ? a->start.nusers : 1, sizeof *w->u);
    if (!w->u) return w->nomem = 1, -1;
    w->n = a->start.nusers;
    for (size_t i = 0; i < w->n; i++) w->u[i].user = a->start.users[i];
    w->cur = 0;
    w->cancelled = 0;
    traceRecord r = record(NULL, TR_WIZ_START);
    r.dc = dcName(w, w->run.dc);
    traceInt(&r, "users", (int64_t)w->n);
    traceInt(&r, "protect", w->run.protect);
    emit(w, &r, "run %d: %zu user%s, accounts matched or created on %s, mailboxes to %s, clone mode%s", w->run.run,
         w->n, w->n == 1 ? "" : "s", r.dc, serverName(w),
         w->run.protect ? ", protect (mail to unfilled mailboxes bounces)" : "");
    if (w->n == 0) return finish(w, q);
    return nextUser(w, q, a->now);
}

int wizardNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    wizard *w = self;
    int rc;
    if (a->status == MIG_START) {
        rc = start(w, q, a);
    } else if (a->status == MIG_ERR_CANCELLED) {
        /* The operator cancelled: a pass under way is cancelled, and the log closes the run. */
        w->cancelled = 1;
        if (w->cur < w->n && w->u[w->cur].state == WU_INPASS) {
            wizUser *wu = &w->u[w->cur];
            wu->state = WU_CANCELLED;
            /* A batch in flight wrote its rows before the cancel: they count. */
            if (w->phase == P_COPY) {
                wu->copied += a->copied;
                wu->skipped += a->skipped;
                wu->replaced += a->replaced;
                wu->failed += a->failed;
            }
        }
        rc = finish(w, q);
    } else if (w->phase >= P_LOGON) {
        rc = stage2Reply(w, q, a);
    } else {
        rc = stage1(w, q, a);
    }
    if (rc != 0 && w->nomem) snprintf(why, whysz, "%s", MIGRATOR_NOMEM);
    else if (rc != 0) snprintf(why, whysz, "wizard: unexpected reply %s to %s", migStatusName(a->status), "its request");
    return rc;
}

static const migrator wizardMigratorDef = {
    MIGRATOR_ABI, "wizard2003", "wizard", wizOpenInstance, wizardNext, wizardClose,
};

const migrator *wizardMigrator(void) {
    return &wizardMigratorDef;
}
