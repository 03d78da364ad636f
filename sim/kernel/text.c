/*
** Text copies; see text.h.
*/
#include <stdlib.h>
#include <string.h>
#include "kernel/text.h"

char *textDup(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
