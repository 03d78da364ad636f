/*
** Instructions per run (`make bench`): the whole migsim process reproducing
** KB 842101, counted by callgrind.  Prints
**
**     bench: reproduce_instructions N instructions
**
** The command is exactly
**
**     valgrind --tool=callgrind --callgrind-out-file=/dev/null \
**         MIGSIM run scenarios/kb842101/reproduce.scn >/dev/null
**
** with MIGSIM from the environment (default build/migsim), run from the top
** of the tree: start-up (the dynamic loader, SQLite's initialization), the
** parse, the run, the narrative written to /dev/null and the exit, all of it.
** Unlike wall time, the count does not move with the machine's load, so it is
** the figure that says whether a change made a run cheaper (issue 11's target:
** at most 6 million; docs/performance.md, "Instructions per run").
**
** The run must pass (exit status 0): a count of a run that failed early
** would look like a gain.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SCENARIO "scenarios/kb842101/reproduce.scn"

int main(void) {
    const char *bin = getenv("MIGSIM");
    if (!bin || !*bin) bin = "build/migsim";
    if (strchr(bin, '\'')) {
        fprintf(stderr, "bench: MIGSIM must not contain a quote\n");
        return 1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "valgrind --tool=callgrind --callgrind-out-file=/dev/null '%s' run " SCENARIO " 2>&1 >/dev/null", bin);
    FILE *p = popen(cmd, "r");
    if (!p) {
        perror("bench: valgrind");
        return 1;
    }
    char line[512];
    long long n = -1;
    while (fgets(line, sizeof line, p)) {
        const char *c = strstr(line, "Collected : ");
        if (c) n = atoll(c + strlen("Collected : "));
    }
    int st = pclose(p);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || n <= 0) {
        fprintf(stderr, "bench: %s run " SCENARIO " under callgrind failed (is valgrind installed?)\n", bin);
        return 1;
    }
    printf("bench: reproduce_instructions %lld instructions\n", n);
    return 0;
}
