/*
** The Exchange side of a run: builds the pieces and offers the layers above
** their operations.  See exchange.h for the contract and exchangeint.h for what
** the pieces share.
**
** The source organization, the stores and the holding area are C data of
** the run.  SQL sees them through virtual tables of an in-memory SQLite
** database that exSql opens on first use (tests query and alter the stores
** through it); a run that never asks for it never opens SQLite.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

const char *exDcName(const exchange *x, int dc) {
    return dirDcName(x->d, dc);
}

int exServerOfHomeMdb(const exchange *x, const char *dn) {
    for (int i = 0; i < x->nservers; i++)
        if (strcmp(x->servers[i].homemdb, dn) == 0) return i;
    return -1;
}

const char *exAccountDn(const exchange *x, int dc, const guid *acct, char *buf, size_t sz) {
    if (dirDn(x->d, dc, acct, buf, sz)) return buf;
    char gs[GUID_STRLEN];
    snprintf(buf, sz, "account %s (not on %s)", guidFormat(acct, gs), exDcName(x, dc));
    return buf;
}

static msStatus buildServers(exchange *x, const exConfig *cfg) {
    x->nservers = cfg->nservers;
    x->servers = calloc(cfg->nservers ? (size_t)cfg->nservers : 1, sizeof *x->servers);
    if (!x->servers) return MS_NOMEM;
    for (int i = 0; i < cfg->nservers; i++) {
        const exServerConfig *c = &cfg->servers[i];
        exServer *sv = &x->servers[i];
        snprintf(sv->name, sizeof sv->name, "%s", c->name ? c->name : "?");
        sv->dc = c->dc;
        sv->gc = c->gc >= 0 ? c->gc : sv->dc;
        snprintf(sv->homemdb, sizeof sv->homemdb,
                 "CN=Mailbox Store (%s),CN=First Storage Group,CN=InformationStore,CN=%s,CN=Servers,"
                 "CN=First Administrative Group,CN=Administrative Groups,CN=Target,"
                 "CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=target,DC=example",
                 sv->name, sv->name);
    }
    return MS_OK;
}

msStatus exBuild(kernel *k, directory *d, const exConfig *cfg, exchange **out) {
    *out = NULL;
    exchange *x = calloc(1, sizeof *x);
    if (!x) return MS_NOMEM;
    *out = x;
    x->k = k;
    x->d = d;
    msStatus rc = buildServers(x, cfg);
    if (rc == MS_OK) rc = storeOpen(&x->st, &x->src, x->nservers, k->err, sizeof k->err);
    x->st.k = k;
    x->admin_dc = cfg->admin_dc;
    x->entry_server = cfg->entry_server;
    if (rc == MS_OK) rc = sourceGenerate(&x->src, &cfg->source, &k->rsource, k->err, sizeof k->err);
    if (rc != MS_OK) return rc;
    rc = rusStart(x);
    return rc == MS_OK ? adminStart(x) : rc;
}

void exFree(exchange *x) {
    if (!x) return;
    sqlite3_close(x->db);   /* first: its virtual tables read the rest */
    holdingClose(x);
    storeClose(&x->st);
    sourceFree(&x->src);
    free(x->servers);
    free(x);
}

sqlite3 *exSql(exchange *x) {
    if (x->db) return x->db;
    sqlite3 *db = NULL;
    char err[256];
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sourceTables(db, &x->src, err, sizeof err) != MS_OK || storeTables(db, &x->st, err, sizeof err) != MS_OK) {
        sqlite3_close(db);
        return NULL;
    }
    return x->db = db;
}

uint32_t exUserCount(const exchange *x) {
    return x ? x->src.nusers : 0;
}

msStatus exDeliver(exchange *x, uint32_t user, int64_t count) {
    return mailDeliver(x, user, count);
}

msStatus exLogon(exchange *x, uint32_t user) {
    return mailLogon(x, user);
}

msStatus exDelete(exchange *x, uint32_t user) {
    return adminDelete(x, user);
}

msStatus exPurge(exchange *x, const uint32_t *users, size_t n, int server) {
    return adminPurge(x, users, n, server);
}

msStatus exExport(exchange *x, uint32_t user) {
    return holdingExport(x, user);
}

msStatus exImport(exchange *x, uint32_t user) {
    return holdingImport(x, user);
}

void exCleanupAgents(exchange *x, const char *why) {
    for (int i = 0; i < x->nservers; i++) adminCleanupAgent(x, i, why);
}

int exUserOnDc(const exchange *x, int dc, uint32_t user) {
    const srcUser *su = sourceUser(&x->src, user);
    guid g;
    return su && dirFindByProxy(x->d, dc, su->x500, &g, 1) > 0;
}

int exAssociation(exchange *x, uint32_t user, guid *account, guid *mbx, int *server) {
    return x->mv ? x->mv->association(x->mv_obj, user, account, mbx, server) : 0;
}

size_t exMigratorAccounts(exchange *x, uint32_t user, guid *out, size_t max) {
    return x->mv ? x->mv->accounts(x->mv_obj, user, out, max) : 0;
}

const char *exMigratorNoun(exchange *x) {
    return x->mv ? x->mv->noun(x->mv_obj) : "the wizard";
}

int exProtected(exchange *x, const guid *mbx) {
    return x->mv ? x->mv->isProtected(x->mv_obj, mbx) : 0;
}
