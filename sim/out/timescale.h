/*
** The compressed time axis of the timeline picture (out/html.h): where, in
** pixels from the left of the drawing, each instant of a run goes.
**
** The rule.  The instants are the distinct times of the records the picture
** draws (quiet records, which it does not draw, make no instant: a
** migrator's requests every few seconds must not hide an idle hour), time 0
** and the run's end, in order.  The first is at x 0; each next one is
** to the right of the one before by
**
**   - TS_BREAK_PX, when the gap between them is longer than TS_GAP_MS: an
**     idle stretch, drawn as a break of fixed width with the skipped
**     duration written in it (a timescaleBreak);
**   - otherwise the gap at TS_PX_PER_S pixels per virtual second, but at
**     least TS_MIN_PX, so records a few milliseconds apart stay apart.
**
** So a picture is linear inside each busy stretch and every idle stretch
** takes the same small width, whatever it lasted.  Pixels are integers and
** the rule reads only virtual times: the same run gives the same axis.
*/
#ifndef MIGSIM_TIMESCALE_H
#define MIGSIM_TIMESCALE_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/clock.h"
#include "kernel/status.h"

#define TS_GAP_MS   (10 * MS_PER_SECOND)   /* a longer gap with no record is a break */
#define TS_BREAK_PX 48                     /* a break's width */
#define TS_PX_PER_S 24                     /* scale inside a busy stretch */
#define TS_MIN_PX   6                      /* the least distance between two instants */

/* One idle stretch: no record after `from` until `to`, drawn from x to x + TS_BREAK_PX. */
typedef struct timescaleBreak {
    simtime from, to;
    int64_t x;
} timescaleBreak;

typedef struct timescale {
    simtime *t;              /* the distinct instants, ascending */
    int64_t *x;              /* their positions, ascending */
    size_t n;
    timescaleBreak *breaks;  /* in time order */
    size_t nbreaks;
    int64_t width;           /* x of the last instant */
} timescale;

/*
** Build the axis of the n instants at (ascending, repeats allowed, as the
** records of a trace come) ending at end (the run's end; not before any of
** them).  MS_NOMEM when out of memory; timescaleFree releases ts either way.
*/
msStatus timescaleBuild(timescale *ts, const simtime *at, size_t n, simtime end);

/*
** The x of instant t: exact for one of the axis' instants; between two, in
** proportion between their positions (a break counts as its width).
*/
int64_t timescaleX(const timescale *ts, simtime t);

/* Release what ts owns (safe on a zeroed one). */
void timescaleFree(timescale *ts);

#endif
