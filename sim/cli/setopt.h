/*
** `--set NAME=VALUE`: a scenario variable's value from the command line
** (scenario/vars.h), for `run`, `check` and `sweep`.  NAME is a variable
** name; VALUE is one word of the scenario language: printable ASCII with no
** blank, '#' or '$' (it is pasted into the scenario as it is, and a setting
** is not expanded again).  A name may be set once.  That the scenario
** defines the name with `let` is checked when it is parsed.
*/
#ifndef MIGSIM_SETOPT_H
#define MIGSIM_SETOPT_H

#include <stddef.h>
#include "scenario/vars.h"

#define SET_MAX 64

typedef struct setArgs {
    scnSetting v[SET_MAX];  /* name and value point into copies[i] */
    char *copies[SET_MAX];
    size_t n;
} setArgs;

/*
** Add the setting arg ("NAME=VALUE") to a; returns 0, or -1 with a
** one-line reason in why (bad form, bad name or value, given twice, too
** many, out of memory).
*/
int setArgsAdd(setArgs *a, const char *arg, char *why, size_t whysz);

/* 1 when the value is one word a scenario can hold (see above). */
int setValueOk(const char *v);

/* Release the copies. */
void setArgsFree(setArgs *a);

#endif
