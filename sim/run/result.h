/*
** The result of a run: a value that outlives the run object.  Everything the
** outputs show about a run (the verdict, every expectation, each source
** user's outcome with its counters and name, the stranded items, the closing
** figures and the trace) is copied out of the run once, by resultCollect;
** the text report, --json, --db and --trace render this value and never
** reach into the live world.  So a run can be freed, or go on stepping, the
** moment its result is taken.
*/
#ifndef MIGSIM_RESULT_H
#define MIGSIM_RESULT_H

#include <stdint.h>
#include "judge/outcome.h"
#include "kernel/trace.h"
#include "run/sim.h"

typedef struct runResult {
    char *scenario;          /* the scenario file as given */
    uint64_t seed;
    simtime end;             /* virtual time when it was taken (the end, for a finished run) */
    int finished;            /* 1 when the run had ended */

    int step_failed;         /* a step failed and the run stopped there */
    int fail_line;
    char *fail_why;          /* why it failed ("" when it did not) */

    expectResult *expects;   /* every expectation reached, in order */
    size_t nexpects, nfailed;

    uint32_t nusers;
    userVerdict *verdicts;   /* nusers, in user order */
    char **user_names;       /* nusers */
    int64_t stranded;
    char *judged_on;         /* the DC the outcomes were read on; NULL: none */
    int converged;           /* the directory had converged when taken */

    msStatus verdict;        /* MS_OK or MS_FAIL, as simVerdict */
    trace tr;                /* a copy of the run's trace records */
} runResult;

/*
** Take the result of run s into *r.  Usually s has finished; a run stopped
** part way (lab mode, a fuzzer's step budget) gives the result of the
** moment: the expectations judged so far and the outcomes as they stand.
** s is not changed.  On failure r holds nothing to free beyond resultFree.
*/
msStatus resultCollect(sim *s, runResult *r);

/* Release everything r owns (safe on a zeroed or partly filled result). */
void resultFree(runResult *r);

/* 1 when the run passed having checked nothing (no expectation, no failed step). */
int resultIsEmpty(const runResult *r);

#endif
