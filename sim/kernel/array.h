/*
** Growable arrays.  migsim keeps its lists (events, narrative lines,
** expectation results, scenario paths, ...) as a C array with a count and a
** capacity beside it, in creation order.  When the count reaches the capacity
** the array doubles (or starts at a first capacity chosen per list), so
** appending is amortized O(1).  This module is that one growth rule; the
** caller keeps its own count and tests `n == cap` before calling, so the
** common append pays no call.
*/
#ifndef MIGSIM_ARRAY_H
#define MIGSIM_ARRAY_H

#include <stddef.h>
#include "kernel/status.h"

/*
** Grow the array *arrp (any object pointer type, passed by address) of
** elements of size elem whose capacity is *cap: double it, or make it first
** when it is 0.  On success *arrp and *cap are updated; on failure (out of
** memory, or the size would overflow) both are left as they were and the old
** array stays valid.  Returns MS_OK or MS_NOMEM.
*/
msStatus arrayGrow(void *arrp, size_t *cap, size_t elem, size_t first);

#endif
