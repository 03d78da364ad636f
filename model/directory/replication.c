/*
** Replication: originating writes, change sets, applying a pull, and the
** conflict rules.  See replication.h for the contract and
** docs/model-directory.md for the rules with their sources.
**
** Conflict rules, as implemented here:
**  - Attribute: the incoming value is written when its stamp wins
**    (stampCompare > 0: higher version, then later originating second, then
**    larger invocationId; equal stamps are not applied).  A_NAME's stamp also
**    carries the parent, so a rename and a move are one kind of write.
**  - Tombstones absorb: once isDeleted is TRUE the stripped attributes hold
**    no value and the name is the DEL-mangled base name under Deleted
**    Objects, whatever stamp won.  The stamps still merge by the rule above,
**    so every DC ends with the same stamps and the same (stripped) values:
**    this is how "delete beats a concurrent modify" converges.
**  - Name: two live objects with one parent and one RDN (case-insensitive):
**    the one whose A_NAME stamp has the later originating time keeps the name,
**    on a tie the larger objectGUID; the other becomes RDN + LF + "CNF:" + its
**    objectGUID by an originating write on the DC that found the conflict.
**  - A live object whose parent is missing or a tombstone moves to
**    LostAndFound by an originating write.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "directory/replication.h"
#include "kernel/invariant.h"

/* Make the array *pp (of elem-byte elements, capacity *cap) hold need; MS_NOMEM leaves it as it was. */
static msStatus xgrow(void *pp, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return MS_OK;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *p;
    memcpy(&p, pp, sizeof p);
    void *q = realloc(p, n * elem);
    if (!q) return MS_NOMEM;
    memcpy(pp, &q, sizeof q);
    *cap = n;
    return MS_OK;
}

int attrPreserved(dirAttr a) {
    switch (a) {
    case A_OBJECTCLASS: case A_NAME: case A_SAMACCOUNTNAME: case A_LEGACYEXCHANGEDN:
    case A_ISDELETED: case A_LASTKNOWNPARENT:
        return 1;
    default:
        return 0;
    }
}

static int attrMultiValued(dirAttr a) {
    return a == A_PROXYADDRESSES;
}

static stamp originating(const directory *d, int dc, const dobj *o, dirAttr a, uint64_t usn) {
    stamp st = {o->b->st[a].version + 1, dirNowSeconds(d), d->dc[dc].rank, usn};
    return st;
}

/* The RDN without a mangle suffix (everything before the first LF). */
static size_t baseLen(const char *name) {
    const char *lf = strchr(name, '\n');
    return lf ? (size_t)(lf - name) : strlen(name);
}

/* name's base + LF + tag + ":" + o's GUID; NULL: out of memory. */
static rval *mangled(const char *name, const char *tag, const guid *id) {
    char g[GUID_STRLEN], buf[1024];
    snprintf(buf, sizeof buf, "%.*s\n%s:%s", (int)baseLen(name), name, tag, guidFormat(id, g));
    return rvalOne(buf);
}

static int isMangledAs(const char *name, const char *tag, const guid *id) {
    char g[GUID_STRLEN], want[64];
    snprintf(want, sizeof want, "\n%s:%s", tag, guidFormat(id, g));
    size_t n = strlen(name), w = strlen(want);
    return n > w && strcmp(name + n - w, want) == 0 && baseLen(name) == n - w;
}

/* The tombstone rules on o (between Touch and Touched): see the file comment.
** Each change goes through the replica, which copies a shared body first. */
static msStatus tombForce(directory *d, replica *r, dobj *o) {
    if (!o->b->v[A_ISDELETED] || strcmp(rvalFirst(o->b->v[A_ISDELETED]), "TRUE") != 0) return MS_OK;
    for (int a = 0; a < A__COUNT; a++)
        if (!attrPreserved((dirAttr)a) && o->b->v[a]) replicaSetValue(r, o, (dirAttr)a, NULL);
    replicaSetParent(r, o, &d->cont[C_DELETED]);
    const char *name = rvalFirst(o->b->v[A_NAME]);
    if (name && !isMangledAs(name, "DEL", &o->id)) {
        rval *m = mangled(name, "DEL", &o->id);
        if (!m) return MS_NOMEM;
        replicaSetValue(r, o, A_NAME, m);
        rvalUnref(m);
    }
    return MS_OK;
}

/* ---- originating writes ---- */

static dobj *liveObject(directory *d, int dc, const guid *obj) {
    dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o && !o->deleted ? o : NULL;
}

/* 1 when anc is o or one of o's ancestors on r. */
static int isAncestor(const replica *r, const guid *anc, const dobj *o) {
    for (int depth = 0; o && depth < 256; depth++) {
        if (guidCompare(&o->id, anc) == 0) return 1;
        if (guidIsNil(&o->b->parent)) return 0;
        o = replicaFind(r, &o->b->parent);
    }
    return 0;
}

static int hasLiveChild(const replica *r, const guid *parent) {
    for (size_t i = 0; i < r->nobj; i++) {
        const dobj *c = r->obj[i];
        if (c && !c->deleted && guidCompare(&c->b->parent, parent) == 0) return 1;
    }
    return 0;
}

static int isUser(const dobj *o) {
    return o->b->v[A_OBJECTCLASS] && strcmp(rvalFirst(o->b->v[A_OBJECTCLASS]), "user") == 0;
}

msStatus origCreate(directory *d, int dc, const guid *parent, const char *rdn,
                    const dirValue *vals, size_t nvals, guid *out) {
    kernel *k = d->k;
    replica *r = &d->dc[dc].r;
    dobj *p = replicaFind(r, parent);
    if (!p || p->deleted || guidCompare(parent, &d->cont[C_DELETED]) == 0) {
        snprintf(k->err, sizeof k->err, "%s: no such parent for %s", d->dc[dc].name, rdn);
        return MS_FAIL;
    }
    if (!rdn || !rdn[0] || strlen(rdn) > 255) {
        snprintf(k->err, sizeof k->err, "%s: bad RDN", d->dc[dc].name);
        return MS_FAIL;
    }
    dobj *dup;
    if (replicaFindByName(r, parent, rdn, &dup, 1)) {
        snprintf(k->err, sizeof k->err, "%s: %s already exists (entryAlreadyExists)", d->dc[dc].name, rdn);
        return MS_FAIL;
    }
    size_t count[A__COUNT] = {0};
    for (size_t i = 0; i < nvals; i++) {
        dirAttr a = vals[i].attr;
        if ((unsigned)a >= A__COUNT || a == A_NAME || a == A_ISDELETED || a == A_LASTKNOWNPARENT ||
            !vals[i].value || (count[a]++ && !attrMultiValued(a))) {
            snprintf(k->err, sizeof k->err, "%s: bad attribute list creating %s", d->dc[dc].name, rdn);
            return MS_FAIL;
        }
    }
    guid id;
    if (guidNext(&k->guids, "object", &id) != MS_OK) return MS_NOMEM;
    dobj *o = replicaNewObject(r, &id);
    if (!o) return MS_NOMEM;
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    /* Out of memory part way leaves a half-made object: the run stops, the replica is freed. */
    msStatus rc = MS_OK;
    for (int a = 0; rc == MS_OK && a < A__COUNT; a++) {
        if (!count[a]) continue;
        const char *list[64];
        size_t n = 0;
        for (size_t i = 0; i < nvals && n < 64; i++)
            if (vals[i].attr == (dirAttr)a) list[n++] = vals[i].value;
        rval *v = rvalNew(list, n);
        if (!v) rc = MS_NOMEM;
        stamp st = originating(d, dc, o, (dirAttr)a, usn);
        if (v) replicaSetAttr(r, o, (dirAttr)a, v, &st);
        rvalUnref(v);
    }
    if (rc == MS_OK && !o->b->v[A_OBJECTCLASS]) {
        rval *v = rvalOne("user");
        stamp st = originating(d, dc, o, A_OBJECTCLASS, usn);
        if (v) replicaSetAttr(r, o, A_OBJECTCLASS, v, &st);
        else rc = MS_NOMEM;
        rvalUnref(v);
    }
    rval *nv = rc == MS_OK ? rvalOne(rdn) : NULL;
    stamp st = originating(d, dc, o, A_NAME, usn);
    if (nv) replicaSetAttr(r, o, A_NAME, nv, &st);
    else rc = MS_NOMEM;
    rvalUnref(nv);
    replicaSetParent(r, o, parent);
    msStatus tc = replicaTouched(r, o, usn);
    if (rc == MS_OK) rc = tc;
    if (rc == MS_OK && out) *out = id;
    return rc;
}

msStatus origModify(directory *d, int dc, const guid *obj, dirAttr a,
                    const char *const *vals, size_t nvals, int *urgent) {
    kernel *k = d->k;
    *urgent = 0;
    if (a == A_NAME) {
        if (nvals != 1) {
            snprintf(k->err, sizeof k->err, "%s: a name takes exactly one value", d->dc[dc].name);
            return MS_FAIL;
        }
        return origMove(d, dc, obj, NULL, vals[0]);
    }
    dobj *o = liveObject(d, dc, obj);
    if (!o) {
        snprintf(k->err, sizeof k->err, "%s does not hold the object live", d->dc[dc].name);
        return MS_FAIL;
    }
    if ((unsigned)a >= A__COUNT || a == A_ISDELETED || a == A_LASTKNOWNPARENT || a == A_OBJECTCLASS ||
        (nvals > 1 && !attrMultiValued(a))) {
        snprintf(k->err, sizeof k->err, "%s: attribute %d cannot be modified that way", d->dc[dc].name, (int)a);
        return MS_FAIL;
    }
    for (size_t i = 0; i < nvals; i++)
        if (!vals[i]) {
            snprintf(k->err, sizeof k->err, "%s: NULL value", d->dc[dc].name);
            return MS_FAIL;
        }
    rval *v = rvalNew(vals, nvals);
    if (nvals && !v) return MS_NOMEM;
    if (rvalEqual(v, o->b->v[a])) {   /* a no-op replace writes nothing */
        rvalUnref(v);
        return MS_OK;
    }
    replica *r = &d->dc[dc].r;
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, a, usn);
    replicaSetAttr(r, o, a, v, &st);
    rvalUnref(v);
    *urgent = a == A_USERACCOUNTCONTROL;
    return replicaTouched(r, o, usn);
}

/* Write o's name (and parent) as an originating write on dc. */
static msStatus writeName(directory *d, int dc, dobj *o, const guid *parent, rval *name) {
    replica *r = &d->dc[dc].r;
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, A_NAME, usn);
    replicaSetAttr(r, o, A_NAME, name, &st);
    replicaSetParent(r, o, parent);
    return replicaTouched(r, o, usn);
}

/* 1 when obj is one of the domain's well-known containers, which never move or go. */
static int isWellKnown(const directory *d, const guid *obj) {
    for (int c = 0; c < DIR_NCONTAINERS; c++)
        if (guidCompare(obj, &d->cont[c]) == 0) return 1;
    return 0;
}

msStatus origMove(directory *d, int dc, const guid *obj, const guid *newparent, const char *newrdn) {
    kernel *k = d->k;
    replica *r = &d->dc[dc].r;
    dobj *o = liveObject(d, dc, obj);
    if (!o || guidIsNil(&o->b->parent)) {
        snprintf(k->err, sizeof k->err, "%s does not hold the object live", d->dc[dc].name);
        return MS_FAIL;
    }
    if (isWellKnown(d, obj)) {
        snprintf(k->err, sizeof k->err, "%s: a well-known container cannot move", d->dc[dc].name);
        return MS_FAIL;
    }
    const guid *np = newparent ? newparent : &o->b->parent;
    const char *nn = newrdn ? newrdn : rvalFirst(o->b->v[A_NAME]);
    dobj *p = replicaFind(r, np);
    if (!p || p->deleted || guidCompare(np, &d->cont[C_DELETED]) == 0 || isAncestor(r, obj, p)) {
        snprintf(k->err, sizeof k->err, "%s: no such parent (or a move under itself)", d->dc[dc].name);
        return MS_FAIL;
    }
    if (!nn[0] || strlen(nn) > 255) {
        snprintf(k->err, sizeof k->err, "%s: bad RDN", d->dc[dc].name);
        return MS_FAIL;
    }
    dobj *dup[2];
    size_t n = replicaFindByName(r, np, nn, dup, 2);
    for (size_t i = 0; i < n && i < 2; i++)
        if (dup[i] != o) {
            snprintf(k->err, sizeof k->err, "%s: %s already exists (entryAlreadyExists)", d->dc[dc].name, nn);
            return MS_FAIL;
        }
    rval *v = rvalOne(nn);
    if (!v) return MS_NOMEM;
    if (guidCompare(np, &o->b->parent) == 0 && rvalEqual(v, o->b->v[A_NAME])) {
        rvalUnref(v);
        return MS_OK;
    }
    msStatus rc = writeName(d, dc, o, np, v);
    rvalUnref(v);
    return rc;
}

msStatus origDelete(directory *d, int dc, const guid *obj) {
    kernel *k = d->k;
    replica *r = &d->dc[dc].r;
    dobj *o = liveObject(d, dc, obj);
    if (!o) {
        snprintf(k->err, sizeof k->err, "%s does not hold the object live", d->dc[dc].name);
        return MS_FAIL;
    }
    if (isWellKnown(d, obj)) {
        snprintf(k->err, sizeof k->err, "%s: a well-known container cannot be deleted", d->dc[dc].name);
        return MS_FAIL;
    }
    if (!isUser(o) && hasLiveChild(r, obj)) {
        snprintf(k->err, sizeof k->err, "%s: the object has children (notAllowedOnNonLeaf)", d->dc[dc].name);
        return MS_FAIL;
    }
    char dn[2048];
    const dobj *p = replicaFind(r, &o->b->parent);
    rval *lkp = p ? rvalOne(dirObjDn(d, r, p, dn, sizeof dn, 0)) : NULL;
    rval *yes = rvalOne("TRUE");
    rval *name = mangled(rvalFirst(o->b->v[A_NAME]), "DEL", &o->id);
    if ((p && !lkp) || !yes || !name) {
        rvalUnref(lkp);
        rvalUnref(yes);
        rvalUnref(name);
        return MS_NOMEM;
    }
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, A_ISDELETED, usn);
    replicaSetAttr(r, o, A_ISDELETED, yes, &st);
    if (lkp) {
        st = originating(d, dc, o, A_LASTKNOWNPARENT, usn);
        replicaSetAttr(r, o, A_LASTKNOWNPARENT, lkp, &st);
    }
    st = originating(d, dc, o, A_NAME, usn);
    replicaSetAttr(r, o, A_NAME, name, &st);
    replicaSetParent(r, o, &d->cont[C_DELETED]);
    for (int a = 0; a < A__COUNT; a++) {
        if (attrPreserved((dirAttr)a) || !o->b->v[a]) continue;
        st = originating(d, dc, o, (dirAttr)a, usn);
        replicaSetAttr(r, o, (dirAttr)a, NULL, &st);
    }
    msStatus rc = replicaTouched(r, o, usn);
    rvalUnref(lkp);
    rvalUnref(yes);
    rvalUnref(name);
    return rc;
}

/* ---- change sets ---- */

/* Attributes of o (on the source) the destination needs: written since the
** high-watermark hwm, and not covered by its vector (dampening). */
static uint16_t attrsToSend(const dobj *o, uint64_t hwm, uint32_t self, uint64_t self_usn,
                            const uint64_t *utd) {
    obody *b = o->b;
    bodyHash(b);   /* frozen: the send summary is there */
    if (!o->lusn && b->one_inv != UINT32_MAX) {
        /* Every stamp from one DC, every local USN above hwm: the vector
        ** alone decides, often for all the attributes at once. */
        uint64_t seen = b->one_inv == self ? self_usn : utd[b->one_inv];
        if (b->orig_hi <= seen) return 0;
        if (b->orig_lo > seen) return b->written;
    }
    uint16_t mask = 0;
    for (int a = 0; a < A__COUNT; a++) {
        if (!(b->written >> a & 1)) continue;
        if (o->lusn && o->lusn[a] <= hwm) continue;   /* without lusn: usnChanged, above hwm */
        const stamp *st = &b->st[a];
        uint64_t seen = st->inv == self ? self_usn : utd[st->inv];
        if (st->orig_usn <= seen) continue;   /* propagation dampening */
        mask = (uint16_t)(mask | 1u << a);
    }
    return mask;
}

static size_t bitCount(uint16_t m) {
    size_t n = 0;
    for (; m; m &= (uint16_t)(m - 1)) n++;
    return n;
}

utdVec *utdNew(size_t n) {
    utdVec *v = calloc(1, sizeof *v + (n ? n : 1) * sizeof v->v[0]);
    if (v) v->refs = 1;
    return v;
}

void utdUnref(utdVec *v) {
    if (v && --v->refs == 0) free(v);
}

msStatus csBuild(directory *d, int dst, int src, changeSet *cs) {
    memset(cs, 0, sizeof *cs);
    cs->src = src;
    cs->dst = dst;
    cs->o = d->spare_o;
    cs->capo = d->spare_capo;
    d->spare_o = NULL;
    d->spare_capo = 0;
    const replica *r = &d->dc[src].r;
    const dcState *D = &d->dc[dst];
    uint64_t hwm = D->hwm[src];
    size_t from = replicaLogFrom(r, hwm);
    for (size_t i = from; i < r->nlog; i++) {
        const logEnt *e = &r->log[i];
        if (!replicaLogCurrent(r, e)) continue;
        dobj *o = r->obj[e->slot];
        msAssert(o->usn_changed > hwm);
        uint16_t mask = attrsToSend(o, hwm, D->rank, D->r.usn, D->utd->v);
        if (!mask) continue;
        if (xgrow(&cs->o, &cs->capo, cs->no + 1, sizeof *cs->o) != MS_OK) return MS_NOMEM;
        csObj *co = &cs->o[cs->no++];
        co->id = o->id;
        co->b = bodyRef(o->b);   /* the source copies it before any later write */
        co->usn = e->usn;
        co->mask = mask;
        cs->na += bitCount(mask);
    }
    cs->src_usn = r->usn;
    cs->src_utd = d->dc[src].utd;   /* shared: the source copies it before a write */
    cs->src_utd->refs++;
    return MS_OK;
}

static void csRelease(changeSet *cs) {
    for (size_t i = 0; i < cs->no; i++) bodyUnref(cs->o[i].b);
}

void csFree(changeSet *cs) {
    csRelease(cs);
    free(cs->o);
    utdUnref(cs->src_utd);
    memset(cs, 0, sizeof *cs);
}

void csRecycle(directory *d, changeSet *cs) {
    csRelease(cs);
    if (cs->capo > d->spare_capo) {
        free(d->spare_o);
        d->spare_o = cs->o;
        d->spare_capo = cs->capo;
    } else {
        free(cs->o);
    }
    utdUnref(cs->src_utd);
    memset(cs, 0, sizeof *cs);
}

void csFreeSpare(directory *d) {
    free(d->spare_o);
    d->spare_o = NULL;
    d->spare_capo = 0;
}

void csSummary(const changeSet *cs, size_t *attrs, uint64_t *lo, uint64_t *hi) {
    *attrs = cs->na;
    *lo = cs->no ? cs->o[0].usn : 0;
    *hi = cs->no ? cs->o[cs->no - 1].usn : 0;
}

/* ---- applying ---- */

typedef struct csTouched {
    dobj *o;               /* stable: nothing is removed between merge and place */
    int was_deleted;       /* a tombstone before this pull (or absent: 0) */
} touched;

static void narrateDn(directory *d, int dc, traceKind kind, const char *what, const dobj *o) {
    kernel *k = d->k;
    if (!kernelNarrating(k)) return;
    char dn[2048];
    traceRecord r = traceNew(kind, d->dc[dc].name);
    r.dc = d->dc[dc].name;
    traceObject(&r, &o->id);
    traceStr(&r, "dn", dirObjDn(d, &d->dc[dc].r, o, dn, sizeof dn, 1));
    kernelEmit(k, &r, "%s: %s", what, dn);
}

/* Resolve name conflicts between live o and other live objects with its name on dc. */
static msStatus resolveNames(directory *d, int dc, dobj *o) {
    replica *r = &d->dc[dc].r;
    for (int guard = 0; guard < 8 && !o->deleted; guard++) {
        dobj *dup[4], *other = NULL;
        size_t n = replicaFindNamesakes(r, o, dup, 4);
        for (size_t i = 0; i < n && i < 4; i++)
            if (dup[i] != o) other = dup[i];
        if (!other) return MS_OK;
        const stamp *a = &o->b->st[A_NAME], *b = &other->b->st[A_NAME];
        int o_keeps = a->time != b->time ? a->time > b->time : guidCompare(&o->id, &other->id) > 0;
        dobj *loser = o_keeps ? other : o;
        rval *m = mangled(rvalFirst(loser->b->v[A_NAME]), "CNF", &loser->id);
        if (!m) return MS_NOMEM;
        guid parent = loser->b->parent;
        msStatus rc = writeName(d, dc, loser, &parent, m);
        rvalUnref(m);
        if (rc != MS_OK) return rc;
        narrateDn(d, dc, TR_REPL_CONFLICT, "name conflict", loser);
        if (loser == o) return MS_OK;
    }
    return MS_OK;
}

/* A live o whose parent is missing or a tombstone goes to LostAndFound. */
static msStatus rehomeOrphan(directory *d, int dc, dobj *o) {
    replica *r = &d->dc[dc].r;
    if (o->deleted || guidIsNil(&o->b->parent)) return MS_OK;
    const dobj *p = replicaFind(r, &o->b->parent);
    if (p && !p->deleted) return MS_OK;
    rval *name = rvalRef(o->b->v[A_NAME]);
    msStatus rc = writeName(d, dc, o, &d->cont[C_LOSTANDFOUND], name);
    rvalUnref(name);
    if (rc != MS_OK) return rc;
    narrateDn(d, dc, TR_REPL_ORPHAN, "orphan moved to LostAndFound", o);
    return MS_OK;
}

/*
** 1 when merging in (whose attributes won are taking over) into cur leaves
** exactly in: every other attribute already holds in's stamp and value, and
** the parent is in's.  Then the destination shares in instead of a copy.
*/
static int mergeIsIncoming(const obody *cur, const obody *in, uint16_t won) {
    if (!(won >> A_NAME & 1) && guidCompare(&cur->parent, &in->parent) != 0) return 0;
    for (int a = 0; a < A__COUNT; a++) {
        if (won >> a & 1) continue;
        if (stampCompare(&cur->st[a], &in->st[a]) != 0 || !rvalEqual(cur->v[a], in->v[a])) return 0;
    }
    return 1;
}

/* Phase 1 for one object: the stamp rule.  Returns the object or NULL (*rc: MS_NOMEM when out of memory). */
static dobj *applyObject(directory *d, const changeSet *cs, const csObj *co, applyResult *res,
                         int *was_deleted, msStatus *rc) {
    replica *r = &d->dc[cs->dst].r;
    dobj *o = replicaFind(r, &co->id);
    obody *in = co->b;
    uint16_t won = 0;
    int nwon = 0, has_name = co->mask >> A_NAME & 1;
    for (int a = 0; a < A__COUNT; a++) {
        if (!(co->mask >> a & 1)) continue;
        if (!o || stampCompare(&in->st[a], &o->b->st[a]) > 0) {
            won = (uint16_t)(won | 1u << a);
            nwon++;
        }
    }
    *was_deleted = o ? o->deleted : 0;
    if (!nwon) return NULL;
    if (!o && !has_name) return NULL;   /* cannot place it: see docs, "simplified away" */
    int existed_live = o && !o->deleted;
    if (!o) o = replicaNewObject(r, &co->id);
    if (!o) {
        *rc = MS_NOMEM;
        return NULL;
    }
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    if (mergeIsIncoming(o->b, in, won)) {
        replicaShareBody(r, o, in, won);
    } else {
        for (int a = 0; a < A__COUNT; a++) {
            if (!(won >> a & 1)) continue;
            replicaSetAttr(r, o, (dirAttr)a, in->v[a], &in->st[a]);
            if (a == A_NAME) replicaSetParent(r, o, &in->parent);
        }
    }
    *rc = tombForce(d, r, o);
    msStatus tc = replicaTouched(r, o, usn);
    if (*rc == MS_OK) *rc = tc;
    res->applied += (size_t)nwon;
    res->objects++;
    if (existed_live && !o->deleted && (won >> A_USERACCOUNTCONTROL & 1)) res->urgent = 1;
    return o;
}

msStatus csMerge(directory *d, const changeSet *cs, applyResult *res) {
    memset(res, 0, sizeof *res);
    touched *t = cs->no ? malloc(cs->no * sizeof *t) : NULL;
    if (cs->no && !t) return MS_NOMEM;
    size_t nt = 0;
    for (size_t i = 0; i < cs->no; i++) {
        int was_deleted;
        msStatus rc = MS_OK;
        dobj *o = applyObject(d, cs, &cs->o[i], res, &was_deleted, &rc);
        if (rc != MS_OK) {
            free(t);
            return rc;
        }
        if (!o) continue;
        t[nt].o = o;
        t[nt].was_deleted = was_deleted;
        nt++;
    }
    res->touched = t;
    res->ntouched = nt;
    return MS_OK;
}

/*
** D's vector takes the larger of each entry and the source's as the pull
** saw it (the source's own entry: its USN then).  A vector a change set
** still holds is copied before the first entry that changes.  MS_NOMEM:
** the copy could not be made (D's vector is as it was).
*/
static msStatus utdMerge(directory *d, dcState *D, const changeSet *cs) {
    const uint64_t *s = cs->src_utd->v;
    uint32_t src_rank = d->dc[cs->src].rank;
    for (int k = 0; k < d->ndc; k++) {
        uint64_t v = s[k];
        if ((uint32_t)k == src_rank && v < cs->src_usn) v = cs->src_usn;
        if (D->utd->v[k] >= v) continue;
        if (D->utd->refs > 1) {
            utdVec *c = utdNew((size_t)d->ndc);
            if (!c) return MS_NOMEM;
            memcpy(c->v, D->utd->v, (size_t)d->ndc * sizeof c->v[0]);
            utdUnref(D->utd);
            D->utd = c;
        }
        D->utd->v[k] = v;
    }
    return MS_OK;
}

#ifdef MIGSIM_CHECKS
/*
** After a pull, every live object it touched is the only live object with
** its name under its parent on dc: the conflict rules left one live name.
** Only the touched objects are looked at (one index probe each), so the
** check costs what the pull already did.
*/
static int oneLiveName(const directory *d, int dc, const touched *t, size_t nt) {
    const replica *r = &d->dc[dc].r;
    for (size_t i = 0; i < nt; i++) {
        const dobj *o = replicaFind(r, &t[i].o->id);
        if (!o || o->deleted || !o->b->v[A_NAME]) continue;
        dobj *same[2];
        if (replicaFindByName(r, &o->b->parent, rvalFirst(o->b->v[A_NAME]), same, 2) != 1) return 0;
    }
    return 1;
}
#endif

msStatus csPlace(directory *d, const changeSet *cs, applyResult *res) {
    int dc = cs->dst;
    dcState *D = &d->dc[dc];
    const touched *t = res->touched;
    size_t nt = res->ntouched;
    msStatus rc = MS_OK;
    /* Phase 2: placement of what changed, now that the whole set is in. */
    for (size_t i = 0; rc == MS_OK && i < nt; i++) {
        dobj *o = t[i].o;
        if (o->deleted) continue;
        rc = rehomeOrphan(d, dc, o);
        if (rc == MS_OK) rc = resolveNames(d, dc, o);
    }
    /* Phase 3: live children of containers that became tombstones. */
    for (size_t i = 0; rc == MS_OK && i < nt; i++) {
        dobj *o = t[i].o;
        if (!o->deleted || t[i].was_deleted || isUser(o)) continue;
        for (size_t k = 0; rc == MS_OK && k < D->r.nobj; k++) {
            dobj *c = D->r.obj[k];
            if (!c || c->deleted || guidCompare(&c->b->parent, &o->id) != 0) continue;
            rc = rehomeOrphan(d, dc, c);
            if (rc == MS_OK) rc = resolveNames(d, dc, c);
        }
    }
    msAssert(rc != MS_OK || oneLiveName(d, dc, t, nt));
    free(res->touched);
    res->touched = NULL;
    res->ntouched = 0;
    if (rc != MS_OK) return rc;
    if (D->hwm[cs->src] < cs->src_usn) D->hwm[cs->src] = cs->src_usn;
    return utdMerge(d, D, cs);
}

msStatus csApply(directory *d, const changeSet *cs, applyResult *res) {
    msStatus rc = csMerge(d, cs, res);
    return rc == MS_OK ? csPlace(d, cs, res) : rc;
}
