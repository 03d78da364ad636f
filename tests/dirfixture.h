/*
** Test fixture for the directory model: a run built from a scenario made by
** hand (sites, DCs, site links, `ad`), with the event queue driven directly
** so a test can stop at any instant.  Included by the directory's test
** programs only (one definition per program).
**
** Sites are named Site1.., DCs DC1.. in declaration order; spec gives the
** number of DCs per site, e.g. {4} for one ring of 4, {2, 1} for two sites.
*/
#ifndef MIGSIM_DIRFIXTURE_H
#define MIGSIM_DIRFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "directory/directory.h"
#include "directory/dirint.h"
#include "directory/replica.h"
#include "kernel/kernel.h"
#include "tracematch.h"

typedef struct fixture {
    kernel k;
    dirSiteConfig sites[8];
    dirDcConfig dcs[32];
    dirLinkConfig links[8];
    char names[48][16];
    directory *d;
} fixture;

/*
** Build f: ad profile (2000/2003), nsites sites with per_site[i] DCs each,
** a site link between consecutive sites with the given interval (0: the
** default), the given latency (ms), seed, narrative to out (NULL: none),
** trace records kept when record is 1 (look at them with fxCount, fxFind,
** fxAt, fxIndex).  The directory is
** built from its plain configuration, as the runner builds it.
*/
static inline void fxInitEx(fixture *f, int ad, int nsites, const int *per_site, simtime link_interval,
                     simtime latency, uint64_t seed, FILE *out, int record) {
    memset(f, 0, sizeof *f);
    params p;
    paramsDefaults(&p);
    p.ad_profile = ad;
    p.latency = latency;
    paramsResolveProfile(&p);
    kernelInit(&f->k, seed, &p, out, record);
    int ndc = 0;
    for (int i = 0; i < nsites; i++) {
        snprintf(f->names[i], sizeof f->names[i], "Site%d", i + 1);
        f->sites[i] = (dirSiteConfig){f->names[i], 0, 0, -1};
        for (int j = 0; j < per_site[i]; j++, ndc++) {
            snprintf(f->names[8 + ndc], sizeof f->names[8 + ndc], "DC%d", ndc + 1);
            f->dcs[ndc] = (dirDcConfig){f->names[8 + ndc], i, 0};
        }
    }
    for (int i = 0; i + 1 < nsites; i++)
        f->links[i] = (dirLinkConfig){i, i + 1, link_interval > 0, 0, link_interval, 0};
    dirConfig cfg = {f->sites, nsites, f->dcs, ndc, f->links, nsites > 0 ? nsites - 1 : 0};
    if (dirBuild(&f->k, &cfg, &f->d) != MS_OK) {
        fprintf(stderr, "fixture: dirBuild failed: %s\n", f->k.err);
        abort();
    }
}

static inline void fxInit(fixture *f, int ad, int nsites, const int *per_site) {
    fxInitEx(f, ad, nsites, per_site, 0, MS_PER_SECOND, 1, NULL, 0);
}

/* Fire every event due at or before t, then set the clock to t. */
static inline void fxRunUntil(fixture *f, simtime t) {
    for (;;) {
        const event *e = eqPeek(&f->k.q);
        if (!e || e->at > t) break;
        (void)kernelFireNext(&f->k);
    }
    if (t > f->k.now) f->k.now = t;
}

/* Set the clock (no event may be due before t: tests of forced pulls only). */
static inline void fxSetTime(fixture *f, simtime t) {
    f->k.now = t;
}

static inline void fxFree(fixture *f) {
    dirFree(f->d);
    kernelFree(&f->k);
}

/* Create a disabled user with a mail address and proxies on dc. */
static inline guid fxUser(fixture *f, int dc, const char *name) {
    char mail[128], smtp[140], x500[160];
    snprintf(mail, sizeof mail, "%s@target.example", name);
    snprintf(smtp, sizeof smtp, "SMTP:%s", mail);
    snprintf(x500, sizeof x500, "X500:/o=Source/ou=Site/cn=Recipients/cn=%s", name);
    dirValue v[] = {
        {A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, name}, {A_MAIL, mail},
        {A_PROXYADDRESSES, smtp}, {A_PROXYADDRESSES, x500}, {A_USERACCOUNTCONTROL, "514"},
    };
    guid g;
    memset(&g, 0, sizeof g);
    if (dirAdd(f->d, dc, C_MIGRATED, name, v, sizeof v / sizeof v[0], &g) != MS_OK) {
        fprintf(stderr, "fixture: dirAdd %s failed: %s\n", name, f->k.err);
        abort();
    }
    return g;
}

/* fxCount, fxFind, fxAt, fxIndex: records matching a kind and key/value
** pairs, NULL-terminated (tracematch.h). */
#define FX_TRACE(f) (&(f)->k.tr)
TR_DEFINE_MATCHERS(fx, const fixture *, FX_TRACE)

/* White-box read: attribute a of obj on dc as stored, tombstones included. */
static inline const char *fxRaw(fixture *f, int dc, const guid *obj, dirAttr a) {
    const dobj *o = replicaFind(&f->d->dc[dc].r, obj);
    return o ? rvalFirst(o->b->v[a]) : NULL;
}

#endif
