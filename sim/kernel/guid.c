/*
** Deterministic GUIDs from libuuid's uuid_generate_sha1 (util-linux 2.31+).
** See guid.h.  Nothing here reads /dev/urandom or the clock.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>
#include "kernel/guid.h"

void guidInit(guidgen *g, uint64_t seed) {
    char name[48];
    uuid_t oid, ns;
    const uuid_t *tmpl = uuid_get_template("oid");
    memcpy(oid, *tmpl, sizeof oid);
    int n = snprintf(name, sizeof name, "migsim-seed:%llu", (unsigned long long)seed);
    uuid_generate_sha1(ns, oid, name, (size_t)n);
    memcpy(g->ns.b, ns, 16);
    g->count = 0;
}

void guidNamed(const guidgen *g, const char *name, guid *out) {
    uuid_t ns, u;
    memcpy(ns, g->ns.b, 16);
    uuid_generate_sha1(u, ns, name, strlen(name));
    memcpy(out->b, u, 16);
}

/*
** The name must never be truncated: a cut-off name would lose the counter
** and give every call the same GUID.  Labels are short, so the stack buffer
** serves nearly always; a longer kind gets a heap buffer of the exact size.
*/
msStatus guidNext(guidgen *g, const char *kind, guid *out) {
    char small[96];
    unsigned long long n = (unsigned long long)g->count;
    int len = snprintf(small, sizeof small, "%s:%llu", kind, n);
    if (len >= 0 && (size_t)len < sizeof small) {
        guidNamed(g, small, out);
        g->count++;
        return MS_OK;
    }
    size_t need = strlen(kind) + 22;   /* ':' + up to 20 digits + NUL */
    char *big = malloc(need);
    if (!big) return MS_NOMEM;   /* the counter stays: no name was used */
    snprintf(big, need, "%s:%llu", kind, n);
    guidNamed(g, big, out);
    free(big);
    g->count++;
    return MS_OK;
}

char *guidFormat(const guid *id, char *out) {
    uuid_t u;
    memcpy(u, id->b, 16);
    uuid_unparse_lower(u, out);
    return out;
}

int guidParse(const char *s, guid *out) {
    uuid_t u;
    if (strlen(s) != 36 || uuid_parse(s, u) != 0) return -1;
    memcpy(out->b, u, 16);
    return 0;
}

int guidCompare(const guid *a, const guid *b) {
    return memcmp(a->b, b->b, 16);
}

int guidIsNil(const guid *id) {
    for (int i = 0; i < 16; i++)
        if (id->b[i]) return 0;
    return 1;
}
