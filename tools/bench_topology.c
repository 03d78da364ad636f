/*
** Topology and parser benchmark (`make bench`).
**
** topology_1000dc: a forest of 1,000 DCs in 20 sites of 50 (ad 2003, a
** hub-and-spoke of site links from the first site, narrative off) is parsed
** and built (rings with their shortcut edges, partners, grids), 1,000
** mail-enabled accounts are created on DC1, and the replication-delay model
** runs until every DC holds them, checking convergence after every event as
** the runner does.  Target: under 1 s in all.
**
** parse_100k: a generated scenario of 100,000 statements (1,000 sites,
** 2,000 DCs, 1,000 servers, then steps that each name a DC or a server) is
** parsed; every name is looked up through the parser's hash.  Target: well
** under 1 s.
**
** Prints `bench: NAME VALUE UNIT` lines.  Wall-clock time is read here only,
** never in the library or the tests.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "directory/directory.h"
#include "run/sim.h"
#include "run/world.h"
#include "scenario/scenario.h"

#define SITES 20
#define DCS 1000
#define ACCOUNTS 1000
#define STATEMENTS 100000

static double wallSeconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append to a growing buffer; exits on failure (a benchmark, not the library). */
static void put(char **buf, size_t *len, size_t *cap, const char *fmt, int a, int b) {
    if (*cap - *len < 128) {
        *cap = *cap ? 2 * *cap : 1 << 16;
        *buf = realloc(*buf, *cap);
        if (!*buf) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    *len += (size_t)snprintf(*buf + *len, *cap - *len, fmt, a, b);
}

static char *forestText(size_t *len) {
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (int s = 0; s < SITES; s++) put(&buf, len, &cap, "site S%d\n", s, 0);
    for (int s = 1; s < SITES; s++) put(&buf, len, &cap, "sitelink S0 S%d\n", s, 0);
    for (int i = 0; i < DCS; i++) put(&buf, len, &cap, "dc DC%d site=S%d\n", i + 1, i * SITES / DCS);
    return buf;
}

static int topology(double *secs) {
    double t0 = wallSeconds();
    size_t len;
    char *text = forestText(&len);
    scenario sc;
    scnError err;
    sim s;
    simOptions opt = {0};
    if (scnParse("bench.scn", text, len, &sc, &err) != MS_OK) {
        fprintf(stderr, "bench: %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
        return 1;
    }
    free(text);
    if (simInit(&s, &sc, &opt) != MS_OK) {
        fprintf(stderr, "bench: %s\n", s.k.err);
        return 1;
    }
    directory *d = s.world->dir;
    double tb = wallSeconds();
    char name[32], mail[64], smtp[80];
    for (int i = 0; i < ACCOUNTS; i++) {
        snprintf(name, sizeof name, "user%d", i);
        snprintf(mail, sizeof mail, "%s@target.example", name);
        snprintf(smtp, sizeof smtp, "SMTP:%s", mail);
        dirValue v[] = {
            {A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, name}, {A_MAIL, mail},
            {A_PROXYADDRESSES, smtp}, {A_USERACCOUNTCONTROL, "514"},
        };
        if (dirAdd(d, 0, C_MIGRATED, name, v, sizeof v / sizeof v[0], NULL) != MS_OK) {
            fprintf(stderr, "bench: create failed: %s\n", s.k.err);
            return 1;
        }
    }
    double tc = wallSeconds();
    uint64_t events = 0;
    while (!dirConverged(d) && eqPeek(&s.k.q)) {
        if (kernelFireNext(&s.k) != MS_OK) {
            fprintf(stderr, "bench: %s\n", s.k.err);
            return 1;
        }
        events++;
    }
    double tr = wallSeconds();
    int ok = dirConverged(d) && dirObjectCount(d, DCS - 1) == dirObjectCount(d, 0);
    char when[CLOCK_BUFSZ];
    fprintf(stderr, "bench_topology: converged at simulated %s after %llu events (parse and build %.3f s, "
            "accounts %.3f s, replication %.3f s)\n", clockFormat(s.k.now, when), (unsigned long long)events,
            tb - t0, tc - tb, tr - tc);
    simFree(&s);
    scnFree(&sc);
    *secs = wallSeconds() - t0;
    if (!ok) fprintf(stderr, "bench: the forest did not converge\n");
    return !ok;
}

static int parse(double *secs) {
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int n = 0;
    for (int s = 0; s < 1000; s++, n++) put(&buf, &len, &cap, "site S%d\n", s, 0);
    for (int i = 0; i < 2000; i++, n++) put(&buf, &len, &cap, "dc DC%d site=S%d\n", i, i / 2);
    for (int i = 0; i < 1000; i++, n++) put(&buf, &len, &cap, "server EX%d dc=DC%d\n", i, 2 * i);
    for (int i = 0; n < STATEMENTS; i++, n += 2) {
        put(&buf, &len, &cap, "fail dc DC%d\n", (i * 7919) % 2000, 0);
        put(&buf, &len, &cap, "restore dc DC%d\n", (i * 7919) % 2000, 0);
    }
    double t0 = wallSeconds();
    scenario sc;
    scnError err;
    msStatus st = scnParse("bench.scn", buf, len, &sc, &err);
    *secs = wallSeconds() - t0;
    free(buf);
    if (st != MS_OK) {
        fprintf(stderr, "bench: %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
        return 1;
    }
    int ok = sc.n == STATEMENTS;
    scnFree(&sc);
    return !ok;
}

int main(void) {
    double topo, pars;
    if (topology(&topo) || parse(&pars)) return 1;
    printf("bench: topology_1000dc %.3f s\n", topo);
    printf("bench: parse_100k %.3f s\n", pars);
    return 0;
}
