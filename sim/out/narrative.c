/*
** The filtered and shortened narrative (narrative.h).  --brief replaces the
** strings a record names (its dn field, its GUIDs) by their short forms: a
** list of (long, short) pairs built from the record's typed values, applied
** to the message left to right, longest match first at each position.
*/
#include <string.h>
#include "kernel/clock.h"
#include "out/narrative.h"

#define MAX_SUBST 16

typedef struct subst {
    char from[512];
    char to[160];
} subst;

static int inList(const char *const *v, size_t n, const char *s) {
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

int narrativeWants(const narrativeOptions *o, const traceRecord *r) {
    if (o->nusers && !inList(o->users, o->nusers, r->user)) return 0;
    if (o->nactors && !inList(o->actors, o->nactors, r->actor)) return 0;
    return 1;
}

/* A GUID's short form: its first 8 hex digits. */
static void addGuid(subst *v, size_t *n, const guid *g) {
    if (*n == MAX_SUBST) return;
    guidFormat(g, v[*n].from);
    snprintf(v[*n].to, sizeof v[*n].to, "%.8s", v[*n].from);
    (*n)++;
}

/*
** The short form of a DN: its RDN value (up to the first unescaped comma),
** with a GUID after CNF: or DEL: cut to 8 digits, then "@DC" when dc is known.
*/
static void shortDn(const char *dn, const char *dc, char *out, size_t sz) {
    const char *v = strchr(dn, '=');
    v = v ? v + 1 : dn;
    size_t k = 0;
    for (const char *p = v; *p && *p != ',' && k + 1 < sz; p++) {
        if (*p == '\\' && p[1]) {
            out[k++] = *p++;
            if (k + 1 < sz) out[k++] = *p;
            continue;
        }
        out[k++] = *p;
        int tag = k >= 4 && (strncmp(out + k - 4, "CNF:", 4) == 0 || strncmp(out + k - 4, "DEL:", 4) == 0);
        if (tag && strspn(p + 1, "0123456789abcdef-") >= GUID_STRLEN - 1) {
            size_t take = k + 8 < sz ? 8 : sz - 1 - k;
            memcpy(out + k, p + 1, take);
            k += take;
            p += GUID_STRLEN - 1;
        }
    }
    out[k] = '\0';
    if (dc) snprintf(out + k, sz - k, "@%s", dc);
}

static size_t substitutions(const traceRecord *r, subst *v) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfields && n < MAX_SUBST; i++)
        if (r->f[i].type == TF_STR && strcmp(r->f[i].key, "dn") == 0 && r->f[i].s[0]) {
            snprintf(v[n].from, sizeof v[n].from, "%s", r->f[i].s);
            shortDn(r->f[i].s, r->dc, v[n].to, sizeof v[n].to);
            n++;
        }
    if (r->has_mailbox) addGuid(v, &n, &r->mailbox);
    if (r->has_object) addGuid(v, &n, &r->object);
    for (size_t i = 0; i < r->nfields; i++)
        if (r->f[i].type == TF_GUID) addGuid(v, &n, &r->f[i].g);
    return n;
}

void narrativeText(const narrativeOptions *o, const traceRecord *r, char *buf, size_t bufsz) {
    const char *text = r->text ? r->text : "";
    if (!o->brief) {
        snprintf(buf, bufsz, "%s", text);
        return;
    }
    subst v[MAX_SUBST];
    size_t n = substitutions(r, v), k = 0;
    for (const char *p = text; *p && k + 1 < bufsz;) {
        size_t best = n, bestlen = 0;
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(v[i].from);
            if (l > bestlen && strncmp(p, v[i].from, l) == 0) {
                best = i;
                bestlen = l;
            }
        }
        if (best == n) {
            buf[k++] = *p++;
            continue;
        }
        k += (size_t)snprintf(buf + k, bufsz - k, "%s", v[best].to);
        if (k >= bufsz) k = bufsz - 1;
        p += bestlen;
    }
    buf[k] = '\0';
}

void narrativePrint(void *ctx, const traceRecord *r) {
    const narrativeOptions *o = ctx;
    if (!narrativeWants(o, r)) return;
    char text[1024];
    narrativeText(o, r, text, sizeof text);
    traceWriteLine(o->f, r->at, r->actor, text);
}
