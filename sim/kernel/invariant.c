/*
** The one action of a broken invariant (invariant.h): say where and what,
** then abort, so a test run stops at the place the state went wrong and a
** debugger or core file shows the stack.  Built in every build, so a
** release library and a checking test program still link together.
*/
#include <stdio.h>
#include <stdlib.h>
#include "kernel/invariant.h"

void msInvariantFailed(const char *file, int line, const char *expr) {
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, expr);
    abort();
}
