/*
** The administrator and the Cleanup Agent.
**
** `delete` and `cleanup` act through the admin DC only (docs/semantics.md,
** "Administrator"), as Active Directory Users and Computers bound to one DC
** does.  The accounts of a user are the ones the wizard matched or created
** for it (it remembers their GUIDs) together with any live object on the
** admin DC carrying the user's X500 address (a CNF twin); they are taken in
** GUID order.  Each is deleted when the admin DC holds it live; one the admin
** DC does not hold yet is reported `not on DC2 (not replicated yet)`: a
** finding for the trainee, not a failed step.
**
** The Cleanup Agent (mailbox management) runs on every server's grid
** (cleanup.interval, first one interval after 0) and after `cleanup`.  It
** reads the server's own DC and marks disconnected every mailbox whose GUID no
** live account there carries (TechNet aa998119); a disconnected mailbox is
** purged when mailbox.retention has passed, never earlier, unless the
** administrator purges it at once (`purge`, as Exchange System Manager's
** Purge does): only a disconnected mailbox can be purged, on any server,
** whatever the DCs hold; its rows go, the scheduled purge then finds nothing.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

#define MAX_ACCOUNTS 64

static int guidCmp(const void *a, const void *b) {
    return guidCompare(a, b);
}

msStatus adminDelete(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    int dc = x->admin_dc;
    const char *dcn = exDcName(x, dc);
    guid v[2 * MAX_ACCOUNTS];
    size_t n = exMigratorAccounts(x, user, v, MAX_ACCOUNTS);
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    size_t m = dirFindByProxy(x->d, dc, su->x500, v + n, MAX_ACCOUNTS);
    if (m > MAX_ACCOUNTS) m = MAX_ACCOUNTS;
    n += m;
    qsort(v, n, sizeof v[0], guidCmp);
    size_t acted = 0;
    char dn[512], gs[GUID_STRLEN];
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && guidCompare(&v[i], &v[i - 1]) == 0) continue;
        acted++;
        guidFormat(&v[i], gs);
        traceRecord r = traceNew(TR_ADMIN_DELETE, "admin");
        r.user = su->name;
        r.dc = dcn;
        traceObject(&r, &v[i]);
        if (dirIsLive(x->d, dc, &v[i])) {
            exAccountDn(x, dc, &v[i], dn, sizeof dn);
            if (dirDelete(x->d, dc, &v[i]) == MS_OK) {
                traceStr(&r, "dn", dn);
                kernelEmit(k, &r, "deleted %s on %s (account %s)", dn, dcn, gs);
            } else {
                r.kind = TR_ADMIN_DELETE_FAIL;
                kernelEmit(k, &r, "%s: could not delete account %s on %s", su->name, gs, dcn);
            }
        } else if (dirIsDeleted(x->d, dc, &v[i])) {
            r.kind = TR_ADMIN_DELETE_ALREADY;
            kernelEmit(k, &r, "%s: account %s is already deleted on %s", su->name, gs, dcn);
        } else {
            r.kind = TR_ADMIN_DELETE_MISSING;
            kernelEmit(k, &r, "%s: account %s not on %s (not replicated yet)", su->name, gs, dcn);
        }
    }
    if (acted == 0) {
        traceRecord r = traceNew(TR_ADMIN_DELETE_NONE, "admin");
        r.user = su->name;
        r.dc = dcn;
        kernelEmit(k, &r, "%s: no account to delete on %s", su->name, dcn);
    }
    return MS_OK;
}

static msStatus purgeEv(kernel *k, void *obj, int64_t row) {
    exchange *x = obj;
    mbxRow *v = NULL;
    size_t n = 0;
    if (storeList(&x->st, -1, &v, &n) != MS_OK) return MS_OK;
    for (size_t i = 0; i < n; i++) {
        if (v[i].id != row || !v[i].disconnected) continue;
        if (k->now - v[i].disconnected_at < k->p.mailbox_retention) continue;
        char mg[GUID_STRLEN];
        int server = 0;
        storeFindAny(&x->st, &v[i].g, &server);
        int64_t items = storeItemCount(&x->st, row);
        if (storePurge(&x->st, row) != MS_OK) continue;
        traceRecord r = traceNew(TR_STORE_PURGE, x->servers[server].name);
        r.server = x->servers[server].name;
        if (v[i].user) r.user = sourceUser(&x->src, v[i].user)->name;
        traceMailbox(&r, &v[i].g);
        traceInt(&r, "items", items);
        kernelEmit(k, &r, "mailbox %s purged after the retention period (%lld items gone)",
                   guidFormat(&v[i].g, mg), (long long)items);
    }
    free(v);
    return MS_OK;
}

void adminCleanupAgent(exchange *x, int server, const char *why) {
    kernel *k = x->k;
    const exServer *sv = &x->servers[server];
    if (dirDcFailed(x->d, sv->dc)) return;
    mbxRow *v = NULL;
    size_t n = 0, marked = 0;
    if (storeList(&x->st, server, &v, &n) != MS_OK) return;
    char mg[GUID_STRLEN], ret[CLOCK_BUFSZ];
    for (size_t i = 0; i < n; i++) {
        guid owner;
        if (v[i].disconnected || dirFindByMailboxGuid(x->d, sv->dc, &v[i].g, &owner, 1) > 0) continue;
        if (storeDisconnect(&x->st, v[i].id, k->now) != MS_OK) continue;
        marked++;
        traceRecord r = traceNew(TR_STORE_DISCONNECT, sv->name);
        r.server = sv->name;
        r.dc = exDcName(x, sv->dc);
        if (v[i].user) r.user = sourceUser(&x->src, v[i].user)->name;
        traceMailbox(&r, &v[i].g);
        traceInt(&r, "purge_at", k->now + k->p.mailbox_retention);
        kernelEmit(k, &r, "Cleanup Agent (%s): mailbox %s (%s) disconnected: no live account "
                   "carries it; purge after %s", r.dc, guidFormat(&v[i].g, mg),
                   r.user ? r.user : "?", durationFormat(k->p.mailbox_retention, ret));
        kernelSchedule(k, k->now + k->p.mailbox_retention, purgeEv, x, v[i].id, "store.purge");
    }
    free(v);
    if (why && marked == 0) {
        traceRecord r = traceNew(TR_STORE_CLEANUP, sv->name);
        r.server = sv->name;
        r.dc = exDcName(x, sv->dc);
        kernelEmit(k, &r, "Cleanup Agent (%s), %s: no mailbox to disconnect: every one has a live account there",
                   r.dc, why);
    }
}

static int userIn(const uint32_t *users, size_t n, uint32_t u) {
    if (!users) return 1;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (users[mid] == u) return 1;
        if (users[mid] < u) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* Purge server's disconnected mailboxes of users; *purged counts them. */
static msStatus purgeServer(exchange *x, int server, const uint32_t *users, size_t n, int64_t *purged) {
    kernel *k = x->k;
    mbxRow *v = NULL;
    size_t nv = 0;
    msStatus rc = storeList(&x->st, server, &v, &nv);
    char mg[GUID_STRLEN], at[CLOCK_BUFSZ];
    for (size_t i = 0; rc == MS_OK && i < nv; i++) {
        if (!v[i].disconnected || !userIn(users, n, v[i].user)) continue;
        int64_t items = storeItemCount(&x->st, v[i].id);
        rc = storePurge(&x->st, v[i].id);
        if (rc != MS_OK) break;
        (*purged)++;
        traceRecord r = traceNew(TR_ADMIN_PURGE, "admin");
        r.server = x->servers[server].name;
        if (v[i].user) r.user = sourceUser(&x->src, v[i].user)->name;
        traceMailbox(&r, &v[i].g);
        traceInt(&r, "items", items);
        traceInt(&r, "disconnected_at", v[i].disconnected_at);
        kernelEmit(k, &r, "purged disconnected mailbox %s (%s) on %s now, as ESM's Purge does (disconnected at %s; "
                   "%lld items gone)", guidFormat(&v[i].g, mg), r.user ? r.user : "?", r.server,
                   clockFormat(v[i].disconnected_at, at), (long long)items);
    }
    free(v);
    return rc;
}

msStatus adminPurge(exchange *x, const uint32_t *users, size_t n, int server) {
    int64_t purged = 0;
    msStatus rc = MS_OK;
    for (int s = 0; rc == MS_OK && s < x->nservers; s++)
        if (server < 0 || s == server) rc = purgeServer(x, s, users, n, &purged);
    if (rc != MS_OK || purged > 0) return rc;
    traceRecord r = traceNew(TR_ADMIN_PURGE_NONE, "admin");
    const char *where = server >= 0 ? x->servers[server].name : "any server";
    if (server >= 0) r.server = where;
    if (users && n == 1) r.user = sourceUser(&x->src, users[0])->name;
    traceStr(&r, "scope", users ? "users" : "all");
    kernelEmit(x->k, &r, "purge: no disconnected mailbox%s on %s: nothing purged",
               users ? " of these users" : "", where);
    return MS_OK;
}

static msStatus cleanupEv(kernel *k, void *obj, int64_t server) {
    exchange *x = obj;
    (void)k;
    adminCleanupAgent(x, (int)server, NULL);
    return MS_OK;
}

msStatus adminStart(exchange *x) {
    for (int i = 0; i < x->nservers; i++) {
        msStatus rc = kernelEvery(x->k, x->k->p.cleanup_interval, cleanupEv, x, i, "store.cleanup");
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}
