/*
** Plugin migrators: `--migrator plugin:PATH` (or `migrator=plugin:PATH` in a
** scenario) loads a shared library with dlopen and asks its one entry
** symbol, MIGRATOR_ENTRY (migrator.h), for the migrator it implements.
**
** Ownership.  A loaded plugin is a handle and the migrator it returned; the
** migrator's callbacks, name and actor live in the library, so the library
** must stay loaded as long as anything may call them.  The run's world
** builds the engine from the plugin (sim/run/steps.c resolves the spec and
** hands the handle to engineOpen in its engineConfig); from then on the
** engine owns it and engineClose unloads it, after the migrator's close.
** Strings a plugin hands the trace (its record's field keys) are copied by
** the trace (traceRecord.copy_keys), so the run's records outlive the
** library.
**
** A plugin needs no symbol of migsim's: everything it calls comes through
** the migEnv it is opened with (env->emit for its narrative records), and
** the types it uses are plain structs of the installed headers.  The library
** is loaded RTLD_NOW (a missing symbol is an error at load, not a crash at
** run time) and RTLD_LOCAL (its symbols do not leak into the next plugin).
*/
#ifndef MIGSIM_PLUGIN_H
#define MIGSIM_PLUGIN_H

#include <stddef.h>
#include "kernel/status.h"
#include "migration/migrator.h"

typedef struct migPlugin migPlugin;

/*
** Load the plugin at path (a file name: one without a slash is taken in the
** current directory, never searched for) and check its migrator: the entry
** symbol is there, returns a migrator with open, next and close, of ABI
** MIGRATOR_ABI.  On success *m is the migrator and *out the handle to
** release with pluginUnload.  On failure MS_INPUT and one line in err:
**   migrator plugin:PATH: no such file
**   migrator plugin:PATH: not a plugin: WHY
**   migrator plugin:PATH: wrong ABI: the plugin has N, this migsim has 1
*/
msStatus pluginLoad(const char *path, const migrator **m, migPlugin **out, char *err, size_t errsz);

/* Unload the library and free the handle (safe with NULL). */
void pluginUnload(migPlugin *p);

#endif
