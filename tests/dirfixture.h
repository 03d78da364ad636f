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
#include "directory.h"
#include "dirint.h"
#include "replica.h"
#include "sim.h"
#include "world.h"

/* world.c refers to a few of the parser's helpers; weak stand-ins let these
** programs link whether or not the parser is in the library yet (the
** parser's own definitions win when it is). */
__attribute__((weak)) char *scnUserName(const scenario *sc, uint32_t u, char *buf, size_t bufsz) {
    (void)sc;
    snprintf(buf, bufsz, "user%u", (unsigned)u);
    return buf;
}
__attribute__((weak)) const char *stmtKeyword(stmtKind k) { (void)k; return "?"; }
__attribute__((weak)) int usersetHas(const userset *s, uint32_t u) { (void)s; (void)u; return 0; }
__attribute__((weak)) const char *outcomeName(outcome o) { (void)o; return "?"; }
__attribute__((weak)) const char *counterName(int c) { (void)c; return "?"; }

#define FX_MAXSTMT 64

typedef struct fixture {
    scenario sc;
    stmt st[FX_MAXSTMT];
    size_t idx_dc[32], idx_site[8], idx_link[8];
    char names[FX_MAXSTMT][16];
    sim s;
    directory *d;
} fixture;

static inline char *fxName(fixture *f, size_t i, const char *fmt, int n) {
    snprintf(f->names[i], sizeof f->names[i], fmt, n);
    return f->names[i];
}

/*
** Build f: ad profile (2000/2003), nsites sites with per_site[i] DCs each,
** a site link between consecutive sites with the given interval (0: the
** default), the given latency (ms), seed, narrative to out (NULL: none),
** narrative lines kept in f->s.log when record is 1.
*/
static inline void fxInitEx(fixture *f, int ad, int nsites, const int *per_site, simtime link_interval,
                     simtime latency, uint64_t seed, FILE *out, int record) {
    memset(f, 0, sizeof *f);
    size_t n = 0;
    stmt *ads = &f->st[n];
    ads->kind = ST_AD;
    ads->u.ad.year = ad;
    f->sc.ad = (long)n++;
    stmt *lat = &f->st[n];
    lat->kind = ST_LATENCY;
    lat->u.latency.latency = latency;
    f->sc.latency = (long)n++;
    for (int i = 0; i < nsites; i++) {
        stmt *st = &f->st[n];
        st->kind = ST_SITE;
        st->u.site.name.name = fxName(f, n, "Site%d", i + 1);
        st->u.site.name.index = i;
        st->u.site.bridgehead.index = -1;
        f->idx_site[f->sc.nsites++] = n++;
    }
    int dcn = 0;
    for (int i = 0; i < nsites; i++)
        for (int k = 0; k < per_site[i]; k++) {
            stmt *st = &f->st[n];
            st->kind = ST_DC;
            st->u.dc.name.name = fxName(f, n, "DC%d", ++dcn);
            st->u.dc.name.index = dcn - 1;
            st->u.dc.site.index = i;
            f->idx_dc[f->sc.ndcs++] = n++;
        }
    for (int i = 0; i + 1 < nsites; i++) {
        stmt *st = &f->st[n];
        st->kind = ST_SITELINK;
        st->u.sitelink.a.index = i;
        st->u.sitelink.b.index = i + 1;
        st->u.sitelink.has_interval = link_interval > 0;
        st->u.sitelink.interval = link_interval;
        f->idx_link[f->sc.nsitelinks++] = n++;
    }
    f->sc.v = f->st;
    f->sc.n = n;
    f->sc.first_step = n;
    f->sc.dcs = f->idx_dc;
    f->sc.sites = f->idx_site;
    f->sc.sitelinks = f->idx_link;
    f->sc.source = f->sc.wizard = f->sc.admin = -1;
    f->sc.seed = seed;
    f->sc.file = (char *)"fixture";
    simOptions opt = {0};
    opt.narrative = out;
    opt.record = record;
    if (simInit(&f->s, &f->sc, &opt) != MS_OK) {
        fprintf(stderr, "fixture: simInit failed: %s\n", f->s.err);
        abort();
    }
    f->d = f->s.world->dir;
}

static inline void fxInit(fixture *f, int ad, int nsites, const int *per_site) {
    fxInitEx(f, ad, nsites, per_site, 0, MS_PER_SECOND, 1, NULL, 0);
}

/* Fire every event due at or before t, then set the clock to t. */
static inline void fxRunUntil(fixture *f, simtime t) {
    for (;;) {
        const event *e = eqPeek(&f->s.q);
        if (!e || e->at > t) break;
        event ev;
        eqPop(&f->s.q, &ev);
        if (ev.at > f->s.now) f->s.now = ev.at;
        ev.fire(&f->s, ev.obj, ev.arg);
    }
    if (t > f->s.now) f->s.now = t;
}

/* Set the clock (no event may be due before t: tests of forced pulls only). */
static inline void fxSetTime(fixture *f, simtime t) {
    f->s.now = t;
}

static inline void fxFree(fixture *f) {
    simFree(&f->s);
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
        fprintf(stderr, "fixture: dirAdd %s failed: %s\n", name, f->s.err);
        abort();
    }
    return g;
}

/* White-box read: attribute a of obj on dc as stored, tombstones included. */
static inline const char *fxRaw(fixture *f, int dc, const guid *obj, dirAttr a) {
    const dobj *o = replicaFind(&f->d->dc[dc].r, obj);
    return o ? rvalFirst(o->v[a]) : NULL;
}

#endif
