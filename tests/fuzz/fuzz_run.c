/*
** libFuzzer target for the runner and the model (`make fuzz`).  Each input
** is parsed as scenario text, as in fuzz_parser.c; an input that parses and
** describes a small world is then RUN: simInit, simStep in a loop, the
** report (reportCollect, reportWriteJson), one DC's replica as LDIF
** (dirWriteLdif), simFree, scnFree.  Everything is written to memory
** streams, never to files.
**
** The invariants checked here: no crash, leak, hang or undefined behaviour
** in the runner or the model on any scenario that parses; every failure
** (simInit, a failed step) says why in s->k.err; simStep returns only MS_OK or
** MS_FAIL and reports done consistently; virtual time never goes back; and
** determinism: the same scenario run twice gives byte-identical JSON and LDIF.
**
** Bounds, so that every input runs fast: a world larger than MAX_DCS DCs
** (enough for the hub topology of a site above 60 DCs), MAX_USERS users or
** MAX_ITEMS items per user, or a `deliver` of more than MAX_DELIVER messages,
** is skipped before simInit.  A run gets at most STEP_BUDGET calls of simStep
** (each fires one event or runs one step), and at most WORK_BUDGET divided by
** its number of DCs (an event of a large forest starts more pulls), so long
** schedules (days of simulated time, hundreds of steps) run, and `wait 3650d`
** with a 1 s schedule stops early instead of hanging; and a run stops when
** more than MAX_QUEUE events are pending.  Issue 8 made every legal scenario
** cost bounded work (one pull per pair of DCs in flight, hashed names, a
** topology builder in O(n^2 log n)), which is what makes these bounds safe.
** A run stopped early is still reported and written, as lab mode would
** between two steps.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/report.h"
#include "scenario/scenario.h"
#include "run/sim.h"
#include "run/world.h"

#define MAX_DCS 100
#define MAX_USERS 12
#define MAX_ITEMS 50
#define MAX_DELIVER 20
#define STEP_BUDGET 30000
#define WORK_BUDGET 300000      /* simStep calls times DCs */
#define MAX_QUEUE 5000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when sc's world is small enough to run in a few milliseconds. */
static int smallWorld(const scenario *sc) {
    if (sc->ndcs > MAX_DCS || sc->nusers > MAX_USERS) return 0;
    if (sc->source >= 0 && sc->v[sc->source].u.source.items_hi > MAX_ITEMS) return 0;
    for (size_t i = sc->first_step; i < sc->n; i++)
        if (sc->v[i].kind == ST_DELIVER && sc->v[i].u.deliver.count > MAX_DELIVER) return 0;
    return 1;
}

typedef struct output {
    char *json, *ldif;
    size_t njson, nldif;
    int ran;                /* simInit succeeded */
} output;

static void outputFree(output *o) {
    free(o->json);
    free(o->ldif);
    memset(o, 0, sizeof *o);
}

/*
** Drive s with the step budget; aborts on a status simStep must not return,
** on virtual time going backwards, and on a finished run that moves again.
*/
static void drive(sim *s) {
    int done = 0;
    size_t budget = WORK_BUDGET / (s->scn->ndcs ? s->scn->ndcs : 1);
    if (budget > STEP_BUDGET) budget = STEP_BUDGET;
    for (size_t n = 0; n < budget && !done && eqLen(&s->k.q) <= MAX_QUEUE; n++) {
        simtime before = s->k.now;
        msStatus st = simStep(s, &done);
        if (s->k.now < before) abort();
        if (st == MS_FAIL) {
            if (!done || !s->step_failed || s->k.err[0] == '\0') abort();
        } else if (st != MS_OK) {
            abort();
        }
    }
    if (!done) return;
    simtime end = s->k.now;
    uint64_t fired = s->k.events_fired;
    if (simStep(s, &done) != MS_OK || !done || s->k.now != end || s->k.events_fired != fired) abort();
}

static void writeOutputs(sim *s, output *o) {
    runResult r;
    FILE *f = open_memstream(&o->json, &o->njson);
    if (!f) abort();
    msStatus st = resultCollect(s, &r);
    if (st != MS_OK) abort();
    if (reportWriteJson(&r, f) != MS_OK) abort();
    resultFree(&r);
    fclose(f);
    if (s->scn->ndcs == 0) return;
    f = open_memstream(&o->ldif, &o->nldif);
    if (!f) abort();
    int dc = (int)(s->scn->seed % s->scn->ndcs);
    if (dirWriteLdif(s->world->dir, dc, f) != MS_OK) abort();
    fclose(f);
}

/* 1 when two runs of one scenario gave byte-identical outputs. */
static int sameOutput(const output *a, const output *b) {
    if (a->ran != b->ran || a->njson != b->njson || a->nldif != b->nldif) return 0;
    if (a->njson && memcmp(a->json, b->json, a->njson) != 0) return 0;
    if (a->nldif && memcmp(a->ldif, b->ldif, a->nldif) != 0) return 0;
    return 1;
}

static void runOnce(const scenario *sc, output *o) {
    /* Always the built-in wizard: a fuzzed `migrator=exec:...` must never run a shell command. */
    simOptions opt = {0, 0, NULL, 1, "builtin:wizard2003", 0};
    sim s;
    memset(o, 0, sizeof *o);
    msStatus st = simInit(&s, sc, &opt);
    if (st == MS_OK) {
        o->ran = 1;
        drive(&s);
        writeOutputs(&s, o);
    } else if (s.k.err[0] == '\0') {
        abort();
    }
    simFree(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    scenario sc;
    scnError err;
    if (scnParse("fuzz.scn", text, size, &sc, &err) == MS_OK && smallWorld(&sc)) {
        output a, b;
        runOnce(&sc, &a);
        runOnce(&sc, &b);
        if (!sameOutput(&a, &b)) abort();
        outputFree(&a);
        outputFree(&b);
    }
    scnFree(&sc);
    free(text);
    return 0;
}
