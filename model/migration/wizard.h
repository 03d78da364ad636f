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

#endif
