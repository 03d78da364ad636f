/*
** The state views of a run (state.h): parsing --show's names against the
** scenario, and copying the world's state out through its read-only
** accessors (directory.h's inspection functions, exchange.h's).  Every
** string is copied, so the state outlives the run.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "run/state.h"
#include "run/world.h"

const char *stateObjStatusName(stateObjStatus s) {
    return s == OBJ_DELETED ? "deleted" : s == OBJ_CNF ? "cnf" : "live";
}

const char *stateViewKindName(stateViewKind k) {
    return k == VIEW_DC ? "dc" : k == VIEW_SERVER ? "server" : "user";
}

/* ---- parsing ------------------------------------------------------------ */

static int push(stateRequest **out, size_t *n, stateViewKind kind, int index) {
    stateRequest *v = realloc(*out, (*n + 1) * sizeof *v);
    if (!v) return 0;
    v[*n] = (stateRequest){kind, index};
    *out = v;
    (*n)++;
    return 1;
}

/* The index of name (len bytes) among the names of statements idx (n of them) of sc, or -1. */
static int findDeclared(const scenario *sc, const size_t *idx, size_t n, stateViewKind kind,
                        const char *name, size_t len) {
    for (size_t i = 0; i < n; i++) {
        const stmt *st = &sc->v[idx[i]];
        const char *have = kind == VIEW_DC ? st->u.dc.name.name : st->u.server.name.name;
        if (strlen(have) == len && strncmp(have, name, len) == 0) return (int)i;
    }
    return -1;
}

static int findUser(const scenario *sc, const char *name, size_t len) {
    for (uint32_t u = 1; u <= sc->nusers; u++) {
        char have[128];
        scnUserName(sc, u, have, sizeof have);
        if (strlen(have) == len && strncmp(have, name, len) == 0) return (int)u;
    }
    return -1;
}

/* Parse one VIEW of len bytes at p. */
static msStatus parseOne(const scenario *sc, const char *p, size_t len, stateRequest **out, size_t *n,
                         char *why, size_t whysz) {
    static const struct { const char *word; stateViewKind kind; const char *what; } kinds[] = {
        {"dc:", VIEW_DC, "dc"}, {"server:", VIEW_SERVER, "server"}, {"user:", VIEW_USER, "source user"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t wl = strlen(kinds[k].word);
        if (len <= wl || strncmp(p, kinds[k].word, wl) != 0) continue;
        const char *name = p + wl;
        size_t nl = len - wl;
        int index = kinds[k].kind == VIEW_DC ? findDeclared(sc, sc->dcs, sc->ndcs, VIEW_DC, name, nl)
                  : kinds[k].kind == VIEW_SERVER ? findDeclared(sc, sc->servers, sc->nservers, VIEW_SERVER, name, nl)
                  : findUser(sc, name, nl);
        if (index < 0) {
            snprintf(why, whysz, "--show %.*s: no %s of that name in %s", (int)len, p, kinds[k].what,
                     sc->file ? sc->file : "the scenario");
            return MS_INPUT;
        }
        return push(out, n, kinds[k].kind, index) ? MS_OK : MS_NOMEM;
    }
    snprintf(why, whysz, "--show: '%.*s' is not a view (dc:NAME, server:NAME or user:NAME)", (int)len, p);
    return MS_INPUT;
}

msStatus stateParseViews(const scenario *sc, const char *spec, stateRequest **out, size_t *n,
                         char *why, size_t whysz) {
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, ",");
        msStatus st = parseOne(sc, p, len, out, n, why, whysz);
        if (st != MS_OK) return st;
        if (!p[len]) return MS_OK;
        p += len + 1;
    }
}

msStatus stateAllViews(const scenario *sc, stateRequest **out, size_t *n) {
    for (size_t i = 0; i < sc->ndcs; i++)
        if (!push(out, n, VIEW_DC, (int)i)) return MS_NOMEM;
    for (size_t i = 0; i < sc->nservers; i++)
        if (!push(out, n, VIEW_SERVER, (int)i)) return MS_NOMEM;
    return MS_OK;
}

/* ---- collecting --------------------------------------------------------- */

/* s with every line feed written \0A (RFC 4514's escape, as dirDn writes DNs). */
static char *readable(const char *s) {
    if (!s) s = "";
    size_t n = 1;
    for (const char *p = s; *p; p++) n += *p == '\n' ? 3 : 1;
    char *d = malloc(n), *q = d;
    if (!d) return NULL;
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            memcpy(q, "\\0A", 3);
            q += 3;
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return d;
}

static char *dupStr(const char *s) {
    return s ? strdup(s) : NULL;
}

typedef struct guidList {
    guid *v;
    size_t n, cap;
    int nomem;
} guidList;

static void collectGuid(void *ctx, const guid *obj) {
    guidList *l = ctx;
    if (l->n == l->cap && arrayGrow(&l->v, &l->cap, sizeof *l->v, 64) != MS_OK) {
        l->nomem = 1;
        return;
    }
    l->v[l->n++] = *obj;
}

/* Describe object g on dc into *o. */
static msStatus describeObject(world *w, int dc, const guid *g, stateObject *o) {
    directory *d = w->dir;
    memset(o, 0, sizeof *o);
    o->id = *g;
    o->usn = dirUsnChanged(d, dc, g);
    const char *name = dirGetAny(d, dc, g, A_NAME);
    o->status = dirIsDeleted(d, dc, g) ? OBJ_DELETED : name && strstr(name, "\nCNF:") ? OBJ_CNF : OBJ_LIVE;
    const char *mbx = dirGetAny(d, dc, g, A_MAILBOXGUID);
    o->has_mailbox = mbx && guidParse(mbx, &o->mailbox) == 0;
    o->stamped = exStamped(w->ex, dc, g);
    uint32_t u = exAccountUser(w->ex, dc, g);
    char dn[4096];
    o->dc = dupStr(dirDcName(d, dc));
    o->name = readable(name);
    o->dn = dupStr(dirDn(d, dc, g, dn, sizeof dn) ? dn : "");
    o->objclass = dupStr(dirGetAny(d, dc, g, A_OBJECTCLASS) ? dirGetAny(d, dc, g, A_OBJECTCLASS) : "");
    o->user = u ? dupStr(exUserName(w->ex, u)) : NULL;
    if (!o->dc || !o->name || !o->dn || !o->objclass || (u && !o->user)) return MS_NOMEM;
    return MS_OK;
}

static void freeObject(stateObject *o) {
    free(o->dc);
    free(o->name);
    free(o->dn);
    free(o->objclass);
    free(o->user);
}

/* The objects dc holds, in usnChanged order, those of user only when user > 0. */
static msStatus collectObjects(world *w, int dc, uint32_t user, stateObject **v, size_t *n, size_t *cap) {
    guidList l = {0};
    dirForEachChanged(w->dir, dc, 0, collectGuid, &l);
    msStatus st = l.nomem ? MS_NOMEM : MS_OK;
    for (size_t i = 0; st == MS_OK && i < l.n; i++) {
        if (user && exAccountUser(w->ex, dc, &l.v[i]) != user) continue;
        if (*n == *cap && arrayGrow(v, cap, sizeof **v, 16) != MS_OK) {
            st = MS_NOMEM;
            break;
        }
        st = describeObject(w, dc, &l.v[i], &(*v)[*n]);
        (*n)++;   /* counted even on failure: freeObject frees what was copied */
    }
    free(l.v);
    return st;
}

static msStatus collectDc(world *w, int dc, stateDc *out) {
    directory *d = w->dir;
    size_t cap = 0;
    out->name = dupStr(dirDcName(d, dc));
    out->failed = dirDcFailed(d, dc);
    out->usn = dirUpToDate(d, dc, dc);
    if (!out->name) return MS_NOMEM;
    msStatus st = collectObjects(w, dc, 0, &out->objects, &out->nobjects, &cap);
    if (st != MS_OK) return st;
    int ndc = dirDcCount(d), partners[64];
    int np = dirPartners(d, dc, partners, 64);
    out->partners = calloc((size_t)ndc + 1, sizeof *out->partners);
    if (!out->partners) return MS_NOMEM;
    for (int o = 0; o < ndc; o++) {
        if (o == dc) continue;
        statePartner *p = &out->partners[out->npartners++];
        for (int k = 0; k < np && k < 64; k++) p->partner |= partners[k] == o;
        p->last_pull = dirLastPull(d, dc, o);
        p->utd = dirUpToDate(d, dc, o);
        if (!(p->dc = dupStr(dirDcName(d, o)))) return MS_NOMEM;
    }
    return MS_OK;
}

static msStatus describeMailbox(world *w, int server, const exMailboxInfo *m, stateMailbox *o) {
    int dc = exServerDc(w->ex, server);
    memset(o, 0, sizeof *o);
    o->g = m->g;
    o->has_owner = m->has_owner;
    o->owner = m->owner;
    o->init_at = m->init_at;
    o->items = m->items;
    o->rules = m->rules;
    o->rules_broken = m->rules_broken;
    o->disconnected = m->disconnected;
    o->disconnected_at = m->disconnected_at;
    o->purge_at = m->purge_at;
    o->server = dupStr(exServerName(w->ex, server));
    o->owner_dc = dupStr(dirDcName(w->dir, dc));
    o->init = dupStr(m->init ? m->init : "");
    if (!o->server || !o->owner_dc || !o->init) return MS_NOMEM;
    if (m->user && !(o->user = dupStr(exUserName(w->ex, m->user)))) return MS_NOMEM;
    if (m->has_owner) {
        char dn[4096];
        if (!(o->owner_dn = dupStr(dirDn(w->dir, dc, &m->owner, dn, sizeof dn) ? dn : ""))) return MS_NOMEM;
    }
    o->folders = malloc((m->nfolders + 1) * sizeof *o->folders);
    if (!o->folders) return MS_NOMEM;
    memcpy(o->folders, m->folders, m->nfolders * sizeof *o->folders);
    o->nfolders = m->nfolders;
    return MS_OK;
}

static void freeMailbox(stateMailbox *m) {
    free(m->server);
    free(m->user);
    free(m->owner_dn);
    free(m->owner_dc);
    free(m->init);
    free(m->folders);
}

/* 1 when mailbox m of server belongs to user: made for them, or carried by one of their accounts. */
static int mailboxOf(world *w, int server, const exMailboxInfo *m, uint32_t user) {
    return m->user == user || (m->has_owner && exAccountUser(w->ex, exServerDc(w->ex, server), &m->owner) == user);
}

/* The mailboxes of server (user > 0: only user's), appended to *v. */
static msStatus collectMailboxes(world *w, int server, uint32_t user, stateMailbox **v, size_t *n, size_t *cap) {
    exMailboxInfo *m = NULL;
    size_t nm = 0;
    msStatus st = exMailboxes(w->ex, server, &m, &nm);
    for (size_t i = 0; st == MS_OK && i < nm; i++) {
        if (user && !mailboxOf(w, server, &m[i], user)) continue;
        if (*n == *cap && arrayGrow(v, cap, sizeof **v, 8) != MS_OK) {
            st = MS_NOMEM;
            break;
        }
        st = describeMailbox(w, server, &m[i], &(*v)[*n]);
        (*n)++;
    }
    exMailboxesFree(m, nm);
    return st;
}

/* The holding area of user (0: every user) exported from server (-1: any) into *v. */
static msStatus collectHeld(world *w, uint32_t user, int server, stateHeld **v, size_t *n) {
    exHeldInfo *h = NULL;
    size_t nh = 0;
    msStatus st = exHeld(w->ex, user, server, &h, &nh);
    if (st == MS_OK && nh > 0 && !(*v = calloc(nh, sizeof **v))) st = MS_NOMEM;
    for (size_t i = 0; st == MS_OK && i < nh; i++) {
        stateHeld *o = &(*v)[i];
        *n = i + 1;
        o->mbx = h[i].mbx;
        o->items = h[i].items;
        o->exported_at = h[i].exported_at;
        o->user = dupStr(exUserName(w->ex, h[i].user));
        o->server = dupStr(exServerName(w->ex, h[i].server));
        o->path = dupStr(h[i].path);
        if (!o->user || !o->server || !o->path) st = MS_NOMEM;
    }
    exHeldFree(h, nh);
    return st;
}

static void freeHeld(stateHeld *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].user);
        free(v[i].server);
        free(v[i].path);
    }
    free(v);
}

static msStatus collectServer(world *w, int server, stateServer *out) {
    size_t cap = 0;
    out->name = dupStr(exServerName(w->ex, server));
    out->dc = dupStr(dirDcName(w->dir, exServerDc(w->ex, server)));
    if (!out->name || !out->dc) return MS_NOMEM;
    msStatus st = collectMailboxes(w, server, 0, &out->mailboxes, &out->nmailboxes, &cap);
    return st == MS_OK ? collectHeld(w, 0, server, &out->held, &out->nheld) : st;
}

static msStatus collectUser(sim *s, uint32_t user, stateUser *out) {
    world *w = s->world;
    size_t cap = 0;
    traceInit(&out->records, NULL, 1);
    out->name = dupStr(exUserName(w->ex, user));
    if (!out->name) return MS_NOMEM;
    msStatus st = MS_OK;
    out->dcs = calloc((size_t)dirDcCount(w->dir) + 1, sizeof *out->dcs);
    if (!out->dcs) return MS_NOMEM;
    for (int dc = 0; dc < dirDcCount(w->dir); dc++) {
        if (!(out->dcs[dc] = dupStr(dirDcName(w->dir, dc)))) return MS_NOMEM;
        out->ndcs++;
    }
    for (int dc = 0; st == MS_OK && dc < dirDcCount(w->dir); dc++)
        st = collectObjects(w, dc, user, &out->accounts, &out->naccounts, &cap);
    cap = 0;
    for (int sv = 0; st == MS_OK && sv < exServerCount(w->ex); sv++)
        st = collectMailboxes(w, sv, user, &out->mailboxes, &out->nmailboxes, &cap);
    if (st == MS_OK) st = collectHeld(w, user, -1, &out->held, &out->nheld);
    size_t nr;
    const traceRecord *r = traceRecords(&s->k.tr, &nr);
    for (size_t i = 0; st == MS_OK && i < nr; i++)
        if (r[i].user && strcmp(r[i].user, out->name) == 0) st = traceAppend(&out->records, &r[i]);
    return st;
}

msStatus stateCollect(sim *s, const stateRequest *req, size_t n, simtime at, simState *out) {
    memset(out, 0, sizeof *out);
    out->at = at;
    out->finished = s->done;
    if (!s->world) return MS_INPUT;
    out->v = calloc(n + 1, sizeof *out->v);
    if (!out->v) return MS_NOMEM;
    msStatus st = MS_OK;
    for (size_t i = 0; st == MS_OK && i < n; i++) {
        stateView *v = &out->v[i];
        v->kind = req[i].kind;
        out->n = i + 1;
        if (req[i].kind == VIEW_DC)
            st = collectDc(s->world, req[i].index, &v->dc);
        else if (req[i].kind == VIEW_SERVER)
            st = collectServer(s->world, req[i].index, &v->server);
        else
            st = collectUser(s, (uint32_t)req[i].index, &v->user);
    }
    return st;
}

void stateFree(simState *st) {
    for (size_t i = 0; st->v && i < st->n; i++) {
        stateView *v = &st->v[i];
        free(v->dc.name);
        for (size_t k = 0; k < v->dc.nobjects; k++) freeObject(&v->dc.objects[k]);
        free(v->dc.objects);
        for (size_t k = 0; k < v->dc.npartners; k++) free(v->dc.partners[k].dc);
        free(v->dc.partners);
        free(v->server.name);
        free(v->server.dc);
        for (size_t k = 0; k < v->server.nmailboxes; k++) freeMailbox(&v->server.mailboxes[k]);
        free(v->server.mailboxes);
        freeHeld(v->server.held, v->server.nheld);
        free(v->user.name);
        for (size_t k = 0; k < v->user.naccounts; k++) freeObject(&v->user.accounts[k]);
        free(v->user.accounts);
        for (size_t k = 0; k < v->user.ndcs; k++) free(v->user.dcs[k]);
        free(v->user.dcs);
        for (size_t k = 0; k < v->user.nmailboxes; k++) freeMailbox(&v->user.mailboxes[k]);
        free(v->user.mailboxes);
        freeHeld(v->user.held, v->user.nheld);
        traceFree(&v->user.records);
    }
    free(st->v);
    memset(st, 0, sizeof *st);
}
