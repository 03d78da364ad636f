/*
** The invariants `migsim explore` checks a run against: one checker each,
** named, documented, said twice over the same judge.  Once as scenario
** text (the `expect` lines a generated scenario ends with, so `migsim run`
** on a found world fails on exactly that invariant), once as a function of
** the run result (run/result.h: the outcomes and the stranded count the
** judge read from the state at the end).  A run breaks an invariant when
** both say so; a run where they disagree is counted apart (it would mean an
** expectation and the closing judgement read different states).
**
**   no-duplicate  no user has two or more live accounts  (`duplicate`)
**   no-ghost      no user's copies sit only in a mailbox no account owns  (`ghost`)
**   no-missing    every user's mailbox holds every source item: no user
**                 `absent`, `unmigrated` or `partial`
**   no-merged     no user's folders lost their source IDs  (`merged`)
**   no-stranded   no delivered item sits in a mailbox no account owns  (stranded=0)
*/
#ifndef MIGSIM_CHECKER_H
#define MIGSIM_CHECKER_H

#include "run/result.h"

typedef enum checkerId {
    CHK_NO_DUPLICATE, CHK_NO_GHOST, CHK_NO_MISSING, CHK_NO_MERGED, CHK_NO_STRANDED,
    CHK__COUNT
} checkerId;

#define CHECKER_MAX_EXPECTS 3

typedef struct checker {
    const char *name;                          /* no-merged */
    const char *what;                          /* one line for help and docs */
    const char *expects[CHECKER_MAX_EXPECTS];  /* its expectations as scenario text, NULL-ended */
    int (*broken)(const runResult *r);         /* 1 when the run's end state breaks it */
} checker;

/* Checker id (0 .. CHK__COUNT-1). */
const checker *checkerGet(int id);

/* The id of the checker called name, or -1. */
int checkerFind(const char *name);

/* Whether checker id's expectations failed in r (matched by their text). */
int checkerExpectFailed(int id, const runResult *r);

#endif
