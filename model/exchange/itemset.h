/*
** A mailbox's items: the rows of one mailbox of a target store (store.h),
** kept in C.
**
** Each item is (id, fid, skey, size, mtime): its store-wide id, the folder
** ID it sits in, its search key (the model's PR_SEARCH_KEY), its size and its
** last-modification time.  The set keeps them in a plain array in ascending
** id order, so every walk is in id order and never depends on addresses or
** on hashing.  Beside the array is an index from search key to the items
** holding it (an open-addressing table of chain heads, each item linking to
** the next one with the same key): the merge asks, per source item, for the
** copies with its key, and the judge and the holding area ask whether a key
** is there.  The index answers lookups only; nothing iterates over it.
**
** Invariants (checked by itemSetCheck in a checking build):
** - ids strictly ascend along the array;
** - every item is reachable from the index under its own key, exactly once.
**
** Why not SQLite rows: a store's items were rows of the run's SQLite
** database, and writing and reading them was most of a small run's cost
** (about 7,900 instructions per item copied, read by the merge and judged).
** The same work here is an append and a few probes.  SQL still sees the
** items, through the `item` virtual table (storetable.c).
*/
#ifndef MIGSIM_ITEMSET_H
#define MIGSIM_ITEMSET_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/status.h"

typedef struct storeItem {
    int64_t id, fid, skey, size, mtime;
} storeItem;

typedef struct itemSet {
    storeItem *v;          /* ascending id */
    size_t n, cap;
    uint32_t *next;        /* next[i]: 1 + the next item with v[i]'s key, 0: none */
    uint32_t *slot;        /* 1 + the first item of a key, 0: empty; nslot a power of two */
    size_t nslot;
    uint64_t work;         /* items walked or shifted by reindexing and insertions: a measure, for tests */
} itemSet;

/* Free what s owns and leave it empty. */
void itemSetFree(itemSet *s);

/*
** Append an item whose id is above every id in s (the store hands ids out
** in ascending order).  MS_NOMEM leaves s as it was.
*/
msStatus itemSetAppend(itemSet *s, const storeItem *it);

/* Insert an item with any id not yet in s, at its place in id order. */
msStatus itemSetInsert(itemSet *s, const storeItem *it);

/*
** Add n items (v in ascending id order, none of their ids in s) at their
** places in id order: one merge and one reindex, however many.  MS_FAIL
** (an id already there) and MS_NOMEM leave s as it was.
*/
msStatus itemSetAddAll(itemSet *s, const storeItem *v, size_t n);

/* Remove the item at position i (the rest keep their order). */
msStatus itemSetRemoveAt(itemSet *s, size_t i);

/*
** Keep only the items at positions where keep[i] is nonzero, in order (a
** batch removal: one pass and one reindex).
*/
msStatus itemSetKeep(itemSet *s, const unsigned char *keep);

/* The position of the item with id, or -1. */
int64_t itemSetFindId(const itemSet *s, int64_t id);

/* The position of the first item with search key skey (then follow
** itemSetNextSame), or -1. */
int64_t itemSetFirst(const itemSet *s, int64_t skey);

/* The position of the next item after position i with i's search key, or -1. */
static inline int64_t itemSetNextSame(const itemSet *s, int64_t i) {
    return (int64_t)s->next[i] - 1;
}

/* Rebuild the index after items' search keys changed in place. */
msStatus itemSetReindex(itemSet *s);

/* 1 when the invariants hold (for msAssert). */
int itemSetCheck(const itemSet *s);

#endif
