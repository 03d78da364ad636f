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
** The workloads are what the CLI does, each a command line given to cliMain
** with its output captured (the table `workloads` below):
**
**   run          parse every shipped scenario (through cliParse, the parse
**                `migsim run` uses), then `migsim run reproduce.scn --db
**                --html`;
**   lab          `migsim lab reproduce.scn` fed a script on its standard
**                input: step, show, why, back, goto (a time and a line), do,
**                next, save FILE, quit;
**   diff, diff-seeds   two scenarios, and one scenario's two seeds;
**   check        `migsim check --junit FILE --json=FILE` over three
**                scenarios, one with two failed expectations;
**   sweep        reproduce.scn over seeds 1..20 and two WAITs, --db, --csv;
**   sweep-jobs   fix-wait-jitter.scn over seeds 1..3 and two WAITs with
**                --jobs 2 (below): its runs strand mail, so a failure
**                swallowed while judging the stranded mail changes the
**                output;
**   explore      `migsim explore --runs 20` from seed 4 against no-merged,
**                which seed 4 breaks: a violation found and shrunk, the
**                minimal scenario written;
**   rescue       `migsim run fix-rescue.scn` (export to and import from the
**                holding area);
**   resume       `migsim run resume-refused-move.scn --migrator builtin:resume`.
**
** For each workload a child first runs it with no failure: it reports T,
** the allocations it made, its exit status S (0; or 1 for diff, check and
** explore, whose runs differ, fail or break an invariant), what it printed
** and the files it wrote.  Then for N in 1..T (every N; see "Steps") a
** child fails allocation N and every one after it, and the parent checks how
** it ended: exit S with what the clean run printed on standard output, or
** exit 2 with exactly one line on stderr, `migsim: error: out of memory
** (WHERE)`.  A signal, an abort, any other status, a sanitizer report or a
** leak report (LeakSanitizer exits non-zero in the child) fails; so does a
** run longer than OOM_TIMEOUT seconds (default 600: a hang; SIGALRM).
**
** The files.  Each child runs in a directory of its own (a link to
** scenarios/ and tests/ in it, so the command lines and everything they
** print are the same in every child) and writes its outputs there.  Every
** other try finds each output already there, holding a marker text; the
** others find none.  Afterwards each output must be the clean run's, byte
** for byte, or (exit 2 only) the marker it found, or (exit 2, no marker)
** absent; and the directory must hold nothing else, no temporary file left
** behind.  So a partial file, a destroyed one or a stray temporary fails.
**
** Why every allocation after N fails too, not only N: that is what running
** out of memory is: once malloc says no, the next call (the cleanup's, the
** error message's) is no more likely to succeed, so the paths that end the
** run must not need memory.  It also makes a swallowed failure show: a
** failure the code ignores is followed by more failures, never by a run
** that goes on as if nothing happened and exits 0 with a changed verdict.
** OOM_ONCE=1 fails only allocation N instead.
**
** sweep --jobs 2 forks two workers.  Each process counts on from the count
** it inherited at its fork, and allocation N fails in every process that
** reaches N; a worker that fails reports it to the parent, which prints the
** one line.  T is the largest count any of the processes reached (they
** publish it in a shared page).  So N names the same allocation of the same
** process in every try, whatever the scheduling.
**
** Steps.  The run workload tries every N in `make check`, as it always has.
** The new ones would add about 63,000 tries at 8 to 20 ms of CPU each
** (a fork, the run up to N, the exit): ten minutes on the 2-core machine.
** So each tries every STRIDE-th N, its stride in the table: 2 to 13 for the
** small workloads, 31 for the sweep's 17,800 allocations and 61 for
** explore's 32,000, about 3,700 tries and 47 s of CPU in all, chosen so
** they add under a minute to `make check` (docs/performance.md has the
** figures).  A stride in the tens still meets every kind of allocation many
** times over, since a run's allocations repeat run after run.  What does not
** repeat is the end, where the outputs are written: the last TAIL (50)
** allocations of every workload are all tried, the last one always (explore's
** last is the open of its minimal scenario's file).  Every N of every
** workload was tried once by hand (OOM_EVERY=1) when they were added.
** OOM_STEP multiplies every stride and is the tail's step (`make san` sets
** 17, `make valgrind` 500); with OOM_EVERY=1 the strides are ignored
** (OOM_STEP alone: every N by default).
**
** OOM_WORKLOAD=NAME[,NAME...] runs only those workloads; OOM_FROM starts at
** another N; OOM_JOBS sets the children run at once (default 2, the
** machine's cores); OOM_ONLY=N runs N alone in this process, of the first
** workload chosen (for a debugger); OOM_SHOW=1 prints every
** out-of-memory line.  One line per workload, `oom: NAME: T allocations, K
** tried (step S, the last 50 by STEP), A exits 2, B exits S`, then the
** totals.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

static unsigned long allocs;     /* allocations made since counting started (this process's) */
static unsigned long failAt;     /* 0: none fails; else the first that fails */
static int failOnce;             /* only failAt fails, not every one after it */
static int counting;
static atomic_ulong *peak;       /* shared by every process of a child: the largest count reached */

/* 1 when this allocation is to fail (then errno is ENOMEM, as malloc sets it). */
static int failNow(void) {
    if (!counting) return 0;
    unsigned long n = ++allocs;
    unsigned long p = atomic_load(peak);
    while (n > p && !atomic_compare_exchange_weak(peak, &p, n)) {}
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

/* ---- the workloads ---- */

#define MAX_FILES 3

typedef struct workload {
    const char *name;
    unsigned long stride;          /* tries every stride * OOM_STEP-th allocation */
    int parse_all;                 /* first parse every shipped scenario */
    const char *input;             /* its standard input (the lab's commands), or NULL */
    const char *files[MAX_FILES];  /* the output files it writes, in its directory */
    const char *argv[20];          /* the command line, NULL-terminated */
} workload;

static const char labScript[] =
    "step\n"
    "step 3\n"
    "show user:user3,dc:DC1\n"
    "why user3\n"
    "back\n"
    "goto 2m\n"
    "do deliver user5 count=2\n"
    "next\n"
    "why user5\n"
    "goto 17\n"
    "save lab.scn\n"
    "quit\n";

static const workload workloads[] = {
    {"run", 1, 1, NULL, {"out.sqlite", "out.html"},
     {"migsim", "run", "scenarios/kb842101/reproduce.scn", "--db", "out.sqlite", "--html", "out.html"}},
    {"lab", 5, 0, labScript, {"lab.scn"}, {"migsim", "lab", "scenarios/kb842101/reproduce.scn"}},
    {"diff", 13, 0, NULL, {NULL},
     {"migsim", "diff", "scenarios/kb842101/reproduce.scn", "scenarios/kb842101/fix.scn"}},
    {"diff-seeds", 13, 0, NULL, {NULL}, {"migsim", "diff", "scenarios/kb842101/reproduce.scn", "--seeds", "1,2"}},
    {"check", 3, 0, NULL, {"check.xml", "check.json"},
     {"migsim", "check", "--junit", "check.xml", "--json=check.json", "scenarios/kb842101/fix.scn",
      "scenarios/directory/sync.scn", "tests/check/two-failures.scn"}},
    {"sweep", 31, 0, NULL, {"sweep.sqlite", "sweep.csv"},
     {"migsim", "sweep", "scenarios/kb842101/reproduce.scn", "--seeds", "1..20", "--vary", "WAIT=0s,5m", "--db",
      "sweep.sqlite", "--csv", "sweep.csv"}},
    {"sweep-jobs", 5, 0, NULL, {"sweep.sqlite", "sweep.csv"},
     {"migsim", "sweep", "scenarios/kb842101/fix-wait-jitter.scn", "--seeds", "1..3", "--vary", "WAIT=0s,1m",
      "--jobs", "2", "--db", "sweep.sqlite", "--csv", "sweep.csv"}},
    {"explore", 61, 0, NULL, {"explore-no-merged.scn"},
     {"migsim", "explore", "--runs", "20", "--seed", "4", "--invariant", "no-merged", "--out", "."}},
    {"rescue", 2, 0, NULL, {NULL}, {"migsim", "run", "scenarios/kb842101/fix-rescue.scn"}},
    {"resume", 3, 0, NULL, {NULL},
     {"migsim", "run", "scenarios/migrators/resume-refused-move.scn", "--migrator", "builtin:resume"}},
};
#define NWORKLOADS (sizeof workloads / sizeof workloads[0])

static glob_t scenarios;
static char top[PATH_MAX];       /* the repository's top directory */
static char base[PATH_MAX];      /* where the children's directories go */

/* Run workload w (in its directory); the exit status. */
static int workload1(const workload *w, FILE *out, FILE *err) {
    for (size_t i = 0; w->parse_all && i < scenarios.gl_pathc; i++) {
        scenario sc;
        int rc = cliParse(scenarios.gl_pathv[i], &sc, err);
        if (rc) return rc;
        scnFree(&sc);
    }
    /* A writable vector, as main's: check reorders its arguments in place. */
    char *argv[sizeof w->argv / sizeof w->argv[0]];
    int argc = 0;
    for (; w->argv[argc]; argc++) argv[argc] = (char *)w->argv[argc];
    argv[argc] = NULL;
    return cliMain(argc, argv, out, err);
}

/* Exit statuses a child uses to report what the parent cannot see. */
#define BAD_STDERR 90     /* exit 2 without exactly the out-of-memory line */
#define BAD_OUTPUT 91     /* the clean run's status with output unlike the clean run's */
#define BAD_SETUP 92
#define BAD_FILES 93      /* an output partial, destroyed or left over */

static const char marker[] = "migsim-oom: the file as it was before the run\n";

/* What the clean run of the workload under test did (read by children after fork). */
typedef struct cleanRun {
    int status;
    char *out;
    size_t outLen;
    char *file[MAX_FILES];       /* NULL: not written */
    size_t fileLen[MAX_FILES];
} cleanRun;

static cleanRun clean;

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

/* The file at path, or NULL when there is none. */
static char *slurpPath(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    char *s = slurp(f, len);
    fclose(f);
    return s;
}

static int isOomLine(const char *s) {
    static const char head[] = "migsim: error: out of memory (";
    if (strncmp(s, head, sizeof head - 1) != 0) return 0;
    const char *nl = strchr(s, '\n');
    return nl && nl[1] == '\0' && nl - s > (long)sizeof head && nl[-1] == ')';
}

static int writeText(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int bad = fputs(text, f) == EOF;
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* The child's directory dir: made, with links to scenarios/ and tests/, the input, the markers. */
static int prepareDir(const workload *w, const char *dir, int markers) {
    char to[PATH_MAX + 16];
    if (mkdir(dir, 0700) != 0 || chdir(dir) != 0) return -1;
    snprintf(to, sizeof to, "%s/scenarios", top);
    if (symlink(to, "scenarios") != 0) return -1;
    snprintf(to, sizeof to, "%s/tests", top);
    if (symlink(to, "tests") != 0) return -1;
    for (int k = 0; markers && k < MAX_FILES && w->files[k]; k++)
        if (writeText(w->files[k], marker) != 0) return -1;
    if (w->input) {
        if (writeText("input", w->input) != 0) return -1;
        int fd = open("input", O_RDONLY);
        if (fd < 0 || dup2(fd, 0) != 0) return -1;
        close(fd);
    }
    return 0;
}

static int isOutput(const workload *w, const char *name) {
    for (int k = 0; k < MAX_FILES && w->files[k]; k++)
        if (strcmp(w->files[k], name) == 0) return 1;
    return 0;
}

/*
** The outputs after a run that ended with rc: each the clean run's, or (exit
** 2) the marker it found, or (exit 2, no marker) absent; nothing else in the
** directory.  0, or -1 with what is wrong on stderr.
*/
static int checkFiles(const workload *w, unsigned long n, int rc, int markers) {
    int bad = 0;
    for (int k = 0; k < MAX_FILES && w->files[k]; k++) {
        size_t len;
        char *s = slurpPath(w->files[k], &len);
        int whole = s && clean.file[k] && len == clean.fileLen[k] && memcmp(s, clean.file[k], len) == 0;
        int old = s && markers && strcmp(s, marker) == 0;
        if (!whole && !(rc == 2 && (old || (!s && !markers)))) {
            fprintf(stderr, "oom: %s N=%lu: exit %d, %s %s\n", w->name, n, rc, w->files[k],
                    !s ? "destroyed" : old ? "not written" : "partial or unlike the clean run's");
            bad = 1;
        }
        free(s);
    }
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *x = e->d_name;
        if (!strcmp(x, ".") || !strcmp(x, "..") || !strcmp(x, "scenarios") || !strcmp(x, "tests") ||
            (w->input && !strcmp(x, "input")) || isOutput(w, x))
            continue;
        fprintf(stderr, "oom: %s N=%lu: exit %d, left %s behind\n", w->name, n, rc, x);
        bad = 1;
    }
    if (d) closedir(d);
    return bad ? -1 : 0;
}

/* Empty and remove the child's directory (it holds files and links only, but for strays). */
static void removeTree(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX + 256];
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) removeTree(p);
        else unlink(p);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static unsigned long envNumber(const char *name, unsigned long dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    return errno || *end || n == 0 ? dflt : n;
}

/*
** A child: run workload w with allocation n (0: none) failing, in a
** directory of its own (markers: with the outputs already there).  The clean
** run (n 0) leaves its directory and its output for the parent; the others
** check their own and remove it.
*/
static void child(const workload *w, unsigned long n, int markers) {
    alarm((unsigned)envNumber("OOM_TIMEOUT", 600));
    char dir[PATH_MAX + 64];
    if (n) snprintf(dir, sizeof dir, "%s/%s-%lu", base, w->name, n);
    else snprintf(dir, sizeof dir, "%s/clean-%s", base, w->name);
    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err || prepareDir(w, dir, markers) != 0) _exit(BAD_SETUP);
    failAt = n;
    allocs = 0;
    counting = 1;
    int rc = workload1(w, out, err);
    counting = 0;
    size_t olen;
    char *o = slurp(out, &olen), *e = slurp(err, NULL);
    if (getenv("OOM_ONLY")) fprintf(stderr, "%s%s", o, e);   /* for a look at what it printed */
    if (!n) {
        char path[PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/clean-%s.out", base, w->name);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(o, 1, olen, f) != olen || fclose(f) != 0) rc = BAD_SETUP;
        if (*e) fprintf(stderr, "oom: %s: the clean run printed on stderr:\n%s", w->name, e);
    } else if (rc == 2 && !isOomLine(e)) {
        fprintf(stderr, "oom: %s N=%lu: exit 2, stderr:\n%s", w->name, n, e);
        rc = BAD_STDERR;
    } else if (rc == 2 && getenv("OOM_SHOW")) {
        fprintf(stderr, "oom: %s N=%lu: %s", w->name, n, e);   /* OOM_SHOW=1: every out-of-memory line */
    } else if (rc == clean.status && (olen != clean.outLen || memcmp(o, clean.out, olen) != 0)) {
        fprintf(stderr, "oom: %s N=%lu: exit %d with output unlike the clean run's\n", w->name, n, rc);
        rc = BAD_OUTPUT;
    }
    if (n && (rc == 2 || rc == clean.status) && checkFiles(w, n, rc, markers) != 0) rc = BAD_FILES;
    if (n) {
        if (chdir(top) != 0) rc = BAD_SETUP;
        removeTree(dir);
        if (getenv("OOM_ONLY")) removeTree(base);   /* this process is the test: nothing after it */
    }
    free(o);
    free(e);
    fclose(out);
    fclose(err);
    exit(rc);   /* exit, not _exit: LeakSanitizer checks at exit */
}

/* Fork a child for n; its pid. */
static pid_t spawn(const workload *w, unsigned long n, int markers) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) child(w, n, markers);
    return pid;
}

/* 1 when a child's end is acceptable; counts it. */
static int judge(const workload *w, unsigned long n, int status, unsigned long *okS, unsigned long *ok2) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == clean.status) {
        (*okS)++;
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
        (*ok2)++;
        return 1;
    }
    if (WIFSIGNALED(status))
        fprintf(stderr, "oom: %s N=%lu: killed by signal %d\n", w->name, n, WTERMSIG(status));
    else
        fprintf(stderr, "oom: %s N=%lu: exit status %d\n", w->name, n, WEXITSTATUS(status));
    return 0;
}

static void cleanFree(void) {
    free(clean.out);
    for (int k = 0; k < MAX_FILES; k++) free(clean.file[k]);
    memset(&clean, 0, sizeof clean);
}

/* The clean run of w: T (0 when it failed), and into clean what it printed and wrote. */
static unsigned long cleanRunOf(const workload *w) {
    cleanFree();
    atomic_store(peak, 0);
    int status = 0;
    pid_t pid = spawn(w, 0, 0);
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return 0;
    unsigned long total = atomic_load(peak);
    char path[PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/clean-%s.out", base, w->name);
    clean.out = slurpPath(path, &clean.outLen);
    clean.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    for (int k = 0; k < MAX_FILES && w->files[k]; k++) {
        snprintf(path, sizeof path, "%s/clean-%s/%s", base, w->name, w->files[k]);
        clean.file[k] = slurpPath(path, &clean.fileLen[k]);
    }
    if (!clean.out || total == 0 || (clean.status != 0 && clean.status != 1)) {
        fprintf(stderr, "oom: %s: the clean run failed (status %d, %lu allocations)\n", w->name, status, total);
        return 0;
    }
    return total;
}

typedef struct tally {
    unsigned long total, tried, okS, ok2, bad;
} tally;

/* The last TAIL allocations of a workload are tried at OOM_STEP whatever its stride. */
#define TAIL 50

/*
** The N tried after n (0: none): every stride-th, then, in the workload's
** last TAIL allocations, every step-th down from total (so total is always
** tried).
*/
static unsigned long nextN(unsigned long n, unsigned long total, unsigned long stride, unsigned long step) {
    unsigned long tailFrom = total > TAIL ? total - TAIL + 1 : 1;
    unsigned long firstTail = total - (total - tailFrom) / step * step;
    if (n < firstTail) return n + stride < firstTail ? n + stride : firstTail;
    return n + step <= total ? n + step : 0;
}

/* The Ns of w from `from` (nextN), jobs children at a time. */
static tally tryAll(const workload *w, unsigned long total, unsigned long from, unsigned long stride,
                    unsigned long step, int jobs) {
    tally t = {total, 0, 0, 0, 0};
    pid_t running[64] = {0};
    unsigned long their[64] = {0};
    unsigned long n = from <= total ? from : 0;
    int busy = 0, status;
    while (n || busy) {
        if (n && busy < jobs) {
            int slot = 0;
            while (running[slot]) slot++;
            running[slot] = spawn(w, n, (int)(t.tried % 2));
            their[slot] = n;
            busy++;
            t.tried++;
            n = nextN(n, total, stride, step);
            continue;
        }
        pid_t done = wait(&status);
        for (int i = 0; i < jobs; i++)
            if (running[i] == done) {
                if (!judge(w, their[i], status, &t.okS, &t.ok2)) t.bad++;
                running[i] = 0;
                busy--;
            }
    }
    return t;
}

/* Whether the workload is among those OOM_WORKLOAD names (all when it is unset). */
static int chosen(const workload *w) {
    const char *v = getenv("OOM_WORKLOAD");
    if (!v || !*v) return 1;
    size_t n = strlen(w->name);
    for (const char *p = v; (p = strstr(p, w->name)); p += n)
        if ((p == v || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
    return 0;
}

int main(void) {
    if (installSqliteAllocator() != 0) {
        fprintf(stderr, "oom: cannot install the SQLite allocator\n");
        return 1;
    }
    if (glob("scenarios/*/*.scn", 0, NULL, &scenarios) != 0 || scenarios.gl_pathc == 0 || !getcwd(top, sizeof top)) {
        fprintf(stderr, "oom: no scenarios (run from the repository's top directory)\n");
        return 1;
    }
    /* On a tmpfs when there is one: the --db commit's fsync costs nothing there. */
    snprintf(base, sizeof base, "%s/migsim-oom-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    FILE *shared = tmpfile();
    if (!mkdtemp(base) || !shared || ftruncate(fileno(shared), sizeof *peak) != 0 ||
        (peak = mmap(NULL, sizeof *peak, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(shared), 0)) == MAP_FAILED) {
        fprintf(stderr, "oom: cannot make the scratch directory or the shared page\n");
        return 1;
    }
    failOnce = envNumber("OOM_ONCE", 0) == 1;
    unsigned long step = envNumber("OOM_STEP", 1), from = envNumber("OOM_FROM", 1);
    int every = envNumber("OOM_EVERY", 0) == 1, jobs = (int)envNumber("OOM_JOBS", 2);
    if (jobs > 64) jobs = 64;
    tally sum = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < NWORKLOADS; i++) {
        const workload *w = &workloads[i];
        if (!chosen(w)) continue;
        unsigned long total = cleanRunOf(w);
        if (!total) {
            sum.bad++;
            break;
        }
        /* OOM_ONLY=N: fail allocation N of this workload in this process, no fork (for a debugger). */
        if (envNumber("OOM_ONLY", 0)) child(w, envNumber("OOM_ONLY", 0), 0);
        unsigned long s = step * (every ? 1 : w->stride);
        tally t = tryAll(w, total, from, s, step, jobs);
        printf("oom: %s: %lu allocations, %lu tried (step %lu, the last %d by %lu), %lu exits 2, %lu exits %d%s\n",
               w->name, t.total, t.tried, s, TAIL, step, t.ok2, t.okS, clean.status,
               failOnce ? " (each fails only its allocation)" : "");
        sum.total += t.total;
        sum.tried += t.tried;
        sum.bad += t.bad;
    }
    cleanFree();
    removeTree(base);
    globfree(&scenarios);
    fclose(shared);
    printf("oom: %lu allocations in the workloads, %lu tried\n", sum.total, sum.tried);
    if (sum.bad) {
        printf("oom: %lu runs ended badly\n", sum.bad);
        return 1;
    }
    return 0;
}
