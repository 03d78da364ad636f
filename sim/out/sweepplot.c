/*
** A sweep's plot (--plot OUT.svg), drawn by gnuplot (Debian gnuplot-nox)
** from the summary CSV: the share of bad runs against the last varied
** value, one line per combination of the other varied values, each point
** with its Wilson 95% interval as an error bar.  migsim writes the gnuplot
** script, with the CSV rows inline as a data block, into gnuplot's standard
** input; gnuplot writes the SVG into the output's temporary file, which is
** renamed into place only when gnuplot succeeded (atomicfile.h).
**
** Durations are plotted in the unit that keeps the numbers small (seconds,
** minutes, hours or days, from the largest value); words are placed at
** 0, 1, 2... with their own names as the tics.  Text goes to gnuplot
** unenhanced, so a name like RERUN_WAIT is not read as a subscript.
*/
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "out/sweep.h"

int sweepHaveGnuplot(void) {
    const char *path = getenv("PATH");
    if (!path) path = "/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char buf[4096];
        if (n > 0 && n + 9 < sizeof buf) {
            snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
            if (access(buf, X_OK) == 0) return 1;
        }
        if (!colon) break;
        path = colon + 1;
    }
    return 0;
}

/* s as a gnuplot single-quoted string (a quote is doubled). */
static void gpString(const char *s, FILE *f) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* s as a gnuplot double-quoted string, where "\n" is a line break. */
static void gpQuoted(const char *s, FILE *f) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '\n') fputs("\\n", f);
        else {
            if (*s == '"' || *s == '\\') fputc('\\', f);
            fputc(*s, f);
        }
    }
    fputc('"', f);
}

/* The divisor and name of the unit a duration axis is drawn in. */
static void durationUnit(const sweepVary *y, double *div, const char **name) {
    double max = 0;
    for (size_t i = 0; i < y->n; i++)
        if (y->x[i] > max) max = y->x[i];
    if (max >= 2 * 86400.0) *div = 86400, *name = "days";
    else if (max >= 2 * 3600.0) *div = 3600, *name = "hours";
    else if (max >= 120.0) *div = 60, *name = "minutes";
    else *div = 1, *name = "seconds";
}

/* The title of line l: the other variables' values. */
static void lineTitle(const sweepSpec *spec, uint64_t c, FILE *f) {
    char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t v = 0; v + 1 < spec->nvary && len < sizeof buf; v++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s=%s", v ? ", " : "", spec->vary[v].name,
                                spec->vary[v].values[sweepValueIndex(spec, c, v)]);
    if (spec->nvary < 2) snprintf(buf, sizeof buf, "seeds %llu..%llu", (unsigned long long)spec->seed_lo,
                                  (unsigned long long)spec->seed_hi);
    gpString(buf, f);
}

static void writeScript(const sweepSpec *spec, const sweepAgg *agg, const char *out, FILE *f) {
    const sweepVary *y = &spec->vary[spec->nvary - 1];
    double div = 1;
    const char *unit = NULL;
    if (y->kind == SWEEP_DURATIONS) durationUnit(y, &div, &unit);
    const char *base = strrchr(spec->scenario, '/');
    base = base ? base + 1 : spec->scenario;
    fputs("set terminal svg size 960,600 noenhanced font 'sans,14' background rgb 'white'\nset output ", f);
    gpString(out, f);
    fputs("\nset datafile separator ','\nset grid\nset key outside right top\n", f);
    char title[1024];
    snprintf(title, sizeof title, "%s: share of runs with a bad result (%s) against %s\nseeds %llu..%llu per "
             "point; error bars: Wilson 95%% interval", base, spec->bad, y->name,
             (unsigned long long)spec->seed_lo, (unsigned long long)spec->seed_hi);
    fputs("set title ", f);
    gpQuoted(title, f);
    snprintf(title, sizeof title, "%s%s%s%s", y->name, unit ? " (" : "", unit ? unit : "", unit ? ")" : "");
    fputs("\nset xlabel ", f);
    gpString(title, f);
    fputs("\nset ylabel 'share of bad runs'\nset yrange [-0.05:1.05]\nset ytics 0,0.1,1\n", f);
    double lo = y->x[0] / div, hi = y->x[0] / div;
    for (size_t i = 0; i < y->n; i++) {
        if (y->x[i] / div < lo) lo = y->x[i] / div;
        if (y->x[i] / div > hi) hi = y->x[i] / div;
    }
    double pad = hi > lo ? (hi - lo) * 0.05 : 0.5;
    fprintf(f, "set xrange [%.6g:%.6g]\n", lo - pad, hi + pad);
    if (y->kind == SWEEP_WORDS) {
        fputs("set xtics (", f);
        for (size_t i = 0; i < y->n; i++) {
            fputs(i ? ", " : "", f);
            gpString(y->values[i], f);
            fprintf(f, " %zu", i);
        }
        fputs(")\n", f);
    }
    /* The CSV's rows without its header: 'every' below counts data rows from 0. */
    char *csv = NULL;
    size_t csvn = 0;
    FILE *m = open_memstream(&csv, &csvn);
    if (m) {
        sweepWriteCsv(spec, agg, m);
        fclose(m);
    }
    const char *rows = csv ? strchr(csv, '\n') : NULL;
    fprintf(f, "$D << EOD\n%sEOD\n", rows ? rows + 1 : "");
    free(csv);
    int xc = (int)spec->nvary + 2, share = xc + 11;
    uint64_t lines = spec->ncombos / y->n;
    fputs("plot ", f);
    for (uint64_t l = 0; l < lines; l++) {
        uint64_t first = l * y->n, last = first + y->n - 1;
        fprintf(f, "%s$D every ::%llu::%llu using ($%d/%.17g):%d:%d:%d with yerrorlines lw 2 pt 7 ps 0.8 title ",
                l ? ", \\\n     " : "", (unsigned long long)first, (unsigned long long)last, xc, div, share,
                share + 1, share + 2);
        lineTitle(spec, l * y->n, f);
    }
    fputc('\n', f);
}

/* Run gnuplot with script on its standard input; returns its exit status, or -1. */
static int runGnuplot(const char *script, size_t n) {
    int fd[2];
    if (pipe(fd) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[0], 0);
        close(fd[0]);
        close(fd[1]);
        execlp("gnuplot", "gnuplot", (char *)NULL);
        _exit(127);
    }
    close(fd[0]);
    /* gnuplot may end before reading everything: a write then fails with EPIPE, not a signal. */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd[1], script + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(fd[1]);
    sigaction(SIGPIPE, &old, NULL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

msStatus sweepWritePlot(const sweepSpec *spec, const sweepAgg *agg, const outTarget *t, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 0, why, whysz);
    if (st != MS_OK) return st;
    char *script = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&script, &n);
    if (!f) {
        atomicAbort(&af);
        return MS_NOMEM;
    }
    writeScript(spec, agg, af.tmp, f);
    if (fclose(f) != 0 || !script) {
        free(script);
        atomicAbort(&af);
        return MS_NOMEM;
    }
    fflush(NULL);   /* what this process printed comes before anything gnuplot says */
    int rc = runGnuplot(script, n);
    free(script);
    struct stat sb;
    if (rc != 0 || stat(af.tmp, &sb) != 0 || sb.st_size == 0) {
        snprintf(why, whysz, "%s: gnuplot failed to draw the plot (%s)", t->path,
                 rc == 127 ? "gnuplot not found" : rc < 0 ? "could not run" : "exit status not 0");
        atomicAbort(&af);
        return MS_IO;
    }
    return atomicCommit(&af, why, whysz);
}
