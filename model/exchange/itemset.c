/*
** A mailbox's items in C.  See itemset.h for the representation and its
** invariants.
**
** The index is an open-addressing table with linear probing, at most half
** full (nslot >= 2 * cap), whose slots hold 1 + the position of the newest
** item of a key; older items of the key follow through next[].  Growth
** happens before anything changes, so a failed allocation leaves the set as
** it was; removals rebuild the table in place, which cannot fail.
*/
#include <stdlib.h>
#include <string.h>
#include "exchange/itemset.h"
#include "kernel/invariant.h"

/* Search keys are drawn at random, but a test may write any; mix them. */
static size_t home(const itemSet *s, int64_t skey) {
    uint64_t h = (uint64_t)skey * 0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 29)) & (s->nslot - 1);
}

/* The slot holding skey's chain, or the empty slot where it would go. */
static size_t slotOf(const itemSet *s, int64_t skey) {
    size_t i = home(s, skey);
    while (s->slot[i] && s->v[s->slot[i] - 1].skey != skey) i = (i + 1) & (s->nslot - 1);
    return i;
}

/* Make item i the head of its key's chain. */
static void link(itemSet *s, size_t i) {
    size_t k = slotOf(s, s->v[i].skey);
    s->next[i] = s->slot[k];
    s->slot[k] = (uint32_t)(i + 1);
}

static void rebuild(itemSet *s) {
    if (!s->nslot) return;
    memset(s->slot, 0, s->nslot * sizeof *s->slot);
    for (size_t i = 0; i < s->n; i++) link(s, i);
    s->work += s->n;
}

/* Room for `more` more items, the index at most half full; nothing changes on failure. */
static msStatus reserveFor(itemSet *s, size_t more) {
    if (more <= s->cap - s->n) return MS_OK;
    size_t cap = s->cap ? s->cap : 16;
    while (cap - s->n < more && cap <= UINT32_MAX / 8) cap *= 2;
    if (cap - s->n < more || cap > UINT32_MAX / 4) return MS_NOMEM;
    storeItem *v = realloc(s->v, cap * sizeof *v);
    if (!v) return MS_NOMEM;
    s->v = v;
    uint32_t *next = realloc(s->next, cap * sizeof *next);
    if (!next) return MS_NOMEM;
    s->next = next;
    uint32_t *slot = calloc(cap * 2, sizeof *slot);
    if (!slot) return MS_NOMEM;
    free(s->slot);
    s->slot = slot;
    s->nslot = cap * 2;
    s->cap = cap;
    rebuild(s);
    return MS_OK;
}

static msStatus reserve(itemSet *s) {
    return reserveFor(s, 1);
}

void itemSetFree(itemSet *s) {
    free(s->v);
    free(s->next);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

msStatus itemSetAppend(itemSet *s, const storeItem *it) {
    msAssert(s->n == 0 || s->v[s->n - 1].id < it->id);
    if (reserve(s) != MS_OK) return MS_NOMEM;
    s->v[s->n] = *it;
    link(s, s->n);
    s->n++;
    return MS_OK;
}

/* The first position whose id is at least id. */
static size_t lowerBound(const itemSet *s, int64_t id) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int64_t itemSetFindId(const itemSet *s, int64_t id) {
    size_t i = lowerBound(s, id);
    return i < s->n && s->v[i].id == id ? (int64_t)i : -1;
}

msStatus itemSetInsert(itemSet *s, const storeItem *it) {
    if (s->n == 0 || s->v[s->n - 1].id < it->id) return itemSetAppend(s, it);
    size_t at = lowerBound(s, it->id);
    if (s->v[at].id == it->id) return MS_FAIL;
    if (reserve(s) != MS_OK) return MS_NOMEM;
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof *s->v);
    s->work += s->n - at;
    s->v[at] = *it;
    s->n++;
    rebuild(s);
    return MS_OK;
}

msStatus itemSetAddAll(itemSet *s, const storeItem *v, size_t n) {
    if (!n) return MS_OK;
    if (reserveFor(s, n) != MS_OK) return MS_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (itemSetFindId(s, v[i].id) >= 0) return MS_FAIL;
    /* Both runs ascend: merge them from the back, in place. */
    size_t a = s->n, b = n, w = s->n + n;
    while (b > 0) {
        if (a > 0 && s->v[a - 1].id > v[b - 1].id) s->v[--w] = s->v[--a];
        else s->v[--w] = v[--b];
        s->work++;
    }
    s->n += n;
    rebuild(s);
    msAssert(itemSetCheck(s));
    return MS_OK;
}

msStatus itemSetRemoveAt(itemSet *s, size_t i) {
    if (i >= s->n) return MS_INPUT;
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
    s->n--;
    rebuild(s);
    return MS_OK;
}

msStatus itemSetKeep(itemSet *s, const unsigned char *keep) {
    size_t w = 0;
    for (size_t i = 0; i < s->n; i++)
        if (keep[i]) s->v[w++] = s->v[i];
    s->n = w;
    rebuild(s);
    return MS_OK;
}

int64_t itemSetFirst(const itemSet *s, int64_t skey) {
    if (!s->nslot) return -1;
    size_t k = slotOf(s, skey);
    return (int64_t)s->slot[k] - 1;
}

msStatus itemSetReindex(itemSet *s) {
    rebuild(s);
    return MS_OK;
}

int itemSetCheck(const itemSet *s) {
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i - 1].id >= s->v[i].id) return 0;
    size_t reached = 0;
    for (size_t i = 0; i < s->n; i++) {
        int64_t first = itemSetFirst(s, s->v[i].skey);
        int found = 0;
        for (int64_t j = first; j >= 0; j = itemSetNextSame(s, j)) {
            if (s->v[j].skey != s->v[i].skey) return 0;
            found += (size_t)j == i;
        }
        if (found != 1) return 0;
        reached++;
    }
    return reached == s->n;
}
