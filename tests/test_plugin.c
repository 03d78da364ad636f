/*
** Plugin migrators (model/migration/plugin.c) and the embedding entry
** (simInitWith): the example plugin tools/migrators/refuse.c passes its
** scenarios and says what it refused in typed records; the library is
** loaded while the run's world lives and unloaded with it, and the run's
** records outlive it; each load error is one exact line and exit 2; an
** embedding program's own migrator overrides the scenario's and --migrator.
**
** The plugins are built by the Makefile: MIGSIM_PLUGINS names the build
** directory (build/tools/migrators/librefuse.so, build/tests/plugins/lib*.so:
** noentry has no entry symbol, wrongabi another ABI, noopen an open that fails).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "migration/engine.h"
#include "migration/plugin.h"
#include "run/result.h"
#include "run/sim.h"
#include "exfixture.h"

#define PLUGIN_PATH_MAX (PATH_MAX + 64)
static char refusePath[PLUGIN_PATH_MAX], noentryPath[PLUGIN_PATH_MAX], wrongabiPath[PLUGIN_PATH_MAX],
    noopenPath[PLUGIN_PATH_MAX];


static int setupPaths(void **state) {
    (void)state;
    const char *b = getenv("MIGSIM_PLUGINS");
    char dir[PATH_MAX] = "";
    if (!b || !*b) {
        fprintf(stderr, "test_plugin: MIGSIM_PLUGINS must name the build directory\n");
        return -1;
    }
    /* Absolute: a test that changes directory must still find them. */
    if (b[0] != '/' && !getcwd(dir, sizeof dir - 1)) return -1;
    if (b[0] != '/') strcat(dir, "/");
    if (strlen(dir) + strlen(b) >= sizeof dir) return -1;
    strcat(dir, b);
    snprintf(refusePath, sizeof refusePath, "%s/tools/migrators/librefuse.so", dir);
    snprintf(noentryPath, sizeof noentryPath, "%s/tests/plugins/libnoentry.so", dir);
    snprintf(wrongabiPath, sizeof wrongabiPath, "%s/tests/plugins/libwrongabi.so", dir);
    snprintf(noopenPath, sizeof noopenPath, "%s/tests/plugins/libnoopen.so", dir);
    return 0;
}

/* ---- runs ---------------------------------------------------------- */

/* A run as the Exchange fixture keeps one, so its matchers (exCount, exFind) read its records. */
typedef exRun pluginRun;

/* Parse file and run it with spec (a --migrator) to the end, keeping records. */
static void runWith(pluginRun *r, const char *file, const char *spec) {
    scnError err;
    assert_int_equal(scnParseFile(file, &r->sc, &err), MS_OK);
    simOptions opt = {0};
    opt.record = 1;
    opt.migrator = spec;
    assert_int_equal(simInit(&r->s, &r->sc, &opt), MS_OK);
    r->verdict = simRun(&r->s);
}

static void freeRun(pluginRun *r) {
    simFree(&r->s);
    scnFree(&r->sc);
}

static char *pluginSpec(char *buf, size_t n, const char *path) {
    snprintf(buf, n, "plugin:%s", path);
    return buf;
}

/* 1 when the library at path is loaded in this process. */
static int loaded(const char *path) {
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h) dlclose(h);
    return h != NULL;
}

/* The example refuses the two mailboxes initialized after the cancel, and merges nothing. */
static void test_refuse_reproduce(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    pluginRun r;
    runWith(&r, "tools/migrators/refuse-reproduce.scn", pluginSpec(spec, sizeof spec, refusePath));
    assert_int_equal(r.verdict, MS_OK);
    const exRun *v = &r;
    assert_int_equal(exCount(v, TR_MIG_LOG, "actor", "refuse", "event", "refused", NULL), 2);
    assert_non_null(exFind(v, TR_MIG_LOG, "user", "user3", "event", "refused", "by", "delivery", "run", "2", NULL));
    assert_non_null(exFind(v, TR_MIG_LOG, "user", "user4", "event", "refused", "by", "logon", "run", "2", NULL));
    assert_int_equal(exCount(v, TR_MIG_LOG, "event", "cloned", NULL), 6);
    assert_non_null(exFind(v, TR_MIG_LOG, "event", "cancelled", "run", "1", NULL));
    assert_int_equal(exCount(v, TR_WIZ_MERGE, NULL), 0);
    freeRun(&r);
}

static void test_refuse_fix(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    pluginRun r;
    runWith(&r, "tools/migrators/refuse-fix.scn", pluginSpec(spec, sizeof spec, refusePath));
    assert_int_equal(r.verdict, MS_OK);
    const exRun *v = &r;
    assert_int_equal(exCount(v, TR_MIG_LOG, "event", "refused", NULL), 0);
    assert_non_null(exFind(v, TR_MIG_LOG, "event", "finished", "run", "2", NULL));
    freeRun(&r);
}

/*
** The world owns the library: loaded from simInit until simFree, and the
** records the plugin emitted (their field keys were the plugin's strings)
** are still readable in the run's result after it is gone.
*/
static void test_unloaded_with_the_world(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    pluginRun r;
    assert_false(loaded(refusePath));
    runWith(&r, "tools/migrators/refuse-reproduce.scn", pluginSpec(spec, sizeof spec, refusePath));
    assert_true(loaded(refusePath));
    runResult res;
    assert_int_equal(resultCollect(&r.s, &res), MS_OK);
    freeRun(&r);
    assert_false(loaded(refusePath));
    exRun view;   /* the result's records, seen through the fixture's matchers */
    memset(&view, 0, sizeof view);
    view.s.k.tr = res.tr;
    const exRun *v = &view;
    assert_non_null(exFind(v, TR_MIG_LOG, "user", "user3", "event", "refused", "by", "delivery", NULL));
    resultFree(&res);
}

/* A world whose build fails after the load (the plugin's open fails) unloads it too; exit 2. */
static void test_unloaded_when_the_world_fails(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    scenario sc;
    scnError err;
    assert_int_equal(scnParseFile("tools/migrators/refuse-fix.scn", &sc, &err), MS_OK);
    simOptions opt = {0};
    opt.migrator = pluginSpec(spec, sizeof spec, noopenPath);
    sim s;
    msStatus st = simInit(&s, &sc, &opt);
    assert_int_not_equal(st, MS_OK);
    assert_int_equal(msExitCode(st == MS_FAIL ? MS_INPUT : st), 2);
    assert_string_equal(s.k.err, "migrator noopen: cannot open");
    assert_false(loaded(noopenPath));
    simFree(&s);
    scnFree(&sc);
}

/* ---- load errors ---------------------------------------------------- */

static void expectResolveError(const char *spec, const char *want, int prefix) {
    const migrator *m = (const migrator *)1;
    const char *options = NULL;
    migPlugin *p = (migPlugin *)1;
    char err[512] = "";
    assert_int_equal(migratorResolve(spec, &m, &options, &p, err, sizeof err), MS_INPUT);
    assert_null(m);
    assert_null(p);
    if (prefix) {
        if (strncmp(err, want, strlen(want)) != 0) fail_msg("got '%s', want a line starting '%s'", err, want);
        assert_null(strchr(err, '\n'));
    } else {
        assert_string_equal(err, want);
    }
}

static void test_no_such_file(void **state) {
    (void)state;
    expectResolveError("plugin:/nonexistent/libmine.so", "migrator plugin:/nonexistent/libmine.so: no such file", 0);
    expectResolveError("plugin:", "migrator plugin:: no such file", 0);
}

/* A name without a slash is a file in the current directory, never one found on the library path. */
static void test_bare_name_not_searched(void **state) {
    (void)state;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char tmp[] = "/tmp/migsim-test-plugin-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    assert_int_equal(chdir(tmp), 0);
    assert_true(loaded("libc.so.6"));   /* the library path would find it */
    expectResolveError("plugin:libc.so.6", "migrator plugin:libc.so.6: no such file", 0);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rmdir(tmp), 0);
}

static void test_not_a_plugin(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8], want[PLUGIN_PATH_MAX + 128];
    snprintf(want, sizeof want, "migrator plugin:%s: not a plugin: no symbol migsim_migrator", noentryPath);
    expectResolveError(pluginSpec(spec, sizeof spec, noentryPath), want, 0);
    assert_false(loaded(noentryPath));
    /* Not a shared library at all: the loader's reason, on the same one line. */
    expectResolveError("plugin:tools/migrators/refuse-fix.scn", "migrator plugin:tools/migrators/refuse-fix.scn: not a plugin: ",
                       1);
    expectResolveError("plugin:tools", "migrator plugin:tools: not a plugin: ", 1);
}

static void test_wrong_abi(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8], want[PLUGIN_PATH_MAX + 128];
    snprintf(want, sizeof want, "migrator plugin:%s: wrong ABI: the plugin has %d, this migsim has %d", wrongabiPath,
             MIGRATOR_ABI + 98, MIGRATOR_ABI);
    expectResolveError(pluginSpec(spec, sizeof spec, wrongabiPath), want, 0);
    assert_false(loaded(wrongabiPath));
}

/* The command line: one line on stderr naming the scenario and the spec, exit 2, nothing judged. */
static void test_cli_errors(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8], want[PLUGIN_PATH_MAX + 256];
    const char *specs[] = {"plugin:/nonexistent/libmine.so", pluginSpec(spec, sizeof spec, wrongabiPath)};
    const char *wants[] = {"migrator plugin:/nonexistent/libmine.so: no such file", "wrong ABI: the plugin has"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {"migsim", "run", "tools/migrators/refuse-fix.scn", "--migrator", specs[i]};
        char *out, *err;
        size_t no, ne;
        FILE *fo = open_memstream(&out, &no), *fe = open_memstream(&err, &ne);
        int rc = cliMain(5, (char **)argv, fo, fe);
        fclose(fo);
        fclose(fe);
        assert_int_equal(rc, 2);
        snprintf(want, sizeof want, "tools/migrators/refuse-fix.scn: error: %s", wants[i]);
        if (i == 0) {
            strcat(want, "\n");
            assert_string_equal(err, want);
        } else {
            assert_non_null(strstr(err, wants[i]));
        }
        assert_null(strstr(out, "verdict"));
        free(out);
        free(err);
    }
}

static void test_cli_runs_the_plugin(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    const char *argv[] = {"migsim", "run", "tools/migrators/refuse-reproduce.scn", "--quiet", "--migrator",
                          pluginSpec(spec, sizeof spec, refusePath)};
    char *out, *err;
    size_t no, ne;
    FILE *fo = open_memstream(&out, &no), *fe = open_memstream(&err, &ne);
    int rc = cliMain(6, (char **)argv, fo, fe);
    fclose(fo);
    fclose(fe);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "verdict: PASS"));
    free(out);
    free(err);
}

/* ---- embedding: a program's own migrator ----------------------------- */

static int idleCalls;

static void *idleOpen(const migEnv *env) {
    (void)env;
    return &idleCalls;
}

/* Does nothing: every migrate step ends at once. */
static int idleNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    (void)self, (void)a, (void)why, (void)whysz;
    idleCalls++;
    q->op = MIG_DONE;
    return 0;
}

static void idleClose(void *self) {
    (void)self;
}

static const migrator idle = {MIGRATOR_ABI, "idle", "idle", idleOpen, idleNext, idleClose};

static void test_own_migrator_overrides(void **state) {
    (void)state;
    char spec[PLUGIN_PATH_MAX + 8];
    scenario sc;
    scnError err;
    assert_int_equal(scnParseFile("scenarios/kb842101/no-cancel.scn", &sc, &err), MS_OK);
    simOptions opt = {0};
    opt.record = 1;
    opt.migrator = pluginSpec(spec, sizeof spec, refusePath);
    sim s;
    idleCalls = 0;
    assert_int_equal(simInitWith(&s, &sc, &opt, &idle, NULL), MS_OK);
    assert_false(loaded(refusePath));
    assert_int_equal(simRun(&s), MS_FAIL);   /* nothing migrated: the expectations fail */
    assert_int_equal(idleCalls, 1);          /* one reply (the start) for its one migrate step */
    runResult res;
    assert_int_equal(resultCollect(&s, &res), MS_OK);
    for (uint32_t i = 0; i < res.nusers; i++) assert_int_not_equal(res.verdicts[i].out, OUT_CLONED);
    resultFree(&res);
    simFree(&s);
    scnFree(&sc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuse_reproduce),
        cmocka_unit_test(test_refuse_fix),
        cmocka_unit_test(test_unloaded_with_the_world),
        cmocka_unit_test(test_unloaded_when_the_world_fails),
        cmocka_unit_test(test_no_such_file),
        cmocka_unit_test(test_bare_name_not_searched),
        cmocka_unit_test(test_not_a_plugin),
        cmocka_unit_test(test_wrong_abi),
        cmocka_unit_test(test_cli_errors),
        cmocka_unit_test(test_cli_runs_the_plugin),
        cmocka_unit_test(test_own_migrator_overrides),
    };
    return cmocka_run_group_tests(tests, setupPaths, NULL);
}
