/*
** The source organization, generated from the seed.  See source.h.
**
** Generation order is fixed (user by user: folders, then items, then rules)
** and every draw comes from the RNG_SOURCE stream, so the same seed gives the
** same organization on every machine.  Folder IDs are REPLID+GCN pairs as in
** Exchange (the replica id in the top 16 bits, a global counter below); they
** need no randomness to be unique.  Search keys are 63-bit draws.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/clock.h"
#include "kernel/invariant.h"
#include "exchange/source.h"

const char *const srcDefaultFolders[SRC_DEFAULT_FOLDERS] = {
    "Inbox", "Sent Items", "Deleted Items", "Calendar", "Contacts",
};

/* Names of the users' own folders; beyond the table, "Inbox/Folder N". */
static const char *const ownFolders[] = {
    "Inbox/Projects", "Inbox/Customers", "Inbox/Reports", "Archive", "Inbox/Travel",
    "Inbox/Finance", "Archive/2003", "Inbox/Newsletters",
};
#define NOWN (sizeof ownFolders / sizeof ownFolders[0])

const srcUser *sourceUser(const source *src, uint32_t u) {
    if (u < 1 || u > src->nusers) return NULL;
    return &src->users[u - 1];
}

void sourceFree(source *src) {
    free(src->users);
    free(src->items);
    free(src->bykey);
    free(src->folders);
    free(src->rules);
    memset(src, 0, sizeof *src);
}

static void folderPath(int64_t k, char *buf, size_t sz) {
    if (k < SRC_DEFAULT_FOLDERS)
        snprintf(buf, sz, "%s", srcDefaultFolders[k]);
    else if ((size_t)(k - SRC_DEFAULT_FOLDERS) < NOWN)
        snprintf(buf, sz, "%s", ownFolders[k - SRC_DEFAULT_FOLDERS]);
    else
        snprintf(buf, sz, "Inbox/Folder %lld", (long long)(k - SRC_DEFAULT_FOLDERS + 1));
}

/* One user's folders, items and rules (their arrays have room); fids
** receives the folder IDs. */
static void genUser(source *src, uint32_t u, const srcUser *su, rng *r, int64_t *gcn, int64_t *fids) {
    for (int64_t k = 0; k < su->nfolders; k++) {
        srcFolder *f = &src->folders[su->first_folder - 1 + k];
        fids[k] = ((int64_t)SRC_REPLID << 48) | ++*gcn;
        f->fid = fids[k];
        f->user = u;
        folderPath(k, f->path, sizeof f->path);
    }
    /* The draws in this order (folder, key, size, age) make the organization. */
    for (int64_t i = 0; i < su->nitems; i++) {
        srcItem *it = &src->items[su->first_item - 1 + i];
        it->user = u;
        it->fid = fids[rngBelow(r, (uint64_t)su->nfolders)];
        it->skey = (int64_t)(rngNext(r) >> 1);
        it->size = (int32_t)rngBetween(r, 1024, 256 * 1024);
        it->mtime = -rngBetween(r, MS_PER_SECOND, 365 * MS_PER_DAY);
    }
    int64_t own = su->nfolders - SRC_DEFAULT_FOLDERS;
    for (int64_t k = 0; k < su->nrules; k++) {
        srcRule *rl = &src->rules[su->first_rule - 1 + k];
        int64_t f = own > 0 ? SRC_DEFAULT_FOLDERS + k % own : 0;
        char path[48];
        folderPath(f, path, sizeof path);
        snprintf(rl->name, sizeof rl->name, "Rule %lld: move to %s", (long long)(k + 1), path);
        rl->user = u;
        rl->fid = fids[f];
    }
}

/* calloc of n records of size sz (at least one), NULL when n is out of range. */
static void *records(int64_t n, size_t sz) {
    size_t bytes;
    if (n < 0 || __builtin_mul_overflow((size_t)n, sz, &bytes)) return NULL;
    return calloc(n ? (size_t)n : 1, sz);
}

/* Room in src->items for src->nitems items (positions fit 32 bits); 0 when
** there is none. */
static int growItems(source *src, size_t *cap) {
    if (src->nitems > (int64_t)UINT32_MAX) return 0;
    size_t need = (size_t)src->nitems;
    if (need <= *cap) return 1;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need) ncap *= 2;
    srcItem *v = realloc(src->items, ncap * sizeof *v);
    if (!v) return 0;
    src->items = v;
    *cap = ncap;
    return 1;
}

/* The byte of key k that radix pass p sorts on, in signed order (the sign
** bit flipped, so negative keys, which generation never makes, would still
** come first). */
static unsigned keyByte(int64_t k, int p) {
    return (unsigned)((((uint64_t)k ^ ((uint64_t)1 << 63)) >> (8 * p)) & 0xff);
}

#ifdef MIGSIM_CHECKS
/* 1 when x comes before y in (skey, id) order. */
static int keyBefore(const srcKey *x, const srcKey *y) {
    return x->skey < y->skey || (x->skey == y->skey && x->pos < y->pos);
}
#endif

/*
** The search-key order of every item: (skey, id) is unique, so the order
** does not depend on the sort's algorithm.  A least-significant-byte radix
** sort, stable, over entries made in id order: equal keys stay in id order.
** qsort's calls through a comparator were a fortieth of a small run.
*/
static int sortKeys(source *src) {
    size_t n = (size_t)src->nitems;
    srcKey *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        a[i].skey = src->items[i].skey;
        a[i].pos = (uint32_t)i;
    }
    for (int p = 0; p < 8; p++) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) count[keyByte(a[i].skey, p) + 1]++;
        if (count[keyByte(n ? a[0].skey : 0, p) + 1] == n) continue;   /* one bucket: already in order */
        for (int k = 0; k < 256; k++) count[k + 1] += count[k];
        for (size_t i = 0; i < n; i++) b[count[keyByte(a[i].skey, p)]++] = a[i];
        srcKey *t = a;
        a = b;
        b = t;
    }
    free(b);
    for (size_t i = 1; i < n; i++) msAssert(keyBefore(&a[i - 1], &a[i]));
    src->bykey = a;
    return 1;
}

static void fillUser(srcUser *su, const srcConfig *cfg, uint32_t u) {
    if (cfg->names)
        snprintf(su->name, sizeof su->name, "%s", cfg->names[u - 1]);
    else
        snprintf(su->name, sizeof su->name, "%s%u", cfg->prefix ? cfg->prefix : "user", (unsigned)u);
    snprintf(su->legdn, sizeof su->legdn,
             "/o=Source/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
    snprintf(su->x500, sizeof su->x500, "X500:%s", su->legdn);
    snprintf(su->smtp, sizeof su->smtp, "%s@source.example", su->name);
}

msStatus sourceGenerate(source *src, const srcConfig *cfg, rng *r, char *err, size_t errsz) {
    memset(src, 0, sizeof *src);
    if (cfg->users <= 0) return MS_OK;
    src->nusers = (uint32_t)cfg->users;
    int64_t nf = SRC_DEFAULT_FOLDERS + cfg->folders, next_item = 1;
    int nomem = __builtin_mul_overflow(cfg->users, nf, &src->nfolders) ||
                __builtin_mul_overflow(cfg->users, cfg->rules, &src->nrules);
    src->users = calloc(src->nusers, sizeof *src->users);
    src->folders = nomem ? NULL : records(src->nfolders, sizeof *src->folders);
    src->rules = nomem ? NULL : records(src->nrules, sizeof *src->rules);
    int64_t *fids = malloc((size_t)nf * sizeof *fids);
    if (!src->users || !src->folders || !src->rules || !fids) {
        free(fids);
        snprintf(err, errsz, "source: out of memory");
        return MS_NOMEM;
    }
    int64_t gcn = 0;
    size_t cap = 0;
    for (uint32_t u = 1; !nomem && u <= src->nusers; u++) {
        srcUser *su = &src->users[u - 1];
        fillUser(su, cfg, u);
        su->nfolders = nf;
        su->first_folder = (int64_t)(u - 1) * nf + 1;
        su->nrules = cfg->rules;
        su->first_rule = (int64_t)(u - 1) * cfg->rules + 1;
        su->nitems = rngBetween(r, cfg->items_lo, cfg->items_hi);
        su->first_item = next_item;
        next_item += su->nitems;
        src->nitems += su->nitems;
        nomem = !growItems(src, &cap);
        if (!nomem) genUser(src, u, su, r, &gcn, fids);
    }
    free(fids);
    if (!nomem) nomem = !sortKeys(src);
    if (nomem) {
        snprintf(err, errsz, "source: out of memory for %lld items", (long long)src->nitems);
        return MS_NOMEM;
    }
    return MS_OK;
}

/* The first position in bykey whose search key is not below skey. */
static size_t keyBound(const source *src, int64_t skey) {
    size_t lo = 0, hi = (size_t)src->nitems;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (src->bykey[mid].skey < skey) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int sourceHasKey(const source *src, int64_t skey) {
    size_t i = keyBound(src, skey);
    return i < (size_t)src->nitems && src->bykey[i].skey == skey;
}

int64_t sourceUserItem(const source *src, uint32_t user, int64_t skey) {
    for (size_t i = keyBound(src, skey); i < (size_t)src->nitems && src->bykey[i].skey == skey; i++)
        if (src->items[src->bykey[i].pos].user == user) return src->bykey[i].pos;
    return -1;
}
