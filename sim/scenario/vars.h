/*
** Scenario variables: `let NAME = VALUE` and `$NAME` (or `${NAME}`).
**
** A variable is a named word.  `let NAME = VALUE` defines it from its line
** on; `$NAME` anywhere in a later word (outside comments) is replaced by the
** value before the line is parsed, so a variable can stand wherever a word or
** part of a word goes: a duration, a count, an option or its value, a DC's
** name.  Variables are text, not typed: the statement that receives the
** expanded word checks it as if it had been written there.
**
** Rules (docs/scenario-language.md, "Variables", is the user's reference):
** - A name is a letter or '_', then letters, digits or '_', at most 64
**   bytes; `$NAME` takes the longest such run, `${NAME}` delimits it.
** - Declare before use: `$NAME` before its `let` is an error at the `$`.
** - One definition: a second `let` of a name is an error.
** - A setting from outside (`--set NAME=VALUE`) replaces the value of the
**   scenario's `let NAME`; a setting that no `let` consumes is an error,
**   so a typo on the command line never goes unnoticed.
** - A value is one word; a `$` in it is expanded when the `let` is read.
**
** Invariants: names are unique in a table; an expanded value or line never
** exceeds LEX_MAX_LINE bytes, so a chain of variables cannot grow without
** bound; lookups are by name only (a linear scan: a scenario has few).
*/
#ifndef MIGSIM_VARS_H
#define MIGSIM_VARS_H

#include <stddef.h>
#include "kernel/status.h"

#define VAR_NAME_MAX 64
#define VAR_MAX 1000            /* variables in one scenario */

/* A setting from outside the scenario: --set NAME=VALUE. */
typedef struct scnSetting {
    const char *name;
    const char *value;
} scnSetting;

typedef struct scnVar {
    char *name;
    char *value;
    int line;               /* of its `let` */
} scnVar;

typedef struct scnVars {
    scnVar *v;
    size_t n, cap;
    const scnSetting *set;  /* the settings from outside (not owned) */
    size_t nset;
    unsigned char *used;    /* nset flags: a `let` took setting i */
} scnVars;

/*
** Start an empty table with the settings set[0..nset) (which must outlive
** it).  Returns MS_NOMEM when the flags cannot be allocated.
*/
msStatus varsInit(scnVars *vs, const scnSetting *set, size_t nset);

/* Release the table. */
void varsFree(scnVars *vs);

/* 1 when the n bytes at s are a variable name. */
int varsIsName(const char *s, size_t n);

/* The variable named by the n bytes at s, or NULL. */
const scnVar *varsFind(const scnVars *vs, const char *s, size_t n);

/*
** Define the variable named by the n bytes at s, on line line, with the
** value v (vn bytes) unless a setting from outside names it: then with the
** setting's value.  MS_INPUT when it is already defined (*prev: its line),
** MS_NOMEM when out of memory, MS_RANGE when there are too many.
*/
msStatus varsDefine(scnVars *vs, const char *s, size_t n, const char *v, size_t vn, int line, int *prev);

/* The first setting from outside that no `let` took, or NULL. */
const scnSetting *varsUnused(const scnVars *vs);

#endif
