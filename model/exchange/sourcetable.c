/*
** The source organization's items seen from SQL: src_item, an eponymous
** virtual table over the run's C array of items (source.h).  See source.h
** for the columns.
**
** Why a virtual table: the source is read-only and generated in C, so
** writing it into a SQLite table (row by row, then an index on the search
** key) only to read it back was most of the cost of a small run.  The array
** is already in id order, and the run keeps a second array of item numbers
** sorted on (skey, id), so the lookups the queries need are direct:
**
**   id = ?, or a range (<, <=, >, >=)    a slice of the array
**   user = ?                             the user's id range (srcUser)
**   skey = ?                             a binary search in the sorted array
**
** Every plan returns its rows in ascending id order (equal search keys are
** sorted on id), so an ORDER BY id is consumed.  Constraints are a filter
** the table narrows to, never the last word: each is also checked by SQLite
** (omit = 0), so a value of another type (a text, a real) can only make the
** scan wider, never drop a row.
**
** One table per database connection; the module's data is the run's source,
** so nothing here is shared between runs.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exchange/source.h"

enum { COL_ID, COL_USER, COL_FID, COL_SKEY, COL_SIZE, COL_MTIME };

/* idxNum bits: which constraints the plan uses, in argv in this order. */
enum { PLAN_SKEY = 1, PLAN_USER = 2, PLAN_LO = 4, PLAN_HI = 8, PLAN_ID = 16 };

typedef struct srcTable {
    sqlite3_vtab base;
    const source *src;
} srcTable;

typedef struct srcCursor {
    sqlite3_vtab_cursor base;
    const source *src;
    int by_key;          /* walking bykey[pos..end) instead of ids pos..end */
    int64_t pos, end;    /* half-open; ids are 1-based, positions 0-based */
} srcCursor;

static int stConnect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                     sqlite3_vtab **out, char **err) {
    (void)argc;
    (void)argv;
    (void)err;
    int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(id INTEGER PRIMARY KEY, user INTEGER, fid INTEGER,"
                                      " skey INTEGER, size INTEGER, mtime INTEGER)");
    if (rc != SQLITE_OK) return rc;
    srcTable *t = sqlite3_malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    t->src = aux;
    *out = &t->base;
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    return SQLITE_OK;
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
    int use[5] = {-1, -1, -1, -1, -1};   /* constraint per plan bit: skey, user, lo, hi, id = */
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *c = &info->aConstraint[i];
        if (!c->usable) continue;
        if (c->iColumn == COL_SKEY && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[0] = i;
        else if (c->iColumn == COL_USER && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[1] = i;
        else if (isId(c->iColumn) && c->op == SQLITE_INDEX_CONSTRAINT_EQ) use[4] = i;
        else if (isId(c->iColumn) && (c->op == SQLITE_INDEX_CONSTRAINT_GE || c->op == SQLITE_INDEX_CONSTRAINT_GT)) {
            if (use[2] < 0) use[2] = i;
        } else if (isId(c->iColumn) && (c->op == SQLITE_INDEX_CONSTRAINT_LE || c->op == SQLITE_INDEX_CONSTRAINT_LT)) {
            if (use[3] < 0) use[3] = i;
        }
    }
    /* A search key narrows to about one row; ids to a slice; a user to ~1/n. */
    double n = (double)t->src->nitems + 1, rows = n;
    int plan = 0, arg = 0;
    if (use[4] >= 0) {
        plan = PLAN_ID;
        rows = 1;
    } else if (use[0] >= 0) {
        plan = PLAN_SKEY;
        rows = 1;
    } else {
        if (use[1] >= 0) { plan |= PLAN_USER; rows = rows / (t->src->nusers + 1) + 1; }
        if (use[2] >= 0) { plan |= PLAN_LO; rows = rows / 4 + 1; }
        if (use[3] >= 0) { plan |= PLAN_HI; rows = rows / 4 + 1; }
    }
    static const int bits[5] = {PLAN_SKEY, PLAN_USER, PLAN_LO, PLAN_HI, PLAN_ID};
    for (int b = 0; b < 5; b++) {
        if (!(plan & bits[b])) continue;
        info->aConstraintUsage[use[b]].argvIndex = ++arg;
        info->aConstraintUsage[use[b]].omit = 0;
    }
    info->idxNum = plan;
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = plan & (PLAN_SKEY | PLAN_ID) ? 10 : rows;
    if (info->nOrderBy == 1 && isId(info->aOrderBy[0].iColumn) && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
    return SQLITE_OK;
}

static int stOpen(sqlite3_vtab *v, sqlite3_vtab_cursor **out) {
    srcCursor *c = sqlite3_malloc(sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->src = ((srcTable *)v)->src;
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

static int stFilter(sqlite3_vtab_cursor *cur, int plan, const char *idxStr, int argc, sqlite3_value **argv) {
    srcCursor *c = (srcCursor *)cur;
    const source *src = c->src;
    (void)idxStr;
    (void)argc;
    int a = 0;
    c->by_key = 0;
    c->pos = 1;
    c->end = src->nitems + 1;
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
    if (plan & PLAN_SKEY) {
        int typed = sqlite3_value_numeric_type(argv[a]);
        double d = typed == SQLITE_FLOAT ? sqlite3_value_double(argv[a]) : 0;
        if (typed == SQLITE_INTEGER || (typed == SQLITE_FLOAT && d == floor(d) && fabs(d) < 9.2e18)) {
            k = typed == SQLITE_INTEGER ? sqlite3_value_int64(argv[a]) : (int64_t)d;
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
        if (su) {
            c->pos = su->first_item;
            c->end = su->first_item + su->nitems;
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

static int stColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
    const srcCursor *c = (const srcCursor *)cur;
    int64_t id = cursorId(c);
    const srcItem *it = &c->src->items[id - 1];
    switch (col) {
    case COL_ID: sqlite3_result_int64(ctx, id); break;
    case COL_USER: sqlite3_result_int64(ctx, it->user); break;
    case COL_FID: sqlite3_result_int64(ctx, it->fid); break;
    case COL_SKEY: sqlite3_result_int64(ctx, it->skey); break;
    case COL_SIZE: sqlite3_result_int64(ctx, it->size); break;
    case COL_MTIME: sqlite3_result_int64(ctx, it->mtime); break;
    }
    return SQLITE_OK;
}

static int stRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *out) {
    *out = cursorId((const srcCursor *)cur);
    return SQLITE_OK;
}

static const sqlite3_module srcItemModule = {
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

msStatus sourceTable(sqlite3 *db, const source *src, char *err, size_t errsz) {
    if (sqlite3_create_module(db, "src_item", &srcItemModule, (void *)src) == SQLITE_OK) return MS_OK;
    snprintf(err, errsz, "source: %s", sqlite3_errmsg(db));
    return MS_NOMEM;
}
