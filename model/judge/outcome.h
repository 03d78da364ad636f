/*
** Outcomes: the judge's verdict on one source user, and the counters that
** measure the damage (docs/semantics.md, "Outcomes").  These are the judge's
** vocabulary; the scenario language borrows it for `expect` lines, and the
** outputs print it.  The order of the enum is the order of the docs table,
** not the order in which the judge checks them.
*/
#ifndef MIGSIM_OUTCOME_H
#define MIGSIM_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

typedef enum outcome {
    OUT_CLONED, OUT_MERGED, OUT_GHOST, OUT_DUPLICATE, OUT_ABSENT, OUT_PARTIAL,
    OUT_UNMIGRATED, OUT__COUNT
} outcome;

/* Counters an outcome expectation may pin, in docs order. */
enum counterId { CTR_EXTRA, CTR_DUPES, CTR_MISSING, CTR_RULES_BROKEN, CTR__COUNT };

/* One user's verdict: outcome and counters. */
typedef struct userVerdict {
    uint32_t user;                    /* source user number, 1-based */
    outcome out;
    int counted;                      /* 1 when a mailbox was judged: counters meaningful */
    int64_t counters[CTR__COUNT];     /* extra, dupes, missing, rules_broken */
    char detail[160];                 /* a few words: which mailbox, which pass */
} userVerdict;

/* Lowercase name of an outcome ("cloned", ...); "?" when out of range. */
const char *outcomeName(outcome o);

/* The outcome the n bytes at s name, or -1. */
int outcomeParse(const char *s, size_t n);

/* Name of a counter ("extra", "dupes", "missing", "rules_broken"); "?" when out of range. */
const char *counterName(int c);

#endif
