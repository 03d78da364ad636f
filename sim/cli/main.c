/*
** The migsim program: everything is in cliMain (cli.c), so that tests can run
** the command in process.  cliMain flushes and checks both streams; closing
** them here catches the errors only close reports (a file system that
** commits on close), so no output is lost without exit status 2.
*/
#include <stdio.h>
#include "cli/cli.h"

int main(int argc, char **argv) {
    int rc = cliMain(argc, argv, stdout, stderr);
    if (fclose(stdout) != 0) {
        if (rc != 2) fputs("migsim: error: cannot write the output\n", stderr);
        rc = 2;
    }
    if (fclose(stderr) != 0) rc = 2;
    return rc;
}
