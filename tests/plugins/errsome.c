/*
** A plugin migrator that fails in some worlds (tests/test_explore.c): in a
** world of more than ERRSOME_MAX_USERS source users its first request is an
** internal error (`next` returns -1), so the run stops with exit 2; in any
** other world it does nothing and ends each migrate step at once.  The
** explorer must count those runs, write the first one's world, shrunk, to
** explore-migrator-error.scn, and `migsim run` that file must stop on the
** same error.  Its message carries the number of users, which shrinking
** changes: the explorer compares errors with their numbers set aside.
*/
#include <stdio.h>
#include <stdlib.h>
#include "migration/migrator.h"

#define ERRSOME_MAX_USERS 12

typedef struct errState {
    uint32_t nusers;
} errState;

static void *errOpen(const migEnv *env) {
    errState *e = malloc(sizeof *e);
    if (e) e->nusers = env->nusers;
    return e;
}

static int errNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    const errState *e = self;
    (void)a;
    if (e->nusers > ERRSOME_MAX_USERS) {
        snprintf(why, whysz, "%u source users, more than the %d it can take", (unsigned)e->nusers, ERRSOME_MAX_USERS);
        return -1;
    }
    q->op = MIG_DONE;
    return 0;
}

static void errClose(void *self) {
    free(self);
}

static const migrator errsome = {MIGRATOR_ABI, "errsome", "errsome", errOpen, errNext, errClose};

const migrator *migsim_migrator(void);

const migrator *migsim_migrator(void) {
    return &errsome;
}
