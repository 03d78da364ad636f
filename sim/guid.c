/*
** Deterministic GUIDs from libuuid's uuid_generate_sha1 (util-linux 2.31+).
** See guid.h.  Nothing here reads /dev/urandom or the clock.
*/
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>
#include "guid.h"

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

void guidNext(guidgen *g, const char *kind, guid *out) {
    char name[96];
    snprintf(name, sizeof name, "%s:%llu", kind, (unsigned long long)g->count++);
    guidNamed(g, name, out);
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
