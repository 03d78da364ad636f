/*
** Tests of output files (sim/kernel/atomicfile.c): how an output is planned (new
** file, existing file through symbolic links, directory, missing directory),
** that a replaced file keeps its mode and its links, that the temporary name
** fits any legal file name, that SIGINT and SIGTERM remove a temporary file,
** and, inside a private mount namespace, the special files: devices, a FIFO,
** the command's own standard output, a full device and a read-only
** directory.
**
** The special files are never the machine's own.  The test program runs
** itself again under `unshare -m` (a mount namespace of its own) with
** --in-namespace, mounts a fresh tmpfs on a temporary directory and makes its
** own device nodes there (null and full, by their device numbers), so even a
** regression that replaced a device node would only touch a copy that
** vanishes with the namespace.  Without unshare (not root, or no tool) those
** tests are skipped, saying why.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kernel/atomicfile.h"
#include "clirun.h"

static const char okScenario[] = "seed 3\nsite S\ndc DC1 site=S\nwait 1s\nexpect converged\n";

static int setupDir(void **state) {
    (void)state;
    return tmpdirMake("atomicfile");
}

static int teardownDir(void **state) {
    (void)state;
    return tmpdirRemove();
}

static char *readFile(const char *path) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries of the test directory whose name starts with '.' (temporary files). */
static int hiddenFiles(void) {
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static msStatus prepare(outTarget *t, const char *path, int streamable, char *why, size_t whysz) {
    return outTargetPrepare(t, "--out", path, streamable, NULL, NULL, why, whysz);
}

/* Write text to path through the whole cycle: plan, open, write, commit. */
static msStatus writeThrough(const char *path, const char *text) {
    outTarget t;
    char why[512];
    msStatus st = prepare(&t, path, 1, why, sizeof why);
    atomicFile af;
    if (st == MS_OK) st = atomicOpen(&af, &t, 1, why, sizeof why);
    if (st == MS_OK) {
        fputs(text, af.f);
        st = atomicCommit(&af, why, sizeof why);
    }
    if (st != MS_OK) print_message("%s\n", why);
    outTargetFree(&t);
    return st;
}

static void test_new_file_is_replaced_into_place(void **state) {
    (void)state;
    char p[512];
    assert_int_equal(writeThrough(pathIn("new.txt", p, sizeof p), "one\n"), MS_OK);
    char *got = readFile(p);
    assert_string_equal(got, "one\n");
    free(got);
    assert_int_equal(hiddenFiles(), 0);
}

static void test_planning_refuses_what_cannot_be_a_file(void **state) {
    (void)state;
    char p[512], why[512];
    outTarget t;
    assert_int_equal(prepare(&t, tmpdir, 1, why, sizeof why), MS_INPUT);
    assert_non_null(strstr(why, ": is a directory"));
    outTargetFree(&t);
    assert_int_equal(prepare(&t, pathIn("no/such/x", p, sizeof p), 1, why, sizeof why), MS_INPUT);
    assert_non_null(strstr(why, "no directory"));
    outTargetFree(&t);
    assert_int_equal(prepare(&t, pathIn("trailing/", p, sizeof p), 1, why, sizeof why), MS_INPUT);
    assert_non_null(strstr(why, "not a file name"));
    outTargetFree(&t);
    /* A loop of links names no file. */
    char a[512], b[512];
    assert_int_equal(symlink(pathIn("loopb", b, sizeof b), pathIn("loopa", a, sizeof a)), 0);
    assert_int_equal(symlink(a, b), 0);
    assert_int_equal(prepare(&t, a, 1, why, sizeof why), MS_INPUT);
    outTargetFree(&t);
}

/* The link stays a link; its target gets the new content. */
static void test_symlink_target_is_replaced(void **state) {
    (void)state;
    char target[512], link[512], dangling[512], made[512];
    writeFile(pathIn("target.txt", target, sizeof target), "old\n");
    assert_int_equal(symlink("target.txt", pathIn("link.txt", link, sizeof link)), 0);
    assert_int_equal(writeThrough(link, "new\n"), MS_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *got = readFile(target);
    assert_string_equal(got, "new\n");
    free(got);
    /* A dangling link names the file to create. */
    assert_int_equal(symlink("made.txt", pathIn("dangling.txt", dangling, sizeof dangling)), 0);
    assert_int_equal(writeThrough(dangling, "made\n"), MS_OK);
    assert_int_equal(lstat(dangling, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    got = readFile(pathIn("made.txt", made, sizeof made));
    assert_string_equal(got, "made\n");
    free(got);
    assert_int_equal(hiddenFiles(), 0);
}

static void test_existing_file_keeps_its_mode(void **state) {
    (void)state;
    char p[512];
    writeFile(pathIn("private.txt", p, sizeof p), "secret\n");
    assert_int_equal(chmod(p, 0600), 0);
    mode_t old = umask(022);
    assert_int_equal(writeThrough(p, "still secret\n"), MS_OK);
    umask(old);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(chmod(p, 0640), 0);
    assert_int_equal(writeThrough(p, "again\n"), MS_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

/* The temporary name is short: a 250-character name (the limit is 255) works. */
static void test_long_name_fits(void **state) {
    (void)state;
    char name[251], p[600];
    memset(name, 'n', 250);
    name[250] = '\0';
    assert_int_equal(writeThrough(pathIn(name, p, sizeof p), "long\n"), MS_OK);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(hiddenFiles(), 0);
}

static void test_same_file_by_identity_or_name(void **state) {
    (void)state;
    char a[512], b[512], c[512], d[600], why[512];
    writeFile(pathIn("same.txt", a, sizeof a), "x\n");
    assert_int_equal(link(a, pathIn("hard.txt", b, sizeof b)), 0);
    outTarget ta, tb, tc, td;
    assert_int_equal(prepare(&ta, a, 1, why, sizeof why), MS_OK);
    assert_int_equal(prepare(&tb, b, 1, why, sizeof why), MS_OK);
    assert_true(outTargetSame(&ta, &tb));
    /* Not yet existing: the same directory and name, spelled two ways. */
    pathIn("fresh.txt", c, sizeof c);
    snprintf(d, sizeof d, "%s/./../%s/fresh.txt", tmpdir, strrchr(tmpdir, '/') + 1);
    assert_int_equal(prepare(&tc, c, 1, why, sizeof why), MS_OK);
    assert_int_equal(prepare(&td, d, 1, why, sizeof why), MS_OK);
    assert_true(outTargetSame(&tc, &td));
    assert_false(outTargetSame(&ta, &tc));
    outTargetFree(&ta);
    outTargetFree(&tb);
    outTargetFree(&tc);
    outTargetFree(&td);
}

static void test_abort_leaves_nothing(void **state) {
    (void)state;
    char p[512], why[512];
    writeFile(pathIn("keep.txt", p, sizeof p), "keep\n");
    outTarget t;
    atomicFile af;
    assert_int_equal(prepare(&t, p, 1, why, sizeof why), MS_OK);
    assert_int_equal(atomicOpen(&af, &t, 1, why, sizeof why), MS_OK);
    fputs("discarded\n", af.f);
    assert_int_equal(hiddenFiles(), 1);
    atomicAbort(&af);
    outTargetFree(&t);
    assert_int_equal(hiddenFiles(), 0);
    char *got = readFile(p);
    assert_string_equal(got, "keep\n");
    free(got);
}

/*
** A child opens an output, writes into it and is killed by sig while the
** temporary file exists: the temporary file must be gone, the destination
** untouched, and the child must have died of sig.
*/
static void killedWhileWriting(int sig) {
    char p[512];
    writeFile(pathIn("victim.txt", p, sizeof p), "before\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        outTarget t;
        atomicFile af;
        char why[512];
        if (prepare(&t, p, 1, why, sizeof why) != MS_OK || atomicOpen(&af, &t, 1, why, sizeof why) != MS_OK)
            _exit(3);
        fputs("half", af.f);
        fflush(af.f);
        raise(sig);
        _exit(4);
    }
    int ws = 0;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFSIGNALED(ws));
    assert_int_equal(WTERMSIG(ws), sig);
    assert_int_equal(hiddenFiles(), 0);
    char *got = readFile(p);
    assert_string_equal(got, "before\n");
    free(got);
}

static void test_signal_removes_the_temporary_file(void **state) {
    (void)state;
    killedWhileWriting(SIGTERM);
    killedWhileWriting(SIGINT);
    /* Once no temporary file exists, the default actions are back. */
    assert_int_equal(writeThrough(pathIn("after.txt", (char[512]){0}, 512), "x\n"), MS_OK);
    struct sigaction sa;
    assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
    assert_int_equal(sigaction(SIGINT, NULL, &sa), 0);
    assert_true(sa.sa_handler == SIG_DFL);
}

/* ---- inside the private mount namespace: tmpdir is a fresh tmpfs ---- */

static const char *migsimBinary(void) {
    const char *m = getenv("MIGSIM");
    return m && *m ? m : "build/migsim";
}

/* Run a shell command line; return its exit status (or 128 + signal). */
static int shell(const char *fmt, const char *a, const char *b) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    int ws = system(cmd);
    if (ws == -1) return -1;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void assertCharDevice(const char *path, unsigned major, unsigned minor) {
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, (dev_t)((major << 8) | minor));
}

static void test_ns_device_written_straight(void **state) {
    (void)state;
    char scn[512], null[512], opt[600];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("null", null, sizeof null);
    snprintf(opt, sizeof opt, "DC1=%s", null);
    const char *a[] = {"migsim", "run", scn, "--quiet", "--ldif", opt};
    captured c = runCli(6, a);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    assertCharDevice(null, 1, 3);
    /* A database needs a regular file: refused before the run, the node untouched. */
    const char *b[] = {"migsim", "run", scn, "--quiet", "--db", null};
    c = runCli(6, b);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    assert_non_null(strstr(c.err, "not a regular file"));
    freeCaptured(&c);
    assertCharDevice(null, 1, 3);
}

/* A device that fails every write: the write error is reported, never success. */
static void test_ns_full_device_is_a_write_error(void **state) {
    (void)state;
    char scn[512], full[512], opt[600];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("full", full, sizeof full);
    snprintf(opt, sizeof opt, "DC1=%s", full);
    const char *a[] = {"migsim", "run", scn, "--quiet", "--ldif", opt};
    captured c = runCli(6, a);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "cannot write"));
    freeCaptured(&c);
    const char *b[] = {"migsim", "run", scn, "--quiet", "--db", full};
    c = runCli(6, b);
    assert_int_equal(c.status, 2);
    freeCaptured(&c);
    assertCharDevice(full, 1, 7);
}

/* The command's standard output on a full device: exit 2 and a message, for every command. */
static void test_ns_stdout_write_errors(void **state) {
    (void)state;
    char scn[512], full[512];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("full", full, sizeof full);
    const char *m = migsimBinary();
    char err[512];
    pathIn("err.txt", err, sizeof err);
    const char *forms[] = {"run '%s'", "run --json '%s'", "run --quiet '%s'", "check '%s'"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char line[2048], args[700];
        snprintf(args, sizeof args, forms[i], scn);
        snprintf(line, sizeof line, "'%%s' %s > '%s' 2> '%s'", args, full, err);
        assert_int_equal(shell(line, m, ""), 2);
        char *e = readFile(err);
        if (!strstr(e, "migsim: error: cannot write the output")) fail_msg("%s: stderr '%s'", args, e);
        free(e);
    }
    assert_int_equal(shell("'%s' --version > '%s' 2>/dev/null", m, full), 2);
    /* In process: the stream cliMain is given fails, cliMain says so. */
    FILE *out = fopen(full, "w");
    assert_non_null(out);
    char *ebuf = NULL;
    size_t elen = 0;
    FILE *errs = open_memstream(&ebuf, &elen);
    const char *a[] = {"migsim", "run", scn};
    assert_int_equal(cliMain(3, (char **)a, out, errs), 2);
    fclose(out);
    fclose(errs);
    assert_non_null(strstr(ebuf, "cannot write the output"));
    free(ebuf);
    assertCharDevice(full, 1, 7);
}

static void test_ns_fifo_written_straight(void **state) {
    (void)state;
    char scn[512], fifo[512], got[512], opt[600];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("fifo", fifo, sizeof fifo);
    pathIn("fifo.got", got, sizeof got);
    pid_t reader = fork();
    assert_true(reader >= 0);
    if (reader == 0) {
        FILE *in = fopen(fifo, "r"), *out = fopen(got, "w");
        int ch;
        if (!in || !out) _exit(3);
        while ((ch = fgetc(in)) != EOF) fputc(ch, out);
        _exit(fclose(out) == 0 ? 0 : 4);
    }
    snprintf(opt, sizeof opt, "DC1=%s", fifo);
    const char *a[] = {"migsim", "run", scn, "--quiet", "--ldif", opt};
    captured c = runCli(6, a);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
    int ws = 0;
    assert_int_equal(waitpid(reader, &ws, 0), reader);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    char *text = readFile(got);
    assert_non_null(strstr(text, "version: 1\n"));
    assert_non_null(strstr(text, "\ndn: "));
    free(text);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
}

/*
** --ldif naming the command's own standard output (a link to
** /proc/self/fd/1, as /dev/stdout is): the LDIF follows the verdict in the
** file standard output is redirected to, which is neither truncated nor
** replaced; into a pipe, likewise.  A database there is refused.
*/
static void test_ns_own_stdout(void **state) {
    (void)state;
    char scn[512], so[512], out[512], opt[2048];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("stdout", so, sizeof so);
    writeFile(pathIn("out.txt", out, sizeof out), "");
    struct stat before, after;
    assert_int_equal(stat(out, &before), 0);
    const char *m = migsimBinary();
    snprintf(opt, sizeof opt, "'%%s' run '%s' --quiet --ldif 'DC1=%s' > '%%s'", scn, so);
    assert_int_equal(shell(opt, m, out), 0);
    assert_int_equal(stat(out, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    char *text = readFile(out);
    assert_memory_equal(text, "verdict: PASS", 13);
    assert_non_null(strstr(text, ")\nversion: 1\n"));
    free(text);
    snprintf(opt, sizeof opt, "'%%s' run '%s' --quiet --ldif 'DC1=%s' | cat > '%%s'", scn, so);
    assert_int_equal(shell(opt, m, out), 0);
    text = readFile(out);
    assert_non_null(strstr(text, ")\nversion: 1\n"));
    free(text);
    snprintf(opt, sizeof opt, "'%%s' run '%s' --quiet --db '%s' > '%%s' 2>/dev/null", scn, so);
    assert_int_equal(shell(opt, m, out), 2);
    assert_int_equal(stat(out, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
}

/* A directory that cannot be written fails before the run: nothing printed, no PASS. */
static void test_ns_readonly_directory_fails_first(void **state) {
    (void)state;
    char scn[512], db[512];
    writeFile(pathIn("ok.scn", scn, sizeof scn), okScenario);
    pathIn("ro/out.sqlite", db, sizeof db);
    const char *a[] = {"migsim", "run", scn, "--db", db};
    captured c = runCli(5, a);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    assert_non_null(strstr(c.err, "cannot write in"));
    assert_non_null(strstr(c.err, "Read-only file system"));
    freeCaptured(&c);
}

static int runInNamespace(void) {
    if (setupDir(NULL) != 0) return 1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "set -e; cd '%s'; mount -t tmpfs -o size=32m migsim-test .; cd '%s';"
             " mknod null c 1 3; mknod full c 1 7; mkfifo fifo; ln -s /proc/self/fd/1 stdout;"
             " mkdir ro; mount -t tmpfs -o ro,size=1m migsim-test-ro ro",
             tmpdir, tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_atomicfile: cannot set up the private tmpfs in %s\n", tmpdir);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ns_device_written_straight),
        cmocka_unit_test(test_ns_full_device_is_a_write_error),
        cmocka_unit_test(test_ns_stdout_write_errors),
        cmocka_unit_test(test_ns_fifo_written_straight),
        cmocka_unit_test(test_ns_own_stdout),
        cmocka_unit_test(test_ns_readonly_directory_fails_first),
    };
    int failed = cmocka_run_group_tests_name("atomicfile, in a private mount namespace", tests, NULL, NULL);
    snprintf(cmd, sizeof cmd, "umount '%s/ro'; umount '%s'", tmpdir, tmpdir);
    if (system(cmd) != 0) failed++;
    if (rmdir(tmpdir) != 0) failed++;
    return failed ? 1 : 0;
}

static void test_special_files_in_private_namespace(void **state) {
    (void)state;
    if (system("unshare -m --propagation private true >/dev/null 2>&1") != 0) {
        print_message("skipped: `unshare -m` is unavailable (needs root and util-linux): the device,"
                      " FIFO and standard-output cases did not run\n");
        skip();
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    char cmd[PATH_MAX + 128];
    snprintf(cmd, sizeof cmd, "unshare -m --propagation private '%s' --in-namespace", self);
    fflush(stdout);
    int ws = system(cmd);
    assert_true(WIFEXITED(ws));
    assert_int_equal(WEXITSTATUS(ws), 0);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--in-namespace") == 0) return runInNamespace();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_file_is_replaced_into_place),
        cmocka_unit_test(test_planning_refuses_what_cannot_be_a_file),
        cmocka_unit_test(test_symlink_target_is_replaced),
        cmocka_unit_test(test_existing_file_keeps_its_mode),
        cmocka_unit_test(test_long_name_fits),
        cmocka_unit_test(test_same_file_by_identity_or_name),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_signal_removes_the_temporary_file),
        cmocka_unit_test(test_special_files_in_private_namespace),
    };
    return cmocka_run_group_tests_name("atomicfile", tests, setupDir, teardownDir);
}
