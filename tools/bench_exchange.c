/*
** Exchange-side benchmark (`make bench`).  Prints each figure as
** "bench: NAME VALUE UNIT" on its own line.
**
**  (a) reproduce: the median wall time of one run of
**      scenarios/kb842101/reproduce.scn, parse to verdict, narrative off,
**      over 1,000 runs in one process.
**  (b) migrate10m: 10,000 users with 1,000 items each (10 million items)
**      migrated by one wizard run through 4 DCs in 2 sites.  Building the
**      world (generating the source) is not timed; the run is.  Then, in the
**      same database, SQLite's own rate for one INSERT INTO ... SELECT of the
**      same 10 million rows into a table with exactly the store's item schema
**      and index, for comparison; and the peak resident set size.
**
** Wall-clock reads are allowed here and only here (tools/bench_*): nothing
** in the simulator reads a clock.  BENCH_USERS / BENCH_ITEMS / BENCH_RUNS in
** the environment shrink the sizes for a quick look; the recorded figures use
** the defaults.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "exchange/exchangeint.h"
#include "scenario/scenario.h"
#include "run/sim.h"
#include "run/world.h"

static double nowSeconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmpDouble(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long envLong(const char *name, long dflt) {
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

/* One run of the file at path, parse to verdict; -1 on a failure. */
static double timedRun(const char *path) {
    double t0 = nowSeconds();
    scenario sc;
    scnError err;
    if (scnParseFile(path, &sc, &err) != MS_OK) return -1;
    sim s;
    simOptions opt = {0};
    msStatus rc = simInit(&s, &sc, &opt);
    if (rc == MS_OK) rc = simRun(&s);
    simFree(&s);
    scnFree(&sc);
    double t = nowSeconds() - t0;
    return rc == MS_OK ? t : -1;
}

static int benchReproduce(void) {
    const char *path = "scenarios/kb842101/reproduce.scn";
    long runs = envLong("BENCH_RUNS", 1000);
    double *v = malloc((size_t)runs * sizeof *v);
    if (!v) return 1;
    for (long i = 0; i < runs; i++) {
        v[i] = timedRun(path);
        if (v[i] < 0) {
            fprintf(stderr, "bench: %s did not pass\n", path);
            free(v);
            return 1;
        }
    }
    qsort(v, (size_t)runs, sizeof *v, cmpDouble);
    printf("bench: reproduce_median %.3f ms\n", v[runs / 2] * 1e3);
    printf("bench: reproduce_runs %ld runs\n", runs);
    free(v);
    return 0;
}

static int execSql(sqlite3 *db, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    fprintf(stderr, "bench: %s\n", msg ? msg : "sqlite error");
    sqlite3_free(msg);
    return 1;
}

static int benchMigrate(void) {
    long users = envLong("BENCH_USERS", 10000), items = envLong("BENCH_ITEMS", 1000);
    char text[1024];
    snprintf(text, sizeof text,
             "seed 1\n"
             "site HQ\nsite BRANCH\nsitelink HQ BRANCH interval=15m\n"
             "dc DC1 site=HQ gc\ndc DC2 site=HQ\ndc DC3 site=BRANCH gc\ndc DC4 site=BRANCH\n"
             "server EX1 dc=DC1 gc=DC1\n"
             "source users=%ld items=%ld folders=5 rules=1\n"
             "wizard server=EX1 dc=DC1\n"
             "admin dc=DC1\n"
             "migrate all\nwait done\n",
             users, items);
    scenario sc;
    scnError err;
    if (scnParse("bench.scn", text, strlen(text), &sc, &err) != MS_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    sim s;
    simOptions opt = {0};
    if (simInit(&s, &sc, &opt) != MS_OK) {
        fprintf(stderr, "bench: %s\n", s.k.err);
        return 1;
    }
    double t0 = nowSeconds();
    msStatus rc = simRun(&s);
    double wall = nowSeconds() - t0;
    exchange *x = s.world->ex;
    sqlite3 *db = exSql(x);
    long long copied = 0;
    for (size_t i = 0; i < x->st.nmbx; i++) copied += (long long)x->st.mbx[i]->items.n;
    if (!db || rc != MS_OK || copied != (long long)users * items) {
        fprintf(stderr, "bench: the migration did not copy every item (%lld): %s\n", copied, s.k.err);
        return 1;
    }
    /* SQLite's own rate: one INSERT ... SELECT of the same rows into the item schema. */
    if (execSql(db, "CREATE TABLE ref_item(id INTEGER NOT NULL, mbx INTEGER NOT NULL, fid INTEGER NOT NULL,"
                    " skey INTEGER NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
                    " PRIMARY KEY(mbx, skey, mtime, fid, id)) WITHOUT ROWID;"))
        return 1;
    double r0 = nowSeconds();
    if (execSql(db, "INSERT INTO ref_item(id, mbx, fid, skey, size, mtime)"
                    " SELECT id, user, fid, skey, size, mtime FROM src_item ORDER BY id"))
        return 1;
    double ref = nowSeconds() - r0;
    execSql(db, "DROP TABLE ref_item");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench: migrate10m_items %lld items\n", copied);
    printf("bench: migrate10m_wall %.2f s\n", wall);
    printf("bench: migrate10m_rate %.0f items/s\n", (double)copied / wall);
    printf("bench: sqlite_insert_select_rate %.0f items/s\n", (double)copied / ref);
    printf("bench: migrate10m_vs_sqlite %.2f ratio\n", ref / wall);
    printf("bench: migrate10m_virtual_time %.1f h\n", (double)s.k.now / 3.6e6);
    printf("bench: migrate10m_peak_rss %.0f MB\n", (double)ru.ru_maxrss / 1024.0);
    simFree(&s);
    scnFree(&sc);
    return 0;
}

int main(void) {
    if (benchReproduce()) return 1;
    return benchMigrate();
}
