/*
** The allocation-failure injection test (docs/architecture.md, "Errors").
**
** This program is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
** --wrap=strdup (Makefile: OOM_WRAP), so every allocation migsim's own code
** makes, in the library objects and here, goes through the __wrap_ functions
** below; SQLite (a shared library the flags do not reach) gets the same
** counting allocator through sqlite3_config(SQLITE_CONFIG_MALLOC) before it
** initializes.  Both count into one counter.
**
** The workload is what the CLI does: parse every shipped scenario
** (scenarios/ * / *.scn, through cliParse, the parse `migsim run` uses) and
** then `migsim run scenarios/kb842101/reproduce.scn --db FILE --html FILE` through
** cliMain, output captured.  First a child runs it with no failure and
** reports T, the allocations it made.  Then for N in 1..T (every N; the
** step OOM_STEP, default 1, makes it every OOM_STEP-th) a child fails
** allocation N and every one after it, and the parent checks how it ended:
** exit 0, or exit 2 with exactly one line on stderr, `migsim: error: out of
** memory (WHERE)`.  A signal, an abort, any other status, a sanitizer report
** or a leak report (LeakSanitizer exits non-zero in the child) fails.
**
** Why every allocation after N fails too, not only N: that is what running
** out of memory is: once malloc says no, the next call (the cleanup's, the
** error message's) is no more likely to succeed, so the paths that end the
** run must not need memory.  It also makes a swallowed failure show: a
** failure the code ignores is followed by more failures, never by a run
** that goes on as if nothing happened and exits 0 with a changed verdict.
** OOM_ONCE=1 fails only allocation N instead (then exit 0 must print what
** the clean run printed).
**
** OOM_FROM starts at another N; OOM_JOBS sets the children run at once;
** OOM_ONLY=N runs N alone in this process (for a debugger); OOM_SHOW=1
** prints every out-of-memory line.
**
** Two children run at a time (the machine has two cores).  The last line is
** `oom: T allocations, K tried, A exits 2, B exits 0`.
*/
#include <errno.h>
#include <glob.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli.h"
#include "scenario/scenario.h"

/* ---- the counting allocator ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static unsigned long allocs;     /* allocations made since counting started */
static unsigned long failAt;     /* 0: none fails; else the first that fails */
static int failOnce;             /* only failAt fails, not every one after it */
static int counting;

/* 1 when this allocation is to fail (then errno is ENOMEM, as malloc sets it). */
static int failNow(void) {
    if (!counting) return 0;
    unsigned long n = ++allocs;
    if (!failAt || (failOnce ? n != failAt : n < failAt)) return 0;
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n) {
    return failNow() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m) {
    return failNow() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n) {
    return failNow() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s) {
    return failNow() ? NULL : __real_strdup(s);
}

static sqlite3_mem_methods sqliteMem;

static void *sqlMalloc(int n) {
    return failNow() ? NULL : sqliteMem.xMalloc(n);
}

static void *sqlRealloc(void *p, int n) {
    return failNow() ? NULL : sqliteMem.xRealloc(p, n);
}

static int installSqliteAllocator(void) {
    static sqlite3_mem_methods mine;
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqliteMem) != SQLITE_OK) return -1;
    mine = sqliteMem;
    mine.xMalloc = sqlMalloc;
    mine.xRealloc = sqlRealloc;
    return sqlite3_config(SQLITE_CONFIG_MALLOC, &mine) == SQLITE_OK ? 0 : -1;
}

/* ---- the workload ---- */

static glob_t scenarios;
static char dbPath[64], htmlPath[64];

/* Parse every shipped scenario, then run the KB reproduction with --db and --html; the exit status. */
static int workload(FILE *out, FILE *err) {
    for (size_t i = 0; i < scenarios.gl_pathc; i++) {
        scenario sc;
        int rc = cliParse(scenarios.gl_pathv[i], &sc, err);
        if (rc) return rc;
        scnFree(&sc);
    }
    char *argv[] = {"migsim", "run", "scenarios/kb842101/reproduce.scn", "--db", dbPath, "--html", htmlPath, NULL};
    return cliMain(7, argv, out, err);
}

/* Exit statuses a child uses to report what the parent cannot see. */
#define BAD_STDERR 90     /* exit 2 without exactly the out-of-memory line */
#define BAD_OUTPUT 91     /* exit 0 (OOM_ONCE) with output unlike the clean run's */
#define BAD_SETUP 92

static char *cleanOut;    /* what the clean run printed (read by children after fork) */
static size_t cleanOutLen;

/* Slurp f from its start into a NUL-terminated heap string (uncounted). */
static char *slurp(FILE *f, size_t *len) {
    int was = counting;
    counting = 0;
    fflush(f);
    long n = ftell(f);
    char *s = __real_malloc(n > 0 ? (size_t)n + 1 : 1);
    rewind(f);
    size_t got = s && n > 0 ? fread(s, 1, (size_t)n, f) : 0;
    if (s) s[got] = '\0';
    if (len) *len = got;
    counting = was;
    return s;
}

static int isOomLine(const char *s) {
    static const char head[] = "migsim: error: out of memory (";
    if (strncmp(s, head, sizeof head - 1) != 0) return 0;
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == '\0' && nl - s > (long)sizeof head && nl[-1] == ')';
}

/*
** A child: run the workload with allocation failAt (0: none) failing.  The
** clean run writes its count to fd; the others check their own output.
*/
static void child(unsigned long n, int fd) {
    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err) _exit(BAD_SETUP);
    /* On a tmpfs when there is one: the --db commit's fsync costs nothing there. */
    snprintf(dbPath, sizeof dbPath, "%s/migsim-oom-%ld.sqlite", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid());
    snprintf(htmlPath, sizeof htmlPath, "%s/migsim-oom-%ld.html", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid());
    failAt = n;
    allocs = 0;
    counting = 1;
    int rc = workload(out, err);
    counting = 0;
    unlink(dbPath);
    unlink(htmlPath);
    size_t olen;
    char *o = slurp(out, &olen), *e = slurp(err, NULL);
    if (getenv("OOM_ONLY")) fprintf(stderr, "%s%s", o, e);   /* for a look at what it printed */
    if (fd >= 0) {
        if (write(fd, &allocs, sizeof allocs) != sizeof allocs) rc = BAD_SETUP;
        if (write(fd, &olen, sizeof olen) != sizeof olen || write(fd, o, olen) != (ssize_t)olen) rc = BAD_SETUP;
    } else if (rc == 2 && getenv("OOM_SHOW")) {
        fprintf(stderr, "oom: N=%lu: %s", n, e);   /* OOM_SHOW=1: every out-of-memory line */
        if (!isOomLine(e)) rc = BAD_STDERR;
    } else if (rc == 2 && !isOomLine(e)) {
        fprintf(stderr, "oom: N=%lu: exit 2, stderr:\n%s", n, e);
        rc = BAD_STDERR;
    } else if (rc == 0 && failOnce && (olen != cleanOutLen || memcmp(o, cleanOut, olen) != 0)) {
        fprintf(stderr, "oom: N=%lu: exit 0 with output unlike the clean run's\n", n);
        rc = BAD_OUTPUT;
    }
    free(o);
    free(e);
    fclose(out);
    fclose(err);
    exit(rc);   /* exit, not _exit: LeakSanitizer checks at exit */
}

/* Fork a child for n; its pid. */
static pid_t spawn(unsigned long n, int fd) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) child(n, fd);
    return pid;
}

/* 1 when a child's end is acceptable; counts it. */
static int judge(unsigned long n, int status, unsigned long *ok0, unsigned long *ok2) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        (*ok0)++;
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
        (*ok2)++;
        return 1;
    }
    if (WIFSIGNALED(status))
        fprintf(stderr, "oom: N=%lu: killed by signal %d\n", n, WTERMSIG(status));
    else
        fprintf(stderr, "oom: N=%lu: exit status %d\n", n, WEXITSTATUS(status));
    return 0;
}

static unsigned long envNumber(const char *name, unsigned long dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    return errno || *end || n == 0 ? dflt : n;
}

int main(void) {
    if (installSqliteAllocator() != 0) {
        fprintf(stderr, "oom: cannot install the SQLite allocator\n");
        return 1;
    }
    if (glob("scenarios/*/*.scn", 0, NULL, &scenarios) != 0 || scenarios.gl_pathc == 0) {
        fprintf(stderr, "oom: no scenarios (run from the repository's top directory)\n");
        return 1;
    }
    failOnce = envNumber("OOM_ONCE", 0) == 1;
    /* OOM_ONLY=N: fail allocation N in this process, no fork (for a debugger). */
    if (envNumber("OOM_ONLY", 0)) child(envNumber("OOM_ONLY", 0), -1);
    unsigned long step = envNumber("OOM_STEP", 1), from = envNumber("OOM_FROM", 1);
    int jobs = (int)envNumber("OOM_JOBS", 2);

    /* The clean run: T, and what it printed. */
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t pid = spawn(0, fds[1]);
    close(fds[1]);
    unsigned long total = 0;
    int status = 0;
    if (read(fds[0], &total, sizeof total) != sizeof total ||
        read(fds[0], &cleanOutLen, sizeof cleanOutLen) != sizeof cleanOutLen) total = 0;
    cleanOut = malloc(cleanOutLen + 1);
    size_t got = 0;
    while (cleanOut && got < cleanOutLen) {
        ssize_t r = read(fds[0], cleanOut + got, cleanOutLen - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fds[0]);
    waitpid(pid, &status, 0);
    if (!cleanOut || got != cleanOutLen || total == 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "oom: the clean run failed (status %d, %lu allocations)\n", status, total);
        return 1;
    }

    /* Every N (or every step-th), jobs children at a time. */
    unsigned long tried = 0, ok0 = 0, ok2 = 0, bad = 0;
    pid_t *running = calloc((size_t)jobs, sizeof *running);
    unsigned long *their = calloc((size_t)jobs, sizeof *their);
    if (!running || !their) return 1;
    unsigned long n = from;
    int busy = 0;
    while (n <= total || busy) {
        if (n <= total && busy < jobs) {
            int slot = 0;
            while (running[slot]) slot++;
            running[slot] = spawn(n, -1);
            their[slot] = n;
            busy++;
            tried++;
            n += step;
            continue;
        }
        pid_t done = wait(&status);
        for (int i = 0; i < jobs; i++)
            if (running[i] == done) {
                if (!judge(their[i], status, &ok0, &ok2)) bad++;
                running[i] = 0;
                busy--;
            }
    }
    printf("oom: %lu allocations in the workload, %lu tried (step %lu), %lu exits 2, %lu exits 0%s\n",
           total, tried, step, ok2, ok0, failOnce ? " (each fails only its allocation)" : "");
    free(running);
    free(their);
    free(cleanOut);
    globfree(&scenarios);
    if (bad) {
        printf("oom: %lu runs ended badly\n", bad);
        return 1;
    }
    return 0;
}
