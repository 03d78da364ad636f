/*
** Tests of the scenario lexer and parser (sim/lexer.c, sim/parser.c):
** every statement into its AST fields, the world tables and defaults, the
** lexical rules (comments, blanks, CRLF, tabs, bad bytes, unterminated
** input), durations in context, and every error message with its exact
** line and column.  Error tests compare the whole message: a message is
** part of the user interface (docs/scenario-language.md quotes them).
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "scenario/lexer.h"
#include "kernel/params.h"
#include "scenario/scenario.h"

/* A complete world of six lines; steps appended to it start on line 7. */
#define WORLD                                                                                      \
    "site S1\n"                                                                                    \
    "dc DC1 site=S1\n"                                                                             \
    "dc DC2 site=S1 gc\n"                                                                          \
    "server EX1 dc=DC1\n"                                                                          \
    "source users=6\n"                                                                             \
    "wizard server=EX1 dc=DC1\n"

/* Two sites joined by a link; steps start on line 7. */
#define WORLD2                                                                                     \
    "site S1\n"                                                                                    \
    "site S2\n"                                                                                    \
    "sitelink S1 S2\n"                                                                             \
    "dc DC1 site=S1\n"                                                                             \
    "dc DC2 site=S2\n"                                                                             \
    "source users=3\n"

static void parseOk(const char *text, scenario *sc) {
    scnError err;
    msStatus st = scnParse("t.scn", text, strlen(text), sc, &err);
    if (st != MS_OK) {
        char buf[600];
        scnErrorFormat(&err, buf, sizeof buf);
        print_error("unexpected parse error: %s\n", buf);
    }
    assert_int_equal(st, MS_OK);
}

/* Parse text expecting exactly one error: status, line, column and message. */
static void checkError(const char *text, size_t len, msStatus want, int line, int col, const char *msg) {
    scenario sc;
    scnError err;
    msStatus st = scnParse("t.scn", text, len, &sc, &err);
    if (st != want || err.line != line || err.col != col || strcmp(err.msg, msg) != 0)
        print_error("for \"%.*s\" got %s %d:%d: %s\n", (int)len, text, msStatusName(st), err.line, err.col, err.msg);
    assert_int_equal(st, want);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.msg, msg);
    /* A failed parse leaves an empty scenario. */
    assert_null(sc.v);
    assert_int_equal(sc.n, 0);
    scnFree(&sc);
}

#define ERR(text, line, col, msg) checkError((text), strlen(text), MS_INPUT, (line), (col), (msg))
#define RANGE(text, line, col, msg) checkError((text), strlen(text), MS_RANGE, (line), (col), (msg))

/* ------------------------------------------------------------------ world statements */

static void test_seed(void **state) {
    (void)state;
    scenario sc;
    parseOk("seed 9223372036854775807\n", &sc);
    assert_int_equal(sc.n, 1);
    assert_int_equal(sc.v[0].kind, ST_SEED);
    assert_true(sc.v[0].u.seed.value == INT64_MAX);
    assert_true(sc.seed == INT64_MAX);
    scnFree(&sc);
    parseOk("seed 0\n", &sc);
    assert_true(sc.seed == 0);
    scnFree(&sc);
    parseOk("# nothing\n", &sc);
    assert_true(sc.seed == 1);
    scnFree(&sc);
}

static void test_ad(void **state) {
    (void)state;
    scenario sc;
    parseOk("ad 2000\n", &sc);
    assert_int_equal(sc.v[0].kind, ST_AD);
    assert_int_equal(sc.v[0].u.ad.year, 2000);
    assert_int_equal(sc.ad, 0);
    scnFree(&sc);
    parseOk("seed 3\nad 2003\n", &sc);
    assert_int_equal(sc.v[1].u.ad.year, 2003);
    assert_int_equal(sc.ad, 1);
    scnFree(&sc);
    parseOk("seed 3\n", &sc);
    assert_int_equal(sc.ad, -1);
    scnFree(&sc);
}

static void test_set(void **state) {
    (void)state;
    scenario sc;
    size_t n;
    const paramDef *tab = paramsTable(&n);
    parseOk("set rus.interval 1h30m\nset wizard.batch 50\n", &sc);
    assert_int_equal(sc.v[0].kind, ST_SET);
    assert_string_equal(sc.v[0].u.set.name.name, "rus.interval");
    assert_ptr_equal(&tab[sc.v[0].u.set.name.index], paramsFind("rus.interval"));
    assert_int_equal(sc.v[0].u.set.value, 90 * MS_PER_MINUTE);
    assert_int_equal(sc.v[0].u.set.name.pos.line, 1);
    assert_int_equal(sc.v[0].u.set.name.pos.col, 5);
    assert_ptr_equal(&tab[sc.v[1].u.set.name.index], paramsFind("wizard.batch"));
    assert_int_equal(sc.v[1].u.set.value, 50);
    scnFree(&sc);
    /* Every parameter of the table is settable to its own default. */
    for (size_t i = 0; i < n; i++) {
        char text[200];
        const char *v = strcmp(tab[i].dflt, "profile") == 0 ? "15s" : tab[i].dflt;
        snprintf(text, sizeof text, "set %s %s\n", tab[i].name, v);
        parseOk(text, &sc);
        assert_int_equal(sc.v[0].u.set.name.index, (int)i);
        scnFree(&sc);
    }
}

static void test_site(void **state) {
    (void)state;
    scenario sc;
    parseOk("site S1\nsite HQ-2 schedule=15m bridgehead=DC3\ndc DC1 site=S1\ndc DC2 site=HQ-2\n"
            "dc DC3 site=HQ-2\n", &sc);
    const stmt *a = &sc.v[0], *b = &sc.v[1];
    assert_int_equal(a->kind, ST_SITE);
    assert_string_equal(a->u.site.name.name, "S1");
    assert_int_equal(a->u.site.name.index, 0);
    assert_int_equal(a->u.site.has_schedule, 0);
    assert_null(a->u.site.bridgehead.name);
    assert_int_equal(a->u.site.bridgehead.index, -1);
    assert_string_equal(b->u.site.name.name, "HQ-2");
    assert_int_equal(b->u.site.name.index, 1);
    assert_int_equal(b->u.site.has_schedule, 1);
    assert_int_equal(b->u.site.schedule, 15 * MS_PER_MINUTE);
    assert_string_equal(b->u.site.bridgehead.name, "DC3");
    assert_int_equal(b->u.site.bridgehead.index, 2); /* resolved at the end of the world */
    assert_int_equal(b->u.site.bridgehead.pos.line, 2);
    assert_int_equal(b->u.site.bridgehead.pos.col, 35);
    assert_int_equal(sc.nsites, 2);
    assert_int_equal(sc.sites[0], 0);
    assert_int_equal(sc.sites[1], 1);
    scnFree(&sc);
}

static void test_sitelink(void **state) {
    (void)state;
    scenario sc;
    parseOk("site A\nsite B\nsite C\nsitelink A B\nsitelink C B interval=45m cost=7\n", &sc);
    const stmt *l1 = &sc.v[3], *l2 = &sc.v[4];
    assert_int_equal(l1->kind, ST_SITELINK);
    assert_int_equal(l1->u.sitelink.a.index, 0);
    assert_int_equal(l1->u.sitelink.b.index, 1);
    assert_int_equal(l1->u.sitelink.has_interval, 0);
    assert_int_equal(l1->u.sitelink.has_cost, 0);
    assert_int_equal(l2->u.sitelink.a.index, 2);
    assert_int_equal(l2->u.sitelink.b.index, 1);
    assert_int_equal(l2->u.sitelink.has_interval, 1);
    assert_int_equal(l2->u.sitelink.interval, 45 * MS_PER_MINUTE);
    assert_int_equal(l2->u.sitelink.has_cost, 1);
    assert_int_equal(l2->u.sitelink.cost, 7);
    assert_int_equal(sc.nsitelinks, 2);
    assert_int_equal(sc.sitelinks[0], 3);
    assert_int_equal(sc.sitelinks[1], 4);
    scnFree(&sc);
}

static void test_dc(void **state) {
    (void)state;
    scenario sc;
    parseOk("site S1\nsite S2\ndc DC1 site=S2\ndc DC_2 gc site=S1\n", &sc);
    const stmt *d1 = &sc.v[2], *d2 = &sc.v[3];
    assert_int_equal(d1->kind, ST_DC);
    assert_string_equal(d1->u.dc.name.name, "DC1");
    assert_int_equal(d1->u.dc.name.index, 0);
    assert_string_equal(d1->u.dc.site.name, "S2");
    assert_int_equal(d1->u.dc.site.index, 1);
    assert_int_equal(d1->u.dc.site.pos.col, 13);
    assert_int_equal(d1->u.dc.gc, 0);
    assert_int_equal(d2->u.dc.name.index, 1);
    assert_int_equal(d2->u.dc.site.index, 0);
    assert_int_equal(d2->u.dc.gc, 1);
    assert_int_equal(sc.ndcs, 2);
    assert_int_equal(sc.dcs[0], 2);
    assert_int_equal(sc.dcs[1], 3);
    scnFree(&sc);
}

static void test_server(void **state) {
    (void)state;
    scenario sc;
    parseOk("site S1\ndc DC1 site=S1\ndc DC2 site=S1 gc\nserver EX1 dc=DC1\nserver EX2 dc=DC1 gc=DC2\n", &sc);
    const stmt *e1 = &sc.v[3], *e2 = &sc.v[4];
    assert_int_equal(e1->kind, ST_SERVER);
    assert_string_equal(e1->u.server.name.name, "EX1");
    assert_int_equal(e1->u.server.name.index, 0);
    assert_int_equal(e1->u.server.dc.index, 0);
    assert_null(e1->u.server.gc.name);
    assert_int_equal(e1->u.server.gc.index, 0); /* default: dc= */
    assert_int_equal(e2->u.server.name.index, 1);
    assert_int_equal(e2->u.server.dc.index, 0);
    assert_string_equal(e2->u.server.gc.name, "DC2");
    assert_int_equal(e2->u.server.gc.index, 1);
    assert_int_equal(sc.nservers, 2);
    assert_int_equal(sc.servers[1], 4);
    scnFree(&sc);
}

static void test_source(void **state) {
    (void)state;
    scenario sc;
    parseOk("source users=6\n", &sc);
    const stmt *s = &sc.v[0];
    assert_int_equal(s->kind, ST_SOURCE);
    assert_int_equal(s->u.source.users, 6);
    assert_int_equal(s->u.source.items_lo, 100);
    assert_int_equal(s->u.source.items_hi, 100);
    assert_int_equal(s->u.source.folders, 5);
    assert_int_equal(s->u.source.rules, 1);
    assert_string_equal(s->u.source.prefix, "user");
    assert_int_equal(sc.source, 0);
    assert_int_equal(sc.nusers, 6);
    scnFree(&sc);
    parseOk("seed 2\nsource prefix=staff- rules=0 folders=12 items=10..250 users=3\n", &sc);
    s = &sc.v[1];
    assert_int_equal(s->u.source.users, 3);
    assert_int_equal(s->u.source.items_lo, 10);
    assert_int_equal(s->u.source.items_hi, 250);
    assert_int_equal(s->u.source.folders, 12);
    assert_int_equal(s->u.source.rules, 0);
    assert_string_equal(s->u.source.prefix, "staff-");
    assert_int_equal(sc.source, 1);
    assert_int_equal(sc.nusers, 3);
    scnFree(&sc);
    parseOk("source users=1 items=7\n", &sc);
    assert_int_equal(sc.v[0].u.source.items_lo, 7);
    assert_int_equal(sc.v[0].u.source.items_hi, 7);
    scnFree(&sc);
    parseOk("seed 1\n", &sc);
    assert_int_equal(sc.source, -1);
    assert_int_equal(sc.nusers, 0);
    scnFree(&sc);
}

static void test_wizard(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD, &sc);
    const stmt *w = &sc.v[5];
    assert_int_equal(w->kind, ST_WIZARD);
    assert_int_equal(w->u.wizard.server.index, 0);
    assert_int_equal(w->u.wizard.dc.index, 0);
    assert_int_equal(w->u.wizard.has_rate, 0);
    assert_int_equal(w->u.wizard.protect, 0);
    assert_int_equal(sc.wizard, 5);
    scnFree(&sc);
    parseOk("site S1\ndc DC1 site=S1\ndc DC2 site=S1\nserver EX1 dc=DC1\n"
            "wizard protect dc=DC2 rate=35/s server=EX1\n", &sc);
    w = &sc.v[4];
    assert_int_equal(w->u.wizard.dc.index, 1);
    assert_int_equal(w->u.wizard.has_rate, 1);
    assert_int_equal(w->u.wizard.rate, 35);
    assert_int_equal(w->u.wizard.protect, 1);
    assert_null(w->u.wizard.migrator);
    scnFree(&sc);
    parseOk("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nwizard server=EX1 dc=DC1 migrator=builtin:wizard2003\n", &sc);
    assert_string_equal(sc.v[3].u.wizard.migrator, "builtin:wizard2003");
    scnFree(&sc);
    parseOk("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nwizard server=EX1 dc=DC1 migrator=exec:./mine\n", &sc);
    assert_string_equal(sc.v[3].u.wizard.migrator, "exec:./mine");
    scnFree(&sc);
}

static void test_admin(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "admin dc=DC2\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_ADMIN);
    assert_int_equal(sc.v[6].u.admin.dc.index, 1);
    assert_int_equal(sc.admin, 6);
    scnFree(&sc);
    parseOk(WORLD, &sc);
    assert_int_equal(sc.admin, -1);
    scnFree(&sc);
}

static void test_latency(void **state) {
    (void)state;
    scenario sc;
    parseOk("latency 250ms\n", &sc);
    assert_int_equal(sc.v[0].kind, ST_LATENCY);
    assert_int_equal(sc.v[0].u.latency.latency, 250);
    assert_int_equal(sc.v[0].u.latency.has_jitter, 0);
    assert_int_equal(sc.latency, 0);
    scnFree(&sc);
    parseOk("seed 4\nlatency 2s jitter=20%\n", &sc);
    assert_int_equal(sc.v[1].u.latency.latency, 2000);
    assert_int_equal(sc.v[1].u.latency.has_jitter, 1);
    assert_int_equal(sc.v[1].u.latency.jitter_pct, 20);
    assert_int_equal(sc.latency, 1);
    scnFree(&sc);
    parseOk("latency 0s jitter=100%\n", &sc);
    assert_int_equal(sc.v[0].u.latency.latency, 0);
    assert_int_equal(sc.v[0].u.latency.jitter_pct, 100);
    scnFree(&sc);
}

/* ------------------------------------------------------------------ steps */

static void test_migrate(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "migrate all\nmigrate user2,user4..user6 dc=DC2\n", &sc);
    const stmt *m1 = &sc.v[6], *m2 = &sc.v[7];
    assert_int_equal(m1->kind, ST_MIGRATE);
    assert_int_equal(m1->u.migrate.users.all, 1);
    assert_int_equal(m1->u.migrate.users.n, 0);
    assert_null(m1->u.migrate.dc.name);
    assert_int_equal(m1->u.migrate.dc.index, -1);
    assert_int_equal(m2->u.migrate.users.all, 0);
    assert_int_equal(m2->u.migrate.users.n, 2);
    assert_int_equal(m2->u.migrate.users.v[0].lo, 2);
    assert_int_equal(m2->u.migrate.users.v[0].hi, 2);
    assert_int_equal(m2->u.migrate.users.v[1].lo, 4);
    assert_int_equal(m2->u.migrate.users.v[1].hi, 6);
    assert_int_equal(m2->u.migrate.users.v[1].pos.line, 8);
    assert_int_equal(m2->u.migrate.users.v[1].pos.col, 15);
    assert_int_equal(m2->u.migrate.dc.index, 1);
    assert_int_equal(sc.first_step, 6);
    scnFree(&sc);
}

static void test_cancel(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "cancel\ncancel when mailboxes=2\ncancel when items=0\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_CANCEL);
    assert_int_equal(sc.v[6].u.cancel.when, CANCEL_NOW);
    assert_int_equal(sc.v[7].u.cancel.when, CANCEL_MAILBOXES);
    assert_int_equal(sc.v[7].u.cancel.n, 2);
    assert_int_equal(sc.v[8].u.cancel.when, CANCEL_ITEMS);
    assert_int_equal(sc.v[8].u.cancel.n, 0);
    scnFree(&sc);
}

static void test_deliver(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "deliver user4\ndeliver all count=3\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_DELIVER);
    assert_int_equal(sc.v[6].u.deliver.count, 1);
    assert_int_equal(sc.v[6].u.deliver.users.n, 1);
    assert_int_equal(sc.v[6].u.deliver.users.v[0].lo, 4);
    assert_int_equal(sc.v[7].u.deliver.count, 3);
    assert_int_equal(sc.v[7].u.deliver.users.all, 1);
    scnFree(&sc);
}

static void test_logon(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "logon user5\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_LOGON);
    assert_int_equal(sc.v[6].u.logon.users.n, 1);
    assert_int_equal(sc.v[6].u.logon.users.v[0].lo, 5);
    assert_int_equal(sc.v[6].u.logon.users.v[0].hi, 5);
    scnFree(&sc);
}

static void test_cleanup(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "cleanup\ncleanup user1..user3\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_CLEANUP);
    assert_int_equal(sc.v[6].u.cleanup.users.all, 1);
    assert_int_equal(sc.v[7].u.cleanup.users.all, 0);
    assert_int_equal(sc.v[7].u.cleanup.users.v[0].lo, 1);
    assert_int_equal(sc.v[7].u.cleanup.users.v[0].hi, 3);
    scnFree(&sc);
}

static void test_delete(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "delete user2,user1\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_DELETE);
    assert_int_equal(sc.v[6].u.del.users.n, 2);
    assert_int_equal(sc.v[6].u.del.users.v[0].lo, 2);
    assert_int_equal(sc.v[6].u.del.users.v[1].lo, 1);
    scnFree(&sc);
}

static void test_sync(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "sync\nsync DC2\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_SYNC);
    assert_int_equal(sc.v[6].u.sync.dc.index, -1);
    assert_null(sc.v[6].u.sync.dc.name);
    assert_int_equal(sc.v[7].u.sync.dc.index, 1);
    scnFree(&sc);
}

static void test_wait(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "wait 1h30m\nwait converged\nwait done\nwait 0s\nwait 1d2h3m4s5ms\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_WAIT);
    assert_int_equal(sc.v[6].u.wait.mode, WAIT_DURATION);
    assert_int_equal(sc.v[6].u.wait.dur, 90 * MS_PER_MINUTE);
    assert_int_equal(sc.v[7].u.wait.mode, WAIT_CONVERGED);
    assert_int_equal(sc.v[8].u.wait.mode, WAIT_DONE);
    assert_int_equal(sc.v[9].u.wait.mode, WAIT_DURATION);
    assert_int_equal(sc.v[9].u.wait.dur, 0);
    assert_int_equal(sc.v[10].u.wait.dur, MS_PER_DAY + 2 * MS_PER_HOUR + 3 * MS_PER_MINUTE + 4005);
    scnFree(&sc);
}

static void test_fail_restore(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD2 "fail dc DC2\nrestore dc DC2\nfail link S2 S1\nrestore link S1 S2\n", &sc);
    const stmt *f = &sc.v[6], *r = &sc.v[7], *fl = &sc.v[8], *rl = &sc.v[9];
    assert_int_equal(f->kind, ST_FAIL);
    assert_int_equal(f->u.fail.link, 0);
    assert_int_equal(f->u.fail.dc.index, 1);
    assert_int_equal(f->u.fail.a.index, -1);
    assert_int_equal(f->u.fail.b.index, -1);
    assert_int_equal(r->kind, ST_RESTORE);
    assert_int_equal(r->u.fail.dc.index, 1);
    assert_int_equal(fl->u.fail.link, 1);
    assert_int_equal(fl->u.fail.dc.index, -1);
    assert_int_equal(fl->u.fail.a.index, 1);
    assert_int_equal(fl->u.fail.b.index, 0);
    assert_int_equal(rl->kind, ST_RESTORE);
    assert_int_equal(rl->u.fail.link, 1);
    assert_int_equal(rl->u.fail.a.index, 0);
    scnFree(&sc);
}

static void test_expect(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "expect user1..user3,user6 merged extra=1 rules_broken=2\nexpect all cloned\n"
                  "expect stranded=4\nexpect converged\nexpect dc DC2 has user1\nexpect dc DC1 lacks all\n",
            &sc);
    const stmt *e = &sc.v[6];
    assert_int_equal(e->kind, ST_EXPECT);
    assert_int_equal(e->u.expect.what, EXPECT_OUTCOME);
    assert_int_equal(e->u.expect.out, OUT_MERGED);
    assert_int_equal(e->u.expect.users.n, 2);
    assert_int_equal(e->u.expect.users.v[0].hi, 3);
    assert_int_equal(e->u.expect.users.v[1].lo, 6);
    assert_int_equal(e->u.expect.has, (1u << CTR_EXTRA) | (1u << CTR_RULES_BROKEN));
    assert_int_equal(e->u.expect.counters[CTR_EXTRA], 1);
    assert_int_equal(e->u.expect.counters[CTR_RULES_BROKEN], 2);
    e = &sc.v[7];
    assert_int_equal(e->u.expect.out, OUT_CLONED);
    assert_int_equal(e->u.expect.users.all, 1);
    assert_int_equal(e->u.expect.has, 0);
    e = &sc.v[8];
    assert_int_equal(e->u.expect.what, EXPECT_STRANDED);
    assert_int_equal(e->u.expect.stranded, 4);
    assert_int_equal(sc.v[9].u.expect.what, EXPECT_CONVERGED);
    e = &sc.v[10];
    assert_int_equal(e->u.expect.what, EXPECT_DC);
    assert_int_equal(e->u.expect.dc.index, 1);
    assert_int_equal(e->u.expect.lacks, 0);
    assert_int_equal(e->u.expect.users.v[0].lo, 1);
    e = &sc.v[11];
    assert_int_equal(e->u.expect.dc.index, 0);
    assert_int_equal(e->u.expect.lacks, 1);
    assert_int_equal(e->u.expect.users.all, 1);
    scnFree(&sc);
    /* Every outcome and every counter by name. */
    parseOk(WORLD "expect user1 unmigrated dupes=0 missing=9\nexpect user2 ghost\nexpect user3 duplicate\n"
                  "expect user4 absent\nexpect user5 partial\n", &sc);
    assert_int_equal(sc.v[6].u.expect.out, OUT_UNMIGRATED);
    assert_int_equal(sc.v[6].u.expect.has, (1u << CTR_DUPES) | (1u << CTR_MISSING));
    assert_int_equal(sc.v[6].u.expect.counters[CTR_MISSING], 9);
    assert_int_equal(sc.v[7].u.expect.out, OUT_GHOST);
    assert_int_equal(sc.v[8].u.expect.out, OUT_DUPLICATE);
    assert_int_equal(sc.v[9].u.expect.out, OUT_ABSENT);
    assert_int_equal(sc.v[10].u.expect.out, OUT_PARTIAL);
    assert_int_equal(sc.v[10].u.expect.negate, 0);
    scnFree(&sc);
    /* A negated outcome. */
    parseOk(WORLD "expect user1,user3..user4 not merged\nexpect all not absent\n", &sc);
    assert_int_equal(sc.v[6].u.expect.what, EXPECT_OUTCOME);
    assert_int_equal(sc.v[6].u.expect.negate, 1);
    assert_int_equal(sc.v[6].u.expect.out, OUT_MERGED);
    assert_int_equal(sc.v[6].u.expect.users.n, 2);
    assert_int_equal(sc.v[6].u.expect.has, 0);
    assert_int_equal(sc.v[7].u.expect.negate, 1);
    assert_int_equal(sc.v[7].u.expect.out, OUT_ABSENT);
    assert_int_equal(sc.v[7].u.expect.users.all, 1);
    scnFree(&sc);
}

/* ------------------------------------------------------------------ scenario-wide */

static void test_world_tables(void **state) {
    (void)state;
    scenario sc;
    parseOk("seed 42\nad 2000\nlatency 1s\n" WORLD "admin dc=DC1\nwait 1s\n", &sc);
    assert_string_equal(sc.file, "t.scn");
    assert_int_equal(sc.n, 11);
    assert_true(sc.seed == 42);
    assert_int_equal(sc.ad, 1);
    assert_int_equal(sc.latency, 2);
    assert_int_equal(sc.nsites, 1);
    assert_int_equal(sc.ndcs, 2);
    assert_int_equal(sc.dcs[0], 4);
    assert_int_equal(sc.dcs[1], 5);
    assert_int_equal(sc.nservers, 1);
    assert_int_equal(sc.servers[0], 6);
    assert_int_equal(sc.nsitelinks, 0);
    assert_int_equal(sc.source, 7);
    assert_int_equal(sc.wizard, 8);
    assert_int_equal(sc.admin, 9);
    assert_int_equal(sc.first_step, 10);
    assert_int_equal(sc.nusers, 6);
    scnFree(&sc);
    /* No step: first_step is n. */
    parseOk(WORLD, &sc);
    assert_int_equal(sc.first_step, 6);
    assert_int_equal(sc.first_step, sc.n);
    scnFree(&sc);
    /* An empty scenario is valid and empty. */
    parseOk("", &sc);
    assert_int_equal(sc.n, 0);
    assert_int_equal(sc.first_step, 0);
    assert_int_equal(sc.source, -1);
    assert_int_equal(sc.wizard, -1);
    scnFree(&sc);
    scnFree(&sc); /* twice is safe */
}

static void test_positions_and_text(void **state) {
    (void)state;
    scenario sc;
    parseOk("\n  # a comment line\n\t site   S1\t# trailing comment\n   dc DC1  site=S1   \n", &sc);
    assert_int_equal(sc.n, 2);
    assert_int_equal(sc.v[0].pos.line, 3);
    assert_int_equal(sc.v[0].pos.col, 3);
    assert_string_equal(sc.v[0].text, "site   S1");
    assert_int_equal(sc.v[0].u.site.name.pos.line, 3);
    assert_int_equal(sc.v[0].u.site.name.pos.col, 10);
    assert_int_equal(sc.v[1].pos.line, 4);
    assert_int_equal(sc.v[1].pos.col, 4);
    assert_string_equal(sc.v[1].text, "dc DC1  site=S1");
    assert_int_equal(sc.v[1].u.dc.site.pos.col, 17);
    scnFree(&sc);
}

static void test_crlf_tabs_comments(void **state) {
    (void)state;
    scenario sc;
    parseOk("site S1\r\ndc\tDC1\tsite=S1#no blank needed before a comment\r\n\r\n#x\r\ndc DC2 site=S1\r", &sc);
    assert_int_equal(sc.n, 3);
    assert_string_equal(sc.v[1].text, "dc\tDC1\tsite=S1");
    assert_string_equal(sc.v[1].u.dc.site.name, "S1");
    assert_int_equal(sc.v[2].pos.line, 5);
    assert_string_equal(sc.v[2].text, "dc DC2 site=S1");
    scnFree(&sc);
    /* Non-ASCII is fine in a comment. */
    parseOk("seed 5 # d\xc3\xa9j\xc3\xa0 vu\n", &sc);
    assert_true(sc.seed == 5);
    scnFree(&sc);
}

static void test_unterminated_input(void **state) {
    (void)state;
    scenario sc;
    scnError err;
    /* Only the first 6 bytes are the scenario: the parser must not look further. */
    const char buf[] = {'s', 'e', 'e', 'd', ' ', '7', '9', 'x'};
    assert_int_equal(scnParse("t.scn", buf, 6, &sc, &err), MS_OK);
    assert_true(sc.seed == 7);
    scnFree(&sc);
    char *heap = malloc(6); /* exactly 6 bytes: ASan catches a read past them */
    memcpy(heap, "seed 8", 6);
    assert_int_equal(scnParse("t.scn", heap, 6, &sc, &err), MS_OK);
    assert_true(sc.seed == 8);
    scnFree(&sc);
    free(heap);
    assert_int_equal(scnParse("t.scn", NULL, 0, &sc, &err), MS_OK);
    scnFree(&sc);
}

static void test_users_helpers(void **state) {
    (void)state;
    scenario sc;
    char buf[32];
    parseOk("site S1\ndc DC1 site=S1\nsource users=12 prefix=mbx\nexpect mbx2,mbx5..mbx7,mbx12 absent\n", &sc);
    const userset *u = &sc.v[3].u.expect.users;
    assert_false(usersetHas(u, 0));
    assert_false(usersetHas(u, 1));
    assert_true(usersetHas(u, 2));
    assert_false(usersetHas(u, 4));
    assert_true(usersetHas(u, 5));
    assert_true(usersetHas(u, 7));
    assert_false(usersetHas(u, 8));
    assert_true(usersetHas(u, 12));
    assert_string_equal(scnUserName(&sc, 7, buf, sizeof buf), "mbx7");
    scnFree(&sc);
    userset all = {1, 0, NULL};
    assert_true(usersetHas(&all, 99));
    parseOk("", &sc);
    assert_string_equal(scnUserName(&sc, 3, buf, sizeof buf), "user3");
    scnFree(&sc);
}

/* ------------------------------------------------------------------ the language for labs */

static void test_source_names(void **state) {
    (void)state;
    scenario sc;
    char buf[64];
    parseOk("site S1\ndc DC1 site=S1\nsource names=alice,Bob,c.d-e_f,x9\n"
            "expect alice,c.d-e_f..x9 absent\nexpect Bob absent\n", &sc);
    const stmt *s = &sc.v[2];
    assert_int_equal(s->u.source.users, 4);
    assert_int_equal(sc.nusers, 4);
    assert_string_equal(s->u.source.names[1], "Bob");
    assert_string_equal(scnUserName(&sc, 1, buf, sizeof buf), "alice");
    assert_string_equal(scnUserName(&sc, 3, buf, sizeof buf), "c.d-e_f");
    const userset *u = &sc.v[3].u.expect.users;
    assert_int_equal(u->n, 2);
    assert_int_equal(u->v[0].lo, 1);
    assert_int_equal(u->v[0].hi, 1);
    assert_int_equal(u->v[1].lo, 3);
    assert_int_equal(u->v[1].hi, 4);
    assert_int_equal(sc.v[4].u.expect.users.v[0].lo, 2);
    scnFree(&sc);
    /* A count given as well must agree; names and the other options mix. */
    parseOk("site S1\ndc DC1 site=S1\nsource users=2 items=5 names=ann,ben\n", &sc);
    assert_int_equal(sc.nusers, 2);
    assert_int_equal(sc.v[2].u.source.items_lo, 5);
    scnFree(&sc);
    /* Without names=, users are PREFIXn as before. */
    parseOk("site S1\ndc DC1 site=S1\nsource users=2\n", &sc);
    assert_null(sc.v[2].u.source.names);
    scnFree(&sc);
}

static void test_err_source_names(void **state) {
    (void)state;
    ERR("source names=alice,bob users=3\n", 1, 30,
        "users=3 does not agree with names= (2 names)");
    ERR("source users=1 names=a,b\n", 1, 14, "users=1 does not agree with names= (2 names)");
    ERR("source names=alice,bob,Alice\n", 1, 24,
        "duplicate user name 'Alice' (the same account name as 'alice', name 1 of names=)");
    ERR("source names=bob,alice,ALICE,bob\n", 1, 24,
        "duplicate user name 'ALICE' (the same account name as 'alice', name 2 of names=)");
    ERR("source names=alice,,bob\n", 1, 20, "empty name in names= (names are separated by single commas)");
    ERR("source names=alice,\n", 1, 20, "empty name in names= (names are separated by single commas)");
    ERR("source names=alice,9bob\n", 1, 20,
        "bad user name '9bob': an account name is a letter, then letters, digits, '.', '-' or '_', not ending "
        "with '.' and without '..'");
    ERR("source names=a..b\n", 1, 15,
        "bad user name 'a..b': an account name is a letter, then letters, digits, '.', '-' or '_', not ending "
        "with '.' and without '..'");
    ERR("source names=ab.\n", 1, 16,
        "bad user name 'ab.': an account name is a letter, then letters, digits, '.', '-' or '_', not ending "
        "with '.' and without '..'");
    ERR("source names=al@ce\n", 1, 16,
        "bad user name 'al@ce': an account name is a letter, then letters, digits, '.', '-' or '_', not ending "
        "with '.' and without '..'");
    ERR("source names=abcdefghijklmnopqrstu\n", 1, 14,
        "user name 'abcdefghijklmnopqrstu' is too long (an account name has at most 20 characters)");
    ERR("source names=bob,all\n", 1, 18, "'all' cannot be a user name (it means every user)");
    ERR("source names=bob prefix=u\n", 1, 18, "names= and prefix= exclude each other (names= gives every user's name)");
    ERR("source prefix=u names=bob\n", 1, 17, "names= and prefix= exclude each other (names= gives every user's name)");
    ERR("source names=\n", 1, 14, "missing value after 'names='");
    ERR("site S1\ndc DC1 site=S1\nsource names=ann,ben,cy\nexpect dan absent\n", 4, 8,
        "unknown user 'dan' (the source users are the 3 names of names=, ann..cy)");
    ERR("site S1\ndc DC1 site=S1\nsource names=ann\nexpect Ann absent\n", 4, 8,
        "unknown user 'Ann' (the only source user is ann)");
    ERR("site S1\ndc DC1 site=S1\nsource names=ann,ben\nexpect user1 absent\n", 4, 8,
        "unknown user 'user1' (the source users are the 2 names of names=, ann..ben)");
    ERR("site S1\ndc DC1 site=S1\nsource names=ann,ben\nexpect ben..ann absent\n", 4, 8,
        "bad range 'ben..ann': ben comes after ann");
    ERR("site S1\ndc DC1 site=S1\nsource names=ann,ben\nexpect DC1 absent\n", 4, 8,
        "unknown user 'DC1': DC1 is a DC; to judge a DC write 'expect dc DC1 has|lacks USERS'");
}

static void test_wait_when(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "wait when mailboxes=3\nwait when items=0\nwait when items=1000000000\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_WAIT);
    assert_int_equal(sc.v[6].u.wait.mode, WAIT_WHEN);
    assert_int_equal(sc.v[6].u.wait.when, CANCEL_MAILBOXES);
    assert_int_equal(sc.v[6].u.wait.n, 3);
    assert_int_equal(sc.v[7].u.wait.when, CANCEL_ITEMS);
    assert_int_equal(sc.v[7].u.wait.n, 0);
    assert_int_equal(sc.v[8].u.wait.n, 1000000000);
    scnFree(&sc);
}

static void test_err_wait_when(void **state) {
    (void)state;
    ERR(WORLD "wait when\n", 7, 10, "missing condition after 'wait when' (mailboxes=N or items=N)");
    ERR(WORLD "wait when users=2\n", 7, 11, "unknown wait condition 'users' (expected mailboxes=N or items=N)");
    ERR(WORLD "wait when done\n", 7, 11, "unknown wait condition 'done' (expected mailboxes=N or items=N)");
    ERR(WORLD "wait when items=3x\n", 7, 18, "bad number '3x' for items: expected digits 0-9");
    RANGE(WORLD "wait when mailboxes=1000000001\n", 7, 21,
          "mailboxes must be between 0 and 1000000000, not 1000000001");
    ERR(WORLD "wait when items=2 items=3\n", 7, 19, "unexpected 'items=3' after the end of the 'wait' statement");
    ERR("site S1\ndc DC1 site=S1\nwait when mailboxes=1\n", 3, 1,
        "step before world: no 'wizard' statement before this 'wait'");
    /* cancel's messages are unchanged by the shared condition parser. */
    ERR(WORLD "cancel when\n", 7, 12, "missing condition after 'cancel when' (mailboxes=N or items=N)");
    ERR(WORLD "cancel when users=2\n", 7, 13, "unknown cancel condition 'users' (expected mailboxes=N or items=N)");
}

static void test_purge_export_import(void **state) {
    (void)state;
    scenario sc;
    parseOk(WORLD "purge\npurge user2,user5\npurge server=EX1\npurge user1..user3 server=EX1\n"
                  "export all\nimport user3\nexport user1,user6\n", &sc);
    assert_int_equal(sc.v[6].kind, ST_PURGE);
    assert_int_equal(sc.v[6].u.purge.users.all, 1);
    assert_int_equal(sc.v[6].u.purge.server.index, -1);
    assert_int_equal(sc.v[7].u.purge.users.all, 0);
    assert_int_equal(sc.v[7].u.purge.users.n, 2);
    assert_int_equal(sc.v[7].u.purge.users.v[1].lo, 5);
    assert_int_equal(sc.v[8].u.purge.users.all, 1);
    assert_int_equal(sc.v[8].u.purge.server.index, 0);
    assert_int_equal(sc.v[9].u.purge.users.v[0].hi, 3);
    assert_int_equal(sc.v[9].u.purge.server.index, 0);
    assert_int_equal(sc.v[10].kind, ST_EXPORT);
    assert_int_equal(sc.v[10].u.rescue.users.all, 1);
    assert_int_equal(sc.v[11].kind, ST_IMPORT);
    assert_int_equal(sc.v[11].u.rescue.users.v[0].lo, 3);
    assert_int_equal(sc.v[12].u.rescue.users.n, 2);
    scnFree(&sc);
}

static void test_err_purge_export_import(void **state) {
    (void)state;
    ERR(WORLD "purge server=EX9\n", 7, 14, "unknown server 'EX9': no 'server EX9' before this line");
    ERR(WORLD "purge user9\n", 7, 7, "unknown user 'user9' (the source users are user1..user6)");
    ERR(WORLD "purge all now\n", 7, 11, "unknown option 'now' for 'purge' (expected server=)");
    ERR(WORLD "purge server=EX1 server=EX1\n", 7, 18, "duplicate option 'server=' (first at column 7)");
    ERR(WORLD "purge server=EX1 user1\n", 7, 18, "unknown option 'user1' for 'purge' (expected server=)");
    ERR("site S1\ndc DC1 site=S1\npurge\n", 3, 1, "step before world: no 'server' statement before this 'purge'");
    ERR(WORLD "export\n", 7, 7, "missing users (all, a name, a range or a comma list) in 'export'");
    ERR(WORLD "import user2 user3\n", 7, 14, "unexpected 'user3' after the end of the 'import' statement");
    ERR(WORLD "export count=1\n", 7, 8, "expected users (all, a name, a range or a comma list), found option 'count=1'");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nimport all\n", 4, 1,
        "step before world: no 'source' statement before this 'import' (users come from the source)");
    ERR("site S1\ndc DC1 site=S1\nsource users=2\nexport all\n", 4, 1,
        "step before world: no 'server' statement before this 'export'");
    ERR(WORLD "purge\nsource users=3\n", 8, 1, "world statement 'source' after the first step (line 7)");
}

static void test_names_tables(void **state) {
    (void)state;
    static const char *const kws[] = {"seed", "ad", "set", "site", "sitelink", "dc", "server", "source",
                                      "wizard", "admin", "latency", "migrate", "cancel", "deliver", "logon",
                                      "cleanup", "delete", "sync", "wait", "fail", "restore", "expect", "purge", "export",
                                      "import"};
    for (int k = 0; k < ST__COUNT; k++) assert_string_equal(stmtKeyword((stmtKind)k), kws[k]);
    static const char *const outs[] = {"cloned", "merged", "ghost", "duplicate", "absent", "partial",
                                       "unmigrated"};
    for (int o = 0; o < OUT__COUNT; o++) {
        assert_string_equal(outcomeName((outcome)o), outs[o]);
        assert_int_equal(outcomeParse(outs[o], strlen(outs[o])), o);
    }
    assert_int_equal(outcomeParse("clone", 5), -1);
    assert_int_equal(outcomeParse("clonedx", 6), OUT_CLONED); /* length-bounded */
    assert_string_equal(counterName(CTR_EXTRA), "extra");
    assert_string_equal(counterName(CTR_DUPES), "dupes");
    assert_string_equal(counterName(CTR_MISSING), "missing");
    assert_string_equal(counterName(CTR_RULES_BROKEN), "rules_broken");
}

static void test_lexer_tokens(void **state) {
    (void)state;
    lexer lx;
    int got;
    const char *t = "  a b=c\t#x\n\n d=\n";
    lexInit(&lx, t, strlen(t));
    assert_int_equal(lexNextLine(&lx, &got), MS_OK);
    assert_int_equal(got, 1);
    assert_int_equal(lx.line, 1);
    assert_int_equal(lx.ntok, 2);
    assert_int_equal(lx.tok[0].col, 3);
    assert_false(lexIsOption(&lx.tok[0]));
    assert_int_equal(lx.tok[1].col, 5);
    assert_true(lexIsOption(&lx.tok[1]));
    assert_int_equal(lx.tok[1].eq, 1);
    assert_int_equal(lx.stmtn, 5);
    assert_int_equal(lexNextLine(&lx, &got), MS_OK);
    assert_int_equal(lx.line, 3);
    assert_int_equal(lx.tok[0].col, 2);
    assert_int_equal(lx.tok[0].n, 2);
    assert_int_equal(lexNextLine(&lx, &got), MS_OK);
    assert_int_equal(got, 0);
    lexFree(&lx);
}

/* ------------------------------------------------------------------ files and formatting */

static void test_parse_file(void **state) {
    (void)state;
    scenario sc;
    scnError err;
    char buf[600], path[] = "/tmp/migsim-test-parser-XXXXXX";
    assert_int_equal(scnParseFile("/nonexistent/dir/x.scn", &sc, &err), MS_IO);
    assert_int_equal(err.line, 0);
    scnErrorFormat(&err, buf, sizeof buf);
    assert_string_equal(buf, "/nonexistent/dir/x.scn: error: cannot read: No such file or directory");
    assert_null(sc.v);
    assert_int_equal(scnParseFile("/tmp", &sc, &err), MS_IO);
    scnErrorFormat(&err, buf, sizeof buf);
    assert_string_equal(buf, "/tmp: error: cannot read: Is a directory");

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "seed 9\nsite S1\ndc DC1 site=S1\nwait 5s extra\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(scnParseFile(path, &sc, &err), MS_INPUT);
    scnErrorFormat(&err, buf, sizeof buf);
    char want[600];
    snprintf(want, sizeof want, "%s:4:9: error: unexpected 'extra' after the end of the 'wait' statement", path);
    assert_string_equal(buf, want);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "seed 9\n", 7), 7);
    close(fd);
    assert_int_equal(scnParseFile(path, &sc, &err), MS_OK);
    assert_true(sc.seed == 9);
    assert_string_equal(sc.file, path);
    scnFree(&sc);
    unlink(path);
}

static void test_error_format(void **state) {
    (void)state;
    scnError e = {"a.scn", 3, 14, "unknown DC 'DC9'"};
    char buf[100];
    scnErrorFormat(&e, buf, sizeof buf);
    assert_string_equal(buf, "a.scn:3:14: error: unknown DC 'DC9'");
    e.line = 0;
    scnErrorFormat(&e, buf, sizeof buf);
    assert_string_equal(buf, "a.scn: error: unknown DC 'DC9'");
    char small[8];
    e.line = 3;
    scnErrorFormat(&e, small, sizeof small);
    assert_string_equal(small, "a.scn:3");
}

/* ------------------------------------------------------------------ lexical errors */

static void test_err_lexical(void **state) {
    (void)state;
    checkError("seed 1\nsite S\0 1\n", 17, MS_INPUT, 2, 7, "NUL byte in the text");
    checkError("\0", 1, MS_INPUT, 1, 1, "NUL byte in the text");
    checkError("# ok\n# a NUL in a comment \0\n", 28, MS_INPUT, 2, 22, "NUL byte in the text");
    ERR("site S\xc3\xa9\n", 1, 7, "non-ASCII byte 0xC3: scenarios are ASCII text (non-ASCII only in comments)");
    ERR("seed 1\n  \xff\n", 2, 3, "non-ASCII byte 0xFF: scenarios are ASCII text (non-ASCII only in comments)");
    ERR("seed\x01 1\n", 1, 5, "control character 0x01 in the text");
    ERR("seed 1 # bell \x07\n", 1, 15, "control character 0x07 in the text");
    ERR("seed 1\x7f\n", 1, 7, "control character 0x7F in the text");
    ERR("seed\r1\n", 1, 5, "stray carriage return: CR is only allowed at the end of a line");
    ERR("seed 1\r\r\n", 1, 7, "stray carriage return: CR is only allowed at the end of a line");
    size_t n = LEX_MAX_LINE + 10;
    char *big = malloc(n);
    memset(big, ' ', n);
    memcpy(big, "seed 1", 6);
    checkError(big, n, MS_INPUT, 1, LEX_MAX_LINE + 1, "line too long (at most 65536 bytes)");
    free(big);
}

/* ------------------------------------------------------------------ statement and option errors */

static void test_err_statement(void **state) {
    (void)state;
    ERR("seed 1\n  migrat all\n", 2, 3, "unknown statement 'migrat'");
    ERR("x=1\n", 1, 1, "unknown statement 'x=1'");
    ERR("SEED 1\n", 1, 1, "unknown statement 'SEED'");
    ERR(WORLD "wait 1s\ndc DC3 site=S1\n", 8, 1, "world statement 'dc' after the first step (line 7)");
    ERR(WORLD "wait 1s\nexpect converged\nseed 5\n", 9, 1, "world statement 'seed' after the first step (line 7)");
    ERR("seed 1\nseed 2\n", 2, 1, "second 'seed' statement (the first is on line 1)");
    ERR("ad 2000\nad 2003\n", 2, 1, "second 'ad' statement (the first is on line 1)");
    ERR("source users=1\n source users=2\n", 2, 2, "second 'source' statement (the first is on line 1)");
    ERR(WORLD "wizard server=EX1 dc=DC1\n", 7, 1, "second 'wizard' statement (the first is on line 6)");
    ERR(WORLD "admin dc=DC1\nadmin dc=DC2\n", 8, 1, "second 'admin' statement (the first is on line 7)");
    ERR("latency 1s\nlatency 2s\n", 2, 1, "second 'latency' statement (the first is on line 1)");
}

static void test_err_options(void **state) {
    (void)state;
    ERR("site S1\ndc DC1 site=S1 colour=red\n", 2, 16, "unknown option 'colour' for 'dc' (expected site=, gc)");
    ERR("site S1\ndc DC1 site=S1 GC\n", 2, 16, "unknown option 'GC' for 'dc' (expected site=, gc)");
    ERR("site S1\ndc DC1 site=S1 =x\n", 2, 16, "unknown option '=x' for 'dc' (expected site=, gc)");
    ERR("site S1 cost=3\n", 1, 9, "unknown option 'cost' for 'site' (expected schedule=, bridgehead=)");
    ERR("source users=3 item=5\n", 1, 16,
        "unknown option 'item' for 'source' (expected users=, items=, folders=, rules=, prefix=, names=)");
    ERR(WORLD "deliver user1 cnt=2\n", 7, 15, "unknown option 'cnt' for 'deliver' (expected count=)");
    ERR(WORLD "migrate all server=EX1\n", 7, 13, "unknown option 'server' for 'migrate' (expected dc=)");
    ERR("site S1\ndc DC1 site=S1 gc=yes\n", 2, 18, "option 'gc' of 'dc' takes no value");
    ERR("site S1\ndc DC1 site\n", 2, 8, "option 'site' of 'dc' needs a value: site=...");
    ERR("site S1\ndc DC1 site=S1 site=S2\n", 2, 16, "duplicate option 'site=' (first at column 8)");
    ERR("site S1\ndc DC1 gc site=S1 gc\n", 2, 19, "duplicate option 'gc' (first at column 8)");
    ERR("site S1\ndc DC1 site=\n", 2, 13, "missing value after 'site='");
    ERR("site S1\n dc DC1\n", 2, 2, "missing option site=SITE for 'dc'");
    ERR("site S1\ndc DC1 site=S1\nserver EX1\n", 3, 1, "missing option dc=DC for 'server'");
    ERR("source items=5\n", 1, 1, "missing option users=N for 'source'");
    ERR(WORLD "wizard dc=DC1\n", 7, 1, "second 'wizard' statement (the first is on line 6)");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nwizard dc=DC1\n", 4, 1,
        "missing option server=SERVER for 'wizard'");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nwizard server=EX1\n", 4, 1, "missing option dc=DC for 'wizard'");
    ERR("admin\n", 1, 1, "missing option dc=DC for 'admin'");
    ERR("seed\n", 1, 5, "missing seed number in 'seed'");
    ERR("site\n", 1, 5, "missing site name in 'site'");
    ERR("site S1\nsitelink S1\n", 2, 12, "missing second site in 'sitelink S1'");
    ERR("set rus.interval\n", 1, 17, "missing value in 'set rus.interval'");
    ERR("site S1\ndc site=S1\n", 2, 4, "expected DC name, found option 'site=S1'");
    ERR("set rus.interval=60s\n", 1, 5, "write 'set rus.interval 60s', not 'rus.interval=60s'");
    ERR(WORLD "wait 1s now\n", 7, 9, "unexpected 'now' after the end of the 'wait' statement");
    ERR(WORLD "logon user1 user2\n", 7, 13, "unexpected 'user2' after the end of the 'logon' statement");
    ERR(WORLD "expect converged please\n", 7, 18, "unexpected 'please' after the end of the 'expect' statement");
    ERR("seed 1 2\n", 1, 8, "unexpected '2' after the end of the 'seed' statement");
    ERR(WORLD "sync DC1 DC2\n", 7, 10, "unexpected 'DC2' after the end of the 'sync' statement");
}

/* ------------------------------------------------------------------ values */

static void test_err_numbers(void **state) {
    (void)state;
    ERR("seed 12x\n", 1, 8, "bad number '12x' for seed: expected digits 0-9");
    ERR("seed -1\n", 1, 6, "bad number '-1' for seed: expected digits 0-9");
    RANGE("seed 18446744073709551616\n", 1, 6,
          "seed must be between 0 and 9223372036854775807, not 18446744073709551616");
    ERR("ad 2008\n", 1, 4, "ad must be 2000 or 2003, not 2008");
    ERR("ad 99999999999999999999999\n", 1, 4, "ad must be 2000 or 2003, not 99999999999999999999999");
    ERR("ad two\n", 1, 4, "bad number 'two' for ad: expected digits 0-9");
    RANGE("source users=0\n", 1, 14, "users must be between 1 and 100000, not 0");
    RANGE("source users=100001\n", 1, 14, "users must be between 1 and 100000, not 100001");
    ERR("source users=1e3\n", 1, 15, "bad number '1e3' for users: expected digits 0-9");
    RANGE("source users=3 folders=0\n", 1, 24, "folders must be between 1 and 1000, not 0");
    RANGE("source users=3 rules=1001\n", 1, 22, "rules must be between 0 and 1000, not 1001");
    RANGE("source users=3 items=2000000\n", 1, 22, "items must be between 0 and 1000000, not 2000000");
    ERR("source users=3 items=50..10\n", 1, 22, "items range 50..10 is reversed: 50 is more than 10");
    ERR("source users=3 items=5..x\n", 1, 25, "bad number 'x' for items: expected digits 0-9");
    ERR("source users=3 items=5..\n", 1, 25, "missing number for items");
    ERR("source users=3 items=5...7\n", 1, 25, "bad number '.7' for items: expected digits 0-9");
    ERR("source users=3 prefix=u1\n", 1, 24, "user prefix 'u1' ends with a digit (users are PREFIX1, PREFIX2, ...)");
    ERR("source users=3 prefix=9u\n", 1, 23,
        "bad user prefix '9u': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S1\nsitelink S1 S2 cost=0\n", 2, 13, "unknown site 'S2': no 'site S2' before this line");
    RANGE("site S1\nsite S2\nsitelink S1 S2 cost=0\n", 3, 21, "sitelink cost must be between 1 and 99999, not 0");
    RANGE(WORLD "deliver user1 count=0\n", 7, 21, "count must be between 1 and 1000000, not 0");
    RANGE(WORLD "cancel when items=1000000001\n", 7, 19, "items must be between 0 and 1000000000, not 1000000001");
    RANGE(WORLD "expect all cloned extra=1000000001\n", 7, 25,
          "extra must be between 0 and 1000000000, not 1000000001");
    ERR(WORLD "expect stranded=x\n", 7, 17, "bad number 'x' for stranded: expected digits 0-9");
    RANGE("set wizard.batch 0\n", 1, 18, "wizard.batch must be between 1 and 1000000, not 0");
    ERR("set wizard.batch 1s\n", 1, 19, "bad number '1s' for wizard.batch: expected digits 0-9");
    RANGE("set repl.jitter 101\n", 1, 17, "repl.jitter must be between 0 and 100, not 101");
    ERR("set sitelink.interval 20m\n", 1, 23, "sitelink.interval must be a multiple of 15m, not 20m");
    RANGE("set sitelink.interval 10m\n", 1, 23, "sitelink.interval must be between 15m and 365d, not 10m");
}

static void test_err_durations(void **state) {
    (void)state;
    ERR(WORLD "expect DC1 has all\n", 7, 8,
        "unknown user 'DC1': DC1 is a DC; to judge a DC write 'expect dc DC1 has|lacks USERS'");
    RANGE("seed 9223372036854775808\n", 1, 6,
          "seed must be between 0 and 9223372036854775807, not 9223372036854775808");
    RANGE(WORLD "wait 3651d\n", 7, 6, "wait must be between 0s and 3650d, not 3651d");
    ERR(WORLD "wait 5x\n", 7, 7, "unknown unit 'x' in duration '5x' for wait (units: ms, s, m, h, d)");
    ERR(WORLD "wait 1h30min\n", 7, 10, "unknown unit 'min' in duration '1h30min' for wait (units: ms, s, m, h, d)");
    ERR(WORLD "wait 1h30\n", 7, 10, "missing unit at the end of duration '1h30' for wait (units: ms, s, m, h, d)");
    ERR(WORLD "wait 90\n", 7, 8, "missing unit at the end of duration '90' for wait (units: ms, s, m, h, d)");
    ERR(WORLD "wait 1.5h\n", 7, 7, "missing unit before '.' in duration '1.5h' for wait (units: ms, s, m, h, d)");
    ERR(WORLD "wait 5s.3s\n", 7, 8,
        "expected a number at '.' in duration '5s.3s' for wait (a duration is terms like 1h30m)");
    ERR(WORLD "wait forever\n", 7, 6, "expected a duration, 'converged' or 'done' after 'wait', found 'forever'");
    ERR(WORLD "wait\n", 7, 5, "missing duration, 'converged' or 'done' in 'wait'");
    RANGE(WORLD "wait 9223372036854776s\n", 7, 6, "duration '9223372036854776s' for wait is too large");
    RANGE(WORLD "wait 106751991167d1d\n", 7, 19, "duration '106751991167d1d' for wait is too large");
    RANGE(WORLD "wait 99999999999999999999ms\n", 7, 6, "duration '99999999999999999999ms' for wait is too large");
    ERR("set rus.interval 5x\n", 1, 19, "unknown unit 'x' in duration '5x' for rus.interval (units: ms, s, m, h, d)");
    RANGE("set rus.interval 0s\n", 1, 18, "rus.interval must be between 1s and 365d, not 0s");
    RANGE("set tombstone.lifetime 10000d\n", 1, 24, "tombstone.lifetime must be between 1s and 3650d, not 10000d");
    RANGE("site S1 schedule=0s\n", 1, 18, "site schedule must be between 1s and 365d, not 0s");
    ERR("site S1 schedule=1hour\n", 1, 19, "unknown unit 'hour' in duration '1hour' for site schedule (units: ms, s, m, h, d)");
    RANGE("latency 2d\n", 1, 9, "latency must be between 0s and 1d, not 2d");
    ERR("latency fast\n", 1, 9, "expected a number at 'f' in duration 'fast' for latency (a duration is terms like 1h30m)");
    RANGE("site A\nsite B\nsitelink A B interval=10m\n", 3, 23, "sitelink interval must be at least 15m, not 10m");
    RANGE("site A\nsite B\nsitelink A B interval=0s\n", 3, 23, "sitelink interval must be at least 15m, not 0s");
    ERR("site A\nsite B\nsitelink A B interval=20m\n", 3, 23, "sitelink interval must be a multiple of 15m, not 20m");
    ERR("site A\nsite B\nsitelink A B interval=1h1s\n", 3, 23, "sitelink interval must be a multiple of 15m, not 1h1s");
    RANGE("site A\nsite B\nsitelink A B interval=400d\n", 3, 23,
          "sitelink interval must be between 15m and 365d, not 400d");
}

static void test_err_forms(void **state) {
    (void)state;
    const char *w = "site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\n";
    char t[256];
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 rate=20\n", w);
    ERR(t, 4, 33, "rate must be written N/s (items per second), e.g. rate=20/s, not 20");
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 migrator=builtin:nosuch\n", w);
    ERR(t, 4, 43, "unknown built-in migrator 'nosuch' (expected wizard2003, refuse-initialized, wait-then-rerun, resume)");
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 migrator=nosuch\n", w);
    ERR(t, 4, 35, "unknown built-in migrator 'nosuch' (expected wizard2003, refuse-initialized, wait-then-rerun, resume)");
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 rate=20/m\n", w);
    ERR(t, 4, 33, "rate must be written N/s (items per second), e.g. rate=20/s, not 20/m");
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 rate=0/s\n", w);
    RANGE(t, 4, 31, "rate (items per second) must be between 1 and 1000000000, not 0");
    snprintf(t, sizeof t, "%swizard server=EX1 dc=DC1 rate=/s\n", w);
    ERR(t, 4, 31, "missing number for rate (items per second)");
    ERR("latency 1s jitter=5\n", 1, 20, "jitter must be written P% (percent), e.g. jitter=10%, not 5");
    RANGE("latency 1s jitter=101%\n", 1, 19, "jitter percent must be between 0 and 100, not 101");
    ERR("latency 1s jitter=%\n", 1, 19, "missing number for jitter percent");
    ERR(WORLD "cancel now\n", 7, 8, "expected 'when mailboxes=N' or 'when items=N' after 'cancel', found 'now'");
    ERR(WORLD "cancel when\n", 7, 12, "missing condition after 'cancel when' (mailboxes=N or items=N)");
    ERR(WORLD "cancel when users=2\n", 7, 13, "unknown cancel condition 'users' (expected mailboxes=N or items=N)");
    ERR(WORLD "cancel when mailboxes\n", 7, 13,
        "unknown cancel condition 'mailboxes' (expected mailboxes=N or items=N)");
    ERR(WORLD "cancel when items=3 now\n", 7, 21, "unexpected 'now' after the end of the 'cancel' statement");
    ERR(WORLD "fail DC1\n", 7, 6, "expected 'dc' or 'link' after 'fail', found 'DC1'");
    ERR(WORLD "restore\n", 7, 8, "missing 'dc' or 'link' in 'restore'");
    ERR(WORLD2 "fail link S1\n", 7, 13, "missing second site in 'fail link S1'");
}

/* ------------------------------------------------------------------ names and references */

static void test_err_names(void **state) {
    (void)state;
    ERR("site 1st\n", 1, 6, "bad site name '1st': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S.1\n", 1, 7, "bad site name 'S.1': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S1\ndc DC/1 site=S1\n", 2, 6, "bad DC name 'DC/1': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S1\ndc DC1 site=S1\nserver _EX dc=DC1\n", 3, 8,
        "bad server name '_EX': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S1\ndc DC1 site=S1\nserver EX dc=D!\n", 3, 15,
        "bad DC name 'D!': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, 6,
        "site name 'Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is too long (at most 64 characters)");
    ERR("site S1\nsite S1\n", 2, 6, "duplicate site 'S1' (first declared on line 1)");
    ERR("site S1\ndc DC1 site=S1\n\ndc DC1 site=S1 gc\n", 4, 4, "duplicate DC 'DC1' (first declared on line 2)");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nserver EX1 dc=DC1\n", 4, 8,
        "duplicate server 'EX1' (first declared on line 3)");
    ERR("site S1\ndc DC1 site=S1\nserver DC1 dc=DC1\n", 3, 8, "server name 'DC1' is already the name of a DC (line 2)");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\ndc EX1 site=S1\n", 4, 4,
        "DC name 'EX1' is already the name of a server (line 3)");
    ERR("dc DC1 site=S1\n", 1, 13, "unknown site 'S1': no 'site S1' before this line");
    ERR("dc DC1 site=S1\nsite S1\n", 1, 13, "unknown site 'S1': no 'site S1' before this line");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC2\n", 3, 15, "unknown DC 'DC2': no 'dc DC2' before this line");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1 gc=DC3\n", 3, 22, "unknown DC 'DC3': no 'dc DC3' before this line");
    ERR("site S1\ndc DC1 site=S1\nwizard server=EX1 dc=DC1\n", 3, 15,
        "unknown server 'EX1': no 'server EX1' before this line");
    ERR("site S1\ndc DC1 site=S1\nadmin dc=HQ1\n", 3, 10, "unknown DC 'HQ1': no 'dc HQ1' before this line");
    ERR(WORLD "migrate all dc=DC7\n", 7, 16, "unknown DC 'DC7': no 'dc DC7' before this line");
    ERR(WORLD "sync DC3\n", 7, 6, "unknown DC 'DC3': no 'dc DC3' before this line");
    ERR(WORLD "fail dc DC3\n", 7, 9, "unknown DC 'DC3': no 'dc DC3' before this line");
    ERR(WORLD "expect dc DC3 has all\n", 7, 11, "unknown DC 'DC3': no 'dc DC3' before this line");
    ERR(WORLD2 "fail link S1 S3\n", 7, 14, "unknown site 'S3': no 'site S3' before this line");
    ERR("site S1\ndc DC1 site=S1\nserver EX1 dc=DC1 gc=DC1\n", 3, 22,
        "gc=DC1 names a DC that is not a global catalog (declare it 'dc DC1 site=S1 gc', line 2)");
    ERR("site S1 bridgehead=DC9\ndc DC1 site=S1\n", 1, 20,
        "unknown DC 'DC9' (bridgehead of site 'S1'): no 'dc DC9' in the world");
    ERR("site S1 bridgehead=DC2\ndc DC1 site=S1\nsite S2\ndc DC2 site=S2\nwait 1s\n", 1, 20,
        "bridgehead 'DC2' is not a DC of site 'S1' (line 4 puts it in site 'S2')");
    ERR("site S1 bridgehead=DC-\n", 1, 20, "unknown DC 'DC-' (bridgehead of site 'S1'): no 'dc DC-' in the world");
    ERR("site S1 bridgehead=9\n", 1, 20, "bad DC name '9': a name is a letter, then letters, digits, '-' or '_'");
    ERR("site S1\nsitelink S1 S1\n", 2, 13, "sitelink joins site 'S1' to itself");
    ERR("site S1\nsite S2\nsitelink S1 S2\nsitelink S2 S1 cost=5\n", 4, 10,
        "duplicate sitelink between 'S2' and 'S1' (first on line 3)");
    ERR(WORLD "fail link S1 S1\n", 7, 11, "no sitelink between sites 'S1' and 'S1'");
    ERR("site S1\nsite S2\ndc DC1 site=S1\nrestore link S1 S2\n", 4, 14, "no sitelink between sites 'S1' and 'S2'");
    ERR("set no.such 5\n", 1, 5, "unknown parameter 'no.such' (docs/scenario-language.md lists them)");
    ERR("set Rus.Interval 5s\n", 1, 5, "unknown parameter 'Rus.Interval' (docs/scenario-language.md lists them)");
}

/* ------------------------------------------------------------------ steps before world, users, expect */

static void test_err_step_before_world(void **state) {
    (void)state;
    ERR("seed 1\nwait 1s\n", 2, 1, "step before world: no 'dc' statement before this 'wait'");
    ERR("expect converged\n", 1, 1, "step before world: no 'dc' statement before this 'expect'");
    const char *noWizard = "site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nsource users=2\n";
    char t[256];
    snprintf(t, sizeof t, "%smigrate all\n", noWizard);
    ERR(t, 5, 1, "step before world: no 'wizard' statement before this 'migrate'");
    snprintf(t, sizeof t, "%s  cancel\n", noWizard);
    ERR(t, 5, 3, "step before world: no 'wizard' statement before this 'cancel'");
    const char *noServer = "site S1\ndc DC1 site=S1\nsource users=2\n";
    snprintf(t, sizeof t, "%sdeliver user1\n", noServer);
    ERR(t, 4, 1, "step before world: no 'server' statement before this 'deliver'");
    snprintf(t, sizeof t, "%slogon user1\n", noServer);
    ERR(t, 4, 1, "step before world: no 'server' statement before this 'logon'");
    const char *noSource = "site S1\ndc DC1 site=S1\nserver EX1 dc=DC1\nwizard server=EX1 dc=DC1\n";
    snprintf(t, sizeof t, "%smigrate all\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'migrate' (users come from the source)");
    snprintf(t, sizeof t, "%sdeliver user1\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'deliver' (users come from the source)");
    snprintf(t, sizeof t, "%slogon user1\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'logon' (users come from the source)");
    snprintf(t, sizeof t, "%sdelete user1\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'delete' (users come from the source)");
    snprintf(t, sizeof t, "%scleanup user1\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'cleanup' (users come from the source)");
    snprintf(t, sizeof t, "%sexpect all cloned\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'expect' (users come from the source)");
    snprintf(t, sizeof t, "%sexpect dc DC1 has user1\n", noSource);
    ERR(t, 5, 1, "step before world: no 'source' statement before this 'expect' (users come from the source)");
    /* Without USERS these steps need no source. */
    scenario sc;
    snprintf(t, sizeof t, "%scleanup\ncancel\nexpect converged\nexpect stranded=0\nsync\n", noSource);
    parseOk(t, &sc);
    scnFree(&sc);
}

static void test_err_users(void **state) {
    (void)state;
    ERR(WORLD "migrate user9\n", 7, 9, "unknown user 'user9' (the source users are user1..user6)");
    ERR(WORLD "migrate user0\n", 7, 9, "unknown user 'user0' (the source users are user1..user6)");
    ERR(WORLD "migrate user01\n", 7, 9, "unknown user 'user01' (the source users are user1..user6)");
    ERR(WORLD "migrate bob\n", 7, 9, "unknown user 'bob' (the source users are user1..user6)");
    ERR(WORLD "migrate User1\n", 7, 9, "unknown user 'User1' (the source users are user1..user6)");
    ERR(WORLD "migrate user99999999999\n", 7, 9, "unknown user 'user99999999999' (the source users are user1..user6)");
    ERR(WORLD "deliver user1,user2,user7\n", 7, 21, "unknown user 'user7' (the source users are user1..user6)");
    ERR(WORLD "logon user2..user8\n", 7, 14, "unknown user 'user8' (the source users are user1..user6)");
    ERR("site S1\ndc DC1 site=S1\nsource users=1 prefix=u\nexpect u2 cloned\n", 4, 8,
        "unknown user 'u2' (the only source user is u1)");
    ERR(WORLD "migrate user5..user2\n", 7, 9, "bad range 'user5..user2': user5 comes after user2");
    ERR(WORLD "migrate user1,,user2\n", 7, 15, "empty element in user list");
    ERR(WORLD "migrate user1,\n", 7, 15, "empty element in user list");
    ERR(WORLD "migrate user1,all\n", 7, 15, "'all' cannot be part of a user list");
    ERR(WORLD "migrate user1..\n", 7, 16, "missing user name");
    ERR(WORLD "migrate ..user3\n", 7, 9, "missing user name");
    ERR(WORLD "migrate\n", 7, 8, "missing users (all, a name, a range or a comma list) in 'migrate'");
    ERR(WORLD "migrate dc=DC1\n", 7, 9, "expected users (all, a name, a range or a comma list), found option 'dc=DC1'");
    ERR(WORLD "delete\n", 7, 7, "missing users (all, a name, a range or a comma list) in 'delete'");
}

static void test_err_expect(void **state) {
    (void)state;
    ERR(WORLD "expect\n", 7, 7,
        "missing expectation after 'expect' (USERS OUTCOME, stranded=N, converged, or dc DC has|lacks USERS)");
    ERR(WORLD "expect extra=1\n", 7, 8,
        "unknown expectation 'extra=' (expected USERS OUTCOME, stranded=N, converged, or dc DC has|lacks USERS)");
    ERR(WORLD "expect all clonned\n", 7, 12,
        "unknown outcome 'clonned' (expected cloned, merged, ghost, duplicate, absent, partial or unmigrated)");
    ERR(WORLD "expect all\n", 7, 11, "missing outcome in 'expect all'");
    ERR(WORLD "expect all cloned foo=1\n", 7, 19,
        "unknown counter 'foo' (expected extra, dupes, missing or rules_broken)");
    ERR(WORLD "expect all cloned extra=1 extra=2\n", 7, 27, "duplicate option 'extra=' (first at column 19)");
    ERR(WORLD "expect all cloned now\n", 7, 19,
        "unexpected 'now' after the outcome (counters are extra=N, dupes=N, missing=N, rules_broken=N)");
    ERR(WORLD "expect all cloned extra=\n", 7, 25, "missing number for extra");
    ERR(WORLD "expect all not\n", 7, 15, "missing outcome after 'not' in 'expect all not'");
    ERR(WORLD "expect all not clonned\n", 7, 16,
        "unknown outcome 'clonned' (expected cloned, merged, ghost, duplicate, absent, partial or unmigrated)");
    ERR(WORLD "expect all not not merged\n", 7, 16,
        "unknown outcome 'not' (expected cloned, merged, ghost, duplicate, absent, partial or unmigrated)");
    ERR(WORLD "expect all not merged extra=0\n", 7, 23,
        "unexpected 'extra=0' after 'not merged' (a negated outcome takes no counters)");
    ERR(WORLD "expect all not dc=DC1\n", 7, 16, "expected outcome after 'not', found option 'dc=DC1'");
    ERR(WORLD "expect user2 absent missing=10\n", 7, 21,
        "unexpected counter 'missing=10' after 'absent' (an absent user has no mailbox judged, so no counters)");
    ERR(WORLD "expect user2 absent now\n", 7, 21,
        "unexpected 'now' after the outcome (counters are extra=N, dupes=N, missing=N, rules_broken=N)");
    ERR(WORLD "expect dc DC1 holds user1\n", 7, 15, "expected 'has' or 'lacks' after 'expect dc DC1', found 'holds'");
    ERR(WORLD "expect dc DC1\n", 7, 14, "missing 'has' or 'lacks' in 'expect dc DC1'");
    ERR(WORLD "expect dc DC1 has\n", 7, 18, "missing users (all, a name, a range or a comma list) in 'expect dc DC1 has'");
    ERR(WORLD "expect dc DC1 has user1 user2\n", 7, 25,
        "unexpected 'user2' after the end of the 'expect' statement");
    ERR(WORLD "expect stranded=1 extra=2\n", 7, 19, "unexpected 'extra=2' after the end of the 'expect' statement");
}

/* ------------------------------------------------------------------ the docs */

/*
** Every ```scn block of docs/scenario-language.md is a complete scenario that
** parses ($MIGSIM_DOCS may name the docs directory; skipped when the file is
** not found, e.g. when the test runs from elsewhere than the repository root).
*/
static void test_docs_examples_parse(void **state) {
    (void)state;
    const char *env = getenv("MIGSIM_DOCS");
    char path[512];
    snprintf(path, sizeof path, "%s/scenario-language.md", env ? env : "docs");
    scenario sc;
    scnError err;
    FILE *f = fopen(path, "rb");
    if (!f) skip();
    static char buf[1 << 18];
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = '\0';
    int blocks = 0;
    for (char *p = strstr(buf, "\n```scn\n"); p; p = strstr(p, "\n```scn\n")) {
        char *start = p + 8, *stop = strstr(start, "\n```");
        assert_non_null(stop);
        msStatus st = scnParse(path, start, (size_t)(stop - start) + 1, &sc, &err);
        if (st != MS_OK) print_error("docs example %d: line %d:%d: %s\n", blocks + 1, err.line, err.col, err.msg);
        assert_int_equal(st, MS_OK);
        assert_true(sc.first_step < sc.n);
        scnFree(&sc);
        blocks++;
        p = stop;
    }
    assert_true(blocks >= 2);
}

/* ------------------------------------------------------------------ size */

/* A growing text; aborts the test when out of memory. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, int a, int b) {
    if (t->cap - t->n < 128) {
        t->cap = t->cap ? 2 * t->cap : 1 << 16;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    t->n += (size_t)snprintf(t->s + t->n, t->cap - t->n, fmt, a, b);
}

/*
** 100,000 statements at the limits of the world (1,000 sites, 2,000 DCs,
** 1,000 servers) and steps that name DCs: every name is found by hash, in
** declaration order, and a duplicate of an early name is still caught.
** (Parse time is measured by `make bench`, parse_100k, not here.)
*/
static void test_large_scenario(void **state) {
    (void)state;
    text t = {0};
    int n = 0;
    for (int s = 0; s < 1000; s++, n++) add(&t, "site S%d\n", s, 0);
    for (int i = 0; i < 2000; i++, n++) add(&t, "dc DC%d site=S%d\n", i, i / 2);
    for (int i = 0; i < 1000; i++, n++) add(&t, "server EX%d dc=DC%d\n", i, 2 * i + 1);
    for (int i = 0; n < 100000; i++, n += 2) {
        add(&t, "fail dc DC%d\n", (i * 7919) % 2000, 0);
        add(&t, "restore dc DC%d\n", (i * 7919) % 2000, 0);
    }
    scenario sc;
    parseOk(t.s, &sc);
    assert_int_equal(sc.n, 100000);
    assert_int_equal(sc.ndcs, 2000);
    assert_int_equal(sc.nservers, 1000);
    const stmt *dc = &sc.v[sc.dcs[1999]];
    assert_string_equal(dc->u.dc.name.name, "DC1999");
    assert_int_equal(dc->u.dc.site.index, 999);
    assert_int_equal(sc.v[sc.servers[999]].u.server.dc.index, 1999);
    scnFree(&sc);
    t.n = 0;
    add(&t, "site S0\n", 0, 0);
    for (int i = 0; i < 1500; i++) add(&t, "dc DC%d site=S0\n", i, 0);
    add(&t, "server DC7 dc=DC1499\n", 0, 0);
    ERR(t.s, 1502, 8, "server name 'DC7' is already the name of a DC (line 9)");
    t.n = 0;
    add(&t, "site S0\n", 0, 0);
    for (int i = 0; i < 1500; i++) add(&t, "dc DC%d site=S0\n", i, 0);
    add(&t, "dc DC3 site=S0\n", 0, 0);
    ERR(t.s, 1502, 4, "duplicate DC 'DC3' (first declared on line 5)");
    free(t.s);
}

/* Every remaining limit is checked at the statement that passes it. */
static void test_limits(void **state) {
    (void)state;
    text t = {0};
    for (int s = 0; s <= 1000; s++) add(&t, "site S%d\n", s, 0);
    RANGE(t.s, 1001, 1, "too many sites: at most 1000");
    t.n = 0;
    add(&t, "site S0\n", 0, 0);
    for (int i = 0; i <= 2000; i++) add(&t, "dc DC%d site=S0\n", i, 0);
    RANGE(t.s, 2002, 1, "too many DCs: at most 2000");
    t.n = 0;
    add(&t, "site S0\ndc DC0 site=S0\n", 0, 0);
    for (int i = 0; i <= 1000; i++) add(&t, "server EX%d dc=DC0\n", i, 0);
    RANGE(t.s, 1003, 1, "too many servers: at most 1000");
    t.n = 0;
    for (int s = 0; s < 50; s++) add(&t, "site S%d\n", s, 0);
    int links = 0;
    for (int a = 0; a < 50 && links <= 1000; a++)
        for (int b = a + 1; b < 50 && links <= 1000; b++, links++) add(&t, "sitelink S%d S%d\n", a, b);
    RANGE(t.s, 50 + 1001, 1, "too many site links: at most 1000");
    t.n = 0;
    add(&t, "site S0\ndc DC0 site=S0\n", 0, 0);
    for (int i = 3; i <= 200000; i++) add(&t, "wait 1s\n", 0, 0);
    scenario sc;
    parseOk(t.s, &sc);
    assert_int_equal(sc.n, 200000);
    scnFree(&sc);
    add(&t, "  wait 1s\n", 0, 0);
    RANGE(t.s, 200001, 3, "too many statements: at most 200000");
    free(t.s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_scenario),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_ad),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_site),
        cmocka_unit_test(test_sitelink),
        cmocka_unit_test(test_dc),
        cmocka_unit_test(test_server),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_wizard),
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_migrate),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_source_names),
        cmocka_unit_test(test_err_source_names),
        cmocka_unit_test(test_wait_when),
        cmocka_unit_test(test_err_wait_when),
        cmocka_unit_test(test_purge_export_import),
        cmocka_unit_test(test_err_purge_export_import),
        cmocka_unit_test(test_deliver),
        cmocka_unit_test(test_logon),
        cmocka_unit_test(test_cleanup),
        cmocka_unit_test(test_delete),
        cmocka_unit_test(test_sync),
        cmocka_unit_test(test_wait),
        cmocka_unit_test(test_fail_restore),
        cmocka_unit_test(test_expect),
        cmocka_unit_test(test_world_tables),
        cmocka_unit_test(test_positions_and_text),
        cmocka_unit_test(test_crlf_tabs_comments),
        cmocka_unit_test(test_unterminated_input),
        cmocka_unit_test(test_users_helpers),
        cmocka_unit_test(test_names_tables),
        cmocka_unit_test(test_lexer_tokens),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_err_lexical),
        cmocka_unit_test(test_err_statement),
        cmocka_unit_test(test_err_options),
        cmocka_unit_test(test_err_numbers),
        cmocka_unit_test(test_err_durations),
        cmocka_unit_test(test_err_forms),
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_err_step_before_world),
        cmocka_unit_test(test_err_users),
        cmocka_unit_test(test_err_expect),
        cmocka_unit_test(test_docs_examples_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
