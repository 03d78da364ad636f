/*
** The migration engine: runs a migrator (migrator.h) in virtual time against
** the simulated world.  One engine serves a whole run; each `migrate` step
** starts a migration run on it, and the engine carries the migrator's
** requests out one at a time, each taking the time the model gives it,
** until the migrator says it is done.
**
** The engine is also what the Exchange side sees of migration: it installs
** the exMigratorView (a user's logon follows the association the migrator
** declared; an administrator's cleanup deletes the accounts the migrator
** created or matched; delivery bounces for a protected mailbox), kept from
** the requests the migrator made, never from what it says about itself.
**
** Invariants: at most one migration run is active; a reply is delivered
** once, to the request it answers (a stale completion event, from before a
** cancel, finds a newer generation and does nothing); virtual time never
** goes back between a request and its reply.
*/
#ifndef MIGSIM_ENGINE_H
#define MIGSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include "exchange/exchangeint.h"
#include "migration/cancel.h"
#include "migration/migrator.h"
#include "migration/plugin.h"

typedef struct engine engine;

/* The `wizard` statement (and `--migrator`): where migration runs and how fast. */
typedef struct engineConfig {
    int server, dc;            /* indexes of its server and DC */
    int64_t rate;              /* items per second */
    int protect;               /* the protect (/D) option */
    const migrator *m;         /* the migrator; NULL: the built-in wizard2003 */
    const char *options;       /* the migrator's options ("" or NULL: none) */
    migPlugin *plugin;         /* the library m lives in (plugin.h), or NULL: engineOpen takes it */
    int64_t timeout_ms;        /* a process migrator's wall-clock limit per answer (0: the default, 10 s) */
} engineConfig;

/*
** Open the engine on x with cfg: open the migrator's instance and install
** the engine's exMigratorView in x.  On failure x's kernel err says why.
** The engine owns cfg->plugin whatever this returns: engineClose (or a
** failed open) unloads it after the migrator's last call.
*/
msStatus engineOpen(exchange *x, const engineConfig *cfg, engine **out);

/* Close the migrator, unload its plugin, free the engine; uninstall the view (safe with NULL). */
void engineClose(engine *e);

/*
** `migrate`: start a run over the n users (1-based, ascending; dc -1: the
** configured DC).  MS_FAIL, with the reason in err, when a run is active.
*/
msStatus engineStart(engine *e, const uint32_t *users, size_t n, int dc);

/* 1 while a run is active (`wait done` waits for 0). */
int engineActive(const engine *e);

/* The number of the current (or last) run; 0 before the first. */
int engineRunNumber(const engine *e);

/*
** `cancel [when ...]`: MS_FAIL when no run is active.  CANCEL_NOW cancels at
** once (the request in flight is answered `cancelled` now); the conditions
** arm the engine, and engineCancelSettled reports 1 once the cancel took
** effect, -1 when the run ended first (err says so), 0 meanwhile.
*/
msStatus engineCancel(engine *e, cancelWhen when, int64_t n);
int engineCancelSettled(const engine *e);

/*
** `wait when mailboxes=N|items=N`: arm the same condition as `cancel when`
** at the same points (a mailbox boundary, a logon, a batch boundary), but
** when it holds the run goes on and the wait ends: engineCancelSettled then
** reports 1 (-1 when the run ended first, err saying so).  MS_FAIL when no
** run is active.
*/
msStatus engineWaitFor(engine *e, cancelWhen when, int64_t n);

/* Users the migrator declared an account for, ascending (up to max into out); returns how many. */
size_t engineUsers(const engine *e, uint32_t *out, size_t max);

/* The end of the scenario: a run still active gets a closing line. */
void engineFinish(engine *e);

/* The built-in migrator named name ("wizard2003", ...), or NULL. */
const migrator *engineBuiltin(const char *name);

/*
** The migrator a SPEC names: builtin:NAME or NAME (a built-in), exec:COMMAND
** (a process speaking JSON Lines), plugin:PATH (a shared library's
** MIGRATOR_ENTRY).  *options receives what the migrator is opened with (the
** command, the path; "" for a built-in).  *plugin receives the loaded
** library of a plugin (NULL otherwise), for engineConfig.plugin: the caller
** owns it until it hands it to engineOpen.  MS_INPUT with a one-line reason
** in err when the spec names nothing usable.
*/
msStatus migratorResolve(const char *spec, const migrator **m, const char **options, migPlugin **plugin, char *err,
                         size_t errsz);

/* The built-in migrators' names, for messages: "wizard2003, ...". */
const char *engineBuiltinNames(void);

#endif
