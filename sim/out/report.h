/*
** The report of a finished run: the verdict, every expectation, each source
** user's outcome with its counters, and the stranded items, gathered once
** from the run and then written in whichever forms the user asked for: the
** closing table of the narrative, a one-line verdict, --json (json.c) and
** --db (resultsdb.c).  Every form is a pure function of the report, so the
** same run gives byte-identical output in each.
*/
#ifndef MIGSIM_REPORT_H
#define MIGSIM_REPORT_H

#include <stdio.h>
#include "kernel/atomicfile.h"
#include "exchange/exchange.h"
#include "run/sim.h"

typedef struct runReport {
    const sim *s;
    userVerdict *verdicts;   /* s->scn->nusers entries */
    uint32_t nusers;
    int64_t stranded;
    int judged_dc;           /* DC read for the outcomes; -1 if none */
    int converged;           /* whether the directory had converged at the end */
    msStatus verdict;        /* MS_OK or MS_FAIL */
} runReport;

/*
** Gather the report of run s (which must outlive r).  Usually s has finished;
** a run stopped part way (lab mode, a fuzzer's step budget) gives the report
** of the moment: the expectations judged so far and the outcomes as they stand.
*/
msStatus reportCollect(sim *s, runReport *r);

/* Release what r owns. */
void reportFree(runReport *r);

/* The closing outcome table, as the narrative ends it. */
void reportPrintTable(const runReport *r, FILE *f);

/* The failed expectations and the failed step, one line each (for --quiet). */
void reportPrintFailures(const runReport *r, FILE *f);

/*
** The one verdict line: "verdict: PASS (12 expectations held; ...)", or
** "verdict: NONE (no expectations; ...)" for a run that checked nothing.
*/
void reportPrintVerdict(const runReport *r, FILE *f);

/*
** Whether the run passed without checking anything (no expectation, no
** failed step): a check that checks nothing must not read as a pass.  Its
** exit status is still 0.
*/
int reportIsEmpty(const runReport *r);

/* "pass", "fail", or "none" (reportIsEmpty). */
const char *reportVerdictWord(const runReport *r);

/* The failure of the run in one line (step failure first), or NULL when it passed. */
const char *reportFailure(const runReport *r, char *buf, size_t bufsz);

/* The whole report as one JSON document (schema in docs/results.md). */
msStatus reportWriteJson(const runReport *r, FILE *f);

/*
** The report as a SQLite database at the planned output t (which must be
** OUT_REPLACE: atomicfile.h), written atomically: built in a temporary file
** beside the destination and renamed over it only when complete.  On failure
** nothing is left at the destination or beside it, and why says what failed.
*/
msStatus reportWriteDb(const runReport *r, const outTarget *t, char *why, size_t whysz);

#endif
