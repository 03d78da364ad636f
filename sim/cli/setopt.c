/*
** `--set NAME=VALUE` options (setopt.h).  Each setting is checked when it is
** read, so a bad one is a usage error before anything runs; each is kept in
** a copy of its own, split at the first '='.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/setopt.h"

int setValueOk(const char *v) {
    if (!*v) return 0;
    for (; *v; v++)
        if (*v <= ' ' || *v > '~' || *v == '#' || *v == '$') return 0;
    return 1;
}

int setArgsAdd(setArgs *a, const char *arg, char *why, size_t whysz) {
    const char *eq = strchr(arg, '=');
    if (!eq) {
        snprintf(why, whysz, "--set needs NAME=VALUE, not '%s'", arg);
        return -1;
    }
    size_t n = (size_t)(eq - arg);
    if (!varsIsName(arg, n)) {
        snprintf(why, whysz, "--set %s: '%.*s' is not a variable name (a letter or '_', then letters, digits "
                 "or '_')", arg, (int)n, arg);
        return -1;
    }
    if (!setValueOk(eq + 1)) {
        snprintf(why, whysz, "--set %s: the value must be one word of printable ASCII, without blanks, '#' or '$'",
                 arg);
        return -1;
    }
    for (size_t i = 0; i < a->n; i++)
        if (strlen(a->v[i].name) == n && memcmp(a->v[i].name, arg, n) == 0) {
            snprintf(why, whysz, "--set %.*s given twice", (int)n, arg);
            return -1;
        }
    if (a->n == SET_MAX) {
        snprintf(why, whysz, "too many --set options (at most %d)", SET_MAX);
        return -1;
    }
    char *c = strdup(arg);
    if (!c) {
        snprintf(why, whysz, "out of memory (reading --set)");
        return -1;
    }
    c[n] = '\0';
    a->copies[a->n] = c;
    a->v[a->n].name = c;
    a->v[a->n].value = c + n + 1;
    a->n++;
    return 0;
}

void setArgsFree(setArgs *a) {
    for (size_t i = 0; i < a->n; i++) free(a->copies[i]);
    memset(a, 0, sizeof *a);
}
