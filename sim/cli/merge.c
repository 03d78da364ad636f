/*
** `migsim merge OUT.sqlite SHARD.sqlite... [--csv OUT.csv] [--plot OUT.svg]`:
** combine the --db files of a sharded sweep (`sweep --shard K/N`) into what
** the unsharded sweep writes, byte for byte (out/sweepdb.c says how the file
** is kept deterministic).  The shards must be one sweep's: the same
** scenario, seeds, variables and values, settings, migrator and rule, each
** K of 1..N exactly once; together their runs must be every (combination,
** seed) pair exactly once.  Anything else is refused, so a merged file is
** never a silent mix of two sweeps or a sweep with a hole.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "cli/sweepcli.h"

const char mergeUsage[] =
    "usage: migsim merge OUT.sqlite SHARD.sqlite... [--csv OUT.csv] [--plot OUT.svg] [--max-bad P]\n"
    "\n"
    "Combine the --db files of `migsim sweep --shard K/N` (every K from 1 to N once) into\n"
    "OUT.sqlite, the same bytes one unsharded sweep writes, print its table, and write\n"
    "--csv and --plot as `sweep` does, and judge the merged sweep with --max-bad as `sweep`\n"
    "does.\n"
    "\n"
    "exit status: 0 merged (and the --max-bad gate passed), 1 the gate failed, 2 the shards are\n"
    "not one whole sweep, bad usage or a write error.\n";

static int mergeError(FILE *err, const char *fmt, const char *arg) {
    fprintf(err, "migsim: error: ");
    fprintf(err, fmt, arg);
    fputc('\n', err);
    return 2;
}

/* 1 when a and b sweep the same thing (the shard aside). */
static int sameSweep(const sweepSpec *a, const sweepSpec *b) {
    if (strcmp(a->scenario, b->scenario) || strcmp(a->sets, b->sets) || strcmp(a->migrator, b->migrator) ||
        strcmp(a->bad, b->bad) || a->seed_lo != b->seed_lo || a->seed_hi != b->seed_hi ||
        a->ncombos != b->ncombos || a->nvary != b->nvary || a->shard_n != b->shard_n)
        return 0;
    for (size_t v = 0; v < a->nvary; v++) {
        const sweepVary *x = &a->vary[v], *y = &b->vary[v];
        if (strcmp(x->name, y->name) || x->n != y->n || x->kind != y->kind) return 0;
        for (size_t i = 0; i < x->n; i++)
            if (strcmp(x->values[i], y->values[i]) || x->x[i] != y->x[i]) return 0;
    }
    return 1;
}

static int cmpRun(const void *pa, const void *pb) {
    const sweepRun *a = pa, *b = pb;
    if (a->combo != b->combo) return a->combo < b->combo ? -1 : 1;
    if (a->seed != b->seed) return a->seed < b->seed ? -1 : 1;
    return 0;
}

typedef struct mergeArgs {
    const char *out, *csv, *plot;
    int has_max_bad;
    double max_bad;
    char **shards;
    int nshards;
    outTarget outT, csvT, plotT;
} mergeArgs;

static int parseMergeArgs(int argc, char **argv, mergeArgs *m, FILE *err) {
    m->shards = argv + 2;
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (cliIsOption(arg, "--max-bad")) {
            const char *v = cliOptionValue(argc, argv, &i, "--max-bad");
            char why[256];
            if (m->has_max_bad) return mergeError(err, "--max-bad given twice%s (see 'migsim merge --help')", "");
            if (sweepGateParse(v, &m->max_bad, why, sizeof why) != 0)
                return mergeError(err, "%s (see 'migsim merge --help')", why);
            m->has_max_bad = 1;
            continue;
        }
        const char **slot = strncmp(arg, "--csv", 5) == 0 ? &m->csv : strncmp(arg, "--plot", 6) == 0 ? &m->plot : NULL;
        size_t n = slot == &m->csv ? 5 : 6;
        if (slot && (arg[n] == '\0' || arg[n] == '=')) {
            const char *v = arg[n] == '=' ? arg + n + 1 : i + 1 < argc ? argv[++i] : "";
            if (!*v) return mergeError(err, "%s needs a file name (see 'migsim merge --help')", arg);
            if (*slot) return mergeError(err, "%s given twice (see 'migsim merge --help')", arg);
            *slot = v;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return mergeError(err, "unknown option '%s' (see 'migsim merge --help')", arg);
        } else if (!m->out) {
            m->out = arg;
        } else {
            m->shards[m->nshards++] = argv[i];
        }
    }
    if (!m->out || m->nshards == 0) return mergeError(err, "merge needs OUT.sqlite and at least one shard%s", "");
    if (m->plot && !sweepHaveGnuplot()) return mergeError(err, "--plot needs gnuplot on PATH (Debian package gnuplot-nox)%s", "");
    return 0;
}

static int planMerge(mergeArgs *m, FILE *out, FILE *err) {
    char why[PATH_MAX + 256];
    const char *names[] = {"OUT", "--csv", "--plot"};
    const char *paths[] = {m->out, m->csv, m->plot};
    outTarget *t[] = {&m->outT, &m->csvT, &m->plotT};
    for (int k = 0; k < 3; k++) {
        if (!paths[k]) continue;
        msStatus st = outTargetPrepare(t[k], names[k], paths[k], k == 1, out, err, why, sizeof why);
        if (st != MS_OK) return mergeError(err, "%s", st == MS_NOMEM ? "out of memory (planning the outputs)" : why);
        for (int j = 0; j < k; j++)
            if (paths[j] && outTargetSame(t[j], t[k])) return mergeError(err, "%s: the same file as another output", paths[k]);
    }
    return 0;
}

/* Read every shard into spec and runs; returns 0 or 2 with one line on err. */
static int readShards(const mergeArgs *m, sweepSpec *spec, sweepRun **runs, size_t *n, FILE *err) {
    char why[PATH_MAX + 256];
    unsigned char *seen = NULL;
    int rc = 0;
    for (int i = 0; !rc && i < m->nshards; i++) {
        sweepSpec s;
        sweepRun *r = NULL;
        size_t rn = 0;
        msStatus st = sweepReadDb(m->shards[i], &s, &r, &rn, why, sizeof why);
        if (st != MS_OK) rc = mergeError(err, "%s", why);
        else if (i > 0 && !sameSweep(spec, &s))
            rc = mergeError(err, "%s: not a shard of the same sweep as the first", m->shards[i]);
        else if (s.shard_n == 0 && m->nshards > 1)
            rc = mergeError(err, "%s: a whole sweep, not a shard", m->shards[i]);
        if (!rc && i == 0 && s.shard_n && !(seen = calloc(s.shard_n + 1, 1)))
            rc = mergeError(err, "out of memory (reading the shards)%s", "");
        if (!rc && s.shard_n && seen[s.shard_k]++)
            rc = mergeError(err, "%s: a second copy of a shard", m->shards[i]);
        sweepRun *g = rc ? NULL : realloc(*runs, (*n + rn + 1) * sizeof *g);
        if (!rc && !g) rc = mergeError(err, "out of memory (reading the shards)%s", "");
        if (!rc) {
            *runs = g;
            memcpy(*runs + *n, r, rn * sizeof *r);
            *n += rn;
        }
        free(r);
        if (i == 0 && !rc) *spec = s;
        else sweepSpecFree(&s);
    }
    if (!rc && spec->shard_n && (uint32_t)m->nshards != spec->shard_n)
        rc = mergeError(err, "a shard is missing: %s", "each K from 1 to N must be given once");
    free(seen);
    return rc;
}

int mergeMain(int argc, char **argv, FILE *out, FILE *err) {
    mergeArgs m;
    memset(&m, 0, sizeof m);
    sweepSpec spec;
    memset(&spec, 0, sizeof spec);
    sweepRun *runs = NULL;
    size_t n = 0;
    int rc = parseMergeArgs(argc, argv, &m, err);
    if (!rc) rc = planMerge(&m, out, err);
    if (!rc) rc = readShards(&m, &spec, &runs, &n, err);
    if (!rc) {
        if (n) qsort(runs, n, sizeof *runs, cmpRun);
        for (size_t i = 1; !rc && i < n; i++)
            if (cmpRun(&runs[i - 1], &runs[i]) == 0) rc = mergeError(err, "a run is in two shards%s", "");
        if (!rc && n != sweepTotal(&spec))
            rc = mergeError(err, "the shards hold %s runs of a different count than the sweep's", "their");
    }
    if (!rc) {
        spec.shard_k = spec.shard_n = 0;
        rc = sweepWriteOutputs(&spec, runs, n, &m.outT, m.csv ? &m.csvT : NULL, m.plot ? &m.plotT : NULL,
                               m.has_max_bad ? m.max_bad : -1.0, out, err);
    }
    free(runs);
    sweepSpecFree(&spec);
    outTargetFree(&m.outT);
    outTargetFree(&m.csvT);
    outTargetFree(&m.plotT);
    return rc;
}
