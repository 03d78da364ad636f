/*
** Invariants, checked.  The essays at the top of the files state what always
** holds (the event heap is ordered, a DC's USN only grows, a stamp only
** grows, ...); these macros make the code say it where the state changes,
** in the spirit of SQLite's assert(), ALWAYS() and NEVER().
**
**   msAssert(X)  X holds here.  Checked in a checking build; in the release
**                build it compiles to nothing and X is not evaluated, so X
**                may be as costly as a check needs (but keep it local: the
**                test suite runs with the checks on and should stay fast).
**   ALWAYS(X)    X is believed always true, but the code keeps a defensive
**                branch for the case it is not:  if (ALWAYS(p)) use(p);
**   NEVER(X)     X is believed never true, same idea:
**                if (NEVER(at < now)) at = now;
**                Both are expressions with the value of X.  In a checking
**                build a surprise aborts; in the release build X is
**                evaluated and nothing else happens, so the defensive branch
**                still runs.
**
** A failure prints "FILE:LINE: invariant failed: X" on stderr and aborts.
**
** The checking build is the one the tests run (`make check`, `make san`,
** `make valgrind`, `make fuzz`: -DMIGSIM_CHECKS); `make`, `make demo`,
** `make bench` and an installed migsim are release builds with the checks
** off.  Why both, and why the split: the tests are what prove an invariant,
** so that is where a broken one must stop the run at once, at the place it
** broke, rather than show up later as a wrong verdict.  A user's run gains
** nothing from a crash, and a check costs time on the hot paths the
** benchmarks measure; but where the code can still do something sensible
** when a belief turns out wrong (clamp, skip, refuse), the release build
** keeps doing it: that is what ALWAYS and NEVER are for.  The coverage trick
** SQLite also plays with these macros (ALWAYS(X) as 1 so a branch never
** taken does not count as untested) is not needed here.
**
** The macros are plain on purpose: an expression test and a call, nothing
** that could change what X means or how often it is evaluated (exactly once
** for ALWAYS and NEVER, in both builds).  A variable or helper that only a
** check uses goes inside #ifdef MIGSIM_CHECKS, as SQLite does with
** SQLITE_DEBUG, so the release build has no unused code to warn about.
*/
#ifndef MIGSIM_INVARIANT_H
#define MIGSIM_INVARIANT_H

/* Print "file:line: invariant failed: expr" on stderr and abort. */
_Noreturn void msInvariantFailed(const char *file, int line, const char *expr);

#ifdef MIGSIM_CHECKS
#define msAssert(X) ((X) ? (void)0 : msInvariantFailed(__FILE__, __LINE__, #X))
#define ALWAYS(X) ((X) ? 1 : (msInvariantFailed(__FILE__, __LINE__, #X), 0))
#define NEVER(X) ((X) ? (msInvariantFailed(__FILE__, __LINE__, #X), 1) : 0)
#else
#define msAssert(X) ((void)0)
#define ALWAYS(X) ((X) ? 1 : 0)
#define NEVER(X) ((X) ? 1 : 0)
#endif

#endif
