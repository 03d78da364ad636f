/*
** `migsim check`: run many scenarios and report one line each.  Directories
** are searched recursively for *.scn files; the entries of each directory are
** sorted by name (strcmp) before use, so the order never depends on the file
** system.  Symbolic links are followed, but each directory is searched once
** and each file runs once, however many paths reach them: both are known by
** identity (device and inode), so a loop of links ends at once and a tree of
** links that doubles at every level costs no more than the files it holds.
** The first path in the sorted walk names the file.  Each scenario runs in a
** run of its own (its own sim), one after another in this process.  A
** scenario with no expectation checks nothing, so it is EMPTY, a failure
** unless allowed.  A failed scenario prints every failed expectation, one
** line each as FILE:LINE (an editor jumps there), and its failed step.
** Every scenario's result is also kept as a case of a checkReport
** (out/checkreport.h), from which --junit and --json are written after the
** last run, through atomicfile.h.  Exit status: 2 if any scenario could not
** be read or parsed (or an output could not be written), else 1 if any
** failed, else 0.
*/
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel/array.h"
#include "cli/cli.h"
#include "kernel/atomicfile.h"
#include "out/checkreport.h"
#include "out/report.h"
#include "scenario/scenario.h"
#include "run/sim.h"

typedef struct pathList {
    char **v;
    size_t n, cap;
} pathList;

/* One check command: its options, its streams, and the report it builds. */
typedef struct checkCtx {
    int flags;               /* CHECK_* */
    const simOptions *base;
    FILE *out;               /* the text lines; NULL when --json takes standard output */
    FILE *err;
    checkReport rep;
    const scnSetting *set;   /* --set NAME=VALUE, for every scenario */
    size_t nset;
} checkCtx;

/*
** A set of files by identity, for lookup only (nothing iterates over it, so
** its order never shows): open addressing, linear probing, at most half full.
*/
typedef struct fileId {
    dev_t dev;
    ino_t ino;
} fileId;

typedef struct idSet {
    fileId *v;
    unsigned char *used;
    size_t n, cap;
} idSet;

static size_t idHash(const fileId *id, size_t cap) {
    uint64_t h = ((uint64_t)id->dev * 0x9e3779b97f4a7c15u) ^ (uint64_t)id->ino;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 32;
    return (size_t)(h & (cap - 1));
}

static void idPlace(idSet *s, const fileId *id) {
    size_t i = idHash(id, s->cap);
    while (s->used[i]) i = (i + 1) & (s->cap - 1);
    s->v[i] = *id;
    s->used[i] = 1;
    s->n++;
}

static int idGrow(idSet *s) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    idSet g = {calloc(cap, sizeof *g.v), calloc(cap, 1), 0, cap};
    if (!g.v || !g.used) {
        free(g.v);
        free(g.used);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->used[i]) idPlace(&g, &s->v[i]);
    free(s->v);
    free(s->used);
    *s = g;
    return 0;
}

/* Add st's file to s: 1 if it is new, 0 if it was there, -1 out of memory. */
static int idAdd(idSet *s, const struct stat *st) {
    fileId id = {st->st_dev, st->st_ino};
    if (s->cap) {
        for (size_t i = idHash(&id, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
            if (s->v[i].dev == id.dev && s->v[i].ino == id.ino) return 0;
    }
    if (2 * (s->n + 1) > s->cap && idGrow(s) != 0) return -1;
    idPlace(s, &id);
    return 1;
}

static void idFree(idSet *s) {
    free(s->v);
    free(s->used);
    memset(s, 0, sizeof *s);
}

/* What a walk has seen: the directories searched and the files listed. */
typedef struct seen {
    idSet dirs, files;
} seen;

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

/* A path that cannot be read: an ERROR line and an error case; -1 out of memory. */
static int unreadable(checkCtx *cx, const char *path, int errnum) {
    char why[1024];
    checkCase *c;
    snprintf(why, sizeof why, "%s: error: cannot read: %s", path, strerror(errnum));
    if (cx->out) fprintf(cx->out, "ERROR %s\n", why);
    if (checkReportAdd(&cx->rep, path, &c) != MS_OK || checkCaseError(c, why) != MS_OK) return -1;
    return 0;
}

/*
** Append the *.scn files under dir, recursively, in sorted order, skipping
** directories and files already seen.  A directory that cannot be read is
** reported as an ERROR line and an error case, and the walk goes on with
** its siblings; only running out of memory stops it (-1).
*/
static int collectDir(const char *dir, seen *sn, pathList *out, checkCtx *cx) {
    DIR *d = opendir(dir);
    if (!d) return unreadable(cx, dir, errno);
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
        } else if (stat(p, &st) != 0) {
            /* A dangling link: listed, so that its run reports why it cannot be read. */
            if (endsWith(p, ".scn")) rc = pushPath(out, p);
        } else if (S_ISDIR(st.st_mode)) {
            int added = idAdd(&sn->dirs, &st);
            rc = added < 0 ? -1 : added ? collectDir(p, sn, out, cx) : 0;
        } else if (endsWith(p, ".scn") && S_ISREG(st.st_mode)) {
            /* Only regular files: a FIFO named *.scn would block the search for ever. */
            int added = idAdd(&sn->files, &st);
            rc = added < 0 ? -1 : added ? pushPath(out, p) : 0;
        }
        free(p);
    }
    freePaths(&names);
    return rc;
}

/* A scenario's own migrator= that runs code (exec:, plugin:), or NULL. */
static const char *externalMigrator(const scenario *sc) {
    if (sc->wizard < 0) return NULL;
    const char *m = sc->v[sc->wizard].u.wizard.migrator;
    return m && (strncmp(m, "exec:", 5) == 0 || strncmp(m, "plugin:", 7) == 0) ? m : NULL;
}

/* An ERROR line and the case's error (why without the path's "ERROR " prefix). */
static msStatus errorCase(checkCtx *cx, checkCase *c, const char *why) {
    if (cx->out) fprintf(cx->out, "ERROR %s\n", why);
    return checkCaseError(c, why);
}

/* A run that ended (passed, failed or empty) into its case, and its lines. */
static msStatus ranCase(checkCtx *cx, checkCase *c, const sim *s, msStatus st) {
    FILE *out = cx->out;
    c->nexpects = s->nexpects;
    c->end = s->k.now;
    if (st == MS_OK && s->nexpects == 0) {
        c->status = CHECK_EMPTY;
        c->empty_allowed = (cx->flags & CHECK_ALLOW_EMPTY) != 0;
        if (out) fprintf(out, "EMPTY %s (no expectations)\n", c->file);
        return MS_OK;
    }
    if (st == MS_OK) {
        c->status = CHECK_PASS;
        if (out) fprintf(out, "PASS  %s (%zu expectation%s)\n", c->file, s->nexpects, s->nexpects == 1 ? "" : "s");
        return MS_OK;
    }
    /* Every failed expectation, then the step that stopped the run. */
    for (size_t i = 0; i < s->nexpects; i++) {
        const expectResult *x = &s->expects[i];
        if (x->passed) continue;
        if (out) fprintf(out, "FAIL  %s:%d: %s: found %s\n", c->file, x->line, x->text, x->actual);
        if (checkCaseFailure(c, x->line, x->text, x->actual) != MS_OK) return MS_NOMEM;
    }
    if (s->step_failed) {
        if (out) fprintf(out, "FAIL  %s:%d: step failed: %s\n", c->file, s->fail_line, s->k.err);
        if (checkCaseStepFailed(c, s->fail_line, s->k.err) != MS_OK) return MS_NOMEM;
    }
    c->status = CHECK_FAIL;
    return MS_OK;
}

/*
** One scenario: parse, run, print its lines; record it as a case.  Out of
** memory stops the whole command: one line on err, and MS_NOMEM.
*/
static msStatus checkOne(checkCtx *cx, const char *path) {
    scenario sc;
    scnError e;
    char line[1024];
    checkCase *c;
    if (checkReportAdd(&cx->rep, path, &c) != MS_OK) {
        fprintf(cx->err, "migsim: error: out of memory (checking %s)\n", path);
        return MS_NOMEM;
    }
    msStatus pst = scnParseFileWith(path, cx->set, cx->nset, &sc, &e);
    if (pst == MS_NOMEM) {
        fprintf(cx->err, "migsim: error: out of memory (parsing %s)\n", path);
        return MS_NOMEM;
    }
    if (pst != MS_OK) {
        scnErrorFormat(&e, line, sizeof line);
        pst = errorCase(cx, c, line);
        if (pst == MS_NOMEM) fprintf(cx->err, "migsim: error: out of memory (checking %s)\n", path);
        return pst;
    }
    const char *ext = externalMigrator(&sc);
    if (ext && !cx->base->migrator && !(cx->flags & CHECK_ALLOW_EXTERNAL)) {
        snprintf(line, sizeof line, "%s: error: migrator=%s runs code named by the scenario; check runs it only with "
                 "--allow-external", path, ext);
        pst = errorCase(cx, c, line);
        if (pst == MS_NOMEM) fprintf(cx->err, "migsim: error: out of memory (checking %s)\n", path);
        scnFree(&sc);
        return pst;
    }
    sim s;
    simOptions opt = {0, 0, NULL, 0, cx->base->migrator, cx->base->migrator_timeout_ms};
    msStatus st = simInit(&s, &sc, &opt);
    if (st == MS_FAIL) st = MS_INPUT;   /* not set up: an error, not a failed run */
    if (st == MS_OK) st = simRun(&s);
    msStatus rc = MS_OK;
    if (st == MS_OK || st == MS_FAIL) {
        rc = ranCase(cx, c, &s, st);
        if (rc == MS_NOMEM) fprintf(cx->err, "migsim: error: out of memory (checking %s)\n", path);
    } else if (st == MS_NOMEM) {
        fprintf(cx->err, "migsim: error: out of memory (%s: %s)\n", path,
                s.k.where[0] ? s.k.where : "running the scenario");
        rc = MS_NOMEM;
    } else {
        snprintf(line, sizeof line, "%s: error: %s", path, s.k.err[0] ? s.k.err : msStatusName(st));
        rc = errorCase(cx, c, line);
        if (rc == MS_NOMEM) fprintf(cx->err, "migsim: error: out of memory (checking %s)\n", path);
    }
    simFree(&s);
    scnFree(&sc);
    return rc;
}

/* Add one PATH given on the command line to files (each file once). */
static int collectArg(const char *path, seen *sn, pathList *files, checkCtx *cx) {
    struct stat st;
    if (stat(path, &st) != 0) return unreadable(cx, path, errno);
    int added = idAdd(S_ISDIR(st.st_mode) ? &sn->dirs : &sn->files, &st);
    if (added <= 0) return added;
    if (S_ISDIR(st.st_mode)) return collectDir(path, sn, files, cx);
    return pushPath(files, path);
}

int checkPaths(char **paths, int npaths, int allowEmpty, FILE *out, FILE *err) {
    simOptions base = {0, 0, NULL, 0, NULL, 0};
    return checkPathsWith(paths, npaths, allowEmpty, &base, out, err);
}

int checkPathsWith(char **paths, int npaths, int flags, const simOptions *base, FILE *out, FILE *err) {
    checkOutputs none = {NULL, NULL, 0};
    return checkPathsTo(paths, npaths, flags, base, &none, out, err);
}

/* Write one CI form of the report into the planned output t; returns 0 or 2 (one line on err). */
static int writeForm(const checkReport *rep, const outTarget *t, int (*form)(const checkReport *, FILE *),
                     FILE *err) {
    char why[1024];
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 1, why, sizeof why);
    if (st == MS_OK && !form(rep, af.f)) {
        snprintf(why, sizeof why, "%s: cannot write %s", t->path, t->opt);
        atomicAbort(&af);
        st = MS_IO;
    } else if (st == MS_OK) {
        st = atomicCommit(&af, why, sizeof why);
    }
    if (st == MS_NOMEM) {
        fprintf(err, "migsim: error: out of memory (writing %s)\n", t->opt);
        return 2;
    }
    if (st != MS_OK) fprintf(err, "migsim: error: %s\n", why);
    return st == MS_OK ? 0 : 2;
}

/* The CI outputs asked for; returns 0 or 2. */
static int writeOutputs(const checkCtx *cx, const checkOutputs *o, FILE *out, FILE *err) {
    if (o->junit && writeForm(&cx->rep, o->junit, checkReportJunit, err)) return 2;
    if (o->json && writeForm(&cx->rep, o->json, checkReportJson, err)) return 2;
    if (o->json_stdout && !checkReportJson(&cx->rep, out)) return 2;
    return 0;
}

int checkPathsTo(char **paths, int npaths, int flags, const simOptions *base, const checkOutputs *o, FILE *out,
                 FILE *err) {
    return checkPathsSet(paths, npaths, flags, base, NULL, 0, o, out, err);
}

int checkPathsSet(char **paths, int npaths, int flags, const simOptions *base, const scnSetting *set, size_t nset,
                  const checkOutputs *o, FILE *out, FILE *err) {
    pathList files = {0};
    seen sn = {{0}, {0}};
    checkCtx cx = {flags, base, o->json_stdout ? NULL : out, err, {NULL, 0, 0}, set, nset};
    int rc = 0;
    for (int i = 0; i < npaths && !rc; i++)
        if (collectArg(paths[i], &sn, &files, &cx) != 0) {
            fprintf(err, "migsim: error: out of memory (finding the scenarios)\n");
            rc = 2;
        }
    idFree(&sn.dirs);
    idFree(&sn.files);
    for (size_t i = 0; i < files.n && !rc; i++)
        if (checkOne(&cx, files.v[i]) == MS_NOMEM) rc = 2;
    freePaths(&files);
    if (rc) {
        checkReportFree(&cx.rep);
        return rc;
    }
    checkTally t = checkReportTally(&cx.rep);
    if (cx.rep.n == 0) {
        fprintf(err, "migsim: error: no scenario (*.scn) found\n");
        t.errors++;
    }
    if (cx.out) {
        fprintf(cx.out, "check: %d passed, %d failed", t.passed, t.failed + t.errors);
        if (t.empty) fprintf(cx.out, " (%d with no expectations)", t.empty);
        fputc('\n', cx.out);
    }
    rc = writeOutputs(&cx, o, out, err);
    checkReportFree(&cx.rep);
    if (rc || t.errors) return 2;
    return t.failed ? 1 : 0;
}
