/*
** Atomic file replacement: write into a temporary file in the destination's
** directory, then rename it over the destination.  rename(2) within one
** directory is atomic, so a reader (or a crash) sees either the old file or
** the complete new one, never a partial file under the final name.
*/
#ifndef MIGSIM_ATOMICFILE_H
#define MIGSIM_ATOMICFILE_H

#include <stdio.h>
#include "kernel/status.h"

typedef struct atomicFile {
    char *path;       /* the destination */
    char *tmp;        /* the temporary file beside it */
    FILE *f;          /* open for writing on tmp (NULL when opened raw) */
} atomicFile;

/*
** Create a fresh temporary file beside path.  With want_stream, af->f is an
** open stream on it; otherwise the file exists, empty and closed (for
** libraries that open by name, like SQLite).  why receives a one-line reason
** on failure.
*/
msStatus atomicOpen(atomicFile *af, const char *path, int want_stream, char *why, size_t whysz);

/* Flush and close, then rename the temporary file over the destination. */
msStatus atomicCommit(atomicFile *af, char *why, size_t whysz);

/* Close and delete the temporary file; the destination is untouched. */
void atomicAbort(atomicFile *af);

#endif
