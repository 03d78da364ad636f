/*
** The migsim program: everything is in cliMain (cli.c), so that tests can run
** the command in process.
*/
#include <stdio.h>
#include "cli/cli.h"

int main(int argc, char **argv) {
    return cliMain(argc, argv, stdout, stderr);
}
