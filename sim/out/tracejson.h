/*
** Trace records as JSON: one object per record, on one line (JSON Lines,
** for --trace), and a record's fields alone (the events table's fields
** column).  The schema is in docs/results.md, "Trace records".
*/
#ifndef MIGSIM_TRACEJSON_H
#define MIGSIM_TRACEJSON_H

#include <stdio.h>
#include "kernel/trace.h"

/*
** r as one JSON object and a newline: {"t":MS,"time":"+HH:MM:SS.mmm",
** "kind":K,"actor":A, the subjects present (user, dc, peer, server, run,
** mailbox, object), "fields":{...},"text":T}.  Keys in that fixed order.
*/
void traceJsonWrite(const traceRecord *r, FILE *f);

/* r as one JSON object, without the newline (inside --json's "trace" array). */
void traceJsonObject(const traceRecord *r, FILE *f);

/* r's fields as one JSON object ("{}" when it has none), in their order. */
void traceJsonFields(const traceRecord *r, FILE *f);

/* Every record of recs (n of them) as JSON Lines; returns 0 when f reports a write error. */
int traceJsonWriteAll(const traceRecord *recs, size_t n, FILE *f);

#endif
