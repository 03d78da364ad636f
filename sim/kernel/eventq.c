/*
** The event queue: a binary min-heap on (at, seq).  See eventq.h.  The heap
** array doubles when full; pop moves the last element to the root and sifts
** it down.  Both keys are compared, so the order is total and independent of
** the heap's internal layout.
*/
#include <stdlib.h>
#include "kernel/array.h"
#include "kernel/eventq.h"
#include "kernel/invariant.h"

void eqInit(eventq *q) {
    q->heap = NULL;
    q->len = q->cap = 0;
    q->nextseq = 0;
}

void eqFree(eventq *q) {
    free(q->heap);
    eqInit(q);
}

static int before(const event *a, const event *b) {
    if (a->at != b->at) return a->at < b->at;
    return a->seq < b->seq;
}

#ifdef MIGSIM_CHECKS
/*
** Heap order around slot i: its parent is not after it and it is not after
** either child.  Checked where an element comes to rest after a push or a
** pop, the only places order can break, so each operation pays O(1) more
** and never a whole-heap scan.
*/
static int heapOrderAt(const eventq *q, size_t i) {
    size_t l = 2 * i + 1, r = l + 1;
    if (i > 0 && before(&q->heap[i], &q->heap[(i - 1) / 2])) return 0;
    if (l < q->len && before(&q->heap[l], &q->heap[i])) return 0;
    if (r < q->len && before(&q->heap[r], &q->heap[i])) return 0;
    return 1;
}
#endif

static void swap(event *a, event *b) {
    event t = *a;
    *a = *b;
    *b = t;
}

msStatus eqPush(eventq *q, simtime at, eventFn *fire, void *obj, int64_t arg,
                const char *what, uint64_t *seq) {
    if (q->len == q->cap && arrayGrow(&q->heap, &q->cap, sizeof *q->heap, 64) != MS_OK)
        return MS_NOMEM;
    size_t i = q->len++;
    q->heap[i] = (event){at, q->nextseq, fire, obj, arg, what ? what : "event"};
    if (seq) *seq = q->nextseq;
    q->nextseq++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&q->heap[i], &q->heap[parent])) break;
        swap(&q->heap[i], &q->heap[parent]);
        i = parent;
    }
    msAssert(heapOrderAt(q, i));
    return MS_OK;
}

const event *eqPeek(const eventq *q) {
    return q->len ? &q->heap[0] : NULL;
}

int eqPop(eventq *q, event *out) {
    if (q->len == 0) return 0;
    *out = q->heap[0];
    q->heap[0] = q->heap[--q->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->len && before(&q->heap[l], &q->heap[m])) m = l;
        if (r < q->len && before(&q->heap[r], &q->heap[m])) m = r;
        if (m == i) break;
        swap(&q->heap[i], &q->heap[m]);
        i = m;
    }
    msAssert(q->len == 0 || heapOrderAt(q, i));
    return 1;
}

size_t eqLen(const eventq *q) {
    return q->len;
}
