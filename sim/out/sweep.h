/*
** A sweep's results: many runs of one scenario, over every combination of
** some variables' values (--vary) and every seed of a range, reduced to a
** few numbers per combination (docs/sweeps.md).
**
** The data is plain: a sweepSpec says what was swept, one sweepRun per
** (combination, seed) says how that run ended, and sweepAgg sums the runs
** of a combination.  The outputs (the table on stdout, --csv, --db, --plot)
** are pure functions of the spec and the runs sorted by (combination,
** seed), so a sweep run in one process, in N worker processes, or in N
** shards merged afterwards gives the same bytes.  Nothing here reads a
** clock or records where or when a sweep ran.
**
** Combinations are numbered from 0 in odometer order: the last --vary
** changes fastest.  The plot's x axis is the last --vary; each combination
** of the others is one line.
*/
#ifndef MIGSIM_SWEEP_H
#define MIGSIM_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "judge/outcome.h"
#include "kernel/atomicfile.h"
#include "kernel/status.h"

#define SWEEP_FORMAT "migsim-sweep-1"

/* One varied variable: its values in the order given, each with a number for the plot. */
typedef struct sweepVary {
    char *name;
    char **values;          /* the words substituted for $NAME */
    double *x;              /* numeric value (seconds for durations; the index for words) */
    size_t n;
    int kind;               /* SWEEP_WORDS, SWEEP_NUMBERS or SWEEP_DURATIONS */
} sweepVary;

enum { SWEEP_WORDS, SWEEP_NUMBERS, SWEEP_DURATIONS };

/* The bad-result rule: a run is bad when any of its terms holds. */
typedef struct sweepBad {
    unsigned outcomes;      /* bit o: some user's outcome is o */
    int not_cloned;         /* some user's outcome is not cloned */
    int stranded;           /* stranded mail > 0 */
    int failed;             /* an expectation or a step failed */
} sweepBad;

typedef struct sweepSpec {
    char *scenario;         /* the file as given */
    uint64_t seed_lo, seed_hi;
    sweepVary *vary;
    size_t nvary;
    char *sets;             /* the --set options, "NAME=VALUE NAME=VALUE" in order ("" none) */
    char *migrator;         /* --migrator SPEC ("" the scenario's) */
    char *bad;              /* the rule as written (canonical form) */
    sweepBad rule;
    uint64_t ncombos;       /* product of the values' counts (1 without --vary) */
    uint32_t shard_k, shard_n;   /* this is shard K of N (1-based); 0/0: the whole sweep */
} sweepSpec;

/* How one run ended. */
typedef struct sweepRun {
    uint64_t combo;
    uint64_t seed;
    uint32_t count[OUT__COUNT];  /* users per outcome */
    int64_t stranded;
    uint32_t nexpects, npassed;  /* expectations reached and held */
    uint8_t step_failed;
    uint8_t bad;
    uint8_t pad[6];
} sweepRun;

/* The runs of one combination, summed. */
typedef struct sweepAgg {
    uint64_t runs;
    uint64_t count[OUT__COUNT];
    uint64_t stranded_runs;      /* runs with stranded mail */
    uint64_t bad;
    uint64_t passed;             /* runs whose every expectation held and no step failed */
    double share, lo, hi;        /* bad / runs and its Wilson 95% interval */
} sweepAgg;

/* Release what spec owns (safe on a zeroed spec). */
void sweepSpecFree(sweepSpec *spec);

/* The number of (combination, seed) pairs of the whole sweep; 0 when it overflows. */
uint64_t sweepTotal(const sweepSpec *spec);

/* The value index of variable v in combination c. */
size_t sweepValueIndex(const sweepSpec *spec, uint64_t c, size_t v);

/*
** Parse the rule RULE[,RULE...] (not-cloned, stranded, failed, or an
** outcome name: some user ended so) into *bad; returns 0, or -1 with the
** bad term in why.
*/
int sweepBadParse(const char *text, sweepBad *bad, char *why, size_t whysz);

/* Whether run r is bad under rule b (r's counts, stranded and failures set). */
int sweepBadHolds(const sweepBad *b, const sweepRun *r);

/*
** The Wilson score interval at 95% (z = 1.959963984540054) for k bad of n:
** *lo and *hi in [0, 1]; n 0 gives 0 and 1.
*/
void sweepWilson(uint64_t k, uint64_t n, double *lo, double *hi);

/*
** Sum runs[0..n) (sorted by combination) into agg[0..spec->ncombos),
** which the caller zeroes.
*/
void sweepAggregate(const sweepSpec *spec, const sweepRun *runs, size_t n, sweepAgg *agg);

/* The summary table, one line per combination, as `sweep` prints it. */
void sweepPrintTable(const sweepSpec *spec, const sweepAgg *agg, FILE *f);

/* The summary as CSV (docs/sweeps.md lists the columns) into f. */
void sweepWriteCsv(const sweepSpec *spec, const sweepAgg *agg, FILE *f);

/* sweepWriteCsv into the planned output t, atomically. */
msStatus sweepWriteCsvFile(const sweepSpec *spec, const sweepAgg *agg, const outTarget *t, char *why, size_t whysz);

/*
** The sweep database at the planned output t (atomically): the spec, every
** run and the summary, built in a fixed order with no time or host in it,
** so equal sweeps give equal bytes.
*/
msStatus sweepWriteDb(const sweepSpec *spec, const sweepRun *runs, size_t n, const sweepAgg *agg,
                      const outTarget *t, char *why, size_t whysz);

/*
** Read a sweep database (a shard or a whole sweep): its spec into *spec and
** its runs into *runs (malloc'd, *n of them, sorted by combination and
** seed).  MS_INPUT with why on a file that is not a sweep database.
*/
msStatus sweepReadDb(const char *path, sweepSpec *spec, sweepRun **runs, size_t *n, char *why, size_t whysz);

/*
** sweepgate.c: parse --max-bad's limit P (a share "0.05" or a percentage
** "5%", 0 to 1) into *max; 0, or -1 with a one-line reason in why.
*/
int sweepGateParse(const char *text, double *max, char *why, size_t whysz);

/*
** The gate --max-bad max over agg: print the verdict to f (PASS, or FAIL and
** one line per combination whose Wilson 95% upper bound is above max) and
** return how many combinations fail it.
*/
uint64_t sweepGate(const sweepSpec *spec, const sweepAgg *agg, double max, FILE *f);

/* 1 when gnuplot can be found on PATH. */
int sweepHaveGnuplot(void);

/*
** Draw the bad share against the last varied value (one line per
** combination of the others, the Wilson intervals as error bars) as SVG
** into the planned output t, by gnuplot fed the CSV.
*/
msStatus sweepWritePlot(const sweepSpec *spec, const sweepAgg *agg, const outTarget *t, char *why, size_t whysz);

#endif
