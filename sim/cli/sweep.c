/*
** `migsim sweep FILE.scn --seeds A..B [--vary NAME=VALUES]...`: one
** scenario run for every combination of the varied variables' values and
** every seed of the range, reduced to a table per combination (out/sweep.h,
** docs/sweeps.md).
**
** Work.  The (combination, seed) pairs are numbered i = combo * seeds +
** (seed - A), combinations in odometer order.  `--shard K/N` keeps the pairs
** with i mod N = K - 1 (a fixed share, independent of speed); `--jobs J`
** runs the kept pairs in J forked workers (cli/workers.h: dealt round
** robin, one fixed-size message per run, one sim per run, freed after).
** Each message is placed at its pair's position in the list, never by
** arrival, so the results are the same array whatever the timing, and the
** outputs equal those of `--jobs 1`, which runs everything in this
** process; a run that cannot run stops the sweep, the first in order.
**
** Parsing.  Every combination's scenario is parsed before any run, with the
** varied values and the --set options as settings (scenario/vars.h): a
** value that does not fit where its variable goes is a scenario error
** before anything runs.  A parsed scenario is read-only and serves all of
** its seeds.
**
** Progress (runs done, rate, time left: cli/workers.h) goes to stderr only
** when it is a terminal; it reads the wall clock, which nothing that is
** output does.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/text.h"
#include "cli/cli.h"
#include "cli/setopt.h"
#include "cli/sweepcli.h"
#include "cli/workers.h"
#include "out/sweep.h"
#include "run/sim.h"
#include "run/world.h"

#define VARY_MAX 8
#define VALUES_MAX 10000
#define COMBOS_MAX 100000

const char sweepUsage[] =
    "usage: migsim sweep FILE.scn --seeds A..B [--vary NAME=V1,V2,...|NAME=A..B/STEP]... [--set NAME=VALUE]...\n"
    "                  [--migrator SPEC] [--migrator-timeout SECONDS] [--jobs N] [--shard K/N]\n"
    "                  [--bad RULE[,RULE...]] [--max-bad P] [--db OUT.sqlite] [--csv OUT.csv] [--plot OUT.svg]\n"
    "\n"
    "Run the scenario for every combination of the varied values and every seed from A to B,\n"
    "and print one line per combination: the users per outcome, the runs with stranded mail,\n"
    "the runs with a bad result, their share with its Wilson 95% interval, and the share of\n"
    "runs whose every expectation held.  Each NAME must be defined by a `let` in the scenario.\n"
    "\n"
    "  --seeds A..B      the seeds of each combination (0 to 9223372036854775807)\n"
    "  --vary NAME=...   a comma list of values, or a range A..B/STEP of numbers or durations\n"
    "                    (e.g. W=0s..10m/30s); repeatable, at most 8; the last is the plot's x axis\n"
    "  --set NAME=VALUE  a fixed value for a variable (repeatable)\n"
    "  --migrator SPEC   the migration logic, as for `run`\n"
    "  --jobs N          run in N worker processes (default 1); the output is the same\n"
    "  --shard K/N       run only share K (1..N) of the (combination, seed) pairs: pair i\n"
    "                    when i mod N = K-1; `migsim merge` combines the shards' --db files\n"
    "  --bad RULE,...    a run is bad when any rule holds: not-cloned (some user is not\n"
    "                    cloned), stranded (stranded mail), failed (an expectation or a step\n"
    "                    failed), or an outcome name (some user ended so);\n"
    "                    default not-cloned,stranded\n"
    "  --max-bad P       a gate for CI: exit 1 unless every combination shows, with 95%\n"
    "                    confidence, a bad share of at most P (0.05 or 5%): the upper end\n"
    "                    of its Wilson interval; a line per failing combination\n"
    "  --db OUT.sqlite   also write every run and the summary as a SQLite database\n"
    "  --csv OUT.csv     also write the summary as CSV\n"
    "  --plot OUT.svg    also draw the bad share against the last --vary with gnuplot\n"
    "\n"
    "exit status: 0 the sweep ran (whatever its results; with --max-bad, the gate passed),\n"
    "1 the --max-bad gate failed, 2 bad input, usage, a run that could not run, or a write\n"
    "error.\n";

typedef struct sweepArgs {
    const char *file;
    int has_seeds;
    uint64_t seed_lo, seed_hi;
    const char *vary[VARY_MAX];
    int nvary;
    setArgs set;
    const char *migrator;
    int64_t timeout_ms;
    int jobs;
    uint32_t shard_k, shard_n;
    const char *bad;
    int has_max_bad;
    double max_bad;
    const char *db, *csv, *plot;
    outTarget dbT, csvT, plotT;
} sweepArgs;

static int parseSeeds(const char *v, sweepArgs *a) {
    const char *dots = strstr(v, "..");
    if (!dots) return -1;
    if (cliParseNumber(v, (size_t)(dots - v), INT64_MAX, &a->seed_lo) != 0 ||
        cliParseNumber(dots + 2, strlen(dots + 2), INT64_MAX, &a->seed_hi) != 0 || a->seed_lo > a->seed_hi)
        return -1;
    return 0;
}

static int parseShard(const char *v, sweepArgs *a) {
    const char *slash = strchr(v, '/');
    uint64_t k, n;
    if (!slash || cliParseNumber(v, (size_t)(slash - v), 1000000, &k) != 0 ||
        cliParseNumber(slash + 1, strlen(slash + 1), 1000000, &n) != 0 || k < 1 || k > n)
        return -1;
    a->shard_k = (uint32_t)k;
    a->shard_n = (uint32_t)n;
    return 0;
}

/* One option at argv[*i] into a; 0, or the exit status 2 after a usage error. */
static int sweepOption(int argc, char **argv, int *i, sweepArgs *a, FILE *err) {
    const char *arg = argv[*i], *v;
    char why[256];
    if (cliIsOption(arg, "--seeds")) {
        v = cliOptionValue(argc, argv, i, "--seeds");
        if (a->has_seeds) return cliUsageError(err, "sweep", "--seeds given twice%s", "");
        if (parseSeeds(v, a) != 0) return cliUsageError(err, "sweep", "--seeds needs A..B, 0 <= A <= B <= 2^63-1, not '%s'", v);
        a->has_seeds = 1;
    } else if (cliIsOption(arg, "--vary")) {
        v = cliOptionValue(argc, argv, i, "--vary");
        if (a->nvary == VARY_MAX) return cliUsageError(err, "sweep", "too many --vary options (at most 8)%s", "");
        a->vary[a->nvary++] = v;
    } else if (cliIsOption(arg, "--set")) {
        if (setArgsAdd(&a->set, cliOptionValue(argc, argv, i, "--set"), why, sizeof why) != 0)
            return cliUsageError(err, "sweep", "%s", why);
    } else if (cliIsOption(arg, "--migrator-timeout")) {
        v = cliOptionValue(argc, argv, i, "--migrator-timeout");
        if (a->timeout_ms) return cliUsageError(err, "sweep", "--migrator-timeout given twice%s", "");
        if (cliParseSeconds(v, &a->timeout_ms) != 0)
            return cliUsageError(err, "sweep", "--migrator-timeout needs seconds, more than 0 and at most 86400, not '%s'", v);
    } else if (cliIsOption(arg, "--migrator")) {
        v = cliOptionValue(argc, argv, i, "--migrator");
        if (a->migrator) return cliUsageError(err, "sweep", "--migrator given twice%s", "");
        if (!*v) return cliUsageError(err, "sweep", "--migrator needs a SPEC%s", "");
        a->migrator = v;
    } else if (cliIsOption(arg, "--jobs")) {
        v = cliOptionValue(argc, argv, i, "--jobs");
        if (a->jobs) return cliUsageError(err, "sweep", "--jobs given twice%s", "");
        if (workersParseJobs(v, &a->jobs) != 0)
            return cliUsageError(err, "sweep", "--jobs needs a number from 1 to 256, not '%s'", v);
    } else if (cliIsOption(arg, "--shard")) {
        v = cliOptionValue(argc, argv, i, "--shard");
        if (a->shard_n) return cliUsageError(err, "sweep", "--shard given twice%s", "");
        if (parseShard(v, a) != 0) return cliUsageError(err, "sweep", "--shard needs K/N with 1 <= K <= N <= 1000000, not '%s'", v);
    } else if (cliIsOption(arg, "--max-bad")) {
        v = cliOptionValue(argc, argv, i, "--max-bad");
        if (a->has_max_bad) return cliUsageError(err, "sweep", "--max-bad given twice%s", "");
        if (sweepGateParse(v, &a->max_bad, why, sizeof why) != 0) return cliUsageError(err, "sweep", "%s", why);
        a->has_max_bad = 1;
    } else if (cliIsOption(arg, "--bad")) {
        v = cliOptionValue(argc, argv, i, "--bad");
        sweepBad b;
        if (a->bad) return cliUsageError(err, "sweep", "--bad given twice%s", "");
        if (sweepBadParse(v, &b, why, sizeof why) != 0) return cliUsageError(err, "sweep", "--bad: %s", why);
        a->bad = v;
    } else {
        const char *names[] = {"--db", "--csv", "--plot"};
        const char **slots[] = {&a->db, &a->csv, &a->plot};
        for (int k = 0; k < 3; k++) {
            if (!cliIsOption(arg, names[k])) continue;
            v = cliOptionValue(argc, argv, i, names[k]);
            if (!*v) return cliUsageError(err, "sweep", "%s needs a file name", names[k]);
            if (*slots[k]) return cliUsageError(err, "sweep", "%s given twice", names[k]);
            *slots[k] = v;
            return 0;
        }
        if (arg[0] == '-' && arg[1] != '\0') return cliUsageError(err, "sweep", "unknown option '%s'", arg);
        if (a->file) return cliUsageError(err, "sweep", "more than one scenario file ('%s')", arg);
        a->file = arg;
    }
    return 0;
}

static int parseSweepArgs(int argc, char **argv, sweepArgs *a, FILE *err) {
    for (int i = 2; i < argc; i++) {
        int rc = sweepOption(argc, argv, &i, a, err);
        if (rc) return rc;
    }
    if (!a->file) return cliUsageError(err, "sweep", "no scenario file given%s", "");
    if (!a->has_seeds) return cliUsageError(err, "sweep", "--seeds A..B is required%s", "");
    if (a->plot && a->nvary == 0) return cliUsageError(err, "sweep", "--plot needs a --vary (its x axis)%s", "");
    if (a->has_max_bad && a->shard_n)
        return cliUsageError(err, "sweep", "--max-bad judges a whole sweep, not a shard: give it to 'migsim merge'%s", "");
    if (a->plot && !sweepHaveGnuplot())
        return cliUsageError(err, "sweep", "--plot needs gnuplot on PATH (Debian package gnuplot-nox)%s", "");
    if (!a->jobs) a->jobs = 1;
    return 0;
}

/* ---------------------------------------------------------------- the spec */

static int pushValue(sweepVary *y, char *v, double x) {
    if (!v) return -1;
    char **nv = realloc(y->values, (y->n + 1) * sizeof *nv);
    if (nv) y->values = nv;
    double *nx = realloc(y->x, (y->n + 1) * sizeof *nx);
    if (nx) y->x = nx;
    if (!nv || !nx) {
        free(v);
        return -1;
    }
    y->values[y->n] = v;
    y->x[y->n++] = x;
    return 0;
}

/* The range A..B/STEP of numbers or durations into y; 0, 1 not a range, or -1 with why. */
static int varyRange(const char *v, sweepVary *y, char *why, size_t whysz) {
    const char *dots = strstr(v, ".."), *slash = strchr(v, '/');
    if (!dots || !slash || slash < dots || strchr(v, ',')) return 1;
    const char *part[3] = {v, dots + 2, slash + 1};
    size_t len[3] = {(size_t)(dots - v), (size_t)(slash - dots - 2), strlen(slash + 1)};
    uint64_t num[3];
    simtime dur[3];
    int numbers = 1, durations = 1;
    for (int k = 0; k < 3; k++) {
        size_t at;
        numbers &= cliParseNumber(part[k], len[k], INT64_MAX, &num[k]) == 0;
        durations &= len[k] > 0 && durationParse(part[k], len[k], &dur[k], &at) == MS_OK;
    }
    if (!numbers && !durations) {
        snprintf(why, whysz, "--vary %s: a range is A..B/STEP of numbers (1..10/1) or durations (0s..10m/30s)", v);
        return -1;
    }
    uint64_t lo = numbers ? num[0] : (uint64_t)dur[0], hi = numbers ? num[1] : (uint64_t)dur[1];
    uint64_t step = numbers ? num[2] : (uint64_t)dur[2];
    if (step == 0 || lo > hi || (hi - lo) / step >= VALUES_MAX) {
        snprintf(why, whysz, "--vary %s: needs A <= B, a STEP above 0, at most %d values", v, VALUES_MAX);
        return -1;
    }
    y->kind = numbers ? SWEEP_NUMBERS : SWEEP_DURATIONS;
    for (uint64_t x = lo;; x += step) {
        char buf[CLOCK_BUFSZ > 32 ? CLOCK_BUFSZ : 32];
        if (numbers) snprintf(buf, sizeof buf, "%llu", (unsigned long long)x);
        else durationFormat((simtime)x, buf);
        if (pushValue(y, textDup(buf, strlen(buf)), numbers ? (double)x : (double)x / 1000.0) != 0) return -2;
        if (hi - x < step) break;
    }
    return 0;
}

/* A comma list into y: numbers, durations, or words. */
static int varyList(const char *v, sweepVary *y, char *why, size_t whysz) {
    int numbers = 1, durations = 1;
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p), at;
        char *w = textDup(p, n);
        if (!w) return -2;
        if (!setValueOk(w)) {
            snprintf(why, whysz, "--vary %s: '%s' is not one word (printable ASCII, no blank, '#' or '$')", v, w);
            free(w);
            return -1;
        }
        uint64_t num;
        simtime d = 0;
        numbers &= cliParseNumber(w, n, INT64_MAX, &num) == 0;
        durations &= durationParse(w, n, &d, &at) == MS_OK;
        if (y->n == VALUES_MAX) {
            free(w);
            snprintf(why, whysz, "--vary %s: at most %d values", v, VALUES_MAX);
            return -1;
        }
        if (pushValue(y, w, numbers ? (double)num : durations ? (double)d / 1000.0 : 0) != 0) return -2;
        if (!comma) break;
        p = comma + 1;
    }
    y->kind = numbers ? SWEEP_NUMBERS : durations ? SWEEP_DURATIONS : SWEEP_WORDS;
    if (y->kind == SWEEP_WORDS)
        for (size_t i = 0; i < y->n; i++) y->x[i] = (double)i;
    return 0;
}

/* --vary NAME=VALUES into y; 0, or -1 with why, -2 out of memory. */
static int parseVary(const char *arg, sweepVary *y, char *why, size_t whysz) {
    const char *eq = strchr(arg, '=');
    if (!eq || !varsIsName(arg, (size_t)(eq - arg)) || !eq[1]) {
        snprintf(why, whysz, "--vary needs NAME=V1,V2,... or NAME=A..B/STEP, NAME a variable name, not '%s'", arg);
        return -1;
    }
    if (!(y->name = textDup(arg, (size_t)(eq - arg)))) return -2;
    int rc = varyRange(eq + 1, y, why, whysz);
    return rc == 1 ? varyList(eq + 1, y, why, whysz) : rc;
}

static char *joinSettings(const setArgs *s) {
    size_t n = 1;
    for (size_t i = 0; i < s->n; i++) n += strlen(s->v[i].name) + strlen(s->v[i].value) + 2;
    char *j = malloc(n), *p = j;
    if (!j) return NULL;
    *p = '\0';
    for (size_t i = 0; i < s->n; i++) p += sprintf(p, "%s%s=%s", i ? " " : "", s->v[i].name, s->v[i].value);
    return j;
}

/* The spec from the arguments; returns 0 or the exit status. */
static int buildSpec(sweepArgs *a, sweepSpec *spec, FILE *err) {
    char why[512];
    memset(spec, 0, sizeof *spec);
    spec->seed_lo = a->seed_lo;
    spec->seed_hi = a->seed_hi;
    spec->shard_k = a->shard_k;
    spec->shard_n = a->shard_n;
    const char *bad = a->bad ? a->bad : "not-cloned,stranded";
    sweepBadParse(bad, &spec->rule, why, sizeof why);
    if (!(spec->scenario = strdup(a->file)) || !(spec->bad = strdup(bad)) ||
        !(spec->migrator = strdup(a->migrator ? a->migrator : "")) || !(spec->sets = joinSettings(&a->set)) ||
        (a->nvary && !(spec->vary = calloc((size_t)a->nvary, sizeof *spec->vary)))) {
        fprintf(err, "migsim: error: out of memory (reading the options)\n");
        return 2;
    }
    spec->ncombos = 1;
    for (int v = 0; v < a->nvary; v++) {
        sweepVary *y = &spec->vary[spec->nvary++];
        int rc = parseVary(a->vary[v], y, why, sizeof why);
        if (rc == -2) {
            fprintf(err, "migsim: error: out of memory (reading --vary)\n");
            return 2;
        }
        if (rc) return cliUsageError(err, "sweep", "%s", why);
        for (size_t w = 0; w < (size_t)v; w++)
            if (strcmp(spec->vary[w].name, y->name) == 0) return cliUsageError(err, "sweep", "--vary %s given twice", y->name);
        for (size_t s = 0; s < a->set.n; s++)
            if (strcmp(a->set.v[s].name, y->name) == 0)
                return cliUsageError(err, "sweep", "%s is both varied (--vary) and set (--set)", y->name);
        if (__builtin_mul_overflow(spec->ncombos, (uint64_t)y->n, &spec->ncombos) || spec->ncombos > COMBOS_MAX)
            return cliUsageError(err, "sweep", "too many combinations (at most 100000)%s", "");
    }
    if (!sweepTotal(spec)) return cliUsageError(err, "sweep", "too many runs%s", "");
    return 0;
}

/* ---------------------------------------------------------------- the runs */

/* The scenarios, one per combination. */
typedef struct sweepScenarios {
    scenario *v;
    uint64_t n;
    uint32_t maxusers;
} sweepScenarios;

static void scenariosFree(sweepScenarios *s) {
    for (uint64_t c = 0; c < s->n; c++) scnFree(&s->v[c]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Parse the scenario once per combination; returns 0 or the exit status 2 (the error printed). */
static int parseAll(const sweepArgs *a, const sweepSpec *spec, sweepScenarios *out, FILE *err) {
    memset(out, 0, sizeof *out);
    if (!(out->v = calloc(spec->ncombos, sizeof *out->v))) {
        fprintf(err, "migsim: error: out of memory (parsing %s)\n", a->file);
        return 2;
    }
    scnSetting set[SET_MAX + VARY_MAX];
    size_t nset = a->set.n + spec->nvary;
    memcpy(set, a->set.v, a->set.n * sizeof *set);
    for (uint64_t c = 0; c < spec->ncombos; c++) {
        for (size_t v = 0; v < spec->nvary; v++) {
            set[a->set.n + v].name = spec->vary[v].name;
            set[a->set.n + v].value = spec->vary[v].values[sweepValueIndex(spec, c, v)];
        }
        /* Parsed here, not through cliParseWith: out of memory is its one line, with no
        ** combination line after it (that line is for an error in the text). */
        scnError e;
        msStatus st = scnParseFileWith(a->file, set, nset, &out->v[c], &e);
        if (st == MS_NOMEM) {
            fprintf(err, "migsim: error: out of memory (parsing %s)\n", a->file);
            return 2;
        }
        if (st != MS_OK) {
            char line[640];
            scnErrorFormat(&e, line, sizeof line);
            fprintf(err, "%s\n", line);
            if (spec->nvary) {
                fprintf(err, "migsim: error: in combination %llu:", (unsigned long long)c);
                for (size_t v = 0; v < spec->nvary; v++)
                    fprintf(err, " %s=%s", spec->vary[v].name, spec->vary[v].values[sweepValueIndex(spec, c, v)]);
                fputc('\n', err);
            }
            return 2;
        }
        out->n = c + 1;
        if (out->v[c].nusers > out->maxusers) out->maxusers = out->v[c].nusers;
    }
    return 0;
}

/* What a worker sends for one run: the run, or why the sweep must stop. */
typedef struct workMsg {
    sweepRun run;
    int32_t status;         /* MS_OK, or the failure */
    char why[520];
} workMsg;

typedef struct runner {
    const sweepSpec *spec;
    const sweepScenarios *scn;
    const sweepArgs *args;
    userVerdict *verdicts;  /* maxusers */
} runner;

/* Run pair i into m (m->status says whether it could run). */
static void runPair(const runner *rn, uint64_t i, workMsg *m) {
    uint64_t seeds = rn->spec->seed_hi - rn->spec->seed_lo + 1;
    uint64_t c = i / seeds;
    const scenario *sc = &rn->scn->v[c];
    memset(m, 0, sizeof *m);
    m->run.combo = c;
    m->run.seed = rn->spec->seed_lo + i % seeds;
    simOptions opt = {1, m->run.seed, NULL, 0, rn->args->migrator, rn->args->timeout_ms};
    sim s;
    msStatus st = simInit(&s, sc, &opt);
    if (st == MS_FAIL) st = MS_INPUT;
    if (st == MS_OK) st = simRun(&s);
    if (st == MS_OK || st == MS_FAIL) {
        int dc = -1, converged = 0;
        st = worldOutcomes(&s, rn->verdicts, &m->run.stranded, &dc, &converged);
    }
    if (st == MS_OK) {
        for (uint32_t u = 0; u < sc->nusers; u++) m->run.count[rn->verdicts[u].out]++;
        m->run.nexpects = (uint32_t)s.nexpects;
        m->run.npassed = (uint32_t)(s.nexpects - s.nfailed);
        m->run.step_failed = (uint8_t)s.step_failed;
        m->run.bad = (uint8_t)sweepBadHolds(&rn->spec->rule, &m->run);
    } else {
        m->status = st;
        snprintf(m->why, sizeof m->why, "%s", st == MS_NOMEM ? (s.k.where[0] ? s.k.where : "running")
                                                            : (s.k.err[0] ? s.k.err : msStatusName(st)));
    }
    simFree(&s);
}

/* The pairs this process runs (the shard's), in order. */
typedef struct workList {
    uint64_t *v;
    size_t n;
} workList;

static int buildWork(const sweepSpec *spec, workList *w) {
    uint64_t total = sweepTotal(spec), k = spec->shard_n ? spec->shard_k - 1 : 0, n = spec->shard_n ? spec->shard_n : 1;
    uint64_t count = total / n + (k < total % n);
    if (count > SIZE_MAX / sizeof *w->v) return -1;
    w->n = (size_t)count;
    w->v = malloc((w->n ? w->n : 1) * sizeof *w->v);
    if (!w->v) return -1;
    for (size_t j = 0; j < w->n; j++) w->v[j] = k + (uint64_t)j * n;
    return 0;
}

/* ---------------------------------------------------------------- running */

static int runFailed(const sweepArgs *a, const workMsg *m, FILE *err) {
    if (m->status == MS_NOMEM)
        fprintf(err, "migsim: error: out of memory (%s: seed %llu: %s)\n", a->file,
                (unsigned long long)m->run.seed, m->why);
    else
        fprintf(err, "%s: error: combination %llu, seed %llu: %s\n", a->file, (unsigned long long)m->run.combo,
                (unsigned long long)m->run.seed, m->why);
    return 2;
}

/* What the workers (cli/workers.h) run: pair j of the list, its run placed at runs[j]. */
typedef struct sweepWork {
    const runner *rn;
    const workList *wl;
    sweepRun *runs;
} sweepWork;

static int workRun(void *ctx, size_t j, void *msg) {
    const sweepWork *k = ctx;
    workMsg *m = msg;
    runPair(k->rn, k->wl->v[j], m);
    return m->status != MS_OK;
}

static void workTake(void *ctx, size_t j, const void *msg) {
    const sweepWork *k = ctx;
    k->runs[j] = ((const workMsg *)msg)->run;
}

/* Every pair of wl in jobs processes (cli/workers.h), into runs[]; returns 0 or the exit status. */
static int runPairs(const runner *rn, const workList *wl, int jobs, sweepRun *runs, FILE *out, FILE *err) {
    sweepWork k = {rn, wl, runs};
    workersJob job = {"sweep", wl->n, sizeof(workMsg), &k, workRun, workTake};
    workMsg failed;
    size_t at = 0;
    msStatus st = workersRun(&job, jobs, out, err, &at, &failed);
    if (st == MS_FAIL) return runFailed(rn->args, &failed, err);
    return st == MS_OK ? 0 : 2;
}

/* ---------------------------------------------------------------- outputs */

static int planSweepOutputs(sweepArgs *a, FILE *out, FILE *err) {
    char why[PATH_MAX + 256];
    const char *names[] = {"--db", "--csv", "--plot"};
    const char *paths[] = {a->db, a->csv, a->plot};
    outTarget *t[] = {&a->dbT, &a->csvT, &a->plotT};
    for (int k = 0; k < 3; k++) {
        if (!paths[k]) continue;
        msStatus st = outTargetPrepare(t[k], names[k], paths[k], k == 1, out, err, why, sizeof why);
        if (st == MS_NOMEM) {
            fprintf(err, "migsim: error: out of memory (planning the outputs)\n");
            return 2;
        }
        if (st != MS_OK) {
            fprintf(err, "migsim: error: %s\n", why);
            return 2;
        }
        for (int j = 0; j < k; j++)
            if (paths[j] && outTargetSame(t[j], t[k])) {
                fprintf(err, "migsim: error: %s %s: the same file as %s %s\n", names[k], paths[k], names[j], paths[j]);
                return 2;
            }
    }
    return 0;
}

int sweepWriteOutputs(const sweepSpec *spec, const sweepRun *runs, size_t n, const outTarget *db,
                      const outTarget *csv, const outTarget *plot, double max_bad, FILE *out, FILE *err) {
    sweepAgg *agg = calloc(spec->ncombos, sizeof *agg);
    if (!agg) {
        fprintf(err, "migsim: error: out of memory (summing the runs)\n");
        return 2;
    }
    sweepAggregate(spec, runs, n, agg);
    sweepPrintTable(spec, agg, out);
    fflush(out);
    char why[PATH_MAX + 256];
    msStatus st = MS_OK;
    const char *what = "";
    if (db && (st = sweepWriteDb(spec, runs, n, agg, db, why, sizeof why)) != MS_OK) what = "writing --db";
    if (st == MS_OK && csv && (st = sweepWriteCsvFile(spec, agg, csv, why, sizeof why)) != MS_OK) what = "writing --csv";
    if (st == MS_OK && plot && (st = sweepWritePlot(spec, agg, plot, why, sizeof why)) != MS_OK) what = "writing --plot";
    uint64_t failing = st == MS_OK && max_bad >= 0 ? sweepGate(spec, agg, max_bad, out) : 0;
    free(agg);
    if (st == MS_NOMEM) {
        fprintf(err, "migsim: error: out of memory (%s)\n", what);
        return 2;
    }
    if (st != MS_OK) {
        fprintf(err, "migsim: error: %s\n", why);
        return 2;
    }
    return failing ? 1 : 0;
}

static void argsFree(sweepArgs *a) {
    setArgsFree(&a->set);
    outTargetFree(&a->dbT);
    outTargetFree(&a->csvT);
    outTargetFree(&a->plotT);
}

int sweepMain(int argc, char **argv, FILE *out, FILE *err) {
    sweepArgs a;
    memset(&a, 0, sizeof a);
    sweepSpec spec;
    memset(&spec, 0, sizeof spec);
    sweepScenarios scn;
    memset(&scn, 0, sizeof scn);
    workList wl = {NULL, 0};
    sweepRun *runs = NULL;
    runner rn = {&spec, &scn, &a, NULL};
    int rc = parseSweepArgs(argc, argv, &a, err);
    if (!rc) rc = buildSpec(&a, &spec, err);
    if (!rc) rc = parseAll(&a, &spec, &scn, err);
    if (!rc) rc = planSweepOutputs(&a, out, err);
    if (!rc && (buildWork(&spec, &wl) != 0 || !(runs = calloc(wl.n ? wl.n : 1, sizeof *runs)) ||
                !(rn.verdicts = calloc(scn.maxusers ? scn.maxusers : 1, sizeof *rn.verdicts)))) {
        fprintf(err, "migsim: error: out of memory (planning the runs)\n");
        rc = 2;
    }
    if (!rc) rc = runPairs(&rn, &wl, a.jobs, runs, out, err);
    if (!rc)
        rc = sweepWriteOutputs(&spec, runs, wl.n, a.db ? &a.dbT : NULL, a.csv ? &a.csvT : NULL,
                               a.plot ? &a.plotT : NULL, a.has_max_bad ? a.max_bad : -1.0, out, err);
    free(rn.verdicts);
    free(runs);
    free(wl.v);
    scenariosFree(&scn);
    sweepSpecFree(&spec);
    argsFree(&a);
    return rc;
}
