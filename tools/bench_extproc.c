/*
** Process-migrator benchmark (`make bench`).  Prints each figure as
** "bench: NAME VALUE UNIT" on its own line.
**
**  (a) migrator_exec_roundtrip: the wall time of one request and its reply
**      between migsim and a trivial process, beyond the operation's own cost:
**      the exec migrator (extproc.c) is driven directly, without the engine,
**      answering N `sleep` requests of a responder that is this program run
**      with --respond (C, so the figure is migsim's side and the pipes, not
**      an interpreter's).  The operation itself is never performed (no
**      engine, no world), so its own cost is zero by construction: what is
**      timed is the JSON encoding and decoding, the protocol's checks, the
**      watchdog's poll and the pipe.  Median over BENCH_RUNS batches of N
**      round trips.
**  (a') pipe_pingpong_baseline: the same N round trips with no migsim code
**      at all, a line of the same size each way between two processes with
**      one write and one read per side (--echo): the kernel's part (the
**      pipes, the two wake-ups) and the scheduler's, measured in the same
**      batches, so (a) minus (a') is what the protocol costs on top.
**  (b) reproduce_exec_python: one run of scenarios/kb842101/reproduce.scn
**      driven by tools/migrators/wizard.py, parse to verdict, process start
**      included; the median of BENCH_RUNS runs.
**
** Wall-clock reads are allowed here and only here (tools/bench_*).  Run from
** the repository's root (make bench does).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "migration/engine.h"
#include "migration/extproc.h"
#include "scenario/scenario.h"
#include "run/sim.h"

#define ROUNDTRIPS 20000

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

/*
** The trivial process: init_ok, then a `sleep 0` request for every message,
** until stdin closes.  Raw read() and one write() per line, as the bare
** ping-pong's child does, so the two differ only by migsim's side.
*/
static int respond(void) {
    static char buf[1 << 16];
    size_t len = 0;
    long id = 0;
    for (;;) {
        char *nl = memchr(buf, '\n', len);
        if (!nl) {
            ssize_t n = len < sizeof buf ? read(0, buf + len, sizeof buf - len) : -1;
            if (n <= 0) return 0;
            len += (size_t)n;
            continue;
        }
        *nl = '\0';
        const char *p = strstr(buf, "\"msg_id\":");
        long theirs = p ? strtol(p + 9, NULL, 10) : 0;
        size_t used = (size_t)(nl - buf) + 1;
        memmove(buf, nl + 1, len - used);
        len -= used;
        char out[160];
        int k = ++id == 1 ? snprintf(out, sizeof out, "{\"type\":\"init_ok\",\"msg_id\":%ld,\"in_reply_to\":%ld}\n", id, theirs)
                          : snprintf(out, sizeof out, "{\"type\":\"sleep\",\"msg_id\":%ld,\"in_reply_to\":%ld,\"duration_ms\":0}\n",
                                     id, theirs);
        if (write(1, out, (size_t)k) != k) return 1;
    }
}

/* The lines of the bare ping-pong: a reply the size of migsim's to a sleep, a request the size of a sleep. */
static const char pingLine[] = "{\"type\":\"sleep_ok\",\"msg_id\":12345,\"in_reply_to\":12345,\"time\":0}\n";
static const char pongLine[] = "{\"type\":\"sleep\",\"msg_id\":12345,\"in_reply_to\":12345,\"duration_ms\":0}\n";

/* Read from fd until a newline; 0, or -1 at the end of input. */
static int readToNewline(int fd) {
    char b[256];
    for (;;) {
        ssize_t n = read(fd, b, sizeof b);
        if (n <= 0) return -1;
        if (memchr(b, '\n', (size_t)n)) return 0;
    }
}

/* Microseconds per bare pipe round trip (one write and one read each side) over n; -1 on a failure. */
static double pingpong(int n) {
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        while (readToNewline(down[0]) == 0)
            if (write(up[1], pongLine, sizeof pongLine - 1) != (ssize_t)(sizeof pongLine - 1)) _exit(1);
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    double t0 = nowSeconds();
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (write(down[1], pingLine, sizeof pingLine - 1) != (ssize_t)(sizeof pingLine - 1)) rc = -1;
        else rc = readToNewline(up[0]);
    }
    double t = nowSeconds() - t0;
    close(down[1]);
    close(up[0]);
    waitpid(pid, NULL, 0);
    return rc == 0 ? t / n * 1e6 : -1;
}

/* Microseconds per round trip over n sleep requests; -1 on a failure. */
static double roundtrips(const char *self, int n) {
    static const char *const dcs[] = {"DC1"}, *const servers[] = {"EX1"}, *const users[] = {"user1"};
    static const int server_dcs[] = {0};
    static const uint32_t run_users[] = {1};
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "exec %s --respond", self);
    migEnv env = {dcs, 1, servers, 1, 1, cmd, server_dcs, 500, 1000, 60000, 600000, 100, NULL, NULL, users, 10000};
    const migrator *m = extprocMigrator();
    void *p = m->open(&env);
    if (!p) return -1;
    migReply a = {0};
    a.status = MIG_START;
    a.start = (migStart){1, run_users, 1, 0, 0, 20, 0, 0};
    migRequest q;
    char why[512];
    double t0 = 0;
    int rc = 0;
    for (int i = 0; i <= n && rc == 0; i++) {
        if (i == 1) t0 = nowSeconds();   /* the handshake and the migrate message are not timed */
        rc = m->next(p, &a, &q, why, sizeof why);
        a.status = MIG_OK;
        a.now = 0;
    }
    double t = nowSeconds() - t0;
    m->close(p);
    if (rc != 0) {
        fprintf(stderr, "bench_extproc: %s\n", why);
        return -1;
    }
    return t / n * 1e6;
}

static double timedReproduce(void) {
    double t0 = nowSeconds();
    scenario sc;
    scnError err;
    if (scnParseFile("scenarios/kb842101/reproduce.scn", &sc, &err) != MS_OK) return -1;
    sim s;
    simOptions opt = {0};
    opt.migrator = "exec:python3 tools/migrators/wizard.py";
    msStatus rc = simInit(&s, &sc, &opt);
    if (rc == MS_OK) rc = simRun(&s);
    simFree(&s);
    scnFree(&sc);
    double t = nowSeconds() - t0;
    return rc == MS_OK ? t : -1;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--respond") == 0) return respond();
    long runs = envLong("BENCH_RUNS", 5);
    if (runs < 1) runs = 1;
    double *v = calloc((size_t)runs, sizeof *v), *base = calloc((size_t)runs, sizeof *base);
    if (!v || !base) return 1;
    /* Interleaved, so a machine busy with other work weighs on both alike. */
    for (long i = 0; i < runs; i++)
        if ((base[i] = pingpong(ROUNDTRIPS)) < 0 || (v[i] = roundtrips(argv[0], ROUNDTRIPS)) < 0) return 1;
    qsort(v, (size_t)runs, sizeof *v, cmpDouble);
    qsort(base, (size_t)runs, sizeof *base, cmpDouble);
    printf("bench: pipe_pingpong_baseline %.1f us\n", base[runs / 2]);
    printf("bench: migrator_exec_roundtrip %.1f us\n", v[runs / 2]);
    free(base);
    for (long i = 0; i < runs; i++)
        if ((v[i] = timedReproduce()) < 0) {
            fprintf(stderr, "bench_extproc: reproduce.scn with tools/migrators/wizard.py failed\n");
            return 1;
        }
    qsort(v, (size_t)runs, sizeof *v, cmpDouble);
    printf("bench: reproduce_exec_python %.0f ms\n", v[runs / 2] * 1000);
    free(v);
    return 0;
}
