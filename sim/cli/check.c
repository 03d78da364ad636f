/*
** `migsim check`: run many scenarios and report one line each.  Directories
** are searched recursively for *.scn files; the entries of each directory are
** sorted by name (strcmp) before use, so the order never depends on the file
** system.  Symbolic links are followed, but never back into a directory
** being searched (a loop), so each scenario under a tree is found once.  Each scenario runs in a run of its own (its own sim), one after
** another in this process.  Exit status: 2 if any scenario could not be read
** or parsed, else 1 if any failed, else 0.
*/
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel/array.h"
#include "cli/cli.h"
#include "out/report.h"
#include "scenario/scenario.h"
#include "run/sim.h"

typedef struct pathList {
    char **v;
    size_t n, cap;
} pathList;

typedef struct tally {
    int passed, failed, errors;
} tally;

static int pushPath(pathList *l, const char *p) {
    if (l->n == l->cap && arrayGrow(&l->v, &l->cap, sizeof *l->v, 32) != MS_OK) return -1;
    l->v[l->n] = strdup(p);
    if (!l->v[l->n]) return -1;
    l->n++;
    return 0;
}

static void freePaths(pathList *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int cmpString(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int endsWith(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char *joinPath(const char *dir, const char *name) {
    size_t n = strlen(dir), m = strlen(name);
    int slash = n > 0 && dir[n - 1] != '/';
    char *p = malloc(n + (size_t)slash + m + 1);
    if (!p) return NULL;
    memcpy(p, dir, n);
    if (slash) p[n] = '/';
    memcpy(p + n + (size_t)slash, name, m + 1);
    return p;
}

/*
** The directories being searched, from the PATH given down to the current
** one, by identity (device and inode): a directory reached again through a
** symbolic link is an ancestor of itself, a loop, and is not searched again.
*/
typedef struct dirChain {
    dev_t dev;
    ino_t ino;
    const struct dirChain *up;
} dirChain;

static int onChain(const dirChain *c, const struct stat *st) {
    for (; c; c = c->up)
        if (c->dev == st->st_dev && c->ino == st->st_ino) return 1;
    return 0;
}

/* Append the *.scn files under dir (whose identity is self), recursively, in sorted order. */
/*
** A directory that cannot be read is reported as an ERROR line on report and
** counted in *errors, and the walk goes on with its siblings; only running out
** of memory stops it (-1).
*/
static int collectDir(const char *dir, const dirChain *self, pathList *out, FILE *report, int *errors) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(report, "ERROR %s: error: cannot read: %s\n", dir, strerror(errno));
        (*errors)++;
        return 0;
    }
    pathList names = {0};
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') rc = pushPath(&names, e->d_name);
    closedir(d);
    if (names.n) qsort(names.v, names.n, sizeof *names.v, cmpString);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        char *p = joinPath(dir, names.v[i]);
        struct stat st;
        if (!p) {
            rc = -1;
        } else if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            dirChain sub = {st.st_dev, st.st_ino, self};
            if (!onChain(self, &st)) rc = collectDir(p, &sub, out, report, errors);
        } else if (endsWith(p, ".scn")) {
            rc = pushPath(out, p);
        }
        free(p);
    }
    freePaths(&names);
    return rc;
}

/* One scenario: parse, run, print its line; count it in t. */
static void checkOne(const char *path, FILE *out, tally *t) {
    scenario sc;
    scnError e;
    char line[1024];
    if (scnParseFile(path, &sc, &e) != MS_OK) {
        scnErrorFormat(&e, line, sizeof line);
        fprintf(out, "ERROR %s\n", line);
        t->errors++;
        return;
    }
    sim s;
    simOptions opt = {0, 0, NULL, 0};
    msStatus st = simInit(&s, &sc, &opt);
    if (st == MS_FAIL) st = MS_INPUT;   /* not set up: an error, not a failed run */
    if (st == MS_OK) st = simRun(&s);
    if (st == MS_OK) {
        fprintf(out, "PASS  %s (%zu expectation%s)\n", path, s.nexpects, s.nexpects == 1 ? "" : "s");
        t->passed++;
    } else if (st == MS_FAIL) {
        t->failed++;
        if (s.step_failed) {
            fprintf(out, "FAIL  %s: line %d: step failed: %s\n", path, s.fail_line, s.k.err);
        } else {
            for (size_t i = 0; i < s.nexpects; i++) {
                const expectResult *x = &s.expects[i];
                if (x->passed) continue;
                fprintf(out, "FAIL  %s: line %d: %s: found %s\n", path, x->line, x->text, x->actual);
                break;
            }
        }
    } else {
        fprintf(out, "ERROR %s: error: %s\n", path, s.k.err[0] ? s.k.err : msStatusName(st));
        t->errors++;
    }
    simFree(&s);
    scnFree(&sc);
}

int checkPaths(char **paths, int npaths, FILE *out, FILE *err) {
    pathList files = {0};
    tally t = {0, 0, 0};
    for (int i = 0; i < npaths; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            fprintf(out, "ERROR %s: error: cannot read: %s\n", paths[i], strerror(errno));
            t.errors++;
        } else if (S_ISDIR(st.st_mode)) {
            dirChain top = {st.st_dev, st.st_ino, NULL};
            if (collectDir(paths[i], &top, &files, out, &t.errors) != 0) t.errors++;
        } else if (pushPath(&files, paths[i]) != 0) {
            t.errors++;
        }
    }
    for (size_t i = 0; i < files.n; i++) checkOne(files.v[i], out, &t);
    if (files.n == 0 && t.errors == 0) {
        fprintf(err, "migsim: error: no scenario (*.scn) found\n");
        t.errors++;
    }
    fprintf(out, "check: %d passed, %d failed\n", t.passed, t.failed + t.errors);
    freePaths(&files);
    if (t.errors) return 2;
    return t.failed ? 1 : 0;
}
