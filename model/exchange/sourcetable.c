/*
** The source organization seen from SQL: src_item, src_folder and src_rule,
** eponymous virtual tables over the run's C arrays (source.h).  See source.h
** for the columns.
**
** Why virtual tables: the source is read-only and generated in C, so
** writing it into SQLite tables (row by row, then indexes) only to read it
** back was most of the cost of a small run.  Each array is already in id
** order, a user's rows are consecutive, the run keeps a second array of item
** numbers sorted on (skey, id), and folder IDs grow with the folder id, so
** the lookups the queries need are direct:
**
**   id = ?, or a range (<, <=, >, >=)    a slice of the array
**   user = ?                             the user's id range (srcUser)
**   skey = ? (items)                     a binary search in the sorted array
**   fid = ? (folders)                    a binary search in the folders
**
** Every plan returns its rows in ascending id order (equal search keys are
** sorted on id), so an ORDER BY id is consumed.  Constraints are a filter
** the table narrows to, never the last word: each is also checked by SQLite
** (omit = 0), so a value of another type (a text, a real) can only make the
** scan wider, never drop a row.
**
** One module serves the three tables (its xConnect tells them apart by the
** name it was registered under); its data is the run's source, so nothing
** here is shared between runs.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exchange/source.h"

/* The tables; each has id and user as its first two columns. */
enum { T_ITEM, T_FOLDER, T_RULE };

/* Columns: src_item(id, user, fid, skey, size, mtime), src_folder(id, user,
** fid, path), src_rule(id, user, name, fid). */
enum { COL_ID, COL_USER, COL_FID, COL_SKEY, COL_SIZE, COL_MTIME };
enum { FCOL_FID = 2, FCOL_PATH };
enum { RCOL_NAME = 2, RCOL_FID };

/* idxNum bits: which constraints the plan uses, in argv in this order.
** PLAN_KEY: skey = ? for items, fid = ? for folders. */
enum { PLAN_KEY = 1, PLAN_USER = 2, PLAN_LO = 4, PLAN_HI = 8, PLAN_ID = 16 };

typedef struct srcTable {
    sqlite3_vtab base;
    const source *src;
    int kind;
} srcTable;

typedef struct srcCursor {
    sqlite3_vtab_cursor base;
    const source *src;
    int kind;
    int by_key;          /* walking bykey[pos..end) instead of ids pos..end */
    int64_t pos, end;    /* half-open; ids are 1-based, positions 0-based */
} srcCursor;

static const char itemDeclaration[] = "CREATE TABLE x(id INTEGER PRIMARY KEY, user INTEGER, fid INTEGER,"
                                      " skey INTEGER, size INTEGER, mtime INTEGER)";

static const char *const declarations[] = {
    [T_ITEM] = itemDeclaration,
    [T_FOLDER] = "CREATE TABLE x(id INTEGER PRIMARY KEY, user INTEGER, fid INTEGER, path TEXT)",
    [T_RULE] = "CREATE TABLE x(id INTEGER PRIMARY KEY, user INTEGER, name TEXT, fid INTEGER)",
};

/* The column a key plan looks up (-2: none). */
static int keyColumn(int kind) {
    return kind == T_ITEM ? COL_SKEY : kind == T_FOLDER ? FCOL_FID : -2;
}

static int64_t rowCount(const source *src, int kind) {
    return kind == T_ITEM ? src->nitems : kind == T_FOLDER ? src->nfolders : src->nrules;
}

static int connectKind(sqlite3 *db, const source *src, int kind, sqlite3_vtab **out) {
    int rc = sqlite3_declare_vtab(db, declarations[kind]);
    if (rc != SQLITE_OK) return rc;
    srcTable *t = sqlite3_malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->src = src;
    t->kind = kind;
    *out = &t->base;
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    return SQLITE_OK;
}

/* The table an eponymous connection is for, by the module's name (argv[0]). */
static const char *const tableNames[] = {[T_ITEM] = "src_item", [T_FOLDER] = "src_folder", [T_RULE] = "src_rule"};

static int stConnect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **err) {
    (void)err;
    for (int kind = T_ITEM; kind <= T_RULE; kind++)
        if (argc >= 1 && strcmp(argv[0], tableNames[kind]) == 0) return connectKind(db, aux, kind, out);
    return SQLITE_ERROR;
}

static int stDisconnect(sqlite3_vtab *v) {
    sqlite3_free(v);
    return SQLITE_OK;
}

static int isId(int col) {
    return col == COL_ID || col == -1;
}

static int stBestIndex(sqlite3_vtab *v, sqlite3_index_info *info) {
    const srcTable *t = (const srcTable *)v;
    int use[5] = {-1, -1, -1, -1, -1};   /* constraint per plan bit: key, user, lo, hi, id = */
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable) continue;
        if (c->iColumn == keyColumn(t->kind) && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[0] = i;
        else if (c->iColumn == COL_USER && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[1] = i;
        else if (isId(c->iColumn) && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[4] = i;
        else if (isId(c->iColumn) && (c->op == SQLITE_INDEX_CONSTRAINT_GE || c->op == SQLITE_INDEX_CONSTRAINT_GT)) {
            if (use[2] < 0) use[2] = i;
        } else if (isId(c->iColumn) && (c->op == SQLITE_INDEX_CONSTRAINT_LE || c->op == SQLITE_INDEX_CONSTRAINT_LT)) {
            if (use[3] < 0) use[3] = i;
        }
    }
    /* A key narrows to about one row; ids to a slice; a user to ~1/n. */
    double n = (double)rowCount(t->src, t->kind) + 1, rows = n;
    int plan = 0, arg = 0;
    if (use[4] >= 0) {
        plan = PLAN_ID;
        rows = 1;
    } else if (use[0] >= 0) {
        plan = PLAN_KEY;
        rows = 1;
    } else {
        if (use[1] >= 0) { plan |= PLAN_USER; rows = rows / (t->src->nusers + 1) + 1; }
        if (use[2] >= 0) { plan |= PLAN_LO; rows = rows / 4 + 1; }
        if (use[3] >= 0) { plan |= PLAN_HI; rows = rows / 4 + 1; }
    }
    static const int bits[5] = {PLAN_KEY, PLAN_USER, PLAN_LO, PLAN_HI, PLAN_ID};
    for (int b = 0; b < 5; b++) {
        if (!(plan & bits[b])) continue;
        info->aConstraintUsage[use[b]].argvIndex = ++arg;
        info->aConstraintUsage[use[b]].omit = 0;
    }
    info->idxNum = plan;
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = plan & (PLAN_KEY | PLAN_ID) ? 10 : rows;
    if (info->nOrderBy == 1 && isId(info->aOrderBy[0].iColumn) && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
    return SQLITE_OK;
}

static int stOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    srcCursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->src = ((srcTable *)v)->src;
    c->kind = ((srcTable *)v)->kind;
    *out = &c->base;
    return SQLITE_OK;
}

static int stClose(sqlite3_vtab_cursor *cur) {
    sqlite3_free(cur);
    return SQLITE_OK;
}

/* The integer a constraint value stands for, widened to keep every match:
** floor for a lower bound, ceil for an upper; 0 when it is no number. */
static int valueBound(sqlite3_value *v, int upper, int64_t *out) {
    switch (sqlite3_value_numeric_type(v)) {
    case SQLITE_INTEGER: *out = sqlite3_value_int64(v); return 1;
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(v);
        d = upper ? ceil(d) : floor(d);
        if (!(d > -9.2e18 && d < 9.2e18)) return 0;
        *out = (int64_t)d;
        return 1;
    }
    default: return 0;
    }
}

/* First position in bykey whose item's (skey, id) is >= (key, 0). */
static int64_t lowerBound(const source *src, int64_t key) {
    int64_t lo = 0, hi = src->nitems;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (src->bykey[mid].skey < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The id of the first folder whose fid is >= fid (nfolders + 1: none);
** folder IDs grow with the id (source.h). */
static int64_t folderWithFid(const source *src, int64_t fid) {
    int64_t lo = 0, hi = src->nfolders;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (src->folders[mid].fid < fid) lo = mid + 1;
        else hi = mid;
    }
    return lo + 1;
}

static int stFilter(sqlite3_vtab_cursor *cur, int plan, const char *idxStr, int argc, sqlite3_value **argv) {
    srcCursor *c = (srcCursor *)cur;
    const source *src = c->src;
    (void)idxStr;
    (void)argc;
    int a = 0;
    c->by_key = 0;
    c->pos = 1;
    c->end = rowCount(src, c->kind) + 1;
    int64_t k;
    if (plan & PLAN_ID) {
        int64_t hi;
        if (valueBound(argv[0], 0, &k) && valueBound(argv[0], 1, &hi)) {
            if (k > c->pos) c->pos = k;
            if (hi < c->end - 1) c->end = hi + 1;
            if (c->end < c->pos) c->end = c->pos;
        }
        return SQLITE_OK;
    }
    if (plan & PLAN_KEY) {
        int typed = sqlite3_value_numeric_type(argv[a]);
        double d = typed == SQLITE_FLOAT ? sqlite3_value_double(argv[a]) : 0;
        if (typed == SQLITE_INTEGER || (typed == SQLITE_FLOAT && d == floor(d) && fabs(d) < 9.2e18)) {
            k = typed == SQLITE_INTEGER ? sqlite3_value_int64(argv[a]) : (int64_t)d;
            if (c->kind == T_FOLDER) {
                c->pos = folderWithFid(src, k);
                c->end = c->pos <= src->nfolders && src->folders[c->pos - 1].fid == k ? c->pos + 1 : c->pos;
                return SQLITE_OK;
            }
            c->by_key = 1;
            c->pos = lowerBound(src, k);
            c->end = c->pos;
            while (c->end < src->nitems && src->bykey[c->end].skey == k) c->end++;
        } else if (typed == SQLITE_FLOAT || sqlite3_value_type(argv[a]) == SQLITE_NULL) {
            c->end = c->pos;   /* no integer key equals it */
        }
        return SQLITE_OK;
    }
    if (plan & PLAN_USER) {
        const srcUser *su = sqlite3_value_numeric_type(argv[a]) == SQLITE_INTEGER
                                ? sourceUser(src, (uint32_t)(sqlite3_value_int64(argv[a]) > 0 &&
                                                             sqlite3_value_int64(argv[a]) <= UINT32_MAX
                                                                 ? sqlite3_value_int64(argv[a]) : 0))
                                : NULL;
        if (su && c->kind == T_ITEM) {
            c->pos = su->first_item;
            c->end = su->first_item + su->nitems;
        } else if (su && c->kind == T_FOLDER) {
            c->pos = su->first_folder;
            c->end = su->first_folder + su->nfolders;
        } else if (su) {
            c->pos = su->first_rule;
            c->end = su->first_rule + su->nrules;
        } else if (sqlite3_value_numeric_type(argv[a]) == SQLITE_INTEGER ||
                   sqlite3_value_type(argv[a]) == SQLITE_NULL) {
            c->end = c->pos;   /* no such user */
        }
        a++;
    }
    if ((plan & PLAN_LO) && valueBound(argv[a++], 0, &k) && k > c->pos) c->pos = k;
    if ((plan & PLAN_HI) && valueBound(argv[a++], 1, &k) && k < c->end - 1) c->end = k + 1;
    if (c->end < c->pos) c->end = c->pos;
    return SQLITE_OK;
}

static int stNext(sqlite3_vtab_cursor *cur) {
    ((srcCursor *)cur)->pos++;
    return SQLITE_OK;
}

static int stEof(sqlite3_vtab_cursor *cur) {
    const srcCursor *c = (const srcCursor *)cur;
    return c->pos >= c->end;
}

static int64_t cursorId(const srcCursor *c) {
    return c->by_key ? (int64_t)c->src->bykey[c->pos].pos + 1 : c->pos;
}

static void itemColumn(const srcItem *it, int64_t id, sqlite3_context *ctx, int col) {
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, id); break;
    case COL_USER: sqlite3_result_int64(ctx, it->user); break;
    case COL_FID: sqlite3_result_int64(ctx, it->fid); break;
    case COL_SKEY: sqlite3_result_int64(ctx, it->skey); break;
    case COL_SIZE: sqlite3_result_int64(ctx, it->size); break;
    case COL_MTIME: sqlite3_result_int64(ctx, it->mtime); break;
    }
}

static void folderColumn(const srcFolder *f, int64_t id, sqlite3_context *ctx, int col) {
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, id); break;
    case COL_USER: sqlite3_result_int64(ctx, f->user); break;
    case FCOL_FID: sqlite3_result_int64(ctx, f->fid); break;
    case FCOL_PATH: sqlite3_result_text(ctx, f->path, -1, SQLITE_STATIC); break;
    }
}

static void ruleColumn(const srcRule *r, int64_t id, sqlite3_context *ctx, int col) {
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, id); break;
    case COL_USER: sqlite3_result_int64(ctx, r->user); break;
    case RCOL_NAME: sqlite3_result_text(ctx, r->name, -1, SQLITE_STATIC); break;
    case RCOL_FID: sqlite3_result_int64(ctx, r->fid); break;
    }
}

static int stColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const srcCursor *c = (const srcCursor *)cur;
    int64_t id = cursorId(c);
    if (c->kind == T_ITEM) itemColumn(&c->src->items[id - 1], id, ctx, col);
    else if (c->kind == T_FOLDER) folderColumn(&c->src->folders[id - 1], id, ctx, col);
    else ruleColumn(&c->src->rules[id - 1], id, ctx, col);
    return SQLITE_OK;
}

static int stRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
    *out = cursorId((const srcCursor *)cur);
    return SQLITE_OK;
}

/* One module serves the three tables: an eponymous table's xConnect is told
** the module's name, which says which table it is. */
static const sqlite3_module srcModule = {
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
};

msStatus sourceTables(sqlite3 *db, const source *src, char *err, size_t errsz) {
    void *aux = (void *)src;
    if (sqlite3_create_module(db, tableNames[T_ITEM], &srcModule, aux) == SQLITE_OK &&
        sqlite3_create_module(db, tableNames[T_FOLDER], &srcModule, aux) == SQLITE_OK &&
        sqlite3_create_module(db, tableNames[T_RULE], &srcModule, aux) == SQLITE_OK)
        return MS_OK;
    snprintf(err, errsz, "source: %s", sqlite3_errmsg(db));
    return MS_NOMEM;
}
