/*
** The report of `migsim check` as data, for continuous integration: one
** case per scenario file (passed, failed with every failed expectation and
** the failed step, empty, or an error that kept it from running), written
** as JUnit XML (--junit) or JSON (--json).  Both forms are pure functions
** of the report: no wall-clock time, no host name, no absolute path that
** was not given, so the same tree checks to the same bytes.  The schemas
** are in docs/results.md, "check for CI".
*/
#ifndef MIGSIM_CHECKREPORT_H
#define MIGSIM_CHECKREPORT_H

#include <stddef.h>
#include <stdio.h>
#include "kernel/clock.h"
#include "kernel/status.h"

typedef enum checkStatus {
    CHECK_PASS,
    CHECK_FAIL,      /* an expectation or a step failed */
    CHECK_EMPTY,     /* ran, checked nothing */
    CHECK_ERROR      /* could not run: unreadable, does not parse, not set up */
} checkStatus;

/* One failed expectation. */
typedef struct checkFailure {
    int line;
    char *text;      /* the expect statement as written */
    char *found;     /* what was found, in words */
} checkFailure;

typedef struct checkCase {
    char *file;                /* the scenario's path as check names it */
    checkStatus status;
    int empty_allowed;         /* CHECK_EMPTY passes (--allow-empty) */
    size_t nexpects;           /* expectations judged */
    checkFailure *failures;
    size_t nfailures, capfailures;
    int step_failed, step_line;
    char *step_why;
    char *error;               /* CHECK_ERROR: the one-line reason */
    simtime end;               /* virtual time the run ended at (0: it did not run) */
} checkCase;

typedef struct checkReport {
    checkCase *v;
    size_t n, cap;
} checkReport;

/* The counts check's summary line gives. */
typedef struct checkTally {
    int passed, failed, errors, empty;
} checkTally;

/* A new case for file at the end of r, zeroed but for the file, in *c.  MS_NOMEM out of memory. */
msStatus checkReportAdd(checkReport *r, const char *file, checkCase **c);

/* Record a failed expectation of c (strings copied).  MS_NOMEM out of memory. */
msStatus checkCaseFailure(checkCase *c, int line, const char *text, const char *found);

/* Make c a step failure at line (why copied), or an error (why copied).  MS_NOMEM out of memory. */
msStatus checkCaseStepFailed(checkCase *c, int line, const char *why);
msStatus checkCaseError(checkCase *c, const char *why);

/* Release what r owns. */
void checkReportFree(checkReport *r);

/* r's counts: an EMPTY case counts as passed when allowed, else as failed (and always as empty). */
checkTally checkReportTally(const checkReport *r);

/*
** r as JUnit XML on f: one testsuite "migsim check", a testcase per case,
** a <failure> listing every failed expectation as FILE:LINE: ..., an
** <error> for a case that could not run or whose step failed, <skipped> for
** an allowed EMPTY (an EMPTY that is not allowed is a failure).  Returns 0
** when f reports a write error.
*/
int checkReportJunit(const checkReport *r, FILE *f);

/* r as one JSON document on f (docs/results.md).  Returns 0 when f reports a write error. */
int checkReportJson(const checkReport *r, FILE *f);

#endif
