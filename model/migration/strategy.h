/*
** The built-in strategies besides the wizard (docs/migrators.md, "Built-in
** strategies"), each a migrator on migrator.h in a file of its own, each
** reusing the wizard (wizard.h) rather than copying it:
**
**   refuse-initialized (refuse.c)  the wizard, but an initialized target
**                                  stops that user with a finding instead
**                                  of a merge;
**   wait-then-rerun (waitrerun.c)  a rerun first waits until the
**                                  replication state of every DC shows that
**                                  everything written before it has reached
**                                  every DC, then runs the wizard;
**   resume (resume.c)              keeps a checkpoint journal: a rerun
**                                  continues what it holds without merging,
**                                  replaces a mailbox initialized meanwhile
**                                  and moves its delivered mail across.
**
** strategyEmit is their one way to write a narrative line: a typed record
** through env->emit, the text formatted here.
*/
#ifndef MIGSIM_STRATEGY_H
#define MIGSIM_STRATEGY_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "migration/migrator.h"

const migrator *refuseMigrator(void);
const migrator *waitRerunMigrator(void);
const migrator *resumeMigrator(void);

/* Emit record r with the text fmt formats. */
static inline void strategyEmit(const migEnv *env, traceRecord *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void strategyEmit(const migEnv *env, traceRecord *r, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    env->emit(env->engine, r, text);
}

/*
** A run's start kept past the call that brought it: *run = *start, its users
** copied into *keep (the old copy freed), since the engine's array lives only
** for the step.  0, or -1 with why saying MIGRATOR_NOMEM.
*/
static inline int strategyKeepStart(migStart *run, const migStart *start, uint32_t **keep, char *why, size_t whysz) {
    size_t n = start->nusers;
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
        snprintf(why, whysz, "%s", MIGRATOR_NOMEM);
        return -1;
    }
    if (n) memcpy(v, start->users, n * sizeof *v);
    free(*keep);
    *keep = v;
    *run = *start;
    run->users = v;
    return 0;
}

#endif
