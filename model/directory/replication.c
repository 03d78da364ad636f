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

static void *xgrow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *q = realloc(p, n * elem);
    if (!q) {
        fprintf(stderr, "migsim: out of memory in replication\n");
        abort();
    }
    *cap = n;
    return q;
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
    stamp st = {o->st[a].version + 1, dirNowSeconds(d), d->dc[dc].rank, usn, usn};
    return st;
}

/* The RDN without a mangle suffix (everything before the first LF). */
static size_t baseLen(const char *name) {
    const char *lf = strchr(name, '\n');
    return lf ? (size_t)(lf - name) : strlen(name);
}

/* name's base + LF + tag + ":" + o's GUID. */
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

/* The tombstone rules on o (between Touch and Touched): see the file comment. */
static void tombForce(directory *d, dobj *o) {
    if (!o->v[A_ISDELETED] || strcmp(rvalFirst(o->v[A_ISDELETED]), "TRUE") != 0) return;
    for (int a = 0; a < A__COUNT; a++) {
        if (attrPreserved((dirAttr)a) || !o->v[a]) continue;
        rvalUnref(o->v[a]);
        o->v[a] = NULL;
    }
    o->parent = d->cont[C_DELETED];
    const char *name = rvalFirst(o->v[A_NAME]);
    if (name && !isMangledAs(name, "DEL", &o->id)) {
        rval *m = mangled(name, "DEL", &o->id);
        rvalUnref(o->v[A_NAME]);
        o->v[A_NAME] = m;
    }
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
        if (guidIsNil(&o->parent)) return 0;
        o = replicaFind(r, &o->parent);
    }
    return 0;
}

static int hasLiveChild(const replica *r, const guid *parent) {
    for (size_t i = 0; i < r->nobj; i++) {
        const dobj *c = r->obj[i];
        if (c && !c->deleted && guidCompare(&c->parent, parent) == 0) return 1;
    }
    return 0;
}

static int isUser(const dobj *o) {
    return o->v[A_OBJECTCLASS] && strcmp(rvalFirst(o->v[A_OBJECTCLASS]), "user") == 0;
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
    guidNext(&k->guids, "object", &id);
    uint64_t usn = ++r->usn;
    dobj *o = replicaNewObject(r, &id);
    replicaTouch(r, o);
    for (int a = 0; a < A__COUNT; a++) {
        if (!count[a]) continue;
        const char *list[64];
        size_t n = 0;
        for (size_t i = 0; i < nvals && n < 64; i++)
            if (vals[i].attr == (dirAttr)a) list[n++] = vals[i].value;
        rval *v = rvalNew(list, n);
        stamp st = originating(d, dc, o, (dirAttr)a, usn);
        replicaSetAttr(o, (dirAttr)a, v, &st);
        rvalUnref(v);
    }
    if (!o->v[A_OBJECTCLASS]) {
        rval *v = rvalOne("user");
        stamp st = originating(d, dc, o, A_OBJECTCLASS, usn);
        replicaSetAttr(o, A_OBJECTCLASS, v, &st);
        rvalUnref(v);
    }
    rval *nv = rvalOne(rdn);
    stamp st = originating(d, dc, o, A_NAME, usn);
    replicaSetAttr(o, A_NAME, nv, &st);
    rvalUnref(nv);
    o->parent = *parent;
    replicaTouched(r, o, usn);
    if (out) *out = id;
    return MS_OK;
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
    if (rvalEqual(v, o->v[a])) {   /* a no-op replace writes nothing */
        rvalUnref(v);
        return MS_OK;
    }
    replica *r = &d->dc[dc].r;
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, a, usn);
    replicaSetAttr(o, a, v, &st);
    rvalUnref(v);
    replicaTouched(r, o, usn);
    *urgent = a == A_USERACCOUNTCONTROL;
    return MS_OK;
}

/* Write o's name (and parent) as an originating write on dc. */
static void writeName(directory *d, int dc, dobj *o, const guid *parent, rval *name) {
    replica *r = &d->dc[dc].r;
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, A_NAME, usn);
    replicaSetAttr(o, A_NAME, name, &st);
    o->parent = *parent;
    replicaTouched(r, o, usn);
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
    if (!o || guidIsNil(&o->parent)) {
        snprintf(k->err, sizeof k->err, "%s does not hold the object live", d->dc[dc].name);
        return MS_FAIL;
    }
    if (isWellKnown(d, obj)) {
        snprintf(k->err, sizeof k->err, "%s: a well-known container cannot move", d->dc[dc].name);
        return MS_FAIL;
    }
    const guid *np = newparent ? newparent : &o->parent;
    const char *nn = newrdn ? newrdn : rvalFirst(o->v[A_NAME]);
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
    if (guidCompare(np, &o->parent) == 0 && rvalEqual(v, o->v[A_NAME])) {
        rvalUnref(v);
        return MS_OK;
    }
    writeName(d, dc, o, np, v);
    rvalUnref(v);
    return MS_OK;
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
    const dobj *p = replicaFind(r, &o->parent);
    rval *lkp = p ? rvalOne(dirObjDn(d, r, p, dn, sizeof dn, 0)) : NULL;
    rval *yes = rvalOne("TRUE");
    rval *name = mangled(rvalFirst(o->v[A_NAME]), "DEL", &o->id);
    uint64_t usn = ++r->usn;
    replicaTouch(r, o);
    stamp st = originating(d, dc, o, A_ISDELETED, usn);
    replicaSetAttr(o, A_ISDELETED, yes, &st);
    if (lkp) {
        st = originating(d, dc, o, A_LASTKNOWNPARENT, usn);
        replicaSetAttr(o, A_LASTKNOWNPARENT, lkp, &st);
    }
    st = originating(d, dc, o, A_NAME, usn);
    replicaSetAttr(o, A_NAME, name, &st);
    o->parent = d->cont[C_DELETED];
    for (int a = 0; a < A__COUNT; a++) {
        if (attrPreserved((dirAttr)a) || !o->v[a]) continue;
        st = originating(d, dc, o, (dirAttr)a, usn);
        replicaSetAttr(o, (dirAttr)a, NULL, &st);
    }
    replicaTouched(r, o, usn);
    rvalUnref(lkp);
    rvalUnref(yes);
    rvalUnref(name);
    return MS_OK;
}

/* ---- change sets ---- */

void csBuild(directory *d, int dst, int src, changeSet *cs) {
    memset(cs, 0, sizeof *cs);
    cs->src = src;
    cs->dst = dst;
    cs->o = d->spare_o;
    cs->capo = d->spare_capo;
    cs->a = d->spare_a;
    cs->capa = d->spare_capa;
    d->spare_o = d->spare_a = NULL;
    d->spare_capo = d->spare_capa = 0;
    const replica *r = &d->dc[src].r;
    const dcState *D = &d->dc[dst];
    uint64_t hwm = D->hwm[src];
    uint32_t self = D->rank;
    size_t from = replicaLogFrom(r, hwm);
    cs->o = xgrow(cs->o, &cs->capo, r->nlog - from + 1, sizeof *cs->o);
    cs->a = xgrow(cs->a, &cs->capa, (r->nlog - from) * 10 + 1, sizeof *cs->a);
    for (size_t i = from; i < r->nlog; i++) {
        const logEnt *e = &r->log[i];
        if (!replicaLogCurrent(r, e)) continue;
        const dobj *o = r->obj[e->slot];
        uint32_t first = (uint32_t)cs->na;
        for (int a = 0; a < A__COUNT; a++) {
            const stamp *st = &o->st[a];
            if (!st->version || st->local_usn <= hwm) continue;
            uint64_t seen = st->inv == self ? D->r.usn : D->utd[st->inv];
            if (st->orig_usn <= seen) continue;   /* propagation dampening */
            cs->a = xgrow(cs->a, &cs->capa, cs->na + 1, sizeof *cs->a);
            csAttr *ca = &cs->a[cs->na++];
            ca->attr = (uint32_t)a;
            ca->v = rvalRef(o->v[a]);
            ca->st = *st;
        }
        if (cs->na == first) continue;
        cs->o = xgrow(cs->o, &cs->capo, cs->no + 1, sizeof *cs->o);
        csObj *co = &cs->o[cs->no++];
        co->id = o->id;
        co->parent = o->parent;
        co->usn = e->usn;
        co->first = first;
        co->n = (uint32_t)(cs->na - first);
    }
    cs->src_usn = r->usn;
    cs->src_utd = malloc((size_t)d->ndc * sizeof *cs->src_utd);
    if (!cs->src_utd) {
        fprintf(stderr, "migsim: out of memory in replication\n");
        abort();
    }
    memcpy(cs->src_utd, d->dc[src].utd, (size_t)d->ndc * sizeof *cs->src_utd);
    if (cs->src_utd[d->dc[src].rank] < r->usn) cs->src_utd[d->dc[src].rank] = r->usn;
}

void csFree(changeSet *cs) {
    for (size_t i = 0; i < cs->na; i++) rvalUnref(cs->a[i].v);
    free(cs->a);
    free(cs->o);
    free(cs->src_utd);
    memset(cs, 0, sizeof *cs);
}

void csRecycle(directory *d, changeSet *cs) {
    for (size_t i = 0; i < cs->na; i++) rvalUnref(cs->a[i].v);
    if (cs->capa > d->spare_capa) {
        free(d->spare_a);
        d->spare_a = cs->a;
        d->spare_capa = cs->capa;
    } else {
        free(cs->a);
    }
    if (cs->capo > d->spare_capo) {
        free(d->spare_o);
        d->spare_o = cs->o;
        d->spare_capo = cs->capo;
    } else {
        free(cs->o);
    }
    free(cs->src_utd);
    memset(cs, 0, sizeof *cs);
}

void csFreeSpare(directory *d) {
    free(d->spare_o);
    free(d->spare_a);
    d->spare_o = d->spare_a = NULL;
    d->spare_capo = d->spare_capa = 0;
}

void csSummary(const changeSet *cs, size_t *attrs, uint64_t *lo, uint64_t *hi) {
    *attrs = cs->na;
    *lo = cs->no ? cs->o[0].usn : 0;
    *hi = cs->no ? cs->o[cs->no - 1].usn : 0;
}

/* ---- applying ---- */

typedef struct csTouched {
    guid id;
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
static void resolveNames(directory *d, int dc, dobj *o) {
    replica *r = &d->dc[dc].r;
    for (int guard = 0; guard < 8 && !o->deleted; guard++) {
        dobj *dup[4], *other = NULL;
        size_t n = replicaFindByName(r, &o->parent, rvalFirst(o->v[A_NAME]), dup, 4);
        for (size_t i = 0; i < n && i < 4; i++)
            if (dup[i] != o) other = dup[i];
        if (!other) return;
        const stamp *a = &o->st[A_NAME], *b = &other->st[A_NAME];
        int o_keeps = a->time != b->time ? a->time > b->time : guidCompare(&o->id, &other->id) > 0;
        dobj *loser = o_keeps ? other : o;
        rval *m = mangled(rvalFirst(loser->v[A_NAME]), "CNF", &loser->id);
        guid parent = loser->parent;
        writeName(d, dc, loser, &parent, m);
        rvalUnref(m);
        narrateDn(d, dc, TR_REPL_CONFLICT, "name conflict", loser);
        if (loser == o) return;
    }
}

/* A live o whose parent is missing or a tombstone goes to LostAndFound. */
static void rehomeOrphan(directory *d, int dc, dobj *o) {
    replica *r = &d->dc[dc].r;
    if (o->deleted || guidIsNil(&o->parent)) return;
    const dobj *p = replicaFind(r, &o->parent);
    if (p && !p->deleted) return;
    rval *name = rvalRef(o->v[A_NAME]);
    writeName(d, dc, o, &d->cont[C_LOSTANDFOUND], name);
    rvalUnref(name);
    narrateDn(d, dc, TR_REPL_ORPHAN, "orphan moved to LostAndFound", o);
}

/* Phase 1 for one object: the stamp rule.  Returns the object or NULL. */
static dobj *applyObject(directory *d, const changeSet *cs, const csObj *co, applyResult *res,
                         int *was_deleted) {
    replica *r = &d->dc[cs->dst].r;
    dobj *o = replicaFind(r, &co->id);
    const csAttr *in = &cs->a[co->first];
    int won[A__COUNT] = {0}, nwon = 0, has_name = 0;
    for (uint32_t i = 0; i < co->n; i++) {
        if (in[i].attr == A_NAME) has_name = 1;
        if (!o || stampCompare(&in[i].st, &o->st[in[i].attr]) > 0) {
            won[in[i].attr] = (int)i + 1;
            nwon++;
        }
    }
    *was_deleted = o ? o->deleted : 0;
    if (!nwon) return NULL;
    if (!o && !has_name) return NULL;   /* cannot place it: see docs, "simplified away" */
    int existed_live = o && !o->deleted;
    uint64_t usn = ++r->usn;
    if (!o) o = replicaNewObject(r, &co->id);
    replicaTouch(r, o);
    for (int a = 0; a < A__COUNT; a++) {
        if (!won[a]) continue;
        const csAttr *ca = &in[won[a] - 1];
        stamp st = ca->st;
        st.local_usn = usn;
        replicaSetAttr(o, (dirAttr)a, ca->v, &st);
        if (a == A_NAME) o->parent = co->parent;
    }
    tombForce(d, o);
    replicaTouched(r, o, usn);
    res->applied += (size_t)nwon;
    res->objects++;
    if (existed_live && !o->deleted && won[A_USERACCOUNTCONTROL]) res->urgent = 1;
    return o;
}

void csMerge(directory *d, const changeSet *cs, applyResult *res) {
    memset(res, 0, sizeof *res);
    touched *t = cs->no ? malloc(cs->no * sizeof *t) : NULL;
    if (cs->no && !t) {
        fprintf(stderr, "migsim: out of memory in replication\n");
        abort();
    }
    size_t nt = 0;
    for (size_t i = 0; i < cs->no; i++) {
        int was_deleted;
        dobj *o = applyObject(d, cs, &cs->o[i], res, &was_deleted);
        if (!o) continue;
        t[nt].id = o->id;
        t[nt].was_deleted = was_deleted;
        nt++;
    }
    res->touched = t;
    res->ntouched = nt;
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
        const dobj *o = replicaFind(r, &t[i].id);
        if (!o || o->deleted || !o->v[A_NAME]) continue;
        dobj *same[2];
        if (replicaFindByName(r, &o->parent, rvalFirst(o->v[A_NAME]), same, 2) != 1) return 0;
    }
    return 1;
}
#endif

void csPlace(directory *d, const changeSet *cs, applyResult *res) {
    int dc = cs->dst;
    dcState *D = &d->dc[dc];
    const touched *t = res->touched;
    size_t nt = res->ntouched;
    /* Phase 2: placement of what changed, now that the whole set is in. */
    for (size_t i = 0; i < nt; i++) {
        dobj *o = replicaFind(&D->r, &t[i].id);
        if (!o || o->deleted) continue;
        rehomeOrphan(d, dc, o);
        resolveNames(d, dc, o);
    }
    /* Phase 3: live children of containers that became tombstones. */
    for (size_t i = 0; i < nt; i++) {
        dobj *o = replicaFind(&D->r, &t[i].id);
        if (!o || !o->deleted || t[i].was_deleted || isUser(o)) continue;
        for (size_t k = 0; k < D->r.nobj; k++) {
            dobj *c = D->r.obj[k];
            if (!c || c->deleted || guidCompare(&c->parent, &o->id) != 0) continue;
            rehomeOrphan(d, dc, c);
            resolveNames(d, dc, c);
        }
    }
    msAssert(oneLiveName(d, dc, t, nt));
    free(res->touched);
    res->touched = NULL;
    res->ntouched = 0;
    if (D->hwm[cs->src] < cs->src_usn) D->hwm[cs->src] = cs->src_usn;
    for (int k = 0; k < d->ndc; k++)
        if (D->utd[k] < cs->src_utd[k]) D->utd[k] = cs->src_utd[k];
}

void csApply(directory *d, const changeSet *cs, applyResult *res) {
    csMerge(d, cs, res);
    csPlace(d, cs, res);
}
