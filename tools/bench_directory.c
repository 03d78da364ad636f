/*
** Directory benchmark (`make bench`): a forest of 8 DCs in 2 sites (4 + 4,
** ad 2003, narrative off); 100,000 mail-enabled accounts are created on DC1
** (originating writes), then the replication-delay model runs (notification
** rings, the site link) until all 8 DCs have converged, checking convergence
** after every event as the runner does.
**
** Prints, one per line, `bench: NAME VALUE UNIT`: originating writes per
** second, replicated objects per second (objects applied on the 7 other DCs
** divided by the wall time of the replication phase), total wall time and
** peak resident memory.  Target: under 10 s and 2 GB on one core.
** Wall-clock time is read here only, never in the library or the tests.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "../tests/dirfixture.h"

#define ACCOUNTS 100000
#define SITE_DCS 4

static double wallSeconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void) {
    double t0 = wallSeconds();
    fixture f;
    fxInitEx(&f, 2003, 2, (int[]){SITE_DCS, SITE_DCS}, 0, MS_PER_SECOND, 1, NULL, 0);
    char name[32], mail[64], smtp[80], x500[96], leg[96], mbx[GUID_STRLEN];
    for (int i = 0; i < ACCOUNTS; i++) {
        snprintf(name, sizeof name, "user%d", i);
        snprintf(mail, sizeof mail, "%s@target.example", name);
        snprintf(smtp, sizeof smtp, "SMTP:%s", mail);
        snprintf(x500, sizeof x500, "X500:/o=Source/ou=Site/cn=Recipients/cn=%s", name);
        snprintf(leg, sizeof leg, "/o=Target/ou=First/cn=Recipients/cn=%s", name);
        guid g;
        guidNext(&f.k.guids, "mailbox", &g);
        guidFormat(&g, mbx);
        dirValue v[] = {
            {A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, name}, {A_MAIL, mail},
            {A_PROXYADDRESSES, smtp}, {A_PROXYADDRESSES, x500}, {A_LEGACYEXCHANGEDN, leg},
            {A_MAILBOXGUID, mbx}, {A_HOMEMDB, "CN=Store,CN=EX1"}, {A_USERACCOUNTCONTROL, "514"},
        };
        if (dirAdd(f.d, 0, C_MIGRATED, name, v, sizeof v / sizeof v[0], NULL) != MS_OK) {
            fprintf(stderr, "bench: create failed: %s\n", f.k.err);
            return 1;
        }
    }
    double t1 = wallSeconds();
    uint64_t events = 0;
    while (!dirConverged(f.d)) {
        if (!eqPeek(&f.k.q)) break;
        if (kernelFireNext(&f.k) != MS_OK) {
            fprintf(stderr, "bench: %s\n", f.k.err);
            return 1;
        }
        events++;
    }
    double t2 = wallSeconds();
    if (!dirConverged(f.d)) {
        fprintf(stderr, "bench: the forest did not converge\n");
        return 1;
    }
    size_t replicated = 0;
    for (int dc = 1; dc < dirDcCount(f.d); dc++) replicated += dirObjectCount(f.d, dc) - 5;
    char when[CLOCK_BUFSZ];
    fprintf(stderr, "bench_directory: converged at simulated %s after %llu events\n", clockFormat(f.k.now, when),
            (unsigned long long)events);
    fxFree(&f);
    double t3 = wallSeconds();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench: directory_originating_writes %.0f writes/s\n", ACCOUNTS / (t1 - t0));
    printf("bench: directory_replicated_objects %.0f objects/s\n", (double)replicated / (t2 - t1));
    printf("bench: directory_total_wall %.2f s\n", t3 - t0);
    printf("bench: directory_peak_rss %.0f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}
