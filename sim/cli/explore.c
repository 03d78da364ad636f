/*
** `migsim explore`: random worlds by the thousand, each checked against the
** chosen invariants, and the first world that breaks each invariant shrunk
** to a minimal scenario written to disk (docs/exploring.md).
**
** Run i (from 0) explores the world of seed S+i: genGenerate draws it for
** the migrator's procedure, the text is parsed and run as `migsim run` would
** (run/explore.h), one sim per run, freed before the next.  So `migsim
** explore --seed S+i --runs 1` regenerates run i alone, and the summary is a
** function of the arguments: no wall clock, no randomness but the seeds.
** `--jobs J` runs the worlds in J forked workers (cli/workers.h): each
** run's verdict comes back as a fixed-size message with its run number,
** and the tally takes it by that number: counts are sums, and each "first
** at seed" is the lowest run number seen, so the tally, hence everything
** printed and written, is that of one process whatever the timing.  Only
** the scan is parallel; the shrinking after it runs here, one invariant
** after another, from worlds regenerated from their seeds.
**
** After the runs, each invariant broken is shrunk (run/shrink.h, at most
** SHRINK_BUDGET runs) from its first world; the minimal scenario is written
** as DIR/explore-NAME.scn, planned before the first run and replaced
** atomically (kernel/atomicfile.h), so a bad --out fails at once and a
** failed write never leaves a partial file.  The written file is the text
** the last successful candidate ran: `migsim run` on it fails on that
** invariant's expectation.  The first world where the migrator stopped the
** run with an error of its own is shrunk the same way, with "stops on the
** same error" as the question (run/explore.h), and written as
** DIR/explore-migrator-error.scn: `migsim run` on it stops on that error.
**
** Exit status: 0 no invariant broken and no migrator error, 1 some
** invariant broken or a run stopped on a migrator's error, 2 bad usage, an
** error or a failed write.
*/
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/workers.h"
#include "kernel/atomicfile.h"
#include "migration/engine.h"
#include "run/checker.h"
#include "run/explore.h"
#include "run/gen.h"
#include "run/shrink.h"

#define EXPLORE_MAX_RUNS 100000000ull

const char exploreUsage[] =
    "usage: migsim explore [--migrator SPEC] [--runs N] [--seed S] [--invariant NAME]... [--out DIR]\n"
    "                      [--jobs N]\n"
    "\n"
    "Generate N random scenarios (seeds S..S+N-1) within the bounds of docs/exploring.md,\n"
    "run each and check it against the invariants; shrink the first world that breaks\n"
    "each invariant to a minimal scenario, written to DIR/explore-NAME.scn, and the first\n"
    "world where the migrator stops on an error to DIR/explore-migrator-error.scn.\n"
    "\n"
    "  --migrator SPEC   the migration logic (default builtin:wizard2003); a built-in's\n"
    "                    procedure shapes the cleanups, waits and reruns generated\n"
    "  --runs N          how many worlds (default 100; 1 to 100000000)\n"
    "  --seed S          the first seed (default 1); run i explores seed S+i\n"
    "  --invariant NAME  check this invariant (repeatable; default all): no-duplicate,\n"
    "                    no-ghost, no-missing, no-merged, no-stranded\n"
    "  --out DIR         where minimal scenarios are written (default .)\n"
    "  --jobs N          run the worlds in N worker processes (1 to 256, default 1); the\n"
    "                    output and the files are the same; shrinking runs in one process\n"
    "\n"
    "exit status: 0 no invariant broken and no migrator error, 1 an invariant broken or a\n"
    "run stopped on the migrator's error (each printed with its seed and its minimal\n"
    "scenario), 2 bad usage, an error or a write error.\n";

typedef struct exploreArgs {
    const char *spec;
    uint64_t runs, seed;
    int has_runs, has_seed;
    unsigned invariants;
    const char *dir;
    int jobs;
} exploreArgs;

static int parseMigrator(const char *v, exploreArgs *a, FILE *err) {
    if (!*v) return cliUsageError(err, "explore", "--migrator needs a SPEC%s", "");
    if (a->spec) return cliUsageError(err, "explore", "--migrator given twice%s", "");
    const migrator *m;
    const char *opts;
    migPlugin *plugin = NULL;
    char why[256];
    if (strncmp(v, "plugin:", 7) != 0 && migratorResolve(v, &m, &opts, &plugin, why, sizeof why) != MS_OK)
        return cliUsageError(err, "explore", "--migrator: %s", why);
    a->spec = v;
    return 0;
}

static int parseOne(int argc, char **argv, int *i, exploreArgs *a, FILE *err) {
    const char *v;
    if ((v = cliOptionValue(argc, argv, i, "--migrator"))) return parseMigrator(v, a, err);
    if ((v = cliOptionValue(argc, argv, i, "--runs"))) {
        if (a->has_runs) return cliUsageError(err, "explore", "--runs given twice%s", "");
        if (cliParseNumber(v, strlen(v), EXPLORE_MAX_RUNS, &a->runs) != 0 || a->runs == 0)
            return cliUsageError(err, "explore", "--runs needs a number from 1 to 100000000, not '%s'", v);
        a->has_runs = 1;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--seed"))) {
        if (a->has_seed) return cliUsageError(err, "explore", "--seed given twice%s", "");
        if (cliParseNumber(v, strlen(v), (uint64_t)INT64_MAX, &a->seed) != 0)
            return cliUsageError(err, "explore", "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
        a->has_seed = 1;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--invariant"))) {
        int c = checkerFind(v);
        if (c < 0)
            return cliUsageError(err, "explore", "unknown invariant '%s' (no-duplicate, no-ghost, no-missing, no-merged or no-stranded)", v);
        if (a->invariants & (1u << c)) return cliUsageError(err, "explore", "--invariant %s given twice", v);
        a->invariants |= 1u << c;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--jobs"))) {
        if (a->jobs) return cliUsageError(err, "explore", "--jobs given twice%s", "");
        if (workersParseJobs(v, &a->jobs) != 0) return cliUsageError(err, "explore", "--jobs needs a number from 1 to 256, not '%s'", v);
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--out"))) {
        if (a->dir) return cliUsageError(err, "explore", "--out given twice%s", "");
        if (!*v) return cliUsageError(err, "explore", "--out needs a directory%s", "");
        a->dir = v;
        return 0;
    }
    return cliUsageError(err, "explore", argv[*i][0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", argv[*i]);
}

static int parseArgs(int argc, char **argv, exploreArgs *a, FILE *err) {
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        int rc = parseOne(argc, argv, &i, a, err);
        if (rc) return rc;
    }
    if (!a->spec) a->spec = "builtin:wizard2003";
    if (!a->has_runs) a->runs = 100;
    if (!a->has_seed) a->seed = 1;
    if (!a->invariants) a->invariants = (1u << CHK__COUNT) - 1;
    if (!a->dir) a->dir = ".";
    if (!a->jobs) a->jobs = 1;
    if (a->seed > (uint64_t)INT64_MAX - (a->runs - 1))
        return cliUsageError(err, "explore", "--seed plus --runs passes 9223372036854775807%s", "");
    return 0;
}

/* What the runs found.  Each "first" is a run number (from 0), the lowest that did so: NO_RUN, none. */
#define NO_RUN UINT64_MAX
typedef struct tally {
    uint64_t broken[CHK__COUNT], disagree[CHK__COUNT], step_failed, run_error;
    uint64_t first[CHK__COUNT];        /* the first run that broke each invariant */
    uint64_t first_failed, first_error;
    int failed_line;
    char failed_why[512];
    char error_why[512];
} tally;

/* The output files: one per chosen invariant and one for a migrator's error, planned before any run. */
#define PLAN_ERROR CHK__COUNT          /* the slot of explore-migrator-error.scn */
typedef struct plan {
    char *path[CHK__COUNT + 1];
    outTarget t[CHK__COUNT + 1];
    int planned[CHK__COUNT + 1];
} plan;

static void planFree(plan *p) {
    for (int k = 0; k <= PLAN_ERROR; k++) {
        if (p->planned[k]) outTargetFree(&p->t[k]);
        free(p->path[k]);
    }
}

static int planOne(const exploreArgs *a, plan *p, int k, const char *name, FILE *out, FILE *err) {
    size_t n = strlen(a->dir) + strlen(name) + 16;
    if (!(p->path[k] = malloc(n))) {
        fprintf(err, "migsim: error: out of memory (planning the outputs)\n");
        return 2;
    }
    snprintf(p->path[k], n, "%s/explore-%s.scn", a->dir, name);
    char why[512];
    msStatus st = outTargetPrepare(&p->t[k], "--out", p->path[k], 1, out, err, why, sizeof why);
    if (st != MS_OK) {
        if (st == MS_NOMEM)
            fprintf(err, "migsim: error: out of memory (planning the outputs)\n");
        else
            fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    p->planned[k] = 1;
    return 0;
}

static int planOutputs(const exploreArgs *a, plan *p, FILE *out, FILE *err) {
    memset(p, 0, sizeof *p);
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(a->invariants & (1u << c))) continue;
        int rc = planOne(a, p, c, checkerGet(c)->name, out, err);
        if (rc) return rc;
    }
    return planOne(a, p, PLAN_ERROR, "migrator-error", out, err);
}

/*
** The one line an error of a run ends explore with: out of memory as every
** command says it (`migsim: error: out of memory (WHERE)`, the seed inside
** WHERE), any other error with its seed in front.
*/
static void failLine(FILE *err, msStatus st, const char *what, uint64_t seed, const char *why) {
    if (st == MS_NOMEM && strncmp(why, "out of memory (", 15) == 0)
        fprintf(err, "migsim: error: out of memory (%s %llu: %s\n", what, (unsigned long long)seed, why + 15);
    else
        fprintf(err, "migsim: error: %s %llu: %s\n", what, (unsigned long long)seed, why);
}

/* ---------------------------------------------------------------- the scan */

/* What one run sends back (cli/workers.h's fixed-size message). */
typedef struct runMsg {
    int32_t status;          /* MS_OK: v is the run's verdict; else the run could not run, why says why */
    exploreVerdict v;
    char why[512];
} runMsg;

typedef struct scan {
    const exploreArgs *a;
    genProcedure proc;
    tally *t;                /* the parent's; a worker never takes */
} scan;

/* Run i: the world of seed S+i, generated, run and judged. */
static int scanRun(void *ctx, size_t i, void *msg) {
    const scan *x = ctx;
    runMsg *m = msg;
    genScn g;
    genGenerate(x->a->seed + i, x->proc, x->a->spec, x->a->invariants, &g);
    msStatus st = exploreRunGen(&g, x->a->spec, &m->v, m->why, sizeof m->why);
    m->status = (int32_t)st;
    return st != MS_OK;
}

/* Run i's verdict into the tally: sums, and the lowest run of each kind, so the order runs arrive in never matters. */
static void scanTake(void *ctx, size_t i, const void *msg) {
    const scan *x = ctx;
    const exploreVerdict *v = &((const runMsg *)msg)->v;
    tally *t = x->t;
    if (v->run_error) {
        t->run_error++;
        if (i < t->first_error) {
            t->first_error = i;
            snprintf(t->error_why, sizeof t->error_why, "%s", v->why);
        }
    }
    if (v->step_failed) {
        t->step_failed++;
        if (i < t->first_failed) {
            t->first_failed = i;
            t->failed_line = v->fail_line;
            snprintf(t->failed_why, sizeof t->failed_why, "%s", v->why);
        }
    }
    for (int c = 0; c < CHK__COUNT; c++) {
        if (v->disagree & (1u << c)) t->disagree[c]++;
        if (!(v->broken & (1u << c))) continue;
        t->broken[c]++;
        if (i < t->first[c]) t->first[c] = i;
    }
}

/* Every run, in a->jobs processes (cli/workers.h); returns 0 or the exit status. */
static int runAll(const exploreArgs *a, tally *t, FILE *out, FILE *err) {
    t->first_failed = t->first_error = NO_RUN;
    for (int c = 0; c < CHK__COUNT; c++) t->first[c] = NO_RUN;
    scan x = {a, genProcedureOf(a->spec), t};
    workersJob job = {"explore", (size_t)a->runs, sizeof(runMsg), &x, scanRun, scanTake};
    runMsg failed;
    size_t at = 0;
    msStatus st = workersRun(&job, a->jobs, out, err, &at, &failed);
    if (st == MS_FAIL) {
        failLine(err, (msStatus)failed.status, "seed", a->seed + at, failed.why);
        return 2;
    }
    return st == MS_OK ? 0 : 2;
}

/* ---------------------------------------------------------------- the minimal scenarios */

static int writeScenario(const outTarget *target, const char *text, size_t len, FILE *err) {
    atomicFile af;
    char why[512];
    msStatus st = atomicOpen(&af, target, 1, why, sizeof why);
    if (st == MS_NOMEM) {   /* why holds nothing then */
        fprintf(err, "migsim: error: out of memory (writing %s)\n", target->path);
        return 2;
    }
    if (st != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    if (fwrite(text, 1, len, af.f) != len) {
        atomicAbort(&af);
        fprintf(err, "migsim: error: cannot write %s: %s\n", target->path, strerror(errno));
        return 2;
    }
    if (atomicCommit(&af, why, sizeof why) != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    return 0;
}

static int countLines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* The world of run i, as the scan generated it. */
static void worldOf(const exploreArgs *a, uint64_t i, genScn *g) {
    genGenerate(a->seed + i, genProcedureOf(a->spec), a->spec, a->invariants, g);
}

/*
** Write g, shrunk from seed as ss says, to the planned slot k, headed by
** what (the first comment line), and print its `minimal:` line.
*/
static int writeMinimal(const exploreArgs *a, const genScn *g, uint64_t seed, const char *what,
                        const shrinkStats *ss, const plan *p, int k, FILE *out, FILE *err) {
    char comment[1024], text[GEN_TEXT_MAX];
    snprintf(comment, sizeof comment,
             "migsim explore: %s\n# shrunk from seed %llu (migsim explore --migrator %s --seed %llu --runs 1) in %d "
             "runs%s",
             what, (unsigned long long)seed, a->spec, (unsigned long long)seed, ss->tries,
             ss->exhausted ? ", the budget spent" : "");
    size_t len;
    if (genRender(g, comment, text, sizeof text, &len) != MS_OK) {
        fprintf(err, "migsim: error: the minimal scenario of seed %llu does not render\n", (unsigned long long)seed);
        return 2;
    }
    int rc = writeScenario(&p->t[k], text, len, err);
    if (rc) return rc;
    /* A built-in is named in the file; any other migrator is given again, quoted when it has blanks. */
    const char *q = strpbrk(a->spec, " \t") ? "'" : "";
    fprintf(out, "  minimal: %s (%d lines, shrunk in %d runs%s); migsim run %s", p->path[k], countLines(text),
            ss->tries, ss->exhausted ? ", budget spent" : "", p->path[k]);
    if (!g->migrator[0]) fprintf(out, " --migrator %s%s%s", q, a->spec, q);
    fprintf(out, "\n");
    return 0;
}

/* Shrink the first world that broke c, write it, say so. */
static int shrinkOne(const exploreArgs *a, const tally *t, int c, const plan *p, FILE *out, FILE *err) {
    genScn g;
    worldOf(a, t->first[c], &g);
    shrinkStats ss;
    char why[512], what[256];
    msStatus st = exploreShrink(&g, c, a->spec, SHRINK_BUDGET, &ss, why, sizeof why);
    if (st != MS_OK) {
        failLine(err, st, "shrinking seed", a->seed + t->first[c], why);
        return 2;
    }
    snprintf(what, sizeof what, "breaks %s (%s)", checkerGet(c)->name, checkerGet(c)->what);
    return writeMinimal(a, &g, a->seed + t->first[c], what, &ss, p, c, out, err);
}

/* Shrink the first world whose run stopped on the migrator's error, write it, say so. */
static int shrinkError(const exploreArgs *a, const tally *t, const plan *p, FILE *out, FILE *err) {
    genScn g;
    worldOf(a, t->first_error, &g);
    shrinkStats ss;
    char why[512], last[512], what[600];
    msStatus st = exploreShrinkError(&g, a->spec, t->error_why, SHRINK_BUDGET, &ss, last, sizeof last, why,
                                     sizeof why);
    if (st != MS_OK) {
        failLine(err, st, "shrinking seed", a->seed + t->first_error, why);
        return 2;
    }
    /* The error's text goes into a comment line: a control character would end it. */
    for (char *c = last; *c; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f) *c = ' ';
    snprintf(what, sizeof what, "the run stops on the migrator's error: %s", last);
    return writeMinimal(a, &g, a->seed + t->first_error, what, &ss, p, PLAN_ERROR, out, err);
}

static void printInvariantNames(unsigned mask, FILE *out) {
    int first = 1;
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(mask & (1u << c))) continue;
        fprintf(out, "%s%s", first ? "" : ", ", checkerGet(c)->name);
        first = 0;
    }
}

static int report(const exploreArgs *a, const tally *t, const plan *p, FILE *out, FILE *err) {
    int found = 0;
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(a->invariants & (1u << c))) continue;
        const char *name = checkerGet(c)->name;
        if (!t->broken[c]) {
            fprintf(out, "%-13s held in all %llu runs\n", name, (unsigned long long)a->runs);
        } else {
            found = 1;
            fprintf(out, "%-13s broken in %llu of %llu runs (%.1f%%); first at seed %llu\n", name,
                    (unsigned long long)t->broken[c], (unsigned long long)a->runs,
                    100.0 * (double)t->broken[c] / (double)a->runs, (unsigned long long)(a->seed + t->first[c]));
            int rc = shrinkOne(a, t, c, p, out, err);
            if (rc) return rc;
        }
        if (t->disagree[c])
            fprintf(out, "  %llu runs where its expectation and the closing outcomes disagree (not counted)\n",
                    (unsigned long long)t->disagree[c]);
    }
    if (t->step_failed)
        fprintf(out, "a step failed in %llu of %llu runs (judged nothing); first at seed %llu: line %d: %s\n",
                (unsigned long long)t->step_failed, (unsigned long long)a->runs,
                (unsigned long long)(a->seed + t->first_failed), t->failed_line, t->failed_why);
    if (t->run_error) {
        found = 1;
        fprintf(out, "a run stopped on an error in %llu of %llu runs (judged nothing); first at seed %llu: %s\n",
                (unsigned long long)t->run_error, (unsigned long long)a->runs,
                (unsigned long long)(a->seed + t->first_error), t->error_why);
        int rc = shrinkError(a, t, p, out, err);
        if (rc) return rc;
    }
    return found ? 1 : 0;
}

int cmdExplore(int argc, char **argv, FILE *out, FILE *err) {
    exploreArgs a;
    int rc = parseArgs(argc, argv, &a, err);
    if (rc) return rc;
    plan p;
    rc = planOutputs(&a, &p, out, err);
    if (rc) {
        planFree(&p);
        return rc;
    }
    tally *t = calloc(1, sizeof *t);
    if (!t) {
        planFree(&p);
        fprintf(err, "migsim: error: out of memory (explore)\n");
        return 2;
    }
    fprintf(out, "explore: %s, seeds %llu..%llu, invariants ", a.spec, (unsigned long long)a.seed,
            (unsigned long long)(a.seed + a.runs - 1));
    printInvariantNames(a.invariants, out);
    fprintf(out, "\n");
    rc = runAll(&a, t, out, err);
    if (!rc) rc = report(&a, t, &p, out, err);
    free(t);
    planFree(&p);
    return rc;
}
