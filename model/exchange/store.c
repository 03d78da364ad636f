/*
** The target mailbox stores as SQLite rows.  See store.h for the tables and
** their invariants.
**
** The item table is one b-tree keyed on (mbx, skey, mtime, fid, id),
** WITHOUT ROWID: the merge looks up a search key and its newest copy per
** source item, the judge walks a mailbox's copies in search-key order, and
** the folder counts read the folder IDs, all from the key alone; an insert
** writes one tree, not a table and an index (half the cost of a copied
** item).  The id, last in the key, only keeps equal copies apart: the store
** hands ids out itself (storeCloneBatch and its kin take a block per batch).
** A clone batch is one INSERT ... SELECT over a range of source item ids,
** which is why a clone runs at close to SQLite's own bulk rate.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "exchange/sqlstmt.h"
#include "exchange/store.h"
#include "kernel/invariant.h"

static const char schema[] =
    "CREATE TABLE mailbox(id INTEGER PRIMARY KEY, server INTEGER NOT NULL, guid TEXT NOT NULL,"
    " user INTEGER NOT NULL, init TEXT NOT NULL, created INTEGER NOT NULL, disconnected INTEGER,"
    " UNIQUE(guid, server));"
    "CREATE TABLE folder(id INTEGER PRIMARY KEY, mbx INTEGER NOT NULL, fid INTEGER NOT NULL,"
    " path TEXT NOT NULL, UNIQUE(mbx, path));"
    "CREATE TABLE item(id INTEGER NOT NULL, mbx INTEGER NOT NULL, fid INTEGER NOT NULL,"
    " skey INTEGER NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
    " PRIMARY KEY(mbx, skey, mtime, fid, id)) WITHOUT ROWID;"
    "CREATE TABLE rule(id INTEGER PRIMARY KEY, mbx INTEGER NOT NULL, name TEXT NOT NULL,"
    " fid INTEGER NOT NULL, UNIQUE(mbx, name));"
    "CREATE TABLE import(id INTEGER PRIMARY KEY, mbx INTEGER NOT NULL, started INTEGER NOT NULL,"
    " mode TEXT, copied INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
    " replaced INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, UNIQUE(mbx, id));";

static const char *const sql[SS__COUNT] = {
    [SS_FIND] = "SELECT id FROM mailbox WHERE guid = ?1 AND server = ?2",
    [SS_FIND_ANY] = "SELECT id, server FROM mailbox WHERE guid = ?1 ORDER BY server LIMIT 1",
    [SS_CREATE] = "INSERT INTO mailbox(server, guid, user, init, created) VALUES(?1, ?2, ?3, ?4, ?5)",
    [SS_INIT_OF] = "SELECT init, created FROM mailbox WHERE id = ?1",
    [SS_FOLDER_ADD] = "INSERT INTO folder(mbx, fid, path) VALUES(?1, ?2, ?3)",
    [SS_CLONE_FOLDERS] = "INSERT INTO folder(mbx, fid, path) SELECT ?1, fid, path FROM src_folder"
                         " WHERE user = ?2 ORDER BY id",
    [SS_SRC_FOLDERS] = "SELECT s.path FROM src_folder s WHERE s.user = ?2 AND NOT EXISTS"
                       " (SELECT 1 FROM folder f WHERE f.mbx = ?1 AND f.path = s.path) ORDER BY s.id",
    [SS_FOLDER_BY_PATH] = "SELECT fid FROM folder WHERE mbx = ?1 AND path = ?2",
    [SS_COPY_RULES] = "INSERT INTO rule(mbx, name, fid) SELECT ?1, r.name, r.fid FROM src_rule r"
                      " WHERE r.user = ?2 AND NOT EXISTS (SELECT 1 FROM rule t WHERE t.mbx = ?1"
                      " AND t.name = r.name) ORDER BY r.id",
    [SS_CLONE_BATCH] = "INSERT INTO item(id, mbx, fid, skey, size, mtime) SELECT ?4 + id, ?1, fid, skey, size, mtime"
                       " FROM src_item WHERE id BETWEEN ?2 AND ?3 ORDER BY id",
    /* The merge, set-based (docs/semantics.md, "The wizard"): per source item of
    ** the batch, tm is the newest target copy with its search key (NULL: none)
    ** and tfid the target folder with the source folder's path (NULL: none).
    ** skip: tm >= mtime; replace: tm < mtime; copy: no tm, a tfid; fail: neither. */
    /* One row per target copy (a NULL t.mtime: none), the rows of one source
    ** item adjacent (storeMergeBatch takes their newest): a join, not a
    ** correlated subquery, so the index cursor opens once per batch. */
    [SS_MERGE_COUNT] =
        "SELECT s.id, s.mtime, t.mtime, target_fid(s.fid) FROM src_item s"
        " LEFT JOIN item t ON t.mbx = ?1 AND t.skey = s.skey"
        " WHERE s.id BETWEEN ?2 AND ?3 ORDER BY s.id",
    [SS_MERGE_REPLACE] =
        "UPDATE item SET"
        " size = (SELECT s.size FROM src_item s WHERE s.skey = item.skey AND s.id BETWEEN ?2 AND ?3),"
        " mtime = (SELECT s.mtime FROM src_item s WHERE s.skey = item.skey AND s.id BETWEEN ?2 AND ?3)"
        " WHERE mbx = ?1 AND skey IN (SELECT s.skey FROM src_item s WHERE s.id BETWEEN ?2 AND ?3"
        "   AND s.mtime > (SELECT max(t.mtime) FROM item t WHERE t.mbx = ?1 AND t.skey = s.skey))",
    [SS_MERGE_COPY] =
        "WITH c AS MATERIALIZED (SELECT s.id AS id, s.skey AS skey, s.size AS size, s.mtime AS mtime,"
        "   target_fid(s.fid) AS tfid"
        "  FROM src_item s WHERE s.id BETWEEN ?2 AND ?3"
        "  AND NOT EXISTS (SELECT 1 FROM item t WHERE t.mbx = ?1 AND t.skey = s.skey))"
        " INSERT INTO item(id, mbx, fid, skey, size, mtime)"
        " SELECT ?4 + id, ?1, tfid, skey, size, mtime FROM c WHERE tfid IS NOT NULL ORDER BY id",
    [SS_FOLDER_MAP] = "SELECT s.fid, t.fid FROM src_folder s JOIN folder t ON t.mbx = ?1 AND t.path = s.path"
                      " WHERE s.user = ?2 ORDER BY s.id",
    /* Every item of the batch absent from the mailbox (the common case). */
    [SS_MERGE_COPY_ALL] = "INSERT INTO item(id, mbx, fid, skey, size, mtime)"
                          " SELECT ?4 + id, ?1, target_fid(fid), skey, size, mtime"
                          " FROM src_item WHERE id BETWEEN ?2 AND ?3 ORDER BY id",
    [SS_ITEM_ADD] = "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(?6, ?1, ?2, ?3, ?4, ?5)",
    [SS_DISCONNECT] = "UPDATE mailbox SET disconnected = ?2 WHERE id = ?1",
    [SS_PURGE_ITEMS] = "DELETE FROM item WHERE mbx = ?1",
    [SS_PURGE_FOLDERS] = "DELETE FROM folder WHERE mbx = ?1",
    [SS_PURGE_RULES] = "DELETE FROM rule WHERE mbx = ?1",
    [SS_PURGE_MBX] = "DELETE FROM mailbox WHERE id = ?1",
    [SS_LIST] = "SELECT id, guid, user, disconnected, created FROM mailbox WHERE ?1 < 0 OR server = ?1 ORDER BY id",
    [SS_COUNT_ITEMS] = "SELECT count(*) FROM item WHERE mbx = ?1",
    [SS_FOLDER_LIST] = "SELECT fid, path FROM folder WHERE mbx = ?1 ORDER BY fid",
    /* One pass over the covering index, counted per folder in C (no sort). */
    [SS_FOLDER_COUNTS] = "SELECT fid FROM item WHERE mbx = ?1",
    [SS_FOLDER_IDS] = "SELECT fid FROM folder WHERE mbx = ?1",
    /* The mailbox's copies in search-key order, from the item key alone;
    ** storeCounters looks each up in the source's key order (C, not SQL:
    ** a probe of src_item per row cost more than the scan). */
    [SS_COUNT_COPIES] = "SELECT skey, fid FROM item WHERE mbx = ?1 ORDER BY skey",
    [SS_COUNT_RULES] = "SELECT count(*) FROM rule WHERE mbx = ?1",
    [SS_COUNT_BROKEN] = "SELECT count(*) FROM rule r WHERE r.mbx = ?1 AND NOT EXISTS"
                        " (SELECT 1 FROM folder f WHERE f.mbx = ?1 AND f.fid = r.fid)",
    [SS_COUNT_FOREIGN] = "SELECT count(*) FROM item t WHERE t.mbx = ?1 AND NOT EXISTS"
                         " (SELECT 1 FROM src_item s WHERE s.skey = t.skey)",
    /* The folders of a mailbox holding items that are not copies, by path. */
    [SS_FOREIGN_PATHS] = "SELECT DISTINCT f.fid, f.path FROM item t JOIN folder f ON f.mbx = t.mbx AND f.fid = t.fid"
                         " WHERE t.mbx = ?1 AND NOT EXISTS (SELECT 1 FROM src_item s WHERE s.skey = t.skey)"
                         " ORDER BY f.path",
    [SS_MOVE_FOREIGN] = "UPDATE item SET mbx = ?2, fid = ?3 WHERE mbx = ?1 AND fid = ?4 AND NOT EXISTS"
                        " (SELECT 1 FROM src_item s WHERE s.skey = item.skey)",
    [SS_FIND_LIVE] = "SELECT id FROM mailbox WHERE guid = ?1 AND server = ?2 AND disconnected IS NULL",
    [SS_COUNT_USER_COPIES] = "SELECT count(*) FROM item t WHERE t.mbx = ?1 AND EXISTS"
                             " (SELECT 1 FROM src_item s WHERE s.skey = t.skey AND s.user = ?2)",
    /* A source folder is kept when the mailbox has its folder ID and no copy
    ** of its items sits in another folder (docs/model-exchange.md, "Outcomes"). */
    [SS_IMPORT_BEGIN] = "INSERT INTO import(mbx, started) VALUES(?1, ?2)",
    /* A session's mode is that of its first batch; the wizard never mixes them. */
    [SS_IMPORT_ADD] = "UPDATE import SET mode = coalesce(mode, ?2), copied = copied + ?3, skipped = skipped + ?4,"
                      " replaced = replaced + ?5, failed = failed + ?6"
                      " WHERE id = (SELECT max(id) FROM import WHERE mbx = ?1)",
    [SS_IMPORT_LAST] = "SELECT coalesce(mode, ''), started, copied, skipped, replaced, failed FROM import"
                       " WHERE mbx = ?1 ORDER BY id DESC LIMIT 1",
    [SS_PURGE_IMPORTS] = "DELETE FROM import WHERE mbx = ?1",
    /* The mailbox's search keys in order; storeForeignKeys keeps those no
    ** source item has (looked up in C, as storeCounters does). */
    [SS_FOREIGN_KEYS] = "SELECT skey FROM item WHERE mbx = ?1 ORDER BY skey",
    [SS_HAS_KEY] = "SELECT EXISTS (SELECT 1 FROM item WHERE mbx = ?1 AND skey = ?2)",
};

const char *storeInitName(mbxInit k) {
    switch (k) {
    case INIT_CLONE: return "clone";
    case INIT_MERGE: return "merge";
    case INIT_DELIVERY: return "delivery";
    case INIT_LOGON: return "logon";
    }
    return "?";
}

static sqlite3_stmt *prep(store *x, enum storeStmt k) {
    return sqlCached(x->k, x->db, &x->st[k], sql[k]);
}

/* Step a statement that returns no rows; 1 on success. */
static int run(store *x, sqlite3_stmt *st) {
    if (!st) return 0;
    int rc = sqlStep(x->k, st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

/* Step a count query; -1 on error. */
static int64_t count(store *x, sqlite3_stmt *st) {
    if (!st) return -1;
    int64_t n = sqlStep(x->k, st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

/* target_fid(src_fid): the folder of the mapped mailbox with the source
** folder's path, NULL if it has none.  A pure lookup in the store's map. */
static void fnTargetFid(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    store *x = sqlite3_user_data(ctx);
    (void)argc;
    int64_t src = sqlite3_value_int64(argv[0]);
    for (size_t i = 0; i < x->fmap_n; i++)
        if (x->fmap_src[i] == src) {
            sqlite3_result_int64(ctx, x->fmap_dst[i]);
            return;
        }
    sqlite3_result_null(ctx);
}

/* Build the folder map of mailbox mbx for source user u. */
static msStatus buildFolderMap(store *x, int64_t mbx, uint32_t u) {
    sqlite3_stmt *st = prep(x, SS_FOLDER_MAP);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, u);
    x->fmap_n = 0;
    x->fmap_mbx = 0;
    msStatus rc = MS_OK;
    while (rc == MS_OK && sqlStep(x->k, st) == SQLITE_ROW) {
        if (x->fmap_n == x->fmap_cap) {
            size_t ncap = x->fmap_cap ? x->fmap_cap * 2 : 16;
            int64_t *a = realloc(x->fmap_src, ncap * sizeof *a);
            if (a) x->fmap_src = a;
            int64_t *b = a ? realloc(x->fmap_dst, ncap * sizeof *b) : NULL;
            if (b) x->fmap_dst = b;
            if (!a || !b) { rc = MS_NOMEM; break; }
            x->fmap_cap = ncap;
        }
        x->fmap_src[x->fmap_n] = sqlite3_column_int64(st, 0);
        x->fmap_dst[x->fmap_n] = sqlite3_column_int64(st, 1);
        x->fmap_n++;
    }
    sqlite3_reset(st);
    if (rc == MS_OK) x->fmap_mbx = mbx;
    return rc;
}

msStatus storeOpen(store *x, sqlite3 *db, const source *src, int nservers, char *err, size_t errsz) {
    memset(x, 0, sizeof *x);
    x->db = db;
    x->src = src;
    x->nservers = nservers;
    x->gcn = calloc(nservers > 0 ? (size_t)nservers : 1, sizeof *x->gcn);
    char *msg = NULL;
    if (!x->gcn || sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_create_function(db, "target_fid", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, x, fnTargetFid,
                                NULL, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "store: %s", msg ? msg : "out of memory");
        sqlite3_free(msg);
        return MS_NOMEM;
    }
    return MS_OK;
}

void storeClose(store *x) {
    for (int i = 0; i < SS__COUNT; i++) sqlite3_finalize(x->st[i]);
    free(x->gcn);
    free(x->fmap_src);
    free(x->fmap_dst);
    memset(x, 0, sizeof *x);
}

int64_t storeFind(store *x, int server, const guid *g) {
    sqlite3_stmt *st = prep(x, SS_FIND);
    if (!st) return 0;
    sqlBindGuid(st, 1, g);
    sqlite3_bind_int(st, 2, server);
    int64_t id = sqlStep(x->k, st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

int64_t storeFindLive(store *x, int server, const guid *g) {
    sqlite3_stmt *st = prep(x, SS_FIND_LIVE);
    if (!st) return 0;
    sqlBindGuid(st, 1, g);
    sqlite3_bind_int(st, 2, server);
    int64_t id = sqlStep(x->k, st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

int64_t storeFindAny(store *x, const guid *g, int *server) {
    sqlite3_stmt *st = prep(x, SS_FIND_ANY);
    if (!st) return 0;
    sqlBindGuid(st, 1, g);
    int64_t id = 0;
    if (sqlStep(x->k, st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        if (server) *server = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return id;
}

static int64_t newFid(store *x, int server) {
    return ((int64_t)(server + 2) << 48) | ++x->gcn[server];
}

static msStatus addFolder(store *x, int64_t mbx, int64_t fid, const char *path) {
    sqlite3_stmt *st = prep(x, SS_FOLDER_ADD);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, fid);
    sqlite3_bind_text(st, 3, path, -1, SQLITE_TRANSIENT);
    return run(x, st) ? MS_OK : MS_NOMEM;
}

#ifdef MIGSIM_CHECKS
/* 1 when no store but server's holds a mailbox with GUID g. */
static int onlyOnServer(store *x, int server, const guid *g) {
    int other = server;
    return storeFindAny(x, g, &other) == 0 || other == server;
}
#endif

msStatus storeCreate(store *x, int server, const guid *g, uint32_t user, mbxInit how,
                     simtime now, int defaults, int64_t *id) {
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    /* A mailbox GUID lives in at most one store: every creator goes to the
    ** server of the account's homeMDB, and one GUID has one home. */
    msAssert(onlyOnServer(x, server, g));
    sqlite3_stmt *st = prep(x, SS_CREATE);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int(st, 1, server);
    sqlBindGuid(st, 2, g);
    sqlite3_bind_int64(st, 3, user);
    sqlite3_bind_text(st, 4, storeInitName(how), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    if (!run(x, st)) return MS_FAIL;   /* the mailbox exists already */
    *id = sqlite3_last_insert_rowid(x->db);
    for (int k = 0; defaults && k < SRC_DEFAULT_FOLDERS; k++)
        if (addFolder(x, *id, newFid(x, server), srcDefaultFolders[k]) != MS_OK) return MS_NOMEM;
    return MS_OK;
}

mbxInit storeInitOf(store *x, int64_t id, simtime *when) {
    sqlite3_stmt *st = prep(x, SS_INIT_OF);
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, id);
    mbxInit k = 0;
    if (sqlStep(x->k, st) == SQLITE_ROW) {
        const char *w = (const char *)sqlite3_column_text(st, 0);
        for (mbxInit i = INIT_CLONE; i <= INIT_LOGON; i++)
            if (w && strcmp(w, storeInitName(i)) == 0) k = i;
        if (when) *when = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return k;
}

msStatus storeCloneFolders(store *x, int64_t mbx, uint32_t u) {
    sqlite3_stmt *st = prep(x, SS_CLONE_FOLDERS);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, u);
    return run(x, st) ? MS_OK : MS_FAIL;
}

msStatus storeMergeFolders(store *x, int server, int64_t mbx, uint32_t u, int64_t *created) {
    *created = 0;
    /* Collect the missing paths first: inserting while the scan is open would
    ** let the scan see its own inserts. */
    sqlite3_stmt *st = prep(x, SS_SRC_FOLDERS);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, u);
    char **paths = NULL;
    size_t n = 0, cap = 0;
    msStatus rc = MS_OK;
    while (rc == MS_OK && sqlStep(x->k, st) == SQLITE_ROW) {
        if (n == cap && (rc = arrayGrow(&paths, &cap, sizeof *paths, 8)) != MS_OK) break;
        const char *p = (const char *)sqlite3_column_text(st, 0);
        paths[n] = strdup(p ? p : "");
        if (!paths[n]) rc = MS_NOMEM; else n++;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++) {
        if (rc == MS_OK) rc = addFolder(x, mbx, newFid(x, server), paths[i]);
        free(paths[i]);
    }
    free(paths);
    if (rc == MS_OK) *created = (int64_t)n;
    return rc;
}

msStatus storeCopyRules(store *x, int64_t mbx, uint32_t u, int64_t *copied) {
    sqlite3_stmt *st = prep(x, SS_COPY_RULES);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, u);
    if (!run(x, st)) return MS_FAIL;
    *copied = sqlite3_changes(x->db);
    return MS_OK;
}

/* Count a batch's work in the mailbox's open import session (none: nothing). */
static msStatus importAdd(store *x, int64_t mbx, const char *mode, const mergeCounts *c) {
    sqlite3_stmt *st = prep(x, SS_IMPORT_ADD);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->copied);
    sqlite3_bind_int64(st, 4, c->skipped);
    sqlite3_bind_int64(st, 5, c->replaced);
    sqlite3_bind_int64(st, 6, c->failed);
    return run(x, st) ? MS_OK : MS_FAIL;
}

/*
** Item ids for a copy of source items lo..hi: source item s becomes item
** ?4 + s, so a batch takes a fresh block of ids whether or not it copies
** every item.  Bound as ?4 of st.
*/
static void bindItemIds(store *x, sqlite3_stmt *st, int64_t lo, int64_t hi) {
    sqlite3_bind_int64(st, 4, x->items_made + 1 - lo);
    x->items_made += hi - lo + 1;
}

static sqlite3_stmt *prepRange(store *x, enum storeStmt k, int64_t mbx, int64_t lo, int64_t hi) {
    sqlite3_stmt *st = prep(x, k);
    if (!st) return NULL;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    return st;
}

/* prepRange, for a statement that makes items (ids from bindItemIds). */
static sqlite3_stmt *prepCopy(store *x, enum storeStmt k, int64_t mbx, int64_t lo, int64_t hi) {
    sqlite3_stmt *st = prepRange(x, k, mbx, lo, hi);
    if (st) bindItemIds(x, st, lo, hi);
    return st;
}

msStatus storeCloneBatch(store *x, int64_t mbx, int64_t lo, int64_t hi, int64_t *copied) {
    sqlite3_stmt *st = prepCopy(x, SS_CLONE_BATCH, mbx, lo, hi);
    if (!st) return MS_NOMEM;
    if (!run(x, st)) return MS_FAIL;
    *copied = sqlite3_changes(x->db);
    mergeCounts c = {*copied, 0, 0, 0};
    return importAdd(x, mbx, "clone", &c);
}

msStatus storeMergeBatch(store *x, int64_t mbx, uint32_t u, int64_t lo, int64_t hi,
                         mergeCounts *out) {
    memset(out, 0, sizeof *out);
    if (hi < lo) return MS_OK;
    /* The map is the mailbox's as the batch finds it (folders made since are in it). */
    msStatus mrc = buildFolderMap(x, mbx, u);
    if (mrc != MS_OK) return mrc;
    /* Decide every item against the mailbox as the batch found it, then write. */
    sqlite3_stmt *st = prepRange(x, SS_MERGE_COUNT, mbx, lo, hi);
    if (!st) return MS_NOMEM;
    /* Decide each source item on its last row (its newest copy). */
    int rc = sqlStep(x->k, st);
    while (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), mtime = sqlite3_column_int64(st, 1);
        int has_target = sqlite3_column_type(st, 2) != SQLITE_NULL;
        int64_t newest = sqlite3_column_int64(st, 2);
        int has_folder = sqlite3_column_type(st, 3) != SQLITE_NULL;
        while ((rc = sqlStep(x->k, st)) == SQLITE_ROW && sqlite3_column_int64(st, 0) == id)
            if (sqlite3_column_int64(st, 2) > newest) newest = sqlite3_column_int64(st, 2);
        if (has_target && newest >= mtime) out->skipped++;
        else if (has_target) out->replaced++;
        else if (has_folder) out->copied++;
        else out->failed++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return MS_NOMEM;
    if (out->copied == hi - lo + 1) {
        /* Nothing of the batch is in the mailbox: no per-item check needed. */
        if (!run(x, prepCopy(x, SS_MERGE_COPY_ALL, mbx, lo, hi))) return MS_FAIL;
        return importAdd(x, mbx, "merge", out);
    }
    if (out->replaced && !run(x, prepRange(x, SS_MERGE_REPLACE, mbx, lo, hi))) return MS_FAIL;
    if (out->copied && !run(x, prepCopy(x, SS_MERGE_COPY, mbx, lo, hi))) return MS_FAIL;
    return importAdd(x, mbx, "merge", out);
}

msStatus storeDeliver(store *x, int64_t mbx, int64_t skey, int64_t size, simtime now) {
    sqlite3_stmt *st = prep(x, SS_FOLDER_BY_PATH);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_text(st, 2, "Inbox", -1, SQLITE_STATIC);
    int found = sqlStep(x->k, st) == SQLITE_ROW;
    int64_t fid = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (!found) return MS_FAIL;
    st = prep(x, SS_ITEM_ADD);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, fid);
    sqlite3_bind_int64(st, 3, skey);
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, ++x->items_made);
    return run(x, st) ? MS_OK : MS_FAIL;
}

msStatus storeDisconnect(store *x, int64_t id, simtime now) {
    sqlite3_stmt *st = prep(x, SS_DISCONNECT);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return run(x, st) ? MS_OK : MS_FAIL;
}

msStatus storePurge(store *x, int64_t id) {
    static const enum storeStmt order[] = {SS_PURGE_ITEMS, SS_PURGE_FOLDERS, SS_PURGE_RULES, SS_PURGE_IMPORTS,
                                           SS_PURGE_MBX};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sqlite3_stmt *st = prep(x, order[i]);
        if (!st) return MS_NOMEM;
        sqlite3_bind_int64(st, 1, id);
        if (!run(x, st)) return MS_FAIL;
    }
    return MS_OK;
}

msStatus storeList(store *x, int server, mbxRow **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = prep(x, SS_LIST);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int(st, 1, server);
    size_t cap = 0;
    msStatus rc = MS_OK;
    while (sqlStep(x->k, st) == SQLITE_ROW) {
        if (*n == cap && (rc = arrayGrow(out, &cap, sizeof **out, 16)) != MS_OK) break;
        mbxRow *r = &(*out)[*n];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        const char *g = (const char *)sqlite3_column_text(st, 1);
        if (g) guidParse(g, &r->g);
        r->user = (uint32_t)sqlite3_column_int64(st, 2);
        r->disconnected = sqlite3_column_type(st, 3) != SQLITE_NULL;
        r->disconnected_at = sqlite3_column_int64(st, 3);
        r->created = sqlite3_column_int64(st, 4);
        (*n)++;
    }
    sqlite3_reset(st);
    if (rc != MS_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int64_t countMbx(store *x, enum storeStmt k, int64_t mbx) {
    sqlite3_stmt *st = prep(x, k);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, mbx);
    return count(x, st);
}

/* The position in src->items of user's item with search key skey, or -1 (bykey is sorted on skey). */
static int64_t userItem(const source *src, uint32_t user, int64_t skey) {
    size_t lo = 0, hi = (size_t)src->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->bykey[mid].skey < skey) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < (size_t)src->nitems && src->bykey[lo].skey == skey; lo++)
        if (src->items[src->bykey[lo].pos].user == user) return src->bykey[lo].pos;
    return -1;
}

/* One pass over a mailbox's copies (storeCounters). */
typedef struct copyScan {
    int64_t total, copies, present;   /* items; copies of the user's items; distinct ones */
    int64_t *bad;                     /* source folders with a copy of theirs elsewhere */
    size_t nbad, capbad;
} copyScan;

static int hasId(const int64_t *v, size_t n, int64_t id) {
    for (size_t i = 0; i < n; i++)
        if (v[i] == id) return 1;
    return 0;
}

/*
** Walk mbx's items in search-key order, each looked up among user's source
** items: equal search keys are adjacent, so a key unlike the previous
** copy's is a new source item present; a copy outside its source item's
** folder marks that source folder.
*/
static msStatus scanCopies(store *x, const source *src, int64_t mbx, uint32_t user, copyScan *s) {
    sqlite3_stmt *st = prep(x, SS_COUNT_COPIES);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    int64_t prev = 0;
    int rc = SQLITE_DONE, have_prev = 0;
    msStatus ms = MS_OK;
    while (ms == MS_OK && (rc = sqlStep(x->k, st)) == SQLITE_ROW) {
        s->total++;
        int64_t k = sqlite3_column_int64(st, 0), pos = userItem(src, user, k);
        if (pos < 0) continue;
        s->copies++;
        if (!have_prev || k != prev) s->present++;
        prev = k;
        have_prev = 1;
        int64_t sf = src->items[pos].fid;
        if (sf == sqlite3_column_int64(st, 1) || hasId(s->bad, s->nbad, sf)) continue;
        if (s->nbad == s->capbad) ms = arrayGrow(&s->bad, &s->capbad, sizeof *s->bad, 8);
        if (ms == MS_OK) s->bad[s->nbad++] = sf;
    }
    sqlite3_reset(st);
    return ms != MS_OK ? ms : rc == SQLITE_DONE ? MS_OK : MS_NOMEM;
}

/* The int64 column 0 of every row of st into a new array (*n of them). */
static msStatus column0(store *x, sqlite3_stmt *st, int64_t **out, size_t *n) {
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    while ((rc = sqlStep(x->k, st)) == SQLITE_ROW) {
        if (*n == cap && arrayGrow(out, &cap, sizeof **out, 16) != MS_OK) break;
        (*out)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? MS_OK : MS_NOMEM;
}

/*
** A source folder is not kept when the mailbox has no folder with its ID,
** or a copy of one of its items sits in another folder (s->bad); the
** folder lists are a handful of IDs.
*/
static msStatus foldersNotKept(store *x, int64_t mbx, const srcUser *su, const copyScan *s,
                               int64_t *lost, int64_t *total) {
    sqlite3_stmt *mf = prep(x, SS_FOLDER_IDS);
    if (!mf) return MS_NOMEM;
    int64_t *have = NULL;
    size_t nh = 0;
    sqlite3_bind_int64(mf, 1, mbx);
    msStatus rc = column0(x, mf, &have, &nh);
    if (rc == MS_OK) {
        const srcFolder *sf = &x->src->folders[su->first_folder - 1];
        *lost = 0;
        for (int64_t i = 0; i < su->nfolders; i++)
            *lost += !hasId(have, nh, sf[i].fid) || hasId(s->bad, s->nbad, sf[i].fid);
        *total = su->nfolders;
    }
    free(have);
    return rc;
}

msStatus storeCounters(store *x, int64_t mbx, uint32_t user, storeCopyCounts *out, int folders) {
    const source *src = x->src;
    const srcUser *su = sourceUser(src, user);
    memset(out, 0, sizeof *out);
    if (!su) return MS_INPUT;
    copyScan s = {0};
    msStatus rc = scanCopies(x, src, mbx, user, &s);
    int64_t broken = rc == MS_OK ? countMbx(x, SS_COUNT_BROKEN, mbx) : -1;
    if (rc == MS_OK && broken < 0) rc = MS_NOMEM;
    if (rc == MS_OK && folders) rc = foldersNotKept(x, mbx, su, &s, &out->folders_lost, &out->folders);
    free(s.bad);
    if (rc != MS_OK) return rc;
    out->c[0] = s.total - s.copies;
    out->c[1] = s.copies - s.present;
    out->c[2] = su->nitems - s.present;
    out->c[3] = broken;
    out->present = s.present;
    return MS_OK;
}

int64_t storeForeignItems(store *x, int64_t mbx) {
    return countMbx(x, SS_COUNT_FOREIGN, mbx);
}

/* user's source folder with ID fid, or NULL (a user's folders are in fid order). */
static const srcFolder *userFolder(const source *src, uint32_t user, int64_t fid) {
    const srcUser *su = sourceUser(src, user);
    if (!su) return NULL;
    const srcFolder *v = &src->folders[su->first_folder - 1];
    size_t lo = 0, hi = (size_t)su->nfolders;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].fid < fid) lo = mid + 1;
        else hi = mid;
    }
    return lo < (size_t)su->nfolders && v[lo].fid == fid ? &v[lo] : NULL;
}

/* Count one item in folder fid of v (n of them, in folder-ID order): in
** each folder with that ID, as a count per ID would (IDs are unique per
** mailbox in every path the model takes; the store does not enforce it). */
static void countItem(storeFolderInfo *v, size_t n, int64_t fid) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].fid < fid) lo = mid + 1;
        else hi = mid;
    }
    for (; lo < n && v[lo].fid == fid; lo++) v[lo].items++;
}

msStatus storeFolders(store *x, int64_t mbx, uint32_t user, storeFolderInfo **out, size_t *n) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = prep(x, SS_FOLDER_LIST);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    size_t cap = 0;
    int rc;
    while ((rc = sqlStep(x->k, st)) == SQLITE_ROW) {
        if (*n == cap && arrayGrow(out, &cap, sizeof **out, 8) != MS_OK) {
            sqlite3_reset(st);
            free(*out);
            *out = NULL;
            return MS_NOMEM;
        }
        storeFolderInfo *f = &(*out)[(*n)++];
        f->fid = sqlite3_column_int64(st, 0);
        snprintf(f->path, sizeof f->path, "%s", (const char *)sqlite3_column_text(st, 1));
        f->items = 0;
        f->from_source = userFolder(x->src, user, f->fid) != NULL;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE && (st = prep(x, SS_FOLDER_COUNTS)) != NULL) {
        sqlite3_bind_int64(st, 1, mbx);
        while ((rc = sqlStep(x->k, st)) == SQLITE_ROW) countItem(*out, *n, sqlite3_column_int64(st, 0));
        sqlite3_reset(st);
    }
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return MS_NOMEM;
    }
    return MS_OK;
}

msStatus storeRuleCounts(store *x, int64_t mbx, int64_t *total, int64_t *broken) {
    *total = countMbx(x, SS_COUNT_RULES, mbx);
    *broken = countMbx(x, SS_COUNT_BROKEN, mbx);
    return *total < 0 || *broken < 0 ? MS_NOMEM : MS_OK;
}

int64_t storeItemCount(store *x, int64_t mbx) {
    return countMbx(x, SS_COUNT_ITEMS, mbx);
}

int64_t storeUserCopies(store *x, int64_t mbx, uint32_t user) {
    sqlite3_stmt *st = prep(x, SS_COUNT_USER_COPIES);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, user);
    return count(x, st);
}

msStatus storeImportBegin(store *x, int64_t mbx, simtime now) {
    sqlite3_stmt *st = prep(x, SS_IMPORT_BEGIN);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, now);
    return run(x, st) ? MS_OK : MS_FAIL;
}

int storeLastImport(store *x, int64_t mbx, importInfo *out) {
    sqlite3_stmt *st = prep(x, SS_IMPORT_LAST);
    memset(out, 0, sizeof *out);
    if (!st) return 0;
    sqlite3_bind_int64(st, 1, mbx);
    int found = sqlStep(x->k, st) == SQLITE_ROW;
    if (found) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        snprintf(out->mode, sizeof out->mode, "%s", m ? m : "");
        out->started = sqlite3_column_int64(st, 1);
        out->copied = sqlite3_column_int64(st, 2);
        out->skipped = sqlite3_column_int64(st, 3);
        out->replaced = sqlite3_column_int64(st, 4);
        out->failed = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    return found;
}

/* to's folder with path (made with a new ID when missing) into *fid. */
static msStatus folderFor(store *x, int server, int64_t to, const char *path, int64_t *fid) {
    sqlite3_stmt *st = prep(x, SS_FOLDER_BY_PATH);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, to);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
    int found = sqlStep(x->k, st) == SQLITE_ROW;
    *fid = found ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (found) return MS_OK;
    *fid = newFid(x, server);
    return addFolder(x, to, *fid, path);
}

msStatus storeMoveForeign(store *x, int server, int64_t from, int64_t to, int64_t *moved) {
    *moved = 0;
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    /* Collect the folders first: the scan must not see the moves. */
    sqlite3_stmt *st = prep(x, SS_FOREIGN_PATHS);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, from);
    int64_t *fids = NULL;
    char **paths = NULL;
    size_t n = 0, cap = 0, capp = 0;
    msStatus rc = MS_OK;
    while (rc == MS_OK && sqlStep(x->k, st) == SQLITE_ROW) {
        if ((n == cap && (rc = arrayGrow(&fids, &cap, sizeof *fids, 4)) != MS_OK) ||
            (n == capp && (rc = arrayGrow(&paths, &capp, sizeof *paths, 4)) != MS_OK))
            break;
        const char *p = (const char *)sqlite3_column_text(st, 1);
        fids[n] = sqlite3_column_int64(st, 0);
        paths[n] = strdup(p ? p : "");
        if (!paths[n]) rc = MS_NOMEM; else n++;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < n; i++) {
        int64_t dst = 0;
        if (rc == MS_OK) rc = folderFor(x, server, to, paths[i], &dst);
        if (rc == MS_OK && !(st = prep(x, SS_MOVE_FOREIGN))) rc = MS_NOMEM;
        if (rc == MS_OK) {
            sqlite3_bind_int64(st, 1, from);
            sqlite3_bind_int64(st, 2, to);
            sqlite3_bind_int64(st, 3, dst);
            sqlite3_bind_int64(st, 4, fids[i]);
            if (!run(x, st)) rc = MS_FAIL;
            else *moved += sqlite3_changes(x->db);
        }
        free(paths[i]);
    }
    free(paths);
    free(fids);
    return rc;
}

/* 1 when some source item has search key skey (bykey is sorted on skey). */
static int sourceHasKey(const source *src, int64_t skey) {
    size_t lo = 0, hi = (size_t)src->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->bykey[mid].skey < skey) lo = mid + 1;
        else hi = mid;
    }
    return lo < (size_t)src->nitems && src->bykey[lo].skey == skey;
}

msStatus storeForeignKeys(store *x, int64_t mbx, int64_t **keys, size_t *n, size_t *cap) {
    sqlite3_stmt *st = prep(x, SS_FOREIGN_KEYS);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    msStatus rc = MS_OK;
    int r;
    while ((r = sqlStep(x->k, st)) == SQLITE_ROW) {
        int64_t k = sqlite3_column_int64(st, 0);
        if (sourceHasKey(x->src, k)) continue;
        if (*n == *cap && (rc = arrayGrow(keys, cap, sizeof **keys, 16)) != MS_OK) break;
        (*keys)[(*n)++] = k;
    }
    sqlite3_reset(st);
    if (rc == MS_OK && r != SQLITE_DONE && r != SQLITE_ROW) rc = MS_NOMEM;
    return rc;
}

int storeHasKey(store *x, int64_t mbx, int64_t skey) {
    sqlite3_stmt *st = prep(x, SS_HAS_KEY);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, skey);
    int has = sqlStep(x->k, st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_reset(st);
    return has;
}

msStatus storeAddItem(store *x, int server, int64_t mbx, const char *path, int64_t skey, int64_t size,
                      simtime mtime) {
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    int64_t fid = 0;
    msStatus rc = folderFor(x, server, mbx, path, &fid);
    if (rc != MS_OK) return rc;
    sqlite3_stmt *st = prep(x, SS_ITEM_ADD);
    if (!st) return MS_NOMEM;
    sqlite3_bind_int64(st, 1, mbx);
    sqlite3_bind_int64(st, 2, fid);
    sqlite3_bind_int64(st, 3, skey);
    sqlite3_bind_int64(st, 4, size);
    sqlite3_bind_int64(st, 5, mtime);
    sqlite3_bind_int64(st, 6, ++x->items_made);
    return run(x, st) ? MS_OK : MS_NOMEM;
}
