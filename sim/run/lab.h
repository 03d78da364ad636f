/*
** The lab: one interactive session over one run (`migsim lab`).  A session
** owns the scenario as played (its text, ad-hoc steps included), the run at
** the current moment, and the history of the moves that led there, so it can
** go forward one unit of work at a time, go back, jump to an instant or a
** line, and insert a step at the current moment.
**
** Time travel is replay.  A run is a function of its scenario text and its
** options, so a position in it is named by the text's version and the number
** of units of work (simStep calls) done since time 0.  Going back or jumping
** builds a new run of that text and steps it, silently, the right number of
** times; nothing is undone in place.  A replay of a small scenario takes
** milliseconds, so the user sees it as instant.
**
** Ad-hoc steps (`do STEP`) are part of the text.  The step is written into a
** new version of the played text at the current moment, as a scenario line
** that a later `migsim run` executes at the same instant: before the next
** step when that is due now; between the two halves of a `wait DUR` (or of a
** `wait converged` or `wait done`) that is under way, split at the current
** instant.  The new text is parsed by the scenario parser, so the step is
** checked in the scenario's context (names, users, options), and the run is
** replayed over it to the step, which then executes narrated.  Since the
** session's run is always a run of its played text with no other override
** than the migrator options, `save` writes that text and `migsim run` of the
** saved file replays the same records (lines included) to the same state.
**
** A step is placed in time as a scenario step would be: after every event
** due at its instant.  So `do` first fires the events due at the current
** instant that are still pending.  A step cannot be placed inside a blocking
** step that is not a pure wait (`sync`, `cancel when`, ...): the language
** cannot say "during it"; the lab says so and changes nothing.
**
** Invariants: the live run is always the run of texts[text] replayed for
** `units` units; every history mark names a text version and a unit count
** that was a real position; `--seed` is written into the text (its `seed`
** line, or a blank or comment line of the world, or a new first line), so the
** text alone fixes the run.
*/
#ifndef MIGSIM_LAB_H
#define MIGSIM_LAB_H

#include <stddef.h>
#include <stdint.h>
#include "judge/outcome.h"
#include "kernel/trace.h"
#include "run/sim.h"
#include "scenario/scenario.h"

typedef struct labOptions {
    int has_seed;               /* --seed: written into the played text */
    uint64_t seed;
    const char *migrator;       /* --migrator SPEC (NULL: the scenario's) */
    int64_t migrator_timeout_ms;
    const scnSetting *set;      /* --set NAME=VALUE (scnParseWith); must outlive the session */
    size_t nset;
} labOptions;

/* One position of the session: a text version and the units done in it. */
typedef struct labMark {
    size_t text;
    uint64_t units;
} labMark;

typedef struct labSession {
    char *file;                 /* the scenario's file name, for messages */
    labOptions opt;
    char **texts;               /* every version of the played text (`do` adds one) */
    size_t ntexts, captexts;
    size_t text;                /* the version the live run plays */
    scenario sc;                /* texts[text], parsed */
    sim s;                      /* the live run */
    int live;                   /* s was built (simFree due) */
    uint64_t units;             /* units of work done by s */
    labMark *hist;              /* the position before each move, oldest first */
    size_t nhist, caphist;
    int quiet;                  /* replaying: narration is swallowed */
    uint64_t narrated;          /* narrated records so far, replays included */
    traceNarrator *narrator;    /* where narrated records of live moves go */
    void *narrator_ctx;
    char err[512];              /* why the last call failed, one line */
} labSession;

/* What one unit of work was (labStep). */
typedef struct labUnit {
    simtime at;
    int was_step;               /* a scenario step (line) rather than an event */
    int line;
    const char *what;           /* the event's label (static), or the step's text */
    uint64_t quiet;             /* units before it that narrated nothing, done along with it */
} labUnit;

/* One record of a `why` chain and the part it plays in the user's outcome. */
typedef struct labWhyItem {
    const char *role;           /* "account", "match", "initialized", "mode", "folders", "rules", "result", "mailbox" */
    const traceRecord *r;       /* in the live run's trace: valid until the next move */
} labWhyItem;

typedef struct labWhy {
    uint32_t user;
    userVerdict verdict;        /* the judge's verdict now */
    int converged;              /* the directory has converged (the verdict is meaningful) */
    int judged_dc;              /* the DC the judge read (-1: none) */
    labWhyItem *items;
    size_t n;
} labWhy;

/*
** Open a session over the len bytes of scenario text named file, at time 0.
** A text that does not parse gives MS_INPUT (or MS_RANGE) with *perr set; a
** run that cannot be built gives its status with ls->err set.  Narrated
** records of later moves go to narrator(ctx, record) (NULL: nowhere).  On
** failure ls holds nothing to free beyond labClose.
*/
msStatus labOpen(labSession *ls, const char *file, const char *text, size_t len, const labOptions *o,
                 traceNarrator *narrator, void *ctx, scnError *perr);

/* Release everything ls owns (safe on a zeroed or failed session). */
void labClose(labSession *ls);

/* The live run (read it, never step it). */
sim *labSim(labSession *ls);

/*
** The next step of the played text (NULL at its end) and whether the step
** before it still waits for its condition (*waiting: then the returned step
** is that one).
*/
const stmt *labNextStmt(const labSession *ls, int *waiting);

/* 1 when the run has ended. */
int labDone(const labSession *ls);

/*
** One unit of work, narrated: the next event or step (*u says which), with
** the units before it that narrate nothing (they are plumbing: a migrator's
** reply, a replication pull that found nothing) done along with it; with
** join, the unit is part of the previous move (`step N`'s later units), so
** `back` undoes them together.  The
** moves below return MS_OK when the move was made (a run that failed a step
** on the way included: its failure is narrated), MS_INPUT with ls->err when
** it cannot be made (the position is unchanged), another status on an
** internal error (the session should then be closed).
*/
msStatus labStep(labSession *ls, labUnit *u, int join);

/* Run, narrated, until the next step of the text has executed (or the run ends). */
msStatus labNext(labSession *ls);

/* Run, narrated, until every unit due at or before t has been done; t must not be in the past. */
msStatus labUntil(labSession *ls, simtime t);

/* Undo the last n moves (n >= 1): replay, silently, to the position before them. */
msStatus labBack(labSession *ls, size_t n);

/* Replay, silently, from time 0 to instant t (after the units due at t). */
msStatus labGotoTime(labSession *ls, simtime t);

/* Replay, silently, from time 0 to just before the step on line `line` of the played text executes. */
msStatus labGotoLine(labSession *ls, int line);

/*
** Execute the scenario step `step` (one line of the scenario language) now,
** as a line of a new version of the played text (see above); its narration
** and that of the events due now fire first.  *line receives its line in
** the played text.  A step that does not parse is MS_INPUT with ls->err as
** "do: column N: MESSAGE" (N counted in step); so is a step longer than
** 1024 bytes, or one that cannot be placed now (see above).
*/
msStatus labDo(labSession *ls, const char *step, int *line);

/* The number of moves `back` can undo. */
size_t labHistory(const labSession *ls);

/*
** The played text as a scenario file, into *out (malloc'd, NUL-terminated;
** the caller frees it): the current version, then comment lines saying
** where the session stood and, when --migrator's SPEC cannot be written into
** the wizard line, the option to run it with.
*/
msStatus labSavedText(const labSession *ls, char **out);

/*
** The chain of records that decided the outcome of the user named name so
** far (exact name), with the judge's verdict now, into *w (free with
** labWhyFree).  Records are chosen by kind and user subject: the account
** stage 1 created or matched, the mailbox's initialization, the mode each
** pass chose, folders created anew, rules copied, each pass's result, and
** what became of the mailbox (disconnected, purged).  MS_INPUT when no source
** user has that name.
*/
msStatus labWhyUser(labSession *ls, const char *name, labWhy *w);

/* Release what w owns. */
void labWhyFree(labWhy *w);

#endif
