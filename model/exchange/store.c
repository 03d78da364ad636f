/*
** The target mailbox stores, in C.  See store.h for the rows and their
** invariants, itemset.h for a mailbox's items.
**
** Each operation is the one the SQL of earlier versions performed, row for
** row, so every run gives the output it gave then (docs/performance.md,
** "Instructions per run", has the history):
**
** - A clone batch copies source items lo..hi with their folder IDs; a merge
**   batch decides each source item against the mailbox as the batch found
**   it (skip when the newest copy with its search key is as new or newer,
**   replace when older, copy into the folder with the source folder's path
**   when there is none, fail when that folder is missing), then writes.
** - Item ids: a batch that copies takes a block of ids, source item s
**   becoming item items_made + 1 + (s - lo), whether or not it copies every
**   item; a delivery or an import takes the next one.  So ids ascend in
**   creation order and a mailbox's items append.
** - A mailbox's id is one above the highest in use, so a purge of the newest
**   mailbox lets the next one take its id again.
**
** Allocation failures return MS_NOMEM and are recorded on the run's kernel
** (kernelFault), so a caller that only counts still ends the run in error.
** An operation checks what can fail before it changes anything, where it can.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"
#include "exchange/store.h"

const char *storeInitName(mbxInit k) {
    switch (k) {
    case INIT_CLONE: return "clone";
    case INIT_MERGE: return "merge";
    case INIT_DELIVERY: return "delivery";
    case INIT_LOGON: return "logon";
    }
    return "?";
}

static msStatus nomem(store *x) {
    if (x->k) kernelFault(x->k, MS_NOMEM);
    return MS_NOMEM;
}

msStatus storeOpen(store *x, const source *src, int nservers, char *err, size_t errsz) {
    memset(x, 0, sizeof *x);
    x->src = src;
    x->nservers = nservers;
    x->gcn = calloc(nservers > 0 ? (size_t)nservers : 1, sizeof *x->gcn);
    if (x->gcn) return MS_OK;
    snprintf(err, errsz, "store: out of memory");
    return MS_NOMEM;
}

static void mailboxFree(storeMailbox *m) {
    if (!m) return;
    free(m->folders);
    free(m->rules);
    free(m->imports);
    itemSetFree(&m->items);
    free(m);
}

void storeClose(store *x) {
    for (size_t i = 0; i < x->nmbx; i++) mailboxFree(x->mbx[i]);
    free(x->mbx);
    free(x->byguid);
    free(x->gcn);
    free(x->seen);
    memset(x, 0, sizeof *x);
}

/* ---- Mailboxes ---- */

storeMailbox *storeMailboxOf(const store *x, int64_t id) {
    size_t lo = 0, hi = x->nmbx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->mbx[mid]->id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < x->nmbx && x->mbx[lo]->id == id ? x->mbx[lo] : NULL;
}

/* Order of byguid: GUID bytes, then server. */
static int guidServerCmp(const guid *g, int server, const storeMailbox *m) {
    int c = memcmp(g, &m->g, sizeof *g);
    if (c) return c;
    return (server > m->server) - (server < m->server);
}

/* The first position in byguid not below (g, server). */
static size_t guidBound(const store *x, const guid *g, int server) {
    size_t lo = 0, hi = x->nmbx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (guidServerCmp(g, server, x->byguid[mid]) > 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static storeMailbox *findOn(const store *x, int server, const guid *g) {
    size_t i = guidBound(x, g, server);
    return i < x->nmbx && guidServerCmp(g, server, x->byguid[i]) == 0 ? x->byguid[i] : NULL;
}

int64_t storeFind(store *x, int server, const guid *g) {
    const storeMailbox *m = findOn(x, server, g);
    return m ? m->id : 0;
}

int64_t storeFindLive(store *x, int server, const guid *g) {
    const storeMailbox *m = findOn(x, server, g);
    return m && !m->disconnected ? m->id : 0;
}

int64_t storeFindAny(store *x, const guid *g, int *server) {
    size_t i = guidBound(x, g, -1);
    if (i >= x->nmbx || memcmp(g, &x->byguid[i]->g, sizeof *g) != 0) return 0;
    if (server) *server = x->byguid[i]->server;
    return x->byguid[i]->id;
}

static int64_t newFid(store *x, int server) {
    return ((int64_t)(server + 2) << 48) | ++x->gcn[server];
}

static storeFolderRow *folderByPath(const storeMailbox *m, const char *path) {
    for (size_t i = 0; i < m->nfolders; i++)
        if (strcmp(m->folders[i].path, path) == 0) return &m->folders[i];
    return NULL;
}

/* A folder (fid, path) in m; MS_FAIL when m has that path already. */
static msStatus addFolder(store *x, storeMailbox *m, int64_t fid, const char *path) {
    if (folderByPath(m, path)) return MS_FAIL;
    if (strlen(path) >= sizeof m->folders[0].path) return MS_INPUT;
    if (m->nfolders == m->capfolders && arrayGrow(&m->folders, &m->capfolders, sizeof *m->folders, 8) != MS_OK)
        return nomem(x);
    storeFolderRow *f = &m->folders[m->nfolders++];
    f->id = ++x->rows_made;
    f->fid = fid;
    snprintf(f->path, sizeof f->path, "%s", path);
    return MS_OK;
}

/* Room for one more mailbox in both orders. */
static msStatus reserveMailbox(store *x) {
    if (x->nmbx < x->capmbx) return MS_OK;
    size_t cap = x->capmbx;
    if (arrayGrow(&x->mbx, &cap, sizeof *x->mbx, 16) != MS_OK) return MS_NOMEM;
    storeMailbox **b = realloc(x->byguid, cap * sizeof *b);
    if (!b) return MS_NOMEM;
    x->byguid = b;
    x->capmbx = cap;
    return MS_OK;
}

msStatus storeCreate(store *x, int server, const guid *g, uint32_t user, mbxInit how,
                     simtime now, int defaults, int64_t *id) {
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    /* A mailbox GUID lives in at most one store: every creator goes to the
    ** server of the account's homeMDB, and one GUID has one home. */
    int other = server;
    msAssert(storeFindAny(x, g, &other) == 0 || other == server);
    (void)other;
    if (findOn(x, server, g)) return MS_FAIL;   /* the mailbox exists already */
    storeMailbox *m = calloc(1, sizeof *m);
    if (!m || reserveMailbox(x) != MS_OK) {
        free(m);
        return nomem(x);
    }
    m->id = x->nmbx ? x->mbx[x->nmbx - 1]->id + 1 : 1;
    m->server = server;
    m->g = *g;
    m->user = user;
    m->init = how;
    m->created = now;
    for (int k = 0; defaults && k < SRC_DEFAULT_FOLDERS; k++)
        if (addFolder(x, m, newFid(x, server), srcDefaultFolders[k]) != MS_OK) {
            mailboxFree(m);
            return nomem(x);
        }
    size_t at = guidBound(x, g, server);
    memmove(&x->byguid[at + 1], &x->byguid[at], (x->nmbx - at) * sizeof *x->byguid);
    x->byguid[at] = m;
    x->mbx[x->nmbx++] = m;
    *id = m->id;
    return MS_OK;
}

mbxInit storeInitOf(store *x, int64_t id, simtime *when) {
    const storeMailbox *m = storeMailboxOf(x, id);
    if (!m) return 0;
    if (when) *when = m->created;
    return m->init;
}

msStatus storeDisconnect(store *x, int64_t id, simtime now) {
    storeMailbox *m = storeMailboxOf(x, id);
    if (!m) return MS_OK;   /* no such mailbox: nothing to mark */
    m->disconnected = 1;
    m->disconnected_at = now;
    return MS_OK;
}

/* Remove the pointer to m from v (n entries). */
static void dropPointer(storeMailbox **v, size_t n, const storeMailbox *m) {
    for (size_t i = 0; i < n; i++)
        if (v[i] == m) {
            memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof *v);
            return;
        }
}

msStatus storePurge(store *x, int64_t id) {
    storeMailbox *m = storeMailboxOf(x, id);
    if (!m) return MS_OK;
    dropPointer(x->mbx, x->nmbx, m);
    dropPointer(x->byguid, x->nmbx, m);
    x->nmbx--;
    x->visits += m->items.n;
    mailboxFree(m);
    return MS_OK;
}

msStatus storeList(store *x, int server, mbxRow **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < x->nmbx; i++) {
        const storeMailbox *m = x->mbx[i];
        x->visits++;
        if (server >= 0 && m->server != server) continue;
        if (*n == cap && arrayGrow(out, &cap, sizeof **out, 16) != MS_OK) {
            free(*out);
            *out = NULL;
            *n = 0;
            return nomem(x);
        }
        mbxRow *r = &(*out)[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = m->id;
        r->g = m->g;
        r->user = m->user;
        r->disconnected = m->disconnected;
        r->disconnected_at = m->disconnected ? m->disconnected_at : 0;
        r->created = m->created;
    }
    return MS_OK;
}

/* ---- Folders and rules ---- */

msStatus storeCloneFolders(store *x, int64_t mbx, uint32_t u) {
    storeMailbox *m = storeMailboxOf(x, mbx);
    const srcUser *su = sourceUser(x->src, u);
    if (!m || !su) return su ? MS_FAIL : MS_OK;
    const srcFolder *sf = &x->src->folders[su->first_folder - 1];
    /* All or nothing: a path the mailbox has already fails the whole copy. */
    for (int64_t i = 0; i < su->nfolders; i++)
        if (folderByPath(m, sf[i].path)) return MS_FAIL;
    for (int64_t i = 0; i < su->nfolders; i++) {
        msStatus rc = addFolder(x, m, sf[i].fid, sf[i].path);
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}

msStatus storeMergeFolders(store *x, int server, int64_t mbx, uint32_t u, int64_t *created) {
    *created = 0;
    storeMailbox *m = storeMailboxOf(x, mbx);
    const srcUser *su = sourceUser(x->src, u);
    if (!su) return MS_OK;
    if (!m || server < 0 || server >= x->nservers) return MS_FAIL;
    const srcFolder *sf = &x->src->folders[su->first_folder - 1];
    for (int64_t i = 0; i < su->nfolders; i++) {
        if (folderByPath(m, sf[i].path)) continue;
        msStatus rc = addFolder(x, m, newFid(x, server), sf[i].path);
        if (rc != MS_OK) return rc;
        (*created)++;
    }
    return MS_OK;
}

static int hasRule(const storeMailbox *m, const char *name) {
    for (size_t i = 0; i < m->nrules; i++)
        if (strcmp(m->rules[i].name, name) == 0) return 1;
    return 0;
}

msStatus storeCopyRules(store *x, int64_t mbx, uint32_t u, int64_t *copied) {
    *copied = 0;
    storeMailbox *m = storeMailboxOf(x, mbx);
    const srcUser *su = sourceUser(x->src, u);
    if (!su) return MS_OK;
    if (!m) return MS_FAIL;
    const srcRule *sr = &x->src->rules[su->first_rule - 1];
    for (int64_t i = 0; i < su->nrules; i++) {
        if (hasRule(m, sr[i].name)) continue;
        if (m->nrules == m->caprules && arrayGrow(&m->rules, &m->caprules, sizeof *m->rules, 4) != MS_OK)
            return nomem(x);
        storeRuleRow *r = &m->rules[m->nrules++];
        r->id = ++x->rows_made;
        r->fid = sr[i].fid;
        snprintf(r->name, sizeof r->name, "%s", sr[i].name);
        (*copied)++;
    }
    return MS_OK;
}

/* ---- Import sessions ---- */

msStatus storeImportBegin(store *x, int64_t mbx, simtime now) {
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return MS_FAIL;
    if (m->nimports == m->capimports && arrayGrow(&m->imports, &m->capimports, sizeof *m->imports, 4) != MS_OK)
        return nomem(x);
    storeImportRow *r = &m->imports[m->nimports++];
    memset(r, 0, sizeof *r);
    r->id = ++x->rows_made;
    r->started = now;
    return MS_OK;
}

/* Count a batch's work in the mailbox's open import session (none: nothing).
** A session's mode is that of its first batch; the wizard never mixes them. */
static void importAdd(storeMailbox *m, const char *mode, const mergeCounts *c) {
    if (!m->nimports) return;
    storeImportRow *r = &m->imports[m->nimports - 1];
    if (!r->mode[0]) snprintf(r->mode, sizeof r->mode, "%s", mode);
    r->copied += c->copied;
    r->skipped += c->skipped;
    r->replaced += c->replaced;
    r->failed += c->failed;
}

int storeLastImport(store *x, int64_t mbx, importInfo *out) {
    memset(out, 0, sizeof *out);
    const storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m || !m->nimports) return 0;
    const storeImportRow *r = &m->imports[m->nimports - 1];
    snprintf(out->mode, sizeof out->mode, "%s", r->mode);
    out->started = r->started;
    out->copied = r->copied;
    out->skipped = r->skipped;
    out->replaced = r->replaced;
    out->failed = r->failed;
    return 1;
}

/* ---- Items: clone and merge ---- */

/* Source ids lo..hi clipped to the source's items; empty when hi < lo. */
static void clipRange(const store *x, int64_t *lo, int64_t *hi) {
    if (*lo < 1) *lo = 1;
    if (*hi > x->src->nitems) *hi = x->src->nitems;
}

/* Copy source item s into m as item id, in folder fid. */
static msStatus copyItem(store *x, storeMailbox *m, int64_t s, int64_t id, int64_t fid) {
    const srcItem *si = &x->src->items[s - 1];
    storeItem it = {id, fid, si->skey, si->size, si->mtime};
    return itemSetAppend(&m->items, &it) == MS_OK ? MS_OK : nomem(x);
}

msStatus storeCloneBatch(store *x, int64_t mbx, int64_t lo, int64_t hi, int64_t *copied) {
    *copied = 0;
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return MS_FAIL;
    int64_t base = x->items_made + 1 - lo;
    if (hi >= lo) x->items_made += hi - lo + 1;
    clipRange(x, &lo, &hi);
    for (int64_t s = lo; s <= hi; s++) {
        msStatus rc = copyItem(x, m, s, base + s, x->src->items[s - 1].fid);
        if (rc != MS_OK) return rc;
        (*copied)++;
    }
    mergeCounts c = {*copied, 0, 0, 0};
    importAdd(m, "clone", &c);
    return MS_OK;
}

/* The folder of m with the path of source folder fid, or NULL: the merge's
** folder map (the user's source folders are few, so a walk). */
static const storeFolderRow *targetFolder(const store *x, const storeMailbox *m, const srcUser *su, int64_t fid) {
    const srcFolder *sf = &x->src->folders[su->first_folder - 1];
    for (int64_t i = 0; i < su->nfolders; i++)
        if (sf[i].fid == fid) return folderByPath(m, sf[i].path);
    return NULL;
}

/* What the merge does with one source item. */
enum { M_SKIP, M_REPLACE, M_COPY, M_FAIL };

/* Decide source item s against m: its newest copy, else the target folder. */
static int decide(store *x, const storeMailbox *m, const srcUser *su, int64_t s, int64_t *fid) {
    const srcItem *si = &x->src->items[s - 1];
    int64_t i = itemSetFirst(&m->items, si->skey);
    if (i >= 0) {
        int64_t newest = m->items.v[i].mtime;
        for (i = itemSetNextSame(&m->items, i); i >= 0; i = itemSetNextSame(&m->items, i)) {
            x->visits++;
            if (m->items.v[i].mtime > newest) newest = m->items.v[i].mtime;
        }
        return newest >= si->mtime ? M_SKIP : M_REPLACE;
    }
    const storeFolderRow *f = su ? targetFolder(x, m, su, si->fid) : NULL;
    if (!f) return M_FAIL;
    *fid = f->fid;
    return M_COPY;
}

/* Every copy in m with source item s's search key takes s's size and time. */
static void replaceCopies(storeMailbox *m, const srcItem *si) {
    for (int64_t i = itemSetFirst(&m->items, si->skey); i >= 0; i = itemSetNextSame(&m->items, i)) {
        m->items.v[i].size = si->size;
        m->items.v[i].mtime = si->mtime;
    }
}

msStatus storeMergeBatch(store *x, int64_t mbx, uint32_t u, int64_t lo, int64_t hi,
                         mergeCounts *out) {
    memset(out, 0, sizeof *out);
    if (hi < lo) return MS_OK;
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return MS_FAIL;
    const srcUser *su = sourceUser(x->src, u);
    int64_t base = x->items_made + 1 - lo, want = hi - lo + 1;
    clipRange(x, &lo, &hi);
    /* Decide every item against the mailbox as the batch found it, then write. */
    int64_t n = hi >= lo ? hi - lo + 1 : 0;
    unsigned char *what = malloc(n ? (size_t)n : 1);
    int64_t *fid = malloc((n ? (size_t)n : 1) * sizeof *fid);
    if (!what || !fid) {
        free(what);
        free(fid);
        return nomem(x);
    }
    for (int64_t s = lo; s <= hi; s++) {
        x->visits++;
        what[s - lo] = (unsigned char)decide(x, m, su, s, &fid[s - lo]);
        out->skipped += what[s - lo] == M_SKIP;
        out->replaced += what[s - lo] == M_REPLACE;
        out->copied += what[s - lo] == M_COPY;
        out->failed += what[s - lo] == M_FAIL;
    }
    /* A batch that copies takes a block of ids, one per source id asked for. */
    if (out->copied) x->items_made += want;
    msStatus rc = MS_OK;
    for (int64_t s = lo; s <= hi && rc == MS_OK; s++) {
        if (what[s - lo] == M_REPLACE) replaceCopies(m, &x->src->items[s - 1]);
        else if (what[s - lo] == M_COPY) rc = copyItem(x, m, s, base + s, fid[s - lo]);
    }
    free(what);
    free(fid);
    if (rc == MS_OK) importAdd(m, "merge", out);
    return rc;
}

/* ---- Items: delivery, import, move ---- */

/* m's folder with path (made with a new ID on server when missing) into *fid. */
static msStatus folderFor(store *x, int server, storeMailbox *m, const char *path, int64_t *fid) {
    const storeFolderRow *f = folderByPath(m, path);
    if (f) {
        *fid = f->fid;
        return MS_OK;
    }
    *fid = newFid(x, server);
    return addFolder(x, m, *fid, path);
}

/* A new item (the next id) in folder fid of m. */
static msStatus newItem(store *x, storeMailbox *m, int64_t fid, int64_t skey, int64_t size, simtime mtime) {
    storeItem it = {x->items_made + 1, fid, skey, size, mtime};
    if (itemSetAppend(&m->items, &it) != MS_OK) return nomem(x);
    x->items_made++;
    return MS_OK;
}

msStatus storeDeliver(store *x, int64_t mbx, int64_t skey, int64_t size, simtime now) {
    storeMailbox *m = storeMailboxOf(x, mbx);
    const storeFolderRow *f = m ? folderByPath(m, "Inbox") : NULL;
    if (!f) return MS_FAIL;
    return newItem(x, m, f->fid, skey, size, now);
}

msStatus storeAddItem(store *x, int server, int64_t mbx, const char *path, int64_t skey, int64_t size,
                      simtime mtime) {
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return MS_FAIL;
    int64_t fid = 0;
    msStatus rc = folderFor(x, server, m, path, &fid);
    return rc == MS_OK ? newItem(x, m, fid, skey, size, mtime) : rc;
}

/* A folder of the source mailbox holding foreign items, to be moved by path. */
typedef struct foreignFolder {
    int64_t fid;
    const char *path;
} foreignFolder;

static int byPath(const void *a, const void *b) {
    const foreignFolder *p = a, *q = b;
    int c = strcmp(p->path, q->path);
    return c ? c : (p->fid > q->fid) - (p->fid < q->fid);
}

/* The distinct folders (fid, path) of from holding foreign items, by path. */
static msStatus foreignFolders(store *x, const storeMailbox *from, foreignFolder **out, size_t *n) {
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < from->nfolders; i++) {
        const storeFolderRow *f = &from->folders[i];
        int holds = 0;
        for (size_t j = 0; j < from->items.n && !holds; j++)
            holds = from->items.v[j].fid == f->fid && !sourceHasKey(x->src, from->items.v[j].skey);
        if (!holds) continue;
        if (*n == cap && arrayGrow(out, &cap, sizeof **out, 4) != MS_OK) return nomem(x);
        (*out)[(*n)++] = (foreignFolder){f->fid, f->path};
    }
    if (*n > 1) qsort(*out, *n, sizeof **out, byPath);
    return MS_OK;
}

/* Move from's foreign items in folder fid into to's folder dst; *moved counts. */
static msStatus moveFolder(store *x, storeMailbox *from, storeMailbox *to, int64_t fid, int64_t dst,
                           int64_t *moved) {
    itemSet *s = &from->items;
    unsigned char *keep = malloc(s->n ? s->n : 1);
    storeItem *go = malloc((s->n ? s->n : 1) * sizeof *go);
    if (!keep || !go) {
        free(keep);
        free(go);
        return nomem(x);
    }
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        keep[i] = s->v[i].fid != fid || sourceHasKey(x->src, s->v[i].skey);
        if (keep[i]) continue;
        go[n] = s->v[i];
        go[n++].fid = dst;
    }
    /* All or nothing: the items leave from only once to holds them. */
    msStatus rc = itemSetAddAll(&to->items, go, n);
    if (rc == MS_OK) {
        itemSetKeep(s, keep);
        *moved += (int64_t)n;
    }
    free(keep);
    free(go);
    return rc == MS_NOMEM ? nomem(x) : rc;
}

msStatus storeMoveForeign(store *x, int server, int64_t from, int64_t to, int64_t *moved) {
    *moved = 0;
    if (server < 0 || server >= x->nservers) return MS_INPUT;
    storeMailbox *f = storeMailboxOf(x, from), *t = storeMailboxOf(x, to);
    if (!f || !t) return MS_FAIL;
    if (f == t) return MS_OK;
    foreignFolder *v = NULL;
    size_t n = 0;
    msStatus rc = foreignFolders(x, f, &v, &n);
    /* Paths are copied: adding folders to t never moves f's rows, but keep
    ** the two apart all the same. */
    for (size_t i = 0; i < n && rc == MS_OK; i++) {
        char path[sizeof f->folders[0].path];
        snprintf(path, sizeof path, "%s", v[i].path);
        int64_t dst = 0;
        rc = folderFor(x, server, t, path, &dst);
        if (rc == MS_OK) rc = moveFolder(x, f, t, v[i].fid, dst, moved);
    }
    free(v);
    return rc;
}

/* ---- What the judge and the views read ---- */

static int keyCmp(const void *a, const void *b) {
    int64_t p = *(const int64_t *)a, q = *(const int64_t *)b;
    return (p > q) - (p < q);
}

msStatus storeForeignKeys(store *x, int64_t mbx, int64_t **keys, size_t *n, size_t *cap) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) return MS_OK;
    size_t first = *n;
    for (size_t i = 0; i < m->items.n; i++) {
        int64_t k = m->items.v[i].skey;
        x->visits++;
        if (sourceHasKey(x->src, k)) continue;
        if (*n == *cap && arrayGrow(keys, cap, sizeof **keys, 16) != MS_OK) return nomem(x);
        (*keys)[(*n)++] = k;
    }
    /* In search-key order, as callers have always received them. */
    if (*n - first > 1) qsort(*keys + first, *n - first, sizeof **keys, keyCmp);
    return MS_OK;
}

int storeHasKey(store *x, int64_t mbx, int64_t skey) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    return m && itemSetFirst(&m->items, skey) >= 0;
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

/* A fresh generation of marks, one per source item (storeCounters' "seen"). */
static msStatus freshMarks(store *x) {
    if (!x->seen) {
        x->seen = calloc(x->src->nitems ? (size_t)x->src->nitems : 1, sizeof *x->seen);
        if (!x->seen) return nomem(x);
    }
    if (++x->seen_gen == 0) {
        memset(x->seen, 0, (x->src->nitems ? (size_t)x->src->nitems : 1) * sizeof *x->seen);
        x->seen_gen = 1;
    }
    return MS_OK;
}

/*
** Walk m's items, each looked up among user's source items: a source item
** met for the first time (its mark not of this generation) is present; a
** copy outside its source item's folder marks that source folder.
*/
static msStatus scanCopies(store *x, const storeMailbox *m, uint32_t user, copyScan *s) {
    const source *src = x->src;
    msStatus ms = freshMarks(x);
    for (size_t i = 0; i < m->items.n && ms == MS_OK; i++) {
        const storeItem *it = &m->items.v[i];
        x->visits++;
        s->total++;
        int64_t pos = sourceUserItem(src, user, it->skey);
        if (pos < 0) continue;
        s->copies++;
        if (x->seen[pos] != x->seen_gen) {
            x->seen[pos] = x->seen_gen;
            s->present++;
        }
        int64_t sf = src->items[pos].fid;
        if (sf == it->fid || hasId(s->bad, s->nbad, sf)) continue;
        if (s->nbad == s->capbad && arrayGrow(&s->bad, &s->capbad, sizeof *s->bad, 8) != MS_OK) ms = nomem(x);
        else s->bad[s->nbad++] = sf;
    }
    return ms;
}

static int hasFolderId(const storeMailbox *m, int64_t fid) {
    for (size_t i = 0; i < m->nfolders; i++)
        if (m->folders[i].fid == fid) return 1;
    return 0;
}

/* Rules of m naming a folder ID m has no folder for. */
static int64_t brokenRules(const storeMailbox *m) {
    int64_t n = 0;
    for (size_t i = 0; i < m->nrules; i++) n += !hasFolderId(m, m->rules[i].fid);
    return n;
}

/*
** A source folder is not kept when the mailbox has no folder with its ID,
** or a copy of one of its items sits in another folder (s->bad).
*/
static int64_t foldersNotKept(const store *x, const storeMailbox *m, const srcUser *su, const copyScan *s) {
    const srcFolder *sf = &x->src->folders[su->first_folder - 1];
    int64_t lost = 0;
    for (int64_t i = 0; i < su->nfolders; i++)
        lost += !hasFolderId(m, sf[i].fid) || hasId(s->bad, s->nbad, sf[i].fid);
    return lost;
}

msStatus storeCounters(store *x, int64_t mbx, uint32_t user, storeCopyCounts *out, int folders) {
    const srcUser *su = sourceUser(x->src, user);
    memset(out, 0, sizeof *out);
    if (!su) return MS_INPUT;
    static const storeMailbox none;
    const storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m) m = &none;
    copyScan s = {0};
    msStatus rc = scanCopies(x, m, user, &s);
    if (rc == MS_OK && folders) {
        out->folders_lost = foldersNotKept(x, m, su, &s);
        out->folders = su->nfolders;
    }
    free(s.bad);
    if (rc != MS_OK) return rc;
    out->c[0] = s.total - s.copies;
    out->c[1] = s.copies - s.present;
    out->c[2] = su->nitems - s.present;
    out->c[3] = brokenRules(m);
    out->present = s.present;
    return MS_OK;
}

int64_t storeForeignItems(store *x, int64_t mbx) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    int64_t n = 0;
    for (size_t i = 0; m && i < m->items.n; i++) n += !sourceHasKey(x->src, m->items.v[i].skey);
    return n;
}

int64_t storeUserCopies(store *x, int64_t mbx, uint32_t user) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    int64_t n = 0;
    for (size_t i = 0; m && i < m->items.n; i++) n += sourceUserItem(x->src, user, m->items.v[i].skey) >= 0;
    return n;
}

int64_t storeItemCount(store *x, int64_t mbx) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    return m ? (int64_t)m->items.n : 0;
}

msStatus storeRuleCounts(store *x, int64_t mbx, int64_t *total, int64_t *broken) {
    const storeMailbox *m = storeMailboxOf(x, mbx);
    *total = m ? (int64_t)m->nrules : 0;
    *broken = m ? brokenRules(m) : 0;
    return MS_OK;
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
** each folder with that ID (IDs are unique per mailbox in every path the
** model takes; the store does not enforce it). */
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
    const storeMailbox *m = storeMailboxOf(x, mbx);
    if (!m || !m->nfolders) return MS_OK;
    *out = calloc(m->nfolders, sizeof **out);
    if (!*out) return nomem(x);
    /* Folder-ID order, ties in creation order (an insertion sort: a handful). */
    for (size_t i = 0; i < m->nfolders; i++) {
        storeFolderInfo f = {0};
        f.fid = m->folders[i].fid;
        snprintf(f.path, sizeof f.path, "%s", m->folders[i].path);
        f.from_source = userFolder(x->src, user, f.fid) != NULL;
        size_t j = i;
        for (; j > 0 && (*out)[j - 1].fid > f.fid; j--) (*out)[j] = (*out)[j - 1];
        (*out)[j] = f;
    }
    *n = m->nfolders;
    for (size_t i = 0; i < m->items.n; i++) countItem(*out, *n, m->items.v[i].fid);
    return MS_OK;
}
