/*
** Model parameters: every number of the simulation rules that a scenario may
** change with `set NAME VALUE`.  The table in params.c is the single source
** of truth for each parameter's name, kind, default and source; the docs
** (docs/scenario-language.md) list the same table and a test checks that they
** agree.  A run owns one params struct; nothing reads a parameter from
** anywhere else.
**
** Parameters that the `ad` profile decides (the notification delays) default
** to "unset" (-1) and take the profile's value when the world is built,
** unless a `set` gave them a value.
*/
#ifndef MIGSIM_PARAMS_H
#define MIGSIM_PARAMS_H

#include <stddef.h>
#include "kernel/clock.h"
#include "kernel/status.h"

typedef enum paramKind {
    PARAM_DURATION,   /* a duration: 15s, 1h30m */
    PARAM_COUNT       /* a non-negative integer */
} paramKind;

typedef struct params {
    int ad_profile;                 /* 2000 or 2003 (the `ad` statement) */
    simtime notify_first;           /* delay before notifying the first partner; -1: from profile */
    simtime notify_between;         /* delay between further partners; -1: from profile */
    simtime latency;                /* one replication pull (the `latency` statement) */
    int64_t jitter_pct;             /* jitter on latency and notification delays, percent */
    simtime site_schedule;          /* default intra-site periodic pull interval */
    simtime sitelink_interval;      /* default site-link replication interval */
    int64_t sitelink_cost;          /* default site-link cost */
    simtime tombstone_lifetime;
    simtime gc_interval;
    simtime converge_timeout;       /* `wait converged` gives up after this */
    simtime rus_interval;
    simtime cleanup_interval;
    simtime mailbox_retention;
    simtime wizard_account_time;
    simtime wizard_logon_time;
    simtime wizard_retry_interval;  /* event 13003 retry spacing */
    simtime wizard_retry_window;    /* last retry this long after the first failure */
    int64_t wizard_batch;
    int64_t wizard_rate;            /* default items per second (`wizard rate=`) */
} params;

typedef struct paramDef {
    const char *name;       /* as written after `set` */
    paramKind kind;
    size_t offset;          /* of the int64 field in struct params */
    const char *dflt;       /* default, as written in a scenario; "profile" if from `ad` */
    int64_t min, max;       /* accepted range, inclusive */
    const char *doc;        /* one line: what it is */
    const char *source;     /* where the default comes from */
    int64_t step;           /* the value must be a multiple of this; 0: any */
} paramDef;

/* Fill p with every default (notification delays unset). */
void paramsDefaults(params *p);

/* Resolve profile-dependent parameters still unset; call once the world is read. */
void paramsResolveProfile(params *p);

/* The table of settable parameters, in documentation order; *n gets its length. */
const paramDef *paramsTable(size_t *n);

/* The definition named name, or NULL. */
const paramDef *paramsFind(const char *name);

/*
** Parse the n bytes at value for def.  On success store the number in *out.
** On failure return MS_INPUT or MS_RANGE and write a one-line reason into
** why (whysz bytes), e.g. "bad duration '5x' for rus.interval" or
** "wizard.batch must be between 1 and 1000000".  A value in range that is not
** a multiple of def->step is MS_INPUT.  *errat (if not NULL) receives the
** offset of the offending byte.
*/
msStatus paramsParseValue(const paramDef *def, const char *value, size_t n, int64_t *out,
                          size_t *errat, char *why, size_t whysz);

/* Store v into the field def names. */
void paramsSet(params *p, const paramDef *def, int64_t v);

/* Read the field def names. */
int64_t paramsGet(const params *p, const paramDef *def);

#endif
