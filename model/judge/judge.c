/*
** The outcome judge (semantics.md, "Outcomes").  Per source user, reading
** the directory on one DC (the caller's; a converged directory reads the same
** everywhere), checked in this order:
**
**   duplicate   two or more live accounts carry the user's X500 address
**   ghost       the user's last pass went into a mailbox no live account owns
**   absent      no account
**   unmigrated  the account's mailbox does not exist or holds no source item
**   partial     the last pass into it was cancelled or failed (or is still running)
**   merged      a pass into it ran in merge mode
**   cloned      otherwise
**
** The counters are queries over the rows of the mailbox judged (for ghost
** the last pass's mailbox, for duplicate the mailbox of the account keeping
** the plain name): extra (items that are not the user's source items),
** dupes (surplus copies of source items), missing (source items absent) and
** rules_broken (rules whose folder ID names no folder of the mailbox).
** Nothing here keeps a running count.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"
#include "judge/judge.h"
#include "migration/wizard.h"

#define MAX_ACCOUNTS 8

/* The store row of mbx: on the server homeMDB names when it has it, else any. */
static int64_t findMailbox(exchange *x, int server, const guid *mbx) {
    int64_t row = server >= 0 ? storeFind(&x->st, server, mbx) : 0;
    return row ? row : storeFindAny(&x->st, mbx, NULL);
}

/* Counters of mailbox row for user; a missing mailbox misses everything. */
static msStatus counters(exchange *x, int64_t row, uint32_t user, userVerdict *out, int64_t *present) {
    const srcUser *su = sourceUser(&x->src, user);
    memset(out->counters, 0, sizeof out->counters);
    *present = 0;
    if (row == 0) {
        out->counters[CTR_MISSING] = su->nitems;
        return MS_OK;
    }
    return storeCounters(&x->st, row, user, su, out->counters, present);
}

/* The account of accts (n of them) keeping the plain name (no CNF mangling). */
static const guid *plainAccount(exchange *x, int dc, const guid *accts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const char *name = dirGet(x->d, dc, &accts[i], A_NAME);
        if (name && !strchr(name, '\n')) return &accts[i];
    }
    return &accts[0];
}

static int accountMailbox(exchange *x, int dc, const guid *acct, guid *mbx, int *server) {
    const char *g = dirGet(x->d, dc, acct, A_MAILBOXGUID);
    const char *home = dirGet(x->d, dc, acct, A_HOMEMDB);
    *server = home ? exServerOfHomeMdb(x, home) : -1;
    return g && guidParse(g, mbx) == 0;
}

static msStatus judgeDuplicate(exchange *x, int dc, uint32_t user, const guid *accts, size_t n,
                               userVerdict *out) {
    const guid *plain = plainAccount(x, dc, accts, n);
    guid mbx;
    int server;
    int64_t present, row = accountMailbox(x, dc, plain, &mbx, &server) ? findMailbox(x, server, &mbx) : 0;
    char dn[512];
    out->out = OUT_DUPLICATE;
    snprintf(out->detail, sizeof out->detail, "%zu accounts; counted: %s", n,
             exAccountDn(x, dc, plain, dn, sizeof dn));
    return counters(x, row, user, out, &present);
}

msStatus judgeUser(exchange *x, int dc, uint32_t user, userVerdict *out) {
    memset(out, 0, sizeof *out);
    out->user = user;
    out->out = OUT_ABSENT;
    const srcUser *su = sourceUser(&x->src, user);
    if (!su) return MS_OK;
    guid accts[MAX_ACCOUNTS], owner, mbx;
    size_t n = dirFindByProxy(x->d, dc, su->x500, accts, MAX_ACCOUNTS);
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    if (n >= 2) return judgeDuplicate(x, dc, user, accts, n, out);
    char mg[GUID_STRLEN];
    int64_t present = 0;
    passInfo last;
    if (wizLastPass(x, user, &last) && dirFindByMailboxGuid(x->d, dc, &last.mbx, &owner, 1) == 0) {
        out->out = OUT_GHOST;
        snprintf(out->detail, sizeof out->detail, "last pass (run %d, %s) went into mailbox %s, which no live account owns",
                 last.run, last.merge ? "merge" : "clone", guidFormat(&last.mbx, mg));
        return counters(x, findMailbox(x, last.server, &last.mbx), user, out, &present);
    }
    if (n == 0) {
        snprintf(out->detail, sizeof out->detail, "no account carries the user's X500 address");
        return counters(x, 0, user, out, &present);
    }
    int server;
    int64_t row = accountMailbox(x, dc, &accts[0], &mbx, &server) ? findMailbox(x, server, &mbx) : 0;
    msStatus rc = counters(x, row, user, out, &present);
    if (rc != MS_OK) return rc;
    if (row == 0 || present == 0) {
        out->out = OUT_UNMIGRATED;
        snprintf(out->detail, sizeof out->detail, row ? "mailbox %s holds no source item" : "no mailbox %s in any store",
                 guidFormat(&mbx, mg));
        return MS_OK;
    }
    passInfo into;
    int have = wizLastPassInto(x, &mbx, &into);
    if (have && strcmp(into.status, "completed") != 0) {
        out->out = OUT_PARTIAL;
        snprintf(out->detail, sizeof out->detail, "last pass into mailbox %s (run %d) %s", guidFormat(&mbx, mg),
                 into.run, into.status);
        return MS_OK;
    }
    out->out = wizMergedInto(x, &mbx) ? OUT_MERGED : OUT_CLONED;
    snprintf(out->detail, sizeof out->detail, "mailbox %s%s", guidFormat(&mbx, mg),
             out->out == OUT_MERGED ? ": a pass ran in merge mode" : "");
    return MS_OK;
}

int64_t judgeStranded(exchange *x, int dc) {
    mbxRow *v = NULL;
    size_t n = 0;
    int64_t total = 0;
    if (storeList(&x->st, -1, &v, &n) != MS_OK) return 0;
    for (size_t i = 0; i < n; i++) {
        guid owner;
        if (dirFindByMailboxGuid(x->d, dc, &v[i].g, &owner, 1) > 0) continue;
        int64_t k = storeForeignItems(&x->st, v[i].id);
        if (k > 0) total += k;
    }
    free(v);
    return total;
}
