/*
** The `migsim` command line.  See cli.h.  Options are parsed by hand (no
** getopt_long, which is not in C11 or POSIX) and checked completely before
** anything runs, so a bad option never leaves a half-written output file.
** Output files (--db, --ldif) are planned before the run (atomicfile.h: a
** bad path fails at once, before anything is printed) and written after it.
** A write error on any output, the command's own standard output and error
** included, is a failure: exit 2 and one line on stderr, whatever the
** verdict was.
*/
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/atomicfile.h"
#include "out/tracejson.h"
#include "cli/cli.h"
#include "out/html.h"
#include "cli/setopt.h"
#include "migration/engine.h"
#include "out/narrative.h"
#include "out/report.h"
#include "out/view.h"
#include "scenario/scenario.h"
#include "run/sim.h"
#include "run/state.h"
#include "run/world.h"

#define MAX_LDIF 64
#define MAX_NAMES 64

typedef struct ldifOut {
    const char *dc;
    const char *path;
    int index;
    outTarget target;
} ldifOut;

/* --migrator SPEC and --migrator-timeout SECONDS, shared by run and check. */
typedef struct migratorArgs {
    const char *spec;
    int64_t timeout_ms;     /* 0: the default */
} migratorArgs;

typedef struct runArgs {
    const char *file;
    int has_seed;
    uint64_t seed;
    int json, quiet;
    const char *trace;      /* --trace FILE.jsonl */
    outTarget traceTarget;
    const char *db;
    outTarget dbTarget;
    const char *html;       /* --html FILE.html */
    outTarget htmlTarget;
    ldifOut ldif[MAX_LDIF];
    int nldif;
    migratorArgs mig;
    int has_until;
    simtime until;          /* --until T: stop after the work due at T */
    const char *show;       /* --show VIEW[,VIEW...] */
    char *user_copy, *actor_copy;   /* the --user and --actor lists, split (users, actors point in) */
    const char *users[MAX_NAMES], *actors[MAX_NAMES];
    int nusers, nactors;
    int brief;
    setArgs set;            /* --set NAME=VALUE... */
} runArgs;

static const char usageTop[] =
    "usage: migsim run FILE.scn [--seed N] [--json] [--db OUT.sqlite] [--ldif DC=FILE]... [--trace FILE.jsonl]\n"
    "                [--html OUT.html] [--migrator SPEC] [--migrator-timeout SECONDS] [--quiet] [--until T]\n"
    "                [--show VIEW[,VIEW...]] [--user U[,U...]] [--actor A[,A...]] [--brief] [--set NAME=VALUE]...\n"
    "       migsim check [--allow-empty] [--migrator SPEC] [--migrator-timeout SECONDS]\n"
    "                [--junit FILE.xml] [--json[=FILE]] [--set NAME=VALUE]... PATH...\n"
    "       migsim diff A B [--seed N | --seeds N,M] [--context N]\n"
    "       migsim lab FILE.scn [--seed N] [--migrator SPEC] [--user U,...] [--actor A,...] [--brief]\n"
    "       migsim explore [--migrator SPEC] [--runs N] [--seed S] [--invariant NAME]... [--out DIR] [--jobs N]\n"
    "       migsim sweep FILE.scn --seeds A..B [--vary NAME=VALUES]... [--jobs N] [--shard K/N] [--bad RULE]\n"
    "                [--db OUT.sqlite] [--csv OUT.csv] [--plot OUT.svg] [--set NAME=VALUE]... [--migrator SPEC]\n"
    "       migsim merge OUT.sqlite SHARD.sqlite... [--csv OUT.csv] [--plot OUT.svg]\n"
    "       migsim --help | COMMAND --help | --version\n"
    "\n"
    "migsim simulates an Exchange 2003 inter-organization migration against a replicated\n"
    "Active Directory forest, to reproduce Microsoft KB 842101 (mailboxes merged instead of\n"
    "cloned after a cancelled Migration Wizard run) and to verify its fix.\n"
    "\n"
    "commands:\n"
    "  run     run one scenario: narrative, outcome table (or the state) and verdict\n"
    "  check   run scenarios and report PASS or FAIL for each\n"
    "  diff    compare two runs (scenarios, seeds or --db files): outcomes, first divergence\n"
    "  lab     an interactive lab over one run: step, look, go back, try a step (docs/lab.md)\n"
    "  explore run random scenarios against invariants; shrink what breaks one\n"
    "  sweep   run a scenario over seeds and varied values: bad-result shares, CSV, plot\n"
    "  merge   combine the databases of a sharded sweep\n"
    "\n"
    "exit status: 0 every expectation held (or there were none), 1 an expectation or\n"
    "step failed, 2 bad input, usage or a write error.  See migsim(1) and docs/ for the\n"
    "scenario language.\n";

static const char usageRun[] =
    "usage: migsim run FILE.scn [--seed N] [--json] [--db OUT.sqlite] [--ldif DC=FILE]... [--trace FILE.jsonl]\n"
    "                [--html OUT.html] [--migrator SPEC] [--migrator-timeout SECONDS] [--quiet] [--until T]\n"
    "                [--show VIEW[,VIEW...]] [--user U[,U...]] [--actor A[,A...]] [--brief] [--set NAME=VALUE]...\n"
    "\n"
    "Run the scenario and print its narrative (TIME  ACTOR  message, one line per event),\n"
    "the per-user outcome table and the verdict.\n"
    "\n"
    "  --seed N          use seed N instead of the scenario's `seed` (default 1)\n"
    "  --json            print one JSON document instead (docs/results.md)\n"
    "  --db OUT.sqlite   also write the results database (a regular file, replaced atomically)\n"
    "  --ldif DC=FILE    also write DC's replica at the end of the run as LDIF (repeatable;\n"
    "                    a device or FIFO is written straight into)\n"
    "  --trace FILE      also write every trace record as JSON Lines (replaced atomically;\n"
    "                    a device or FIFO is written straight into)\n"
    "  --html OUT.html   also write the timeline picture: one self-contained HTML page\n"
    "                    (replaced atomically; a device or FIFO is written straight into)\n"
    "  --migrator SPEC   the migration logic, instead of the scenario's: builtin:NAME (a\n"
    "                    built-in, default builtin:wizard2003), exec:COMMAND (a process\n"
    "                    speaking JSON Lines, docs/migrators.md), plugin:PATH\n"
    "  --migrator-timeout SECONDS\n"
    "                    the wall-clock limit on each answer of an exec: process (default 10)\n"
    "  --quiet           no narrative: the outcome table, the failures and the verdict\n"
    "  --until T         stop after the events and steps due at T (a duration from time 0,\n"
    "                    like 2m30s) and show the state instead of the outcome table\n"
    "  --show VIEW,...   the state to show (at --until's moment, else at the end):\n"
    "                    dc:NAME, server:NAME, user:NAME (default with --until: every\n"
    "                    dc and server); with --json, a \"state\" object\n"
    "  --user U,...      print only narrative lines about these source users (exact names)\n"
    "  --actor A,...     print only narrative lines by these actors (the second column)\n"
    "  --brief           short names in the narrative: an account as user3@DC1, GUIDs\n"
    "                    cut to their first 8 hex digits\n"
    "  --set NAME=VALUE  the value of the scenario's variable NAME (`let NAME = ...`), instead\n"
    "                    of the scenario's own (repeatable; a NAME the scenario never lets is an error)\n"
    "\n"
    "A scenario with no expectation ends 'verdict: NONE (no expectations; ...)'.\n"
    "exit status: 0 every expectation held (or there were none), 1 an expectation or\n"
    "step failed, 2 bad input, usage or a write error.\n";

static const char usageCheck[] =
    "usage: migsim check [--allow-empty] [--allow-external] [--migrator SPEC] [--migrator-timeout SECONDS]\n"
    "                    [--junit FILE.xml] [--json[=FILE]] [--set NAME=VALUE]... PATH...\n"
    "\n"
    "Run each scenario (a PATH may be a directory: its *.scn files, recursively, in sorted\n"
    "order) and print one line per scenario, PASS or FAIL and why (a failed scenario: one\n"
    "FILE:LINE line for every failed expectation, and the failed step), then a summary.\n"
    "A file reached by several paths (symbolic links) runs once.  A scenario with no\n"
    "expectation is an EMPTY line and counts as failed, unless --allow-empty is given.\n"
    "--migrator and --migrator-timeout apply to every scenario, as for `run`.  A scenario\n"
    "whose own migrator= is exec: or plugin: runs code: it is an ERROR unless\n"
    "--allow-external.\n"
    "\n"
    "  --junit FILE.xml  also write JUnit XML for CI: a testcase per scenario, a failure\n"
    "                    listing every failed expectation with its line, an error for a\n"
    "                    scenario that could not run or whose step failed, skipped for an\n"
    "                    allowed EMPTY; time attributes 0 (replaced atomically)\n"
    "  --json            print the same as one JSON document instead of the lines\n"
    "  --json=FILE       also write that JSON document to FILE (replaced atomically)\n"
    "  --set NAME=VALUE  set a scenario variable in every scenario (repeatable); a scenario\n"
    "                    that does not `let` NAME is an ERROR\n"
    "\n"
    "exit status: 0 all passed, 1 any failed, 2 any could not be read or parsed, or a\n"
    "write error.\n";

int cliUsageError(FILE *err, const char *cmd, const char *fmt, const char *arg) {
    fprintf(err, "migsim: error: ");
    fprintf(err, fmt, arg);
    fprintf(err, " (see 'migsim%s%s --help')\n", cmd ? " " : "", cmd ? cmd : "");
    return 2;
}

/* The one line every allocation failure ends with (docs/architecture.md, "Errors"). */
static int outOfMemory(FILE *err, const char *where, const char *what) {
    fprintf(err, "migsim: error: out of memory (%s%s)\n", where, what ? what : "");
    return 2;
}

/* cli.h. */
int cliParseNumber(const char *s, size_t n, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    if (n == 0) return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v) || v > max)
            return -1;
    }
    *out = v;
    return 0;
}
/* cli.h. */
const char *cliOptionValue(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) != 0) return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

int cliIsOption(const char *arg, const char *name) {
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

int cliParseSeconds(const char *s, int64_t *ms) {
    int64_t v = 0, frac = 0, scale = 1000;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && v <= 86400; p++) v = v * 10 + (*p - '0');
    if (p == s) return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9' && scale > 1; p++) frac += (*p - '0') * (scale /= 10);
        if (p[-1] == '.') return -1;
    }
    if (*p || v > 86400) return -1;
    *ms = v * 1000 + frac;
    return *ms > 0 && *ms <= 86400 * 1000 ? 0 : -1;
}

/*
** --migrator SPEC or --migrator-timeout SECONDS at argv[*i], for cmd: 1 when
** arg is neither, 0 when taken, else the exit status 2 after a usage error.
*/
static int parseMigratorArg(int argc, char **argv, int *i, migratorArgs *m, const char *cmd, FILE *err) {
    const char *arg = argv[*i], *v;
    if (cliIsOption(arg, "--migrator")) {
        v = cliOptionValue(argc, argv, i, "--migrator");
        if (!*v) return cliUsageError(err, cmd, "--migrator needs a SPEC%s", "");
        if (m->spec) return cliUsageError(err, cmd, "--migrator given twice%s", "");
        /* A built-in's name or an exec: command is checked now; a plugin is loaded when the run starts. */
        const migrator *mg;
        const char *opts;
        migPlugin *plugin = NULL;
        char why[256];
        if (strncmp(v, "plugin:", 7) != 0 && migratorResolve(v, &mg, &opts, &plugin, why, sizeof why) != MS_OK)
            return cliUsageError(err, cmd, "--migrator: %s", why);
        m->spec = v;
        return 0;
    }
    if (!cliIsOption(arg, "--migrator-timeout")) return 1;
    v = cliOptionValue(argc, argv, i, "--migrator-timeout");
    if (m->timeout_ms) return cliUsageError(err, cmd, "--migrator-timeout given twice%s", "");
    if (cliParseSeconds(v, &m->timeout_ms) != 0)
        return cliUsageError(err, cmd, "--migrator-timeout needs seconds, more than 0 and at most 86400 (e.g. 10 or 0.5), not '%s'", v);
    return 0;
}

/*
** Split list (a comma-separated --user or --actor value) into names, in a
** copy of its own (*copy: argv stays as it was); returns 0, or the usage
** error's exit status.
*/
static int splitNames(const char *opt, const char *list, char **copy, const char **names, int *n, FILE *err) {
    if (*copy) return cliUsageError(err, "run", "%s given twice", opt);
    if (!*list) return cliUsageError(err, "run", "%s needs a name", opt);
    if (!(*copy = strdup(list))) return outOfMemory(err, "reading ", opt);
    for (char *p = *copy;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p) return cliUsageError(err, "run", "%s: an empty name in the list", opt);
        if (*n == MAX_NAMES) return cliUsageError(err, "run", "%s: too many names", opt);
        names[(*n)++] = p;
        if (!comma) return 0;
        p = comma + 1;
    }
}

static void freeNames(runArgs *a) {
    setArgsFree(&a->set);
    free(a->user_copy);
    free(a->actor_copy);
    a->user_copy = a->actor_copy = NULL;
}

static int parseRunArgs(int argc, char **argv, runArgs *a, FILE *err) {
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *v;
        if (cliIsOption(arg, "--seed")) {
            v = cliOptionValue(argc, argv, &i, "--seed");
            if (cliParseNumber(v, strlen(v), INT64_MAX, &a->seed) != 0)
                return cliUsageError(err, "run", "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
            if (a->has_seed) return cliUsageError(err, "run", "--seed given twice%s", "");
            a->has_seed = 1;
        } else if (strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "--brief") == 0) {
            a->brief = 1;
        } else if (cliIsOption(arg, "--until")) {
            v = cliOptionValue(argc, argv, &i, "--until");
            size_t at;
            if (a->has_until) return cliUsageError(err, "run", "--until given twice%s", "");
            if (!*v || durationParse(v, strlen(v), &a->until, &at) != MS_OK)
                return cliUsageError(err, "run", "--until needs a duration from time 0 like 2m30s, not '%s'", v);
            a->has_until = 1;
        } else if (cliIsOption(arg, "--show")) {
            v = cliOptionValue(argc, argv, &i, "--show");
            if (a->show) return cliUsageError(err, "run", "--show given twice%s", "");
            if (!*v) return cliUsageError(err, "run", "--show needs VIEW[,VIEW...] (dc:NAME, server:NAME or user:NAME)%s", "");
            a->show = v;
        } else if (cliIsOption(arg, "--user")) {
            v = cliOptionValue(argc, argv, &i, "--user");
            int rc = splitNames("--user", v, &a->user_copy, a->users, &a->nusers, err);
            if (rc) return rc;
        } else if (cliIsOption(arg, "--actor")) {
            v = cliOptionValue(argc, argv, &i, "--actor");
            int rc = splitNames("--actor", v, &a->actor_copy, a->actors, &a->nactors, err);
            if (rc) return rc;
        } else if (cliIsOption(arg, "--db")) {
            v = cliOptionValue(argc, argv, &i, "--db");
            if (!*v) return cliUsageError(err, "run", "--db needs a file name%s", "");
            if (a->db) return cliUsageError(err, "run", "--db given twice%s", "");
            a->db = v;
        } else if (cliIsOption(arg, "--trace")) {
            v = cliOptionValue(argc, argv, &i, "--trace");
            if (!*v) return cliUsageError(err, "run", "--trace needs a file name%s", "");
            if (a->trace) return cliUsageError(err, "run", "--trace given twice%s", "");
            a->trace = v;
        } else if (cliIsOption(arg, "--html")) {
            v = cliOptionValue(argc, argv, &i, "--html");
            if (!*v) return cliUsageError(err, "run", "--html needs a file name%s", "");
            if (a->html) return cliUsageError(err, "run", "--html given twice%s", "");
            a->html = v;
        } else if (cliIsOption(arg, "--ldif")) {
            v = cliOptionValue(argc, argv, &i, "--ldif");
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || !eq[1])
                return cliUsageError(err, "run", "--ldif needs DC=FILE, not '%s'", v);
            if (a->nldif == MAX_LDIF) return cliUsageError(err, "run", "too many --ldif options%s", "");
            a->ldif[a->nldif].dc = v;
            a->ldif[a->nldif].path = eq + 1;
            a->nldif++;
        } else if (cliIsOption(arg, "--migrator") || cliIsOption(arg, "--migrator-timeout")) {
            int rc = parseMigratorArg(argc, argv, &i, &a->mig, "run", err);
            if (rc) return rc;
        } else if (cliIsOption(arg, "--set")) {
            char why[256];
            if (setArgsAdd(&a->set, cliOptionValue(argc, argv, &i, "--set"), why, sizeof why) != 0)
                return cliUsageError(err, "run", "%s", why);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cliUsageError(err, "run", "unknown option '%s'", arg);
        } else if (a->file) {
            return cliUsageError(err, "run", "more than one scenario file ('%s')", arg);
        } else {
            a->file = arg;
        }
    }
    if (!a->file) return cliUsageError(err, "run", "no scenario file given%s", "");
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

static void freeTargets(runArgs *a) {
    outTargetFree(&a->dbTarget);
    outTargetFree(&a->traceTarget);
    outTargetFree(&a->htmlTarget);
    for (int k = 0; k < a->nldif; k++) outTargetFree(&a->ldif[k].target);
}

/* Output k of a's outputs (the --db, the --trace, the --html, when given), for the pairwise check. */
static const outTarget *outputAt(const runArgs *a, int k) {
    if (a->db) {
        if (k == 0) return &a->dbTarget;
        k--;
    }
    if (a->trace) {
        if (k == 0) return &a->traceTarget;
        k--;
    }
    if (a->html) {
        if (k == 0) return &a->htmlTarget;
        k--;
    }
    return &a->ldif[k].target;
}

/*
** Plan every output before anything runs (atomicfile.h): a name that cannot
** be written, a database that is not a regular file, or two outputs that are
** one file, each fails now with exit 2, not after a whole run.
*/
static int planOutputs(runArgs *a, FILE *out, FILE *err) {
    char why[PATH_MAX + 256];
    msStatus st = MS_OK;
    if (a->db) st = outTargetPrepare(&a->dbTarget, "--db", a->db, 0, out, err, why, sizeof why);
    if (st == MS_OK && a->trace)
        st = outTargetPrepare(&a->traceTarget, "--trace", a->trace, 1, out, err, why, sizeof why);
    if (st == MS_OK && a->html)
        st = outTargetPrepare(&a->htmlTarget, "--html", a->html, 1, out, err, why, sizeof why);
    for (int k = 0; st == MS_OK && k < a->nldif; k++)
        st = outTargetPrepare(&a->ldif[k].target, "--ldif", a->ldif[k].path, 1, out, err, why, sizeof why);
    if (st == MS_NOMEM) return outOfMemory(err, "planning the outputs", NULL);
    if (st != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    int n = a->nldif + (a->db != NULL) + (a->trace != NULL) + (a->html != NULL);
    for (int k = 0; k < n; k++)
        for (int j = 0; j < k; j++) {
            const outTarget *x = outputAt(a, j), *y = outputAt(a, k);
            if (!outTargetSame(x, y)) continue;
            fprintf(err, "migsim: error: %s %s: the same file as %s %s\n", y->opt, y->path, x->opt, x->path);
            return 2;
        }
    /* --json's document is the whole of standard output: nothing may stream into it. */
    for (int k = 0; a->json && k < n; k++) {
        const outTarget *x = outputAt(a, k);
        if (x->kind != OUT_STREAM || x->stream != out) continue;
        fprintf(err, "migsim: error: %s %s: standard output carries the --json document\n", x->opt, x->path);
        return 2;
    }
    return 0;
}

static msStatus writeLdif(const sim *s, const ldifOut *o, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, &o->target, 1, why, whysz);
    if (st != MS_OK) return st;
    st = dirWriteLdif(s->world->dir, o->index, af.f);
    if (st != MS_OK) {
        snprintf(why, whysz, "%s: cannot write the LDIF", o->path);
        atomicAbort(&af);
        return st;
    }
    return atomicCommit(&af, why, whysz);
}

/* The run's trace records as JSON Lines into target t (replaced atomically, or streamed into a device). */
static msStatus writeTrace(const runResult *r, const outTarget *t, char *why, size_t whysz) {
    const char *path = t->path;
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 1, why, whysz);
    if (st != MS_OK) return st;
    size_t n;
    const traceRecord *v = traceRecords(&r->tr, &n);
    if (!traceJsonWriteAll(v, n, af.f)) {
        snprintf(why, whysz, "%s: cannot write the trace", path);
        atomicAbort(&af);
        return MS_IO;
    }
    return atomicCommit(&af, why, whysz);
}

/* The timeline picture of r into target t (replaced atomically, or streamed into a device). */
static msStatus writeHtml(const runResult *r, const outTarget *t, char *why, size_t whysz) {
    atomicFile af;
    msStatus st = atomicOpen(&af, t, 1, why, whysz);
    if (st != MS_OK) return st;
    st = htmlWrite(r, af.f);
    if (st != MS_OK) {
        snprintf(why, whysz, "%s: cannot write the timeline", t->path);
        atomicAbort(&af);
        return st;
    }
    return atomicCommit(&af, why, whysz);
}

/* The text report: the state views in place of the table when asked for, the failures under --quiet, the verdict. */
static void printReport(const runArgs *a, const runResult *r, const simState *st, FILE *out) {
    if (st)
        viewPrintText(st, out);
    else
        reportPrintTable(r, out);
    if (a->quiet) reportPrintFailures(r, out);
    reportPrintVerdict(r, out);
}

/* Write the outputs the options ask for; returns 0 or the exit status 2. */
static int writeOutputs(const runArgs *a, sim *s, const runResult *r, const simState *st, FILE *out, FILE *err) {
    char why[PATH_MAX + 256];
    msStatus ms;
    if (a->json) {
        ms = reportWriteJsonState(r, st, out);
        if (ms == MS_NOMEM) return outOfMemory(err, "writing the JSON report", NULL);
        if (ms != MS_OK) {
            fprintf(err, "migsim: error: cannot write the JSON report\n");
            return 2;
        }
    } else {
        printReport(a, r, st, out);
    }
    /* What was printed comes first on a terminal or pipe an --ldif writes straight into. */
    fflush(out);
    if (a->db && (ms = reportWriteDb(r, &a->dbTarget, why, sizeof why)) != MS_OK) {
        if (ms == MS_NOMEM) return outOfMemory(err, "writing --db", NULL);
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    if (a->trace && (ms = writeTrace(r, &a->traceTarget, why, sizeof why)) != MS_OK) {
        if (ms == MS_NOMEM) return outOfMemory(err, "writing --trace", NULL);
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    if (a->html && (ms = writeHtml(r, &a->htmlTarget, why, sizeof why)) != MS_OK) {
        if (ms == MS_NOMEM) return outOfMemory(err, "writing --html", NULL);
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    for (int k = 0; k < a->nldif; k++) {
        if ((ms = writeLdif(s, &a->ldif[k], why, sizeof why)) != MS_OK) {
            if (ms == MS_NOMEM) return outOfMemory(err, "writing --ldif", NULL);
            fprintf(err, "migsim: error: %s\n", why);
            return 2;
        }
    }
    return 0;
}

/* Each --user name is a source user of sc (exact names); returns 0 or 2 with one line on err. */
static int resolveUsers(const runArgs *a, const scenario *sc, FILE *err) {
    for (int k = 0; k < a->nusers; k++) {
        uint32_t u = 1;
        char name[128];
        while (u <= sc->nusers && strcmp(scnUserName(sc, u, name, sizeof name), a->users[k]) != 0) u++;
        if (u > sc->nusers) {
            fprintf(err, "migsim: error: --user %s: no source user of that name in %s\n", a->users[k], sc->file);
            return 2;
        }
    }
    return 0;
}

int cliParse(const char *file, scenario *sc, FILE *err) {
    return cliParseWith(file, NULL, 0, sc, err);
}

int cliParseWith(const char *file, const scnSetting *set, size_t nset, scenario *sc, FILE *err) {
    scnError e;
    msStatus st = scnParseFileWith(file, set, nset, sc, &e);
    if (st == MS_NOMEM) return outOfMemory(err, "parsing ", file);
    if (st != MS_OK) {
        char line[640];
        scnErrorFormat(&e, line, sizeof line);
        fprintf(err, "%s\n", line);
        return 2;
    }
    return 0;
}

/* The views --show and --until ask for into *req (none: *n 0); returns 0 or 2 with one line on err. */
static int resolveViews(const runArgs *a, const scenario *sc, stateRequest **req, size_t *n, FILE *err) {
    char why[512];
    msStatus st = MS_OK;
    if (a->show)
        st = stateParseViews(sc, a->show, req, n, why, sizeof why);
    else if (a->has_until)
        st = stateAllViews(sc, req, n);
    if (st == MS_OK) return 0;
    if (st == MS_NOMEM) return outOfMemory(err, a->show ? "reading --show" : "reading --until", NULL);
    fprintf(err, "migsim: error: %s\n", why);
    return 2;
}

/* 1 when one of the views is a user's (it lists trace records: the run must keep them). */
static int wantsRecords(const stateRequest *req, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (req[i].kind == VIEW_USER) return 1;
    return 0;
}

/* Run s to its end, or to --until's moment. */
static msStatus runToMoment(const runArgs *a, sim *s) {
    return a->has_until ? simRunUntil(s, a->until) : simRun(s);
}

/* The result, the state when asked for, and the outputs; returns the exit status. */
static int report(const runArgs *a, sim *s, const stateRequest *req, size_t nreq, FILE *out, FILE *err) {
    runResult r;
    simState state;
    memset(&state, 0, sizeof state);
    int rc = 2;
    const char *where = "judging the outcomes";
    msStatus st = resultCollect(s, &r);
    if (st == MS_OK && (a->show || a->has_until)) {
        where = "collecting the state";
        st = stateCollect(s, req, nreq, s->done || !a->has_until ? s->k.now : a->until, &state);
    }
    if (st == MS_OK) {
        rc = writeOutputs(a, s, &r, (a->show || a->has_until) ? &state : NULL, out, err);
        if (!rc) rc = msExitCode(r.verdict);
    } else if (st == MS_NOMEM) {
        outOfMemory(err, where, NULL);
    } else {
        fprintf(err, "%s: error: cannot judge the outcomes: %s\n", a->file, msStatusName(st));
    }
    stateFree(&state);
    resultFree(&r);
    return rc;
}

static int cmdRun(int argc, char **argv, FILE *out, FILE *err) {
    runArgs a;
    int rc = parseRunArgs(argc, argv, &a, err);
    if (rc) {
        freeNames(&a);
        return rc;
    }
    scenario sc;
    rc = cliParseWith(a.file, a.set.v, a.set.n, &sc, err);
    if (rc) {
        freeNames(&a);
        return rc;
    }
    msStatus st;
    stateRequest *req = NULL;
    size_t nreq = 0;
    rc = resolveLdif(&a, &sc, err);
    if (!rc) rc = resolveUsers(&a, &sc, err);
    if (!rc) rc = resolveViews(&a, &sc, &req, &nreq, err);
    if (!rc) rc = planOutputs(&a, out, err);
    if (rc) {
        free(req);
        freeTargets(&a);
        freeNames(&a);
        scnFree(&sc);
        return rc;
    }
    int narrate = !a.json && !a.quiet;
    simOptions opt = {a.has_seed, a.seed, narrate ? out : NULL,
                      a.db != NULL || a.trace != NULL || a.html != NULL || a.json || wantsRecords(req, nreq), a.mig.spec,
                      a.mig.timeout_ms};
    narrativeOptions nopt = {out, a.users, (size_t)a.nusers, a.actors, (size_t)a.nactors, a.brief};
    sim s;
    /* The header follows the set-up (the migrator resolved, a plugin loaded, a
    ** process's handshake done): a run that cannot start prints only its error. */
    st = simInit(&s, &sc, &opt);
    /* A run that could not be set up is bad input, whatever status says so:
    ** reporting it would judge a world that was never built. */
    if (st == MS_FAIL) st = MS_INPUT;
    if (st == MS_OK && narrate)
        fprintf(out, "migsim %s: %s, seed %llu\n", MIGSIM_VERSION, a.file,
                (unsigned long long)(a.has_seed ? a.seed : sc.seed));
    if (st == MS_OK && narrate && (a.nusers || a.nactors || a.brief)) simSetNarrator(&s, narrativePrint, &nopt);
    if (st == MS_OK) st = runToMoment(&a, &s);
    if (st == MS_NOMEM)
        outOfMemory(err, s.k.where[0] ? s.k.where : "running the scenario", NULL);
    else if (st != MS_OK && st != MS_FAIL)
        fprintf(err, "%s: error: %s\n", a.file, s.k.err[0] ? s.k.err : msStatusName(st));
    else
        rc = report(&a, &s, req, nreq, out, err);
    if (st != MS_OK && st != MS_FAIL) rc = 2;
    free(req);
    freeTargets(&a);
    freeNames(&a);
    simFree(&s);
    scnFree(&sc);
    return rc;
}

/* --junit and --json=FILE planned before anything runs; returns 0 or 2 (one line on err). */
static int planCheckOutputs(const char *junit, const char *json, outTarget *t, checkOutputs *o, FILE *out,
                            FILE *err) {
    char why[PATH_MAX + 256];
    msStatus st = MS_OK;
    if (junit && (st = outTargetPrepare(&t[0], "--junit", junit, 1, out, err, why, sizeof why)) == MS_OK)
        o->junit = &t[0];
    if (st == MS_OK && json && (st = outTargetPrepare(&t[1], "--json", json, 1, out, err, why, sizeof why)) == MS_OK)
        o->json = &t[1];
    if (st == MS_NOMEM) return outOfMemory(err, "planning the outputs", NULL);
    if (st != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    if (o->junit && o->json && outTargetSame(o->junit, o->json)) {
        fprintf(err, "migsim: error: --json %s: the same file as --junit %s\n", json, junit);
        return 2;
    }
    if (o->json_stdout && o->junit && o->junit->kind == OUT_STREAM && o->junit->stream == out) {
        fprintf(err, "migsim: error: --junit %s: standard output carries the --json document\n", junit);
        return 2;
    }
    return 0;
}

static int cmdCheckSet(int argc, char **argv, setArgs *set, FILE *out, FILE *err) {
    char **paths = argv + 2;
    int npaths = 0, allowEmpty = 0;   /* CHECK_* flags */
    migratorArgs mig = {NULL, 0};
    const char *junit = NULL, *json = NULL;
    checkOutputs o = {NULL, NULL, 0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--allow-empty") == 0) {
            if (allowEmpty & CHECK_ALLOW_EMPTY) return cliUsageError(err, "check", "--allow-empty given twice%s", "");
            allowEmpty |= CHECK_ALLOW_EMPTY;
        } else if (strcmp(argv[i], "--allow-external") == 0) {
            if (allowEmpty & CHECK_ALLOW_EXTERNAL)
                return cliUsageError(err, "check", "--allow-external given twice%s", "");
            allowEmpty |= CHECK_ALLOW_EXTERNAL;
        } else if (cliIsOption(argv[i], "--migrator") || cliIsOption(argv[i], "--migrator-timeout")) {
            int rc = parseMigratorArg(argc, argv, &i, &mig, "check", err);
            if (rc) return rc;
        } else if (cliIsOption(argv[i], "--junit")) {
            const char *v = cliOptionValue(argc, argv, &i, "--junit");
            if (!*v) return cliUsageError(err, "check", "--junit needs a file name%s", "");
            if (junit) return cliUsageError(err, "check", "--junit given twice%s", "");
            junit = v;
        } else if (cliIsOption(argv[i], "--json")) {
            /* --json alone is standard output; a file only as --json=FILE (a bare word is a PATH). */
            if (json || o.json_stdout) return cliUsageError(err, "check", "--json given twice%s", "");
            if (argv[i][6] == '=' && !argv[i][7]) return cliUsageError(err, "check", "--json= needs a file name%s", "");
            if (argv[i][6] == '=')
                json = argv[i] + 7;
            else
                o.json_stdout = 1;
        } else if (cliIsOption(argv[i], "--set")) {
            char why[256];
            if (setArgsAdd(set, cliOptionValue(argc, argv, &i, "--set"), why, sizeof why) != 0)
                return cliUsageError(err, "check", "%s", why);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cliUsageError(err, "check", "unknown option '%s'", argv[i]);
        } else {
            paths[npaths++] = argv[i];   /* the paths, in order, options removed */
        }
    }
    if (npaths == 0) return cliUsageError(err, "check", "no scenario or directory given%s", "");
    outTarget t[2];
    memset(t, 0, sizeof t);
    int rc = planCheckOutputs(junit, json, t, &o, out, err);
    if (!rc) {
        simOptions base = {0, 0, NULL, 0, mig.spec, mig.timeout_ms};
        rc = checkPathsSet(paths, npaths, allowEmpty, &base, set->v, set->n, &o, out, err);
    }
    outTargetFree(&t[0]);
    outTargetFree(&t[1]);
    return rc;
}

/* `check`, its --set copies freed however it ends. */
static int cmdCheck(int argc, char **argv, FILE *out, FILE *err) {
    setArgs set;
    memset(&set, 0, sizeof set);
    int rc = cmdCheckSet(argc, argv, &set, out, err);
    setArgsFree(&set);
    return rc;
}

static int wantsHelp(int argc, char **argv) {
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

/*
** Whatever the command did, a failed write to out or err is a failure: the
** streams keep an error flag for every failed write since they were opened,
** and the final flush reports what was still buffered.
*/
static int checkWrites(int rc, FILE *out, FILE *err) {
    errno = 0;
    int bad = fflush(out) != 0;
    int e = errno;
    if (ferror(out)) bad = 1;
    if (bad) {
        fprintf(err, "migsim: error: cannot write the output: %s\n", e ? strerror(e) : "write error");
        rc = 2;
    }
    if (fflush(err) != 0 || ferror(err)) rc = 2;
    return rc;
}

static int dispatch(int argc, char **argv, FILE *out, FILE *err) {
    if (argc < 2) return cliUsageError(err, NULL, "no command given%s", "");
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
    if (strcmp(cmd, "diff") == 0) return cliDiff(argc, argv, out, err);
    if (strcmp(cmd, "lab") == 0) {
        if (wantsHelp(argc, argv)) {
            fputs(cliLabUsage(), out);
            return 0;
        }
        return cliLab(argc, argv, stdin, out, err);
    }
    if (strcmp(cmd, "explore") == 0) {
        if (wantsHelp(argc, argv)) {
            fputs(exploreUsage, out);
            return 0;
        }
        return cmdExplore(argc, argv, out, err);
    }
    if (strcmp(cmd, "sweep") == 0 || strcmp(cmd, "merge") == 0) {
        int sweep = cmd[0] == 's';
        if (wantsHelp(argc, argv)) {
            fputs(sweep ? sweepUsage : mergeUsage, out);
            return 0;
        }
        return sweep ? sweepMain(argc, argv, out, err) : mergeMain(argc, argv, out, err);
    }
    if (cmd[0] == '-') return cliUsageError(err, NULL, "unknown option '%s'", cmd);
    return cliUsageError(err, NULL, "unknown command '%s'", cmd);
}

int cliMain(int argc, char **argv, FILE *out, FILE *err) {
    return checkWrites(dispatch(argc, argv, out, err), out, err);
}
