/*
** Tests of the state at a moment and of the narrative's reading aids:
** simRunUntil's stopping rule (the work due at T and nothing after it, a
** step due at T included, the rest of the run unchanged), the values
** stateCollect copies out of the world (dc, server and user views: CNF and
** deleted objects, RUS stamps, mailbox owners, folder IDs, broken rules,
** disconnection and purge time, a user's records), the narrative printer's
** filters and --brief (from a record's subjects), and the command: --until,
** --show (text and JSON), bad view names, --quiet keeping the table, and
** --user, --actor, --brief.  Values are read from the collected state and
** from records; prose only where the output format is what is tested.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clirun.h"
#include "out/narrative.h"
#include "run/state.h"
#include "run/world.h"
#include "scenario/scenario.h"

static const char *reproduce = "scenarios/kb842101/reproduce.scn";

typedef struct runFx {
    scenario sc;
    sim s;
} runFx;

static void start(runFx *f, const char *path, int record) {
    scnError e;
    if (scnParseFile(path, &f->sc, &e) != MS_OK) fail_msg("%s: %s", path, e.msg);
    simOptions opt = {0, 0, NULL, record, NULL, 0};
    assert_int_equal(simInit(&f->s, &f->sc, &opt), MS_OK);
}

static void stop(runFx *f) {
    simFree(&f->s);
    scnFree(&f->sc);
}

/* The views spec of f's scenario, collected now, labelled at. */
static void collect(runFx *f, const char *spec, simtime at, simState *st) {
    stateRequest *req = NULL;
    size_t n = 0;
    char why[256];
    assert_int_equal(stateParseViews(&f->sc, spec, &req, &n, why, sizeof why), MS_OK);
    assert_int_equal(stateCollect(&f->s, req, n, at, st), MS_OK);
    free(req);
}

/* The object of v (n of them) whose account is user's with status, or NULL. */
static const stateObject *accountOf(const stateObject *v, size_t n, const char *user, stateObjStatus status) {
    for (size_t i = 0; i < n; i++)
        if (v[i].user && strcmp(v[i].user, user) == 0 && v[i].status == status) return &v[i];
    return NULL;
}

static const stateMailbox *mailboxFor(const stateMailbox *v, size_t n, const char *user) {
    for (size_t i = 0; i < n; i++)
        if (v[i].user && strcmp(v[i].user, user) == 0) return &v[i];
    return NULL;
}

/* ---- the stopping rule -------------------------------------------------- */

static void until_stops_after_the_work_due_at_t(void **state) {
    (void)state;
    runFx f;
    start(&f, reproduce, 1);
    simtime t = 15 * MS_PER_SECOND;
    assert_int_equal(simRunUntil(&f.s, t), MS_OK);
    assert_false(f.s.done);
    assert_true(f.s.k.now <= t);
    assert_true(simNextAt(&f.s) > t);
    size_t n;
    const traceRecord *r = traceRecords(&f.s.k.tr, &n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) assert_true(r[i].at <= t);
    /* The cancel (due at 15 s: the second mailbox is done then) happened. */
    int cancelled = 0;
    for (size_t i = 0; i < n; i++) cancelled |= r[i].kind == TR_WIZ_CANCEL;
    assert_true(cancelled);
    /* Going on gives the run a plain simRun gives: same records. */
    assert_int_equal(simRun(&f.s), MS_OK);
    runFx g;
    start(&g, reproduce, 1);
    assert_int_equal(simRun(&g.s), MS_OK);
    size_t m;
    const traceRecord *q = traceRecords(&g.s.k.tr, &m);
    r = traceRecords(&f.s.k.tr, &n);
    assert_int_equal(n, m);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].at, q[i].at);
        assert_int_equal(r[i].kind, q[i].kind);
        assert_string_equal(r[i].text, q[i].text);
    }
    stop(&g);
    stop(&f);
}

static void until_at_the_instant_of_a_step_runs_it(void **state) {
    (void)state;
    scenario sc;
    scnError e;
    const char *text = "site S\ndc DC1 site=S\nwait 1m\nwait 1s\nwait 1s\n";
    assert_int_equal(scnParse("t.scn", text, strlen(text), &sc, &e), MS_OK);
    sim s;
    simOptions opt = {0, 0, NULL, 1, NULL, 0};
    assert_int_equal(simInit(&s, &sc, &opt), MS_OK);
    assert_int_equal(simRunUntil(&s, MS_PER_MINUTE), MS_OK);
    /* The step of line 4 is due at exactly 1m: it ran; line 5's (1m1s) did not. */
    size_t n;
    const traceRecord *r = traceRecords(&s.k.tr, &n);
    int line4 = 0, line5 = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].kind != TR_STEP) continue;
        line4 |= traceFieldOf(&r[i], "line")->i == 4 && r[i].at == MS_PER_MINUTE;
        line5 |= traceFieldOf(&r[i], "line")->i == 5;
    }
    assert_true(line4);
    assert_false(line5);
    assert_int_equal(simNextAt(&s), MS_PER_MINUTE + MS_PER_SECOND);
    /* Past the end: the run ends, simRunUntil gives its verdict. */
    assert_int_equal(simRunUntil(&s, 365 * 24 * 3600 * (simtime)MS_PER_SECOND), MS_OK);
    assert_true(s.done);
    assert_int_equal(simNextAt(&s), SIMTIME_MAX);
    simFree(&s);
    scnFree(&sc);
}

/* ---- the collected values ----------------------------------------------- */

static void views_at_the_end_of_the_reproduction(void **state) {
    (void)state;
    runFx f;
    start(&f, reproduce, 1);
    assert_int_equal(simRun(&f.s), MS_OK);
    simState st;
    collect(&f, "dc:DC1,server:EX1,user:user3", f.s.k.now, &st);
    assert_int_equal(st.n, 3);
    assert_true(st.finished);
    const stateDc *d = &st.v[0].dc;
    assert_int_equal(st.v[0].kind, VIEW_DC);
    assert_string_equal(d->name, "DC1");
    const stateObject *a = accountOf(d->objects, d->nobjects, "user3", OBJ_LIVE);
    assert_non_null(a);
    assert_true(a->stamped);
    assert_true(a->has_mailbox);
    assert_string_equal(a->name, "user3");
    assert_int_equal(a->usn, dirUsnChanged(f.s.world->dir, 0, &a->id));
    for (size_t i = 1; i < d->nobjects; i++) assert_true(d->objects[i - 1].usn < d->objects[i].usn);
    /* DC2 is DC1's partner; DC1 pulled from it and is up to date with it. */
    assert_int_equal(d->npartners, 1);
    assert_string_equal(d->partners[0].dc, "DC2");
    assert_true(d->partners[0].partner);
    assert_true(d->partners[0].last_pull >= 0);
    assert_int_equal(d->partners[0].utd, dirUpToDate(f.s.world->dir, 0, 1));
    /* The server: user3's mailbox is the account's, initialized by delivery, merged: a broken rule. */
    const stateServer *sv = &st.v[1].server;
    assert_string_equal(sv->dc, "DC1");
    assert_int_equal(sv->nmailboxes, 6);
    const stateMailbox *m = mailboxFor(sv->mailboxes, sv->nmailboxes, "user3");
    assert_non_null(m);
    assert_memory_equal(&m->g, &a->mailbox, sizeof m->g);
    assert_true(m->has_owner);
    assert_memory_equal(&m->owner, &a->id, sizeof m->owner);
    assert_string_equal(m->init, "delivery");
    assert_int_equal(m->init_at, 2 * MS_PER_MINUTE + 15 * MS_PER_SECOND);
    assert_int_equal(m->rules, 1);
    assert_int_equal(m->rules_broken, 1);
    assert_false(m->disconnected);
    int64_t items = 0, source_ids = 0;
    for (size_t i = 0; i < m->nfolders; i++) {
        items += m->folders[i].items;
        source_ids += m->folders[i].from_source;
    }
    assert_int_equal(items, m->items);
    assert_int_equal(source_ids, 0);   /* merged: every folder has a new ID */
    const stateMailbox *m1 = mailboxFor(sv->mailboxes, sv->nmailboxes, "user1");
    assert_string_equal(m1->init, "clone");
    assert_int_equal(m1->rules_broken, 0);
    for (size_t i = 0; i < m1->nfolders; i++) assert_true(m1->folders[i].from_source);
    /* The user: one account on each DC, one mailbox, records about user3 only. */
    const stateUser *u = &st.v[2].user;
    assert_string_equal(u->name, "user3");
    assert_int_equal(u->naccounts, 2);
    assert_string_equal(u->accounts[0].dc, "DC1");
    assert_string_equal(u->accounts[1].dc, "DC2");
    assert_int_equal(u->nmailboxes, 1);
    size_t n;
    const traceRecord *r = traceRecords(&u->records, &n);
    assert_true(n > 0);
    int delivered = 0;
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(r[i].user, "user3");
        delivered |= r[i].kind == TR_SMTP_DELIVER;
    }
    assert_true(delivered);
    stateFree(&st);
    stop(&f);
}

static void deleted_and_disconnected_after_the_cleanup(void **state) {
    (void)state;
    runFx f;
    start(&f, "scenarios/kb842101/fix.scn", 0);
    assert_int_equal(simRun(&f.s), MS_OK);
    simState st;
    collect(&f, "user:user3,server:EX1", f.s.k.now, &st);
    const stateUser *u = &st.v[0].user;
    /* The deleted account, a tombstone on both DCs, and the new live one. */
    const stateObject *gone = accountOf(u->accounts, u->naccounts, "user3", OBJ_DELETED);
    assert_non_null(gone);
    assert_non_null(strstr(gone->name, "user3\\0ADEL:"));
    assert_null(strchr(gone->name, '\n'));
    assert_non_null(accountOf(u->accounts, u->naccounts, "user3", OBJ_LIVE));
    /* The first mailbox is disconnected (no live account), purge after the retention. */
    assert_int_equal(u->nmailboxes, 2);
    const stateMailbox *old = &u->mailboxes[0];
    assert_true(old->disconnected);
    assert_false(old->has_owner);
    assert_int_equal(old->purge_at, old->disconnected_at + f.s.k.p.mailbox_retention);
    assert_false(u->mailboxes[1].disconnected);
    assert_int_equal(u->records.n, 0);   /* not recording: no records to list */
    stateFree(&st);
    stop(&f);
}

static void cnf_objects_are_marked(void **state) {
    (void)state;
    runFx f;
    start(&f, "scenarios/directory/name-conflict.scn", 0);
    assert_int_equal(simRun(&f.s), MS_OK);
    simState st;
    collect(&f, "dc:DC1", f.s.k.now, &st);
    size_t cnf = 0;
    for (size_t i = 0; i < st.v[0].dc.nobjects; i++) {
        const stateObject *o = &st.v[0].dc.objects[i];
        if (o->status != OBJ_CNF) continue;
        cnf++;
        assert_non_null(strstr(o->name, "\\0ACNF:"));
        assert_non_null(strstr(o->dn, "\\0ACNF:"));
    }
    assert_true(cnf >= 1);
    stateFree(&st);
    stop(&f);
}

static void view_names_are_exact(void **state) {
    (void)state;
    runFx f;
    start(&f, reproduce, 0);
    stateRequest *req = NULL;
    size_t n = 0;
    char why[256];
    assert_int_equal(stateParseViews(&f.sc, "user:user", &req, &n, why, sizeof why), MS_INPUT);
    assert_string_equal(why, "--show user:user: no source user of that name in scenarios/kb842101/reproduce.scn");
    assert_int_equal(stateParseViews(&f.sc, "dc:DC1,disk:C", &req, &n, why, sizeof why), MS_INPUT);
    assert_string_equal(why, "--show: 'disk:C' is not a view (dc:NAME, server:NAME or user:NAME)");
    assert_int_equal(stateParseViews(&f.sc, "server:", &req, &n, why, sizeof why), MS_INPUT);
    assert_string_equal(why, "--show: 'server:' is not a view (dc:NAME, server:NAME or user:NAME)");
    free(req);
    req = NULL;
    n = 0;
    assert_int_equal(stateAllViews(&f.sc, &req, &n), MS_OK);
    assert_int_equal(n, 3);   /* DC1, DC2, EX1 */
    assert_int_equal(req[2].kind, VIEW_SERVER);
    free(req);
    stop(&f);
}

/* ---- the narrative printer ---------------------------------------------- */

static void brief_shortens_what_the_record_names(void **state) {
    (void)state;
    guid mbx, obj;
    assert_int_equal(guidParse("62d52a34-2e2d-5588-9bc8-0bbc23aeedb8", &mbx), 0);
    assert_int_equal(guidParse("a21b5276-9918-5070-8bea-a16cb60af2d4", &obj), 0);
    traceRecord r = traceNew(TR_SMTP_DELIVER, "smtp");
    r.user = "user3";
    r.dc = "DC1";
    traceMailbox(&r, &mbx);
    traceStr(&r, "dn", "CN=user3\\0ACNF:a21b5276-9918-5070-8bea-a16cb60af2d4,OU=Migrated,DC=target,DC=example");
    r.text = "to CN=user3\\0ACNF:a21b5276-9918-5070-8bea-a16cb60af2d4,OU=Migrated,DC=target,DC=example, "
             "mailbox 62d52a34-2e2d-5588-9bc8-0bbc23aeedb8; other 00000000-1111-2222-3333-444444444444";
    narrativeOptions o = {NULL, NULL, 0, NULL, 0, 1};
    char buf[512];
    narrativeText(&o, &r, buf, sizeof buf);
    /* A GUID the record does not carry stays whole. */
    assert_string_equal(buf, "to user3\\0ACNF:a21b5276@DC1, mailbox 62d52a34; other 00000000-1111-2222-3333-444444444444");
    traceObject(&r, &obj);
    r.text = "object a21b5276-9918-5070-8bea-a16cb60af2d4";
    narrativeText(&o, &r, buf, sizeof buf);
    assert_string_equal(buf, "object a21b5276");
    o.brief = 0;
    narrativeText(&o, &r, buf, sizeof buf);
    assert_string_equal(buf, r.text);
}

static void filters_match_exact_names(void **state) {
    (void)state;
    const char *users[] = {"user1"}, *actors[] = {"smtp", "EX1"};
    narrativeOptions o = {NULL, users, 1, NULL, 0, 0};
    traceRecord r = traceNew(TR_SMTP_DELIVER, "smtp");
    r.user = "user10";
    assert_false(narrativeWants(&o, &r));
    r.user = "user1";
    assert_true(narrativeWants(&o, &r));
    r.user = NULL;
    assert_false(narrativeWants(&o, &r));
    o = (narrativeOptions){NULL, NULL, 0, actors, 2, 0};
    assert_true(narrativeWants(&o, &r));
    r.actor = "EX";
    assert_false(narrativeWants(&o, &r));
    /* Both filters: a record must pass each. */
    o = (narrativeOptions){NULL, users, 1, actors, 2, 0};
    r.actor = "EX1";
    r.user = "user1";
    assert_true(narrativeWants(&o, &r));
    r.actor = "wizard";
    assert_false(narrativeWants(&o, &r));
}

/* ---- the command -------------------------------------------------------- */

/* 1 when some line of out starts with the narrative's time column and holds s. */
static int narrativeHas(const char *out, const char *s) {
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (p[0] != '+') continue;
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        if (strstr(line, s)) return 1;
    }
    return 0;
}

static void cli_until_shows_the_state(void **state) {
    (void)state;
    const char *a[] = {"migsim", "run", reproduce, "--until", "15s", "--show", "user:user3"};
    captured c = runCli(7, a);
    assert_int_equal(c.status, 0);
    assert_string_equal(c.err, "");
    assert_non_null(strstr(c.out, "\nState at +00:00:15.000 (stopped by --until; the run goes on after this):\n"));
    assert_non_null(strstr(c.out, "\nuser user3\n"));
    assert_null(strstr(c.out, "Outcomes"));
    assert_false(narrativeHas(c.out, "+00:00:15.500"));
    assert_non_null(strstr(c.out, "\nverdict: NONE (no expectations; seed 1; stopped at +00:00:15.000)\n"));
    freeCaptured(&c);
    /* Past the end: the state at the end, the expectations judged. */
    const char *b[] = {"migsim", "run", reproduce, "--until", "400d"};
    c = runCli(5, b);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "(the run had ended):\n"));
    assert_non_null(strstr(c.out, "\ndc DC1: "));
    assert_non_null(strstr(c.out, "\ndc DC2: "));
    assert_non_null(strstr(c.out, "\nserver EX1 (reads DC1): 6 mailboxes\n"));
    assert_non_null(strstr(c.out, "\nverdict: PASS (4 expectations held; seed 1; ended at "));
    freeCaptured(&c);
    /* --show alone: the state at the end, in place of the table. */
    const char *d[] = {"migsim", "run", reproduce, "--show", "server:EX1", "--json"};
    c = runCli(6, d);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "\n  \"state\": {\"at_ms\": "));
    assert_non_null(strstr(c.out, "\"finished\": true, \"views\": [\n    {\"view\": \"server\", \"name\": \"EX1\""));
    assert_non_null(strstr(c.out, "\"initialized_by\": \"delivery\""));
    freeCaptured(&c);
    const char *e[] = {"migsim", "run", reproduce, "--json"};
    c = runCli(4, e);
    assert_null(strstr(c.out, "\n  \"state\": "));
    freeCaptured(&c);
}

static void cli_bad_views_and_durations(void **state) {
    (void)state;
    const char *a[] = {"migsim", "run", reproduce, "--show", "dc:DC9"};
    captured c = runCli(5, a);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    assert_string_equal(c.err, "migsim: error: --show dc:DC9: no dc of that name in scenarios/kb842101/reproduce.scn\n");
    freeCaptured(&c);
    const char *b[] = {"migsim", "run", reproduce, "--show", "mailbox:x"};
    c = runCli(5, b);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --show: 'mailbox:x' is not a view (dc:NAME, server:NAME or user:NAME)\n");
    freeCaptured(&c);
    const char *d[] = {"migsim", "run", reproduce, "--until", "soon"};
    c = runCli(5, d);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --until needs a duration from time 0 like 2m30s, not 'soon' "
                               "(see 'migsim run --help')\n");
    freeCaptured(&c);
    const char *e[] = {"migsim", "run", reproduce, "--user", "user7"};
    c = runCli(5, e);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --user user7: no source user of that name in "
                               "scenarios/kb842101/reproduce.scn\n");
    freeCaptured(&c);
    const char *g[] = {"migsim", "run", reproduce, "--actor", "smtp,"};
    c = runCli(5, g);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.err, "migsim: error: --actor: an empty name in the list (see 'migsim run --help')\n");
    freeCaptured(&c);
}

static void cli_quiet_keeps_the_table(void **state) {
    (void)state;
    const char *a[] = {"migsim", "run", reproduce, "--quiet"};
    captured c = runCli(4, a);
    assert_int_equal(c.status, 0);
    assert_false(narrativeHas(c.out, "wizard"));
    assert_null(strstr(c.out, "migsim 0"));
    assert_non_null(strstr(c.out, "\nOutcomes (directory converged; read on DC1):\n"));
    assert_non_null(strstr(c.out, "\n  user3      merged"));
    assert_non_null(strstr(c.out, "  stranded items: 0\nverdict: PASS"));
    freeCaptured(&c);
}

static void cli_filters_and_brief(void **state) {
    (void)state;
    char path[] = "/tmp/migsim-views-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("site S\ndc DC1 site=S gc\nserver EX1 dc=DC1 gc=DC1\nsource users=12 items=2\n"
          "wizard server=EX1 dc=DC1\nmigrate all\nwait done\nwait 2m\ndeliver user1 count=1\n"
          "deliver user10 count=1\nwait converged\n", f);
    fclose(f);
    const char *a[] = {"migsim", "run", path, "--user", "user1"};
    captured c = runCli(5, a);
    assert_int_equal(c.status, 0);
    assert_true(narrativeHas(c.out, "user1@target.example"));
    assert_false(narrativeHas(c.out, "user10"));
    assert_false(narrativeHas(c.out, "user2"));
    assert_false(narrativeHas(c.out, "step  "));   /* the runner's records name no user */
    assert_non_null(strstr(c.out, "\nOutcomes"));
    freeCaptured(&c);
    const char *b[] = {"migsim", "run", path, "--actor", "smtp", "--brief"};
    c = runCli(6, b);
    assert_int_equal(c.status, 0);
    assert_true(narrativeHas(c.out, "smtp     1 message to user10@target.example delivered: resolved on GC DC1 to user10@DC1, mailbox "));
    assert_false(narrativeHas(c.out, "wizard"));
    assert_false(narrativeHas(c.out, "CN=user10"));
    freeCaptured(&c);
    /* Without options the narrative is the default printer's, byte for byte. */
    const char *d[] = {"migsim", "run", path};
    const char *e[] = {"migsim", "run", path, "--actor", "step,wizard,smtp,EX1,DC1,expect,user1,user10"};
    c = runCli(3, d);
    captured g = runCli(5, e);
    assert_int_equal(g.status, 0);
    assert_true(strlen(g.out) > 0);
    assert_true(narrativeHas(c.out, "wizard "));
    assert_true(narrativeHas(g.out, "wizard "));
    /* Every line the filtered run printed is in the unfiltered output. */
    for (char *p = g.out; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        if (p[0] == '+') assert_non_null(strstr(c.out, p));
        p = nl + 1;
    }
    freeCaptured(&g);
    freeCaptured(&c);
    remove(path);
}

/* A trainee asks "has DC3 got it yet?": the user view names every DC, and a
   DC that holds no account of the user says so instead of being left out. */
static void cli_user_view_names_a_dc_without_the_account(void **state) {
    (void)state;
    const char *a[] = {"migsim", "run", "scenarios/labs/04-admin-dc-lag.scn", "--until", "2m15s",
                       "--show", "user:user3", "--quiet"};
    captured c = runCli(8, a);
    assert_int_equal(c.status, 0);
    const char *dc1 = strstr(c.out, "\n  on DC1:\n    usn ");
    const char *dc3 = strstr(c.out, "\n  on DC3:\n    no object (not replicated here yet, or never)\n");
    assert_non_null(dc1);
    assert_non_null(dc3);
    assert_true(dc1 < dc3);
    freeCaptured(&c);
    /* Once replication has crossed the site link, DC3 holds it. */
    const char *b[] = {"migsim", "run", "scenarios/labs/04-admin-dc-lag.scn", "--until", "2h",
                       "--show", "user:user3", "--quiet"};
    c = runCli(8, b);
    assert_int_equal(c.status, 0);
    assert_null(strstr(c.out, "no object"));
    assert_non_null(strstr(c.out, "\n  on DC3:\n    usn "));
    freeCaptured(&c);
}

/* The user view tells the story: narrated records listed, quiet ones (a
** migrator's requests, "dir.search: ok") only counted. */
static void cli_user_view_lists_narrated_records(void **state) {
    (void)state;
    const char *a[] = {"migsim", "run", "scenarios/kb842101/reproduce.scn", "--until", "3m", "--show", "user:user3",
                       "--quiet"};
    captured c = runCli(8, a);
    assert_int_equal(c.status, 0);
    assert_non_null(strstr(c.out, "  trace records about user3: 10 narrated (13 quiet ones, such as a migrator's "
                                  "requests, are in --trace)\n"));
    assert_non_null(strstr(c.out, "wizard   user3: merge finished: 100 copied"));
    assert_null(strstr(c.out, ": ok\n"));
    freeCaptured(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_user_view_lists_narrated_records),
        cmocka_unit_test(cli_user_view_names_a_dc_without_the_account),
        cmocka_unit_test(until_stops_after_the_work_due_at_t),
        cmocka_unit_test(until_at_the_instant_of_a_step_runs_it),
        cmocka_unit_test(views_at_the_end_of_the_reproduction),
        cmocka_unit_test(deleted_and_disconnected_after_the_cleanup),
        cmocka_unit_test(cnf_objects_are_marked),
        cmocka_unit_test(view_names_are_exact),
        cmocka_unit_test(brief_shortens_what_the_record_names),
        cmocka_unit_test(filters_match_exact_names),
        cmocka_unit_test(cli_until_shows_the_state),
        cmocka_unit_test(cli_bad_views_and_durations),
        cmocka_unit_test(cli_quiet_keeps_the_table),
        cmocka_unit_test(cli_filters_and_brief),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
