/*
** embed: an example program that embeds libmigsim (docs/migrators.md, "The
** C API").  It parses a scenario, runs it with a migrator of its own instead
** of the scenario's, and prints each user's outcome and the verdict:
**
**   cc embed.c $(pkg-config --cflags --libs migsim) -o embed
**   ./embed scenarios/kb842101/no-cancel.scn
**   user1 cloned extra=0 dupes=0 missing=0 rules_broken=0
**   ...
**   verdict: PASS
**
** Its migrator, "oneshot", is the least a migration tool can be: per user,
** read the source mailbox, add the target account (or, when its name is
** taken, find it by the user's X500 address), declare the association, clone
** the mailbox in one copy request, report it done.  A mailbox already
** initialized is left alone.  It logs nothing of its own: the engine traces
** every request, and the judge reads the world.
**
** Exit status: 0 every expectation held, 1 one failed, 2 the scenario could
** not be read or run.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "migration/migrator.h"
#include "run/result.h"
#include "run/sim.h"
#include "scenario/scenario.h"

enum step { O_SOURCE, O_ADD, O_FIND, O_ASSOC, O_PREPARE, O_COPY, O_DONE };

typedef struct oneshot {
    migStart run;
    size_t cur;
    enum step step;
    char x500[200];
    int64_t nitems;
    guid account, mailbox;
} oneshot;

static void *osOpen(const migEnv *env) {
    (void)env;
    return calloc(1, sizeof(oneshot));
}

static void osClose(void *self) {
    free(self);
}

static void ask(oneshot *o, migRequest *q, migOp op, enum step next) {
    q->op = op;
    q->dc = o->run.dc;
    q->server = o->run.server;
    q->user = o->run.users[o->cur];
    q->object = o->account;
    q->mailbox = o->mailbox;
    o->step = next;
}

/* The next user's first request, or the end of the run. */
static void nextUser(oneshot *o, migRequest *q) {
    if (o->cur >= o->run.nusers) {
        q->op = MIG_DONE;
        return;
    }
    ask(o, q, MIG_OP_SOURCE_MAILBOX, O_SOURCE);
}

static int osNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    oneshot *o = self;
    if (a->status == MIG_START) {
        o->run = a->start;   /* start.users stays valid for the whole migrate step */
        o->cur = 0;
        nextUser(o, q);
        return 0;
    }
    if (a->status == MIG_ERR_CANCELLED) {
        q->op = MIG_DONE;
        return 0;
    }
    switch (o->step) {
    case O_SOURCE:
        snprintf(o->x500, sizeof o->x500, "%s", a->x500 ? a->x500 : "");
        o->nitems = a->items;
        ask(o, q, MIG_OP_DIR_ADD, O_ADD);
        return 0;
    case O_ADD:
        if (a->status == MIG_ERR_NAME_EXISTS) {
            ask(o, q, MIG_OP_DIR_SEARCH, O_FIND);
            q->by = MIG_BY_X500;
            q->key = o->x500;
            return 0;
        }
        o->account = a->object;
        o->mailbox = a->mailbox;
        ask(o, q, MIG_OP_STORE_ASSOCIATE, O_ASSOC);
        return 0;
    case O_FIND:
        if (a->status != MIG_OK || a->nentries == 0) break;
        o->account = a->entries[0].object;
        o->mailbox = a->entries[0].mailbox;
        ask(o, q, MIG_OP_STORE_ASSOCIATE, O_ASSOC);
        return 0;
    case O_ASSOC:
        ask(o, q, MIG_OP_STORE_PREPARE, O_PREPARE);
        q->mode = MIG_CLONE;
        return 0;
    case O_PREPARE:
        if (a->status == MIG_ERR_INITIALIZED) {
            ask(o, q, MIG_OP_MAILBOX_DONE, O_DONE);
            return 0;
        }
        ask(o, q, MIG_OP_STORE_COPY, O_COPY);
        q->mode = MIG_CLONE;
        q->first = 0;
        q->count = o->nitems;
        return 0;
    case O_COPY: ask(o, q, MIG_OP_MAILBOX_DONE, O_DONE); return 0;
    case O_DONE:
        o->cur++;
        nextUser(o, q);
        return 0;
    }
    snprintf(why, whysz, "cannot find the account of user %u", (unsigned)o->run.users[o->cur]);
    return -1;
}

static const migrator oneshotMigrator = {MIGRATOR_ABI, "oneshot", "oneshot", osOpen, osNext, osClose};

/* Each user's outcome and the verdict, from the run's result. */
static void printResult(const runResult *r) {
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        printf("%s %s", r->user_names[i], outcomeName(v->out));
        for (int c = 0; v->counted && c < CTR__COUNT; c++) printf(" %s=%lld", counterName(c), (long long)v->counters[c]);
        printf("\n");
    }
    printf("verdict: %s\n", r->verdict == MS_OK ? "PASS" : "FAIL");
}

static int run(const char *path) {
    scenario sc;
    scnError err;
    if (scnParseFile(path, &sc, &err) != MS_OK) {
        char line[640];
        scnErrorFormat(&err, line, sizeof line);
        fprintf(stderr, "%s\n", line);
        return 2;
    }
    simOptions opt = {0};
    sim s;
    runResult r;
    int rc = 2;
    msStatus st = simInitWith(&s, &sc, &opt, &oneshotMigrator, "");
    if (st == MS_OK) st = simRun(&s);
    if ((st == MS_OK || st == MS_FAIL) && resultCollect(&s, &r) == MS_OK) {
        printResult(&r);
        rc = r.verdict == MS_OK ? 0 : 1;
        resultFree(&r);
    } else {
        fprintf(stderr, "%s: error: %s\n", path, s.k.err[0] ? s.k.err : msStatusName(st));
    }
    simFree(&s);
    scnFree(&sc);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: embed FILE.scn\n");
        return 2;
    }
    return run(argv[1]);
}
