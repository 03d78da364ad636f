/*
** Sweep benchmark (`make bench`).  Prints each figure as "bench: NAME VALUE
** UNIT" on its own line.
**
**  (a) sweep_runs_per_s: `migsim sweep scenarios/kb842101/reproduce.scn
**      --seeds 1..10000` (one process, one core), through cliMain as the
**      command runs it: runs per second of wall time, parsing and the table
**      included.
**      sweep_runs_per_cpu_s: the same runs per second of this process's
**      CPU time, which a loaded machine does not lower.
**  (b) sweep_scaling: the same sweep with --jobs 2, its rate divided by
**      (a)'s.  On a machine of two cores 2.0 is perfect; the workers share
**      nothing but the pipe they report on.
**
** Wall-clock reads are allowed here and only here (tools/bench_*).
** BENCH_SWEEP_SEEDS in the environment shrinks the sweep for a quick look;
** the recorded figures use the default.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "cli/cli.h"

static double nowSeconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpuSeconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* One sweep of seeds 1..n with jobs workers; its wall time, or -1. */
static double timedSweep(long n, const char *jobs) {
    char seeds[64];
    snprintf(seeds, sizeof seeds, "1..%ld", n);
    char *argv[] = {"migsim", "sweep", "scenarios/kb842101/reproduce.scn", "--seeds", seeds, "--jobs",
                    (char *)jobs, NULL};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) return -1;
    double t0 = nowSeconds();
    int rc = cliMain(7, argv, out, stderr);
    double t = nowSeconds() - t0;
    fclose(out);
    free(buf);
    return rc == 0 ? t : -1;
}

int main(void) {
    const char *env = getenv("BENCH_SWEEP_SEEDS");
    long n = env && *env ? strtol(env, NULL, 10) : 10000;
    if (n < 1) n = 1;
    double c0 = cpuSeconds();
    double one = timedSweep(n, "1");
    double cpu = cpuSeconds() - c0;
    double two = timedSweep(n, "2");
    if (one < 0 || two < 0) {
        fprintf(stderr, "bench: the sweep failed\n");
        return 1;
    }
    printf("bench: sweep_runs_per_s %.0f runs/s\n", (double)n / one);
    /* The same run's CPU time: what one core does when other work shares the machine. */
    printf("bench: sweep_runs_per_cpu_s %.0f runs/s\n", (double)n / cpu);
    printf("bench: sweep_runs_per_s_jobs2 %.0f runs/s\n", (double)n / two);
    printf("bench: sweep_scaling %.2f x\n", one / two);
    return 0;
}
