/*
** The outcome judge (docs/model-exchange.md, "Outcomes").  It reads the
** state alone: the directory on one DC (the caller's; a converged directory
** reads the same everywhere), the mailbox stores and the source
** organization.  It never reads what a migrator recorded about its own work
** (the wizard's journal of passes, or any other migrator's), so two
** migrators that leave the same state get the same verdicts, and a
** migrator's bookkeeping cannot hide damage its writes did.
**
** Terms.  The user's accounts are the live accounts whose proxyAddresses
** hold the source user's X500 address.  An account's mailbox is the store
** mailbox on the server its homeMDB names whose GUID is the account's
** msExchMailboxGuid and that is not disconnected (a purged one has no rows).
** An orphaned mailbox is one no live account's msExchMailboxGuid names.
** Copies are items whose search key is one of the user's source items.  A
** source folder is kept when the mailbox has a folder with the source
** folder's ID and every copy of its items sits there.
**
** Per source user, checked in this order:
**
**   duplicate   two or more accounts
**   ghost       no account's mailbox holds a copy, but an orphaned one does
**   absent      no account (and no copy anywhere)
**   unmigrated  the account's mailbox does not exist or holds no copy
**   partial     it holds copies but misses at least one source item
**   merged      every source item there, a source folder not kept
**   cloned      every source item there, every source folder kept
**
** A source mailbox with no items has no copy to hold: its user is judged
** from the folders alone once the account's mailbox exists (the mailbox
** its msExchMailboxGuid names, live on its homeMDB server): cloned when
** every source folder is there with its ID, merged when one is not.  No
** such mailbox: unmigrated, as for any user.
**
** So a rerun that merged into a mailbox an earlier pass had cloned leaves it
** cloned: the merge found every item and kept the folders.  The counters
** are queries over the rows of the mailbox judged (ghost: the orphaned
** mailbox holding the most copies, ties to the older; duplicate: the mailbox
** of the account keeping the plain name): extra (items that are not copies),
** dupes (surplus copies), missing (source items absent) and rules_broken
** (rules whose folder ID names no folder of the mailbox).  An absent user has
** no mailbox judged, so no counters (counted = 0).  The detail may quote the
** store's own record of the last import session into the mailbox; it never
** decides anything.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/kernel.h"
#include "exchange/exchangeint.h"
#include "judge/judge.h"

#define MAX_ACCOUNTS 8

/* The account's mailbox row (0: none), its GUID into *mbx (zero if the
** account carries none). */
static int64_t accountMailbox(exchange *x, int dc, const guid *acct, guid *mbx) {
    const char *g = dirGet(x->d, dc, acct, A_MAILBOXGUID);
    const char *home = dirGet(x->d, dc, acct, A_HOMEMDB);
    int server = home ? exServerOfHomeMdb(x, home) : -1;
    memset(mbx, 0, sizeof *mbx);
    if (!g || guidParse(g, mbx) != 0 || server < 0) return 0;
    return storeFindLive(&x->st, server, mbx);
}

/* The counters of mailbox row for user; no mailbox misses everything.  With
** kept, also its source folders' keeping (kept->folders, ->folders_lost). */
static msStatus counters(exchange *x, int64_t row, uint32_t user, userVerdict *out, int64_t *present,
                         storeCopyCounts *kept) {
    const srcUser *su = sourceUser(&x->src, user);
    memset(out->counters, 0, sizeof out->counters);
    out->counted = 1;
    *present = 0;
    if (row == 0) {
        out->counters[CTR_MISSING] = su->nitems;
        return MS_OK;
    }
    storeCopyCounts cc;
    msStatus rc = storeCounters(&x->st, row, user, &cc, kept != NULL);
    if (rc != MS_OK) return rc;
    memcpy(out->counters, cc.c, sizeof out->counters);
    *present = cc.present;
    if (kept) *kept = cc;
    return MS_OK;
}

/* The account of accts (n of them) keeping the plain name (no CNF mangling). */
static const guid *plainAccount(exchange *x, int dc, const guid *accts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const char *name = dirGet(x->d, dc, &accts[i], A_NAME);
        if (name && !strchr(name, '\n')) return &accts[i];
    }
    return &accts[0];
}

/* Append the store's record of the last import session into row to detail. */
static void importDetail(exchange *x, int64_t row, char *detail, size_t sz) {
    importInfo im;
    size_t len = strlen(detail);
    if (!storeLastImport(&x->st, row, &im) || !im.mode[0] || len + 1 >= sz) return;
    len += (size_t)snprintf(detail + len, sz - len, "; %s pass: copied %lld, skipped %lld", im.mode,
                            (long long)im.copied, (long long)im.skipped);
    if (len + 1 < sz && (im.replaced || im.failed))
        snprintf(detail + len, sz - len, ", replaced %lld, failed %lld", (long long)im.replaced,
                 (long long)im.failed);
}

static msStatus judgeDuplicate(exchange *x, int dc, uint32_t user, const guid *accts, size_t n,
                               userVerdict *out) {
    const guid *plain = plainAccount(x, dc, accts, n);
    guid mbx;
    int64_t present, row = accountMailbox(x, dc, plain, &mbx);
    char dn[512];
    out->out = OUT_DUPLICATE;
    snprintf(out->detail, sizeof out->detail, "%zu accounts; counted: %s", n,
             exAccountDn(x, dc, plain, dn, sizeof dn));
    return counters(x, row, user, out, &present, NULL);
}

/*
** The orphaned mailbox holding the most copies of user's items (ties to the
** older mailbox: created first, then the lower row id), 0 if none holds any;
** *best_copies receives its copies.
*/
static msStatus bestOrphan(exchange *x, int dc, uint32_t user, mbxRow *best, int64_t *best_copies) {
    mbxRow *v = NULL;
    size_t n = 0;
    *best_copies = 0;
    memset(best, 0, sizeof *best);
    msStatus rc = storeList(&x->st, -1, &v, &n);
    if (rc != MS_OK) return rc;
    for (size_t i = 0; i < n; i++) {
        guid owner;
        if (dirFindByMailboxGuid(x->d, dc, &v[i].g, &owner, 1) > 0) continue;
        int64_t k = storeUserCopies(&x->st, v[i].id, user);
        if (k < 0) {
            rc = MS_NOMEM;
            break;
        }
        int older = v[i].created < best->created || (v[i].created == best->created && v[i].id < best->id);
        if (k > *best_copies || (k > 0 && k == *best_copies && older)) {
            *best = v[i];
            *best_copies = k;
        }
    }
    free(v);
    return rc;
}

/* Judge the copies in the mailbox of the user's only account: partial, merged or cloned. */
static msStatus judgeFilled(exchange *x, int64_t row, const storeCopyCounts *kept, const guid *mbx,
                            userVerdict *out) {
    char mg[GUID_STRLEN];
    guidFormat(mbx, mg);
    if (out->counters[CTR_MISSING] > 0) {
        out->out = OUT_PARTIAL;
        snprintf(out->detail, sizeof out->detail, "mailbox %s misses %lld source item%s", mg,
                 (long long)out->counters[CTR_MISSING], out->counters[CTR_MISSING] == 1 ? "" : "s");
        importDetail(x, row, out->detail, sizeof out->detail);
        return MS_OK;
    }
    int64_t total = kept->folders, lost = kept->folders_lost;
    out->out = lost ? OUT_MERGED : OUT_CLONED;
    if (lost)
        snprintf(out->detail, sizeof out->detail, "mailbox %s: %lld of %lld source folders not kept", mg,
                 (long long)lost, (long long)total);
    else
        snprintf(out->detail, sizeof out->detail, "mailbox %s", mg);
    importDetail(x, row, out->detail, sizeof out->detail);
    return MS_OK;
}

msStatus judgeUser(exchange *x, int dc, uint32_t user, userVerdict *out) {
    memset(out, 0, sizeof *out);
    out->user = user;
    out->out = OUT_ABSENT;
    const srcUser *su = sourceUser(&x->src, user);
    if (!su) return MS_OK;
    guid accts[MAX_ACCOUNTS], mbx;
    size_t n = dirFindByProxy(x->d, dc, su->x500, accts, MAX_ACCOUNTS);
    if (n > MAX_ACCOUNTS) n = MAX_ACCOUNTS;
    if (n >= 2) return judgeDuplicate(x, dc, user, accts, n, out);
    int64_t present = 0, row = n == 1 ? accountMailbox(x, dc, &accts[0], &mbx) : 0;
    storeCopyCounts kept = {0};
    if (n == 1) {
        msStatus rc = counters(x, row, user, out, &present, &kept);
        if (rc != MS_OK) return rc;
    }
    char mg[GUID_STRLEN];
    if (present == 0) {
        mbxRow orphan;
        int64_t copies;
        msStatus rc = bestOrphan(x, dc, user, &orphan, &copies);
        if (rc != MS_OK) return rc;
        if (copies > 0) {
            out->out = OUT_GHOST;
            snprintf(out->detail, sizeof out->detail, "no account's mailbox holds a copy; orphaned mailbox %s holds %lld",
                     guidFormat(&orphan.g, mg), (long long)copies);
            return counters(x, orphan.id, user, out, &present, NULL);
        }
    }
    if (n == 0) {
        out->counted = 0;
        snprintf(out->detail, sizeof out->detail, "no account carries the user's X500 address");
        return MS_OK;
    }
    /* Nothing to copy: an existing mailbox is judged by its folders (above). */
    if (present == 0 && !(su->nitems == 0 && row)) {
        out->out = OUT_UNMIGRATED;
        guidFormat(&mbx, mg);
        if (row)
            snprintf(out->detail, sizeof out->detail, "mailbox %s holds no copy", mg);
        else if (guidIsNil(&mbx))
            snprintf(out->detail, sizeof out->detail, "the account has no mailbox GUID");
        else
            snprintf(out->detail, sizeof out->detail, "no mailbox %s on the account's homeMDB server", mg);
        return MS_OK;
    }
    return judgeFilled(x, row, &kept, &mbx, out);
}

static int cmpKey(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* 1 when key is among the n sorted keys of v. */
static int hasKey(const int64_t *v, size_t n, int64_t key) {
    return n > 0 && bsearch(&key, v, n, sizeof *v, cmpKey) != NULL;
}

/*
** Stranded mail, from the state alone: the items that are not copies of
** source items (counted once per search key) that sit in an orphaned
** mailbox or in the holding area (the PST an export wrote), and in no
** mailbox a live account owns.  So an export alone strands nothing less, a
** purge after it leaves the mail stranded in the holding area only, and an
** import into the current mailbox places it.
*/
int64_t judgeStranded(exchange *x, int dc) {
    mbxRow *v = NULL;
    size_t n = 0, nl = 0, cl = 0, np = 0, cp = 0;
    int64_t *lost = NULL, *placed = NULL, total = 0;
    msStatus rc = storeList(&x->st, -1, &v, &n);
    for (size_t i = 0; rc == MS_OK && i < n; i++) {
        guid owner;
        if (dirFindByMailboxGuid(x->d, dc, &v[i].g, &owner, 1) > 0)
            rc = storeForeignKeys(&x->st, v[i].id, &placed, &np, &cp);
        else
            rc = storeForeignKeys(&x->st, v[i].id, &lost, &nl, &cl);
    }
    if (rc == MS_OK) rc = holdingKeys(x, &lost, &nl, &cl);
    if (rc == MS_OK) {
        if (nl) qsort(lost, nl, sizeof *lost, cmpKey);
        if (np) qsort(placed, np, sizeof *placed, cmpKey);
        for (size_t i = 0; i < nl; i++)
            if ((i == 0 || lost[i] != lost[i - 1]) && !hasKey(placed, np, lost[i])) total++;
    } else {
        kernelFault(x->k, rc);
    }
    free(v);
    free(lost);
    free(placed);
    return total;
}
