/*
** Tests of the migsim command (sim/cli.c, sim/check.c), driven in process
** through cliMain with memory streams: help and version, every usage error
** as one line with exit status 2, the verdict's exit statuses, --json,
** --db written atomically, --ldif, and `check` over a directory with a
** passing, a failing and an unparsable scenario.  Outputs: a repeated
** option, two outputs that are one file, a --db symbolic link and its
** target's mode, a 250-character name.  A scenario with no expectation
** (NONE, EMPTY, --allow-empty), and `check` over a tree of links.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "clirun.h"

static int setupDir(void **state) {
    (void)state;
    return tmpdirMake("cli");
}

static int teardownDir(void **state) {
    (void)state;
    return tmpdirRemove();
}

/* The whole file at path, NUL-terminated (fails the test when unreadable). */
static char *readFile(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

/* Number of entries in tmpdir/sub whose name starts with '.' (temporaries). */
static int hiddenFiles(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static const char passing[] = "seed 3\nsite S\ndc DC1 site=S\nwait 1s\nexpect converged\n";
static const char failing[] =
    "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=2\nwait 1s\nexpect dc DC1 has user1\n";
static const char broken[] = "seed 1\nfrobnicate now\n";

static void test_version_and_help(void **state) {
    (void)state;
    const char *v[] = {"migsim", "--version"};
    captured c = runCli(2, v);
    assert_int_equal(c.status, 0);
    assert_string_equal(c.out, "migsim " MIGSIM_VERSION "\n");
    freeCaptured(&c);
    const char *h[] = {"migsim", "--help"};
    c = runCli(2, h);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "usage: migsim run"));
    freeCaptured(&c);
    const char *rh[] = {"migsim", "run", "--help"};
    c = runCli(3, rh);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "--ldif DC=FILE"));
    freeCaptured(&c);
    const char *ch[] = {"migsim", "check", "--help"};
    c = runCli(3, ch);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "usage: migsim check"));
    freeCaptured(&c);
}

static void expectUsageError(int argc, const char **argv, const char *needle) {
    captured c = runCli(argc, argv);
    assert_int_equal(c.status, 2);
    assert_int_equal(countLines(c.err), 1);
    if (!strstr(c.err, needle)) fail_msg("'%s' not in '%s'", needle, c.err);
    assert_string_equal(c.out, "");
    freeCaptured(&c);
}

static void test_usage_errors(void **state) {
    (void)state;
    char p[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    const char *a1[] = {"migsim"};
    expectUsageError(1, a1, "migsim: error: no command given (see 'migsim --help')");
    const char *a2[] = {"migsim", "frob"};
    expectUsageError(2, a2, "migsim: error: unknown command 'frob'");
    const char *a3[] = {"migsim", "--frob"};
    expectUsageError(2, a3, "unknown option '--frob'");
    const char *a4[] = {"migsim", "run", p, "--frob"};
    expectUsageError(4, a4, "migsim: error: unknown option '--frob' (see 'migsim run --help')");
    const char *a5[] = {"migsim", "run"};
    expectUsageError(2, a5, "no scenario file given");
    const char *a6[] = {"migsim", "run", p, "--seed", "x1"};
    expectUsageError(5, a6, "--seed needs a number");
    const char *a7[] = {"migsim", "run", p, "--seed", "9223372036854775808"};
    expectUsageError(5, a7, "--seed needs a number");
    const char *a8[] = {"migsim", "run", p, "--ldif", "DC1"};
    expectUsageError(5, a8, "--ldif needs DC=FILE");
    const char *a9[] = {"migsim", "run", p, "--ldif", "NODC=x.ldif"};
    expectUsageError(5, a9, "--ldif NODC: no dc of that name");
    char db[512];
    pathIn("same.out", db, sizeof db);
    char ldif[600];
    snprintf(ldif, sizeof ldif, "DC1=%s", db);
    const char *a12[] = {"migsim", "run", p, "--db", db, "--ldif", ldif};
    expectUsageError(7, a12, "the same file as --db");
    const char *a13[] = {"migsim", "run", p, "--ldif", ldif, "--ldif", ldif};
    expectUsageError(7, a13, "the same file as --ldif");
    const char *a10[] = {"migsim", "check"};
    expectUsageError(2, a10, "no scenario or directory given");
    const char *a11[] = {"migsim", "run", p, p};
    expectUsageError(4, a11, "more than one scenario file");
}

static void test_missing_and_unreadable_files(void **state) {
    (void)state;
    char p[512];
    const char *a1[] = {"migsim", "run", pathIn("nope.scn", p, sizeof p)};
    captured c = runCli(3, a1);
    assert_int_equal(c.status, 2);
    assert_int_equal(countLines(c.err), 1);
    assert_non_null(strstr(c.err, "nope.scn: error: cannot read: No such file or directory"));
    freeCaptured(&c);
    /* A directory cannot be read as a scenario (root reads any mode-000 file). */
    const char *a2[] = {"migsim", "run", tmpdir};
    c = runCli(3, a2);
    assert_int_equal(c.status, 2);
    assert_int_equal(countLines(c.err), 1);
    assert_non_null(strstr(c.err, "error: cannot read"));
    freeCaptured(&c);
}

static void test_bad_scenario_is_one_line(void **state) {
    (void)state;
    char p[512];
    writeFile(pathIn("bad.scn", p, sizeof p), broken);
    const char *a[] = {"migsim", "run", p};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 2);
    assert_int_equal(countLines(c.err), 1);
    char want[600];
    snprintf(want, sizeof want, "%s:2:1: error: ", p);
    assert_memory_equal(c.err, want, strlen(want));
    assert_string_equal(c.out, "");
    freeCaptured(&c);
}

static void test_exit_status_follows_verdict(void **state) {
    (void)state;
    char ok[512], bad[512];
    writeFile(pathIn("ok.scn", ok, sizeof ok), passing);
    writeFile(pathIn("fail.scn", bad, sizeof bad), failing);
    const char *a1[] = {"migsim", "run", ok};
    captured c = runCli(3, a1);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "verdict: PASS"));
    freeCaptured(&c);
    const char *a2[] = {"migsim", "run", bad, "--quiet"};
    c = runCli(4, a2);
    assert_int_equal(c.status, 1);
    /* --quiet: the outcome table (a blank line, its heading, its column
    ** names, two users, the stranded line), the failure and the verdict,
    ** nothing else. */
    assert_int_equal(countLines(c.out), 8);
    assert_non_null(strstr(c.out, "\n  user1      "));
    assert_non_null(strstr(c.out, "\n  stranded items: 0\n"));
    assert_non_null(strstr(c.out, ":6: expectation failed: expect dc DC1 has user1"));
    assert_non_null(strstr(c.out, "verdict: FAIL"));
    freeCaptured(&c);
}

static void test_json_is_one_document(void **state) {
    (void)state;
    char p[512];
    writeFile(pathIn("fail.scn", p, sizeof p), failing);
    const char *a[] = {"migsim", "run", p, "--json", "--seed", "7"};
    captured c = runCli(6, a);
    assert_int_equal(c.status, 1);
    assert_int_equal(c.out[0], '{');
    assert_non_null(strstr(c.out, "\"seed\": 7,"));
    assert_non_null(strstr(c.out, "\"verdict\": \"fail\""));
    assert_non_null(strstr(c.out, "\"passed\": false"));
    /* No narrative: no line starts with a time stamp (the trace's "time"
    ** values are inside JSON strings), and the document ends the output. */
    for (const char *l = c.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        assert_true(l[0] != '+');
    assert_non_null(strstr(c.out, "\n}\n"));
    assert_string_equal(strstr(c.out, "\n}\n"), "\n}\n");
    captured d = runCli(6, a);
    assert_string_equal(c.out, d.out);
    freeCaptured(&c);
    freeCaptured(&d);
}

static long long queryInt(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_db_written_atomically(void **state) {
    (void)state;
    char p[512], db[512], db2[512];
    writeFile(pathIn("fail.scn", p, sizeof p), failing);
    pathIn("out.sqlite", db, sizeof db);
    const char *a[] = {"migsim", "run", p, "--quiet", "--db", db};
    captured c = runCli(6, a);
    assert_int_equal(c.status, 1);
    freeCaptured(&c);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM run WHERE verdict='fail' AND exit=1"), 1);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM run WHERE failed_step_line IS NULL AND converged=1"
                                 " AND judged_on='DC1' AND stranded=0"), 1);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM expectations WHERE passed=0 AND line=6"), 1);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM outcomes"), 2);
    assert_true(queryInt(h, "SELECT count(*) FROM events WHERE kind='step'") >= 1);
    sqlite3_close(h);
    assert_int_equal(hiddenFiles(tmpdir), 0);
    /* Same run again, to another file: byte-identical. */
    pathIn("out2.sqlite", db2, sizeof db2);
    const char *b[] = {"migsim", "run", p, "--quiet", "--db", db2};
    c = runCli(6, b);
    freeCaptured(&c);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", db, db2);
    assert_int_equal(system(cmd), 0);
    /* A destination in a missing directory: exit 2, one line, nothing left. */
    char bad[512];
    pathIn("no/such/dir/out.sqlite", bad, sizeof bad);
    const char *e[] = {"migsim", "run", p, "--quiet", "--db", bad};
    c = runCli(6, e);
    assert_int_equal(c.status, 2);
    assert_int_equal(countLines(c.err), 1);
    freeCaptured(&c);
}

static void test_check_directory(void **state) {
    (void)state;
    char d[512], p[600];
    pathIn("suite", d, sizeof d);
    assert_int_equal(mkdir(d, 0700), 0);
    snprintf(p, sizeof p, "%s/b-fail.scn", d);
    writeFile(p, failing);
    snprintf(p, sizeof p, "%s/a-pass.scn", d);
    writeFile(p, passing);
    snprintf(p, sizeof p, "%s/not-a-scenario.txt", d);
    writeFile(p, "ignored\n");
    const char *a[] = {"migsim", "check", d};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 1);
    /* Sorted: a-pass before b-fail; one line each, then the summary. */
    char *pass = strstr(c.out, "PASS  "), *fail = strstr(c.out, "FAIL  ");
    assert_non_null(pass);
    assert_non_null(fail);
    assert_true(pass < fail);
    assert_non_null(strstr(fail, "b-fail.scn:6: expect dc DC1 has user1: found"));
    assert_non_null(strstr(c.out, "check: 1 passed, 1 failed\n"));
    assert_int_equal(countLines(c.out), 3);
    freeCaptured(&c);
    /* An unparsable scenario makes it exit 2, which wins over 1. */
    snprintf(p, sizeof p, "%s/c-broken.scn", d);
    writeFile(p, broken);
    c = runCli(3, a);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.out, "ERROR "));
    assert_non_null(strstr(c.out, "c-broken.scn:2:1: error: "));
    assert_non_null(strstr(c.out, "check: 1 passed, 2 failed\n"));
    freeCaptured(&c);
    /* A missing path is an error too. */
    const char *m[] = {"migsim", "check", "/nonexistent/migsim"};
    c = runCli(3, m);
    assert_int_equal(c.status, 2);
    freeCaptured(&c);
}

/* A symbolic link back up the tree is followed once, not until a depth limit. */
/*
** An unreadable subdirectory is one ERROR line, and the walk goes on with its
** siblings.  Root reads any directory, so as root the check runs in a child
** that has become the unprivileged user 65534 first.
*/
static int checkAsUnprivileged(const char *dir) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len), *err = fopen("/dev/null", "w");
    char *paths[] = {(char *)dir};
    int status = checkPaths(paths, 1, 0, out, err);
    fclose(out);
    fclose(err);
    int ok = status == 2 && strstr(buf, "ERROR ") && strstr(buf, "locked: error: cannot read: Permission denied") &&
             strstr(buf, "PASS  ") && strstr(buf, "z-pass.scn") && strstr(buf, "check: 2 passed, 1 failed\n");
    if (!ok) fprintf(stderr, "status %d, output:\n%s", status, buf);
    free(buf);
    return ok ? 0 : 1;
}

static void test_check_unreadable_subdirectory(void **state) {
    (void)state;
    char d[512], p[700];
    pathIn("perm", d, sizeof d);
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(chmod(tmpdir, 0755), 0);
    snprintf(p, sizeof p, "%s/a-pass.scn", d);
    writeFile(p, passing);
    snprintf(p, sizeof p, "%s/locked", d);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/locked/hidden.scn", d);
    writeFile(p, passing);
    snprintf(p, sizeof p, "%s/z-pass.scn", d);
    writeFile(p, passing);
    chmod(p, 0644);
    snprintf(p, sizeof p, "%s/a-pass.scn", d);
    chmod(p, 0644);
    if (geteuid() != 0) {
        snprintf(p, sizeof p, "%s/locked", d);
        assert_int_equal(chmod(p, 0), 0);
        assert_int_equal(checkAsUnprivileged(d), 0);
        return;
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
        _exit(checkAsUnprivileged(d));
    }
    int ws = 0;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
}

static void test_check_symlink_loop(void **state) {
    (void)state;
    char d[512], p[600];
    pathIn("looped", d, sizeof d);
    assert_int_equal(mkdir(d, 0700), 0);
    snprintf(p, sizeof p, "%s/one.scn", d);
    writeFile(p, passing);
    snprintf(p, sizeof p, "%s/sub", d);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/sub/up", d);
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/self", d);
    assert_int_equal(symlink("self", p), 0);
    const char *a[] = {"migsim", "check", d};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 0);
    assert_int_equal(countLines(c.out), 2);
    assert_non_null(strstr(c.out, "check: 1 passed, 0 failed\n"));
    freeCaptured(&c);
}

/* Output files get the mode a new file would (0666 less the umask), not mkstemp's 0600. */
static void test_output_files_follow_umask(void **state) {
    (void)state;
    char p[512], db[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    pathIn("mode.sqlite", db, sizeof db);
    mode_t old = umask(022);
    const char *a[] = {"migsim", "run", p, "--quiet", "--db", db};
    captured c = runCli(6, a);
    umask(old);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
}

/* An output path that cannot become a file is refused before the run: nothing printed. */
static void test_bad_output_path_refused_before_run(void **state) {
    (void)state;
    char p[512], bad[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    const char *a1[] = {"migsim", "run", p, "--db", tmpdir};
    expectUsageError(5, a1, "migsim: error: --db ");
    captured c = runCli(5, a1);
    assert_non_null(strstr(c.err, ": is a directory"));
    freeCaptured(&c);
    pathIn("missing/out.sqlite", bad, sizeof bad);
    const char *a2[] = {"migsim", "run", p, "--db", bad};
    expectUsageError(5, a2, "missing/out.sqlite: no directory ");
    pathIn("ok.scn/x.ldif", bad, sizeof bad);
    char opt[600];
    snprintf(opt, sizeof opt, "DC1=%s", bad);
    const char *a4[] = {"migsim", "run", p, "--ldif", opt};
    expectUsageError(5, a4, "migsim: error: --ldif ");
    assert_int_equal(hiddenFiles(tmpdir), 0);
}

/* A migrator that cannot be loaded or started is one error line and exit 2,
** with nothing on standard output: not even the run's header line. */
static void test_bad_migrator_before_any_output(void **state) {
    (void)state;
    static const char world[] =
        "seed 3\nsite S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=1\nwizard server=EX1 dc=DC1%s\n"
        "migrate all\nwait done\n";
    char p[512], own[512], text[512];
    snprintf(text, sizeof text, world, "");
    writeFile(pathIn("mig.scn", p, sizeof p), text);
    snprintf(text, sizeof text, world, " migrator=plugin:/nonexistent/libnone.so");
    writeFile(pathIn("own.scn", own, sizeof own), text);
    const char *a1[] = {"migsim", "run", p, "--migrator", "plugin:/nonexistent/libnone.so"};
    const char *a2[] = {"migsim", "run", p, "--migrator", "exec:exit 3"};
    const char *a3[] = {"migsim", "run", p, "--migrator", "builtin:nosuch"};
    const char *a4[] = {"migsim", "run", own};
    const char **cases[] = {a1, a2, a3, a4};
    const int argc[] = {5, 5, 5, 3};
    const char *says[] = {"libnone.so", "exit 3", "nosuch", "libnone.so"};
    for (size_t i = 0; i < 4; i++) {
        captured c = runCli(argc[i], cases[i]);
        if (c.status != 2 || c.out[0] || countLines(c.err) != 1 || !strstr(c.err, says[i]))
            fail_msg("case %zu: status %d, stdout '%s', stderr '%s'", i, c.status, c.out, c.err);
        freeCaptured(&c);
    }
}

static void test_repeated_option_is_usage_error(void **state) {
    (void)state;
    char p[512], a[512], b[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    pathIn("a.sqlite", a, sizeof a);
    pathIn("b.sqlite", b, sizeof b);
    const char *r1[] = {"migsim", "run", p, "--db", a, "--db", b};
    expectUsageError(7, r1, "--db given twice");
    const char *r2[] = {"migsim", "run", p, "--seed", "1", "--seed=2"};
    expectUsageError(6, r2, "--seed given twice");
    const char *r3[] = {"migsim", "check", "--allow-empty", p, "--allow-empty"};
    expectUsageError(5, r3, "--allow-empty given twice");
    struct stat st;
    assert_int_not_equal(stat(a, &st), 0);
    assert_int_not_equal(stat(b, &st), 0);
}

/* Two outputs are one file when they resolve to one directory and name, or one inode. */
static void test_outputs_that_are_one_file(void **state) {
    (void)state;
    char p[512], db[512], other[600], ldif[700], hard[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    pathIn("one.out", db, sizeof db);
    snprintf(other, sizeof other, "%s/./one.out", tmpdir);
    snprintf(ldif, sizeof ldif, "DC1=%s", other);
    const char *a1[] = {"migsim", "run", p, "--db", db, "--ldif", ldif};
    expectUsageError(7, a1, "the same file as --db");
    writeFile(db, "");
    assert_int_equal(link(db, pathIn("hard.out", hard, sizeof hard)), 0);
    snprintf(ldif, sizeof ldif, "DC1=%s", hard);
    const char *a2[] = {"migsim", "run", p, "--db", db, "--ldif", ldif};
    expectUsageError(7, a2, "the same file as --db");
}

/* --db through a symbolic link: the link stays, its target is replaced and keeps its mode. */
static void test_db_symlink_and_mode_kept(void **state) {
    (void)state;
    char p[512], target[512], link_[512];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    writeFile(pathIn("kept.sqlite", target, sizeof target), "");
    assert_int_equal(chmod(target, 0600), 0);
    assert_int_equal(symlink("kept.sqlite", pathIn("link.sqlite", link_, sizeof link_)), 0);
    mode_t old = umask(022);
    const char *a[] = {"migsim", "run", p, "--quiet", "--db", link_};
    captured c = runCli(6, a);
    umask(old);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    struct stat st;
    assert_int_equal(lstat(link_, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(target, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM run WHERE verdict='pass'"), 1);
    sqlite3_close(h);
    assert_int_equal(hiddenFiles(tmpdir), 0);
}

/* A legal 250-character name works: the temporary name does not lengthen it. */
static void test_long_output_name(void **state) {
    (void)state;
    char p[512], name[251], db[600];
    writeFile(pathIn("ok.scn", p, sizeof p), passing);
    memset(name, 'd', 250);
    name[250] = '\0';
    pathIn(name, db, sizeof db);
    const char *a[] = {"migsim", "run", p, "--quiet", "--db", db};
    captured c = runCli(6, a);
    if (c.status != 0) fail_msg("%s", c.err);
    freeCaptured(&c);
    struct stat st;
    assert_int_equal(stat(db, &st), 0);
    assert_int_equal(hiddenFiles(tmpdir), 0);
}

/* A scenario with no expectation checks nothing, and every output says so. */
static void test_empty_scenario_says_none(void **state) {
    (void)state;
    char p[512], e[512], db[512];
    writeFile(pathIn("noexpect.scn", p, sizeof p), "seed 3\nsite S\ndc DC1 site=S\nwait 1s\n");
    const char *a1[] = {"migsim", "run", p};
    captured c = runCli(3, a1);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "\nverdict: NONE (no expectations; seed 3; ended at "));
    assert_null(strstr(c.out, "PASS"));
    freeCaptured(&c);
    const char *a2[] = {"migsim", "run", p, "--json"};
    c = runCli(4, a2);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "\"verdict\": \"none\""));
    freeCaptured(&c);
    pathIn("none.sqlite", db, sizeof db);
    const char *a3[] = {"migsim", "run", p, "--quiet", "--db", db};
    c = runCli(6, a3);
    assert_int_equal(c.status, 0);
    /* No source users: no table, so the verdict is all --quiet prints. */
    assert_string_equal(strstr(c.out, "verdict: "), c.out);
    freeCaptured(&c);
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(queryInt(h, "SELECT count(*) FROM run WHERE verdict='none' AND exit=0"), 1);
    sqlite3_close(h);
    /* `check`: EMPTY, a failure unless --allow-empty; an empty file too. */
    writeFile(pathIn("blank.scn", e, sizeof e), "");
    const char *a4[] = {"migsim", "check", p, e};
    c = runCli(4, a4);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "EMPTY "));
    assert_non_null(strstr(c.out, "noexpect.scn (no expectations)\n"));
    assert_non_null(strstr(c.out, "blank.scn (no expectations)\n"));
    assert_null(strstr(c.out, "PASS"));
    assert_non_null(strstr(c.out, "check: 0 passed, 2 failed (2 with no expectations)\n"));
    freeCaptured(&c);
    const char *a5[] = {"migsim", "check", "--allow-empty", p, e};
    c = runCli(5, a5);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "check: 2 passed, 0 failed (2 with no expectations)\n"));
    freeCaptured(&c);
    /* A failed step still fails, expectations or not. */
    char f[512];
    writeFile(pathIn("stepfail.scn", f, sizeof f), "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=1\n"
                                                   "wizard server=EX1 dc=DC1\ncancel\n");
    const char *a6[] = {"migsim", "run", f, "--quiet"};
    c = runCli(4, a6);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "verdict: FAIL"));
    freeCaptured(&c);
}

/*
** A tree of links that doubles at every level reaches one scenario 2^12
** times; it runs once, under the first path in sorted order.  The same file
** named twice on the command line also runs once.
*/
static void test_check_symlink_tree_runs_once(void **state) {
    (void)state;
    char d[512], p[700], t[700];
    pathIn("tree", d, sizeof d);
    assert_int_equal(mkdir(d, 0700), 0);
    for (int level = 0; level <= 12; level++) {
        snprintf(p, sizeof p, "%s/L%02d", d, level);
        assert_int_equal(mkdir(p, 0700), 0);
        if (level == 12) break;
        snprintf(t, sizeof t, "../L%02d", level + 1);
        snprintf(p, sizeof p, "%s/L%02d/a", d, level);
        assert_int_equal(symlink(t, p), 0);
        snprintf(p, sizeof p, "%s/L%02d/b", d, level);
        assert_int_equal(symlink(t, p), 0);
    }
    snprintf(p, sizeof p, "%s/L12/only.scn", d);
    writeFile(p, passing);
    snprintf(p, sizeof p, "%s/L00", d);
    const char *a[] = {"migsim", "check", p, d};
    captured c = runCli(4, a);
    assert_int_equal(c.status, 0);
    assert_int_equal(countLines(c.out), 2);
    snprintf(t, sizeof t, "PASS  %s/L00/a/a/a/a/a/a/a/a/a/a/a/a/only.scn (1 expectation)\n", d);
    if (strncmp(c.out, t, strlen(t)) != 0) fail_msg("got '%s'", c.out);
    freeCaptured(&c);
    snprintf(p, sizeof p, "%s/L12/only.scn", d);
    snprintf(t, sizeof t, "%s/L11/b/only.scn", d);
    const char *b[] = {"migsim", "check", p, t, p};
    c = runCli(5, b);
    assert_int_equal(c.status, 0);
    assert_int_equal(countLines(c.out), 2);
    freeCaptured(&c);
}

/* --json owns standard output: a --trace streaming into it is refused before the run.
** Run as a process whose standard output is a file of its own, never the harness's. */
static void test_json_refuses_a_stream_into_stdout(void **state) {
    (void)state;
    const char *bin = getenv("MIGSIM");
    char p[512], o[512], cmd[2048];
    writeFile(pathIn("j.scn", p, sizeof p), "site S\ndc DC1 site=S\nexpect converged\n");
    pathIn("j.out", o, sizeof o);
    snprintf(cmd, sizeof cmd, "%s run %s --json --trace /dev/stdout > %s 2>&1", bin ? bin : "build/migsim", p, o);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 2);
    char *text = readFile(o);
    assert_non_null(strstr(text, "standard output carries the --json document"));
    free(text);
}

/* A FIFO named *.scn in a searched directory is skipped, not opened (it would block). */
static void test_check_skips_a_fifo(void **state) {
    (void)state;
    char dir[512], p[600];
    pathIn("fifodir", dir, sizeof dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    snprintf(p, sizeof p, "%s/pipe.scn", dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    snprintf(p, sizeof p, "%s/ok.scn", dir);
    writeFile(p, "site S\ndc DC1 site=S\nexpect converged\n");
    const char *a[] = {"migsim", "check", dir};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "check: 1 passed, 0 failed"));
    freeCaptured(&c);
}

/* `check` does not run code a scenario names (exec:, plugin:) unless told to. */
static void test_check_refuses_external_migrators(void **state) {
    (void)state;
    char p[512];
    writeFile(pathIn("ext.scn", p, sizeof p),
              "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=1 items=1\n"
              "wizard server=EX1 dc=DC1 migrator=exec:touch-a-file\nmigrate all\nwait done\nexpect converged\n");
    const char *a[] = {"migsim", "check", p};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.out, "runs code named by the scenario; check runs it only with --allow-external"));
    freeCaptured(&c);
    const char *b[] = {"migsim", "check", "--allow-external", "--migrator", "builtin:wizard2003", p};
    c = runCli(6, b);
    assert_int_equal(c.status, 0);   /* --migrator names what runs: the scenario's is not used */
    freeCaptured(&c);
}

/* check's CI outputs: every failed expectation, --json on standard output, --junit's usage errors. */
static void test_check_ci_outputs(void **state) {
    (void)state;
    char p[512], x[512], j[512];
    pathIn("two-failures.scn", p, sizeof p);
    writeFile(p, "site S\ndc DC1 site=S\nserver EX1 dc=DC1\nsource users=2\nwait 1s\n"
                 "expect dc DC1 has user1\nexpect converged\nexpect dc DC1 has user2\n");
    const char *a[] = {"migsim", "check", p};
    captured c = runCli(3, a);
    assert_int_equal(c.status, 1);
    char want[600];
    snprintf(want, sizeof want, "FAIL  %s:6: expect dc DC1 has user1: found", p);
    assert_non_null(strstr(c.out, want));
    snprintf(want, sizeof want, "FAIL  %s:8: expect dc DC1 has user2: found", p);
    assert_non_null(strstr(c.out, want));
    assert_int_equal(countLines(c.out), 3);
    freeCaptured(&c);
    /* --json: one document in place of the lines. */
    const char *js[] = {"migsim", "check", "--json", p};
    c = runCli(4, js);
    assert_int_equal(c.status, 1);
    assert_true(strncmp(c.out, "{\"migsim\":", 10) == 0);
    assert_null(strstr(c.out, "FAIL  "));
    assert_non_null(strstr(c.out, "{\"line\":6,"));
    assert_non_null(strstr(c.out, "{\"line\":8,"));
    freeCaptured(&c);
    /* --junit and --json=FILE written; both the same file, or given twice: usage errors. */
    pathIn("r.xml", x, sizeof x);
    pathIn("r.json", j, sizeof j);
    char jo[600], xo[600];
    snprintf(jo, sizeof jo, "--json=%s", j);
    snprintf(xo, sizeof xo, "--json=%s", x);
    const char *both[] = {"migsim", "check", "--junit", x, jo, p};
    c = runCli(6, both);
    assert_int_equal(c.status, 1);
    assert_non_null(strstr(c.out, "check: 0 passed, 1 failed"));
    freeCaptured(&c);
    char *xml = readFile(x);
    assert_non_null(strstr(xml, "<failure type=\"expectation\" message=\"2 of 3 expectations failed\">"));
    free(xml);
    const char *bad[][6] = {
        {"migsim", "check", "--junit", x, xo, p},
        {"migsim", "check", "--junit", x, "--junit", x},
        {"migsim", "check", "--json", "--json", p},
        {"migsim", "check", "--json=", p},
        {"migsim", "check", "--junit", "/nonexistent/dir/r.xml", p},
    };
    const int n[] = {6, 6, 5, 4, 5};
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        c = runCli(n[i], bad[i]);
        assert_int_equal(c.status, 2);
        assert_int_equal(countLines(c.err), 1);
        assert_string_equal(c.out, "");
        freeCaptured(&c);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_refuses_external_migrators),
        cmocka_unit_test(test_check_skips_a_fifo),
        cmocka_unit_test(test_json_refuses_a_stream_into_stdout),
        cmocka_unit_test(test_version_and_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_missing_and_unreadable_files),
        cmocka_unit_test(test_bad_scenario_is_one_line),
        cmocka_unit_test(test_exit_status_follows_verdict),
        cmocka_unit_test(test_json_is_one_document),
        cmocka_unit_test(test_db_written_atomically),
        cmocka_unit_test(test_check_directory),
        cmocka_unit_test(test_check_symlink_loop),
        cmocka_unit_test(test_check_unreadable_subdirectory),
        cmocka_unit_test(test_output_files_follow_umask),
        cmocka_unit_test(test_bad_output_path_refused_before_run),
        cmocka_unit_test(test_repeated_option_is_usage_error),
        cmocka_unit_test(test_outputs_that_are_one_file),
        cmocka_unit_test(test_db_symlink_and_mode_kept),
        cmocka_unit_test(test_long_output_name),
        cmocka_unit_test(test_empty_scenario_says_none),
        cmocka_unit_test(test_check_symlink_tree_runs_once),
        cmocka_unit_test(test_check_ci_outputs),
        cmocka_unit_test(test_bad_migrator_before_any_output),
    };
    return cmocka_run_group_tests_name("cli", tests, setupDir, teardownDir);
}
