/*
** The directory's public face (directory.h): building the forest, access
** through a chosen DC, convergence, failures.  The replicas are in
** replica.c, the writes and pulls in replication.c, timing in topology.c.
**
** Building: every DC gets the domain's well-known containers at time 0 with
** the same objectGUIDs (guidNamed "container:<name>") and the same stamps
** (version 1, time 0, originating DC the first declared DC, originating USNs
** 1..5), and every DC's up-to-dateness vector already covers them, so a
** fresh forest is converged and no pull ever carries them.
**
** Convergence (dirConverged): every replica keeps an order-independent
** digest (XOR of its objects' content hashes, maintained on every change).
** DCs whose digests or object counts differ are certainly different; when all
** agree, an exact object-by-object, stamp-by-stamp comparison confirms it.
** The answer is cached until some replica changes or a DC fails or is
** restored, so checking after every event costs O(number of DCs) almost
** always.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "directory/replication.h"
#include "directory/topology.h"

static const struct {
    const char *name;      /* RDN value and GUID name */
    const char *cls;
} containers[DIR_NCONTAINERS] = {
    {"target", "domainDNS"},
    {"Users", "container"},
    {"Migrated", "organizationalUnit"},
    {"Deleted Objects", "container"},
    {"LostAndFound", "lostAndFound"},
};

uint32_t dirNowSeconds(const directory *d) {
    return (uint32_t)(d->k->now / MS_PER_SECOND);
}

/* ---- DNs ---- */

static const char *rdnType(const dobj *o) {
    const char *cls = o->b->v[A_OBJECTCLASS] ? rvalFirst(o->b->v[A_OBJECTCLASS]) : "";
    return strcmp(cls, "organizationalUnit") == 0 ? "OU" : "CN";
}

/* Append value escaped per RFC 4514 (a LF as \0A unless raw_lf). */
static size_t escapeValue(char *out, size_t at, size_t sz, const char *v, int raw_lf) {
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        char tmp[4];
        const char *put = tmp;
        if (c == '\n' && raw_lf) {
            tmp[0] = '\n';
            tmp[1] = 0;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\%02X", c);
        } else if (strchr(",+\"\\<>;=", c) || (i == 0 && (c == '#' || c == ' ')) || (i == n - 1 && c == ' ')) {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            tmp[2] = 0;
        } else {
            tmp[0] = (char)c;
            tmp[1] = 0;
        }
        for (; *put; put++) {
            if (at + 1 < sz) out[at] = *put;
            at++;
        }
    }
    return at;
}

char *dirObjDn(const directory *d, const replica *r, const dobj *o, char *buf, size_t bufsz, int rfc4514) {
    (void)d;
    const dobj *chain[256];
    int n = 0;
    for (const dobj *x = o; x && n < 256; n++) {
        chain[n] = x;
        if (guidIsNil(&x->b->parent)) {
            n++;
            break;
        }
        x = replicaFind(r, &x->b->parent);
    }
    size_t at = 0;
    if (bufsz) buf[0] = 0;
    for (int i = 0; i < n; i++) {
        const dobj *x = chain[i];
        const char *piece;
        if (guidIsNil(&x->b->parent)) {
            piece = DIR_DOMAIN_DN;
            if (at && at + 1 < bufsz) buf[at] = ',';
            if (at) at++;
            for (; *piece; piece++, at++)
                if (at + 1 < bufsz) buf[at] = *piece;
            break;
        }
        if (at && at + 1 < bufsz) buf[at] = ',';
        if (at) at++;
        for (piece = rdnType(x); *piece; piece++, at++)
            if (at + 1 < bufsz) buf[at] = *piece;
        if (at + 1 < bufsz) buf[at] = '=';
        at++;
        at = escapeValue(buf, at, bufsz, x->b->v[A_NAME] ? rvalFirst(x->b->v[A_NAME]) : "", !rfc4514);
    }
    if (bufsz) buf[at < bufsz ? at : bufsz - 1] = 0;
    return buf;
}

/* ---- building ---- */

static int dcOk(const directory *d, int dc) {
    return d && dc >= 0 && dc < d->ndc;
}

static int cmpRank(const void *a, const void *b, const directory *d) {
    return guidCompare(&d->dc[*(const int *)a].inv, &d->dc[*(const int *)b].inv);
}

/* Invocation ranks: insertion sort (a forest has few DCs). */
static void rankInvocations(directory *d) {
    for (int i = 0; i < d->ndc; i++) d->dcOfRank[i] = i;
    for (int i = 1; i < d->ndc; i++)
        for (int j = i; j > 0 && cmpRank(&d->dcOfRank[j - 1], &d->dcOfRank[j], d) > 0; j--) {
            int t = d->dcOfRank[j];
            d->dcOfRank[j] = d->dcOfRank[j - 1];
            d->dcOfRank[j - 1] = t;
        }
    for (int k = 0; k < d->ndc; k++) d->dc[d->dcOfRank[k]].rank = (uint32_t)k;
}

static msStatus createContainers(directory *d, dcState *D) {
    replica *r = &D->r;
    r->usn = DIR_NCONTAINERS;   /* first: a replica only takes USNs it has handed out */
    for (int c = 0; c < DIR_NCONTAINERS; c++) {
        uint64_t usn = (uint64_t)c + 1;
        dobj *o = replicaNewObject(r, &d->cont[c]);
        if (!o) return MS_NOMEM;
        replicaTouch(r, o);
        stamp st = {1, 0, d->dc[0].rank, usn};
        rval *cls = rvalOne(containers[c].cls), *name = rvalOne(containers[c].name);
        if (cls) replicaSetAttr(r, o, A_OBJECTCLASS, cls, &st);
        if (name) replicaSetAttr(r, o, A_NAME, name, &st);
        rvalUnref(cls);
        rvalUnref(name);
        if (c != C_DOMAIN) replicaSetParent(r, o, &d->cont[C_DOMAIN]);
        if (replicaTouched(r, o, usn) != MS_OK || !cls || !name) return MS_NOMEM;
    }
    D->utd->v[d->dc[0].rank] = DIR_NCONTAINERS;
    return MS_OK;
}

msStatus dirBuild(kernel *k, const dirConfig *cfg, directory **out) {
    *out = NULL;
    directory *d = calloc(1, sizeof *d);
    if (!d) return MS_NOMEM;
    d->k = k;
    d->ndc = cfg->ndcs;
    d->dc = calloc((size_t)d->ndc + 1, sizeof *d->dc);
    d->dcOfRank = calloc((size_t)d->ndc + 1, sizeof *d->dcOfRank);
    if (!d->dc || !d->dcOfRank) {
        dirFree(d);
        return MS_NOMEM;
    }
    for (int i = 0; i < d->ndc; i++) {
        dcState *D = &d->dc[i];
        const char *name = cfg->dcs[i].name;
        snprintf(D->name, sizeof D->name, "%s", name ? name : "DC?");
        char gname[96];
        snprintf(gname, sizeof gname, "invocation:%s", D->name);
        guidNamed(&k->guids, gname, &D->inv);
        replicaInit(&D->r);
        D->hwm = calloc((size_t)d->ndc, sizeof *D->hwm);
        D->utd = utdNew((size_t)d->ndc);
        D->pair = calloc((size_t)d->ndc, 1);
        D->last_pull = malloc((size_t)(d->ndc ? d->ndc : 1) * sizeof *D->last_pull);
        if (!D->hwm || !D->utd || !D->pair || !D->last_pull) {
            dirFree(d);
            return MS_NOMEM;
        }
        for (int j = 0; j < d->ndc; j++) D->last_pull[j] = -1;
    }
    rankInvocations(d);
    for (int c = 0; c < DIR_NCONTAINERS; c++) {
        char gname[64];
        snprintf(gname, sizeof gname, "container:%s", containers[c].name);
        guidNamed(&k->guids, gname, &d->cont[c]);
    }
    msStatus st = MS_OK;
    for (int i = 0; st == MS_OK && i < d->ndc; i++) st = createContainers(d, &d->dc[i]);
    if (st == MS_OK) st = topoBuild(d, cfg);
    if (st != MS_OK) {
        if (!k->err[0]) snprintf(k->err, sizeof k->err, "cannot build the directory: %s", msStatusName(st));
        dirFree(d);
        return st;
    }
    *out = d;
    return MS_OK;
}

void dirFree(directory *d) {
    if (!d) return;
    topoFree(d);
    for (int i = 0; d->dc && i < d->ndc; i++) {
        replicaFree(&d->dc[i].r);
        free(d->dc[i].hwm);
        utdUnref(d->dc[i].utd);
        free(d->dc[i].pair);
        free(d->dc[i].last_pull);
        free(d->dc[i].partners);
        free(d->dc[i].notify_pending);
    }
    free(d->dc);
    free(d->dcOfRank);
    free(d);
}

int dirDcCount(const directory *d) {
    return d ? d->ndc : 0;
}

const char *dirDcName(const directory *d, int dc) {
    return dcOk(d, dc) ? d->dc[dc].name : "?";
}

int dirDcFailed(const directory *d, int dc) {
    return dcOk(d, dc) ? d->dc[dc].failed : 0;
}

int dirDcIndex(const directory *d, const char *name) {
    for (int i = 0; d && name && i < d->ndc; i++)
        if (strcmp(d->dc[i].name, name) == 0) return i;
    return -1;
}

/* ---- access ---- */

static const dobj *liveOn(const directory *d, int dc, const guid *obj) {
    if (!dcOk(d, dc) || !obj) return NULL;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o && !o->deleted ? o : NULL;
}

int dirIsLive(const directory *d, int dc, const guid *obj) {
    return liveOn(d, dc, obj) != NULL;
}

int dirIsDeleted(const directory *d, int dc, const guid *obj) {
    if (!dcOk(d, dc) || !obj) return 0;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o && o->deleted;
}

const char *dirGet(const directory *d, int dc, const guid *obj, dirAttr a) {
    const dobj *o = liveOn(d, dc, obj);
    if (!o || (unsigned)a >= A__COUNT) return NULL;
    return rvalFirst(o->b->v[a]);
}

size_t dirGetAll(const directory *d, int dc, const guid *obj, dirAttr a, const char **vals, size_t max) {
    const dobj *o = liveOn(d, dc, obj);
    if (!o || (unsigned)a >= A__COUNT || !o->b->v[a]) return 0;
    size_t n = 0;
    for (const char *v = rvalFirst(o->b->v[a]); v; v = rvalNext(o->b->v[a], v), n++)
        if (n < max) vals[n] = v;
    return n;
}

char *dirDn(const directory *d, int dc, const guid *obj, char *buf, size_t bufsz) {
    if (!dcOk(d, dc) || !obj || !buf || !bufsz) return NULL;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    if (!o) return NULL;
    return dirObjDn(d, &d->dc[dc].r, o, buf, bufsz, 1);
}

static int cmpObjGuid(const void *a, const void *b) {
    return guidCompare(&(*(dobj *const *)a)->id, &(*(dobj *const *)b)->id);
}

typedef size_t finder(const replica *, const char *, dobj **, size_t);

static size_t findSorted(const directory *d, int dc, finder *find, const char *key, guid *out, size_t max) {
    if (!dcOk(d, dc) || !key) return 0;
    dobj *few[16];
    size_t n = find(&d->dc[dc].r, key, few, 16);
    dobj **all = few;
    if (n > 16) {
        all = malloc(n * sizeof *all);
        if (!all) {
            kernelFault(d->k, MS_NOMEM);   /* the run stops after this event or step */
            return 0;
        }
        n = find(&d->dc[dc].r, key, all, n);
    }
    qsort(all, n, sizeof *all, cmpObjGuid);
    for (size_t i = 0; i < n && i < max; i++) out[i] = all[i]->id;
    if (all != few) free(all);
    return n;
}

size_t dirFindByProxy(const directory *d, int dc, const char *proxy, guid *out, size_t max) {
    return findSorted(d, dc, replicaFindByProxy, proxy, out, max);
}

size_t dirFindByMailboxGuid(const directory *d, int dc, const guid *mbx, guid *out, size_t max) {
    if (!mbx) return 0;
    char g[GUID_STRLEN];
    return findSorted(d, dc, replicaFindByMbx, guidFormat(mbx, g), out, max);
}

uint64_t dirForEachChanged(const directory *d, int dc, uint64_t after,
                           void (*fn)(void *ctx, const guid *obj), void *ctx) {
    if (!dcOk(d, dc)) return 0;
    const replica *r = &d->dc[dc].r;
    for (size_t i = replicaLogFrom(r, after); i < r->nlog; i++)
        if (replicaLogCurrent(r, &r->log[i]) && fn) fn(ctx, &r->obj[r->log[i].slot]->id);
    return r->usn;
}

/* ---- originating writes ---- */

/*
** A write's status on its way out: out of memory is also the run's fault
** (kernelFault), so a caller that reads any failure as "the DC refused"
** (a name taken, say) cannot turn it into a changed verdict.
*/
static msStatus written(directory *d, msStatus st) {
    if (st == MS_NOMEM) kernelFault(d->k, st);
    return st;
}

static msStatus writable(directory *d, int dc) {
    if (!dcOk(d, dc)) {
        if (d) snprintf(d->k->err, sizeof d->k->err, "no DC %d", dc);
        return MS_INPUT;
    }
    if (d->dc[dc].failed) {
        snprintf(d->k->err, sizeof d->k->err, "%s is failed", d->dc[dc].name);
        return MS_FAIL;
    }
    return MS_OK;
}

msStatus dirAddUnder(directory *d, int dc, const guid *parent, const char *rdn,
                     const dirValue *vals, size_t nvals, guid *out) {
    msStatus st = writable(d, dc);
    if (st != MS_OK) return st;
    if (!parent || !rdn) return MS_INPUT;
    st = origCreate(d, dc, parent, rdn, vals, nvals, out);
    if (st == MS_OK) st = topoNoteChange(d, dc, 0);
    return written(d, st);
}

msStatus dirAdd(directory *d, int dc, dirContainer parent, const char *rdn,
                const dirValue *vals, size_t nvals, guid *out) {
    if (!d || (unsigned)parent >= DIR_NCONTAINERS) return MS_INPUT;
    return dirAddUnder(d, dc, &d->cont[parent], rdn, vals, nvals, out);
}

msStatus dirModify(directory *d, int dc, const guid *obj, dirAttr a,
                   const char *const *vals, size_t nvals) {
    msStatus st = writable(d, dc);
    if (st != MS_OK) return st;
    if (!obj || (nvals && !vals)) return MS_INPUT;
    int urgent = 0;
    uint64_t before = d->dc[dc].r.usn;
    st = origModify(d, dc, obj, a, vals, nvals, &urgent);
    if (st == MS_OK && d->dc[dc].r.usn != before) {
        if (urgent && kernelNarrating(d->k)) {
            traceRecord r = traceNew(TR_REPL_URGENT, d->dc[dc].name);
            r.dc = d->dc[dc].name;
            traceObject(&r, obj);
            kernelEmit(d->k, &r, "userAccountControl changed: urgent replication");
        }
        st = topoNoteChange(d, dc, urgent);
    }
    return written(d, st);
}

/* A rename (newparent NULL) or a move (newrdn NULL): one write, origMove. */
static msStatus moveOrRename(directory *d, int dc, const guid *obj, const guid *newparent,
                             const char *newrdn) {
    msStatus st = writable(d, dc);
    if (st != MS_OK) return st;
    if (!obj || (!newparent && !newrdn)) return MS_INPUT;
    uint64_t before = d->dc[dc].r.usn;
    st = origMove(d, dc, obj, newparent, newrdn);
    if (st == MS_OK && d->dc[dc].r.usn != before) st = topoNoteChange(d, dc, 0);
    return written(d, st);
}

msStatus dirRename(directory *d, int dc, const guid *obj, const char *newrdn) {
    return moveOrRename(d, dc, obj, NULL, newrdn);
}

msStatus dirMove(directory *d, int dc, const guid *obj, const guid *newparent) {
    return moveOrRename(d, dc, obj, newparent, NULL);
}

msStatus dirDelete(directory *d, int dc, const guid *obj) {
    msStatus st = writable(d, dc);
    if (st != MS_OK) return st;
    if (!obj) return MS_INPUT;
    st = origDelete(d, dc, obj);
    if (st == MS_OK) st = topoNoteChange(d, dc, 0);
    return written(d, st);
}

void dirContainerGuid(const directory *d, dirContainer c, guid *out) {
    if (d && (unsigned)c < DIR_NCONTAINERS) *out = d->cont[c];
    else memset(out, 0, sizeof *out);
}

size_t dirPullNow(directory *d, int dst, int src) {
    if (!dcOk(d, dst) || !dcOk(d, src) || dst == src || d->dc[dst].failed || d->dc[src].failed)
        return 0;
    changeSet cs;
    applyResult res;
    msStatus rc = csBuild(d, dst, src, &cs);
    if (rc == MS_OK) rc = csMerge(d, &cs, &res);
    if (rc != MS_OK) {
        csRecycle(d, &cs);
        kernelFault(d->k, rc);   /* a count cannot say it: the run stops after this event or step */
        return 0;
    }
    d->dc[dst].last_pull[src] = d->k->now;
    size_t moved = cs.na;
    if (kernelNarrating(d->k)) {
        size_t attrs;
        uint64_t lo, hi;
        csSummary(&cs, &attrs, &lo, &hi);
        traceRecord r = traceNew(TR_REPL_PULL_FORCED, d->dc[dst].name);
        r.dc = d->dc[dst].name;
        r.peer = d->dc[src].name;
        traceInt(&r, "objects", (int64_t)cs.no);
        traceInt(&r, "attributes", (int64_t)attrs);
        traceInt(&r, "usn_from", (int64_t)lo);
        traceInt(&r, "usn_to", (int64_t)hi);
        kernelEmit(d->k, &r, "pull from %s (forced): %zu object%s, %zu attribute%s (usn %llu..%llu)",
                   r.peer, cs.no, cs.no == 1 ? "" : "s", attrs, attrs == 1 ? "" : "s",
                   (unsigned long long)lo, (unsigned long long)hi);
    }
    rc = csPlace(d, &cs, &res);   /* after the pull is told: see csMerge */
    csRecycle(d, &cs);
    if (rc == MS_OK && res.applied) rc = topoNoteChange(d, dst, res.urgent);
    if (rc != MS_OK) kernelFault(d->k, rc);
    return moved;
}

int dirPartners(const directory *d, int dc, int *out, int max) {
    if (!dcOk(d, dc)) return 0;
    for (int k = 0; k < d->dc[dc].npartners && k < max; k++) out[k] = d->dc[dc].partners[k];
    return d->dc[dc].npartners;
}

int dirReplPartners(const directory *d, int dc, int *out, int max) {
    if (!dcOk(d, dc)) return 0;
    int n = dirPartners(d, dc, out, max);
    if (n > max) n = max;
    int site = d->dc[dc].site;
    if (d->site[site].bridgehead != dc) return n;
    for (int l = 0; l < d->nlink && n < max; l++) {
        const linkState *L = &d->link[l];
        if (L->a != site && L->b != site) continue;
        int other = d->site[L->a == site ? L->b : L->a].bridgehead;
        int seen = other < 0 || other == dc;
        for (int k = 0; k < n && !seen; k++) seen = out[k] == other;
        if (!seen) out[n++] = other;
    }
    return n;
}

size_t dirObjectCount(const directory *d, int dc) {
    return dcOk(d, dc) ? d->dc[dc].r.count : 0;
}

uint64_t dirStampVersion(const directory *d, int dc, const guid *obj, dirAttr a) {
    if (!dcOk(d, dc) || !obj || (unsigned)a >= A__COUNT) return 0;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o ? o->b->st[a].version : 0;
}

/* ---- sync ---- */

msStatus dirSyncStart(directory *d, int dc) {
    if (!d) return MS_INPUT;
    return topoSyncStart(d, dc);
}

int dirSyncDone(const directory *d) {
    return !d || !d->sync_active;
}

/* ---- convergence ---- */

static int firstUp(const directory *d) {
    for (int i = 0; i < d->ndc; i++)
        if (!d->dc[i].failed) return i;
    return -1;
}

/* 1 when replicas a and b hold the same objects, values and stamps. */
static int replicasEqual(const replica *a, const replica *b) {
    if (a->count != b->count || a->digest != b->digest) return 0;
    for (size_t i = 0; i < a->nobj; i++) {
        const dobj *x = a->obj[i];
        if (!x) continue;
        const dobj *y = replicaFind(b, &x->id);
        if (!y || !replicaObjEqual(x, y)) return 0;
    }
    return 1;
}

int dirConverged(const directory *d) {
    if (!d) return 1;
    uint64_t changes = 0;
    for (int i = 0; i < d->ndc; i++) changes += d->dc[i].r.changes;
    directory *m = (directory *)d;   /* the cache is not part of the directory's value */
    if (m->conv_valid && m->conv_changes == changes && m->conv_epoch == d->fail_epoch)
        return m->conv_result;
    int first = firstUp(d), result = 1;
    for (int i = first + 1; first >= 0 && i < d->ndc && result; i++) {
        if (d->dc[i].failed) continue;
        const replica *a = &d->dc[first].r, *b = &d->dc[i].r;
        if (a->count != b->count || a->digest != b->digest) result = 0;
    }
    for (int i = first + 1; first >= 0 && i < d->ndc && result; i++)
        if (!d->dc[i].failed && !replicasEqual(&d->dc[first].r, &d->dc[i].r)) result = 0;
    m->conv_valid = 1;
    m->conv_changes = changes;
    m->conv_epoch = d->fail_epoch;
    m->conv_result = result;
    return result;
}

void dirDescribeDivergence(const directory *d, char *buf, size_t bufsz) {
    if (!bufsz) return;
    buf[0] = 0;
    int first = d ? firstUp(d) : -1;
    if (first < 0) {
        snprintf(buf, bufsz, "no DC is up");
        return;
    }
    size_t at = 0;
    int n = 0;
    for (int i = first + 1; i < d->ndc && at < bufsz; i++) {
        if (d->dc[i].failed || replicasEqual(&d->dc[first].r, &d->dc[i].r)) continue;
        int w = snprintf(buf + at, bufsz - at, "%s%s (%zu objects)", n ? ", " : "", d->dc[i].name,
                         d->dc[i].r.count);
        if (w < 0) break;
        at += (size_t)w;
        n++;
    }
    if (!n) {
        snprintf(buf, bufsz, "every DC that is up holds the same replica");
        return;
    }
    if (at < bufsz)
        snprintf(buf + at, bufsz - at, " differ%s from %s (%zu objects)", n == 1 ? "s" : "",
                 d->dc[first].name, d->dc[first].r.count);
}

/* ---- failures ---- */

msStatus dirFailDc(directory *d, int dc) {
    if (!dcOk(d, dc)) return MS_INPUT;
    dcState *D = &d->dc[dc];
    if (D->failed) {
        snprintf(d->k->err, sizeof d->k->err, "%s is already failed", D->name);
        return MS_FAIL;
    }
    D->failed = 1;
    d->fail_epoch++;
    traceRecord r = traceNew(TR_DC_FAIL, D->name);
    r.dc = D->name;
    kernelEmit(d->k, &r, "failed: neither sends nor receives replication");
    topoDropNotifications(d, dc);   /* its pending notifications never come */
    return MS_OK;
}

msStatus dirRestoreDc(directory *d, int dc) {
    if (!dcOk(d, dc)) return MS_INPUT;
    dcState *D = &d->dc[dc];
    if (!D->failed) {
        snprintf(d->k->err, sizeof d->k->err, "%s is not failed", D->name);
        return MS_FAIL;
    }
    D->failed = 0;
    d->fail_epoch++;
    traceRecord r = traceNew(TR_DC_RESTORE, D->name);
    r.dc = D->name;
    kernelEmit(d->k, &r, "restored: catches up at its next replication trigger");
    return MS_OK;
}

static linkState *findLink(directory *d, int a, int b) {
    for (int l = 0; l < d->nlink; l++) {
        linkState *L = &d->link[l];
        if ((L->a == a && L->b == b) || (L->a == b && L->b == a)) return L;
    }
    return NULL;
}

static msStatus setLink(directory *d, int a, int b, int fail) {
    if (!d) return MS_INPUT;
    linkState *L = findLink(d, a, b);
    const char *na = a >= 0 && a < d->nsite ? d->site[a].name : "?";
    const char *nb = b >= 0 && b < d->nsite ? d->site[b].name : "?";
    if (!L) {
        snprintf(d->k->err, sizeof d->k->err, "no site link between %s and %s", na, nb);
        return MS_FAIL;
    }
    if (L->failed == fail) {
        snprintf(d->k->err, sizeof d->k->err, "the site link %s-%s is %s", na, nb,
                 fail ? "already failed" : "not failed");
        return MS_FAIL;
    }
    L->failed = fail;
    d->fail_epoch++;
    traceRecord r = traceNew(fail ? TR_LINK_FAIL : TR_LINK_RESTORE, "sitelink");
    traceStr(&r, "a", na);
    traceStr(&r, "b", nb);
    kernelEmit(d->k, &r, "%s-%s %s", na, nb, fail ? "failed: no inter-site replication" : "restored");
    return MS_OK;
}

msStatus dirFailLink(directory *d, int site_a, int site_b) {
    return setLink(d, site_a, site_b, 1);
}

msStatus dirRestoreLink(directory *d, int site_a, int site_b) {
    return setLink(d, site_a, site_b, 0);
}

simtime dirLastPull(const directory *d, int dc, int src) {
    if (!dcOk(d, dc) || !dcOk(d, src)) return -1;
    return d->dc[dc].last_pull[src];
}

const char *dirGetAny(const directory *d, int dc, const guid *obj, dirAttr a) {
    if (!dcOk(d, dc) || !obj || (unsigned)a >= A__COUNT) return NULL;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o ? rvalFirst(o->b->v[a]) : NULL;
}

size_t dirGetAllAny(const directory *d, int dc, const guid *obj, dirAttr a, const char **vals, size_t max) {
    if (!dcOk(d, dc) || !obj || (unsigned)a >= A__COUNT) return 0;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    if (!o || !o->b->v[a]) return 0;
    size_t n = 0;
    for (const char *v = rvalFirst(o->b->v[a]); v; v = rvalNext(o->b->v[a], v), n++)
        if (n < max) vals[n] = v;
    return n;
}

uint64_t dirUsnChanged(const directory *d, int dc, const guid *obj) {
    if (!dcOk(d, dc) || !obj) return 0;
    const dobj *o = replicaFind(&d->dc[dc].r, obj);
    return o ? o->usn_changed : 0;
}

uint64_t dirUpToDate(const directory *d, int dc, int origin) {
    if (!dcOk(d, dc) || !dcOk(d, origin)) return 0;
    if (dc == origin) return d->dc[dc].r.usn;
    return d->dc[dc].utd->v[d->dc[origin].rank];
}
