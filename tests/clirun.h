/*
** Running the command line inside a test: cliMain with its standard output
** and standard error captured in memory, so a test reads exactly what a user
** would see, and the exit status.  Shared by every test of the CLI's
** behaviour (test_cli, test_extproc, test_atomicfile, test_views); static
** inline, so a test program includes it and links nothing more.
*/
#ifndef MIGSIM_TEST_CLIRUN_H
#define MIGSIM_TEST_CLIRUN_H

#include <stdio.h>
#include <stdlib.h>
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

/* The number of newline-terminated lines in s. */
static inline int countLines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

#endif
