/*
** Output files: planning, atomic replacement, direct writes, and removing a
** temporary file when a signal ends the process.  See atomicfile.h for the
** rules.
**
** The signal table.  migsim keeps no mutable global state, with this one
** exception: a signal handler receives nothing but the signal number, so the
** names it must unlink can only be found in static storage.  The table is a
** fixed array of fixed buffers (no allocation: a handler may not call
** malloc), each with a flag of type volatile sig_atomic_t.  A slot's name is
** written while the flag is 0, with SIGINT and SIGTERM blocked, and only then
** is the flag set, so the handler never reads a name being written.  The
** handler calls only unlink and raise, both async-signal-safe.  It is
** installed only while a temporary file exists and only over the default
** action: a process that ignores or handles the signal itself does not die
** of it, and its own commit or abort removes the file.
*/
/* realpath is in POSIX's XSI option, which the build's _POSIX_C_SOURCE leaves out. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel/atomicfile.h"

#define TEMP_BASE ".migsim-XXXXXX"
#define PENDING_MAX 4
#define MAX_LINK_HOPS 40

static char pendingName[PENDING_MAX][PATH_MAX];
static volatile sig_atomic_t pendingUsed[PENDING_MAX];
static int pendingCount;
static int handlerOn[2];
static struct sigaction savedAction[2];
static const int cleanupSignals[2] = {SIGINT, SIGTERM};

static void onSignal(int sig) {
    for (int i = 0; i < PENDING_MAX; i++)
        if (pendingUsed[i]) unlink(pendingName[i]);
    /* SA_RESETHAND restored the default action: raising again ends the process as the signal would have. */
    raise(sig);
}

static void blockSignals(sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void installHandlers(void) {
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = onSignal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        handlerOn[i] = 0;
        if (sigaction(cleanupSignals[i], NULL, &savedAction[i]) != 0) continue;
        if (savedAction[i].sa_handler != SIG_DFL) continue;
        handlerOn[i] = sigaction(cleanupSignals[i], &sa, NULL) == 0;
    }
}

static void restoreHandlers(void) {
    for (int i = 0; i < 2; i++)
        if (handlerOn[i]) sigaction(cleanupSignals[i], &savedAction[i], NULL);
    handlerOn[0] = handlerOn[1] = 0;
}

/*
** Create the temporary file dir/.migsim-XXXXXX in a free slot of the table,
** with the signals blocked so none sees the slot half made.  Returns the
** descriptor (and the slot) or -1 with errno set.
*/
static int createPending(const char *dir, int *slotp) {
    sigset_t old;
    blockSignals(&old);
    int slot = -1, fd = -1;
    for (int i = 0; i < PENDING_MAX && slot < 0; i++)
        if (!pendingUsed[i]) slot = i;
    if (slot < 0) {
        errno = EMFILE;
    } else if ((size_t)snprintf(pendingName[slot], PATH_MAX, "%s/%s", dir, TEMP_BASE) >= PATH_MAX) {
        errno = ENAMETOOLONG;
    } else if ((fd = mkstemp(pendingName[slot])) >= 0) {
        pendingUsed[slot] = 1;
        if (pendingCount++ == 0) installHandlers();
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    *slotp = fd >= 0 ? slot : -1;
    return fd;
}

static void releasePending(int slot) {
    if (slot < 0) return;
    sigset_t old;
    blockSignals(&old);
    pendingUsed[slot] = 0;
    if (--pendingCount == 0) restoreHandlers();
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/* 0666 less the process's umask: the mode fopen gives a new file. */
static mode_t newFileMode(void) {
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

static char *joinDirName(const char *dir, const char *name) {
    size_t n = strlen(dir), m = strlen(name);
    char *p = malloc(n + 1 + m + 1);
    if (!p) return NULL;
    memcpy(p, dir, n);
    p[n] = '/';
    memcpy(p + n + 1, name, m + 1);
    return p;
}

/* The directory part of path ("." when it has none), newly allocated. */
static char *dirPart(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

/*
** Follow the symbolic links of path's last component (the target may not
** exist yet: a dangling link names the file to create).  Returns the final
** name, newly allocated, or NULL with errno set (ELOOP for a loop).
*/
static char *followLinks(const char *path) {
    char *cur = strdup(path);
    for (int hop = 0; cur && hop < MAX_LINK_HOPS; hop++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) return cur;
        char target[PATH_MAX];
        ssize_t n = readlink(cur, target, sizeof target - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        target[n] = '\0';
        char *next;
        if (target[0] == '/') {
            next = strdup(target);
        } else {
            char *dir = dirPart(cur);
            next = dir ? joinDirName(dir, target) : NULL;
            free(dir);
        }
        free(cur);
        cur = next;
    }
    if (cur) {
        free(cur);
        errno = ELOOP;
    }
    return NULL;
}

/*
** The canonical destination of a file to be created or replaced: the real
** directory (every link resolved) and the final name.  Checks that the
** directory is one, and writable.
*/
static msStatus resolveDest(outTarget *t, char *why, size_t whysz) {
    char *final = followLinks(t->path);
    if (!final) {
        if (errno == ENOMEM) return MS_NOMEM;
        snprintf(why, whysz, "%s %s: %s", t->opt, t->path, strerror(errno));
        return MS_INPUT;
    }
    const char *slash = strrchr(final, '/');
    const char *base = slash ? slash + 1 : final;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        snprintf(why, whysz, "%s %s: not a file name", t->opt, t->path);
        free(final);
        return MS_INPUT;
    }
    char *dir = dirPart(final);
    char *real = dir ? realpath(dir, NULL) : NULL;
    msStatus st = MS_OK;
    if (!dir) {
        st = MS_NOMEM;
    } else if (!real) {
        snprintf(why, whysz, "%s %s: no directory %s: %s", t->opt, t->path, dir, strerror(errno));
        st = MS_INPUT;
    } else if (access(real, W_OK | X_OK) != 0) {
        snprintf(why, whysz, "%s %s: cannot write in %s: %s", t->opt, t->path, real, strerror(errno));
        st = MS_INPUT;
    } else if (!(t->dest = joinDirName(strcmp(real, "/") == 0 ? "" : real, base))) {
        st = MS_NOMEM;
    }
    free(real);
    free(dir);
    free(final);
    return st;
}

/* Whether st is the file behind stream f (a stream without a descriptor is no file). */
static int isStreamFile(FILE *f, const struct stat *st) {
    struct stat fs;
    if (!f) return 0;
    int fd = fileno(f);
    return fd >= 0 && fstat(fd, &fs) == 0 && fs.st_dev == st->st_dev && fs.st_ino == st->st_ino;
}

/* Plan an output that exists (st, links followed). */
static msStatus prepareExisting(outTarget *t, const struct stat *st, int streamable, FILE *out, FILE *err,
                                char *why, size_t whysz) {
    t->exists = 1;
    t->dev = st->st_dev;
    t->ino = st->st_ino;
    if (S_ISDIR(st->st_mode)) {
        snprintf(why, whysz, "%s %s: is a directory", t->opt, t->path);
        return MS_INPUT;
    }
    FILE *own = isStreamFile(out, st) ? out : isStreamFile(err, st) ? err : NULL;
    if (own || !S_ISREG(st->st_mode)) {
        if (!streamable) {
            snprintf(why, whysz, "%s %s: %s, and this output needs a regular file", t->opt, t->path,
                     own ? "is the command's own output" : "not a regular file");
            return MS_INPUT;
        }
        t->kind = own ? OUT_STREAM : OUT_DIRECT;
        t->stream = own;
        t->dest = strdup(t->path);
        return t->dest ? MS_OK : MS_NOMEM;
    }
    t->kind = OUT_REPLACE;
    t->mode = st->st_mode & 07777;
    t->uid = st->st_uid;
    t->gid = st->st_gid;
    return resolveDest(t, why, whysz);
}

msStatus outTargetPrepare(outTarget *t, const char *opt, const char *path, int streamable, FILE *out,
                          FILE *err, char *why, size_t whysz) {
    memset(t, 0, sizeof *t);
    t->opt = opt;
    t->path = path;
    if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
        snprintf(why, whysz, "%s %s: not a file name", opt, path);
        return MS_INPUT;
    }
    struct stat st;
    if (stat(path, &st) == 0) return prepareExisting(t, &st, streamable, out, err, why, whysz);
    if (errno != ENOENT) {
        snprintf(why, whysz, "%s %s: %s", opt, path, strerror(errno));
        return MS_INPUT;
    }
    t->kind = OUT_REPLACE;
    t->mode = newFileMode();
    return resolveDest(t, why, whysz);
}

int outTargetSame(const outTarget *a, const outTarget *b) {
    if (a->exists && b->exists) return a->dev == b->dev && a->ino == b->ino;
    return a->kind == OUT_REPLACE && b->kind == OUT_REPLACE && strcmp(a->dest, b->dest) == 0;
}

void outTargetFree(outTarget *t) {
    free(t->dest);
    t->dest = NULL;
}

static msStatus failWith(const atomicFile *af, const char *what, int err, char *why, size_t whysz) {
    snprintf(why, whysz, "%s: %s: %s", af->t->path, what, strerror(err ? err : EIO));
    return MS_IO;
}

/* Give the new file the old one's mode and, where allowed, its owner. */
static int setModeAndOwner(int fd, const outTarget *t) {
    if (t->exists && fchown(fd, t->uid, t->gid) != 0 && errno != EPERM) return -1;
    return fchmod(fd, t->mode);
}

static msStatus openReplace(atomicFile *af, int want_stream, char *why, size_t whysz) {
    char *dir = dirPart(af->t->dest);
    if (!dir) return MS_NOMEM;
    int fd = createPending(dir, &af->slot);
    free(dir);
    if (fd < 0) return failWith(af, "cannot create a temporary file beside it", errno, why, whysz);
    af->tmp = pendingName[af->slot];
    if (setModeAndOwner(fd, af->t) != 0) {
        int e = errno;
        close(fd);
        atomicAbort(af);
        return failWith(af, "cannot create", e, why, whysz);
    }
    if (!want_stream) return close(fd) == 0 ? MS_OK : failWith(af, "cannot create", errno, why, whysz);
    af->f = fdopen(fd, "w");
    if (af->f) return MS_OK;
    int e = errno;
    close(fd);
    atomicAbort(af);
    return failWith(af, "cannot create", e, why, whysz);
}

/* A device or FIFO: opened as it is; it must still not be a regular file. */
static msStatus openDirect(atomicFile *af, char *why, size_t whysz) {
    int fd = open(af->t->path, O_WRONLY | O_NOCTTY);
    if (fd < 0) return failWith(af, "cannot open", errno, why, whysz);
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(why, whysz, "%s: became a regular file during the run", af->t->path);
        return MS_IO;
    }
    af->f = fdopen(fd, "w");
    if (af->f) return MS_OK;
    int e = errno;
    close(fd);
    return failWith(af, "cannot open", e, why, whysz);
}

msStatus atomicOpen(atomicFile *af, const outTarget *t, int want_stream, char *why, size_t whysz) {
    memset(af, 0, sizeof *af);
    af->t = t;
    af->slot = -1;
    if (t->kind == OUT_REPLACE) {
        msStatus st = openReplace(af, want_stream, why, whysz);
        /* The header promises a reason on every failure; a caller may print it. */
        if (st == MS_NOMEM) snprintf(why, whysz, "%s %s: out of memory", t->opt ? t->opt : "output", t->path);
        return st;
    }
    if (!want_stream) {
        snprintf(why, whysz, "%s: needs a regular file", t->path);
        return MS_INPUT;
    }
    if (t->kind == OUT_DIRECT) return openDirect(af, why, whysz);
    af->f = t->stream;
    return MS_OK;
}

/* Flush and close af->f, keeping the first error's errno in *err. */
static int closeStream(atomicFile *af, int *err) {
    int bad = ferror(af->f) != 0;
    if (bad) *err = EIO;
    if (fflush(af->f) != 0 && !*err) bad = 1, *err = errno;
    if (af->t->kind == OUT_STREAM) {
        af->f = NULL;
        return bad;
    }
    if (af->t->kind == OUT_REPLACE && fsync(fileno(af->f)) != 0 && errno != EINVAL) {
        bad = 1;
        if (!*err) *err = errno;
    }
    if (fclose(af->f) != 0) {
        bad = 1;
        if (!*err) *err = errno;
    }
    af->f = NULL;
    return bad;
}

msStatus atomicCommit(atomicFile *af, char *why, size_t whysz) {
    int err = 0;
    int bad = af->f ? closeStream(af, &err) : 0;
    if (!bad && af->tmp && rename(af->tmp, af->t->dest) != 0) bad = 1, err = errno;
    if (bad) {
        atomicAbort(af);
        return failWith(af, "cannot write", err, why, whysz);
    }
    releasePending(af->slot);
    af->slot = -1;
    af->tmp = NULL;
    return MS_OK;
}

void atomicAbort(atomicFile *af) {
    if (af->f && af->t->kind != OUT_STREAM) fclose(af->f);
    af->f = NULL;
    if (af->tmp) unlink(af->tmp);
    releasePending(af->slot);
    af->slot = -1;
    af->tmp = NULL;
}
