/*
** Running the command line inside a test: cliMain with its standard output
** and standard error captured in memory, so a test reads exactly what a user
** would see, and the exit status; and a scratch directory for the files a
** test writes.  Include it after cmocka.h (it asserts).  Shared by every
** test of the CLI's behaviour (test_cli, test_extproc, test_atomicfile,
** test_views, test_rundiff); static inline, so a test program includes it
** and links nothing more.
*/
#ifndef MIGSIM_TEST_CLIRUN_H
#define MIGSIM_TEST_CLIRUN_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli/cli.h"

/* What one command printed and returned; free with freeCaptured. */
typedef struct captured {
    int status;
    char *out, *err;     /* NUL-terminated, never NULL after runCli */
} captured;

/* Run `argv[0..argc)` as the command line (argv[0] is "migsim"), capturing both streams. */
static inline captured runCli(int argc, const char **argv) {
    captured c;
    size_t no, ne;
    FILE *out = open_memstream(&c.out, &no);
    FILE *err = open_memstream(&c.err, &ne);
    c.status = cliMain(argc, (char **)argv, out, err);
    fclose(out);
    fclose(err);
    return c;
}

static inline void freeCaptured(captured *c) {
    free(c->out);
    free(c->err);
}

/* The test program's scratch directory (tmpdirMake, tmpdirRemove): files a test writes go there. */
__attribute__((unused)) static char tmpdir[256];

/* Make tmpdir as /tmp/migsim-test-TAG-XXXXXX; 0, or -1 (a cmocka setup's answer). */
static inline int tmpdirMake(const char *tag) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/migsim-test-%s-XXXXXX", tag);
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Remove tmpdir and everything in it; 0, or -1 (a cmocka teardown's answer). */
static inline int tmpdirRemove(void) {
    char cmd[sizeof tmpdir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* tmpdir/name into buf (n bytes); returns buf. */
static inline char *pathIn(const char *name, char *buf, size_t n) {
    snprintf(buf, n, "%s/%s", tmpdir, name);
    return buf;
}

/* Write text to path (the test fails when it cannot be opened or written). */
static inline void writeFile(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The number of newline-terminated lines in s. */
static inline int countLines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

#endif
