/*
** Plugin migrators (plugin.h): a shared library's migrator, loaded with
** dlopen and checked before the engine ever calls it.
**
** The checks run in the order a user would fix them: the file exists; it is
** a shared library that loads (every symbol it needs resolved now); it has
** the entry symbol; the entry returns a migrator; that migrator was built
** against this ABI (the number is checked before any other field is read,
** since a different ABI may lay the struct out differently); it has the
** three callbacks.  Each failure is one line naming the spec as the user
** wrote it, so the CLI can print it as is.
**
** Invariant: a handle exists only for a library that passed every check,
** and its migrator pointer is valid exactly as long as the handle.
*/
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "migration/plugin.h"

struct migPlugin {
    void *lib;
    const migrator *m;
};

/* dlerror's words without the file name it starts with ("PATH: invalid ELF header"). */
static const char *dlWhy(const char *loaded) {
    const char *why = dlerror();
    if (!why) return "cannot load it";
    size_t n = strlen(loaded);
    if (strncmp(why, loaded, n) == 0 && why[n] == ':' && why[n + 1] == ' ') why += n + 2;
    return why;
}

/* The entry's migrator, checked; NULL with the reason in err. */
static const migrator *entryMigrator(void *lib, const char *path, char *err, size_t errsz) {
    /* POSIX's way to turn dlsym's object pointer into a function pointer. */
    migratorEntryFn *entry;
    void *sym = dlsym(lib, MIGRATOR_ENTRY);
    if (!sym) {
        snprintf(err, errsz, "migrator plugin:%s: not a plugin: no symbol %s", path, MIGRATOR_ENTRY);
        return NULL;
    }
    memcpy(&entry, &sym, sizeof entry);
    const migrator *m = entry();
    if (!m) {
        snprintf(err, errsz, "migrator plugin:%s: not a plugin: %s() returned no migrator", path, MIGRATOR_ENTRY);
        return NULL;
    }
    if (m->abi != MIGRATOR_ABI) {
        snprintf(err, errsz, "migrator plugin:%s: wrong ABI: the plugin has %d, this migsim has %d", path, m->abi,
                 MIGRATOR_ABI);
        return NULL;
    }
    if (!m->open || !m->next || !m->close || !m->name) {
        snprintf(err, errsz, "migrator plugin:%s: not a plugin: its migrator lacks a name, open, next or close", path);
        return NULL;
    }
    return m;
}

msStatus pluginLoad(const char *path, const migrator **m, migPlugin **out, char *err, size_t errsz) {
    *m = NULL;
    *out = NULL;
    struct stat sb;
    if (!*path || stat(path, &sb) != 0) {
        snprintf(err, errsz, "migrator plugin:%s: no such file", path);
        return MS_INPUT;
    }
    /* dlopen searches the library path for a name without a slash: say where it is. */
    char local[4096];
    const char *load = path;
    if (!strchr(path, '/')) {
        snprintf(local, sizeof local, "./%s", path);
        load = local;
    }
    void *lib = dlopen(load, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errsz, "migrator plugin:%s: not a plugin: %s", path, dlWhy(load));
        return MS_INPUT;
    }
    const migrator *found = entryMigrator(lib, path, err, errsz);
    migPlugin *p = found ? malloc(sizeof *p) : NULL;
    if (!p) {
        if (found) snprintf(err, errsz, "migrator plugin:%s: out of memory", path);
        dlclose(lib);
        return found ? MS_NOMEM : MS_INPUT;
    }
    p->lib = lib;
    p->m = found;
    *m = found;
    *out = p;
    return MS_OK;
}

void pluginUnload(migPlugin *p) {
    if (!p) return;
    dlclose(p->lib);
    free(p);
}
