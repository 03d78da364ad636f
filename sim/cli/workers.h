/*
** Runs by the thousand in forked worker processes, with the output of one
** process: the fork-and-collect machinery `migsim sweep --jobs N` and
** `migsim explore --jobs N` share (sim/cli/workers.c).
**
** A job is n items, numbered 0 to n-1, each run by a function that fills
** one fixed-size message (the item's result, or why it could not run).
** With one job everything runs here, in item order.  With J jobs the items
** are dealt round robin to J forked workers (worker w runs items w, w+J,
** w+2J, ...), each worker sends its messages through its own pipe, and the
** parent hands every message to the job's take function with the item's
** number: the caller places or sums it by that number, never by arrival,
** so what it computes is the same whatever the timing, and the same as
** with one job.  The first item that fails, in item order, is the one
** returned, as one process would have stopped there.
*/
#ifndef MIGSIM_WORKERS_H
#define MIGSIM_WORKERS_H

#include <stddef.h>
#include <stdio.h>
#include "kernel/status.h"

/* The most worker processes (--jobs). */
#define WORKERS_MAX 256

typedef struct workersJob {
    const char *name;     /* "sweep": in the progress line and in error lines ("sweep worker 2 ...") */
    size_t n;             /* the items, 0 .. n-1 */
    size_t msgsize;       /* the bytes of one item's message (at least 1) */
    void *ctx;            /* run's and take's first argument (a forked worker has a copy of it) */
    /*
    ** Run item i and fill msg (msgsize bytes, zeroed before the call).
    ** Returns 0, or 1 when the item failed: no later item need run, and the
    ** message says why.  In a worker it runs in the forked process: what it
    ** changes in ctx stays there.
    */
    int (*run)(void *ctx, size_t i, void *msg);
    /*
    ** In this process: item i's message, for each item that did not fail.
    ** Called in item order with one job, in any order with more; after a
    ** failure it may have been called for items past the failed one.
    */
    void (*take)(void *ctx, size_t i, const void *msg);
} workersJob;

/*
** Run every item of job in jobs processes (1: here, one after another; at
** most one worker per item), taking each message as it comes.  While it
** runs, a progress line (items done, rate, time left) is drawn on err
** when err is a terminal, and erased at the end.
**
** Returns MS_OK when every item ran and was taken; MS_FAIL when an item
** failed: *failed is the first failed item in item order and failmsg
** (msgsize bytes) its message, which the caller reports; any other status
** when the workers could not do the work (no memory, no pipe or fork, a
** worker that died or was killed before its items were done), said in one
** line `migsim: error: ...` on err.  out and err are flushed before any
** fork, so nothing written before is written twice.
*/
msStatus workersRun(const workersJob *job, int jobs, FILE *out, FILE *err, size_t *failed, void *failmsg);

/* --jobs's value s: a number from 1 to WORKERS_MAX into *jobs; 0, or -1 when s is not one. */
int workersParseJobs(const char *s, int *jobs);

#endif
