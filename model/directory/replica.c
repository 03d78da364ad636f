/*
** One DC's replica: objects, values, stamps, USNs, the change log and the
** lookup indexes.  See replica.h for the representation and invariants.
**
** Allocation failures are returned (NULL, MS_NOMEM), never fatal here: a
** new object or value that cannot be made is not made, and a change whose
** bookkeeping (a body copied on write, local USNs, index, log) cannot grow
** marks the replica failed (r->nomem): replicaTouched then returns MS_NOMEM
** and the replica is fit only to be freed, which is what the run then does
** (docs/architecture.md, "Errors").
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "directory/replica.h"
#include "kernel/invariant.h"

/* ---- values ---- */

static uint64_t mix64(uint64_t x);

/* Hash of a value set's bytes, 8 at a time. */
static uint64_t rvalHashData(const char *p, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix64(h ^ w);
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    return mix64(h ^ w ^ 0xff);
}

rval *rvalNew(const char *const *vals, size_t n) {
    if (n == 0) return NULL;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) len += strlen(vals[i]) + 1;
    rval *v = malloc(sizeof *v + len);
    if (!v) return NULL;
    v->refs = 1;
    v->len = (uint32_t)len;
    v->n = (uint32_t)n;
    char *p = v->data;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(vals[i]) + 1;
        memcpy(p, vals[i], l);
        p += l;
    }
    v->hash = rvalHashData(v->data, len);
    return v;
}

rval *rvalOne(const char *s) {
    return rvalNew(&s, 1);
}

rval *rvalRef(rval *v) {
    if (v) v->refs++;
    return v;
}

void rvalUnref(rval *v) {
    if (v && --v->refs == 0) free(v);
}

int rvalEqual(const rval *a, const rval *b) {
    if (a == b) return 1;
    if (!a || !b) return 0;
    return a->n == b->n && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

const char *rvalFirst(const rval *v) {
    return v ? v->data : NULL;
}

const char *rvalNext(const rval *v, const char *cur) {
    const char *next = cur + strlen(cur) + 1;
    return next < v->data + v->len ? next : NULL;
}

/* ---- stamps ---- */

int stampCompare(const stamp *a, const stamp *b) {
    if (a->version != b->version) return a->version > b->version ? 1 : -1;
    if (a->time != b->time) return a->time > b->time ? 1 : -1;
    if (a->inv != b->inv) return a->inv > b->inv ? 1 : -1;
    /* Same originating DC, version and second: the later originating write
    ** (higher originating USN) is the newer one. */
    if (a->orig_usn != b->orig_usn) return a->orig_usn > b->orig_usn ? 1 : -1;
    return 0;
}

/* ---- bodies ---- */

static uint64_t hashGuidMix(const guid *g);

obody *bodyRef(obody *b) {
    b->refs++;
    return b;
}

void bodyUnref(obody *b) {
    if (!b || --b->refs) return;
    for (int a = 0; a < A__COUNT; a++) rvalUnref(b->v[a]);
    free(b);
}

/* NULL: out of memory. */
static obody *bodyNewEmpty(void) {
    obody *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->refs = 1;
    return b;
}

/* A private copy of b (reference count 1, not frozen), sharing its values; NULL: out of memory. */
static obody *bodyCopy(const obody *b) {
    obody *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *b;
    c->refs = 1;
    c->frozen = 0;
    for (int a = 0; a < A__COUNT; a++) rvalRef(c->v[a]);
    return c;
}

static uint64_t nameKey(const guid *parent, const char *name);

/* The send summary of b (obody's comment). */
static void bodySummary(obody *b) {
    b->one_inv = UINT32_MAX;
    b->orig_lo = UINT64_MAX;
    b->orig_hi = 0;
    int first = 1;
    for (int a = 0; a < A__COUNT; a++) {
        if (!(b->written >> a & 1)) continue;
        const stamp *s = &b->st[a];
        if (first) b->one_inv = s->inv;
        else if (b->one_inv != s->inv) b->one_inv = UINT32_MAX;
        first = 0;
        if (s->orig_usn < b->orig_lo) b->orig_lo = s->orig_usn;
        if (s->orig_usn > b->orig_hi) b->orig_hi = s->orig_usn;
    }
}

uint64_t bodyHash(obody *b) {
    if (b->frozen) return b->hash;
    uint64_t h = hashGuidMix(&b->parent);
    for (int a = 0; a < A__COUNT; a++) {
        const stamp *s = &b->st[a];
        if (!s->version && !b->v[a]) continue;
        h = mix64(h ^ ((uint64_t)s->version << 32 | s->time) ^ (uint64_t)(a + 1) << 56);
        h = mix64(h ^ ((uint64_t)s->inv << 48) ^ s->orig_usn);
        h = mix64(h ^ (b->v[a] ? b->v[a]->hash : 0x5bd1e995ULL));
    }
    b->hash = h;
    b->name_key = b->v[A_NAME] ? nameKey(&b->parent, rvalFirst(b->v[A_NAME])) : 0;
    bodySummary(b);
    b->frozen = 1;
    return h;
}

/*
** o's body, made private to o first if anything else shares it; NULL when
** the copy cannot be made (the replica is marked failed: a shared body is
** never written).
*/
static obody *bodyMut(replica *r, dobj *o) {
    if (o->b->refs > 1) {
        obody *c = bodyCopy(o->b);
        if (!c) {
            r->nomem = 1;
            return NULL;
        }
        bodyUnref(o->b);
        o->b = c;
    }
    o->b->frozen = 0;
    return o->b;
}

/* ---- hashing ---- */

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static int lowerAscii(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int strEqualNoCase(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (lowerAscii((unsigned char)*a) != lowerAscii((unsigned char)*b)) return 0;
    return *a == *b;
}

uint64_t hashStrNoCase(uint64_t seed, const char *s) {
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (; *s; s++) {
        h ^= (uint64_t)lowerAscii((unsigned char)*s);
        h *= 1099511628211ULL;
    }
    return mix64(h);
}

uint64_t hashGuid(const guid *g) {
    uint64_t a, b;
    memcpy(&a, g->b, 8);
    memcpy(&b, g->b + 8, 8);
    return mix64(a ^ mix64(b));
}

static uint64_t hashGuidMix(const guid *g) {
    return mix64(hashGuid(g) + 1);
}

/* ---- multimap ---- */

static msStatus hmapGrow(hmap *m);

static msStatus hmapInsert(hmap *m, uint64_t h, uint32_t slot) {
    if ((m->len + 1) * 4 > m->cap * 3 && hmapGrow(m) != MS_OK) return MS_NOMEM;
    size_t mask = m->cap - 1, i = (size_t)(uint32_t)h & mask;
    while (m->v[i].slot1) i = (i + 1) & mask;
    m->v[i].h = (uint32_t)h;
    m->v[i].slot1 = slot + 1;
    m->len++;
    return MS_OK;
}

/* Double m (the entries move into a new table: no growth on the way, no
** failure); MS_NOMEM leaves m as it was. */
static msStatus hmapGrow(hmap *m) {
    hmap old = *m;
    size_t cap = old.cap ? old.cap * 2 : 64;
    hslot *v = calloc(cap, sizeof *v);   /* fresh memory comes zeroed: no memset */
    if (!v) return MS_NOMEM;
    m->v = v;
    m->cap = cap;
    m->len = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.v[i].slot1) (void)hmapInsert(m, old.v[i].h, old.v[i].slot1 - 1);
    free(old.v);
    return MS_OK;
}

/* Remove the entry (h, slot) with backward-shift deletion (no tombstones). */
static void hmapRemove(hmap *m, uint64_t h, uint32_t slot) {
    if (!m->cap) return;
    size_t mask = m->cap - 1, i = (size_t)(uint32_t)h & mask;
    while (m->v[i].slot1) {
        if (m->v[i].h == (uint32_t)h && m->v[i].slot1 == slot + 1) break;
        i = (i + 1) & mask;
    }
    if (!m->v[i].slot1) return;
    m->v[i].slot1 = 0;
    m->len--;
    for (size_t j = (i + 1) & mask; m->v[j].slot1; j = (j + 1) & mask) {
        size_t k = (size_t)m->v[j].h & mask;
        /* The entry at j may fill the hole at i unless its home k lies
        ** cyclically in (i, j]. */
        int stays = i < j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        m->v[i] = m->v[j];
        m->v[j].slot1 = 0;
        i = j;
    }
}

static void hmapFree(hmap *m) {
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- the replica ---- */

void replicaInit(replica *r) {
    memset(r, 0, sizeof *r);
}

/* A local-USN array from the replica's pool (contents undefined); NULL: out of memory. */
static uint64_t *lusnAlloc(replica *r) {
    uint64_t *p;
    if (r->lusn_free) {
        p = r->lusn_free;
        memcpy(&r->lusn_free, p, sizeof r->lusn_free);
        return p;
    }
    if (!r->nlusn_chunks || r->lusn_used == REPLICA_CHUNK) {
        uint64_t **chunks = realloc(r->lusn_chunks, (r->nlusn_chunks + 1) * sizeof *r->lusn_chunks);
        if (!chunks) return NULL;
        r->lusn_chunks = chunks;
        uint64_t *chunk = malloc((size_t)REPLICA_CHUNK * A__COUNT * sizeof(uint64_t));
        if (!chunk) return NULL;
        r->lusn_chunks[r->nlusn_chunks++] = chunk;
        r->lusn_used = 0;
    }
    return &r->lusn_chunks[r->nlusn_chunks - 1][(r->lusn_used++) * A__COUNT];
}

static void lusnFree(replica *r, uint64_t *p) {
    if (!p) return;
    memcpy(p, &r->lusn_free, sizeof r->lusn_free);
    r->lusn_free = p;
}

/* Release o's body and local USNs; its storage stays in the replica's chunks. */
static void objRelease(replica *r, dobj *o) {
    bodyUnref(o->b);
    lusnFree(r, o->lusn);
}

/* Storage for one object: from the free list, else the current chunk; NULL: out of memory. */
static dobj *objAlloc(replica *r) {
    dobj *o;
    if (r->free_list) {
        o = r->free_list;
        memcpy(&r->free_list, &o->lusn, sizeof r->free_list);
    } else {
        /* Chunks grow from 16 objects to REPLICA_CHUNK, so a small replica stays small. */
        if (r->used_in_chunk == r->chunk_cap) {
            size_t cap = r->chunk_cap ? r->chunk_cap * 2 : 16;
            if (cap > REPLICA_CHUNK) cap = REPLICA_CHUNK;
            dobj **chunks = realloc(r->chunks, (r->nchunks + 1) * sizeof *r->chunks);
            if (!chunks) return NULL;
            r->chunks = chunks;
            dobj *chunk = malloc(cap * sizeof(dobj));
            if (!chunk) return NULL;
            r->chunks[r->nchunks++] = chunk;
            r->chunk_cap = cap;
            r->used_in_chunk = 0;
        }
        o = &r->chunks[r->nchunks - 1][r->used_in_chunk++];
    }
    memset(o, 0, sizeof *o);
    return o;
}

void replicaFree(replica *r) {
    for (size_t i = 0; i < r->nobj; i++)
        if (r->obj[i]) objRelease(r, r->obj[i]);
    for (size_t i = 0; i < r->nchunks; i++) free(r->chunks[i]);
    for (size_t i = 0; i < r->nlusn_chunks; i++) free(r->lusn_chunks[i]);
    bodyUnref(r->empty);
    free(r->lusn_chunks);
    free(r->chunks);
    free(r->obj);
    free(r->log);
    hmapFree(&r->byGuid);
    hmapFree(&r->byName);
    hmapFree(&r->byProxy);
    hmapFree(&r->byMbx);
    memset(r, 0, sizeof *r);
}

static dobj *findHashed(const replica *r, const guid *id, uint64_t h) {
    const hmap *m = &r->byGuid;
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(uint32_t)h & mask; m->v[i].slot1; i = (i + 1) & mask) {
        if (m->v[i].h != (uint32_t)h) continue;
        dobj *o = r->obj[m->v[i].slot1 - 1];
        if (o && guidCompare(&o->id, id) == 0) return o;
    }
    return NULL;
}

dobj *replicaFind(const replica *r, const guid *id) {
    return findHashed(r, id, hashGuid(id));
}

dobj *replicaNewObject(replica *r, const guid *id) {
    if (r->nobj == r->capobj) {
        size_t cap = r->capobj ? r->capobj * 2 : 64;
        dobj **obj = realloc(r->obj, cap * sizeof *r->obj);
        if (!obj) return NULL;
        r->obj = obj;
        r->capobj = cap;
    }
    if (!r->empty && !(r->empty = bodyNewEmpty())) return NULL;
    dobj *o = objAlloc(r);
    if (!o) return NULL;
    o->id = *id;
    o->id_hash = hashGuid(id);
    o->slot = (uint32_t)r->nobj;
    if (hmapInsert(&r->byGuid, o->id_hash, o->slot) != MS_OK) {
        /* Not added after all: its storage goes back to the free list. */
        memset(o, 0, sizeof *o);
        memcpy(&o->lusn, &r->free_list, sizeof r->free_list);
        r->free_list = o;
        return NULL;
    }
    o->b = bodyRef(r->empty);
    r->obj[r->nobj++] = o;
    r->count++;
    r->digest ^= replicaObjHash(o);
    return o;
}

static uint64_t nameKey(const guid *parent, const char *name) {
    return hashStrNoCase(hashGuid(parent), name);
}

/* Take o out of the live-only indexes. */
static void unindexLive(replica *r, dobj *o) {
    obody *b = o->b;
    bodyHash(b);   /* freezes b, with its name key */
    if (b->v[A_NAME]) hmapRemove(&r->byName, b->name_key, o->slot);
    for (const char *p = rvalFirst(b->v[A_PROXYADDRESSES]); p; p = rvalNext(b->v[A_PROXYADDRESSES], p))
        hmapRemove(&r->byProxy, hashStrNoCase(0, p), o->slot);
    if (b->v[A_MAILBOXGUID]) hmapRemove(&r->byMbx, hashStrNoCase(0, rvalFirst(b->v[A_MAILBOXGUID])), o->slot);
}

/* Put o into the live-only indexes as it is now (MS_NOMEM: some entries may be missing). */
static msStatus indexLive(replica *r, dobj *o) {
    obody *b = o->b;
    msStatus st = MS_OK;
    bodyHash(b);   /* freezes b, with its name key */
    if (b->v[A_NAME]) st = hmapInsert(&r->byName, b->name_key, o->slot);
    for (const char *p = rvalFirst(b->v[A_PROXYADDRESSES]); st == MS_OK && p; p = rvalNext(b->v[A_PROXYADDRESSES], p))
        st = hmapInsert(&r->byProxy, hashStrNoCase(0, p), o->slot);
    if (st == MS_OK && b->v[A_MAILBOXGUID])
        st = hmapInsert(&r->byMbx, hashStrNoCase(0, rvalFirst(b->v[A_MAILBOXGUID])), o->slot);
    return st;
}

void replicaTouch(replica *r, dobj *o) {
    if (o->indexed) unindexLive(r, o);
    o->indexed = 0;
    o->wrote = 0;
    r->digest ^= replicaObjHash(o);
}

static msStatus logAppend(replica *r, uint64_t usn, uint32_t slot);

uint64_t replicaLocalUsn(const dobj *o, dirAttr a) {
    if (o->lusn) return o->lusn[a];
    return (o->b->written >> a & 1) ? o->usn_changed : 0;
}

#ifdef MIGSIM_CHECKS
/* usnChanged is the highest local USN on o (replica.h). */
static int usnChangedIsHighest(const dobj *o) {
    for (int a = 0; a < A__COUNT; a++)
        if (replicaLocalUsn(o, (dirAttr)a) > o->usn_changed) return 0;
    return 1;
}
#endif

/*
** The local USNs after the update usn that stamped o->wrote: those
** attributes take usn, the other written ones keep theirs.  When every
** written attribute ends at usn the object needs no array.  MS_NOMEM: the
** array could not be had (the kept attributes' local USNs are lost).
*/
static msStatus settleLocalUsns(replica *r, dobj *o, uint64_t usn) {
    uint16_t written = o->b->written, kept = (uint16_t)(written & ~o->wrote);
    if (!o->lusn && kept) {
        uint64_t *l = lusnAlloc(r);
        if (!l) return MS_NOMEM;
        for (int a = 0; a < A__COUNT; a++) l[a] = (written >> a & 1) ? o->usn_changed : 0;
        o->lusn = l;
    }
    if (!o->lusn) return MS_OK;
    int all = 1;
    for (int a = 0; a < A__COUNT; a++) {
        if (o->wrote >> a & 1) o->lusn[a] = usn;
        if ((written >> a & 1) && o->lusn[a] != usn) all = 0;
    }
    if (all) {
        lusnFree(r, o->lusn);
        o->lusn = NULL;
    }
    return MS_OK;
}

msStatus replicaTouched(replica *r, dobj *o, uint64_t usn) {
    const rval *del = o->b->v[A_ISDELETED];
    msStatus st = MS_OK;
    o->deleted = del && strcmp(rvalFirst(del), "TRUE") == 0;
    /* Every update takes a USN the DC has handed out, newer than any on o. */
    msAssert(usn <= r->usn);
    if (ALWAYS(usn > o->usn_changed)) {
        st = settleLocalUsns(r, o, usn);
        o->usn_changed = usn;
        if (st == MS_OK) st = logAppend(r, usn, o->slot);
    }
    o->wrote = 0;
    msAssert(r->nomem || st != MS_OK || usnChangedIsHighest(o));
    r->digest ^= replicaObjHash(o);
    if (!o->deleted) {
        if (st == MS_OK) st = indexLive(r, o);
        o->indexed = 1;   /* what went in comes out at the next Touch; a missing entry is no harm */
    }
    r->changes++;
    if (st != MS_OK) r->nomem = 1;
    return r->nomem ? MS_NOMEM : MS_OK;
}

void replicaRemove(replica *r, dobj *o) {
    msAssert(o->deleted);   /* only garbage collection removes, and only tombstones */
    replicaTouch(r, o);
    hmapRemove(&r->byGuid, o->id_hash, o->slot);
    r->obj[o->slot] = NULL;
    r->count--;
    r->changes++;
    objRelease(r, o);
    memset(o, 0, sizeof *o);
    memcpy(&o->lusn, &r->free_list, sizeof r->free_list);
    r->free_list = o;
}

void replicaSetAttr(replica *r, dobj *o, dirAttr a, rval *v, const stamp *st) {
    /* Stamps only grow: an originating write bumps the version, a pull
    ** applies only a stamp that wins. */
    msAssert(stampCompare(st, &o->b->st[a]) > 0);
    obody *b = bodyMut(r, o);
    if (!b) return;   /* out of memory: replicaTouched says so */
    rval *old = b->v[a];
    b->v[a] = rvalRef(v);
    rvalUnref(old);
    b->st[a] = *st;
    b->written = (uint16_t)(b->written | 1u << a);
    o->wrote = (uint16_t)(o->wrote | 1u << a);
}

void replicaSetValue(replica *r, dobj *o, dirAttr a, rval *v) {
    if (o->b->v[a] == v) return;
    obody *b = bodyMut(r, o);
    if (!b) return;   /* out of memory: replicaTouched says so */
    rval *old = b->v[a];
    b->v[a] = rvalRef(v);
    rvalUnref(old);
}

void replicaSetParent(replica *r, dobj *o, const guid *parent) {
    if (guidCompare(&o->b->parent, parent) == 0) return;
    obody *b = bodyMut(r, o);
    if (b) b->parent = *parent;   /* else out of memory: replicaTouched says so */
}

void replicaShareBody(replica *r, dobj *o, obody *b, uint16_t stamped) {
    (void)r;
    bodyRef(b);
    bodyUnref(o->b);
    o->b = b;
    o->wrote = (uint16_t)(o->wrote | stamped);
}

/* Live objects in map m under key h that pass match, into out. */
static size_t findLive(const replica *r, const hmap *m, uint64_t h,
                       int (*match)(const dobj *, const void *, const void *),
                       const void *k1, const void *k2, dobj **out, size_t max) {
    size_t n = 0;
    if (!m->cap) return 0;
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)(uint32_t)h & mask; m->v[i].slot1; i = (i + 1) & mask) {
        if (m->v[i].h != (uint32_t)h) continue;
        dobj *o = r->obj[m->v[i].slot1 - 1];
        if (!o || o->deleted || !match(o, k1, k2)) continue;
        if (n < max) out[n] = o;
        n++;
    }
    return n;
}

static int matchName(const dobj *o, const void *parent, const void *name) {
    return o->b->v[A_NAME] && guidCompare(&o->b->parent, parent) == 0 &&
           strEqualNoCase(rvalFirst(o->b->v[A_NAME]), name);
}

static int matchProxy(const dobj *o, const void *proxy, const void *unused) {
    (void)unused;
    const rval *pa = o->b->v[A_PROXYADDRESSES];
    for (const char *p = rvalFirst(pa); p; p = rvalNext(pa, p))
        if (strEqualNoCase(p, proxy)) return 1;
    return 0;
}

static int matchMbx(const dobj *o, const void *mbx, const void *unused) {
    (void)unused;
    return o->b->v[A_MAILBOXGUID] && strEqualNoCase(rvalFirst(o->b->v[A_MAILBOXGUID]), mbx);
}

size_t replicaFindByName(const replica *r, const guid *parent, const char *name, dobj **out, size_t max) {
    return findLive(r, &r->byName, nameKey(parent, name), matchName, parent, name, out, max);
}

size_t replicaFindNamesakes(const replica *r, const dobj *o, dobj **out, size_t max) {
    obody *b = o->b;
    bodyHash(b);   /* frozen outside an update: the key is there */
    return findLive(r, &r->byName, b->name_key, matchName, &b->parent, rvalFirst(b->v[A_NAME]), out, max);
}

size_t replicaFindByProxy(const replica *r, const char *proxy, dobj **out, size_t max) {
    return findLive(r, &r->byProxy, hashStrNoCase(0, proxy), matchProxy, proxy, NULL, out, max);
}

size_t replicaFindByMbx(const replica *r, const char *mbx, dobj **out, size_t max) {
    return findLive(r, &r->byMbx, hashStrNoCase(0, mbx), matchMbx, mbx, NULL, out, max);
}

/* ---- change log ---- */

int replicaLogCurrent(const replica *r, const logEnt *e) {
    const dobj *o = r->obj[e->slot];
    return o && o->usn_changed == e->usn;
}

/* Drop stale entries once they outnumber the objects. */
static void logCompact(replica *r) {
    size_t w = 0;
    for (size_t i = 0; i < r->nlog; i++)
        if (replicaLogCurrent(r, &r->log[i])) r->log[w++] = r->log[i];
    r->nlog = w;
}

static msStatus logAppend(replica *r, uint64_t usn, uint32_t slot) {
    /* The log is in USN order (replicaLogFrom's binary search needs it): a
    ** DC's USN only grows. */
    msAssert(r->nlog == 0 || r->log[r->nlog - 1].usn < usn);
    if (r->nlog == r->caplog) {
        if (r->nlog > 2 * r->count + 1024) logCompact(r);
        if (r->nlog == r->caplog) {
            size_t cap = r->caplog ? r->caplog * 2 : 256;
            logEnt *log = realloc(r->log, cap * sizeof *r->log);
            if (!log) return MS_NOMEM;
            r->log = log;
            r->caplog = cap;
        }
    }
    r->log[r->nlog].usn = usn;
    r->log[r->nlog].slot = slot;
    r->nlog++;
    return MS_OK;
}

size_t replicaLogFrom(const replica *r, uint64_t after) {
    size_t lo = 0, hi = r->nlog;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->log[mid].usn <= after) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- content ---- */

uint64_t replicaObjHash(dobj *o) {
    return o->id_hash ^ bodyHash(o->b);
}

int replicaObjEqual(const dobj *a, const dobj *b) {
    if (guidCompare(&a->id, &b->id)) return 0;
    const obody *x = a->b, *y = b->b;
    if (x == y) return 1;   /* one shared body */
    if (guidCompare(&x->parent, &y->parent)) return 0;
    for (int i = 0; i < A__COUNT; i++) {
        const stamp *s = &x->st[i], *t = &y->st[i];
        if (s->version != t->version || s->time != t->time || s->inv != t->inv ||
            s->orig_usn != t->orig_usn)
            return 0;
        if (!rvalEqual(x->v[i], y->v[i])) return 0;
    }
    return 1;
}
