/*
** One explored world: a generated scenario (run/gen.h) rendered as text,
** parsed and run exactly as `migsim run` would run the file, and judged
** against the invariants it ends with (run/checker.h); and the shrinking of
** a world that broke one (run/shrink.h) with "breaks the same invariant,
** with no failed step" as the predicate, or of a world whose run the
** migrator stopped with an error of its own, with "stops on an error of
** the same kind".  Each run is a sim of its own,
** freed before the next: any number run back to back in one process.
*/
#ifndef MIGSIM_EXPLORE_H
#define MIGSIM_EXPLORE_H

#include <stddef.h>
#include "run/gen.h"
#include "run/shrink.h"

typedef struct exploreVerdict {
    int step_failed;     /* a step failed: the run stopped there and judged nothing */
    int run_error;       /* the run stopped on an error (a migrator's, say: exit 2); why says it */
    int fail_line;
    char why[512];       /* the failed step's reason */
    unsigned broken;     /* bit c: checker c broken (its expectation failed and the result agrees) */
    unsigned disagree;   /* bit c: its expectation and the result's outcomes said different things */
} exploreVerdict;

/*
** Parse text (len bytes, named file in messages) and run it with the
** migrator spec names (as `--migrator SPEC`; NULL: the scenario's), then judge the checkers
** of mask invariants.  MS_OK with *v filled for any run that ran, failed
** steps and runs stopped by an error (v->run_error) included; MS_INPUT when
** the text does not parse or the world cannot be built, MS_NOMEM, with the
** reason in err.
*/
msStatus exploreRunText(const char *file, const char *text, size_t len, const char *spec, unsigned invariants,
                        exploreVerdict *v, char *err, size_t errsz);

/* exploreRunText on g rendered (g->invariants are judged). */
msStatus exploreRunGen(const genScn *g, const char *spec, exploreVerdict *v, char *err, size_t errsz);

/*
** Shrink g, which breaks checker c with no failed step, to a smaller
** scenario that still does (at most budget runs); g->invariants becomes c's
** bit alone.  MS_INPUT when g does not break c to begin with.
*/
msStatus exploreShrink(genScn *g, int c, const char *spec, int budget, shrinkStats *st, char *err,
                       size_t errsz);

/*
** Shrink g, whose run stops on the migrator's error why (exploreVerdict.why
** of a run_error), to a smaller scenario whose run stops on an error of
** the same kind (exploreSameError), at most budget runs.  g->invariants
** becomes 0: the run stops before any expectation, so none is written.
** On MS_OK, last (lastsz bytes) holds the error the shrunk scenario stops
** on.  MS_INPUT when g does not stop on such an error to begin with.
*/
msStatus exploreShrinkError(genScn *g, const char *spec, const char *why, int budget, shrinkStats *st, char *last,
                            size_t lastsz, char *err, size_t errsz);

/*
** 1 when errors a and b are of the same kind: the same text once every run
** of digits is read as one mark.  A migrator's message quotes counts and
** names ("13 source users", "user7") that shrinking changes; anything else
** in it must stay.
*/
int exploreSameError(const char *a, const char *b);

#endif
