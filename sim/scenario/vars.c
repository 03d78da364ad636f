/*
** Scenario variables (vars.h): the table of `let` definitions and the
** settings from outside that override them.  The table only answers
** lookups; the lexer does the expansion, line by line, so every `$` is
** replaced before the parser sees the line and an undefined name is an
** error at its own column.  A table holds names in definition order and
** nothing iterates over it for output, so its order never shows.
*/
#include <stdlib.h>
#include <string.h>
#include "kernel/text.h"
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "scenario/vars.h"

msStatus varsInit(scnVars *vs, const scnSetting *set, size_t nset) {
    memset(vs, 0, sizeof *vs);
    vs->set = set;
    vs->nset = nset;
    if (nset && !(vs->used = calloc(nset, 1))) return MS_NOMEM;
    return MS_OK;
}

void varsFree(scnVars *vs) {
    for (size_t i = 0; i < vs->n; i++) {
        free(vs->v[i].name);
        free(vs->v[i].value);
    }
    free(vs->v);
    free(vs->used);
    memset(vs, 0, sizeof *vs);
}

static int nameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int nameByte(char c) {
    return nameStart(c) || (c >= '0' && c <= '9');
}

int varsIsName(const char *s, size_t n) {
    if (n == 0 || n > VAR_NAME_MAX || !nameStart(s[0])) return 0;
    for (size_t i = 1; i < n; i++)
        if (!nameByte(s[i])) return 0;
    return 1;
}

const scnVar *varsFind(const scnVars *vs, const char *s, size_t n) {
    for (size_t i = 0; i < vs->n; i++)
        if (strlen(vs->v[i].name) == n && memcmp(vs->v[i].name, s, n) == 0) return &vs->v[i];
    return NULL;
}

msStatus varsDefine(scnVars *vs, const char *s, size_t n, const char *v, size_t vn, int line, int *prev) {
    msAssert(varsIsName(s, n));
    const scnVar *old = varsFind(vs, s, n);
    if (old) {
        *prev = old->line;
        return MS_INPUT;
    }
    if (vs->n >= VAR_MAX) return MS_RANGE;
    for (size_t i = 0; i < vs->nset; i++) {
        if (strlen(vs->set[i].name) != n || memcmp(vs->set[i].name, s, n) != 0) continue;
        v = vs->set[i].value;
        vn = strlen(v);
        vs->used[i] = 1;
        break;
    }
    if (vs->n == vs->cap && arrayGrow(&vs->v, &vs->cap, sizeof *vs->v, 8) != MS_OK) return MS_NOMEM;
    scnVar *d = &vs->v[vs->n];
    d->name = textDup(s, n);
    d->value = textDup(v, vn);
    d->line = line;
    if (!d->name || !d->value) {
        free(d->name);
        free(d->value);
        return MS_NOMEM;
    }
    vs->n++;
    return MS_OK;
}

const scnSetting *varsUnused(const scnVars *vs) {
    for (size_t i = 0; i < vs->nset; i++)
        if (!vs->used[i]) return &vs->set[i];
    return NULL;
}
