/*
** The event queue: a binary min-heap of pending events ordered by
** (time, insertion sequence).  The sequence number is a per-queue counter
** bumped by every push, so two events due at the same instant always run in
** the order they were scheduled, whatever their addresses: this is what makes
** a run reproducible.
**
** An event is a function pointer with an object and an integer argument.  No
** event is ever removed from the middle of the heap; an owner that wants to
** cancel one bumps a generation number it keeps and passes in arg, and the
** handler ignores a stale event.  `what` is a static label for lab mode and
** debugging ("dc.notify", "wizard.slot"); it never affects order.
*/
#ifndef MIGSIM_EVENTQ_H
#define MIGSIM_EVENTQ_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/clock.h"
#include "kernel/status.h"

struct kernel;

/*
** An event's handler.  It returns MS_OK, or the status of a failure it could
** not absorb (memory, a store's SQL): the run then stops with exit 2, naming
** it in the kernel's err, instead of going on with a world that is no longer
** what the model says.
*/
typedef msStatus eventFn(struct kernel *k, void *obj, int64_t arg);

typedef struct event {
    simtime at;          /* when it is due */
    uint64_t seq;        /* insertion order, unique per queue */
    eventFn *fire;
    void *obj;
    int64_t arg;
    const char *what;    /* static label; never NULL */
} event;

typedef struct eventq {
    event *heap;
    size_t len, cap;
    uint64_t nextseq;
} eventq;

/* Make q an empty queue.  Allocates nothing. */
void eqInit(eventq *q);

/* Free q's storage; q becomes empty and may be reused after eqInit. */
void eqFree(eventq *q);

/*
** Schedule fire(k, obj, arg) at time at.  Returns MS_NOMEM if the heap cannot
** grow (the queue is then unchanged).  If seq is not NULL it receives the
** event's sequence number.
*/
msStatus eqPush(eventq *q, simtime at, eventFn *fire, void *obj, int64_t arg,
                const char *what, uint64_t *seq);

/* The earliest event, or NULL when q is empty.  Valid until the next push or pop. */
const event *eqPeek(const eventq *q);

/* Remove the earliest event into *out; return 0 when q was empty, else 1. */
int eqPop(eventq *q, event *out);

/* Number of pending events. */
size_t eqLen(const eventq *q);

#endif
