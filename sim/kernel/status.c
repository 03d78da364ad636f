/*
** Status codes: the mapping from msStatus to exit codes and names.
*/
#include "kernel/status.h"

int msExitCode(msStatus st) {
    if (st == MS_OK) return 0;
    if (st == MS_FAIL) return 1;
    return 2;
}

const char *msStatusName(msStatus st) {
    switch (st) {
    case MS_OK: return "ok";
    case MS_FAIL: return "failed";
    case MS_INPUT: return "bad input";
    case MS_RANGE: return "out of range";
    case MS_IO: return "i/o error";
    case MS_NOMEM: return "out of memory";
    }
    return "unknown status";
}
