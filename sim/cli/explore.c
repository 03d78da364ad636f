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
** After the runs, each invariant broken is shrunk (run/shrink.h, at most
** SHRINK_BUDGET runs) from its first world; the minimal scenario is written
** as DIR/explore-NAME.scn, planned before the first run and replaced
** atomically (kernel/atomicfile.h), so a bad --out fails at once and a
** failed write never leaves a partial file.  The written file is the text
** the last successful candidate ran: `migsim run` on it fails on that
** invariant's expectation.
**
** Exit status: 0 no invariant broken, 1 some invariant broken, 2 bad usage,
** an error or a failed write.
*/
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "kernel/atomicfile.h"
#include "migration/engine.h"
#include "run/checker.h"
#include "run/explore.h"
#include "run/gen.h"
#include "run/shrink.h"

#define EXPLORE_MAX_RUNS 100000000ull

const char exploreUsage[] =
    "usage: migsim explore [--migrator SPEC] [--runs N] [--seed S] [--invariant NAME]... [--out DIR]\n"
    "\n"
    "Generate N random scenarios (seeds S..S+N-1) within the bounds of docs/exploring.md,\n"
    "run each and check it against the invariants; shrink the first world that breaks\n"
    "each invariant to a minimal scenario, written to DIR/explore-NAME.scn.\n"
    "\n"
    "  --migrator SPEC   the migration logic (default builtin:wizard2003); a built-in's\n"
    "                    procedure shapes the cleanups, waits and reruns generated\n"
    "  --runs N          how many worlds (default 100; 1 to 100000000)\n"
    "  --seed S          the first seed (default 1); run i explores seed S+i\n"
    "  --invariant NAME  check this invariant (repeatable; default all): no-duplicate,\n"
    "                    no-ghost, no-missing, no-merged, no-stranded\n"
    "  --out DIR         where minimal scenarios are written (default .)\n"
    "\n"
    "exit status: 0 no invariant broken, 1 an invariant broken (each printed with its\n"
    "seed and its minimal scenario), 2 bad usage, an error or a write error.\n";

typedef struct exploreArgs {
    const char *spec;
    uint64_t runs, seed;
    int has_runs, has_seed;
    unsigned invariants;
    const char *dir;
} exploreArgs;

static int exUsage(FILE *err, const char *fmt, const char *arg) {
    fprintf(err, "migsim: error: ");
    fprintf(err, fmt, arg);
    fprintf(err, " (see 'migsim explore --help')\n");
    return 2;
}

static int parseMigrator(const char *v, exploreArgs *a, FILE *err) {
    if (!*v) return exUsage(err, "--migrator needs a SPEC%s", "");
    if (a->spec) return exUsage(err, "--migrator given twice%s", "");
    const migrator *m;
    const char *opts;
    migPlugin *plugin = NULL;
    char why[256];
    if (strncmp(v, "plugin:", 7) != 0 && migratorResolve(v, &m, &opts, &plugin, why, sizeof why) != MS_OK)
        return exUsage(err, "--migrator: %s", why);
    a->spec = v;
    return 0;
}

static int parseOne(int argc, char **argv, int *i, exploreArgs *a, FILE *err) {
    const char *v;
    if ((v = cliOptionValue(argc, argv, i, "--migrator"))) return parseMigrator(v, a, err);
    if ((v = cliOptionValue(argc, argv, i, "--runs"))) {
        if (a->has_runs) return exUsage(err, "--runs given twice%s", "");
        if (cliParseNumber(v, strlen(v), EXPLORE_MAX_RUNS, &a->runs) != 0 || a->runs == 0)
            return exUsage(err, "--runs needs a number from 1 to 100000000, not '%s'", v);
        a->has_runs = 1;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--seed"))) {
        if (a->has_seed) return exUsage(err, "--seed given twice%s", "");
        if (cliParseNumber(v, strlen(v), (uint64_t)INT64_MAX, &a->seed) != 0)
            return exUsage(err, "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
        a->has_seed = 1;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--invariant"))) {
        int c = checkerFind(v);
        if (c < 0)
            return exUsage(err, "unknown invariant '%s' (no-duplicate, no-ghost, no-missing, no-merged or no-stranded)", v);
        if (a->invariants & (1u << c)) return exUsage(err, "--invariant %s given twice", v);
        a->invariants |= 1u << c;
        return 0;
    }
    if ((v = cliOptionValue(argc, argv, i, "--out"))) {
        if (a->dir) return exUsage(err, "--out given twice%s", "");
        if (!*v) return exUsage(err, "--out needs a directory%s", "");
        a->dir = v;
        return 0;
    }
    return exUsage(err, argv[*i][0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", argv[*i]);
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
    if (a->seed > (uint64_t)INT64_MAX - (a->runs - 1))
        return exUsage(err, "--seed plus --runs passes 9223372036854775807%s", "");
    return 0;
}

/* What the runs found. */
typedef struct tally {
    uint64_t broken[CHK__COUNT], disagree[CHK__COUNT], step_failed, run_error;
    int found[CHK__COUNT];
    genScn first[CHK__COUNT];          /* the first world that broke each invariant */
    uint64_t first_failed_seed;
    int failed_line;
    char failed_why[512];
    uint64_t first_error_seed;
    char error_why[512];
} tally;

/* The output files: one per chosen invariant, planned before any run. */
typedef struct plan {
    char *path[CHK__COUNT];
    outTarget t[CHK__COUNT];
    int planned[CHK__COUNT];
} plan;

static void planFree(plan *p) {
    for (int c = 0; c < CHK__COUNT; c++) {
        if (p->planned[c]) outTargetFree(&p->t[c]);
        free(p->path[c]);
    }
}

static int planOutputs(const exploreArgs *a, plan *p, FILE *out, FILE *err) {
    memset(p, 0, sizeof *p);
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(a->invariants & (1u << c))) continue;
        size_t n = strlen(a->dir) + strlen(checkerGet(c)->name) + 16;
        if (!(p->path[c] = malloc(n))) {
            fprintf(err, "migsim: error: out of memory (planning the outputs)\n");
            return 2;
        }
        snprintf(p->path[c], n, "%s/explore-%s.scn", a->dir, checkerGet(c)->name);
        char why[512];
        msStatus st = outTargetPrepare(&p->t[c], "--out", p->path[c], 1, out, err, why, sizeof why);
        if (st != MS_OK) {
            if (st == MS_NOMEM)
                fprintf(err, "migsim: error: out of memory (planning the outputs)\n");
            else
                fprintf(err, "migsim: error: %s\n", why);
            return 2;
        }
        p->planned[c] = 1;
    }
    return 0;
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

static int runAll(const exploreArgs *a, tally *t, FILE *err) {
    genProcedure proc = genProcedureOf(a->spec);
    for (uint64_t i = 0; i < a->runs; i++) {
        genScn g;
        exploreVerdict v;
        char why[512];
        genGenerate(a->seed + i, proc, a->spec, a->invariants, &g);
        msStatus st = exploreRunGen(&g, a->spec, &v, why, sizeof why);
        if (st != MS_OK) {
            failLine(err, st, "seed", a->seed + i, why);
            return 2;
        }
        if (v.run_error && t->run_error++ == 0) {
            t->first_error_seed = a->seed + i;
            snprintf(t->error_why, sizeof t->error_why, "%s", v.why);
        }
        if (v.step_failed && t->step_failed++ == 0) {
            t->first_failed_seed = a->seed + i;
            t->failed_line = v.fail_line;
            snprintf(t->failed_why, sizeof t->failed_why, "%s", v.why);
        }
        for (int c = 0; c < CHK__COUNT; c++) {
            if (v.disagree & (1u << c)) t->disagree[c]++;
            if (!(v.broken & (1u << c))) continue;
            if (t->broken[c]++ == 0) {
                t->found[c] = 1;
                t->first[c] = g;
            }
        }
    }
    return 0;
}

static int writeScenario(const outTarget *target, const char *text, size_t len, FILE *err) {
    atomicFile af;
    char why[512];
    if (atomicOpen(&af, target, 1, why, sizeof why) != MS_OK) {
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

/* Shrink the first world that broke c, write it, say so. */
static int shrinkOne(const exploreArgs *a, tally *t, int c, const plan *p, FILE *out, FILE *err) {
    genScn g = t->first[c];
    uint64_t seed = g.seed;
    shrinkStats ss;
    char why[512];
    msStatus st = exploreShrink(&g, c, a->spec, SHRINK_BUDGET, &ss, why, sizeof why);
    if (st != MS_OK) {
        failLine(err, st, "shrinking seed", seed, why);
        return 2;
    }
    char comment[512], text[GEN_TEXT_MAX];
    snprintf(comment, sizeof comment,
             "migsim explore: breaks %s (%s)\n# shrunk from seed %llu (migsim explore --migrator %s --seed %llu "
             "--runs 1) in %d runs%s",
             checkerGet(c)->name, checkerGet(c)->what, (unsigned long long)seed, a->spec,
             (unsigned long long)seed, ss.tries, ss.exhausted ? ", the budget spent" : "");
    size_t len;
    if (genRender(&g, comment, text, sizeof text, &len) != MS_OK) {
        fprintf(err, "migsim: error: the minimal scenario of seed %llu does not render\n", (unsigned long long)seed);
        return 2;
    }
    int rc = writeScenario(&p->t[c], text, len, err);
    if (rc) return rc;
    /* A built-in is named in the file; any other migrator is given again, quoted when it has blanks. */
    const char *q = strpbrk(a->spec, " \t") ? "'" : "";
    fprintf(out, "  minimal: %s (%d lines, shrunk in %d runs%s); migsim run %s", p->path[c], countLines(text),
            ss.tries, ss.exhausted ? ", budget spent" : "", p->path[c]);
    if (!g.migrator[0]) fprintf(out, " --migrator %s%s%s", q, a->spec, q);
    fprintf(out, "\n");
    return 0;
}

static void printInvariantNames(unsigned mask, FILE *out) {
    int first = 1;
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(mask & (1u << c))) continue;
        fprintf(out, "%s%s", first ? "" : ", ", checkerGet(c)->name);
        first = 0;
    }
}

static int report(const exploreArgs *a, tally *t, const plan *p, FILE *out, FILE *err) {
    int anyBroken = 0;
    for (int c = 0; c < CHK__COUNT; c++) {
        if (!(a->invariants & (1u << c))) continue;
        const char *name = checkerGet(c)->name;
        if (!t->found[c]) {
            fprintf(out, "%-13s held in all %llu runs\n", name, (unsigned long long)a->runs);
        } else {
            anyBroken = 1;
            fprintf(out, "%-13s broken in %llu of %llu runs (%.1f%%); first at seed %llu\n", name,
                    (unsigned long long)t->broken[c], (unsigned long long)a->runs,
                    100.0 * (double)t->broken[c] / (double)a->runs, (unsigned long long)t->first[c].seed);
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
                (unsigned long long)t->first_failed_seed, t->failed_line, t->failed_why);
    if (t->run_error)
        fprintf(out, "a run stopped on an error in %llu of %llu runs (judged nothing); first at seed %llu: %s\n",
                (unsigned long long)t->run_error, (unsigned long long)a->runs,
                (unsigned long long)t->first_error_seed, t->error_why);
    return anyBroken ? 1 : 0;
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
    rc = runAll(&a, t, err);
    if (!rc) rc = report(&a, t, &p, out, err);
    free(t);
    planFree(&p);
    return rc;
}
