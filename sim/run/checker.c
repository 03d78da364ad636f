/*
** The explorer's invariants, one table row each (checker.h).  A row is one
** concept: its name, a line saying what it promises, the `expect` lines that
** say it in the scenario language, and the function that reads the same
** promise off a run's result.  The two forms read the same judge
** (model/judge: outcomes from the directory, the stores and the source
** alone, never from a migrator's account), so they agree on every run that
** ends in the state its last expectation saw; the explorer checks that they
** do rather than trusting it.
**
** Every expectation needs a converged directory: a generated scenario ends
** with `wait done` and `wait converged` before them, and a run whose steps
** failed (the directory never converged, say) breaks no invariant: it is
** counted as a failed step instead.
*/
#include <string.h>
#include "run/checker.h"

static int anyOutcome(const runResult *r, outcome a, outcome b, outcome c) {
    for (uint32_t i = 0; i < r->nusers; i++) {
        outcome o = r->verdicts[i].out;
        if (o == a || o == b || o == c) return 1;
    }
    return 0;
}

static int brokenDuplicate(const runResult *r) {
    return anyOutcome(r, OUT_DUPLICATE, OUT_DUPLICATE, OUT_DUPLICATE);
}

static int brokenGhost(const runResult *r) {
    return anyOutcome(r, OUT_GHOST, OUT_GHOST, OUT_GHOST);
}

static int brokenMissing(const runResult *r) {
    return anyOutcome(r, OUT_ABSENT, OUT_UNMIGRATED, OUT_PARTIAL);
}

static int brokenMerged(const runResult *r) {
    return anyOutcome(r, OUT_MERGED, OUT_MERGED, OUT_MERGED);
}

static int brokenStranded(const runResult *r) {
    return r->stranded != 0;
}

static const checker checkers[CHK__COUNT] = {
    [CHK_NO_DUPLICATE] = {"no-duplicate", "no user has two or more live accounts (outcome duplicate)",
                          {"expect all not duplicate", NULL, NULL}, brokenDuplicate},
    [CHK_NO_GHOST] = {"no-ghost", "no user's copies sit only in a mailbox no account owns (outcome ghost)",
                      {"expect all not ghost", NULL, NULL}, brokenGhost},
    [CHK_NO_MISSING] = {"no-missing",
                        "every user's mailbox holds every source item (no outcome absent, unmigrated or partial)",
                        {"expect all not absent", "expect all not unmigrated", "expect all not partial"},
                        brokenMissing},
    [CHK_NO_MERGED] = {"no-merged", "no user's folders lost their source IDs (outcome merged)",
                       {"expect all not merged", NULL, NULL}, brokenMerged},
    [CHK_NO_STRANDED] = {"no-stranded", "no delivered item sits in a mailbox no account owns (stranded=0)",
                         {"expect stranded=0", NULL, NULL}, brokenStranded},
};

const checker *checkerGet(int id) {
    if (id < 0 || id >= CHK__COUNT) return NULL;
    return &checkers[id];
}

int checkerFind(const char *name) {
    for (int i = 0; i < CHK__COUNT; i++)
        if (strcmp(checkers[i].name, name) == 0) return i;
    return -1;
}

int checkerExpectFailed(int id, const runResult *r) {
    const checker *c = checkerGet(id);
    if (!c) return 0;
    for (size_t e = 0; e < r->nexpects; e++) {
        if (r->expects[e].passed) continue;
        for (int k = 0; k < CHECKER_MAX_EXPECTS && c->expects[k]; k++)
            if (strcmp(r->expects[e].text, c->expects[k]) == 0) return 1;
    }
    return 0;
}
