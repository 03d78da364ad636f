/*
** The lab's session: history, replay and ad-hoc steps over one run.  See
** lab.h for the model.  Everything here is bookkeeping around simStep: a move
** is a loop of units on the live run, narrated through the session's own
** narrator (which forwards to the caller's unless the session is replaying);
** a jump or an undo is a new run of a text version stepped, quietly, to a
** position named by a unit count or a condition on the run.
**
** Texts are kept whole, one string per version, always ending with a line
** feed: a scenario is a few hundred bytes, and a whole text is what the
** parser, the replay and `save` all want.  An edit splits the current text
** into lines, inserts or replaces lines, and joins them into a new version;
** line numbers are 1-based as the parser's.
**
** Invariants: ls->units counts the simStep calls made on ls->s since it was
** built (a unit on a finished run is not made); a replay reaching an ad-hoc
** step arrives at the instant the step was asked for (checked); the history
** only names versions that exist.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/eventq.h"
#include "kernel/invariant.h"
#include "run/lab.h"
#include "run/world.h"

/* The longest step `do` takes: its line, with the lab's comment, fits placeStep's buffer. */
#define LAB_MAX_STEP 1024

/* ---- texts as lines ---- */

typedef struct labLines {
    char **v;
    size_t n, cap;
} labLines;

static void linesFree(labLines *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Insert a copy of the n bytes at s as line index at (0-based). */
static msStatus linesInsert(labLines *l, size_t at, const char *s, size_t n) {
    if (l->n == l->cap && arrayGrow(&l->v, &l->cap, sizeof *l->v, 32) != MS_OK) return MS_NOMEM;
    char *c = malloc(n + 1);
    if (!c) return MS_NOMEM;
    memcpy(c, s, n);
    c[n] = '\0';
    memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
    l->v[at] = c;
    l->n++;
    return MS_OK;
}

static void linesRemove(labLines *l, size_t at) {
    free(l->v[at]);
    memmove(l->v + at, l->v + at + 1, (l->n - at - 1) * sizeof *l->v);
    l->n--;
}

/* Split text (ending with a line feed, or empty) into lines, without their line feeds. */
static msStatus linesSplit(const char *text, labLines *l) {
    memset(l, 0, sizeof *l);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (linesInsert(l, l->n, p, n) != MS_OK) {
            linesFree(l);
            return MS_NOMEM;
        }
        p += n + (nl != NULL);
    }
    return MS_OK;
}

/* The lines joined, each followed by a line feed, into a new string. */
static char *linesJoin(const labLines *l) {
    size_t len = 1;
    for (size_t i = 0; i < l->n; i++) len += strlen(l->v[i]) + 1;
    char *t = malloc(len), *p = t;
    if (!t) return NULL;
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i]);
        memcpy(p, l->v[i], n);
        p[n] = '\n';
        p += n + 1;
    }
    *p = '\0';
    return t;
}

/* A line holding no word: blank, or only a comment. */
static int lineIsEmpty(const char *s) {
    s += strspn(s, " \t\r");
    return *s == '\0' || *s == '#';
}

/* ---- the session's run ---- */

/* The session's narrator: forwards live narration, swallows a replay's. */
static void labNarrate(void *ctx, const traceRecord *r) {
    labSession *ls = ctx;
    ls->narrated++;
    if (!ls->quiet && ls->narrator) ls->narrator(ls->narrator_ctx, r);
}

static void setQuiet(labSession *ls, int on) {
    ls->quiet = on;
}

static void failf(labSession *ls, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(labSession *ls, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ls->err, sizeof ls->err, fmt, ap);
    va_end(ap);
}

/* Build a new run of text version v at time 0, quiet (replaying). */
static msStatus rebuild(labSession *ls, size_t v) {
    scenario sc;
    scnError e;
    const char *t = ls->texts[v];
    msStatus st = scnParseWith(ls->file, t, strlen(t), ls->opt.set, ls->opt.nset, &sc, &e);
    if (st != MS_OK) {
        char line[640];
        scnErrorFormat(&e, line, sizeof line);
        failf(ls, "%s", line);
        return st;
    }
    if (ls->live) simFree(&ls->s);
    ls->live = 0;
    scnFree(&ls->sc);
    ls->sc = sc;
    ls->text = v;
    ls->units = 0;
    simOptions so = {0, 0, NULL, 1, ls->opt.migrator, ls->opt.migrator_timeout_ms};
    st = simInit(&ls->s, &ls->sc, &so);
    ls->live = 1;
    if (st != MS_OK) {
        failf(ls, "%s", ls->s.k.err[0] ? ls->s.k.err : msStatusName(st));
        simFree(&ls->s);
        ls->live = 0;
        return st == MS_FAIL ? MS_INPUT : st;
    }
    setQuiet(ls, 1);
    simSetNarrator(&ls->s, labNarrate, ls);
    return MS_OK;
}

/* One unit of work on the live run; a step's failure is the run's news, not the session's error. */
static msStatus unit(labSession *ls) {
    int done;
    if (ls->s.done) return MS_OK;
    msStatus rc = simStep(&ls->s, &done);
    ls->units++;
    if (rc == MS_FAIL) return MS_OK;
    if (rc != MS_OK) failf(ls, "internal error: %s", ls->s.k.err[0] ? ls->s.k.err : msStatusName(rc));
    return rc;
}

/* 1 when the run's next unit is executing the step at pc (not an event, not a wait's judgement). */
static int stepIsNext(const sim *s) {
    if (s->done || s->blocked || s->pc >= s->scn->n) return 0;
    const event *ev = eqPeek(&s->k.q);
    return !(ev && ev->at <= s->resume_at);
}

/* Replay version v quietly for exactly `units` units. */
static msStatus replayUnits(labSession *ls, size_t v, uint64_t units) {
    msStatus rc = rebuild(ls, v);
    while (rc == MS_OK && ls->units < units && !ls->s.done) rc = unit(ls);
    setQuiet(ls, 0);
    /* A mark names a real position: the replay gets there before the run ends. */
    msAssert(rc != MS_OK || ls->units == units);
    return rc;
}

/* Run the live run while its next unit is due at or before t. */
static msStatus runUntil(labSession *ls, simtime t) {
    msStatus rc = MS_OK;
    while (rc == MS_OK && !ls->s.done && simNextAt(&ls->s) <= t) rc = unit(ls);
    return rc;
}

static msStatus pushMark(labSession *ls) {
    if (ls->nhist == ls->caphist && arrayGrow(&ls->hist, &ls->caphist, sizeof *ls->hist, 32) != MS_OK)
        return MS_NOMEM;
    ls->hist[ls->nhist++] = (labMark){ls->text, ls->units};
    return MS_OK;
}

/* Add text t (owned from here on, freed on failure) as a new version; *v its index. */
static msStatus addVersion(labSession *ls, char *t, size_t *v) {
    if (ls->ntexts == ls->captexts && arrayGrow(&ls->texts, &ls->captexts, sizeof *ls->texts, 8) != MS_OK) {
        free(t);
        return MS_NOMEM;
    }
    *v = ls->ntexts;
    ls->texts[ls->ntexts++] = t;
    return MS_OK;
}

/* A move is refused on a session without a run, or on a run that has ended. */
static int cannotMove(labSession *ls) {
    if (!ls->live) {
        failf(ls, "the session has no run after an internal error");
        return 1;
    }
    if (ls->s.done) {
        char t[CLOCK_BUFSZ];
        failf(ls, "the run has ended (t=%s): use back or goto to travel, or quit", clockFormat(ls->s.k.now, t));
        return 1;
    }
    return 0;
}

/* ---- opening ---- */

/*
** Text with `seed N` written in: over the `seed` line, else over the first
** line of the world that holds no word (its comment kept), else as a new
** first line.
*/
static msStatus withSeed(const scenario *sc, const char *text, uint64_t seed, char **out) {
    labLines l;
    char line[64];
    *out = NULL;
    if (linesSplit(text, &l) != MS_OK) return MS_NOMEM;
    snprintf(line, sizeof line, "seed %llu", (unsigned long long)seed);
    size_t at = l.n + 1;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->v[i].kind == ST_SEED) at = (size_t)sc->v[i].pos.line - 1;
    size_t world_end = sc->first_step < sc->n ? (size_t)sc->v[sc->first_step].pos.line - 1 : l.n;
    for (size_t i = 0; at > l.n && i < world_end && i < l.n; i++)
        if (lineIsEmpty(l.v[i])) at = i;
    if (at < l.n) {
        const char *c = strchr(l.v[at], '#');
        char buf[1024];
        snprintf(buf, sizeof buf, "%s%s%.900s", line, c ? "   " : "", c ? c : "");
        linesRemove(&l, at);
        if (linesInsert(&l, at, buf, strlen(buf)) != MS_OK) goto nomem;
    } else if (linesInsert(&l, 0, line, strlen(line)) != MS_OK) {
        goto nomem;
    }
    *out = linesJoin(&l);
    linesFree(&l);
    return *out ? MS_OK : MS_NOMEM;
nomem:
    linesFree(&l);
    return MS_NOMEM;
}

msStatus labOpen(labSession *ls, const char *file, const char *text, size_t len, const labOptions *o,
                 traceNarrator *narrator, void *ctx, scnError *perr) {
    memset(ls, 0, sizeof *ls);
    ls->narrator = narrator;
    ls->narrator_ctx = ctx;
    if (o) ls->opt = *o;
    ls->file = strdup(file);
    char *t = malloc(len + 2);
    if (!ls->file || !t) {
        free(t);
        return MS_NOMEM;
    }
    /* The text must parse as it is before anything is written into it (the
    ** parser refuses a NUL byte, so the copy below is one C string). */
    msStatus st = scnParseWith(file, text, len, ls->opt.set, ls->opt.nset, &ls->sc, perr);
    memcpy(t, text, len);
    t[len] = '\0';
    if (len && text[len - 1] != '\n') t[len++] = '\n', t[len] = '\0';
    if (st != MS_OK) {
        free(t);
        return st;
    }
    if (ls->opt.has_seed) {
        char *seeded;
        st = withSeed(&ls->sc, t, ls->opt.seed, &seeded);
        free(t);
        if (st != MS_OK) return st;
        t = seeded;
    }
    size_t v;
    st = addVersion(ls, t, &v);
    if (st == MS_OK) st = rebuild(ls, v);
    setQuiet(ls, 0);
    return st;
}

void labClose(labSession *ls) {
    if (ls->live) simFree(&ls->s);
    scnFree(&ls->sc);
    for (size_t i = 0; i < ls->ntexts; i++) free(ls->texts[i]);
    free(ls->texts);
    free(ls->hist);
    free(ls->file);
    memset(ls, 0, sizeof *ls);
}

sim *labSim(labSession *ls) {
    return ls->live ? &ls->s : NULL;
}

const stmt *labNextStmt(const labSession *ls, int *waiting) {
    *waiting = 0;
    if (!ls->live || ls->s.done) return NULL;
    if (ls->s.blocked) {
        *waiting = 1;
        return &ls->sc.v[ls->s.pc - 1];
    }
    return ls->s.pc < ls->sc.n ? &ls->sc.v[ls->s.pc] : NULL;
}

int labDone(const labSession *ls) {
    return !ls->live || ls->s.done;
}

size_t labHistory(const labSession *ls) {
    return ls->nhist;
}

/* ---- moves ---- */

/* What the live run's next unit is. */
static void describeUnit(const labSession *ls, labUnit *u) {
    const sim *s = &ls->s;
    const event *ev = eqPeek(&s->k.q);
    memset(u, 0, sizeof *u);
    u->at = simNextAt(s);
    if (stepIsNext(s)) {
        u->was_step = 1;
        u->line = s->scn->v[s->pc].pos.line;
        u->what = s->scn->v[s->pc].text;
    } else if (s->blocked && (!ev || ev->at > s->block_deadline)) {
        u->line = s->scn->v[s->pc - 1].pos.line;
        u->what = "the waiting step is judged";
    } else if (ev && (s->blocked || ev->at <= s->resume_at)) {
        u->what = ev->what;
    } else {
        u->what = "the end of the run";
    }
}

msStatus labStep(labSession *ls, labUnit *u, int join) {
    if (cannotMove(ls)) return MS_INPUT;
    msStatus rc = join && ls->nhist ? MS_OK : pushMark(ls);
    uint64_t quiet = 0, narrated = ls->narrated;
    /* Units that narrate nothing (a migrator's reply, a pull that found
    ** nothing) go along with the next one that does. */
    for (;;) {
        describeUnit(ls, u);
        if (rc == MS_OK) rc = unit(ls);
        if (rc != MS_OK || ls->s.done || ls->narrated != narrated) break;
        quiet++;
    }
    u->at = ls->s.k.now;
    u->quiet = quiet;
    return rc;
}

msStatus labNext(labSession *ls) {
    if (cannotMove(ls)) return MS_INPUT;
    size_t pc = ls->s.pc;
    msStatus rc = pushMark(ls);
    while (rc == MS_OK && !ls->s.done && ls->s.pc == pc) rc = unit(ls);
    return rc;
}

msStatus labUntil(labSession *ls, simtime t) {
    if (cannotMove(ls)) return MS_INPUT;
    if (t < ls->s.k.now) {
        char a[CLOCK_BUFSZ], b[CLOCK_BUFSZ];
        failf(ls, "%s is before the current moment %s: use goto to travel back", clockFormat(t, a),
              clockFormat(ls->s.k.now, b));
        return MS_INPUT;
    }
    msStatus rc = pushMark(ls);
    return rc == MS_OK ? runUntil(ls, t) : rc;
}

msStatus labBack(labSession *ls, size_t n) {
    if (n == 0 || n > ls->nhist) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%zu", n);
        snprintf(b, sizeof b, "%zu", ls->nhist);
        if (ls->nhist)
            failf(ls, "back %s: there are only %s moves to undo", a, b);
        else
            failf(ls, "back %s: nothing to undo", a);
        return MS_INPUT;
    }
    labMark m = ls->hist[ls->nhist - n];
    ls->nhist -= n;
    return replayUnits(ls, m.text, m.units);
}

msStatus labGotoTime(labSession *ls, simtime t) {
    if (!ls->live) {
        cannotMove(ls);
        return MS_INPUT;
    }
    msStatus rc = pushMark(ls);
    if (rc == MS_OK) rc = rebuild(ls, ls->text);
    if (rc == MS_OK) rc = runUntil(ls, t);
    setQuiet(ls, 0);
    return rc;
}

/* The index of the step on line `line` of the live scenario, or the scenario's n. */
static size_t stepOnLine(const scenario *sc, int line) {
    for (size_t i = sc->first_step; i < sc->n; i++)
        if (sc->v[i].pos.line == line) return i;
    return sc->n;
}

/* Step the live run quietly until the step at index i is the next unit (or the run ends). */
static msStatus runToStep(labSession *ls, size_t i) {
    msStatus rc = MS_OK;
    while (rc == MS_OK && !ls->s.done && !(ls->s.pc == i && stepIsNext(&ls->s))) rc = unit(ls);
    return rc;
}

msStatus labGotoLine(labSession *ls, int line) {
    if (!ls->live) {
        cannotMove(ls);
        return MS_INPUT;
    }
    size_t i = stepOnLine(&ls->sc, line);
    if (i == ls->sc.n) {
        char a[32];
        snprintf(a, sizeof a, "%d", line);
        int in_world = 0;
        for (size_t k = 0; k < ls->sc.first_step && k < ls->sc.n; k++) in_world |= ls->sc.v[k].pos.line == line;
        failf(ls, in_world ? "goto %s: line %s describes the world, not a step" : "goto %s: no step on line %s of the played scenario",
              a, a);
        return MS_INPUT;
    }
    msStatus rc = pushMark(ls);
    if (rc == MS_OK) rc = rebuild(ls, ls->text);
    if (rc == MS_OK) rc = runToStep(ls, i);
    setQuiet(ls, 0);
    return rc;
}

/* ---- ad-hoc steps ---- */

/* A blocking step a `do` may split: a pure wait, whose condition can be asked for again later. */
static int splittable(const stmt *st) {
    return st->kind == ST_WAIT && (st->u.wait.mode == WAIT_CONVERGED || st->u.wait.mode == WAIT_DONE);
}

/* Why a step cannot be placed now (a message into ls->err), or 0. */
static int cannotPlace(labSession *ls) {
    const sim *s = &ls->s;
    char l[32];
    if (!ls->live) return cannotMove(ls);
    if (s->step_failed || (s->done && s->k.fault != MS_OK)) {
        snprintf(l, sizeof l, "%d", s->fail_line);
        if (s->step_failed)
            failf(ls, "the run stopped at the failed step on line %s: nothing more runs (back or goto first)", l);
        else
            failf(ls, "the run stopped on an internal error");
        return 1;
    }
    if (s->blocked && !splittable(&s->scn->v[s->pc - 1])) {
        const stmt *b = &s->scn->v[s->pc - 1];
        snprintf(l, sizeof l, "%d", b->pos.line);
        failf(ls, "line %s '%s' still waits for its condition, and a scenario cannot place a step inside it: "
                  "step or next past it first", l, b->text);
        return 1;
    }
    if (!s->blocked && !s->done && s->resume_at > s->k.now && s->resume_at == SIMTIME_MAX) {
        failf(ls, "the current wait never ends: no step can follow it");
        return 1;
    }
    return 0;
}

/*
** The played text with `step` written at the live run's current moment, into
** *out; *line its line.  See lab.h for where it goes.
*/
static msStatus placeStep(labSession *ls, const char *step, char **out, int *line) {
    const sim *s = &ls->s;
    simtime now = s->k.now;
    char stamp[CLOCK_BUFSZ], d1[CLOCK_BUFSZ], d2[CLOCK_BUFSZ], buf[2048];
    labLines l;
    *out = NULL;
    if (linesSplit(ls->texts[ls->text], &l) != MS_OK) return MS_NOMEM;
    snprintf(buf, sizeof buf, "%s   # lab: do at %s", step, clockFormat(now, stamp));
    size_t at = l.n;                       /* 0-based line index of the new step */
    const stmt *prev = s->pc > s->scn->first_step ? &s->scn->v[s->pc - 1] : NULL;
    simtime since = -1;                    /* a wait under way: when it began */
    if (!s->done && s->blocked) {
        since = s->blocked_since;
    } else if (!s->done && s->resume_at > now) {
        msAssert(prev && prev->kind == ST_WAIT && prev->u.wait.mode == WAIT_DURATION);
        since = s->resume_at - prev->u.wait.dur;
    } else if (!s->done && s->pc < s->scn->n) {
        at = (size_t)s->scn->v[s->pc].pos.line - 1;
    }
    msStatus rc = MS_OK;
    if (since >= 0 && since == now) {
        at = (size_t)prev->pos.line - 1;   /* the wait began now: the step goes before it */
        rc = linesInsert(&l, at, buf, strlen(buf));
    } else if (since >= 0) {
        /* Split the wait at now: a wait for what has passed, the step, the rest of the wait. */
        size_t w = (size_t)prev->pos.line - 1;
        char first[256], rest[1024];
        snprintf(first, sizeof first, "wait %s   # lab: the first part of line %d's wait", durationFormat(now - since, d1),
                 prev->pos.line);
        if (s->blocked)
            snprintf(rest, sizeof rest, "%s", l.v[w]);
        else
            snprintf(rest, sizeof rest, "wait %s   # lab: the rest of line %d's wait", durationFormat(s->resume_at - now, d2),
                     prev->pos.line);
        linesRemove(&l, w);
        rc = linesInsert(&l, w, first, strlen(first));
        if (rc == MS_OK) rc = linesInsert(&l, w + 1, buf, strlen(buf));
        if (rc == MS_OK) rc = linesInsert(&l, w + 2, rest, strlen(rest));
        at = w + 1;
    } else {
        rc = linesInsert(&l, at, buf, strlen(buf));
    }
    if (rc == MS_OK) *out = linesJoin(&l);
    linesFree(&l);
    *line = (int)at + 1;
    return *out ? MS_OK : MS_NOMEM;
}

/* Parse text and check that line holds a step; *idx its statement index.  Errors go to ls->err. */
static msStatus checkPlaced(labSession *ls, const char *text, int line, size_t *idx) {
    scenario sc;
    scnError e;
    msStatus rc = scnParseWith(ls->file, text, strlen(text), ls->opt.set, ls->opt.nset, &sc, &e);
    if (rc == MS_NOMEM) return rc;
    if (rc != MS_OK) {
        char col[32], full[640];
        snprintf(col, sizeof col, "%d", e.col);
        scnErrorFormat(&e, full, sizeof full);
        if (e.line == line)
            failf(ls, "do: column %s: %s", col, e.msg);
        else
            failf(ls, "do: %s", full);
        return MS_INPUT;
    }
    *idx = stepOnLine(&sc, line);
    int none = *idx == sc.n;
    scnFree(&sc);
    if (!none) return MS_OK;
    failf(ls, "do needs a step, like `do deliver user5 count=2` or `do cleanup`");
    return MS_INPUT;
}

msStatus labDo(labSession *ls, const char *step, int *line) {
    *line = 0;
    step += strspn(step, " \t");
    if (strpbrk(step, "\r\n")) {
        failf(ls, "do takes one line");
        return MS_INPUT;
    }
    if (strlen(step) > LAB_MAX_STEP) {
        failf(ls, "do: the step is longer than %d bytes", LAB_MAX_STEP);
        return MS_INPUT;
    }
    if (cannotPlace(ls)) return MS_INPUT;
    /* Checked where it would go now, so a bad step changes nothing. */
    char *text;
    size_t idx;
    msStatus rc = placeStep(ls, step, &text, line);
    if (rc != MS_OK) return rc;
    rc = checkPlaced(ls, text, *line, &idx);
    free(text);
    if (rc != MS_OK) return rc;
    rc = pushMark(ls);
    /* The step comes after every event due now: fire the pending ones, narrated. */
    const event *ev;
    while (rc == MS_OK && !ls->s.done && (ev = eqPeek(&ls->s.k.q)) && ev->at <= ls->s.k.now) rc = unit(ls);
    if (rc != MS_OK) return rc;
    simtime now = ls->s.k.now;
    rc = placeStep(ls, step, &text, line);
    if (rc == MS_OK) rc = checkPlaced(ls, text, *line, &idx);
    if (rc != MS_OK) {
        free(text);
        return rc;
    }
    size_t v;
    rc = addVersion(ls, text, &v);
    if (rc == MS_OK) rc = rebuild(ls, v);
    if (rc == MS_OK) rc = runToStep(ls, idx);
    setQuiet(ls, 0);
    if (rc != MS_OK) return rc;
    if (!ALWAYS(!ls->s.done && ls->s.k.now == now)) {
        failf(ls, "internal error: the replay did not reach the new step at the same instant");
        return MS_INPUT;
    }
    return unit(ls);
}

/* ---- save ---- */

/* The wizard line with migrator=SPEC in place of its own, when SPEC is one word. */
static msStatus wizardWithMigrator(const stmt *w, const char *spec, char **out) {
    size_t len = strlen(w->text) + strlen(spec) + 16;
    char *t = malloc(len), *p = t;
    *out = t;
    if (!t) return MS_NOMEM;
    for (const char *q = w->text; *q;) {
        size_t n = strcspn(q, " \t");
        if (!(n > 9 && strncmp(q, "migrator=", 9) == 0)) {
            memcpy(p, q, n);
            p += n;
            *p++ = ' ';
        }
        q += n;
        q += strspn(q, " \t");
    }
    snprintf(p, len - (size_t)(p - t), "migrator=%s", spec);
    return MS_OK;
}

/* One word of the language: printable ASCII, no blank, no `#`. */
static int isWord(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e || *s == '#') return 0;
    return 1;
}

msStatus labSavedText(const labSession *ls, char **out) {
    labLines l;
    *out = NULL;
    if (linesSplit(ls->texts[ls->text], &l) != MS_OK) return MS_NOMEM;
    char note[1024], t[CLOCK_BUFSZ];
    int waiting;
    const stmt *next = labNextStmt(ls, &waiting);
    msStatus rc = MS_OK;
    int inline_migrator = ls->opt.migrator && isWord(ls->opt.migrator) && ls->sc.wizard >= 0;
    if (inline_migrator) {
        char *w;
        const stmt *ws = &ls->sc.v[ls->sc.wizard];
        rc = wizardWithMigrator(ws, ls->opt.migrator, &w);
        if (rc == MS_OK) {
            linesRemove(&l, (size_t)ws->pos.line - 1);
            rc = linesInsert(&l, (size_t)ws->pos.line - 1, w, strlen(w));
        }
        free(w);
    }
    if (next)
        snprintf(note, sizeof note, "# migsim lab: saved at %s, %s line %d (%.200s)",
                 clockFormat(ls->live ? ls->s.k.now : 0, t), waiting ? "waiting at" : "next", next->pos.line, next->text);
    else
        snprintf(note, sizeof note, "# migsim lab: saved at %s, %s", clockFormat(ls->live ? ls->s.k.now : 0, t),
                 labDone(ls) ? "after the end of the run" : "before the end of the run");
    if (rc == MS_OK) rc = linesInsert(&l, l.n, note, strlen(note));
    if (rc == MS_OK && ls->opt.migrator && !inline_migrator) {
        snprintf(note, sizeof note, "# played with --migrator '%.900s': run it with the same option", ls->opt.migrator);
        rc = linesInsert(&l, l.n, note, strlen(note));
    }
    if (rc == MS_OK) *out = linesJoin(&l);
    linesFree(&l);
    return *out ? MS_OK : MS_NOMEM;
}

/* ---- why ---- */

/* The part a record of kind k plays in a user's outcome, or NULL when it plays none. */
static const char *whyRole(traceKind k) {
    switch (k) {
    case TR_WIZ_ACCOUNT_CREATE: case TR_WIZ_ACCOUNT_ERROR: case TR_ADMIN_DELETE:
        return "account";
    case TR_WIZ_ACCOUNT_MATCH:
        return "match";
    case TR_STORE_INIT:
        return "initialized";
    case TR_WIZ_CLONE: case TR_WIZ_MERGE: case TR_REFUSE_INITIALIZED: case TR_RESUME_SKIP:
    case TR_RESUME_CONTINUE: case TR_RESUME_REPLACE: case TR_RESUME_FORGET:
        return "mode";
    case TR_WIZ_MERGE_FOLDERS:
        return "folders";
    case TR_WIZ_MERGE_RULES:
        return "rules";
    case TR_WIZ_PASS_DONE: case TR_WIZ_SKIP: case TR_RESUME_PASS_DONE: case TR_RESUME_MOVE:
        return "result";
    case TR_STORE_DISCONNECT: case TR_STORE_PURGE:
        return "mailbox";
    default:
        return NULL;
    }
}

msStatus labWhyUser(labSession *ls, const char *name, labWhy *w) {
    memset(w, 0, sizeof *w);
    w->judged_dc = -1;
    if (!ls->live) {
        cannotMove(ls);
        return MS_INPUT;
    }
    char buf[128];
    uint32_t u = 1;
    while (u <= ls->sc.nusers && strcmp(scnUserName(&ls->sc, u, buf, sizeof buf), name) != 0) u++;
    if (u > ls->sc.nusers) {
        failf(ls, "why: no source user named '%.100s' in %.200s", name, ls->file);
        return MS_INPUT;
    }
    w->user = u;
    size_t n, cap = 0;
    const traceRecord *v = traceRecords(&ls->s.k.tr, &n);
    for (size_t i = 0; i < n; i++) {
        const char *role = whyRole(v[i].kind);
        if (!role || !v[i].user || strcmp(v[i].user, name) != 0) continue;
        if (w->n == cap && arrayGrow(&w->items, &cap, sizeof *w->items, 16) != MS_OK) return MS_NOMEM;
        w->items[w->n++] = (labWhyItem){role, &v[i]};
    }
    userVerdict *all = calloc(ls->sc.nusers ? ls->sc.nusers : 1, sizeof *all);
    if (!all) return MS_NOMEM;
    int64_t stranded;
    msStatus rc = worldOutcomes(&ls->s, all, &stranded, &w->judged_dc, &w->converged);
    if (rc == MS_OK) w->verdict = all[u - 1];
    free(all);
    return rc;
}

void labWhyFree(labWhy *w) {
    free(w->items);
    memset(w, 0, sizeof *w);
}
