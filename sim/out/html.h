/*
** The timeline picture of a run (--html): one self-contained HTML page,
** rendered from the run's result alone (run/result.h: its trace records and
** its outcomes), with no network and no file beside it.  The page and its
** reading rules are described in docs/results.md, "The timeline picture".
*/
#ifndef MIGSIM_HTML_H
#define MIGSIM_HTML_H

#include <stdio.h>
#include "kernel/status.h"
#include "run/result.h"

/*
** Write r's timeline page to f: the title (scenario, seed), the verdict, a
** "how to read this" line, the user picker, the legend, the picture (a lane
** per DC, server, the migrator, smtp and the administrator; each replication
** pull an arrow; marks; compressed idle stretches, out/timescale.h; each
** record's details on hover) and the outcome table.  Every string of the run
** is HTML-escaped; the same result gives the same bytes.  MS_NOMEM when out
** of memory, MS_IO when f reports a write error.
*/
msStatus htmlWrite(const runResult *r, FILE *f);

/* s (NULL: nothing) HTML-escaped for text or a quoted attribute value. */
void htmlEscape(FILE *f, const char *s);

#endif
