/*
** The names of outcomes and counters (outcome.h).
*/
#include <string.h>
#include "judge/outcome.h"

static const char *const outcomes[OUT__COUNT] = {
    "cloned", "merged", "ghost", "duplicate", "absent", "partial", "unmigrated",
};

static const char *const counters[CTR__COUNT] = {"extra", "dupes", "missing", "rules_broken"};

const char *outcomeName(outcome o) {
    return (unsigned)o < OUT__COUNT ? outcomes[o] : "?";
}

const char *counterName(int c) {
    return c >= 0 && c < CTR__COUNT ? counters[c] : "?";
}

int outcomeParse(const char *s, size_t n) {
    for (int i = 0; i < OUT__COUNT; i++)
        if (strlen(outcomes[i]) == n && memcmp(s, outcomes[i], n) == 0) return i;
    return -1;
}
