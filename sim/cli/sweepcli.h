/*
** What `sweep` and `merge` share: the outputs of a finished sweep (the
** table on out, then --db, --csv and --plot), and the output planning.
*/
#ifndef MIGSIM_SWEEPCLI_H
#define MIGSIM_SWEEPCLI_H

#include <stdio.h>
#include "kernel/atomicfile.h"
#include "out/sweep.h"

/*
** Sum runs[0..n) (sorted by combination and seed), print the table on out
** and write each output given (NULL: not asked for); then, when max_bad is
** not negative, the gate --max-bad max_bad on out (out/sweepgate.c).
** Returns 0, 1 when the gate fails (every output written all the same), or
** 2 with one line on err.
*/
int sweepWriteOutputs(const sweepSpec *spec, const sweepRun *runs, size_t n, const outTarget *db,
                      const outTarget *csv, const outTarget *plot, double max_bad, FILE *out, FILE *err);

#endif
