/*
** The Exchange Migration Wizard (mailmig.exe) as KB 842101 and the Exchange
** 2003 Deployment Guide describe it, as a migrator on the engine
** (migrator.h): `--migrator builtin:wizard2003`, the default.  wizard.c's
** essay gives its rules.
*/
#ifndef MIGSIM_WIZARD_H
#define MIGSIM_WIZARD_H

#include "migration/migrator.h"

/* The built-in wizard2003 migrator. */
const migrator *wizardMigrator(void);

/*
** A strategy's decisions inside the wizard.  initialized: a stage-2 logon
** found user's target mailbox mbx initialized (the logon reply a says by
** what and when); return 1 to stop that user there (the mailbox is reported
** done, the closing log says "refused"; the hook emits its own finding), 0
** to merge as the wizard does.  NULL: merge.
*/
typedef struct wizardHooks {
    void *ctx;
    int (*initialized)(void *ctx, uint32_t user, const char *name, const guid *mbx, const migReply *a);
} wizardHooks;

/*
** The wizard as parts of another migrator: an instance on env with hooks
** (NULL: none), driven by wizardNext exactly as migrator.next (MIG_START
** first, MIG_DONE at the end of each run), freed by wizardClose.  One
** instance may serve several runs, like the migrator's.
*/
void *wizardOpen(const migEnv *env, const wizardHooks *hooks);
int wizardNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz);
void wizardClose(void *self);

#endif
