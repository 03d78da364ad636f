/*
** The state views of a run (run/state.h) as text and as JSON: what `migsim
** run --until T` and `--show VIEW` print in place of the closing table, and
** the "state" object of --json (docs/results.md).  Pure functions of the
** collected state: they never reach into the world.
*/
#ifndef MIGSIM_VIEW_H
#define MIGSIM_VIEW_H

#include <stdio.h>
#include "kernel/status.h"
#include "run/state.h"

/* The views as text, a heading line for the moment and then each view. */
void viewPrintText(const simState *st, FILE *f);

/* The views as text without the heading, each after a blank line (the lab's `show`). */
void viewPrintViews(const simState *st, FILE *f);

/* The views as one JSON object (no trailing newline): {"at_ms": ..., "finished": ..., "views": [...]}. */
void viewWriteJson(const simState *st, FILE *f);

#endif
