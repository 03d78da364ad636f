/*
** The runner: one scenario executed with one seed, advanced one unit of work
** at a time.  See sim.h for the stepping rule.  In short, a run is a merge of
** two ordered streams: the event queue (ordered by time, then insertion
** sequence) and the scenario's steps (ordered by line, each due at the
** instant `resume_at`).  simStep takes from the queue while its head is due at
** or before resume_at, and otherwise executes the next step at resume_at.  A
** blocking step stops the script until the world says its condition holds;
** the condition is re-examined after every event, and once the queue is empty
** or the step's deadline has come, the world is asked for a final answer.
**
** Invariants: s->k.now never decreases; a step never runs while an event due at
** or before its instant is pending; the run's only sources of variation are
** the scenario and the seed.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "run/sim.h"
#include "run/world.h"

/* The longest a blocking step (`wait done`, `sync`, `cancel when ...`) may
** wait: ten years of simulated time, as long as the longest `wait DUR`. */
#define BLOCK_LIMIT (3650 * MS_PER_DAY)

static char *dupString(const char *src) {
    size_t n = strlen(src) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, src, n);
    return d;
}

/* Apply the world statements that set parameters, in the order written. */
static void applyWorldParams(const scenario *sc, params *p) {
    size_t n;
    const paramDef *table = paramsTable(&n);
    for (size_t i = 0; i < sc->first_step && i < sc->n; i++) {
        const stmt *st = &sc->v[i];
        if (st->kind == ST_AD) {
            p->ad_profile = st->u.ad.year;
        } else if (st->kind == ST_LATENCY) {
            p->latency = st->u.latency.latency;
            if (st->u.latency.has_jitter) p->jitter_pct = st->u.latency.jitter_pct;
        } else if (st->kind == ST_SET && st->u.set.name.index >= 0 &&
                   (size_t)st->u.set.name.index < n) {
            paramsSet(p, &table[st->u.set.name.index], st->u.set.value);
        }
    }
    paramsResolveProfile(p);
}

msStatus simInit(sim *s, const scenario *sc, const simOptions *opt) {
    return simInitWith(s, sc, opt, NULL, NULL);
}

msStatus simInitWith(sim *s, const scenario *sc, const simOptions *opt, const migrator *m, const char *options) {
    memset(s, 0, sizeof *s);
    s->scn = sc;
    s->own = m;
    s->own_options = options;
    if (opt) s->opt = *opt;
    params p;
    paramsDefaults(&p);
    applyWorldParams(sc, &p);
    kernelInit(&s->k, s->opt.has_seed ? s->opt.seed : sc->seed, &p, s->opt.narrative, s->opt.record);
    s->pc = sc->first_step;
    s->block_deadline = SIMTIME_MAX;
    msStatus st = worldBuild(s);
    if (st == MS_OK) st = s->k.fault;
    if (st != MS_OK) {
        snprintf(s->k.where, sizeof s->k.where, "building the world");
        if (s->k.err[0] == '\0')
            snprintf(s->k.err, sizeof s->k.err, "cannot build the world: %s", msStatusName(st));
    }
    return st;
}

void simFree(sim *s) {
    worldFree(s);
    kernelFree(&s->k);
    for (size_t i = 0; i < s->nexpects; i++) {
        free(s->expects[i].text);
        free(s->expects[i].actual);
    }
    free(s->expects);
    memset(s, 0, sizeof *s);
}

msStatus simRecordExpect(sim *s, const stmt *st, int passed, const char *actual) {
    if (s->nexpects == s->capexpects &&
        arrayGrow(&s->expects, &s->capexpects, sizeof *s->expects, 16) != MS_OK)
        return MS_NOMEM;
    expectResult *e = &s->expects[s->nexpects];
    e->line = st->pos.line;
    e->at = s->k.now;
    e->passed = passed;
    e->text = dupString(st->text ? st->text : "");
    e->actual = dupString(actual ? actual : "");
    if (!e->text || !e->actual) {
        free(e->text);
        free(e->actual);
        return MS_NOMEM;
    }
    s->nexpects++;
    if (!passed) s->nfailed++;
    return MS_OK;
}

/*
** Mark the run ended and let the world write its closing lines (a wizard run
** still active, say): exchange.h asks for exFinish at the end of every run.
*/
static void endRun(sim *s) {
    s->done = 1;
    worldFinish(s);
}

/* End the run because the step at line failed; s->k.err already says why. */
static msStatus failStep(sim *s, int line) {
    s->step_failed = 1;
    s->fail_line = line;
    if (s->k.err[0] == '\0') snprintf(s->k.err, sizeof s->k.err, "the step failed");
    traceRecord r = traceNew(TR_STEP_FAIL, "step");
    traceInt(&r, "line", line);
    traceStr(&r, "why", s->k.err);
    kernelEmit(&s->k, &r, "line %d failed: %s", line, s->k.err);
    endRun(s);
    return MS_FAIL;
}

static msStatus judgeExpect(sim *s, const stmt *st) {
    char actual[1024];
    int passed = 0;
    actual[0] = '\0';
    msStatus rc = worldExpect(s, st, &passed, actual, sizeof actual);
    if (rc != MS_OK) return rc;
    traceRecord r = traceNew(passed ? TR_EXPECT_PASS : TR_EXPECT_FAIL, "expect");
    traceInt(&r, "line", st->pos.line);
    traceStr(&r, "statement", st->text);
    if (passed) {
        kernelEmit(&s->k, &r, "ok    %s", st->text);
    } else {
        traceStr(&r, "found", actual);
        kernelEmit(&s->k, &r, "FAIL  %s (line %d): found %s", st->text, st->pos.line, actual);
    }
    return simRecordExpect(s, st, passed, actual);
}

/* Ask the world about the blocked step; unblock or fail as it says. */
static msStatus settleBlocked(sim *s, int idle) {
    const stmt *st = &s->scn->v[s->pc - 1];
    int r = worldReady(s, st, idle);
    if (r == 0 && !idle) return MS_OK;
    if (r > 0) {
        s->blocked = 0;
        s->resume_at = s->k.now;
        return MS_OK;
    }
    if (r == 0 && s->k.err[0] == '\0') {
        char t[CLOCK_BUFSZ];
        if (eqPeek(&s->k.q))
            snprintf(s->k.err, sizeof s->k.err, "'%s' still waits after %s of simulated time", st->text,
                     durationFormat(s->k.now - s->blocked_since, t));
        else
            snprintf(s->k.err, sizeof s->k.err, "nothing more can happen, and '%s' still waits", st->text);
    }
    s->blocked = 0;
    return failStep(s, st->pos.line);
}

/* Carry out the step at s->pc at instant s->resume_at. */
static msStatus execStepAt(sim *s) {
    const stmt *st = &s->scn->v[s->pc++];
    /* The stepping rule: the clock never goes back, and no event due at or
    ** before the step's instant is still pending when it runs. */
    msAssert(s->resume_at >= s->k.now);
    msAssert(!eqPeek(&s->k.q) || eqPeek(&s->k.q)->at > s->resume_at);
    s->k.now = s->resume_at;
    s->k.err[0] = '\0';
    if (st->kind == ST_EXPECT) {
        msStatus rc = judgeExpect(s, st);
        return rc == MS_FAIL ? failStep(s, st->pos.line) : rc;
    }
    s->world_steps++;
    traceRecord r = traceNew(TR_STEP, "step");
    traceInt(&r, "line", st->pos.line);
    traceStr(&r, "statement", st->text);    /* so records compare without the prose (diff) */
    kernelEmit(&s->k, &r, "%s (line %d)", st->text, st->pos.line);
    if (st->kind == ST_WAIT && st->u.wait.mode == WAIT_DURATION) {
        if (__builtin_add_overflow(s->k.now, st->u.wait.dur, &s->resume_at))
            s->resume_at = SIMTIME_MAX;
        return MS_OK;
    }
    int block = 0;
    /* Every blocking step gives up at some point, so a condition that a model
    ** bug keeps false cannot run a scenario for ever; the world may set an
    ** earlier deadline (`wait converged`: converge.timeout). */
    if (__builtin_add_overflow(s->k.now, BLOCK_LIMIT, &s->block_deadline)) s->block_deadline = SIMTIME_MAX;
    msStatus rc = worldStep(s, st, &block);
    if (rc == MS_FAIL) return failStep(s, st->pos.line);
    if (rc != MS_OK) return rc;
    if (!block) return MS_OK;
    s->blocked = 1;
    s->blocked_since = s->k.now;
    /* The condition may already hold (say, `wait converged` on a quiet forest). */
    return settleBlocked(s, 0);
}

/*
** A step that met an internal failure (out of memory, a failed SQL step, a
** fault the world could only remember: kernelFault) ends the run with it,
** naming the step; a step's own failure (MS_FAIL) stays what it is.
*/
static msStatus stepBroke(sim *s, const stmt *st, msStatus rc) {
    if (rc == MS_OK || rc == MS_FAIL) {
        if (s->k.fault == MS_OK) return rc;
        rc = s->k.fault;
    }
    kernelFault(&s->k, rc);
    snprintf(s->k.where, sizeof s->k.where, "line %d: %s", st->pos.line, st->text ? st->text : "");
    s->done = 1;
    return rc;
}

/* Execute the step at s->pc at instant s->resume_at. */
static msStatus execStep(sim *s) {
    const stmt *st = &s->scn->v[s->pc];
    return stepBroke(s, st, execStepAt(s));
}

/* After the world judged the blocked step: a fault it met ends the run there. */
static msStatus blockBroke(sim *s, msStatus rc) {
    return stepBroke(s, &s->scn->v[s->pc - 1], rc);
}

/* Fire the next event; a handler's failure ends the run as an internal error (exit 2). */
static msStatus fireNext(sim *s) {
    s->k.err[0] = '\0';
    msStatus rc = kernelFireNext(&s->k);
    if (rc != MS_OK) s->done = 1;
    return rc;
}

msStatus simStep(sim *s, int *done) {
    *done = s->done;
    if (s->done) return MS_OK;
    const event *next = eqPeek(&s->k.q);
    if (s->blocked) {
        if (!next || next->at > s->block_deadline) {
            msAssert(s->block_deadline >= s->k.now);   /* no event fired past the deadline */
            if (s->block_deadline != SIMTIME_MAX) s->k.now = s->block_deadline;
            msStatus rc = blockBroke(s, settleBlocked(s, 1));
            *done = s->done;
            return rc;
        }
        msStatus rc = fireNext(s);
        if (rc == MS_OK) rc = blockBroke(s, settleBlocked(s, 0));
        *done = s->done;
        return rc;
    }
    if (next && next->at <= s->resume_at) {
        msStatus rc = fireNext(s);
        *done = s->done;
        return rc;
    }
    if (s->pc >= s->scn->n) {
        if (s->resume_at > s->k.now) s->k.now = s->resume_at;
        endRun(s);
        *done = 1;
        if (s->k.fault != MS_OK) snprintf(s->k.where, sizeof s->k.where, "ending the run");
        return s->k.fault;
    }
    msStatus rc = execStep(s);
    *done = s->done;
    return rc;
}

void simSetNarrator(sim *s, traceNarrator *fn, void *ctx) {
    traceSetNarrator(&s->k.tr, fn, ctx);
}

simtime simNextAt(const sim *s) {
    if (s->done) return SIMTIME_MAX;
    const event *next = eqPeek(&s->k.q);
    if (s->blocked) {
        if (!next || next->at > s->block_deadline)
            return s->block_deadline != SIMTIME_MAX ? s->block_deadline : s->k.now;
        return next->at;
    }
    if (next && next->at <= s->resume_at) return next->at;
    return s->resume_at > s->k.now ? s->resume_at : s->k.now;
}

msStatus simRunUntil(sim *s, simtime t) {
    int done = s->done;
    while (!done && simNextAt(s) <= t) {
        msStatus rc = simStep(s, &done);
        if (rc != MS_OK && rc != MS_FAIL) return rc;
    }
    return done ? simVerdict(s) : MS_OK;
}

msStatus simRun(sim *s) {
    int done = 0;
    while (!done) {
        msStatus rc = simStep(s, &done);
        if (rc != MS_OK && rc != MS_FAIL) return rc;
    }
    return simVerdict(s);
}

msStatus simVerdict(const sim *s) {
    return (s->step_failed || s->nfailed) ? MS_FAIL : MS_OK;
}
