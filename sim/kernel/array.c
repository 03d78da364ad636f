/*
** Growable arrays: the one doubling rule.  See array.h.  The array pointer is
** passed by address as void * and read and written with memcpy, so callers can
** pass a pointer of any object type without a cast through void **.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"

msStatus arrayGrow(void *arrp, size_t *cap, size_t elem, size_t first) {
    size_t ncap = *cap ? *cap * 2 : first;
    if (ncap < *cap || ncap > SIZE_MAX / elem) return MS_NOMEM;
    void *old;
    memcpy(&old, arrp, sizeof old);
    void *nv = realloc(old, ncap * elem);
    if (!nv) return MS_NOMEM;
    memcpy(arrp, &nv, sizeof nv);
    *cap = ncap;
    return MS_OK;
}
