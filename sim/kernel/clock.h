/*
** Virtual time.  A run's clock is an int64 count of milliseconds since the
** start of the run (time 0); nothing in migsim reads the wall clock.  This
** module formats instants for the narrative and parses and formats durations
** for the scenario language.
**
** Narrative stamps are one word: "+HH:MM:SS.mmm" below one day and
** "+Dd" followed by the clock from one day on ("+2d03:04:05.006").
**
** Durations are a sum of one or more terms NUMBER UNIT with the units ms, s,
** m, h and d ("250ms", "1h30m", "1d12h").  Zero is a valid duration.  A
** duration whose value does not fit in an int64 of milliseconds is a range
** error, never a wrap.
*/
#ifndef MIGSIM_CLOCK_H
#define MIGSIM_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/status.h"

typedef int64_t simtime;

#define MS_PER_SECOND ((simtime)1000)
#define MS_PER_MINUTE (60 * MS_PER_SECOND)
#define MS_PER_HOUR   (60 * MS_PER_MINUTE)
#define MS_PER_DAY    (24 * MS_PER_HOUR)

/* Longest text clockFormat or durationFormat writes, with its NUL. */
#define CLOCK_BUFSZ 40

/*
** Write the narrative stamp for instant t (t >= 0) into buf (at least
** CLOCK_BUFSZ bytes) and return buf.  A negative t is written with a leading
** "-" instead of "+"; it never occurs in a run.
*/
char *clockFormat(simtime t, char *buf);

/*
** Parse the n bytes at s as a duration.  On success store it in *out and
** return MS_OK.  Return MS_INPUT when the text is not a duration (empty,
** a number without unit, an unknown unit, a stray character) and MS_RANGE when
** it overflows; in both cases *errat (if not NULL) receives the offset of the
** offending byte, for error columns.
*/
msStatus durationParse(const char *s, size_t n, simtime *out, size_t *errat);

/*
** Write d (>= 0) in canonical form into buf (CLOCK_BUFSZ bytes) and return
** buf: units largest first, each at most once and below the next larger unit,
** zero terms left out, "0s" for zero ("250ms", "1m30s", "1h30m", "2d3h").
** durationParse reads it back to the same value.  (Not always the shortest
** text: 90 s is "1m30s", not "90s".)
*/
char *durationFormat(simtime d, char *buf);

#endif
