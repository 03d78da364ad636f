/*
** The `migsim` command line.  See cli.h.  Options are parsed by hand (no
** getopt_long, which is not in C11 or POSIX) and checked completely before
** anything runs, so a bad option never leaves a half-written output file.
** Output files (--db, --ldif) are written atomically after the run.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "kernel/atomicfile.h"
#include "out/tracejson.h"
#include "cli/cli.h"
#include "out/report.h"
#include "scenario/scenario.h"
#include "run/sim.h"
#include "run/world.h"

#define MAX_LDIF 64

typedef struct ldifOut {
    const char *dc;
    const char *path;
    int index;
} ldifOut;

typedef struct runArgs {
    const char *file;
    int has_seed;
    uint64_t seed;
    int json, quiet;
    const char *trace;      /* --trace FILE.jsonl */
    const char *db;
    ldifOut ldif[MAX_LDIF];
    int nldif;
} runArgs;

static const char usageTop[] =
    "usage: migsim run FILE.scn [--seed N] [--json] [--db OUT.sqlite] [--ldif DC=FILE]... [--trace FILE.jsonl] [--quiet]\n"
    "       migsim check PATH...\n"
    "       migsim --help | COMMAND --help | --version\n"
    "\n"
    "migsim simulates an Exchange 2003 inter-organization migration against a replicated\n"
    "Active Directory forest, to reproduce Microsoft KB 842101 (mailboxes merged instead of\n"
    "cloned after a cancelled Migration Wizard run) and to verify its fix.\n"
    "\n"
    "commands:\n"
    "  run     run one scenario: narrative, outcome table and verdict\n"
    "  check   run scenarios and report PASS or FAIL for each\n"
    "\n"
    "exit status: 0 every expectation held, 1 an expectation or step failed,\n"
    "2 bad input or usage.  See migsim(1) and docs/ for the scenario language.\n";

static const char usageRun[] =
    "usage: migsim run FILE.scn [--seed N] [--json] [--db OUT.sqlite] [--ldif DC=FILE]... [--trace FILE.jsonl] [--quiet]\n"
    "\n"
    "Run the scenario and print its narrative (TIME  ACTOR  message, one line per event),\n"
    "the per-user outcome table and the verdict.\n"
    "\n"
    "  --seed N          use seed N instead of the scenario's `seed` (default 1)\n"
    "  --json            print one JSON document instead (docs/results.md)\n"
    "  --db OUT.sqlite   also write the results database (written atomically)\n"
    "  --ldif DC=FILE    also write DC's replica at the end of the run as LDIF (repeatable)\n"
    "  --trace FILE      also write every trace record as JSON Lines (written atomically)\n"
    "  --quiet           print only failures and the verdict line\n"
    "\n"
    "exit status: 0 every expectation held, 1 an expectation or step failed, 2 bad input.\n";

static const char usageCheck[] =
    "usage: migsim check PATH...\n"
    "\n"
    "Run each scenario (a PATH may be a directory: its *.scn files, recursively, in sorted\n"
    "order) and print one line per scenario, PASS or FAIL and why, then a summary.\n"
    "\n"
    "exit status: 0 all passed, 1 any failed, 2 any could not be read or parsed.\n";

static int usageError(FILE *err, const char *cmd, const char *fmt, const char *arg) {
    fprintf(err, "migsim: error: ");
    fprintf(err, fmt, arg);
    fprintf(err, " (see 'migsim%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

static int parseSeed(const char *s, uint64_t *out) {
    if (!s || !*s) return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v) ||
            v > (uint64_t)INT64_MAX)
            return -1;
    }
    *out = v;
    return 0;
}

/* The value of option name at argv[*i]: "--name=value" or "--name value". */
static const char *optionValue(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) != 0) return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

static int isOption(const char *arg, const char *name) {
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parseRunArgs(int argc, char **argv, runArgs *a, FILE *err) {
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (isOption(arg, "--seed")) {
            v = optionValue(argc, argv, &i, "--seed");
            if (parseSeed(v, &a->seed) != 0)
                return usageError(err, "run", "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
            a->has_seed = 1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (isOption(arg, "--db")) {
            v = optionValue(argc, argv, &i, "--db");
            if (!*v) return usageError(err, "run", "--db needs a file name%s", "");
            a->db = v;
        } else if (isOption(arg, "--trace")) {
            v = optionValue(argc, argv, &i, "--trace");
            if (!*v) return usageError(err, "run", "--trace needs a file name%s", "");
            a->trace = v;
        } else if (isOption(arg, "--ldif")) {
            v = optionValue(argc, argv, &i, "--ldif");
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1])
                return usageError(err, "run", "--ldif needs DC=FILE, not '%s'", v);
            if (a->nldif == MAX_LDIF) return usageError(err, "run", "too many --ldif options%s", "");
            a->ldif[a->nldif].dc = v;
            a->ldif[a->nldif].path = eq + 1;
            a->nldif++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usageError(err, "run", "unknown option '%s'", arg);
        } else if (a->file) {
            return usageError(err, "run", "more than one scenario file ('%s')", arg);
        } else {
            a->file = arg;
        }
    }
    if (!a->file) return usageError(err, "run", "no scenario file given%s", "");
    return 0;
}

/* Resolve each --ldif DC against the scenario's DCs. */
static int resolveLdif(runArgs *a, const scenario *sc, FILE *err) {
    for (int k = 0; k < a->nldif; k++) {
        ldifOut *o = &a->ldif[k];
        size_t len = (size_t)(strchr(o->dc, '=') - o->dc);
        o->index = -1;
        for (size_t i = 0; i < sc->ndcs; i++) {
            const char *name = sc->v[sc->dcs[i]].u.dc.name.name;
            if (strlen(name) == len && strncmp(name, o->dc, len) == 0) o->index = (int)i;
        }
        if (o->index < 0) {
            fprintf(err, "migsim: error: --ldif %.*s: no dc of that name in %s\n", (int)len, o->dc,
                    sc->file);
            return 2;
        }
    }
    return 0;
}

/*
** Refuse, before anything runs, an output path that cannot become a file: an
** existing directory, or one whose containing directory does not exist.  The
** write itself still reports any other failure, but these are the common
** mistakes, and catching them here spares the user a whole run for nothing.
*/
static int checkOutputPath(const char *opt, const char *path, FILE *err) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(err, "migsim: error: %s %s: is a directory\n", opt, path);
        return 2;
    }
    const char *slash = strrchr(path, '/');
    if (!slash) return 0;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) return 2;
    memcpy(dir, path, n);
    dir[n] = '\0';
    int rc = 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(err, "migsim: error: %s %s: no directory %s\n", opt, path, dir);
        rc = 2;
    }
    free(dir);
    return rc;
}

/* Two outputs named alike would silently overwrite each other (compared as written). */
static int checkDistinctOutputs(const runArgs *a, FILE *err) {
    if (a->trace && a->db && strcmp(a->trace, a->db) == 0) {
        fprintf(err, "migsim: error: --trace %s: the same file as --db\n", a->trace);
        return 2;
    }
    for (int k = 0; k < a->nldif; k++) {
        const char *p = a->ldif[k].path;
        if (a->trace && strcmp(p, a->trace) == 0) {
            fprintf(err, "migsim: error: --ldif %s: the same file as --trace\n", p);
            return 2;
        }
        if (a->db && strcmp(p, a->db) == 0) {
            fprintf(err, "migsim: error: --ldif %s: the same file as --db\n", p);
            return 2;
        }
        for (int j = 0; j < k; j++)
            if (strcmp(p, a->ldif[j].path) == 0) {
                fprintf(err, "migsim: error: --ldif %s: named by two --ldif options\n", p);
                return 2;
            }
    }
    return 0;
}

static int checkOutputPaths(const runArgs *a, FILE *err) {
    if (a->db && checkOutputPath("--db", a->db, err)) return 2;
    if (a->trace && checkOutputPath("--trace", a->trace, err)) return 2;
    for (int k = 0; k < a->nldif; k++)
        if (checkOutputPath("--ldif", a->ldif[k].path, err)) return 2;
    return checkDistinctOutputs(a, err);
}

static msStatus writeLdif(const sim *s, const ldifOut *o, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, o->path, 1, why, whysz);
    if (st != MS_OK) return st;
    st = dirWriteLdif(s->world->dir, o->index, af.f);
    if (st != MS_OK) {
        snprintf(why, whysz, "%s: cannot write the LDIF", o->path);
        atomicAbort(&af);
        return st;
    }
    return atomicCommit(&af, why, whysz);
}

/* The run's trace records as JSON Lines at path (written atomically). */
static msStatus writeTrace(const sim *s, const char *path, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, path, 1, why, whysz);
    if (st != MS_OK) return st;
    size_t n;
    const traceRecord *v = traceRecords(&s->k.tr, &n);
    if (!traceJsonWriteAll(v, n, af.f)) {
        snprintf(why, whysz, "%s: cannot write the trace", path);
        atomicAbort(&af);
        return MS_IO;
    }
    return atomicCommit(&af, why, whysz);
}

/* Write the outputs the options ask for; returns 0 or the exit status 2. */
static int writeOutputs(const runArgs *a, sim *s, const runReport *r, FILE *out, FILE *err) {
    char why[512];
    if (a->json) {
        if (reportWriteJson(r, out) != MS_OK) {
            fprintf(err, "migsim: error: cannot write the JSON report\n");
            return 2;
        }
    } else {
        if (!a->quiet) reportPrintTable(r, out);
        if (a->quiet) reportPrintFailures(r, out);
        reportPrintVerdict(r, out);
    }
    if (a->db && reportWriteDb(r, a->db, why, sizeof why) != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    if (a->trace && writeTrace(s, a->trace, why, sizeof why) != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    for (int k = 0; k < a->nldif; k++) {
        if (writeLdif(s, &a->ldif[k], why, sizeof why) != MS_OK) {
            fprintf(err, "migsim: error: %s\n", why);
            return 2;
        }
    }
    return 0;
}

static int cmdRun(int argc, char **argv, FILE *out, FILE *err) {
    runArgs a;
    int rc = parseRunArgs(argc, argv, &a, err);
    if (rc) return rc;
    scenario sc;
    scnError e;
    msStatus st = scnParseFile(a.file, &sc, &e);
    if (st != MS_OK) {
        char line[640];
        scnErrorFormat(&e, line, sizeof line);
        fprintf(err, "%s\n", line);
        return 2;
    }
    rc = resolveLdif(&a, &sc, err);
    if (!rc) rc = checkOutputPaths(&a, err);
    if (rc) {
        scnFree(&sc);
        return rc;
    }
    simOptions opt = {a.has_seed, a.seed, (a.json || a.quiet) ? NULL : out, a.db != NULL || a.trace != NULL || a.json};
    sim s;
    if (!a.json && !a.quiet)
        fprintf(out, "migsim %s: %s, seed %llu\n", MIGSIM_VERSION, a.file,
                (unsigned long long)(a.has_seed ? a.seed : sc.seed));
    st = simInit(&s, &sc, &opt);
    /* A run that could not be set up is bad input, whatever status says so:
    ** reporting it would judge a world that was never built. */
    if (st == MS_FAIL) st = MS_INPUT;
    if (st == MS_OK) st = simRun(&s);
    if (st != MS_OK && st != MS_FAIL) {
        fprintf(err, "%s: error: %s\n", a.file, s.k.err[0] ? s.k.err : msStatusName(st));
        simFree(&s);
        scnFree(&sc);
        return 2;
    }
    runReport r;
    st = reportCollect(&s, &r);
    if (st == MS_OK) {
        rc = writeOutputs(&a, &s, &r, out, err);
        if (!rc) rc = msExitCode(r.verdict);
    } else {
        fprintf(err, "%s: error: cannot judge the outcomes: %s\n", a.file, msStatusName(st));
        rc = 2;
    }
    reportFree(&r);
    simFree(&s);
    scnFree(&sc);
    return rc;
}

static int cmdCheck(int argc, char **argv, FILE *out, FILE *err) {
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usageError(err, "check", "unknown option '%s'", argv[i]);
    }
    if (argc < 3) return usageError(err, "check", "no scenario or directory given%s", "");
    return checkPaths(argv + 2, argc - 2, out, err);
}

static int wantsHelp(int argc, char **argv) {
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

int cliMain(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 2) return usageError(err, NULL, "no command given%s", "");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usageTop, out);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        fprintf(out, "migsim %s\n", MIGSIM_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) {
        if (wantsHelp(argc, argv)) {
            fputs(usageRun, out);
            return 0;
        }
        return cmdRun(argc, argv, out, err);
    }
    if (strcmp(cmd, "check") == 0) {
        if (wantsHelp(argc, argv)) {
            fputs(usageCheck, out);
            return 0;
        }
        return cmdCheck(argc, argv, out, err);
    }
    if (cmd[0] == '-') return usageError(err, NULL, "unknown option '%s'", cmd);
    return usageError(err, NULL, "unknown command '%s'", cmd);
}
