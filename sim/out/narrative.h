/*
** The narrative printer of `migsim run` when the narrative is filtered or
** shortened: --user U[,U], --actor A[,A] and --brief.  It renders the same
** trace records the kernel's default printer does, as the same line,
** "TIME  ACTOR  message" (trace.c), and is installed with simSetNarrator.
**
** Filters: a record is printed when, for each filter given, it matches one
** of its names exactly: --user by the record's user subject, --actor by its
** actor.  A record with no user subject never matches a user filter.
**
** --brief shortens what the record itself names, never by parsing prose:
** each DN carried in the record's `dn` field is written NAME@DC (NAME its
** RDN value, DC the record's dc subject: "user3@DC1"), and each GUID the
** record carries (its mailbox and object subjects, its GUID fields, and a
** GUID after CNF: or DEL: in such a NAME) is cut to its first 8 hex digits.
** Text the record does not name stays as it is.
*/
#ifndef MIGSIM_NARRATIVE_H
#define MIGSIM_NARRATIVE_H

#include <stddef.h>
#include <stdio.h>
#include "kernel/trace.h"

typedef struct narrativeOptions {
    FILE *f;                       /* where lines go */
    const char *const *users;      /* --user names (nusers 0: no user filter) */
    size_t nusers;
    const char *const *actors;     /* --actor names (nactors 0: no actor filter) */
    size_t nactors;
    int brief;
} narrativeOptions;

/* 1 when r passes o's filters. */
int narrativeWants(const narrativeOptions *o, const traceRecord *r);

/* r's message into buf, shortened when o->brief (see above). */
void narrativeText(const narrativeOptions *o, const traceRecord *r, char *buf, size_t bufsz);

/* A traceNarrator (ctx: a narrativeOptions): print r's line when it passes the filters. */
void narrativePrint(void *ctx, const traceRecord *r);

#endif
