/*
** The holding area: the administrator's rescue of the mail a KB 842101 fix
** leaves behind, done the way ExMerge does it.  `export USER` copies the items
** of the user's mailboxes that are not copies of source items (the mail
** delivered to, or created in, the target before the rerun) into the holding
** area, which stands for the PST file ExMerge writes; `import USER` puts them
** into the user's current mailbox.  An array of the run's exchange holds it
** (exchange.held, in id order):
**
**   held(id, user, server, mbx, path, skey, size, mtime, exported)
**
** one row per exported item: the source user, the server and GUID of the
** mailbox it was read from, its folder's path there, its search key, size
** and time, and when it was exported.
**
** Invariants.
** - A user's holding area holds a search key at most once: exporting again,
**   or exporting a mailbox an import filled, adds nothing twice, as
**   ExMerge's "do not export duplicates" does.  An index from search key to
**   the held rows (exchange.heldkeys, an itemSet whose item per row carries
**   the row's id, its user as fid, and its search key) answers "held
**   already?" without a walk of the whole area, so an export costs in
**   proportion to the items it reads, however many are held.
** - Export reads every mailbox made for the user (mailbox.user), on every
**   store, in row order: the current one, a disconnected one, one no account
**   owns any more.  It never changes a mailbox.
** - Import writes only the user's current mailbox: the mailbox of the first
**   (in objectGUID order) live account on the admin DC whose proxyAddresses
**   hold the user's X500 address, on the server its homeMDB names.  An item
**   whose search key the mailbox already holds is skipped, so an import
**   twice adds nothing.  The holding area keeps its rows (the PST file stays
**   on disk): the judge decides from the stores whether held mail is placed
**   (judge.c, stranded).
** - Nothing here is a decision the judge reads from a migrator: the holding
**   area is part of the state, like the stores.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

#define MAX_ACCOUNTS 8

void holdingClose(exchange *x) {
    free(x->held);
    x->held = NULL;
    x->nheld = x->capheld = 0;
    itemSetFree(&x->heldkeys);
}

/* The items held for user. */
static int64_t heldCount(const exchange *x, uint32_t user) {
    int64_t n = 0;
    for (size_t i = 0; i < x->nheld; i++) n += x->held[i].user == user;
    return n;
}

/* 1 when user's holding area holds search key skey: the rows of the key, from the index. */
static int isHeld(exchange *x, uint32_t user, int64_t skey) {
    const itemSet *s = &x->heldkeys;
    x->held_walked++;
    for (int64_t i = itemSetFirst(s, skey); i >= 0; i = itemSetNextSame(s, i)) {
        x->held_walked++;
        if (s->v[i].fid == (int64_t)user) return 1;
    }
    return 0;
}

/* The folder of m with ID fid, or NULL. */
static const storeFolderRow *folderWithId(const storeMailbox *m, int64_t fid) {
    for (size_t i = 0; i < m->nfolders; i++)
        if (m->folders[i].fid == fid) return &m->folders[i];
    return NULL;
}

/* Hold every item of m (in id order) that is no copy of a source item, sits
** in a folder and is not held for its user yet; *items counts them. */
static msStatus exportMailbox(exchange *x, const storeMailbox *m, int64_t *items) {
    for (size_t i = 0; i < m->items.n; i++) {
        const storeItem *it = &m->items.v[i];
        const storeFolderRow *f = folderWithId(m, it->fid);
        if (!f || sourceHasKey(&x->src, it->skey) || isHeld(x, m->user, it->skey)) continue;
        storeItem key = {.id = (int64_t)x->nheld + 1, .fid = m->user, .skey = it->skey};
        if ((x->nheld == x->capheld && arrayGrow(&x->held, &x->capheld, sizeof *x->held, 16) != MS_OK) ||
            itemSetAppend(&x->heldkeys, &key) != MS_OK) {
            kernelFault(x->k, MS_NOMEM);
            return MS_NOMEM;
        }
        exHeldRow *h = &x->held[x->nheld];
        *h = (exHeldRow){.id = key.id, .user = m->user, .server = m->server, .mbx = m->g,
                         .skey = it->skey, .size = it->size, .mtime = it->mtime, .exported = x->k->now};
        snprintf(h->path, sizeof h->path, "%s", f->path);
        x->nheld++;
        (*items)++;
    }
    return MS_OK;
}

msStatus holdingExport(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    msAssert(su != NULL);
    mbxRow *v = NULL;
    size_t n = 0;
    msStatus rc = storeList(&x->st, -1, &v, &n);
    if (rc != MS_OK) return rc;
    int64_t items = 0, mailboxes = 0;
    for (size_t i = 0; i < n && rc == MS_OK; i++) {
        if (v[i].user != user) continue;
        mailboxes++;
        const storeMailbox *m = storeMailboxOf(&x->st, v[i].id);
        if (ALWAYS(m)) rc = exportMailbox(x, m, &items);
    }
    free(v);
    if (rc != MS_OK) return rc;
    int64_t held = heldCount(x, user);
    traceRecord r = traceNew(TR_ADMIN_EXPORT, "admin");
    r.user = su->name;
    traceInt(&r, "items", items);
    traceInt(&r, "mailboxes", mailboxes);
    traceInt(&r, "held", held);
    if (items > 0)
        kernelEmit(k, &r, "%s: exported %lld item%s that %s not copies of source items from %lld mailbox%s "
                   "into the holding area (ExMerge's PST): %lld held", su->name, (long long)items,
                   items == 1 ? "" : "s", items == 1 ? "is" : "are", (long long)mailboxes,
                   mailboxes == 1 ? "" : "es", (long long)held);
    else
        kernelEmit(k, &r, "%s: nothing to export: %lld mailbox%s read, no item that is not a copy of a source "
                   "item and not held already (%lld held)", su->name, (long long)mailboxes,
                   mailboxes == 1 ? "" : "es", (long long)held);
    return MS_OK;
}

/*
** The user's current mailbox: the first live account on the admin DC that
** carries the user's X500 address and a mailbox the store holds, not
** disconnected.  0 when there is none; why then says so.
*/
static int64_t currentMailbox(exchange *x, uint32_t user, int *server, guid *mbx, char *why, size_t sz) {
    const srcUser *su = sourceUser(&x->src, user);
    int dc = x->admin_dc;
    guid acct[MAX_ACCOUNTS];
    size_t n = dirFindByProxy(x->d, dc, su->x500, acct, MAX_ACCOUNTS);
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    if (n == 0) {
        snprintf(why, sz, "no live account of %s on %s", su->name, exDcName(x, dc));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *g = dirGet(x->d, dc, &acct[i], A_MAILBOXGUID);
        const char *home = dirGet(x->d, dc, &acct[i], A_HOMEMDB);
        *server = home ? exServerOfHomeMdb(x, home) : -1;
        if (!g || guidParse(g, mbx) != 0 || *server < 0) continue;
        int64_t row = storeFindLive(&x->st, *server, mbx);
        if (row) return row;
    }
    snprintf(why, sz, "the account of %s on %s has no mailbox in the store yet (a logon, a delivery or the "
             "wizard creates it)", su->name, exDcName(x, dc));
    return 0;
}

/* Import user's held items into mailbox row on server; counts into *items and *skipped. */
static msStatus importRows(exchange *x, uint32_t user, int server, int64_t row, int64_t *items, int64_t *skipped) {
    /* Adding items never changes the holding area, so the walk is safe. */
    for (size_t i = 0; i < x->nheld; i++) {
        const exHeldRow *h = &x->held[i];
        if (h->user != user) continue;
        if (storeHasKey(&x->st, row, h->skey)) {
            (*skipped)++;
            continue;
        }
        msStatus rc = storeAddItem(&x->st, server, row, h->path, h->skey, h->size, h->mtime);
        if (rc != MS_OK) return rc;
        (*items)++;
    }
    return MS_OK;
}

msStatus holdingImport(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    msAssert(su != NULL);
    char why[256], mg[GUID_STRLEN];
    int server = -1;
    guid mbx;
    int64_t row = currentMailbox(x, user, &server, &mbx, why, sizeof why);
    if (!row) {
        traceRecord r = traceNew(TR_ADMIN_IMPORT_NONE, "admin");
        r.user = su->name;
        r.dc = exDcName(x, x->admin_dc);
        traceStr(&r, "reason", why);
        kernelEmit(k, &r, "%s: nothing imported: %s", su->name, why);
        return MS_OK;
    }
    int64_t items = 0, skipped = 0;
    msStatus rc = importRows(x, user, server, row, &items, &skipped);
    if (rc != MS_OK) return rc;
    traceRecord r = traceNew(TR_ADMIN_IMPORT, "admin");
    r.user = su->name;
    r.server = x->servers[server].name;
    traceMailbox(&r, &mbx);
    traceInt(&r, "items", items);
    traceInt(&r, "skipped", skipped);
    if (items + skipped == 0)
        kernelEmit(k, &r, "%s: the holding area holds nothing for %s: nothing imported into mailbox %s on %s",
                   su->name, su->name, guidFormat(&mbx, mg), r.server);
    else
        kernelEmit(k, &r, "%s: imported %lld held item%s into mailbox %s on %s (%lld already there)", su->name,
                   (long long)items, items == 1 ? "" : "s", guidFormat(&mbx, mg), r.server, (long long)skipped);
    return MS_OK;
}

msStatus holdingKeys(exchange *x, int64_t **keys, size_t *n, size_t *cap) {
    for (size_t i = 0; i < x->nheld; i++) {
        if (*n == *cap && arrayGrow(keys, cap, sizeof **keys, 16) != MS_OK) {
            kernelFault(x->k, MS_NOMEM);
            return MS_NOMEM;
        }
        (*keys)[(*n)++] = x->held[i].skey;
    }
    return MS_OK;
}

void exHeldFree(exHeldInfo *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) free(v[i].path);
    free(v);
}

/* The summary row of h's group in out (n rows), or NULL. */
static exHeldInfo *groupOf(exHeldInfo *out, size_t n, const exHeldRow *h) {
    for (size_t i = 0; i < n; i++)
        if (out[i].user == h->user && out[i].server == h->server && guidCompare(&out[i].mbx, &h->mbx) == 0 &&
            strcmp(out[i].path, h->path) == 0)
            return &out[i];
    return NULL;
}

/* Add h to its group in *out (a new group at the end when it has none). */
static msStatus addToGroup(exHeldInfo **out, size_t *n, size_t *cap, const exHeldRow *h) {
    exHeldInfo *g = groupOf(*out, *n, h);
    if (!g) {
        if (*n == *cap && arrayGrow(out, cap, sizeof **out, 4) != MS_OK) return MS_NOMEM;
        g = &(*out)[*n];
        memset(g, 0, sizeof *g);
        g->user = h->user;
        g->server = h->server;
        g->mbx = h->mbx;
        g->exported_at = h->exported;
        if (!(g->path = strdup(h->path))) return MS_NOMEM;
        (*n)++;
    }
    g->items++;
    if (h->exported < g->exported_at) g->exported_at = h->exported;
    return MS_OK;
}

msStatus exHeld(exchange *x, uint32_t user, int server, exHeldInfo **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    /* Grouped on (user, server, mailbox, path), the groups in order of their first row. */
    for (size_t i = 0; i < x->nheld; i++) {
        const exHeldRow *h = &x->held[i];
        if ((user && h->user != user) || (server >= 0 && h->server != server)) continue;
        if (addToGroup(out, n, &cap, h) != MS_OK) {
            exHeldFree(*out, *n);
            *out = NULL;
            *n = 0;
            return MS_NOMEM;
        }
    }
    return MS_OK;
}
