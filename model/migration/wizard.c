/*
** The Exchange Migration Wizard.  See wizard.h for the rules.
**
** A run is a chain of events: one per stage-1 slot, one per logon attempt,
** one per batch boundary.  Each event carries the run's generation number;
** cancelling bumps it, so events already queued for a cancelled run find
** themselves stale and do nothing (the event queue never removes events).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kernel/kernel.h"
#include "exchange/sqlstmt.h"
#include "migration/wizard.h"

enum wzStmt {
    WS_ACCT_ADD, WS_ASSOC, WS_ACCOUNTS, WS_USERS, WS_PASS_ADD, WS_PASS_END, WS_LAST_PASS,
    WS_LAST_PASS_INTO, WS_MERGED_INTO, WS_UNPROTECT, WS_IS_PROTECTED,
    WS__COUNT
};

static const char schema[] =
    "CREATE TABLE wiz_account(id INTEGER PRIMARY KEY, run INTEGER NOT NULL, user INTEGER NOT NULL,"
    " account TEXT NOT NULL, mbx TEXT NOT NULL, server INTEGER NOT NULL, created INTEGER NOT NULL,"
    " protected INTEGER NOT NULL,"
    " UNIQUE(user, id), UNIQUE(mbx, id));"
    "CREATE TABLE pass(id INTEGER PRIMARY KEY, run INTEGER NOT NULL, user INTEGER NOT NULL,"
    " server INTEGER NOT NULL, mbx TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL,"
    " copied INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
    " replaced INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
    " started INTEGER NOT NULL, ended INTEGER, UNIQUE(user, id), UNIQUE(mbx, id));"
    /* Every run adds rows for the mailboxes it touches, so a query over all of
    ** a mailbox's rows made each rerun cost O(runs).  These partial indexes
    ** hold only the few rows the protect rules ask about. */
    "CREATE INDEX wiz_account_protected ON wiz_account(mbx) WHERE protected = 1;"
    "CREATE INDEX pass_completed ON pass(mbx) WHERE status = 'completed';"
    "CREATE INDEX pass_merge ON pass(mbx) WHERE mode = 'merge';";

static const char *const sql[WS__COUNT] = {
    /* Protected only while the wizard has not filled the mailbox: a mailbox
    ** a completed pass went into is not protected again by a later run. */
    [WS_ACCT_ADD] = "INSERT INTO wiz_account(run, user, account, mbx, server, created, protected)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7 AND NOT EXISTS (SELECT 1 FROM pass"
                    " WHERE mbx = ?4 AND status = 'completed'))",
    [WS_ASSOC] = "SELECT account, mbx, server FROM wiz_account WHERE user = ?1 ORDER BY id DESC LIMIT 1",
    [WS_ACCOUNTS] = "SELECT DISTINCT account FROM wiz_account WHERE user = ?1 ORDER BY account",
    [WS_USERS] = "SELECT DISTINCT user FROM wiz_account ORDER BY user",
    [WS_PASS_ADD] = "INSERT INTO pass(run, user, server, mbx, mode, status, started)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, 'running', ?6)",
    [WS_PASS_END] = "UPDATE pass SET status = ?2, copied = ?3, skipped = ?4, replaced = ?5,"
                    " failed = ?6, ended = ?7 WHERE id = ?1",
    [WS_LAST_PASS] = "SELECT id, run, user, server, mbx, mode, status FROM pass WHERE user = ?1"
                     " ORDER BY id DESC LIMIT 1",
    [WS_LAST_PASS_INTO] = "SELECT id, run, user, server, mbx, mode, status FROM pass WHERE mbx = ?1"
                          " ORDER BY id DESC LIMIT 1",
    [WS_MERGED_INTO] = "SELECT count(*) FROM pass WHERE mbx = ?1 AND mode = 'merge'",
    [WS_UNPROTECT] = "UPDATE wiz_account SET protected = 0 WHERE mbx = ?1 AND protected = 1",
    [WS_IS_PROTECTED] = "SELECT count(*) FROM wiz_account WHERE mbx = ?1 AND protected = 1",
};

/* Where a selected user stands in the current run. */
enum wuState { WU_PENDING, WU_READY, WU_NOACCOUNT, WU_INPASS, WU_DONE, WU_SKIPPED, WU_CANCELLED };

typedef struct wizUser {
    uint32_t user;
    int state;
    guid account, mbx;
    int merge, passed;
    int64_t pass_id;
    mergeCounts c;
} wizUser;

struct wizard {
    exchange *x;
    int server, dc;             /* the wizard statement's */
    int64_t rate;
    int protect;
    int runs;                   /* runs started so far */
    sqlite3_stmt *st[WS__COUNT];

    /* The current (or last) run. */
    int active, run, run_dc, cancelled;
    int stage2;                 /* stage 2 has begun: mailbox boundaries exist */
    uint64_t gen;
    wizUser *u;
    size_t n, cur;
    int64_t mbx_row, next_item, last_item;
    simtime first_fail;
    int64_t attempts;           /* retries after the first 13003 */
    int64_t finished, items;
    int armed;                  /* a `cancel when` is waiting */
    cancelWhen arm;
    int64_t arm_n;
    int settled;                /* 1 cancelled by the armed condition, -1 the run ended first */
};

/* A trace record of the wizard's, about su (NULL: the run as a whole). */
static traceRecord wizRecord(const wizard *w, traceKind kind, const srcUser *su) {
    traceRecord r = traceNew(kind, "wizard");
    r.run = w->run;
    r.server = w->x->servers[w->server].name;
    if (su) r.user = su->name;
    return r;
}

/* ---- statements ---------------------------------------------------- */

static sqlite3_stmt *prep(wizard *w, enum wzStmt k) {
    return sqlCached(w->x->db, &w->st[k], sql[k]);
}

static void columnGuid(sqlite3_stmt *st, int i, guid *g) {
    const char *t = (const char *)sqlite3_column_text(st, i);
    memset(g, 0, sizeof *g);
    if (t) guidParse(t, g);
}

static int stepDone(sqlite3_stmt *st) {
    if (!st) return 0;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

static int64_t countGuid(wizard *w, enum wzStmt k, const guid *g) {
    sqlite3_stmt *st = prep(w, k);
    if (!st) return 0;
    sqlBindGuid(st, 1, g);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return n;
}

static void unprotect(wizard *w, const guid *mbx) {
    sqlite3_stmt *st = prep(w, WS_UNPROTECT);
    if (!st) return;
    sqlBindGuid(st, 1, mbx);
    stepDone(st);
}

/* ---- public queries ------------------------------------------------ */

static const exMigratorView wizView = {wizAssociation, wizAccounts, wizProtected};

msStatus wizOpen(exchange *x, const wizConfig *cfg) {
    wizard *w = calloc(1, sizeof *w);
    if (!w) return MS_NOMEM;
    w->x = x;
    w->server = cfg->server;
    w->dc = cfg->dc;
    w->rate = cfg->rate > 0 ? cfg->rate : 1;
    w->protect = cfg->protect;
    x->wz = w;
    x->mv = &wizView;
    char *msg = NULL;
    if (sqlite3_exec(x->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(x->k->err, sizeof x->k->err, "wizard: %s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return MS_NOMEM;
    }
    return MS_OK;
}

void wizClose(wizard *w) {
    if (!w) return;
    w->x->wz = NULL;
    w->x->mv = NULL;
    for (int i = 0; i < WS__COUNT; i++) sqlite3_finalize(w->st[i]);
    free(w->u);
    free(w);
}

int wizActive(const wizard *w) {
    return w && w->active;
}

int wizRunNumber(const wizard *w) {
    return w ? w->run : 0;
}

int wizAssociation(exchange *x, uint32_t user, guid *account, guid *mbx, int *server) {
    sqlite3_stmt *st = x->wz ? prep(x->wz, WS_ASSOC) : NULL;
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, user);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        columnGuid(st, 0, account);
        columnGuid(st, 1, mbx);
        *server = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    return found;
}

size_t wizAccounts(exchange *x, uint32_t user, guid *out, size_t max) {
    sqlite3_stmt *st = x->wz ? prep(x->wz, WS_ACCOUNTS) : NULL;
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, user);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n < max) columnGuid(st, 0, &out[n]);
        n++;
    }
    sqlite3_reset(st);
    return n;
}

size_t wizUsers(exchange *x, uint32_t *out, size_t max) {
    sqlite3_stmt *st = x->wz ? prep(x->wz, WS_USERS) : NULL;
    if (!st) return 0;
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n < max) out[n] = (uint32_t)sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_reset(st);
    return n;
}

static int readPass(sqlite3_stmt *st, passInfo *out) {
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        out->id = sqlite3_column_int64(st, 0);
        out->run = sqlite3_column_int(st, 1);
        out->user = (uint32_t)sqlite3_column_int64(st, 2);
        out->server = sqlite3_column_int(st, 3);
        columnGuid(st, 4, &out->mbx);
        const char *mode = (const char *)sqlite3_column_text(st, 5);
        out->merge = mode && strcmp(mode, "merge") == 0;
        const char *status = (const char *)sqlite3_column_text(st, 6);
        snprintf(out->status, sizeof out->status, "%s", status ? status : "");
    }
    sqlite3_reset(st);
    return found;
}

int wizLastPass(exchange *x, uint32_t user, passInfo *out) {
    sqlite3_stmt *st = x->wz ? prep(x->wz, WS_LAST_PASS) : NULL;
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, user);
    return readPass(st, out);
}

int wizLastPassInto(exchange *x, const guid *mbx, passInfo *out) {
    sqlite3_stmt *st = x->wz ? prep(x->wz, WS_LAST_PASS_INTO) : NULL;
    if (!st) return 0;
    sqlBindGuid(st, 1, mbx);
    return readPass(st, out);
}

int wizMergedInto(exchange *x, const guid *mbx) {
    return x->wz && countGuid(x->wz, WS_MERGED_INTO, mbx) > 0;
}

int wizProtected(exchange *x, const guid *mbx) {
    return x->wz && countGuid(x->wz, WS_IS_PROTECTED, mbx) > 0;
}

/* ---- stage 1: accounts -------------------------------------------- */

static int hasProxy(const char *const *v, size_t n, const char *p) {
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(v[i], p) == 0) return 1;
    return 0;
}

static int hasPrimarySmtp(const char *const *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i], "SMTP:", 5) == 0) return 1;
    return 0;
}

/* Fill the blank attributes of a matched account (the wizard never
** overwrites); returns 0 on a directory failure.  fill names what was filled. */
static int fillBlanks(wizard *w, int dc, const guid *acct, const srcUser *su, guid *mbx,
                      char *fill, size_t fillsz) {
    exchange *x = w->x;
    fill[0] = '\0';
    /* Each blank attribute on its own: an account may carry a mailbox GUID
    ** and still lack homeMDB or legacyExchangeDN. */
    const char *g = dirGet(x->d, dc, acct, A_MAILBOXGUID);
    if (!g || guidParse(g, mbx) != 0) {
        char gs[GUID_STRLEN];
        guidNext(&x->k->guids, "mailbox", mbx);
        guidFormat(mbx, gs);
        const char *v1[] = {gs};
        if (dirModify(x->d, dc, acct, A_MAILBOXGUID, v1, 1) != MS_OK) return 0;
        snprintf(fill, fillsz, "mailbox-enabled it");
    }
    if (!dirGet(x->d, dc, acct, A_HOMEMDB)) {
        const char *v2[] = {x->servers[w->server].homemdb};
        if (dirModify(x->d, dc, acct, A_HOMEMDB, v2, 1) != MS_OK) return 0;
        snprintf(fill + strlen(fill), fillsz - strlen(fill), "%shomeMDB", fill[0] ? ", " : "");
    }
    if (!dirGet(x->d, dc, acct, A_LEGACYEXCHANGEDN)) {
        char leg[200];
        snprintf(leg, sizeof leg, "/o=Target/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
        const char *v3[] = {leg};
        if (dirModify(x->d, dc, acct, A_LEGACYEXCHANGEDN, v3, 1) != MS_OK) return 0;
        snprintf(fill + strlen(fill), fillsz - strlen(fill), "%slegacyExchangeDN", fill[0] ? ", " : "");
    }
    if (!dirGet(x->d, dc, acct, A_MAIL)) {
        const char *v[] = {su->smtp};
        if (dirModify(x->d, dc, acct, A_MAIL, v, 1) != MS_OK) return 0;
        snprintf(fill + strlen(fill), fillsz - strlen(fill), "%smail", fill[0] ? ", " : "");
    }
    /* proxyAddresses is multi-valued: add what is missing, keep the rest. */
    const char *old[32];
    size_t n = dirGetAll(x->d, dc, acct, A_PROXYADDRESSES, old, 32);
    if (n > 30) n = 30;
    char copy[32][200], smtp[120];
    const char *nv[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(copy[i], sizeof copy[i], "%s", old[i]);
        nv[i] = copy[i];
    }
    size_t m = n;
    snprintf(smtp, sizeof smtp, "%s:%s", hasPrimarySmtp(nv, n) ? "smtp" : "SMTP", su->smtp);
    if (!hasProxy(nv, m, smtp)) nv[m++] = smtp;
    if (!hasProxy(nv, m, su->x500)) nv[m++] = su->x500;
    if (m != n) {
        if (dirModify(x->d, dc, acct, A_PROXYADDRESSES, nv, m) != MS_OK) return 0;
        snprintf(fill + strlen(fill), fillsz - strlen(fill), "%sproxyAddresses", fill[0] ? ", " : "");
    }
    return 1;
}

static int createAccount(wizard *w, int dc, const srcUser *su, guid *acct, guid *mbx) {
    exchange *x = w->x;
    char gs[GUID_STRLEN], smtp[120], leg[200];
    guidNext(&x->k->guids, "mailbox", mbx);
    guidFormat(mbx, gs);
    snprintf(smtp, sizeof smtp, "SMTP:%s", su->smtp);
    snprintf(leg, sizeof leg, "/o=Target/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
    const dirValue v[] = {
        {A_OBJECTCLASS, "user"},
        {A_SAMACCOUNTNAME, su->name},
        {A_MAIL, su->smtp},
        {A_PROXYADDRESSES, smtp},
        {A_PROXYADDRESSES, su->x500},
        {A_LEGACYEXCHANGEDN, leg},
        {A_MAILBOXGUID, gs},
        {A_HOMEMDB, x->servers[w->server].homemdb},
        {A_USERACCOUNTCONTROL, "514"},
    };
    return dirAdd(x->d, dc, C_MIGRATED, su->name, v, sizeof v / sizeof v[0], acct) == MS_OK;
}

static void remember(wizard *w, wizUser *wu, int created) {
    sqlite3_stmt *st = prep(w, WS_ACCT_ADD);
    if (!st) return;
    sqlite3_bind_int(st, 1, w->run);
    sqlite3_bind_int64(st, 2, wu->user);
    sqlBindGuid(st, 3, &wu->account);
    sqlBindGuid(st, 4, &wu->mbx);
    sqlite3_bind_int(st, 5, w->server);
    sqlite3_bind_int(st, 6, created);
    sqlite3_bind_int(st, 7, w->protect);
    stepDone(st);
}

static void accountStage(wizard *w, wizUser *wu) {
    exchange *x = w->x;
    kernel *k = x->k;
    int dc = w->run_dc;
    const srcUser *su = sourceUser(&x->src, wu->user);
    const char *dcn = exDcName(x, dc);
    char smtp[120], dn[512], mg[GUID_STRLEN], fill[160];
    guid found[8];
    const char *by = "X500 address";
    size_t n = dirFindByProxy(x->d, dc, su->x500, found, 8);
    if (n == 0) {
        snprintf(smtp, sizeof smtp, "SMTP:%s", su->smtp);
        n = dirFindByProxy(x->d, dc, smtp, found, 8);
        by = "SMTP address";
    }
    if (n > 0) {
        wu->account = found[0];
        if (!fillBlanks(w, dc, &wu->account, su, &wu->mbx, fill, sizeof fill)) {
            wu->state = WU_NOACCOUNT;
            traceRecord r = wizRecord(w, TR_WIZ_ACCOUNT_ERROR, su);
            r.dc = dcn;
            traceObject(&r, &wu->account);
            traceStr(&r, "reason", "cannot update the matched account");
            kernelEmit(k, &r, "%s: cannot update the matched account on %s", su->name, dcn);
            return;
        }
        remember(w, wu, 0);
        wu->state = WU_READY;
        traceRecord r = wizRecord(w, TR_WIZ_ACCOUNT_MATCH, su);
        r.dc = dcn;
        traceObject(&r, &wu->account);
        traceMailbox(&r, &wu->mbx);
        traceStr(&r, "by", by);
        traceStr(&r, "filled", fill);
        traceInt(&r, "candidates", (int64_t)n);
        traceStr(&r, "dn", exAccountDn(x, dc, &wu->account, dn, sizeof dn));
        kernelEmit(k, &r, "%s: matched %s on %s by %s%s%s%s; mailbox GUID %s",
                   su->name, dn, dcn, by,
                   n > 1 ? " (first of several, by GUID)" : "", fill[0] ? "; filled: " : "", fill,
                   guidFormat(&wu->mbx, mg));
        return;
    }
    if (!createAccount(w, dc, su, &wu->account, &wu->mbx)) {
        wu->state = WU_NOACCOUNT;
        /* A failed DC takes no writes: say so rather than blame the name. */
        const char *why = dirDcFailed(x->d, dc) ? "the DC is failed" : "the name is taken";
        traceRecord r = wizRecord(w, TR_WIZ_ACCOUNT_ERROR, su);
        r.dc = dcn;
        traceStr(&r, "reason", why);
        kernelEmit(k, &r, "%s: no match on %s, and CN=%s cannot be created in OU=Migrated there: %s",
                   su->name, dcn, su->name, why);
        return;
    }
    remember(w, wu, 1);
    wu->state = WU_READY;
    traceRecord r = wizRecord(w, TR_WIZ_ACCOUNT_CREATE, su);
    r.dc = dcn;
    traceObject(&r, &wu->account);
    traceMailbox(&r, &wu->mbx);
    kernelEmit(k, &r, "%s: no match on %s: created disabled account %s, mailbox GUID %s",
               su->name, dcn, exAccountDn(x, dc, &wu->account, dn, sizeof dn), guidFormat(&wu->mbx, mg));
}

/* ---- run end, closing log ------------------------------------------ */

static const char *stateWord(int state) {
    switch (state) {
    case WU_DONE: return "completed";
    case WU_SKIPPED: return "skipped: event 13003, could not log on to the target mailbox";
    case WU_NOACCOUNT: return "failed: no target account";
    case WU_CANCELLED: return "cancelled during the copy";
    default: return "not processed";
    }
}

/* The migrator's own account of a pass, as fields. */
static void passFields(traceRecord *r, const wizUser *wu) {
    traceStr(r, "mode", wu->merge ? "merge" : "clone");
    traceInt(r, "copied", wu->c.copied);
    traceInt(r, "skipped", wu->c.skipped);
    traceInt(r, "replaced", wu->c.replaced);
    traceInt(r, "failed", wu->c.failed);
}

static void closingLog(wizard *w) {
    kernel *k = w->x->k;
    int errors = 0, warnings = w->cancelled;
    size_t done = 0, skipped = 0, failed = 0, cancelled = 0, idle = 0;
    traceRecord head = wizRecord(w, TR_WIZ_LOG, NULL);
    traceStr(&head, "state", w->cancelled ? "cancelled" : "finished");
    kernelEmit(k, &head, "run %d log (%s):", w->run, w->cancelled ? "cancelled" : "finished");
    for (size_t i = 0; i < w->n; i++) {
        const wizUser *wu = &w->u[i];
        const srcUser *su = sourceUser(&w->x->src, wu->user);
        if (wu->state == WU_SKIPPED || wu->state == WU_NOACCOUNT || wu->c.failed) errors = 1;
        if (wu->merge) warnings = 1;
        if (wu->state == WU_DONE) done++;
        else if (wu->state == WU_SKIPPED) skipped++;
        else if (wu->state == WU_NOACCOUNT) failed++;
        else if (wu->state == WU_CANCELLED) cancelled++;
        else idle++;
        traceRecord r = wizRecord(w, TR_WIZ_LOG_MAILBOX, su);
        if (wu->passed) traceMailbox(&r, &wu->mbx);
        traceStr(&r, "state", stateWord(wu->state));
        if (!wu->passed) {
            kernelEmit(k, &r, "  %-8s -      %s", su->name, stateWord(wu->state));
            continue;
        }
        passFields(&r, wu);
        kernelEmit(k, &r, "  %-8s %-5s copied=%lld skipped=%lld replaced=%lld failed=%lld  %s", su->name,
                   wu->merge ? "merge" : "clone", (long long)wu->c.copied, (long long)wu->c.skipped,
                   (long long)wu->c.replaced, (long long)wu->c.failed, stateWord(wu->state));
    }
    int status = errors ? 2 : warnings ? 1 : 0;
    /* Every selected mailbox is counted once; failed and cancelled only when
    ** there are some, so the common line stays short. */
    char more[64] = "";
    if (failed) snprintf(more, sizeof more, ", %zu failed", failed);
    if (cancelled) snprintf(more + strlen(more), sizeof more - strlen(more), ", %zu cancelled", cancelled);
    traceRecord r = wizRecord(w, TR_WIZ_STATUS, NULL);
    traceInt(&r, "status", status);
    traceInt(&r, "completed", (int64_t)done);
    traceInt(&r, "skipped", (int64_t)skipped);
    traceInt(&r, "failed", (int64_t)failed);
    traceInt(&r, "cancelled", (int64_t)cancelled);
    traceInt(&r, "not_processed", (int64_t)idle);
    kernelEmit(k, &r, "run %d exit status %d (%s): %zu completed, %zu skipped%s, %zu not processed",
               w->run, status, status == 2 ? "errors" : status == 1 ? "warnings" : "success", done, skipped, more, idle);
}

static void endRun(wizard *w) {
    w->active = 0;
    w->gen++;
    if (w->armed && !w->cancelled) {
        w->settled = -1;
        snprintf(w->x->k->err, sizeof w->x->k->err,
                 "the wizard run ended before the cancel condition (%s=%lld) was met",
                 w->arm == CANCEL_ITEMS ? "items" : "mailboxes", (long long)w->arm_n);
    }
    w->armed = 0;
    closingLog(w);
}

static void endPassRow(wizard *w, wizUser *wu, const char *status) {
    sqlite3_stmt *st = prep(w, WS_PASS_END);
    if (!st) return;
    sqlite3_bind_int64(st, 1, wu->pass_id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, wu->c.copied);
    sqlite3_bind_int64(st, 4, wu->c.skipped);
    sqlite3_bind_int64(st, 5, wu->c.replaced);
    sqlite3_bind_int64(st, 6, wu->c.failed);
    sqlite3_bind_int64(st, 7, w->x->k->now);
    stepDone(st);
}

static void cancelRun(wizard *w, const char *why) {
    kernel *k = w->x->k;
    w->cancelled = 1;
    if (w->cur < w->n && w->u[w->cur].state == WU_INPASS) {
        wizUser *wu = &w->u[w->cur];
        wu->state = WU_CANCELLED;
        endPassRow(w, wu, "cancelled");
    }
    traceRecord r = wizRecord(w, TR_WIZ_CANCEL, NULL);
    traceStr(&r, "how", why);
    traceInt(&r, "mailboxes", w->finished);
    traceInt(&r, "items", w->items);
    kernelEmit(k, &r, "run %d cancelled %s: %lld mailbox%s finished, %lld items copied",
               w->run, why, (long long)w->finished, w->finished == 1 ? "" : "es", (long long)w->items);
    if (w->armed) w->settled = 1;
    w->armed = 0;
    endRun(w);
}

/* ---- stage 2: mailboxes -------------------------------------------- */

static msStatus wizLogonEv(kernel *k, void *obj, int64_t arg);
static msStatus wizBatchEndEv(kernel *k, void *obj, int64_t arg);

static void scheduleW(wizard *w, simtime at, eventFn *fn, const char *what) {
    kernelSchedule(w->x->k, at, fn, w, (int64_t)w->gen, what);
}

static int armHolds(const wizard *w);
static void cancelRun(wizard *w, const char *why);

/* Find the next user with an account from w->cur on and start its logon.
** A user whose account failed in stage 1 is a mailbox skipped: it counts as
** finished, so a `cancel when mailboxes=N` it satisfies stops the run here,
** before the next logon. */
static void nextMailbox(wizard *w) {
    kernel *k = w->x->k;
    while (w->cur < w->n && w->u[w->cur].state != WU_READY) {
        if (w->u[w->cur].state == WU_NOACCOUNT) w->finished++;
        w->cur++;
        if (armHolds(w)) {
            cancelRun(w, "before the next logon");
            return;
        }
    }
    if (w->cur >= w->n) {
        traceRecord r = wizRecord(w, TR_WIZ_DONE, NULL);
        kernelEmit(k, &r, "run %d finished", w->run);
        endRun(w);
        return;
    }
    w->first_fail = -1;
    w->attempts = 0;
    scheduleW(w, k->now + k->p.wizard_logon_time, wizLogonEv, "wizard.logon");
}

/* The armed condition holds now (at a mailbox boundary). */
static int armHolds(const wizard *w) {
    if (!w->armed) return 0;
    if (w->arm == CANCEL_MAILBOXES) return w->finished >= w->arm_n;
    return w->items >= w->arm_n;
}

static void mailboxFinished(wizard *w) {
    w->finished++;
    w->cur++;
    if (armHolds(w)) {
        cancelRun(w, w->arm == CANCEL_MAILBOXES ? "before the next logon" : "at a batch boundary");
        return;
    }
    nextMailbox(w);
}

static void finishPass(wizard *w) {
    wizUser *wu = &w->u[w->cur];
    const srcUser *su = sourceUser(&w->x->src, wu->user);
    wu->state = WU_DONE;
    endPassRow(w, wu, "completed");
    unprotect(w, &wu->mbx);
    traceRecord r = wizRecord(w, TR_WIZ_PASS_DONE, su);
    traceMailbox(&r, &wu->mbx);
    passFields(&r, wu);
    kernelEmit(w->x->k, &r, "%s: %s finished: %lld copied, %lld skipped, %lld replaced, %lld failed",
               su->name, wu->merge ? "merge" : "clone", (long long)wu->c.copied, (long long)wu->c.skipped,
               (long long)wu->c.replaced, (long long)wu->c.failed);
    mailboxFinished(w);
}

static void runBatch(wizard *w) {
    exchange *x = w->x;
    kernel *k = x->k;
    wizUser *wu = &w->u[w->cur];
    if (w->next_item > w->last_item) {
        finishPass(w);
        return;
    }
    int64_t hi = w->next_item + k->p.wizard_batch - 1;
    if (hi > w->last_item) hi = w->last_item;
    mergeCounts c = {0};
    msStatus rc = wu->merge ? storeMergeBatch(&x->st, w->mbx_row, wu->user, w->next_item, hi, &c)
                            : storeCloneBatch(&x->st, w->mbx_row, w->next_item, hi, &c.copied);
    if (rc != MS_OK) c.failed += hi - w->next_item + 1 - c.copied - c.skipped - c.replaced;
    wu->c.copied += c.copied;
    wu->c.skipped += c.skipped;
    wu->c.replaced += c.replaced;
    wu->c.failed += c.failed;
    w->items += c.copied + c.replaced;
    w->next_item = hi + 1;
    int64_t work = c.copied + c.replaced;
    simtime cost = (work * MS_PER_SECOND + w->rate - 1) / w->rate;
    scheduleW(w, k->now + cost, wizBatchEndEv, "wizard.batch");
}

static msStatus wizBatchEndEv(kernel *k, void *obj, int64_t arg) {
    wizard *w = obj;
    (void)k;
    if (!w->active || (uint64_t)arg != w->gen) return MS_OK;
    if (w->next_item <= w->last_item && w->armed && w->arm == CANCEL_ITEMS && w->items >= w->arm_n) {
        cancelRun(w, "at a batch boundary");
        return MS_OK;
    }
    runBatch(w);
    return MS_OK;
}

static void beginPass(wizard *w) {
    exchange *x = w->x;
    kernel *k = x->k;
    wizUser *wu = &w->u[w->cur];
    const srcUser *su = sourceUser(&x->src, wu->user);
    const char *srv = x->servers[w->server].name;
    char mg[GUID_STRLEN], t[CLOCK_BUFSZ];
    guidFormat(&wu->mbx, mg);
    int64_t row = storeFind(&x->st, w->server, &wu->mbx);
    wu->passed = 1;
    memset(&wu->c, 0, sizeof wu->c);
    if (row == 0) {
        wu->merge = 0;
        if (storeCreate(&x->st, w->server, &wu->mbx, wu->user, INIT_CLONE, k->now, 0, &row) != MS_OK ||
            storeCloneFolders(&x->st, row, wu->user) != MS_OK) {
            wu->state = WU_SKIPPED;
            traceRecord r = wizRecord(w, TR_WIZ_ERROR, su);
            traceMailbox(&r, &wu->mbx);
            kernelEmit(k, &r, "%s: the store on %s refused mailbox %s", su->name, srv, mg);
            mailboxFinished(w);
            return;
        }
        traceRecord r = wizRecord(w, TR_WIZ_CLONE, su);
        traceMailbox(&r, &wu->mbx);
        kernelEmit(k, &r, "%s: logged on to mailbox %s on %s: not initialized, clone mode "
                   "(folder IDs kept)", su->name, mg, srv);
    } else {
        simtime when = 0;
        mbxInit how = storeInitOf(&x->st, row, &when);
        int64_t made = 0;
        wu->merge = 1;
        traceRecord r = wizRecord(w, TR_WIZ_MERGE, su);
        traceMailbox(&r, &wu->mbx);
        traceStr(&r, "initialized_by", storeInitName(how));
        traceInt(&r, "initialized_at", when);
        kernelEmit(k, &r, "%s: clone mode not possible, mailbox initialized: switching to merge mode "
                   "(mailbox %s on %s, initialized by %s at %s)", su->name, mg, srv, storeInitName(how),
                   clockFormat(when, t));
        storeMergeFolders(&x->st, w->server, row, wu->user, &made);
        if (made) {
            traceRecord rf = wizRecord(w, TR_WIZ_MERGE_FOLDERS, su);
            traceMailbox(&rf, &wu->mbx);
            traceInt(&rf, "folders", made);
            kernelEmit(k, &rf, "%s: %lld folder%s missing in the target: created with new folder IDs",
                       su->name, (long long)made, made == 1 ? "" : "s");
        }
    }
    /* The store keeps its own record of the session (what its batches did). */
    storeImportBegin(&x->st, row, k->now);
    int64_t rules = 0;
    storeCopyRules(&x->st, row, wu->user, &rules);
    if (wu->merge && rules) {
        traceRecord r = wizRecord(w, TR_WIZ_MERGE_RULES, su);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "rules", rules);
        kernelEmit(k, &r, "%s: %lld rule%s copied as %s; %s",
                   su->name, (long long)rules, rules == 1 ? "" : "s", rules == 1 ? "it is" : "they are",
                   rules == 1 ? "it names a source folder ID" : "they name source folder IDs");
    }
    sqlite3_stmt *st = prep(w, WS_PASS_ADD);
    if (st) {
        sqlite3_bind_int(st, 1, w->run);
        sqlite3_bind_int64(st, 2, wu->user);
        sqlite3_bind_int(st, 3, w->server);
        sqlBindGuid(st, 4, &wu->mbx);
        sqlite3_bind_text(st, 5, wu->merge ? "merge" : "clone", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, k->now);
        stepDone(st);
        wu->pass_id = sqlite3_last_insert_rowid(x->db);
    }
    wu->state = WU_INPASS;
    w->mbx_row = row;
    w->next_item = su->first_item;
    w->last_item = su->first_item + su->nitems - 1;
    runBatch(w);
}

static msStatus wizLogonEv(kernel *k, void *obj, int64_t arg) {
    wizard *w = obj;
    if (!w->active || (uint64_t)arg != w->gen) return MS_OK;
    exchange *x = w->x;
    wizUser *wu = &w->u[w->cur];
    const srcUser *su = sourceUser(&x->src, wu->user);
    const exServer *srv = &x->servers[w->server];
    guid owner;
    char mg[GUID_STRLEN], t[CLOCK_BUFSZ], win[CLOCK_BUFSZ];
    if (dirFindByMailboxGuid(x->d, srv->dc, &wu->mbx, &owner, 1) > 0) {
        if (w->attempts) {
            traceRecord r = wizRecord(w, TR_WIZ_LOGON_RETRY, su);
            traceMailbox(&r, &wu->mbx);
            traceInt(&r, "attempt", w->attempts);
            kernelEmit(k, &r, "%s: logon to mailbox %s on %s succeeded at retry %lld",
                       su->name, guidFormat(&wu->mbx, mg), srv->name, (long long)w->attempts);
        }
        beginPass(w);
        return MS_OK;
    }
    if (w->first_fail < 0) {
        w->first_fail = k->now;
        /* MSExchangeMig 13003 is the wizard's own event (KB 842631), logged
        ** where the wizard runs; the cause is the store's lookup on its DC. */
        traceRecord r = wizRecord(w, TR_WIZ_13003, su);
        r.dc = exDcName(x, srv->dc);
        traceMailbox(&r, &wu->mbx);
        traceInt(&r, "last_attempt_at", w->first_fail + k->p.wizard_retry_window);
        kernelEmit(k, &r, "%s: event 13003 (MSExchangeMig), failed to log on to the target "
               "mailbox %s on %s: the store finds no live account carrying it on %s; retrying every %s, "
               "the last attempt at %s",
               su->name, guidFormat(&wu->mbx, mg), srv->name, exDcName(x, srv->dc),
               durationFormat(k->p.wizard_retry_interval, t),
               clockFormat(w->first_fail + k->p.wizard_retry_window, win));
    }
    int64_t n = w->attempts + 1;
    if (n * k->p.wizard_retry_interval <= k->p.wizard_retry_window) {
        w->attempts = n;
        scheduleW(w, w->first_fail + n * k->p.wizard_retry_interval + k->p.wizard_logon_time,
                  wizLogonEv, "wizard.logon.retry");
        return MS_OK;
    }
    wu->state = WU_SKIPPED;
    traceRecord r = wizRecord(w, TR_WIZ_SKIP, su);
    traceMailbox(&r, &wu->mbx);
    traceInt(&r, "attempts", w->attempts);
    kernelEmit(k, &r, "%s: still no logon after %lld retries (event 13003): mailbox skipped as failed",
               su->name, (long long)w->attempts);
    mailboxFinished(w);
    return MS_OK;
}

static msStatus wizStage2Ev(kernel *k, void *obj, int64_t arg) {
    wizard *w = obj;
    if (!w->active || (uint64_t)arg != w->gen) return MS_OK;
    traceRecord r = wizRecord(w, TR_WIZ_STAGE2, NULL);
    r.dc = exDcName(w->x, w->x->servers[w->server].dc);
    kernelEmit(k, &r, "run %d stage 2: copying mailbox data to %s (logons checked on %s)",
               w->run, r.server, r.dc);
    w->cur = 0;
    w->stage2 = 1;
    /* The first mailbox boundary: a `cancel when mailboxes=0` armed during
    ** stage 1 stops here, every account made and no mailbox touched. */
    if (armHolds(w)) {
        cancelRun(w, "before the first logon");
        return MS_OK;
    }
    nextMailbox(w);
    return MS_OK;
}

static msStatus wizSlotEv(kernel *k, void *obj, int64_t arg) {
    wizard *w = obj;
    if (!w->active || (uint64_t)arg != w->gen) return MS_OK;
    accountStage(w, &w->u[w->cur]);
    w->cur++;
    simtime next = k->now + k->p.wizard_account_time;
    scheduleW(w, next, w->cur < w->n ? wizSlotEv : wizStage2Ev, w->cur < w->n ? "wizard.account" : "wizard.stage2");
    return MS_OK;
}

/* ---- steps ---------------------------------------------------------- */

msStatus wizStart(exchange *x, const uint32_t *users, size_t n, int dc) {
    wizard *w = x->wz;
    kernel *k = x->k;
    if (!w) {
        snprintf(k->err, sizeof k->err, "the scenario declares no wizard");
        return MS_FAIL;
    }
    if (w->active) {
        snprintf(k->err, sizeof k->err, "a wizard run (run %d) is still active", w->run);
        return MS_FAIL;
    }
    wizUser *nu = calloc(n ? n : 1, sizeof *nu);
    if (!nu) return MS_NOMEM;
    free(w->u);
    w->u = nu;
    w->n = 0;
    for (size_t i = 0; i < n; i++)
        if (users[i] >= 1 && users[i] <= x->src.nusers) w->u[w->n++].user = users[i];
    w->run = ++w->runs;
    w->run_dc = dc >= 0 ? dc : w->dc;
    w->active = 1;
    w->cancelled = 0;
    w->stage2 = 0;
    w->gen++;
    w->cur = 0;
    w->finished = w->items = 0;
    w->armed = 0;
    w->settled = 0;
    traceRecord r = wizRecord(w, TR_WIZ_START, NULL);
    r.dc = exDcName(x, w->run_dc);
    traceInt(&r, "users", (int64_t)w->n);
    traceInt(&r, "protect", w->protect);
    kernelEmit(k, &r, "run %d: %zu user%s, accounts matched or created on %s, mailboxes to %s, clone mode%s",
               w->run, w->n, w->n == 1 ? "" : "s", r.dc, r.server,
               w->protect ? ", protect (mail to unfilled mailboxes bounces)" : "");
    if (w->n == 0) {
        endRun(w);
        return MS_OK;
    }
    scheduleW(w, k->now, wizSlotEv, "wizard.account");
    return MS_OK;
}

msStatus wizCancel(exchange *x, cancelWhen when, int64_t n) {
    wizard *w = x->wz;
    kernel *k = x->k;
    if (!w || !w->active) {
        snprintf(k->err, sizeof k->err, "cancel: no wizard run is active");
        return MS_FAIL;
    }
    if (when == CANCEL_NOW) {
        cancelRun(w, "now");
        return MS_OK;
    }
    w->armed = 1;
    w->arm = when;
    w->arm_n = n;
    w->settled = 0;
    /* Already true: nothing to wait for, the wizard stops now.  But a
    ** mailbox count acts only at a mailbox boundary, and stage 1 has none:
    ** `mailboxes=0` there waits for the start of stage 2. */
    if (when == CANCEL_MAILBOXES && !w->stage2) return MS_OK;
    if (armHolds(w)) cancelRun(w, "now (the condition already held)");
    return MS_OK;
}

int wizCancelSettled(exchange *x) {
    wizard *w = x->wz;
    if (!w) return -1;
    return w->settled;
}

void wizFinish(exchange *x) {
    wizard *w = x->wz;
    if (!w || !w->active) return;
    traceRecord r = wizRecord(w, TR_WIZ_ACTIVE, NULL);
    traceInt(&r, "mailboxes", w->finished);
    kernelEmit(x->k, &r, "run %d still active when the scenario ended (%lld mailboxes finished)",
               w->run, (long long)w->finished);
}
