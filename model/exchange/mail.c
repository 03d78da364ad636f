/*
** Mail delivery and user logon: the two ways KB 842101 names for a mailbox
** to be initialized outside the wizard.
**
** Delivery (`deliver`): mail from outside to <user>@target.example enters at
** the wizard's server (the first server when there is no wizard).  Its
** categorizer resolves the address among proxyAddresses on that server's GC;
** it must find exactly one live recipient carrying it (the RUS stamps it, on
** the server's DC, and replication brings it to the GC), with a mailbox GUID
** and a homeMDB naming one of the scenario's servers.  Otherwise the sender
** gets a non-delivery report: shown in the narrative and counted, never a
** failed step.  A 5.1.1 report says why no recipient was found (stamped but
** not replicated to the GC yet, not stamped yet, not stamped because every
** RUS's DC is failed, deleted, not replicated, never made).  With the
** wizard's `protect` option a mailbox the wizard has not yet filled bounces
** its mail.  The home server's store creates the
** mailbox with the default folders when it does not exist (initialized by
** delivery), then files the message in the Inbox with a new search key.
**
** Logon (`logon`): the user signs in with the source account the wizard
** associated with the mailbox (so the target account being disabled does not
** matter).  The store must find a live account carrying the mailbox GUID on
** its DC, else the logon fails (shown, counted).  A missing mailbox is
** created with the default folders (initialized by logon).
*/
#include <stdio.h>
#include <string.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"

/* A non-delivery report; why starts with its status code ("5.1.1 ..."). */
static void ndr(exchange *x, uint32_t user, const char *addr, int64_t count, const char *why) {
    x->ndrs += count;
    traceRecord r = traceNew(TR_SMTP_NDR, "smtp");
    char code[8];
    snprintf(code, sizeof code, "%.*s", (int)strcspn(why, " "), why);
    r.user = sourceUser(&x->src, user)->name;
    traceInt(&r, "count", count);
    traceStr(&r, "address", addr);
    traceStr(&r, "code", code);
    traceStr(&r, "reason", why);
    kernelEmit(x->k, &r, "NDR: %lld message%s to %s bounced: %s", (long long)count,
               count == 1 ? "" : "s", addr, why);
}

/*
** Why no live recipient carries proxy on the GC, in the words a trainee
** needs: each cause has its own remedy (wait for the RUS, restore its DC,
** wait for replication, or none: the account is gone).  Checked in this
** order: the address is stamped on some server's DC but has not reached the
** GC; the user's account is on the GC but unstamped, because every RUS reads
** a failed DC or because the RUS has not got to it; the account the wizard
** made is a tombstone on the GC; the account has not reached the GC; no
** account was ever made.
*/
static void whyUnknown(exchange *x, uint32_t user, int gc, const char *proxy, char *buf, size_t sz) {
    const srcUser *su = sourceUser(&x->src, user);
    guid g[8];
    for (int i = 0; i < x->nservers; i++) {
        int dc = x->servers[i].dc;
        if (dc != gc && dirFindByProxy(x->d, dc, proxy, g, 1) > 0) {
            snprintf(buf, sz, "stamped by the RUS on %s, not replicated to the GC yet", exDcName(x, dc));
            return;
        }
    }
    if (dirFindByProxy(x->d, gc, su->x500, g, 1) > 0) {
        int failed = -1;
        for (int i = 0; i < x->nservers; i++) {
            if (!dirDcFailed(x->d, x->servers[i].dc)) {
                snprintf(buf, sz, "its account is not stamped by the RUS yet");
                return;
            }
            if (failed < 0) failed = i;
        }
        if (failed >= 0) {
            snprintf(buf, sz, "its account is not stamped: the RUS of %s reads %s, which is failed",
                     x->servers[failed].name, exDcName(x, x->servers[failed].dc));
            return;
        }
    }
    size_t n = exMigratorAccounts(x, user, g, 8);
    if (n > 8) n = 8;
    for (size_t i = 0; i < n; i++)
        if (dirIsDeleted(x->d, gc, &g[i])) {
            snprintf(buf, sz, "the recipient was deleted");
            return;
        }
    if (n > 0) {
        snprintf(buf, sz, "its account has not replicated to the GC yet");
        return;
    }
    snprintf(buf, sz, "%s has no target account", su->name);
}

/* The server inbound mail enters at. */
static int entryServer(const exchange *x) {
    return x->entry_server >= 0 && x->entry_server < x->nservers ? x->entry_server : 0;
}

static msStatus initMailbox(exchange *x, int server, const guid *mbx, uint32_t user, mbxInit how, int64_t *row) {
    char mg[GUID_STRLEN];
    msStatus rc = storeCreate(&x->st, server, mbx, user, how, x->k->now, 1, row);
    if (rc != MS_OK) return rc;
    traceRecord r = traceNew(TR_STORE_INIT, x->servers[server].name);
    r.server = x->servers[server].name;
    r.user = sourceUser(&x->src, user)->name;
    traceMailbox(&r, mbx);
    traceStr(&r, "by", how == INIT_DELIVERY ? "delivery" : "logon");
    kernelEmit(x->k, &r, "mailbox %s (%s) initialized by %s: default folders created with new folder IDs",
               guidFormat(mbx, mg), r.user, storeInitName(how));
    return MS_OK;
}

msStatus mailDeliver(exchange *x, uint32_t user, int64_t count) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    if (x->nservers == 0) {
        snprintf(k->err, sizeof k->err, "deliver: the scenario declares no server");
        return MS_FAIL;
    }
    int entry = entryServer(x), gc = x->servers[entry].gc;
    char addr[128], proxy[140], why[256], dn[512], mg[GUID_STRLEN];
    snprintf(addr, sizeof addr, "%s@%s", su->name, TARGET_MAIL_DOMAIN);
    snprintf(proxy, sizeof proxy, "SMTP:%s", addr);
    guid found[2], mbx;
    size_t n = dirFindByProxy(x->d, gc, proxy, found, 2);
    if (n == 0) {
        char cause[160];
        whyUnknown(x, user, gc, proxy, cause, sizeof cause);
        snprintf(why, sizeof why, "5.1.1 no recipient carries this address on GC %s (%s)", exDcName(x, gc), cause);
        ndr(x, user, addr, count, why);
        return MS_OK;
    }
    if (n > 1) {
        snprintf(why, sizeof why, "5.1.4 the address is ambiguous on GC %s", exDcName(x, gc));
        ndr(x, user, addr, count, why);
        return MS_OK;
    }
    const char *g = dirGet(x->d, gc, &found[0], A_MAILBOXGUID);
    const char *home = dirGet(x->d, gc, &found[0], A_HOMEMDB);
    int server = home ? exServerOfHomeMdb(x, home) : -1;
    if (!g || guidParse(g, &mbx) != 0 || server < 0) {
        snprintf(why, sizeof why, "5.4.4 %s has no mailbox on a known server",
                 exAccountDn(x, gc, &found[0], dn, sizeof dn));
        ndr(x, user, addr, count, why);
        return MS_OK;
    }
    if (exProtected(x, &mbx)) {
        snprintf(why, sizeof why, "5.7.1 mailbox %s is protected by %s until it has been migrated",
                 guidFormat(&mbx, mg), exMigratorNoun(x));
        ndr(x, user, addr, count, why);
        return MS_OK;
    }
    int64_t row = storeFind(&x->st, server, &mbx);
    if (row == 0 && initMailbox(x, server, &mbx, user, INIT_DELIVERY, &row) != MS_OK) {
        snprintf(why, sizeof why, "4.2.0 the store on %s refused mailbox %s", x->servers[server].name,
                 guidFormat(&mbx, mg));
        ndr(x, user, addr, count, why);
        return MS_OK;
    }
    for (int64_t i = 0; i < count; i++) {
        int64_t skey = (int64_t)(rngNext(&k->rmodel) >> 1);
        int64_t size = rngBetween(&k->rmodel, 2048, 64 * 1024);
        if (storeDeliver(&x->st, row, skey, size, k->now) != MS_OK) {
            ndr(x, user, addr, count - i, "4.2.0 the mailbox has no Inbox");
            return MS_OK;
        }
    }
    traceRecord r = traceNew(TR_SMTP_DELIVER, "smtp");
    r.user = su->name;
    r.dc = exDcName(x, gc);
    r.server = x->servers[server].name;
    traceMailbox(&r, &mbx);
    traceObject(&r, &found[0]);
    traceInt(&r, "count", count);
    traceStr(&r, "address", addr);
    traceStr(&r, "dn", exAccountDn(x, gc, &found[0], dn, sizeof dn));
    kernelEmit(k, &r, "%lld message%s to %s delivered: resolved on GC %s to %s, mailbox %s on %s",
               (long long)count, count == 1 ? "" : "s", addr, r.dc, dn, guidFormat(&mbx, mg), r.server);
    return MS_OK;
}

static traceRecord logonRecord(traceKind kind, const srcUser *su, const exServer *sv, const guid *mbx) {
    traceRecord r = traceNew(kind, su->name);
    r.user = su->name;
    r.server = sv->name;
    traceMailbox(&r, mbx);
    return r;
}

msStatus mailLogon(exchange *x, uint32_t user) {
    kernel *k = x->k;
    const srcUser *su = sourceUser(&x->src, user);
    guid acct, mbx;
    int server = 0;
    char mg[GUID_STRLEN];
    if (!exAssociation(x, user, &acct, &mbx, &server) || server < 0 || server >= x->nservers) {
        x->logon_failures++;
        traceRecord r = traceNew(TR_LOGON_FAIL, su->name);
        r.user = su->name;
        traceStr(&r, "reason", "no mailbox associated");
        kernelEmit(k, &r, "logon failed: %s has not associated a target mailbox with %s", exMigratorNoun(x),
                   su->name);
        return MS_OK;
    }
    const exServer *sv = &x->servers[server];
    guid owner;
    if (dirFindByMailboxGuid(x->d, sv->dc, &mbx, &owner, 1) == 0) {
        x->logon_failures++;
        traceRecord r = logonRecord(TR_LOGON_FAIL, su, sv, &mbx);
        r.dc = exDcName(x, sv->dc);
        traceStr(&r, "reason", "no live account carries the mailbox");
        kernelEmit(k, &r, "logon to mailbox %s on %s failed: no live account carries it on %s",
                   guidFormat(&mbx, mg), sv->name, r.dc);
        return MS_OK;
    }
    int64_t row = storeFind(&x->st, server, &mbx);
    if (row == 0 && initMailbox(x, server, &mbx, user, INIT_LOGON, &row) != MS_OK) {
        x->logon_failures++;
        traceRecord r = logonRecord(TR_LOGON_FAIL, su, sv, &mbx);
        traceStr(&r, "reason", "the store refused it");
        kernelEmit(k, &r, "logon to mailbox %s on %s failed: the store refused it", guidFormat(&mbx, mg), sv->name);
        return MS_OK;
    }
    traceRecord r = logonRecord(TR_LOGON, su, sv, &mbx);
    kernelEmit(k, &r, "logged on to mailbox %s on %s (with the source account)", guidFormat(&mbx, mg), sv->name);
    return MS_OK;
}
