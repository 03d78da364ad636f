/*
** Atomic file replacement with mkstemp and rename.  See atomicfile.h.  The
** temporary name is ".<base>.XXXXXX" in the destination's directory, so the
** rename never crosses a file system; it is given the mode a new file would
** get (0666 less the umask) before anything is written into it.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel/atomicfile.h"

/*
** The mode a newly created file gets: 0666 less the process's umask, as
** fopen would give.  mkstemp creates its file 0600, which would make every
** results file private to its owner whatever the user's umask says.
*/
static mode_t newFileMode(void) {
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

static char *tempNameFor(const char *path) {
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    const char *base = path + dirlen;
    size_t n = dirlen + 1 + strlen(base) + 8;
    char *t = malloc(n);
    if (!t) return NULL;
    memcpy(t, path, dirlen);
    snprintf(t + dirlen, n - dirlen, ".%s.XXXXXX", base);
    return t;
}

static void freeNames(atomicFile *af) {
    free(af->path);
    free(af->tmp);
    af->path = af->tmp = NULL;
    af->f = NULL;
}

msStatus atomicOpen(atomicFile *af, const char *path, int want_stream, char *why, size_t whysz) {
    memset(af, 0, sizeof *af);
    if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
        snprintf(why, whysz, "%s: not a file name", path);
        return MS_INPUT;
    }
    af->path = strdup(path);
    af->tmp = tempNameFor(path);
    if (!af->path || !af->tmp) {
        freeNames(af);
        snprintf(why, whysz, "out of memory");
        return MS_NOMEM;
    }
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        snprintf(why, whysz, "%s: cannot create: %s", path, strerror(errno));
        freeNames(af);
        return MS_IO;
    }
    if (fchmod(fd, newFileMode()) != 0) {
        snprintf(why, whysz, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        unlink(af->tmp);
        freeNames(af);
        return MS_IO;
    }
    if (!want_stream) {
        close(fd);
        return MS_OK;
    }
    af->f = fdopen(fd, "w");
    if (!af->f) {
        snprintf(why, whysz, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
        unlink(af->tmp);
        freeNames(af);
        return MS_IO;
    }
    return MS_OK;
}

msStatus atomicCommit(atomicFile *af, char *why, size_t whysz) {
    int bad = 0;
    if (af->f) {
        bad = ferror(af->f) != 0;
        if (fflush(af->f) != 0) bad = 1;
        if (fsync(fileno(af->f)) != 0 && errno != EINVAL) bad = 1;
        if (fclose(af->f) != 0) bad = 1;
        af->f = NULL;
    }
    if (bad || rename(af->tmp, af->path) != 0) {
        snprintf(why, whysz, "%s: cannot write: %s", af->path, strerror(errno ? errno : EIO));
        unlink(af->tmp);
        freeNames(af);
        return MS_IO;
    }
    freeNames(af);
    return MS_OK;
}

void atomicAbort(atomicFile *af) {
    if (af->f) fclose(af->f);
    if (af->tmp) unlink(af->tmp);
    freeNames(af);
}
