/*
** The report of a run in its forms: the closing table of the narrative, the
** failures, a one-line verdict, --json (json.c) and --db (resultsdb.c).
** Every form is a pure function of the run's result (run/result.h), taken
** once from the run, so the same run gives byte-identical output in each and
** no form reaches into the live world.
*/
#ifndef MIGSIM_REPORT_H
#define MIGSIM_REPORT_H

#include <stdio.h>
#include "kernel/atomicfile.h"
#include "run/result.h"
#include "run/state.h"

/* The closing outcome table, as the narrative ends it. */
void reportPrintTable(const runResult *r, FILE *f);

/* The failed expectations and the failed step, one line each (for --quiet). */
void reportPrintFailures(const runResult *r, FILE *f);

/*
** The one verdict line: "verdict: PASS (12 expectations held; ...)", or
** "verdict: NONE (no expectations; ...)" for a run that checked nothing.
*/
void reportPrintVerdict(const runResult *r, FILE *f);

/* "pass", "fail", or "none" (resultIsEmpty: a check that checked nothing must not read as a pass). */
const char *reportVerdictWord(const runResult *r);

/* The failure of the run in one line (step failure first), or NULL when it passed. */
const char *reportFailure(const runResult *r, char *buf, size_t bufsz);

/* The whole report as one JSON document (schema in docs/results.md). */
msStatus reportWriteJson(const runResult *r, FILE *f);

/* reportWriteJson with a "state" object (out/view.h) after "stranded"; st NULL: none. */
msStatus reportWriteJsonState(const runResult *r, const simState *st, FILE *f);

/*
** The report as a SQLite database at the planned output t (which must be
** OUT_REPLACE: atomicfile.h), written atomically: built in a temporary file
** beside the destination and renamed over it only when complete.  On failure
** nothing is left at the destination or beside it, and why says what failed.
*/
msStatus reportWriteDb(const runResult *r, const outTarget *t, char *why, size_t whysz);

#endif
