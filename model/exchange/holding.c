/*
** The holding area: the administrator's rescue of the mail a KB 842101 fix
** leaves behind, done the way ExMerge does it.  `export USER` copies the items
** of the user's mailboxes that are not copies of source items (the mail
** delivered to, or created in, the target before the rerun) into the holding
** area, which stands for the PST file ExMerge writes; `import USER` puts them
** into the user's current mailbox.  One table of the run's database holds it:
**
**   held(id, user, server, mbx, path, skey, size, mtime, exported)
**
** one row per exported item: the source user, the server and GUID of the
** mailbox it was read from, its folder's path there, its search key, size
** and time, and when it was exported.
**
** Invariants.
** - A user's holding area holds a search key at most once (UNIQUE(user,
**   skey)): exporting again, or exporting a mailbox an import filled, adds
**   nothing twice, as ExMerge's "do not export duplicates" does.
** - Export reads every mailbox made for the user (mailbox.user), on every
**   store, in row order: the current one, a disconnected one, one no account
**   owns any more.  It never changes a mailbox.
** - Import writes only the user's current mailbox: the mailbox of the first
**   (in objectGUID order) live account on the admin DC whose proxyAddresses
**   hold the user's X500 address, on the server its homeMDB names.  An item
**   whose search key the mailbox already holds is skipped, so an import
**   twice adds nothing.  The holding area keeps its rows (the PST file stays
**   on disk): the judge decides from the stores whether held mail is placed
**   (judge.c, stranded).
** - Nothing here is a decision the judge reads from a migrator: the holding
**   area is part of the state, like the stores.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"
#include "exchange/sqlstmt.h"

#define MAX_ACCOUNTS 8

static const char schema[] =
    "CREATE TABLE held(id INTEGER PRIMARY KEY, user INTEGER NOT NULL, server INTEGER NOT NULL,"
    " mbx TEXT NOT NULL, path TEXT NOT NULL, skey INTEGER NOT NULL, size INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL, exported INTEGER NOT NULL, UNIQUE(user, skey));";

static const char *const sql[HS__COUNT] = {
    [HS_EXPORT] = "INSERT OR IGNORE INTO held(user, server, mbx, path, skey, size, mtime, exported)"
                  " SELECT m.user, m.server, m.guid, f.path, t.skey, t.size, t.mtime, ?2"
                  " FROM item t JOIN mailbox m ON m.id = t.mbx JOIN folder f ON f.mbx = t.mbx AND f.fid = t.fid"
                  " WHERE t.mbx = ?1 AND NOT EXISTS (SELECT 1 FROM src_item s WHERE s.skey = t.skey)"
                  " ORDER BY t.id",
    [HS_COUNT] = "SELECT count(*) FROM held WHERE user = ?1",
    [HS_ITEMS] = "SELECT path, skey, size, mtime FROM held WHERE user = ?1 ORDER BY id",
    [HS_KEYS] = "SELECT skey FROM held ORDER BY id",
    [HS_SUMMARY] = "SELECT user, server, mbx, path, count(*), min(exported) FROM held"
                   " WHERE (?1 = 0 OR user = ?1) AND (?2 < 0 OR server = ?2)"
                   " GROUP BY user, server, mbx, path ORDER BY min(id)",
};

static sqlite3_stmt *prep(exchange *x, enum holdStmt k) {
    return sqlCached(x->k, x->db, &x->hold[k], sql[k]);
}

msStatus holdingOpen(exchange *x) {
    char *msg = NULL;
    if (sqlite3_exec(x->db, schema, NULL, NULL, &msg) == SQLITE_OK) return MS_OK;
    snprintf(x->k->err, sizeof x->k->err, "holding area: %s", msg ? msg : "out of memory");
    sqlite3_free(msg);
    return MS_NOMEM;
}

void holdingClose(exchange *x) {
    for (int i = 0; i < HS__COUNT; i++) {
        sqlite3_finalize(x->hold[i]);
        x->hold[i] = NULL;
    }
}

/* The items held for user, or -1 on error. */
static int64_t heldCount(exchange *x, uint32_t user) {
    sqlite3_stmt *st = prep(x, HS_COUNT);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, user);
    int64_t n = sqlStep(x->k, st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

msStatus holdingExport(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    msAssert(su != NULL);
    mbxRow *v = NULL;
    size_t n = 0;
    msStatus rc = storeList(&x->st, -1, &v, &n);
    if (rc != MS_OK) return rc;
    int64_t items = 0, mailboxes = 0;
    for (size_t i = 0; i < n && rc == MS_OK; i++) {
        if (v[i].user != user) continue;
        mailboxes++;
        sqlite3_stmt *st = prep(x, HS_EXPORT);
        if (!st) {
            rc = MS_NOMEM;
            break;
        }
        sqlite3_bind_int64(st, 1, v[i].id);
        sqlite3_bind_int64(st, 2, k->now);
        int r = sqlStep(k, st);
        if (r == SQLITE_DONE) items += sqlite3_changes(x->db);
        else rc = MS_NOMEM;
        sqlite3_reset(st);
    }
    free(v);
    if (rc != MS_OK) return rc;
    int64_t held = heldCount(x, user);
    if (held < 0) return MS_NOMEM;
    traceRecord r = traceNew(TR_ADMIN_EXPORT, "admin");
    r.user = su->name;
    traceInt(&r, "items", items);
    traceInt(&r, "mailboxes", mailboxes);
    traceInt(&r, "held", held);
    if (items > 0)
        kernelEmit(k, &r, "%s: exported %lld item%s that %s not copies of source items from %lld mailbox%s "
                   "into the holding area (ExMerge's PST): %lld held", su->name, (long long)items,
                   items == 1 ? "" : "s", items == 1 ? "is" : "are", (long long)mailboxes,
                   mailboxes == 1 ? "" : "es", (long long)held);
    else
        kernelEmit(k, &r, "%s: nothing to export: %lld mailbox%s read, no item that is not a copy of a source "
                   "item and not held already (%lld held)", su->name, (long long)mailboxes,
                   mailboxes == 1 ? "" : "es", (long long)held);
    return MS_OK;
}

/*
** The user's current mailbox: the first live account on the admin DC that
** carries the user's X500 address and a mailbox the store holds, not
** disconnected.  0 when there is none; why then says so.
*/
static int64_t currentMailbox(exchange *x, uint32_t user, int *server, guid *mbx, char *why, size_t sz) {
    const srcUser *su = sourceUser(&x->src, user);
    int dc = x->admin_dc;
    guid acct[MAX_ACCOUNTS];
    size_t n = dirFindByProxy(x->d, dc, su->x500, acct, MAX_ACCOUNTS);
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    if (n == 0) {
        snprintf(why, sz, "no live account of %s on %s", su->name, exDcName(x, dc));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *g = dirGet(x->d, dc, &acct[i], A_MAILBOXGUID);
        const char *home = dirGet(x->d, dc, &acct[i], A_HOMEMDB);
        *server = home ? exServerOfHomeMdb(x, home) : -1;
        if (!g || guidParse(g, mbx) != 0 || *server < 0) continue;
        int64_t row = storeFindLive(&x->st, *server, mbx);
        if (row) return row;
    }
    snprintf(why, sz, "the account of %s on %s has no mailbox in the store yet (a logon, a delivery or the "
             "wizard creates it)", su->name, exDcName(x, dc));
    return 0;
}

/* Import user's held items into mailbox row on server; counts into *items and *skipped. */
static msStatus importRows(exchange *x, uint32_t user, int server, int64_t row, int64_t *items, int64_t *skipped) {
    sqlite3_stmt *st = prep(x, HS_ITEMS);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, user);
    /* Collect first: the inserts must not run under an open scan. */
    typedef struct heldRow { char *path; int64_t skey, size, mtime; } heldRow;
    heldRow *v = NULL;
    size_t n = 0, cap = 0;
    msStatus rc = MS_OK;
    int r;
    while ((r = sqlStep(x->k, st)) == SQLITE_ROW) {
        if (n == cap && (rc = arrayGrow(&v, &cap, sizeof *v, 8)) != MS_OK) break;
        const char *p = (const char *)sqlite3_column_text(st, 0);
        v[n] = (heldRow){strdup(p ? p : ""), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                         sqlite3_column_int64(st, 3)};
        if (!v[n].path) {
            rc = MS_NOMEM;
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    if (rc == MS_OK && r != SQLITE_DONE) rc = MS_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (rc == MS_OK) {
            int has = storeHasKey(&x->st, row, v[i].skey);
            if (has < 0) rc = MS_NOMEM;
            else if (has) (*skipped)++;
            else if ((rc = storeAddItem(&x->st, server, row, v[i].path, v[i].skey, v[i].size, v[i].mtime)) == MS_OK)
                (*items)++;
        }
        free(v[i].path);
    }
    free(v);
    return rc;
}

msStatus holdingImport(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    msAssert(su != NULL);
    char why[256], mg[GUID_STRLEN];
    int server = -1;
    guid mbx;
    int64_t row = currentMailbox(x, user, &server, &mbx, why, sizeof why);
    if (!row) {
        traceRecord r = traceNew(TR_ADMIN_IMPORT_NONE, "admin");
        r.user = su->name;
        r.dc = exDcName(x, x->admin_dc);
        traceStr(&r, "reason", why);
        kernelEmit(k, &r, "%s: nothing imported: %s", su->name, why);
        return MS_OK;
    }
    int64_t items = 0, skipped = 0;
    msStatus rc = importRows(x, user, server, row, &items, &skipped);
    if (rc != MS_OK) return rc;
    traceRecord r = traceNew(TR_ADMIN_IMPORT, "admin");
    r.user = su->name;
    r.server = x->servers[server].name;
    traceMailbox(&r, &mbx);
    traceInt(&r, "items", items);
    traceInt(&r, "skipped", skipped);
    if (items + skipped == 0)
        kernelEmit(k, &r, "%s: the holding area holds nothing for %s: nothing imported into mailbox %s on %s",
                   su->name, su->name, guidFormat(&mbx, mg), r.server);
    else
        kernelEmit(k, &r, "%s: imported %lld held item%s into mailbox %s on %s (%lld already there)", su->name,
                   (long long)items, items == 1 ? "" : "s", guidFormat(&mbx, mg), r.server, (long long)skipped);
    return MS_OK;
}

msStatus holdingKeys(exchange *x, int64_t **keys, size_t *n, size_t *cap) {
    sqlite3_stmt *st = prep(x, HS_KEYS);
    if (!st) return MS_NOMEM;
    msStatus rc = MS_OK;
    int r;
    while ((r = sqlStep(x->k, st)) == SQLITE_ROW) {
        if (*n == *cap && (rc = arrayGrow(keys, cap, sizeof **keys, 16)) != MS_OK) break;
        (*keys)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc == MS_OK && r != SQLITE_DONE) rc = MS_NOMEM;
    return rc;
}

void exHeldFree(exHeldInfo *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i].path);
    free(v);
}

msStatus exHeld(exchange *x, uint32_t user, int server, exHeldInfo **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = prep(x, HS_SUMMARY);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, user);
    sqlite3_bind_int(st, 2, server);
    size_t cap = 0;
    msStatus rc = MS_OK;
    int r;
    while ((r = sqlStep(x->k, st)) == SQLITE_ROW) {
        if (*n == cap && (rc = arrayGrow(out, &cap, sizeof **out, 4)) != MS_OK) break;
        exHeldInfo *h = &(*out)[*n];
        memset(h, 0, sizeof *h);
        h->user = (uint32_t)sqlite3_column_int64(st, 0);
        h->server = sqlite3_column_int(st, 1);
        const char *g = (const char *)sqlite3_column_text(st, 2);
        if (g) guidParse(g, &h->mbx);
        const char *p = (const char *)sqlite3_column_text(st, 3);
        h->path = strdup(p ? p : "");
        h->items = sqlite3_column_int64(st, 4);
        h->exported_at = sqlite3_column_int64(st, 5);
        if (!h->path) {
            rc = MS_NOMEM;
            break;
        }
        (*n)++;
    }
    sqlite3_reset(st);
    if (rc == MS_OK && r != SQLITE_DONE) rc = MS_NOMEM;
    if (rc != MS_OK) {
        exHeldFree(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
