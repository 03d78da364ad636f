/*
** Inspection of the Exchange side for the runner's state views (`migsim run
** --show`, sim/run/state.c): which servers there are, whose account an
** object is, whether the RUS stamped it, and each store's mailboxes with
** what the views show of them.  Everything here only reads: the directory
** through the DC the question names (a server's DC for a mailbox's owner, as
** that server's Cleanup Agent would see it), the stores through their
** queries.  It returns plain values and knows nothing of how they are shown.
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

int exServerCount(const exchange *x) {
    return x ? x->nservers : 0;
}

const char *exServerName(const exchange *x, int server) {
    return x && server >= 0 && server < x->nservers ? x->servers[server].name : NULL;
}

int exServerDc(const exchange *x, int server) {
    return x && server >= 0 && server < x->nservers ? x->servers[server].dc : -1;
}

const char *exUserName(const exchange *x, uint32_t user) {
    const srcUser *su = x && user >= 1 && user <= x->src.nusers ? sourceUser(&x->src, user) : NULL;
    return su ? su->name : NULL;
}

/* 1 when name, up to a CNF or DEL mangling (a line feed), is exactly want. */
static int plainNameIs(const char *name, const char *want) {
    size_t n = strcspn(name, "\n");
    return strlen(want) == n && strncmp(name, want, n) == 0;
}

uint32_t exAccountUser(const exchange *x, int dc, const guid *obj) {
    const char *cls = dirGetAny(x->d, dc, obj, A_OBJECTCLASS);
    if (!cls || strcmp(cls, "user") != 0) return 0;
    const char *v[32];
    size_t n = dirGetAllAny(x->d, dc, obj, A_PROXYADDRESSES, v, 32);
    if (n > 32) n = 32;
    for (uint32_t u = 1; u <= x->src.nusers; u++) {
        const srcUser *su = sourceUser(&x->src, u);
        for (size_t i = 0; i < n; i++)
            if (strcasecmp(v[i], su->x500) == 0) return u;
    }
    if (!dirIsDeleted(x->d, dc, obj)) return 0;
    const char *name = dirGetAny(x->d, dc, obj, A_NAME);
    for (uint32_t u = 1; name && u <= x->src.nusers; u++)
        if (plainNameIs(name, sourceUser(&x->src, u)->name)) return u;
    return 0;
}

/* Fill *m from the store's rows of mailbox row (listed as r) on server. */
static msStatus describe(exchange *x, int server, const mbxRow *r, exMailboxInfo *m) {
    memset(m, 0, sizeof *m);
    m->g = r->g;
    m->user = r->user;
    m->init = storeInitName(storeInitOf(&x->st, r->id, &m->init_at));
    m->has_owner = dirFindByMailboxGuid(x->d, x->servers[server].dc, &r->g, &m->owner, 1) > 0;
    m->disconnected = r->disconnected;
    m->disconnected_at = r->disconnected ? r->disconnected_at : 0;
    m->purge_at = r->disconnected ? r->disconnected_at + x->k->p.mailbox_retention : 0;
    m->items = storeItemCount(&x->st, r->id);
    if (m->items < 0) return MS_NOMEM;
    msStatus st = storeRuleCounts(&x->st, r->id, &m->rules, &m->rules_broken);
    storeFolderInfo *f = NULL;
    size_t nf = 0;
    if (st == MS_OK) st = storeFolders(&x->st, r->id, r->user, &f, &nf);
    if (st != MS_OK) return st;
    m->folders = calloc(nf + 1, sizeof *m->folders);
    if (!m->folders) {
        free(f);
        return MS_NOMEM;
    }
    for (size_t i = 0; i < nf; i++) {
        m->folders[i].fid = f[i].fid;
        memcpy(m->folders[i].path, f[i].path, sizeof m->folders[i].path);
        m->folders[i].items = f[i].items;
        m->folders[i].from_source = f[i].from_source;
    }
    m->nfolders = nf;
    free(f);
    return MS_OK;
}

msStatus exMailboxes(exchange *x, int server, exMailboxInfo **out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (!x || server < 0 || server >= x->nservers) return MS_INPUT;
    mbxRow *rows = NULL;
    size_t nrows = 0;
    msStatus st = storeList(&x->st, server, &rows, &nrows);
    if (st != MS_OK) return st;
    exMailboxInfo *v = calloc(nrows + 1, sizeof *v);
    if (!v) st = MS_NOMEM;
    for (size_t i = 0; st == MS_OK && i < nrows; i++) {
        st = describe(x, server, &rows[i], &v[i]);
        if (st == MS_OK) *n = i + 1;
    }
    free(rows);
    if (st != MS_OK) {
        exMailboxesFree(v, nrows);   /* calloc'd: entries not described hold nothing */
        *n = 0;
        return st;
    }
    *out = v;
    return MS_OK;
}

void exMailboxesFree(exMailboxInfo *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i].folders);
    free(v);
}
