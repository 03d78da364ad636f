/*
** Tests of the lab (run/lab.h, cli/lab.c): a move narrates what it did and
** nothing else (step: one unit; next: up to the next scenario line; until:
** the work due at T), back and goto replay to exactly the position asked for
** (the same records, the same state), an ad-hoc step is written into the
** played text at its instant (before the next step, or between the halves of
** a split wait) and executed there, a bad one changes nothing, a step cannot
** go inside a blocking step that is not a pure wait, `save` writes a text
** that `migsim run` replays to the same records and outcomes, --seed is
** written into the text without moving a line, and `why` is chosen from
** records by kind and user.  Then the command: a piped session as a trainee
** would type it, its errors (one line, the lab goes on) and a bad file
** (exit 2).  Records are read by kind and fields; prose only where the
** command's output format is what is tested.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "cli/cli.h"
#include "clirun.h"
#include "kernel/eventq.h"
#include "run/lab.h"
#include "run/result.h"
#include "tracematch.h"

static const char *reproduce = "scenarios/kb842101/reproduce.scn";

static const trace *labTrace(labSession *ls) {
    return &labSim(ls)->k.tr;
}
TR_DEFINE_MATCHERS(lt, labSession *, labTrace)

/* The records a session narrated, copied (kind, time, user, text). */
typedef struct seen {
    traceKind kind[4096];
    simtime at[4096];
    char user[4096][16];
    int line[4096];
    size_t n;
} seen;

static void collect(void *ctx, const traceRecord *r) {
    seen *s = ctx;
    if (s->n == 4096) return;
    s->kind[s->n] = r->kind;
    s->at[s->n] = r->at;
    snprintf(s->user[s->n], sizeof s->user[s->n], "%s", r->user ? r->user : "");
    const traceField *f = traceFieldOf(r, "line");
    s->line[s->n] = f ? (int)f->i : 0;
    s->n++;
}

static char *readAll(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *t = calloc(1, 1 << 16);
    *len = fread(t, 1, (1 << 16) - 1, f);
    fclose(f);
    return t;
}

static void openText(labSession *ls, const char *text, const labOptions *o, seen *sn) {
    scnError e;
    memset(sn, 0, sizeof *sn);
    msStatus st = labOpen(ls, "t.scn", text, strlen(text), o, collect, sn, &e);
    if (st != MS_OK) fail_msg("labOpen: %s %s", e.msg, ls->err);
}

static void openRepro(labSession *ls, seen *sn) {
    size_t len;
    char *t = readAll(reproduce, &len);
    openText(ls, t, NULL, sn);
    free(t);
}

static const traceRecord *records(labSession *ls, size_t *n) {
    return traceRecords(&labSim(ls)->k.tr, n);
}

/* Two traces hold the same records: kind, time, user, message, in order. */
static void assertSameTrace(const traceRecord *a, size_t na, const traceRecord *b, size_t nb) {
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_int_equal(a[i].kind, b[i].kind);
        assert_int_equal(a[i].at, b[i].at);
        assert_string_equal(a[i].text, b[i].text);
        assert_string_equal(a[i].user ? a[i].user : "", b[i].user ? b[i].user : "");
    }
}

/* step: exactly one unit; the first is the step on line 14, narrated as such. */
static void test_step_is_one_unit(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    labUnit u;
    openRepro(&ls, &sn);
    assert_int_equal(labStep(&ls, &u, 0), MS_OK);
    assert_true(u.was_step);
    assert_int_equal(u.line, 14);
    assert_int_equal(ls.units, 1);
    assert_true(sn.n >= 1);
    assert_int_equal(sn.kind[0], TR_STEP);
    assert_int_equal(sn.line[0], 14);
    size_t before = sn.n;
    uint64_t units = ls.units;
    assert_int_equal(labStep(&ls, &u, 0), MS_OK);
    /* The migrator's quiet replies go along with the next unit that narrates: the first account. */
    assert_true(u.quiet > 0);
    assert_int_equal(ls.units, units + u.quiet + 1);
    assert_int_equal(sn.n, before + 1);
    assert_int_equal(sn.kind[before], TR_WIZ_ACCOUNT_CREATE);
    assert_string_equal(sn.user[before], "user1");
    assert_int_equal(labHistory(&ls), 2);
    labClose(&ls);
}

/* next: up to and including the next scenario line, no further. */
static void test_next_runs_to_the_next_line(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int waiting;
    openRepro(&ls, &sn);
    assert_int_equal(labNext(&ls), MS_OK);
    assert_int_equal(labNextStmt(&ls, &waiting)->pos.line, 15);
    assert_int_equal(labNext(&ls), MS_OK);     /* the cancel: it waits for mailboxes=2 */
    const stmt *st = labNextStmt(&ls, &waiting);
    assert_true(waiting);
    assert_int_equal(st->pos.line, 15);
    assert_int_equal(labNext(&ls), MS_OK);     /* the wait 2m executes once the cancel settled */
    assert_int_equal(labNextStmt(&ls, &waiting)->pos.line, 17);
    assert_false(waiting);
    assert_int_equal(sn.kind[sn.n - 1], TR_STEP);
    assert_int_equal(sn.line[sn.n - 1], 16);
    assert_int_equal(labSim(&ls)->k.now, 15000);
    assert_int_equal(labNext(&ls), MS_OK);     /* two minutes of replication, then the delivery */
    assert_int_equal(labSim(&ls)->k.now, 135000);
    assert_int_equal(ltCount(&ls, TR_STEP, "line", "17", NULL), 1);
    assert_int_equal(ltCount(&ls, TR_STEP, "line", "18", NULL), 0);
    labClose(&ls);
}

/* until T: the work due at T and nothing after it; a moment in the past is refused. */
static void test_until_stops_after_t(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 60000), MS_OK);
    assert_int_equal(labSim(&ls)->k.now, 60000);
    assert_true(simNextAt(labSim(&ls)) > 60000);
    assert_int_equal(ltCount(&ls, TR_RUS_STAMP, NULL), 6);   /* the RUS at 1m ran */
    size_t h = labHistory(&ls);
    assert_int_equal(labUntil(&ls, 1000), MS_INPUT);
    assert_non_null(strstr(ls.err, "use goto"));
    assert_int_equal(labHistory(&ls), h);
    labClose(&ls);
}

/* back replays to the position before the moves: the same records, the same unit count. */
static void test_back_replays_exactly(void **state) {
    (void)state;
    labSession ls, ref;
    seen sn, sr;
    labUnit u;
    openRepro(&ls, &sn);
    openRepro(&ref, &sr);
    assert_int_equal(labUntil(&ls, 90000), MS_OK);
    assert_int_equal(labUntil(&ref, 90000), MS_OK);
    assert_int_equal(labNext(&ls), MS_OK);
    assert_int_equal(labStep(&ls, &u, 0), MS_OK);
    assert_int_equal(labStep(&ls, &u, 1), MS_OK);     /* joined: step 2 is one move */
    size_t narrated = sn.n;
    assert_int_equal(labBack(&ls, 2), MS_OK);
    assert_int_equal(sn.n, narrated);                 /* a replay narrates nothing */
    assert_int_equal(ls.units, ref.units);
    assert_int_equal(labSim(&ls)->k.now, labSim(&ref)->k.now);
    size_t na, nb;
    const traceRecord *a = records(&ls, &na), *b = records(&ref, &nb);
    assertSameTrace(a, na, b, nb);
    assert_int_equal(labBack(&ls, 2), MS_INPUT);      /* one move left */
    assert_non_null(strstr(ls.err, "only 1"));
    assert_int_equal(labBack(&ls, 1), MS_OK);
    assert_int_equal(labSim(&ls)->k.now, 0);
    assert_int_equal(ls.units, 0);
    labClose(&ls);
    labClose(&ref);
}

/* goto: a time (after the work due then), a line (just before it), and what is not a step. */
static void test_goto(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int waiting;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 200000), MS_OK);
    assert_int_equal(labGotoLine(&ls, 17), MS_OK);
    /* Just before the step: its instant is next; the clock shows the last thing that happened. */
    assert_int_equal(simNextAt(labSim(&ls)), 135000);
    assert_true(labSim(&ls)->k.now <= 135000);
    assert_int_equal(labNextStmt(&ls, &waiting)->pos.line, 17);
    assert_int_equal(ltCount(&ls, TR_STEP, "line", "17", NULL), 0);
    assert_int_equal(ltCount(&ls, TR_SMTP_DELIVER, NULL), 0);
    assert_int_equal(labGotoTime(&ls, 16000), MS_OK);
    assert_int_equal(labSim(&ls)->k.now, 16000);
    assert_int_equal(ltCount(&ls, TR_REPL_PULL, "dc", "DC2", NULL), 1);
    assert_int_equal(labGotoLine(&ls, 6), MS_INPUT);
    assert_non_null(strstr(ls.err, "describes the world"));
    assert_int_equal(labGotoLine(&ls, 3), MS_INPUT);
    assert_non_null(strstr(ls.err, "no step on line 3"));
    /* Forward and back again: goto, then back, is where the session stood. */
    assert_int_equal(labBack(&ls, 1), MS_OK);
    assert_int_equal(simNextAt(labSim(&ls)), 135000);
    assert_int_equal(labNextStmt(&ls, &waiting)->pos.line, 17);
    labClose(&ls);
}

/* do inside a `wait 2m` under way: the wait is split at now and the step runs then. */
static void test_do_splits_a_wait(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int line, waiting;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 60000), MS_OK);
    assert_int_equal(labDo(&ls, "deliver user5 count=2", &line), MS_OK);
    assert_int_equal(line, 17);
    const char *t = ls.texts[ls.text];
    assert_non_null(strstr(t, "\nwait 45s   # lab: the first part of line 16's wait\n"
                              "deliver user5 count=2   # lab: do at +00:01:00.000\n"
                              "wait 1m15s   # lab: the rest of line 16's wait\n"));
    const traceRecord *d = ltFind(&ls, TR_SMTP_DELIVER, "user", "user5", NULL);
    assert_non_null(d);
    assert_int_equal(d->at, 60000);
    assert_int_equal(trInt(d, "count"), 2);
    assert_int_equal(sn.kind[sn.n - 1], TR_SMTP_DELIVER);   /* narrated */
    assert_true(ltIndex(&ls, TR_STEP, "line", "16", NULL) < ltIndex(&ls, TR_STEP, "line", "17", NULL));
    assert_true(ltIndex(&ls, TR_STEP, "line", "17", NULL) < ltIndex(&ls, TR_SMTP_DELIVER, "user", "user5", NULL));
    /* The rest of the run keeps its instants: the scenario's delivery still at 2m15s. */
    assert_int_equal(labNext(&ls), MS_OK);
    assert_int_equal(labNextStmt(&ls, &waiting)->pos.line, 19);
    assert_int_equal(labSim(&ls)->k.now, 60000);
    assert_int_equal(labNext(&ls), MS_OK);
    assert_int_equal(labSim(&ls)->k.now, 135000);
    /* back over the do: the played text is the file's again. */
    assert_int_equal(labBack(&ls, 3), MS_OK);
    assert_null(strstr(ls.texts[ls.text], "# lab:"));
    assert_int_equal(labSim(&ls)->k.now, 60000);
    labClose(&ls);
}

/* A bad step is refused with its column and changes nothing; so is one inside a `cancel when`. */
static void test_do_refusals(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int line, waiting;
    openRepro(&ls, &sn);
    assert_int_equal(labNext(&ls), MS_OK);
    assert_int_equal(labNext(&ls), MS_OK);
    assert_non_null(labNextStmt(&ls, &waiting));
    assert_true(waiting);   /* cancel when mailboxes=2 */
    size_t h = labHistory(&ls), texts = ls.ntexts;
    uint64_t units = ls.units;
    assert_int_equal(labDo(&ls, "deliver user5", &line), MS_INPUT);
    assert_non_null(strstr(ls.err, "cannot place a step inside it"));
    assert_int_equal(labUntil(&ls, 20000), MS_OK);
    h = labHistory(&ls);
    units = ls.units;
    assert_int_equal(labDo(&ls, "deliver user99", &line), MS_INPUT);
    assert_non_null(strstr(ls.err, "do: column 9:"));
    assert_int_equal(labDo(&ls, "dc DC3 site=HQ", &line), MS_INPUT);
    assert_int_equal(labDo(&ls, "# only a comment", &line), MS_INPUT);
    assert_non_null(strstr(ls.err, "do needs a step"));
    assert_int_equal(labDo(&ls, "deliver user5\nlogon user5", &line), MS_INPUT);
    char longstep[1100];
    memset(longstep, 'x', sizeof longstep - 1);
    longstep[sizeof longstep - 1] = '\0';
    assert_int_equal(labDo(&ls, longstep, &line), MS_INPUT);
    assert_non_null(strstr(ls.err, "longer than 1024"));
    assert_int_equal(labHistory(&ls), h);
    assert_int_equal(ls.units, units);
    assert_int_equal(ls.ntexts, texts);
    labClose(&ls);
}

/* do while `wait done` waits: split into a wait for what has passed, the step, and `wait done` again. */
static void test_do_inside_wait_done(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int line;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 140000), MS_OK);   /* run 2 is copying; line 20 waits */
    assert_int_equal(labDo(&ls, "deliver user6", &line), MS_OK);
    assert_non_null(strstr(ls.texts[ls.text], "\nwait 5s   # lab: the first part of line 20's wait\n"
                                              "deliver user6   # lab: do at +00:02:20.000\nwait done\n"));
    assert_int_equal(ltAt(&ls, TR_SMTP_DELIVER, "user", "user6", NULL), 140000);
    labClose(&ls);
}

/* Play to the end with ad-hoc steps, save, run the saved file: the same records and outcomes. */
static void test_save_replays_the_same_run(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    int line;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 30000), MS_OK);
    assert_int_equal(labDo(&ls, "deliver user5 count=2", &line), MS_OK);
    assert_int_equal(labGotoLine(&ls, 20), MS_OK);
    assert_int_equal(labDo(&ls, "logon user6", &line), MS_OK);
    assert_int_equal(labUntil(&ls, 400000), MS_OK);
    assert_true(labDone(&ls));
    assert_int_equal(labDo(&ls, "cleanup", &line), MS_OK);   /* after the end: appended */
    assert_int_equal(labNext(&ls), MS_OK);
    assert_true(labDone(&ls));
    char *text;
    assert_int_equal(labSavedText(&ls, &text), MS_OK);
    assert_non_null(strstr(text, "# migsim lab: saved at"));
    scenario sc;
    scnError e;
    sim s;
    assert_int_equal(scnParse("saved.scn", text, strlen(text), &sc, &e), MS_OK);
    simOptions opt = {0, 0, NULL, 1, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    simRun(&s);
    size_t na, nb;
    const traceRecord *a = records(&ls, &na), *b = traceRecords(&s.k.tr, &nb);
    assertSameTrace(a, na, b, nb);
    assert_int_equal(ltCount(&ls, TR_ADMIN_DELETE, NULL), 6);   /* the same in the saved run's */
    runResult ra, rb;
    assert_int_equal(resultCollect(labSim(&ls), &ra), MS_OK);
    assert_int_equal(resultCollect(&s, &rb), MS_OK);
    assert_int_equal(ra.nusers, rb.nusers);
    for (uint32_t u = 0; u < ra.nusers; u++) {
        assert_int_equal(ra.verdicts[u].out, rb.verdicts[u].out);
        assert_memory_equal(ra.verdicts[u].counters, rb.verdicts[u].counters, sizeof ra.verdicts[u].counters);
    }
    assert_int_equal(ra.stranded, rb.stranded);
    assert_int_equal(ra.verdict, rb.verdict);
    resultFree(&ra);
    resultFree(&rb);
    simFree(&s);
    scnFree(&sc);
    free(text);
    labClose(&ls);
}

/* --seed goes into the text: over the seed line, or over a comment line of the world, never moving a line. */
static void test_seed_written_into_the_text(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    labOptions o = {1, 7, NULL, 0, NULL, 0};
    size_t len;
    char *t = readAll(reproduce, &len);
    openText(&ls, t, &o, &sn);
    assert_non_null(strstr(ls.texts[0], "\nseed 7\n"));
    assert_null(strstr(ls.texts[0], "seed 1"));
    assert_int_equal(labSim(&ls)->k.seed, 7);
    labClose(&ls);
    free(t);
    openText(&ls, "# a world\nsite S\ndc DC1 site=S\nwait 1s\n", &o, &sn);
    assert_string_equal(ls.texts[0], "seed 7   # a world\nsite S\ndc DC1 site=S\nwait 1s\n");
    labClose(&ls);
    openText(&ls, "site S\ndc DC1 site=S\nwait 1s", &o, &sn);
    assert_string_equal(ls.texts[0], "seed 7\nsite S\ndc DC1 site=S\nwait 1s\n");
    labClose(&ls);
}

/* why: records chosen by kind and user: user3 merged (initialized by delivery), user5 cloned. */
static void test_why_chain(void **state) {
    (void)state;
    labSession ls;
    seen sn;
    labWhy w;
    openRepro(&ls, &sn);
    assert_int_equal(labUntil(&ls, 400000), MS_OK);
    assert_int_equal(labWhyUser(&ls, "user3", &w), MS_OK);
    assert_int_equal(w.verdict.out, OUT_MERGED);
    assert_true(w.converged);
    static const traceKind want3[] = {TR_WIZ_ACCOUNT_CREATE, TR_STORE_INIT, TR_WIZ_ACCOUNT_MATCH, TR_WIZ_MERGE,
                                      TR_WIZ_MERGE_FOLDERS, TR_WIZ_MERGE_RULES, TR_WIZ_PASS_DONE};
    assert_int_equal(w.n, sizeof want3 / sizeof want3[0]);
    for (size_t i = 0; i < w.n; i++) {
        assert_int_equal(w.items[i].r->kind, want3[i]);
        assert_string_equal(w.items[i].r->user, "user3");
    }
    assert_string_equal(w.items[1].role, "initialized");
    assert_string_equal(trStr(w.items[1].r, "by"), "delivery");
    assert_string_equal(w.items[3].role, "mode");
    labWhyFree(&w);
    assert_int_equal(labWhyUser(&ls, "user5", &w), MS_OK);
    assert_int_equal(w.verdict.out, OUT_CLONED);
    static const traceKind want5[] = {TR_WIZ_ACCOUNT_CREATE, TR_WIZ_ACCOUNT_MATCH, TR_WIZ_CLONE, TR_WIZ_PASS_DONE};
    assert_int_equal(w.n, sizeof want5 / sizeof want5[0]);
    for (size_t i = 0; i < w.n; i++) assert_int_equal(w.items[i].r->kind, want5[i]);
    labWhyFree(&w);
    assert_int_equal(labWhyUser(&ls, "user", &w), MS_INPUT);   /* exact names only */
    labWhyFree(&w);
    labClose(&ls);
}

/* ---- the command ---- */

/* runCli's capture (clirun.h), with the lab's commands fed from input. */
static captured runLab(const char *input, int argc, char **argv) {
    captured c;
    size_t no = 0, ne = 0;
    FILE *in = fmemopen((void *)input, strlen(input), "r");
    FILE *out = open_memstream(&c.out, &no), *err = open_memstream(&c.err, &ne);
    c.status = cliLab(argc, argv, in, out, err);
    fclose(in);
    fclose(out);
    fclose(err);
    return c;
}

/* The trainee's session of the issue, in process: positions, the view, the chain, back. */
static void test_cli_trainee_session(void **state) {
    (void)state;
    char *argv[] = {"migsim", "lab", (char *)reproduce, NULL};
    captured c = runLab("next\nnext\nshow user:user3\nwhy user3\nback\nquit\n", 3, argv);
    assert_int_equal(c.status, 0);
    assert_string_equal(c.err, "");
    const char *want[] = {
        "migsim " MIGSIM_VERSION " lab: scenarios/kb842101/reproduce.scn, seed 1; `help` lists the commands\n"
        "-- t=00:00:00 next: line 14 migrate all\n"
        "+00:00:00.000  step     migrate all (line 14)\n",
        "-- t=00:00:00 next: line 15 cancel when mailboxes=2\n",
        "+00:00:00.000  step     cancel when mailboxes=2 (line 15)\n"
        "-- t=00:00:00 waiting: line 15 cancel when mailboxes=2\n"
        "state at t=00:00:00:\n\nuser user3\n",
        "why user3 at t=00:00:00: absent as DC1 reads it now; the directory has not converged, so it may still change\n"
        "  no record has touched user3's account or mailbox yet\n"
        "-- t=00:00:00 next: line 15 cancel when mailboxes=2\n",
    };
    const char *p = c.out;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *q = strstr(p, want[i]);
        if (!q) fail_msg("missing, in order: <<%s>> in <<%s>>", want[i], c.out);
        p = q + strlen(want[i]);
    }
    freeCaptured(&c);
}

/* --migrator-timeout takes SECONDS as run and sweep do (cliParseSeconds): at
** most 3 decimals, more than 0, at most a day; no exponent. */
static void test_cli_migrator_timeout_as_run_takes_it(void **state) {
    (void)state;
    const char *bad[] = {"1e1", "0", "0.0001", "86401", " 5", "inf", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"migsim", "lab", (char *)reproduce, "--migrator-timeout", (char *)bad[i], NULL};
        captured c = runLab("quit\n", 5, argv);
        assert_int_equal(c.status, 2);
        char want[200];
        snprintf(want, sizeof want, "migsim: error: --migrator-timeout needs seconds, more than 0 and at most 86400, "
                                    "not '%s' (see 'migsim lab --help')\n", bad[i]);
        assert_string_equal(c.err, want);
        freeCaptured(&c);
    }
    char *argv[] = {"migsim", "lab", (char *)reproduce, "--migrator-timeout", "0.5", NULL};
    captured c = runLab("quit\n", 5, argv);
    assert_int_equal(c.status, 0);
    freeCaptured(&c);
}

/* Errors: one line each on err, the lab goes on; the end of the input quits like `quit`. */
static void test_cli_errors_go_on(void **state) {
    (void)state;
    char *argv[] = {"migsim", "lab", (char *)reproduce, "--brief", NULL};
    captured c = runLab("frobnicate\nuntil soon\ngoto 6\nback\ndo deliver nobody\nwhy\nshow dc:DC9\nstep 2\nhelp\n",
                        4, argv);
    assert_int_equal(c.status, 0);
    const char *errs[] = {
        "lab: error: unknown command 'frobnicate' (help lists them)\n",
        "lab: error: until needs a time like 2m30s or 00:02:30\n",
        "lab: error: goto 6: line 6 describes the world, not a step\n",
        "lab: error: back 1: nothing to undo\n",
        "lab: error: do: column 9: ",
        "lab: error: why needs one user name, like `why user3`\n",
        "lab: error: show dc:DC9: no dc of that name in scenarios/kb842101/reproduce.scn\n",
    };
    const char *p = c.err;
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        const char *q = strstr(p, errs[i]);
        if (!q) fail_msg("missing, in order: <<%s>> in <<%s>>", errs[i], c.err);
        p = q + strlen(errs[i]);
    }
    /* The lab went on: step 2 ran after the errors, --brief shortened the names, help printed. */
    assert_non_null(strstr(c.out, "created disabled account user1@DC1, mailbox GUID d4064322\n"));
    assert_non_null(strstr(c.out, "  why USER "));
    freeCaptured(&c);
}

/* A bad scenario file: its one error line and exit 2, as `run`; a missing one too. */
static void test_cli_bad_file(void **state) {
    (void)state;
    FILE *f = fopen("build/lab-bad.scn", "w");
    if (!f) f = fopen("lab-bad.scn", "w");
    assert_non_null(f);
    fputs("site S\ndc DC1 site=S\nmigrate bogus\n", f);
    fclose(f);
    char *argv[] = {"migsim", "lab", "build/lab-bad.scn", NULL};
    captured c = runLab("quit\n", 3, argv);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "build/lab-bad.scn:3:"));
    assert_non_null(strstr(c.err, ": error: "));
    assert_string_equal(c.out, "");
    freeCaptured(&c);
    char *argv2[] = {"migsim", "lab", "no/such.scn", NULL};
    c = runLab("", 3, argv2);
    assert_int_equal(c.status, 2);
    assert_non_null(strstr(c.err, "no/such.scn: error: cannot open"));
    freeCaptured(&c);
    remove("build/lab-bad.scn");
}

/* The binary from a pipe, as the issue asks: `printf ... | migsim lab reproduce.scn`. */
static void test_cli_pipe(void **state) {
    (void)state;
    const char *bin = getenv("MIGSIM");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "printf 'next\\nnext\\nshow user:user3\\nwhy user3\\nback\\nquit\\n' | %s lab %s > build/lab-pipe.out 2>&1",
             bin ? bin : "build/migsim", reproduce);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
    size_t len;
    char *out = readAll("build/lab-pipe.out", &len);
    assert_null(strstr(out, "lab>"));   /* no prompt from a pipe */
    assert_non_null(strstr(out, "-- t=00:00:00 waiting: line 15 cancel when mailboxes=2\n"));
    assert_non_null(strstr(out, "why user3 at t=00:00:00: absent"));
    free(out);
    remove("build/lab-pipe.out");
}

/*
** docs/lab.md's quoted session: the block after "<!-- lab-session: ARGS -->"
** holds commands (lines "lab> CMD") and what the lab prints; every printed
** line it quotes must be a whole line of the real output, in order ("..."
** elides any number of lines).
*/
static void test_docs_session(void **state) {
    (void)state;
    const char *env = getenv("MIGSIM_DOCS");
    char path[512];
    snprintf(path, sizeof path, "%s/lab.md", env && *env ? env : "docs");
    FILE *f = fopen(path, "r");
    if (!f) skip();
    char line[2048], args[256] = "", input[4096] = "";
    char *want[256];
    size_t nwant = 0;
    int state_ = 0;   /* 0 before the marker, 1 after it, 2 in the block */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (state_ == 0 && sscanf(line, "<!-- lab-session: %255[^>]", args) == 1) {
            size_t n = strlen(args);   /* drop the " --" before ">" */
            while (n && (args[n - 1] == '-' || args[n - 1] == ' ')) args[--n] = '\0';
            state_ = 1;
        } else if (state_ == 1 && strncmp(line, "```", 3) == 0) {
            state_ = 2;
        } else if (state_ == 2 && strncmp(line, "```", 3) == 0) {
            break;
        } else if (state_ == 2 && strncmp(line, "lab> ", 5) == 0) {
            strncat(input, line + 5, sizeof input - strlen(input) - 2);
            strcat(input, "\n");
        } else if (state_ == 2 && line[0] && strcmp(line, "...") != 0 && nwant < 256) {
            want[nwant++] = strdup(line);
        }
    }
    fclose(f);
    assert_int_equal(state_, 2);
    assert_true(nwant > 10);
    char *argv[16] = {"migsim", "lab"};
    int argc = 2;
    for (char *w = strtok(args, " "); w && argc < 15; w = strtok(NULL, " ")) argv[argc++] = w;
    captured c = runLab(input, argc, argv);
    assert_int_equal(c.status, 0);
    assert_string_equal(c.err, "");
    const char *p = c.out;
    for (size_t i = 0; i < nwant; i++) {
        size_t n = strlen(want[i]);
        const char *q = p;
        while ((q = strstr(q, want[i])) && !((q == c.out || q[-1] == '\n') && (q[n] == '\n' || !q[n]))) q++;
        if (!q) fail_msg("docs/lab.md: quoted line not in the output (or out of order):\n  %s", want[i]);
        p = q + n;
        free(want[i]);
    }
    freeCaptured(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_is_one_unit),
        cmocka_unit_test(test_next_runs_to_the_next_line),
        cmocka_unit_test(test_until_stops_after_t),
        cmocka_unit_test(test_back_replays_exactly),
        cmocka_unit_test(test_goto),
        cmocka_unit_test(test_do_splits_a_wait),
        cmocka_unit_test(test_do_refusals),
        cmocka_unit_test(test_do_inside_wait_done),
        cmocka_unit_test(test_save_replays_the_same_run),
        cmocka_unit_test(test_seed_written_into_the_text),
        cmocka_unit_test(test_why_chain),
        cmocka_unit_test(test_cli_trainee_session),
        cmocka_unit_test(test_cli_errors_go_on),
        cmocka_unit_test(test_cli_migrator_timeout_as_run_takes_it),
        cmocka_unit_test(test_cli_bad_file),
        cmocka_unit_test(test_cli_pipe),
        cmocka_unit_test(test_docs_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
