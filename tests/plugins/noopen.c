/*
** A plugin whose open fails (tests/test_plugin.c): the world's build stops
** after the library was loaded, and the library must be unloaded all the
** same.
*/
#include <stddef.h>
#include "migration/migrator.h"

static void *noOpen(const migEnv *env) {
    (void)env;
    return NULL;
}

static int noNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    (void)self, (void)a, (void)why, (void)whysz;
    q->op = MIG_DONE;
    return 0;
}

static void noClose(void *self) {
    (void)self;
}

static const migrator noopen = {MIGRATOR_ABI, "noopen", "noopen", noOpen, noNext, noClose};

const migrator *migsim_migrator(void);

const migrator *migsim_migrator(void) {
    return &noopen;
}
