/*
** The Recipient Update Service, one per server.  It wakes on a fixed grid
** (every rus.interval from time 0, first one interval after 0: "Always run"
** wakes every minute, KB 319065 and 328738), reads what changed on its
** server's DC since its last pass (dirForEachChanged, a usnChanged
** watermark), and stamps each live mailbox-enabled account that lacks it
** with the recipient policy's primary SMTP address, <name>@target.example:
** the address becomes "SMTP:" (primary), every other SMTP address is demoted
** to "smtp:", and mail is set to it.  When the address is taken on the DC by
** another object, the RUS appends 2, 3, ... as Exchange does.  Its writes are
** originating writes on its DC that replicate like any other.
**
** Delivery needs this stamp (KB 319065: a new user cannot receive mail until
** the RUS has stamped it); the wizard's logon does not (docs/semantics.md).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kernel/array.h"
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

typedef struct changed {
    guid *v;
    size_t n, cap;
    int nomem;             /* an object could not be kept: the pass is a fault */
} changed;

static void collect(void *ctx, const guid *obj) {
    changed *c = ctx;
    if (c->n == c->cap && arrayGrow(&c->v, &c->cap, sizeof *c->v, 64) != MS_OK) {
        c->nomem = 1;
        return;
    }
    c->v[c->n++] = *obj;
}

/* The mail nickname: sAMAccountName, else the RDN up to a CNF/DEL mangling. */
static void nickname(const exchange *x, int dc, const guid *obj, char *buf, size_t sz) {
    const char *sam = dirGet(x->d, dc, obj, A_SAMACCOUNTNAME);
    const char *name = sam ? sam : dirGet(x->d, dc, obj, A_NAME);
    snprintf(buf, sz, "%s", name ? name : "recipient");
    buf[strcspn(buf, "\n")] = '\0';
}

/* 1 when obj already has an SMTP address in the target domain. */
static int stamped(const char *const *v, size_t n) {
    size_t dl = strlen("@" TARGET_MAIL_DOMAIN);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(v[i]);
        if (strncasecmp(v[i], "smtp:", 5) == 0 && l > dl && strcasecmp(v[i] + l - dl, "@" TARGET_MAIL_DOMAIN) == 0)
            return 1;
    }
    return 0;
}

int exStamped(const exchange *x, int dc, const guid *obj) {
    const char *v[32];
    size_t n = dirGetAllAny(x->d, dc, obj, A_PROXYADDRESSES, v, 32);
    return stamped(v, n < 32 ? n : 32);
}

/* A target address not carried by another live object on dc. */
static void freeAddress(const exchange *x, int dc, const guid *obj, const char *nick, char *addr, size_t sz) {
    for (int k = 1;; k++) {
        if (k == 1)
            snprintf(addr, sz, "%s@%s", nick, TARGET_MAIL_DOMAIN);
        else
            snprintf(addr, sz, "%s%d@%s", nick, k, TARGET_MAIL_DOMAIN);
        char proxy[200];
        guid other[2];
        snprintf(proxy, sizeof proxy, "SMTP:%s", addr);
        size_t n = dirFindByProxy(x->d, dc, proxy, other, 2);
        if (n == 0 || (n == 1 && guidCompare(&other[0], obj) == 0) || k > 99) return;
    }
}

static void stampOne(exchange *x, int server, const guid *obj) {
    const exServer *sv = &x->servers[server];
    int dc = sv->dc;
    if (!dirIsLive(x->d, dc, obj) || !dirGet(x->d, dc, obj, A_MAILBOXGUID)) return;
    const char *cls = dirGet(x->d, dc, obj, A_OBJECTCLASS);
    if (!cls || strcmp(cls, "user") != 0) return;
    const char *old[32];
    size_t n = dirGetAll(x->d, dc, obj, A_PROXYADDRESSES, old, 32);
    if (n > 30) n = 30;
    if (stamped(old, n)) return;
    char copy[32][200], nick[64], addr[128], primary[140], dn[512];
    for (size_t i = 0; i < n; i++) snprintf(copy[i], sizeof copy[i], "%s", old[i]);
    nickname(x, dc, obj, nick, sizeof nick);
    freeAddress(x, dc, obj, nick, addr, sizeof addr);
    snprintf(primary, sizeof primary, "SMTP:%s", addr);
    const char *nv[33];
    size_t m = 0;
    nv[m++] = primary;
    for (size_t i = 0; i < n; i++) {
        int is_smtp = strncasecmp(copy[i], "smtp:", 5) == 0;
        if (is_smtp && strcasecmp(copy[i] + 5, addr) == 0) continue;   /* becomes the primary */
        if (is_smtp) memcpy(copy[i], "smtp", 4);                       /* demoted */
        nv[m++] = copy[i];
    }
    const char *mail[] = {addr};
    msStatus rc = dirModify(x->d, dc, obj, A_PROXYADDRESSES, nv, m);
    if (rc == MS_OK) rc = dirModify(x->d, dc, obj, A_MAIL, mail, 1);
    if (rc != MS_OK) {
        /* A write the DC refuses is skipped; running out of memory stops the run. */
        if (rc != MS_FAIL) kernelFault(x->k, rc);
        return;
    }
    traceRecord r = traceNew(TR_RUS_STAMP, sv->name);
    r.server = sv->name;
    r.dc = exDcName(x, dc);
    traceObject(&r, obj);
    traceStr(&r, "address", addr);
    traceStr(&r, "dn", exAccountDn(x, dc, obj, dn, sizeof dn));
    kernelEmit(x->k, &r, "RUS (%s): stamped %s with primary address %s", r.dc, dn, addr);
}

void rusRun(exchange *x, int server) {
    exServer *sv = &x->servers[server];
    if (dirDcFailed(x->d, sv->dc)) return;   /* DSAccess finds its DC down: nothing this pass */
    changed c = {0};
    uint64_t top = dirForEachChanged(x->d, sv->dc, sv->rus_usn, collect, &c);
    if (c.nomem) {
        free(c.v);
        kernelFault(x->k, MS_NOMEM);   /* the run stops: no pass that skipped objects */
        return;
    }
    for (size_t i = 0; i < c.n && x->k->fault == MS_OK; i++) stampOne(x, server, &c.v[i]);
    free(c.v);
    sv->rus_usn = top;
}

static msStatus rusEv(kernel *k, void *obj, int64_t arg) {
    exchange *x = obj;
    rusRun(x, (int)arg);
    return k->fault;
}

msStatus rusStart(exchange *x) {
    for (int i = 0; i < x->nservers; i++) {
        msStatus rc = kernelEvery(x->k, x->k->p.rus_interval, rusEv, x, i, "rus");
        if (rc != MS_OK) return rc;
    }
    return MS_OK;
}
