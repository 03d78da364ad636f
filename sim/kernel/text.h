/*
** Text copies.  The scenario language and the commands cut names and
** values out of larger buffers (a token of a line, the part of an option
** before '='), so they copy a counted run of bytes, not a NUL-terminated
** string.  One function does it, through malloc, so the allocation-failure
** test counts it like every other allocation.
*/
#ifndef MIGSIM_TEXT_H
#define MIGSIM_TEXT_H

#include <stddef.h>

/* A NUL-terminated copy of the n bytes at s (malloc'd), or NULL when out of memory. */
char *textDup(const char *s, size_t n);

#endif
