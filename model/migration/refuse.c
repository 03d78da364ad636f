/*
** refuse-initialized: the Exchange Migration Wizard (wizard.c), except that
** a target mailbox initialized outside the migration is never merged into.
**
** The wizard already logs on to each target mailbox before copying
** (stage 2).  Where it would switch to merge mode because delivery or the
** user's logon initialized the mailbox (the KB 842101 symptom), this
** strategy stops that user instead: one finding (refuse.initialized) says
** what initialized the mailbox and when, and what to do (delete the
** account, wait for replication, rerun); the closing log counts the
** mailbox as refused, and the run's status is 2 (errors).  The user's
** outcome is then `unmigrated`, honestly, instead of `merged`.
**
** A mailbox the migration itself cloned (an earlier pass, cancelled or
** complete) is not refused: its folders carry the source's IDs, so the
** wizard's merge only adds what is missing and the mailbox stays cloned.
**
** Invariant: no request of this strategy merges into a mailbox that the
** store reports initialized by delivery or by logon.
*/
#include <stdlib.h>
#include "migration/strategy.h"
#include "migration/wizard.h"

static int refuseHook(void *ctx, uint32_t user, const char *name, const guid *mbx, const migReply *a) {
    const migEnv *env = ctx;
    char mg[GUID_STRLEN], t[CLOCK_BUFSZ];
    (void)user;
    if (a->initialized_by == MIG_INIT_CLONE) return 0;
    traceRecord r = traceNew(TR_REFUSE_INITIALIZED, "wizard");
    r.user = name;
    traceMailbox(&r, mbx);
    traceStr(&r, "initialized_by", migInitName(a->initialized_by));
    traceInt(&r, "initialized_at", a->initialized_at);
    strategyEmit(env, &r, "%s: target mailbox %s was initialized by %s at %s: not merged (refuse-initialized); "
                 "delete the account, wait for replication and rerun", name, guidFormat(mbx, mg),
                 migInitName(a->initialized_by), clockFormat(a->initialized_at, t));
    return 1;
}

static void *refuseOpen(const migEnv *env) {
    wizardHooks hooks = {(void *)env, refuseHook};
    return wizardOpen(env, &hooks);
}

static const migrator refuseDef = {
    MIGRATOR_ABI, "refuse-initialized", "wizard", refuseOpen, wizardNext, wizardClose,
};

const migrator *refuseMigrator(void) {
    return &refuseDef;
}
