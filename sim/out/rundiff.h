/*
** The difference between two runs (`migsim diff`): their outcomes side by
** side per user, and the first point where their traces diverge.  A run is
** read into a diffRun from a run result (run/result.h: a scenario just run)
** or from a results database written by --db (resultsdb.c's schema), so the
** two sides may come from either.  Records are compared as typed values
** (time, kind, actor, subjects, fields), never by their prose; the field
** `line` (a scenario line number) is left out, so two scenarios that differ
** only by a comment or a blank line do not diverge.
*/
#ifndef MIGSIM_RUNDIFF_H
#define MIGSIM_RUNDIFF_H

#include <stdint.h>
#include <stdio.h>
#include "judge/outcome.h"
#include "run/result.h"

/* One source user's outcome. */
typedef struct diffUser {
    char *name;
    char *outcome;                 /* outcomeName's word */
    int counted;                   /* 0: no mailbox judged, no counters */
    int64_t ctr[CTR__COUNT];       /* extra, dupes, missing, rules_broken */
} diffUser;

/* One trace record as compared; strings NULL when the subject is absent. */
typedef struct diffRecord {
    int64_t at;                    /* virtual time, ms */
    char *kind, *actor;
    char *user, *dc, *peer, *server, *mailbox, *object;
    int run;                       /* 0: none */
    char *fields;                  /* the fields but `line`, as compact JSON in their order */
    char *text;                    /* the narrative message: shown, never compared */
} diffRecord;

typedef struct diffRun {
    char *label;                   /* how the run is named in the output */
    char *verdict;                 /* "pass", "fail" or "none" */
    int64_t stranded;
    diffUser *users;
    size_t nusers;
    diffRecord *recs;
    size_t nrecs, cap;
} diffRun;

/* What differs between two runs. */
typedef struct diffSummary {
    size_t users_differ;           /* rows of the outcome table that differ (or are on one side only) */
    int stranded_differ;
    int diverged;                  /* 1 when the traces differ */
    size_t at;                     /* the first differing record's index (the common prefix's length) */
} diffSummary;

/*
** Read run result r into d under label (copied).  MS_NOMEM when out of
** memory; d is then freeable with diffRunFree either way.
*/
msStatus diffRunFromResult(const runResult *r, const char *label, diffRun *d);

/*
** Read the results database at path (a --db file) into d, labelled
** "path (scenario, seed N)".  MS_INPUT with a one-line reason in why when it
** cannot be read or is not a migsim results database; MS_NOMEM when out of
** memory.  d is freeable with diffRunFree either way.
*/
msStatus diffRunFromDb(const char *path, diffRun *d, char *why, size_t whysz);

/* Release what d owns (safe on a zeroed or partly filled d). */
void diffRunFree(diffRun *d);

/* 1 when records x and y are the same: every typed part but `line` and the prose. */
int diffRecordSame(const diffRecord *x, const diffRecord *y);

/* Compare a and b into *s. */
void diffCompare(const diffRun *a, const diffRun *b, diffSummary *s);

/* 1 when s found any difference. */
int diffFound(const diffSummary *s);

/*
** Print the comparison on f: the two runs named, the outcome table side by
** side (a differing row marked '*'), the divergence with up to context
** records in common before it and each side's record there, and a summary
** line.  Returns 0 when f reports a write error.
*/
int diffPrint(const diffRun *a, const diffRun *b, const diffSummary *s, size_t context, FILE *f);

#endif
