/*
** The source organization, generated from the seed.  See source.h.
**
** Generation order is fixed (user by user: folders, then items, then rules)
** and every draw comes from the RNG_SOURCE stream, so the same seed gives the
** same organization on every machine.  Folder IDs are REPLID+GCN pairs as in
** Exchange (the replica id in the top 16 bits, a global counter below); they
** need no randomness to be unique.  Search keys are 63-bit draws.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "source.h"

const char *const srcDefaultFolders[SRC_DEFAULT_FOLDERS] = {
    "Inbox", "Sent Items", "Deleted Items", "Calendar", "Contacts",
};

/* Names of the users' own folders; beyond the table, "Inbox/Folder N". */
static const char *const ownFolders[] = {
    "Inbox/Projects", "Inbox/Customers", "Inbox/Reports", "Archive", "Inbox/Travel",
    "Inbox/Finance", "Archive/2003", "Inbox/Newsletters",
};
#define NOWN (sizeof ownFolders / sizeof ownFolders[0])

static const char schema[] =
    "CREATE TABLE src_folder(id INTEGER PRIMARY KEY, user INTEGER NOT NULL,"
    " fid INTEGER NOT NULL UNIQUE, path TEXT NOT NULL, UNIQUE(user, path), UNIQUE(user, id));"
    "CREATE TABLE src_item(id INTEGER PRIMARY KEY, user INTEGER NOT NULL,"
    " fid INTEGER NOT NULL, skey INTEGER NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL);"
    "CREATE TABLE src_rule(id INTEGER PRIMARY KEY, user INTEGER NOT NULL,"
    " name TEXT NOT NULL, fid INTEGER NOT NULL, UNIQUE(user, id));";

/* The search-key index also covers the user, so "is this one of user's
** source items" is one index probe.  A bulk source (see sourceSchema) gets it
** after the insert, which is much faster than maintaining it row by row. */
static const char indexes[] =
    "CREATE INDEX src_item_skey ON src_item(skey, user);";

static msStatus execSql(sqlite3 *db, const char *sql, char *err, size_t errsz) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return MS_OK;
    snprintf(err, errsz, "source: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return MS_NOMEM;
}

msStatus sourceSchema(sqlite3 *db, int bulk, char *err, size_t errsz) {
    msStatus rc = execSql(db, schema, err, errsz);
    return rc == MS_OK && !bulk ? execSql(db, indexes, err, errsz) : rc;
}

int sourceIsBulk(const scenario *sc) {
    if (sc->source < 0) return 0;
    const stmt *st = &sc->v[sc->source];
    return (double)st->u.source.users * (double)st->u.source.items_hi > SRC_BULK_ITEMS;
}

const srcUser *sourceUser(const source *src, uint32_t u) {
    if (u < 1 || u > src->nusers) return NULL;
    return &src->users[u - 1];
}

void sourceFree(source *src) {
    free(src->users);
    memset(src, 0, sizeof *src);
}

typedef struct genStmts {
    sqlite3_stmt *folder, *item, *rule;
} genStmts;

static void finalizeGen(genStmts *g) {
    sqlite3_finalize(g->folder);
    sqlite3_finalize(g->item);
    sqlite3_finalize(g->rule);
}

static int stepDone(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE;
}

static void folderPath(int64_t k, char *buf, size_t sz) {
    if (k < SRC_DEFAULT_FOLDERS)
        snprintf(buf, sz, "%s", srcDefaultFolders[k]);
    else if ((size_t)(k - SRC_DEFAULT_FOLDERS) < NOWN)
        snprintf(buf, sz, "%s", ownFolders[k - SRC_DEFAULT_FOLDERS]);
    else
        snprintf(buf, sz, "Inbox/Folder %lld", (long long)(k - SRC_DEFAULT_FOLDERS + 1));
}

/* One user's folders, items and rules; fids receives the folder IDs. */
static int genUser(genStmts *g, const source *src, uint32_t u, const srcUser *su,
                   rng *r, int64_t *gcn, int64_t *fids) {
    char path[64];
    for (int64_t k = 0; k < su->nfolders; k++) {
        fids[k] = ((int64_t)SRC_REPLID << 48) | ++*gcn;
        folderPath(k, path, sizeof path);
        sqlite3_bind_int64(g->folder, 1, u);
        sqlite3_bind_int64(g->folder, 2, fids[k]);
        sqlite3_bind_text(g->folder, 3, path, -1, SQLITE_TRANSIENT);
        if (!stepDone(g->folder)) return 0;
    }
    for (int64_t i = 0; i < su->nitems; i++) {
        sqlite3_bind_int64(g->item, 1, su->first_item + i);
        sqlite3_bind_int64(g->item, 2, u);
        sqlite3_bind_int64(g->item, 3, fids[rngBelow(r, (uint64_t)su->nfolders)]);
        sqlite3_bind_int64(g->item, 4, (int64_t)(rngNext(r) >> 1));
        sqlite3_bind_int64(g->item, 5, rngBetween(r, 1024, 256 * 1024));
        sqlite3_bind_int64(g->item, 6, -rngBetween(r, MS_PER_SECOND, 365 * MS_PER_DAY));
        if (!stepDone(g->item)) return 0;
    }
    (void)src;
    int64_t own = su->nfolders - SRC_DEFAULT_FOLDERS;
    for (int64_t k = 0; k < su->nrules; k++) {
        int64_t f = own > 0 ? SRC_DEFAULT_FOLDERS + k % own : 0;
        char name[128];
        folderPath(f, path, sizeof path);
        snprintf(name, sizeof name, "Rule %lld: move to %s", (long long)(k + 1), path);
        sqlite3_bind_int64(g->rule, 1, u);
        sqlite3_bind_text(g->rule, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(g->rule, 3, fids[f]);
        if (!stepDone(g->rule)) return 0;
    }
    return 1;
}

static void fillUser(srcUser *su, const scenario *sc, uint32_t u) {
    scnUserName(sc, u, su->name, sizeof su->name);
    snprintf(su->legdn, sizeof su->legdn,
             "/o=Source/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
    snprintf(su->x500, sizeof su->x500, "X500:%s", su->legdn);
    snprintf(su->smtp, sizeof su->smtp, "%s@source.example", su->name);
}

msStatus sourceGenerate(source *src, sqlite3 *db, const scenario *sc, rng *r,
                        char *err, size_t errsz) {
    memset(src, 0, sizeof *src);
    int bulk = sourceIsBulk(sc);
    if (sc->source < 0 || sc->nusers == 0) return MS_OK;
    const stmt *st = &sc->v[sc->source];
    src->nusers = sc->nusers;
    src->users = calloc(src->nusers, sizeof *src->users);
    int64_t nf = SRC_DEFAULT_FOLDERS + st->u.source.folders;
    int64_t *fids = malloc((size_t)nf * sizeof *fids);
    if (!src->users || !fids) {
        free(fids);
        snprintf(err, errsz, "source: out of memory");
        return MS_NOMEM;
    }
    genStmts g = {0};
    int ok = sqlite3_prepare_v2(db, "INSERT INTO src_folder(user, fid, path) VALUES(?,?,?)", -1, &g.folder, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "INSERT INTO src_item(id, user, fid, skey, size, mtime) VALUES(?,?,?,?,?,?)", -1, &g.item, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "INSERT INTO src_rule(user, name, fid) VALUES(?,?,?)", -1, &g.rule, NULL) == SQLITE_OK &&
             sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    int64_t gcn = 0, next_item = 1;
    for (uint32_t u = 1; ok && u <= src->nusers; u++) {
        srcUser *su = &src->users[u - 1];
        fillUser(su, sc, u);
        su->nfolders = nf;
        su->nrules = st->u.source.rules;
        su->nitems = rngBetween(r, st->u.source.items_lo, st->u.source.items_hi);
        su->first_item = next_item;
        next_item += su->nitems;
        src->nitems += su->nitems;
        ok = genUser(&g, src, u, su, r, &gcn, fids);
    }
    /* Indexes after the bulk insert (cheaper than maintaining them row by
    ** row), inside the transaction (DDL outside one reloads the schema per
    ** statement). */
    if (ok && bulk) ok = sqlite3_exec(db, indexes, NULL, NULL, NULL) == SQLITE_OK;
    if (ok) ok = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    free(fids);
    if (!ok) snprintf(err, errsz, "source: %s", sqlite3_errmsg(db));
    finalizeGen(&g);
    return ok ? MS_OK : MS_NOMEM;
}
