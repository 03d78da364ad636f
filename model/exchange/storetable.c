/*
** The target stores seen from SQL: mailbox, folder, item, rule and import,
** eponymous virtual tables over the run's store (store.h has the columns).
**
** Nothing in a run reads them: the store is C, and these tables exist for
** whoever wants to ask it questions in SQL, the tests above all, which also
** alter a store through them to build states no scenario reaches (a copy
** moved to another folder, a folder deleted).  So the tables favour
** plainness over speed:
**
** - A scan is a snapshot.  xFilter copies the rows it will return into the
**   cursor, so an UPDATE or DELETE that changes the store while SQLite walks
**   it cannot disturb the walk.  Rows come in mailbox-id order, then the
**   owner's own order (creation for folders, rules and imports; item id).
** - The only plans are `id = ?` (every table) and `mbx = ?` (the tables a
**   mailbox owns); every constraint is also checked by SQLite (omit = 0).
** - folder and item are writable (INSERT, UPDATE, DELETE) with the store's
**   own rules: a folder's path is unique in its mailbox, an item's id in the
**   store, and the mailbox must exist (else SQLITE_CONSTRAINT).  An item
**   inserted with an id above the store's raises the store's counter, so
**   the ids the store hands out later stay above every id in use; an id
**   above STORE_MAX_ID is refused (SQLITE_CONSTRAINT), so that counter can
**   never overflow however the ids were written.  A rule
**   can be changed in place (name, fid) or deleted; mailbox and import are
**   read-only.
**
** One module serves the five tables: an eponymous table's xConnect is told
** the module's name, which says which table it is.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exchange/store.h"

enum { T_MAILBOX, T_FOLDER, T_ITEM, T_RULE, T_IMPORT, T__COUNT };

static const char *const names[T__COUNT] = {"mailbox", "folder", "item", "rule", "import"};

static const char *const declarations[T__COUNT] = {
    [T_MAILBOX] = "CREATE TABLE x(id INTEGER, server INTEGER, guid TEXT, user INTEGER, init TEXT,"
                  " created INTEGER, disconnected INTEGER)",
    [T_FOLDER] = "CREATE TABLE x(id INTEGER, mbx INTEGER, fid INTEGER, path TEXT)",
    [T_ITEM] = "CREATE TABLE x(id INTEGER, mbx INTEGER, fid INTEGER, skey INTEGER, size INTEGER, mtime INTEGER)",
    [T_RULE] = "CREATE TABLE x(id INTEGER, mbx INTEGER, name TEXT, fid INTEGER)",
    [T_IMPORT] = "CREATE TABLE x(id INTEGER, mbx INTEGER, started INTEGER, mode TEXT, copied INTEGER,"
                 " skipped INTEGER, replaced INTEGER, failed INTEGER)",
};

/* The most columns a table has. */
#define MAXCOLS 8

/* One column value of a snapshot row: an integer, a text, or NULL. */
typedef struct cell {
    int type;                  /* SQLITE_INTEGER, SQLITE_TEXT or SQLITE_NULL */
    int64_t i;
    char *s;
} cell;

typedef struct storeTable {
    sqlite3_vtab base;
    store *x;
    int kind;
} storeTable;

typedef struct storeCursor {
    sqlite3_vtab_cursor base;
    cell *rows;                /* nrows * MAXCOLS */
    size_t nrows, cap, at;
} storeCursor;

/* idxNum bits: the plan's constraints, in argv in this order. */
enum { PLAN_ID = 1, PLAN_MBX = 2 };

static int stConnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
    (void)err;
    int kind = 0;
    while (kind < T__COUNT && (argc < 1 || strcmp(argv[0], names[kind]) != 0)) kind++;
    if (kind == T__COUNT) return SQLITE_ERROR;
    int rc = sqlite3_declare_vtab(db, declarations[kind]);
    if (rc != SQLITE_OK) return rc;
    storeTable *t = sqlite3_malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->x = aux;
    t->kind = kind;
    *out = &t->base;
    return SQLITE_OK;
}

static int stDisconnect(sqlite3_vtab *v) {
    sqlite3_free(v);
    return SQLITE_OK;
}

static int stBestIndex(sqlite3_vtab *v, sqlite3_index_info *info) {
    const storeTable *t = (const storeTable *)v;
    int id = -1, mbx = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (c->iColumn == 0 || c->iColumn == -1) id = i;
        else if (c->iColumn == 1 && t->kind != T_MAILBOX) mbx = i;
    }
    int argv = 0;
    info->idxNum = 0;
    info->estimatedCost = 1e6;
    if (id >= 0) {
        info->idxNum |= PLAN_ID;
        info->aConstraintUsage[id].argvIndex = ++argv;
        info->estimatedCost = 1;
    }
    if (mbx >= 0) {
        info->idxNum |= PLAN_MBX;
        info->aConstraintUsage[mbx].argvIndex = ++argv;
        if (id < 0) info->estimatedCost = 1e3;
    }
    return SQLITE_OK;
}

static int stOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    (void)v;
    storeCursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static void clearRows(storeCursor *c) {
    for (size_t i = 0; i < c->nrows * MAXCOLS; i++) sqlite3_free(c->rows[i].s);
    c->nrows = c->at = 0;
}

static int stClose(sqlite3_vtab_cursor *cur) {
    storeCursor *c = (storeCursor *)cur;
    clearRows(c);
    sqlite3_free(c->rows);
    sqlite3_free(c);
    return SQLITE_OK;
}

/* A new row of the snapshot, all NULL; NULL when out of memory. */
static cell *newRow(storeCursor *c) {
    if (c->nrows == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        cell *r = sqlite3_realloc64(c->rows, cap * MAXCOLS * sizeof *r);
        if (!r) return NULL;
        c->rows = r;
        c->cap = cap;
    }
    cell *row = &c->rows[c->nrows++ * MAXCOLS];
    for (int i = 0; i < MAXCOLS; i++) row[i] = (cell){SQLITE_NULL, 0, NULL};
    return row;
}

static void setInt(cell *row, int col, int64_t v) {
    row[col] = (cell){SQLITE_INTEGER, v, NULL};
}

static int setText(cell *row, int col, const char *s) {
    row[col].type = SQLITE_TEXT;
    row[col].s = sqlite3_mprintf("%s", s);
    return row[col].s ? SQLITE_OK : SQLITE_NOMEM;
}

static int mailboxRow(storeCursor *c, const storeMailbox *m) {
    cell *r = newRow(c);
    if (!r) return SQLITE_NOMEM;
    char g[GUID_STRLEN];
    setInt(r, 0, m->id);
    setInt(r, 1, m->server);
    setInt(r, 3, m->user);
    setInt(r, 5, m->created);
    if (m->disconnected) setInt(r, 6, m->disconnected_at);
    if (setText(r, 2, guidFormat(&m->g, g)) != SQLITE_OK) return SQLITE_NOMEM;
    return setText(r, 4, storeInitName(m->init));
}

static int folderRows(storeCursor *c, const storeMailbox *m, int64_t id, int by_id) {
    for (size_t i = 0; i < m->nfolders; i++) {
        const storeFolderRow *f = &m->folders[i];
        if (by_id && f->id != id) continue;
        cell *r = newRow(c);
        if (!r) return SQLITE_NOMEM;
        setInt(r, 0, f->id);
        setInt(r, 1, m->id);
        setInt(r, 2, f->fid);
        if (setText(r, 3, f->path) != SQLITE_OK) return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

static int itemRows(storeCursor *c, const storeMailbox *m, int64_t id, int by_id) {
    size_t lo = 0, hi = m->items.n;
    if (by_id) {
        int64_t at = itemSetFindId(&m->items, id);
        if (at < 0) return SQLITE_OK;
        lo = (size_t)at;
        hi = lo + 1;
    }
    for (size_t i = lo; i < hi; i++) {
        const storeItem *it = &m->items.v[i];
        cell *r = newRow(c);
        if (!r) return SQLITE_NOMEM;
        setInt(r, 0, it->id);
        setInt(r, 1, m->id);
        setInt(r, 2, it->fid);
        setInt(r, 3, it->skey);
        setInt(r, 4, it->size);
        setInt(r, 5, it->mtime);
    }
    return SQLITE_OK;
}

static int ruleRows(storeCursor *c, const storeMailbox *m, int64_t id, int by_id) {
    for (size_t i = 0; i < m->nrules; i++) {
        const storeRuleRow *u = &m->rules[i];
        if (by_id && u->id != id) continue;
        cell *r = newRow(c);
        if (!r) return SQLITE_NOMEM;
        setInt(r, 0, u->id);
        setInt(r, 1, m->id);
        setInt(r, 3, u->fid);
        if (setText(r, 2, u->name) != SQLITE_OK) return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

static int importRows(storeCursor *c, const storeMailbox *m, int64_t id, int by_id) {
    for (size_t i = 0; i < m->nimports; i++) {
        const storeImportRow *s = &m->imports[i];
        if (by_id && s->id != id) continue;
        cell *r = newRow(c);
        if (!r) return SQLITE_NOMEM;
        setInt(r, 0, s->id);
        setInt(r, 1, m->id);
        setInt(r, 2, s->started);
        setInt(r, 4, s->copied);
        setInt(r, 5, s->skipped);
        setInt(r, 6, s->replaced);
        setInt(r, 7, s->failed);
        if (s->mode[0] && setText(r, 3, s->mode) != SQLITE_OK) return SQLITE_NOMEM;
    }
    return SQLITE_OK;
}

/* The rows of table kind owned by (or being) mailbox m. */
static int rowsOf(storeCursor *c, int kind, const storeMailbox *m, int64_t id, int by_id) {
    switch (kind) {
    case T_MAILBOX: return by_id && m->id != id ? SQLITE_OK : mailboxRow(c, m);
    case T_FOLDER: return folderRows(c, m, id, by_id);
    case T_ITEM: return itemRows(c, m, id, by_id);
    case T_RULE: return ruleRows(c, m, id, by_id);
    default: return importRows(c, m, id, by_id);
    }
}

static int stFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
    (void)idxStr;
    storeCursor *c = (storeCursor *)cur;
    const storeTable *t = (const storeTable *)cur->pVtab;
    clearRows(c);
    int a = 0, by_id = 0, by_mbx = 0;
    int64_t id = 0, mbx = 0;
    /* A value that is not an integer narrows nothing: SQLite compares it
    ** itself (omit = 0), so the scan may only be wider, never miss a row. */
    if ((idxNum & PLAN_ID) && a < argc) {
        by_id = sqlite3_value_type(argv[a]) == SQLITE_INTEGER;
        id = sqlite3_value_int64(argv[a++]);
    }
    if ((idxNum & PLAN_MBX) && a < argc) {
        by_mbx = sqlite3_value_type(argv[a]) == SQLITE_INTEGER;
        mbx = sqlite3_value_int64(argv[a++]);
    }
    const store *x = t->x;
    for (size_t i = 0; i < x->nmbx; i++) {
        if (by_mbx && x->mbx[i]->id != mbx) continue;
        int rc = rowsOf(c, t->kind, x->mbx[i], id, by_id);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int stNext(sqlite3_vtab_cursor *cur) {
    ((storeCursor *)cur)->at++;
    return SQLITE_OK;
}

static int stEof(sqlite3_vtab_cursor *cur) {
    const storeCursor *c = (const storeCursor *)cur;
    return c->at >= c->nrows;
}

static int stColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const storeCursor *c = (const storeCursor *)cur;
    const cell *v = &c->rows[c->at * MAXCOLS + col];
    if (v->type == SQLITE_INTEGER) sqlite3_result_int64(ctx, v->i);
    else if (v->type == SQLITE_TEXT) sqlite3_result_text(ctx, v->s, -1, SQLITE_TRANSIENT);
    else sqlite3_result_null(ctx);
    return SQLITE_OK;
}

static int stRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
    const storeCursor *c = (const storeCursor *)cur;
    *out = c->rows[c->at * MAXCOLS].i;
    return SQLITE_OK;
}

/* ---- Writing: folder and item ---- */

/* The mailbox holding item id (*at: its position), or NULL. */
static storeMailbox *itemOwner(const store *x, int64_t id, int64_t *at) {
    for (size_t i = 0; i < x->nmbx; i++)
        if ((*at = itemSetFindId(&x->mbx[i]->items, id)) >= 0) return x->mbx[i];
    return NULL;
}

/* The mailbox holding folder row id (*at: its position), or NULL. */
static storeMailbox *folderOwner(const store *x, int64_t id, size_t *at) {
    for (size_t i = 0; i < x->nmbx; i++)
        for (*at = 0; *at < x->mbx[i]->nfolders; (*at)++)
            if (x->mbx[i]->folders[*at].id == id) return x->mbx[i];
    return NULL;
}

static int intArg(sqlite3_value *v, int64_t *out) {
    if (sqlite3_value_type(v) != SQLITE_INTEGER) return 0;
    *out = sqlite3_value_int64(v);
    return 1;
}

/* argv[2..]: the new item's columns (id, mbx, fid, skey, size, mtime). */
static int itemInsert(store *x, sqlite3_value **col, sqlite3_int64 *rowid) {
    storeItem it;
    int64_t mbx;
    if (!intArg(col[0], &it.id) || !intArg(col[1], &mbx) || !intArg(col[2], &it.fid) || !intArg(col[3], &it.skey) ||
        !intArg(col[4], &it.size) || !intArg(col[5], &it.mtime))
        return SQLITE_CONSTRAINT;
    if (it.id > STORE_MAX_ID) return SQLITE_CONSTRAINT;
    int64_t at;
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m || itemOwner(x, it.id, &at)) return SQLITE_CONSTRAINT;
    msStatus rc = itemSetInsert(&m->items, &it);
    if (rc != MS_OK) return rc == MS_NOMEM ? SQLITE_NOMEM : SQLITE_CONSTRAINT;
    if (it.id > x->items_made) x->items_made = it.id;
    *rowid = it.id;
    return SQLITE_OK;
}

static int itemUpdate(store *x, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
    int64_t old = 0, at;
    storeMailbox *m = NULL;
    if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
        if (!intArg(argv[0], &old) || !(m = itemOwner(x, old, &at))) return SQLITE_CONSTRAINT;
    }
    if (argc == 1) return m && itemSetRemoveAt(&m->items, (size_t)at) == MS_OK ? SQLITE_OK : SQLITE_CONSTRAINT;
    if (!m) return itemInsert(x, argv + 2, rowid);
    /* An update is a removal and an insertion; put the old row back if the new one is refused. */
    storeItem was = m->items.v[at];
    itemSetRemoveAt(&m->items, (size_t)at);
    int rc = itemInsert(x, argv + 2, rowid);
    if (rc != SQLITE_OK && itemSetInsert(&m->items, &was) != MS_OK) return SQLITE_NOMEM;
    return rc;
}

/* argv[2..]: the folder's columns (id, mbx, fid, path); m, at: the row it replaces, if any. */
static int folderWrite(store *x, sqlite3_value **col, storeMailbox *old, size_t at, sqlite3_int64 *rowid) {
    int64_t id = 0, mbx, fid;
    const unsigned char *path = sqlite3_value_text(col[3]);
    if (!intArg(col[1], &mbx) || !intArg(col[2], &fid) || !path || strlen((const char *)path) >= 128)
        return SQLITE_CONSTRAINT;
    if (sqlite3_value_type(col[0]) != SQLITE_NULL && (!intArg(col[0], &id) || id > STORE_MAX_ID))
        return SQLITE_CONSTRAINT;
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return SQLITE_CONSTRAINT;
    for (size_t i = 0; i < m->nfolders; i++)
        if ((m != old || i != at) && strcmp(m->folders[i].path, (const char *)path) == 0) return SQLITE_CONSTRAINT;
    size_t other;
    if (id && folderOwner(x, id, &other) && !(old && old->folders[at].id == id)) return SQLITE_CONSTRAINT;
    if (old == m) {
        /* Same mailbox: in place, keeping its position. */
        storeFolderRow *f = &m->folders[at];
        f->id = id ? id : f->id;
        f->fid = fid;
        snprintf(f->path, sizeof f->path, "%s", (const char *)path);
        *rowid = f->id;
        return SQLITE_OK;
    }
    if (m->nfolders == m->capfolders) {
        size_t cap = m->capfolders ? m->capfolders * 2 : 8;
        storeFolderRow *v = realloc(m->folders, cap * sizeof *v);
        if (!v) return SQLITE_NOMEM;
        m->folders = v;
        m->capfolders = cap;
    }
    if (old) memmove(&old->folders[at], &old->folders[at + 1], (--old->nfolders - at) * sizeof *old->folders);
    storeFolderRow *f = &m->folders[m->nfolders++];
    f->id = id ? id : ++x->rows_made;
    if (f->id > x->rows_made) x->rows_made = f->id;
    f->fid = fid;
    snprintf(f->path, sizeof f->path, "%s", (const char *)path);
    *rowid = f->id;
    return SQLITE_OK;
}

static int folderUpdate(store *x, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
    int64_t old = 0;
    size_t at = 0;
    storeMailbox *m = NULL;
    if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
        if (!intArg(argv[0], &old) || !(m = folderOwner(x, old, &at))) return SQLITE_CONSTRAINT;
    }
    if (argc == 1) {
        if (!m) return SQLITE_CONSTRAINT;
        memmove(&m->folders[at], &m->folders[at + 1], (m->nfolders - at - 1) * sizeof *m->folders);
        m->nfolders--;
        return SQLITE_OK;
    }
    return folderWrite(x, argv + 2, m, at, rowid);
}

/* The mailbox holding rule row id (*at: its position), or NULL. */
static storeMailbox *ruleOwner(const store *x, int64_t id, size_t *at) {
    for (size_t i = 0; i < x->nmbx; i++)
        for (*at = 0; *at < x->mbx[i]->nrules; (*at)++)
            if (x->mbx[i]->rules[*at].id == id) return x->mbx[i];
    return NULL;
}

/* A rule changes in place (its id, mailbox and place stay) or goes; a new
** one is made by the store's copy of the source's rules, never by SQL. */
static int ruleUpdate(store *x, int argc, sqlite3_value **argv) {
    int64_t old = 0, mbx, fid;
    size_t at = 0;
    storeMailbox *m = NULL;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return SQLITE_READONLY;
    if (!intArg(argv[0], &old) || !(m = ruleOwner(x, old, &at))) return SQLITE_CONSTRAINT;
    if (argc == 1) {
        memmove(&m->rules[at], &m->rules[at + 1], (m->nrules - at - 1) * sizeof *m->rules);
        m->nrules--;
        return SQLITE_OK;
    }
    const unsigned char *name = sqlite3_value_text(argv[4]);
    if (!intArg(argv[2], &old) || old != m->rules[at].id || !intArg(argv[3], &mbx) || mbx != m->id ||
        !intArg(argv[5], &fid) || !name || strlen((const char *)name) >= sizeof m->rules[at].name)
        return SQLITE_CONSTRAINT;
    m->rules[at].fid = fid;
    snprintf(m->rules[at].name, sizeof m->rules[at].name, "%s", (const char *)name);
    return SQLITE_OK;
}

static int stUpdate(sqlite3_vtab *v, int argc, sqlite3_value **argv, sqlite3_int64 *rowid) {
    storeTable *t = (storeTable *)v;
    if (t->kind == T_ITEM) return itemUpdate(t->x, argc, argv, rowid);
    if (t->kind == T_FOLDER) return folderUpdate(t->x, argc, argv, rowid);
    if (t->kind == T_RULE) return ruleUpdate(t->x, argc, argv);
    return SQLITE_READONLY;
}

static const sqlite3_module storeModule = {
    .iVersion = 0,
    .xCreate = NULL,   /* eponymous only: the table exists as soon as the module does */
    .xConnect = stConnect,
    .xBestIndex = stBestIndex,
    .xDisconnect = stDisconnect,
    .xDestroy = stDisconnect,
    .xOpen = stOpen,
    .xClose = stClose,
    .xFilter = stFilter,
    .xNext = stNext,
    .xEof = stEof,
    .xColumn = stColumn,
    .xRowid = stRowid,
    .xUpdate = stUpdate,
};

msStatus storeTables(sqlite3 *db, store *x, char *err, size_t errsz) {
    for (int k = 0; k < T__COUNT; k++)
        if (sqlite3_create_module(db, names[k], &storeModule, x) != SQLITE_OK) {
            snprintf(err, errsz, "store: %s", sqlite3_errmsg(db));
            return MS_NOMEM;
        }
    return MS_OK;
}
