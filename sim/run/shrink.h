/*
** The shrinker of `migsim explore`: a generated scenario that breaks an
** invariant, made as small as it can be while it still breaks it.
**
** Shrinking works on the genScn value (run/gen.h), never on text, so every
** candidate is a well-formed scenario: removing a user renumbers the others
** in every step, removing a DC re-points what named it.  The passes, each
** repeated until it finds nothing, the whole round repeated until a round
** finds nothing:
**
**   1. delta debugging over the steps (ddmin: remove halves, then quarters,
**      ... then single steps; a removal that keeps the failure is kept and
**      the granularity coarsened again);
**   2. drop a DC's or a link's failure together with its restore;
**   3. drop users, the last first;
**   4. one site: every DC into the first site, the links and their
**      failures gone;
**   5. drop DCs, the last first (a site left empty goes too);
**   6. shorten waits, each to the shortest of the generator's waits that
**      keeps the failure;
**   7. simpler values: AD 2003, no latency line, one item count, fewer items,
**      one folder, no rules, the default rate, everything on DC1, no
**      `dc=` on a migrate, one message per delivery, `all` for a migrate or
**      cleanup (else fewer users), cancel at 0, fewer users per delivery
**      or logon.
**
** Every candidate is tried with the caller's predicate ("does it still fail
** the same way?"); the shrinker keeps the first candidate that does.  It is
** deterministic (no randomness, candidates in a fixed order) and bounded:
** at most `budget` predicate calls, and every kept candidate is strictly
** smaller (fewer steps, users, DCs or sites, a shorter wait, a simpler
** value), so it also ends without the budget.
*/
#ifndef MIGSIM_SHRINK_H
#define MIGSIM_SHRINK_H

#include "kernel/status.h"
#include "run/gen.h"

/* The default bound on predicate calls of one shrink (docs/exploring.md). */
#define SHRINK_BUDGET 600

/*
** Whether candidate g still fails the same way: *holds 1 or 0.  Any status
** but MS_OK stops the shrink with that status.
*/
typedef msStatus shrinkPredicate(void *ctx, const genScn *g, int *holds);

typedef struct shrinkStats {
    int tries;       /* predicate calls */
    int kept;        /* candidates kept */
    int exhausted;   /* 1 when the budget ended it before a fixed point */
} shrinkStats;

/*
** Shrink *g, for which pred holds, in place; at most budget calls of pred.
** *g always holds a scenario for which pred held (the input, at worst).
*/
msStatus shrinkScenario(genScn *g, shrinkPredicate *pred, void *ctx, int budget, shrinkStats *st);

#endif
