/*
** Output files that never destroy and never lie.
**
** An output (--db, --ldif, and any later one) is planned before the run and
** written after it.  Planning (outTargetPrepare) looks at what the name
** refers to now and decides how the write will go:
**
**   - a new name, or an existing regular file (through any symbolic links):
**     REPLACE.  The data goes into a temporary file ".migsim-XXXXXX" in the
**     directory of the final file (the symbolic links' target, so the links
**     stay links), which is then renamed over it.  rename(2) within one
**     directory is atomic, so a reader or a crash sees the old file or the
**     whole new one, never a partial file.  The new file keeps the old one's
**     permission bits (and owner, where the process may set it); a new file
**     gets 0666 less the umask, as fopen would give.  The temporary name is
**     short and fixed, so any legal final name works.
**   - an existing character device, FIFO or socket: DIRECT.  Renaming over
**     it would replace the device node with a regular file and report
**     success, so the data is written straight into it instead.  Only a
**     format that can be written as a stream may do that (the caller says
**     so); the others (a SQLite database) are refused.
**   - the file the command's own standard output or error already is (say
**     /dev/stdout, whatever it is redirected to): STREAM.  The data goes
**     through that stream, after what was printed so far, rather than
**     truncating or replacing it underneath.  A non-streamable output there
**     is refused.
**
** Planning also checks what can be checked before a long run: the directory
** exists and is writable, the name is not a directory, and (outTargetSame)
** no two outputs are one file.  The write still checks every step, including
** flush, fsync and close, and reports any failure.
**
** A temporary file must not outlive an interrupted run.  While one exists
** its name sits in a small static table that a SIGINT or SIGTERM handler
** reads to unlink it before the signal's default action ends the process.
** That table is the one mutable global in migsim: a signal handler can
** reach no other state (atomicfile.c says why it is safe).
*/
#ifndef MIGSIM_ATOMICFILE_H
#define MIGSIM_ATOMICFILE_H

#include <stdio.h>
#include <sys/types.h>
#include "kernel/status.h"

typedef enum outKind {
    OUT_REPLACE,   /* a regular file, new or existing: temporary file, then rename */
    OUT_DIRECT,    /* an existing device, FIFO or socket: written straight into */
    OUT_STREAM     /* the process's own standard output or error: written through it */
} outKind;

typedef struct outTarget {
    const char *opt;    /* the option that named it, for messages ("--db") */
    const char *path;   /* as the user gave it (not owned) */
    outKind kind;
    char *dest;         /* OUT_REPLACE: the final file, symbolic links followed
                        ** (canonical directory + name); else a copy of path */
    int exists;         /* whether dev/ino identify an existing file */
    dev_t dev;
    ino_t ino;
    mode_t mode;        /* OUT_REPLACE: the mode the written file gets */
    uid_t uid;          /* OUT_REPLACE of an existing file: its owner */
    gid_t gid;
    FILE *stream;       /* OUT_STREAM: the stream to write through */
} outTarget;

/*
** Plan the output opt PATH (opt names it in messages).  streamable says the
** format can be written as a byte stream (LDIF, JSON Lines, HTML can; a
** SQLite database cannot).  out and err are the command's own output
** streams (either may be a stream with no file descriptor, like a memory
** stream).  On refusal returns MS_INPUT (a usage error, exit 2) with a
** one-line reason in why; MS_NOMEM when out of memory.  outTargetFree
** releases t in every case.
*/
msStatus outTargetPrepare(outTarget *t, const char *opt, const char *path, int streamable, FILE *out,
                          FILE *err, char *why, size_t whysz);

/*
** Whether a and b are the same file: the same device and inode when both
** exist, or the same final directory and name.
*/
int outTargetSame(const outTarget *a, const outTarget *b);

/* Release what t owns. */
void outTargetFree(outTarget *t);

typedef struct atomicFile {
    const outTarget *t;
    char *tmp;        /* OUT_REPLACE: the temporary file (a slot of the signal table) */
    int slot;         /* its slot, or -1 */
    FILE *f;          /* the stream to write (NULL for a raw OUT_REPLACE) */
} atomicFile;

/*
** Open the planned output t for writing.  With want_stream, af->f is an open
** stream to write into; otherwise (OUT_REPLACE only) af->tmp names an empty
** closed file, for libraries that open by name, like SQLite.  A temporary
** file is removed by a SIGINT or SIGTERM that arrives before commit or
** abort.  t must outlive af.  why receives a one-line reason on failure.
*/
msStatus atomicOpen(atomicFile *af, const outTarget *t, int want_stream, char *why, size_t whysz);

/*
** Finish the write: flush and close (or, for OUT_STREAM, flush), then rename
** the temporary file over the destination.  Any failure on the way, at
** close included, is MS_IO with the reason in why, and removes the
** temporary file.
*/
msStatus atomicCommit(atomicFile *af, char *why, size_t whysz);

/* Give up: close, and delete the temporary file; a REPLACE destination is untouched. */
void atomicAbort(atomicFile *af);

#endif
