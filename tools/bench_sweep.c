/*
** Sweep benchmark (`make bench`).  Prints each figure as "bench: NAME VALUE
** UNIT" on its own line.
**
**  (a) sweep_runs_per_s: `migsim sweep scenarios/kb842101/reproduce.scn
**      --seeds 1..10000` (one process, one core), the installed binary
**      (MIGSIM, default build/migsim) run as a user runs it, its table
**      written to /dev/null: runs per second of wall time, start-up, parsing
**      and the table included.
**      sweep_runs_per_cpu_s: the same runs per second of the command's CPU
**      time (its own and its workers'), which a loaded machine does not
**      lower.
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
#include <fcntl.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double nowSeconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpuOf(const struct rusage *ru) {
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 + (double)ru->ru_stime.tv_sec +
           (double)ru->ru_stime.tv_usec / 1e6;
}

/* One sweep of seeds 1..n with jobs workers by bin; its wall time (and in
** *cpu the CPU time of the command and its workers), or -1. */
static double timedSweep(const char *bin, long n, const char *jobs, double *cpu) {
    char seeds[64];
    snprintf(seeds, sizeof seeds, "1..%ld", n);
    char *argv[] = {(char *)bin, "sweep", "scenarios/kb842101/reproduce.scn", "--seeds", seeds, "--jobs",
                    (char *)jobs, NULL};
    double t0 = nowSeconds();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0) _exit(127);
        execv(bin, argv);
        _exit(127);
    }
    int st;
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before);
    if (waitpid(pid, &st, 0) != pid) return -1;
    double t = nowSeconds() - t0;
    getrusage(RUSAGE_CHILDREN, &after);
    *cpu = cpuOf(&after) - cpuOf(&before);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1;
}

int main(void) {
    const char *env = getenv("BENCH_SWEEP_SEEDS");
    long n = env && *env ? strtol(env, NULL, 10) : 10000;
    if (n < 1) n = 1;
    const char *bin = getenv("MIGSIM");
    if (!bin || !*bin) bin = "build/migsim";
    double cpu = 0, cpu2 = 0;
    double one = timedSweep(bin, n, "1", &cpu);
    double two = timedSweep(bin, n, "2", &cpu2);
    if (one < 0 || two < 0) {
        fprintf(stderr, "bench: %s sweep failed\n", bin);
        return 1;
    }
    printf("bench: sweep_runs_per_s %.0f runs/s\n", (double)n / one);
    /* The same run's CPU time: what one core does when other work shares the machine. */
    printf("bench: sweep_runs_per_cpu_s %.0f runs/s\n", (double)n / cpu);
    printf("bench: sweep_runs_per_s_jobs2 %.0f runs/s\n", (double)n / two);
    printf("bench: sweep_scaling %.2f x\n", one / two);
    return 0;
}
