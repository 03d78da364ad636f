/*
** The Exchange side of a run: builds the pieces and routes the runner's
** steps to them.  See exchange.h for the contract and exchangeint.h for what
** the pieces share.
**
** One in-memory SQLite database per run holds the source organization, the
** stores and the wizard's memory.  It is opened with the rollback journal
** off: the run never rolls back, and the database dies with the run.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "exchangeint.h"
#include "wizard.h"

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

static msStatus buildServers(exchange *x) {
    const scenario *sc = x->s->scn;
    x->nservers = (int)sc->nservers;
    x->servers = calloc(sc->nservers ? sc->nservers : 1, sizeof *x->servers);
    if (!x->servers) return MS_NOMEM;
    for (size_t i = 0; i < sc->nservers; i++) {
        const stmt *st = &sc->v[sc->servers[i]];
        exServer *sv = &x->servers[i];
        snprintf(sv->name, sizeof sv->name, "%s", st->u.server.name.name);
        sv->dc = st->u.server.dc.index;
        sv->gc = st->u.server.gc.index >= 0 ? st->u.server.gc.index : sv->dc;
        snprintf(sv->homemdb, sizeof sv->homemdb,
                 "CN=Mailbox Store (%s),CN=First Storage Group,CN=InformationStore,CN=%s,CN=Servers,"
                 "CN=First Administrative Group,CN=Administrative Groups,CN=Target,"
                 "CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=target,DC=example",
                 sv->name, sv->name);
    }
    return MS_OK;
}

msStatus exBuild(struct sim *s, directory *d, exchange **out) {
    *out = NULL;
    exchange *x = calloc(1, sizeof *x);
    if (!x) return MS_NOMEM;
    *out = x;
    x->s = s;
    x->d = d;
    const scenario *sc = s->scn;
    if (sqlite3_open_v2(":memory:", &x->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_exec(x->db, "PRAGMA journal_mode=OFF; PRAGMA temp_store=MEMORY; PRAGMA secure_delete=OFF;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "exchange: cannot open the run's database");
        return MS_NOMEM;
    }
    /* The whole run is one transaction, committed when the run is freed.
    ** DDL outside one reloads the schema statement by statement, and every
    ** commit of an in-memory database walks its page cache (all of it, for
    ** some sizes of the cache), which made a large migration quadratic. */
    if (sqlite3_exec(x->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "exchange: %s", sqlite3_errmsg(x->db));
        return MS_NOMEM;
    }
    msStatus rc = sourceSchema(x->db, &x->src, s->err, sizeof s->err);
    if (rc == MS_OK) rc = buildServers(x);
    if (rc == MS_OK) rc = storeOpen(&x->st, x->db, x->nservers, s->err, sizeof s->err);
    x->admin_dc = sc->admin >= 0 ? sc->v[sc->admin].u.admin.dc.index : 0;
    if (rc == MS_OK && sc->wizard >= 0) {
        const stmt *w = &sc->v[sc->wizard];
        rc = wizOpen(x, w->u.wizard.server.index, w->u.wizard.dc.index,
                     w->u.wizard.has_rate ? w->u.wizard.rate : s->p.wizard_rate, w->u.wizard.protect);
    }
    if (rc == MS_OK) rc = sourceGenerate(&x->src, x->db, sc, &s->rsource, s->err, sizeof s->err);
    if (rc != MS_OK) return rc;
    rc = rusStart(x);
    return rc == MS_OK ? adminStart(x) : rc;
}

void exFree(exchange *x) {
    if (!x) return;
    wizClose(x->wz);
    storeClose(&x->st);
    sourceFree(&x->src);
    sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(x->db);
    free(x->servers);
    free(x);
}

msStatus exMigrate(exchange *x, const userset *users, int dc) {
    return wizStart(x, users, dc);
}

int exRunActive(const exchange *x) {
    return x && wizActive(x->wz);
}

msStatus exCancel(exchange *x, cancelWhen when, int64_t n) {
    return wizCancel(x, when, n);
}

int exCancelSettled(exchange *x) {
    return wizCancelSettled(x);
}

msStatus exDeliver(exchange *x, const userset *users, int64_t count) {
    for (uint32_t u = 1; u <= x->src.nusers; u++) {
        if (!usersetHas(users, u)) continue;
        msStatus rc = mailDeliver(x, u, count);
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}

msStatus exLogon(exchange *x, const userset *users) {
    for (uint32_t u = 1; u <= x->src.nusers; u++) {
        if (!usersetHas(users, u)) continue;
        msStatus rc = mailLogon(x, u);
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}

msStatus exDelete(exchange *x, const userset *users) {
    for (uint32_t u = 1; u <= x->src.nusers; u++) {
        if (!usersetHas(users, u)) continue;
        msStatus rc = adminDelete(x, u);
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}

msStatus exCleanup(exchange *x, const userset *users) {
    if (users->all) {
        /* "delete the accounts the wizard created": the users it touched. */
        size_t n = wizUsers(x, NULL, 0);
        uint32_t *v = malloc((n ? n : 1) * sizeof *v);
        if (!v) return MS_NOMEM;
        n = wizUsers(x, v, n);
        if (n == 0) simLog(x->s, "admin", "admin.cleanup", "the wizard created no account: nothing to delete");
        for (size_t i = 0; i < n; i++) adminDelete(x, v[i]);
        free(v);
    } else {
        msStatus rc = exDelete(x, users);
        if (rc != MS_OK) return rc;
    }
    for (int i = 0; i < x->nservers; i++) adminCleanupAgent(x, i, "after the cleanup");
    return MS_OK;
}

int exUserOnDc(const exchange *x, int dc, uint32_t user) {
    const srcUser *su = sourceUser(&x->src, user);
    guid g;
    return su && dirFindByProxy(x->d, dc, su->x500, &g, 1) > 0;
}

msStatus exJudge(exchange *x, int dc, uint32_t user, userVerdict *out) {
    return judgeUser(x, dc, user, out);
}

int64_t exStranded(exchange *x, int dc) {
    return judgeStranded(x, dc);
}

void exFinish(exchange *x) {
    if (x) wizFinish(x);
}
