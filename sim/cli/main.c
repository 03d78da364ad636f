/*
** The migsim program: everything is in cliMain (cli.c), so that tests can run
** the command in process.  cliMain flushes and checks both streams; closing
** them here catches the errors only close reports (a file system that
** commits on close), so no output is lost without exit status 2.
**
** The process is migsim's alone and runs on one thread, so it tells SQLite
** so before anything opens a database: no mutexes, and no memory statistics
** (whose global counters take a mutex on every allocation).  That was a
** fifteenth of a small run's instructions (docs/performance.md).  SQLite
** refuses the settings once it is initialized; nothing has run yet here, and
** a refusal would only cost speed, so the results are not checked.
*/
#include <stdio.h>
#include <sqlite3.h>
#include "cli/cli.h"

int main(int argc, char **argv) {
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int rc = cliMain(argc, argv, stdout, stderr);
    if (fclose(stdout) != 0) {
        if (rc != 2) fputs("migsim: error: cannot write the output\n", stderr);
        rc = 2;
    }
    if (fclose(stderr) != 0) rc = 2;
    return rc;
}
