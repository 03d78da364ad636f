/*
** `migsim diff A B`: two runs compared (out/rundiff.h).  Each input is a
** scenario, run here with the seed asked for, or a results database that
** `run --db` wrote, told apart by the file's first bytes (SQLite's header),
** not by its name.  One scenario with two seeds (`--seeds N,M`) compares
** the scenario with itself.  Seeds apply to scenarios only: a database
** already says which seed it was.  Exit status as diff(1)'s: 0 the runs are
** the same, 1 they differ, 2 an error (a bad option, an unreadable input, a
** scenario that does not parse or could not run).
*/
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "out/rundiff.h"
#include "run/result.h"
#include "run/sim.h"
#include "scenario/scenario.h"

#define DIFF_CONTEXT 3

static const char usageDiff[] =
    "usage: migsim diff A B [--seed N | --seeds N,M] [--context N]\n"
    "       migsim diff FILE.scn --seeds N,M [--context N]\n"
    "\n"
    "Compare two runs.  A and B are each a scenario (run here) or a results database\n"
    "written by `run --db`.  Printed: the outcome table side by side, one row per user\n"
    "(a differing row marked *; a counter that differs shows A|B), then the first\n"
    "point where the two traces diverge: up to N records in common before it\n"
    "(--context, default 3) and each side's record there, with its typed parts.\n"
    "Records are compared by time, kind, actor, subjects and fields, never by their\n"
    "text, and without the field line: a scenario that differs only by a comment\n"
    "does not diverge.\n"
    "\n"
    "  --seed N          run both scenarios with seed N\n"
    "  --seeds N,M       run A with seed N and B with seed M; with one scenario,\n"
    "                    compare its runs with the two seeds\n"
    "  --context N       records in common shown before the divergence (default 3)\n"
    "\n"
    "exit status: 0 the runs are the same, 1 they differ, 2 bad input, usage or an\n"
    "error.\n";

typedef struct diffArgs {
    const char *file[2];
    int nfiles;
    int seeds;              /* 0 none, 1 --seed (both), 2 --seeds */
    uint64_t seed[2];
    size_t context;
} diffArgs;

/* A decimal from 0 to INT64_MAX into *v, read up to the byte end (NUL or a comma). */
static int parseDiffArgs(int argc, char **argv, diffArgs *a, FILE *err) {
    memset(a, 0, sizeof *a);
    a->context = DIFF_CONTEXT;
    int has_context = 0;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (cliIsOption(arg, "--seeds")) {
            v = cliOptionValue(argc, argv, &i, "--seeds");
            const char *comma = strchr(v, ',');
            if (a->seeds) return cliUsageError(err, "diff", "--seed or --seeds given twice%s", "");
            if (!comma || cliParseNumber(v, (size_t)(comma - v), INT64_MAX, &a->seed[0]) != 0 || cliParseNumber(comma + 1, strlen(comma + 1), INT64_MAX, &a->seed[1]) != 0)
                return cliUsageError(err, "diff", "--seeds needs two seeds N,M (each from 0 to 9223372036854775807), not '%s'", v);
            a->seeds = 2;
        } else if (cliIsOption(arg, "--seed")) {
            v = cliOptionValue(argc, argv, &i, "--seed");
            if (a->seeds) return cliUsageError(err, "diff", "--seed or --seeds given twice%s", "");
            if (cliParseNumber(v, strlen(v), INT64_MAX, &a->seed[0]) != 0)
                return cliUsageError(err, "diff", "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
            a->seed[1] = a->seed[0];
            a->seeds = 1;
        } else if (cliIsOption(arg, "--context")) {
            uint64_t n;
            v = cliOptionValue(argc, argv, &i, "--context");
            if (has_context) return cliUsageError(err, "diff", "--context given twice%s", "");
            if (cliParseNumber(v, strlen(v), INT64_MAX, &n) != 0 || n > 1000)
                return cliUsageError(err, "diff", "--context needs a number of records from 0 to 1000, not '%s'", v);
            a->context = (size_t)n;
            has_context = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cliUsageError(err, "diff", "unknown option '%s'", arg);
        } else if (a->nfiles == 2) {
            return cliUsageError(err, "diff", "more than two runs to compare ('%s')", arg);
        } else {
            a->file[a->nfiles++] = arg;
        }
    }
    if (a->nfiles == 0) return cliUsageError(err, "diff", "nothing to compare: give two runs%s", "");
    if (a->nfiles == 1 && a->seeds != 2)
        return cliUsageError(err, "diff", "one scenario (%s) is compared with itself under two seeds: give --seeds N,M", a->file[0]);
    if (a->nfiles == 1) a->file[1] = a->file[0];
    return 0;
}

/* 1 when path is a SQLite database, 0 when not, -1 (one line on err) when it cannot be read. */
static int isDatabase(const char *path, FILE *err) {
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(err, "migsim: error: %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && memcmp(head, magic, sizeof magic) == 0;
}

/* Run the scenario at path (with seed when has_seed) into d; returns 0 or the exit status 2. */
static int runSide(const char *path, int has_seed, uint64_t seed, diffRun *d, FILE *err) {
    scenario sc;
    int rc = cliParse(path, &sc, err);
    if (rc) return rc;
    sim s;
    simOptions opt = {has_seed, has_seed ? seed : 0, NULL, 1, NULL, 0};
    msStatus st = simInit(&s, &sc, &opt);
    if (st == MS_FAIL) st = MS_INPUT;   /* not set up: an error, not a failed run */
    if (st == MS_OK) st = simRun(&s);
    if (st == MS_OK || st == MS_FAIL) {
        runResult r;
        char label[1024];
        st = resultCollect(&s, &r);
        snprintf(label, sizeof label, "%s, seed %llu", path, (unsigned long long)(has_seed ? seed : sc.seed));
        if (st == MS_OK) st = diffRunFromResult(&r, label, d);
        resultFree(&r);
        if (st == MS_NOMEM) fprintf(err, "migsim: error: out of memory (comparing %s)\n", path);
    } else if (st == MS_NOMEM) {
        fprintf(err, "migsim: error: out of memory (%s: %s)\n", path, s.k.where[0] ? s.k.where : "running the scenario");
    } else {
        fprintf(err, "%s: error: %s\n", path, s.k.err[0] ? s.k.err : msStatusName(st));
    }
    simFree(&s);
    scnFree(&sc);
    return st == MS_OK ? 0 : 2;
}

/* One side of the comparison into d, from a database or a scenario; returns 0 or 2. */
static int readSide(const diffArgs *a, int k, diffRun *d, FILE *err) {
    int db = isDatabase(a->file[k], err);
    if (db < 0) return 2;
    if (!db) return runSide(a->file[k], a->seeds != 0, a->seed[k], d, err);
    if (a->seeds) {
        fprintf(err, "migsim: error: %s is a results database: it has its seed; --seed and --seeds apply to "
                "scenarios\n", a->file[k]);
        return 2;
    }
    char why[1024];
    msStatus st = diffRunFromDb(a->file[k], d, why, sizeof why);
    if (st == MS_NOMEM)
        fprintf(err, "migsim: error: out of memory (reading %s)\n", a->file[k]);
    else if (st != MS_OK)
        fprintf(err, "migsim: error: %s\n", why);
    return st == MS_OK ? 0 : 2;
}

int cliDiff(int argc, char **argv, FILE *out, FILE *err) {
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usageDiff, out);
            return 0;
        }
    diffArgs a;
    int rc = parseDiffArgs(argc, argv, &a, err);
    if (rc) return rc;
    diffRun d[2];
    memset(d, 0, sizeof d);
    rc = readSide(&a, 0, &d[0], err);
    if (!rc) rc = readSide(&a, 1, &d[1], err);
    if (!rc) {
        diffSummary s;
        diffCompare(&d[0], &d[1], &s);
        diffPrint(&d[0], &d[1], &s, a.context, out);
        rc = diffFound(&s) ? 1 : 0;
    }
    diffRunFree(&d[0]);
    diffRunFree(&d[1]);
    return rc;
}
