/*
** The migration engine: each operation's timing and answer, cancelling, the
** Exchange side's view kept from requests, and the guard against a migrator
** that never lets time pass.  The migrator here is a script: a list of
** requests, and the replies they got, recorded for the test to read.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exfixture.h"

#define MAXSTEPS 32

typedef struct script {
    migRequest req[MAXSTEPS];
    size_t n, at;
    migStatus got[MAXSTEPS + 1];   /* got[i]: the reply to request i - 1 (got[0]: MIG_START) */
    simtime when[MAXSTEPS + 1];
    migReply last[MAXSTEPS + 1];   /* shallow copies: pointers valid only during next() */
    int64_t nentries[MAXSTEPS + 1];
    guid object[MAXSTEPS + 1], mailbox[MAXSTEPS + 1];
    int exists[MAXSTEPS + 1], initialized_by[MAXSTEPS + 1];
    int64_t npartners[MAXSTEPS + 1], copied[MAXSTEPS + 1], moved[MAXSTEPS + 1];
    int loop;                      /* after the script, sleep 0 for ever */
} script;

static script *g_script;           /* the script the next run uses (a test sets it up first) */

static void *scriptOpen(const migEnv *env) {
    (void)env;
    return g_script;
}

static int scriptNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    script *s = self;
    (void)why;
    (void)whysz;
    size_t i = s->at;
    if (i <= MAXSTEPS) {
        s->got[i] = a->status;
        s->when[i] = a->now;
        s->nentries[i] = (int64_t)a->nentries;
        s->object[i] = a->nentries ? a->entries[0].object : a->object;
        s->mailbox[i] = a->nentries ? a->entries[0].mailbox : a->mailbox;
        s->exists[i] = a->exists;
        s->initialized_by[i] = a->initialized_by;
        s->npartners[i] = (int64_t)a->npartners;
        s->copied[i] = a->copied;
        s->moved[i] = a->moved;
    }
    s->at++;
    if (a->status == MIG_ERR_CANCELLED || (i >= s->n && !s->loop)) {
        q->op = MIG_DONE;
        return 0;
    }
    if (i >= s->n) {
        q->op = MIG_OP_SLEEP;
        q->duration = 0;
        return 0;
    }
    *q = s->req[i];
    /* Requests naming "the object/mailbox of reply k" use what reply k carried. */
    if (q->first < 0) {
        q->object = s->object[-q->first];
        q->mailbox = s->mailbox[-q->first];
        q->first = 0;
    }
    /* A move naming "from the mailbox of reply k" (count -k). */
    if (q->op == MIG_OP_STORE_MOVE_FOREIGN && q->count < 0) {
        q->from_mailbox = s->mailbox[-q->count];
        q->count = 0;
    }
    return 0;
}

static void scriptClose(void *self) {
    (void)self;
}

static const migrator scriptMigrator = {MIGRATOR_ABI, "script", "script", scriptOpen, scriptNext, scriptClose};

/* Open the script's engine on a freshly built world, replacing the wizard's. */
static void useScript(exRun *r) {
    engineClose(r->s.world->eng);
    engineConfig c = {0, 0, 10, 0, &scriptMigrator, "", NULL, 0};
    assert_int_equal(engineOpen(exOf(r), &c, &r->s.world->eng), MS_OK);
}

static migRequest req(migOp op) {
    migRequest q;
    memset(&q, 0, sizeof q);
    q.op = op;
    q.dc = q.server = -1;
    return q;
}

static void test_add_then_search(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 1;
    sc.req[1] = req(MIG_OP_DIR_SEARCH);
    sc.req[1].by = MIG_BY_X500;
    sc.req[1].key = "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1";
    sc.req[2] = req(MIG_OP_DIR_ADD);
    sc.req[2].user = 1;
    sc.n = 3;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[0], MIG_START);
    assert_int_equal(sc.got[1], MIG_OK);
    assert_int_equal(sc.when[1], 0);            /* the add is answered at once ... */
    assert_int_equal(sc.got[2], MIG_OK);
    assert_int_equal(sc.when[2], 500);          /* ... and the next request waits account_time */
    assert_int_equal(sc.nentries[2], 1);
    assert_memory_equal(&sc.object[2], &sc.object[1], sizeof(guid));
    assert_int_equal(sc.got[3], MIG_ERR_NAME_EXISTS);
    assert_false(engineActive(r->s.world->eng));
    exRunFree(r);
}

/* A logon is judged at its end: the store finds the account only once it is on the server's DC. */
static void test_logon_is_judged_at_its_end(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 2;
    sc.req[1] = req(MIG_OP_STORE_LOGON);
    sc.req[1].first = -1;                       /* the account and mailbox of reply 1 */
    sc.req[1].user = 2;
    sc.req[2] = req(MIG_OP_STORE_PREPARE);
    sc.req[2].first = -1;
    sc.req[2].user = 2;
    sc.req[3] = req(MIG_OP_STORE_LOGON);
    sc.req[3].first = -1;
    sc.req[3].user = 2;
    sc.n = 4;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate user2\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[2], MIG_OK);        /* logon on DC1, where the account was made */
    assert_int_equal(sc.when[2], 500 + 1000);
    assert_false(sc.exists[2]);
    assert_int_equal(sc.got[3], MIG_OK);        /* clone prepared */
    assert_int_equal(sc.got[4], MIG_OK);
    assert_true(sc.exists[4]);
    assert_int_equal(sc.initialized_by[4], MIG_INIT_CLONE);
    exRunFree(r);
}

static void test_copy_costs_items_at_the_rate(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 1;
    sc.req[1] = req(MIG_OP_STORE_PREPARE);
    sc.req[1].first = -1;
    sc.req[1].user = 1;
    sc.req[2] = req(MIG_OP_STORE_COPY);
    sc.req[2].first = -1;
    sc.req[2].user = 1;
    sc.req[2].count = 15;
    sc.req[3] = req(MIG_OP_STORE_COPY);
    sc.req[3].first = -1;
    sc.req[3].user = 1;
    sc.req[3].count = 15;                       /* the same items again, in clone mode: copied again */
    sc.n = 4;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[3], MIG_OK);
    assert_int_equal(sc.copied[3], 15);
    assert_int_equal(sc.when[3] - sc.when[2], 1500);   /* 15 items at 10/s */
    exRunFree(r);
}

/* `cancel` answers the request in flight at once, and every later one until done. */
static void test_cancel_answers_the_request_in_flight(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_SLEEP);
    sc.req[0].duration = 60000;
    sc.n = 1;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate all\nwait 5s\ncancel\nwait 2m\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[1], MIG_ERR_CANCELLED);
    assert_int_equal(sc.when[1], 5000);
    assert_false(engineActive(r->s.world->eng));
    /* A migrator that is not the wizard's kin: the neutral kind, never the wizard's. */
    assert_int_equal(exCount(r, TR_MIG_CANCEL, "how", "now", NULL), 1);
    assert_int_equal(exCount(r, TR_WIZ_CANCEL, NULL), 0);
    exRunFree(r);
}

/* The replication state lists the DC's partners; a DC that never pulled says -1. */
static void test_replstate(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_REPLSTATE);
    sc.req[0].dc = 1;
    sc.n = 1;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate all\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[1], MIG_OK);
    assert_int_equal(sc.npartners[1], 1);       /* a site of two DCs: one partner */
    assert_int_equal(dirLastPull(exOf(r)->d, 1, 0), -1);
    exRunFree(r);
}

/* The Exchange side's view is kept from requests: an association makes the user's logon work. */
static void test_association_is_the_logon_target(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 3;
    sc.req[1] = req(MIG_OP_STORE_ASSOCIATE);
    sc.req[1].first = -1;
    sc.req[1].user = 3;
    sc.req[2] = req(MIG_OP_STORE_PROTECT);
    sc.req[2].first = -1;
    sc.req[2].on = 1;
    sc.n = 3;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate all\nwait done\nlogon user3\nlogon user4\nwait 2m\ndeliver user3\n",
                             useScript);
    assert_non_null(r);
    assert_int_equal(exCount(r, TR_LOGON, "user", "user3", NULL), 1);
    assert_int_equal(exCount(r, TR_LOGON_FAIL, "user", "user4", NULL), 1);
    assert_int_equal(exCount(r, TR_SMTP_NDR, "user", "user3", "code", "5.7.1", NULL), 1);
    assert_int_equal(engineUsers(r->s.world->eng, NULL, 0), 1);
    exRunFree(r);
}

/* Nonsense from a migrator gets bad_request, never a crash or a wrapped number. */
static void test_bad_requests_are_refused(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 1;
    sc.req[1] = req(MIG_OP_DIR_MODIFY);          /* three values, none given */
    sc.req[1].first = -1;
    sc.req[1].attr = "mail";
    sc.req[1].nvalues = 3;
    sc.req[2] = req(MIG_OP_STORE_PREPARE);       /* a good clone, for the copy */
    sc.req[2].first = -1;
    sc.req[2].user = 1;
    sc.req[3] = req(MIG_OP_STORE_COPY);          /* a range that would overflow */
    sc.req[3].first = -1;
    sc.req[3].user = 1;
    sc.req[3].count = INT64_MAX;
    sc.req[4] = req(MIG_OP_DIR_REPLSTATE);       /* no such DC */
    sc.req[4].dc = 999;
    sc.req[5] = req(MIG_OP_STORE_PREPARE);       /* no such user */
    sc.req[5].first = -1;
    sc.req[5].user = 99999;
    sc.req[6] = req(MIG_OP_STORE_PREPARE);       /* no such mode */
    sc.req[6].first = -1;
    sc.req[6].user = 1;
    sc.req[6].mode = (migMode)7;
    sc.req[7] = req(MIG_OP_SLEEP);               /* for ever: capped at the ten-year horizon */
    sc.req[7].duration = INT64_MAX;
    sc.n = 8;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[2], MIG_ERR_BAD_REQUEST);
    assert_int_equal(sc.got[3], MIG_OK);
    for (int i = 4; i <= 7; i++) assert_int_equal(sc.got[i], MIG_ERR_BAD_REQUEST);
    /* The sleep never returns within the scenario: `wait done` gives up at its
    ** ten-year limit; nothing overflowed on the way (UBSan would say). */
    assert_int_equal(sc.at, 8);
    assert_int_equal(r->verdict, MS_FAIL);
    assert_true(engineActive(r->s.world->eng));
    exRunFree(r);
}

/* A migrator that never lets time pass is stopped with an error, not run for ever. */
static void test_a_migrator_that_never_sleeps_is_stopped(void **state) {
    (void)state;
    script sc = {0};
    sc.loop = 1;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate all\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(r->verdict, MS_INPUT);     /* the migrator's fault: exit 2, no verdict */
    assert_non_null(strstr(r->s.k.err, "requests at one instant without letting time pass"));   /* error message */
    exRunFree(r);
}

/* store.move_foreign: delivered mail leaves one mailbox for another's folder of
** the same path, at the run's rate; the copies would stay; twice moves nothing. */
static void test_move_foreign(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 1;
    sc.req[1] = req(MIG_OP_STORE_ASSOCIATE);
    sc.req[1].user = 1;
    sc.req[1].first = -1;
    sc.req[2] = req(MIG_OP_DIR_ADD);
    sc.req[2].user = 2;
    sc.req[3] = req(MIG_OP_STORE_ASSOCIATE);
    sc.req[3].user = 2;
    sc.req[3].first = -3;
    sc.req[4] = req(MIG_OP_STORE_PREPARE);     /* user2's mailbox: a clone, no items yet */
    sc.req[4].user = 2;
    sc.req[4].first = -3;
    sc.req[5] = req(MIG_OP_SLEEP);             /* meanwhile mail reaches user1 */
    sc.req[5].duration = 3 * MS_PER_MINUTE;
    for (int i = 6; i <= 7; i++) {
        sc.req[i] = req(MIG_OP_STORE_MOVE_FOREIGN);
        sc.req[i].first = -3;                  /* into user2's mailbox */
        sc.req[i].count = -1;                  /* from user1's */
    }
    sc.req[8] = req(MIG_OP_STORE_MOVE_FOREIGN);
    sc.req[8].first = -3;
    sc.req[8].count = -3;                      /* from and to one mailbox */
    sc.n = 9;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "migrate user1,user2\nwait 2m\ndeliver user1 count=2\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(exCount(r, TR_SMTP_DELIVER, "user", "user1", NULL), 1);
    assert_int_equal(sc.got[7], MIG_OK);
    assert_int_equal(sc.moved[7], 2);
    assert_int_equal(sc.when[7] - sc.when[6], 200);   /* 2 items at 10/s */
    assert_int_equal(sc.got[8], MIG_OK);
    assert_int_equal(sc.moved[8], 0);
    assert_int_equal(sc.when[8], sc.when[7]);
    assert_int_equal(sc.got[9], MIG_ERR_BAD_REQUEST);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item i JOIN mailbox m ON m.id = i.mbx WHERE m.user = 1"), 0);
    assert_int_equal(exQuery(r, "SELECT count(*) FROM item i JOIN mailbox m ON m.id = i.mbx JOIN folder f"
                                " ON f.mbx = m.id AND f.fid = i.fid WHERE m.user = 2 AND f.path = 'Inbox'"), 2);
    /* The clone's folders only: the Inbox it moved into is the source's. */
    assert_int_equal(exQuery(r, "SELECT count(*) FROM folder f JOIN mailbox m ON m.id = f.mbx WHERE m.user = 2"),
                     exQuery(r, "SELECT count(*) FROM src_folder WHERE user = 2"));
    exRunFree(r);
}

/* A failed DC answers nothing: searches and replication state through it are
** `unavailable`, like writes; so is a logon whose store's DC has failed. */
static void test_a_failed_dc_answers_nothing(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_ADD);
    sc.req[0].user = 1;
    sc.req[1] = req(MIG_OP_DIR_SEARCH);          /* by objectGUID, on the failed DC2 */
    sc.req[1].first = -1;
    sc.req[1].by = MIG_BY_GUID;
    sc.req[1].dc = 1;
    sc.req[2] = req(MIG_OP_DIR_SEARCH);          /* by address, on the failed DC2 */
    sc.req[2].by = MIG_BY_X500;
    sc.req[2].key = "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1";
    sc.req[2].dc = 1;
    sc.req[3] = req(MIG_OP_DIR_REPLSTATE);
    sc.req[3].dc = 1;
    sc.req[4] = req(MIG_OP_DIR_SEARCH);          /* DC1 still answers */
    sc.req[4].first = -1;
    sc.req[4].by = MIG_BY_GUID;
    sc.n = 5;
    g_script = &sc;
    exRun *r = exRunPrepared(EX_WORLD "fail dc DC2\nmigrate user1\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[1], MIG_OK);
    for (int i = 2; i <= 4; i++) assert_int_equal(sc.got[i], MIG_ERR_UNAVAILABLE);
    assert_int_equal(sc.got[5], MIG_OK);
    assert_int_equal(sc.nentries[5], 1);
    exRunFree(r);

    script lo = {0};
    lo.req[0] = req(MIG_OP_DIR_ADD);
    lo.req[0].user = 1;
    lo.req[1] = req(MIG_OP_STORE_LOGON);         /* from 500 ms to 1500 ms; DC1 fails at 1 s */
    lo.req[1].first = -1;
    lo.req[1].user = 1;
    lo.n = 2;
    g_script = &lo;
    r = exRunPrepared(EX_WORLD "migrate user1\nwait 1s\nfail dc DC1\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(lo.got[2], MIG_ERR_UNAVAILABLE);
    assert_int_equal(lo.when[2], 1500);
    exRunFree(r);
}

/* repadmin /showrepl on a bridgehead lists its site-link partner too. */
static void test_replstate_lists_site_link_partners(void **state) {
    (void)state;
    script sc = {0};
    sc.req[0] = req(MIG_OP_DIR_REPLSTATE);
    sc.req[0].dc = 0;                            /* DC1: HQ's bridgehead */
    sc.req[1] = req(MIG_OP_DIR_REPLSTATE);
    sc.req[1].dc = 1;                            /* DC2: not a bridgehead */
    sc.n = 2;
    g_script = &sc;
    exRun *r = exRunPrepared("seed 3\nsite HQ\nsite Branch\nsitelink HQ Branch interval=15m\n"
                             "dc DC1 site=HQ gc\ndc DC2 site=HQ\ndc DC3 site=Branch\nserver EX1 dc=DC1\n"
                             "source users=1 items=2 folders=1 rules=0\nwizard server=EX1 dc=DC1\n"
                             "migrate all\nwait done\n", useScript);
    assert_non_null(r);
    assert_int_equal(sc.got[1], MIG_OK);
    assert_int_equal(sc.npartners[1], 2);        /* DC2 in its site, DC3 across the link */
    assert_int_equal(sc.npartners[2], 1);
    exRunFree(r);
}

/* ---- migrators written as one function, for what a script cannot do ---- */

typedef int (*fnStep)(const migEnv *env, int64_t n, const migReply *a, migRequest *q);
static fnStep g_fn;
static migStatus g_got[80];

typedef struct fnSelf {
    const migEnv *env;
    int64_t n;
} fnSelf;

static fnSelf g_self;

static void *fnOpen(const migEnv *env) {
    g_self = (fnSelf){env, 0};
    return &g_self;
}

static int fnNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    fnSelf *f = self;
    (void)why;
    (void)whysz;
    if (f->n < 80) g_got[f->n] = a->status;
    return g_fn(f->env, f->n++, a, q);
}

static const migrator fnMigrator = {MIGRATOR_ABI, "fn", "fn", fnOpen, fnNext, scriptClose};

static void useFn(exRun *r) {
    engineClose(r->s.world->eng);
    engineConfig c = {0, 0, 10, 0, &fnMigrator, "", NULL, 0};
    assert_int_equal(engineOpen(exOf(r), &c, &r->s.world->eng), MS_OK);
}

/* Run text with the one-function migrator f. */
static exRun *runFn(fnStep f, const char *text) {
    g_fn = f;
    exRun *r = exRunPrepared(text, useFn);
    assert_non_null(r);
    return r;
}

/* Associate user 1 with 65 different accounts, then with the first again. */
static int manyAccounts(const migEnv *env, int64_t n, const migReply *a, migRequest *q) {
    (void)env;
    (void)a;
    if (n > 65) {
        q->op = MIG_DONE;
        return 0;
    }
    q->op = MIG_OP_STORE_ASSOCIATE;
    q->user = 1;
    q->object.b[0] = (unsigned char)(n == 65 ? 1 : n + 1);
    return 0;
}

static void test_associate_is_bounded(void **state) {
    (void)state;
    exRun *r = runFn(manyAccounts, EX_WORLD "migrate user1\nwait done\n");
    for (int i = 1; i <= MIG_MAX_ACCOUNTS; i++) assert_int_equal(g_got[i], MIG_OK);
    assert_int_equal(g_got[MIG_MAX_ACCOUNTS + 1], MIG_ERR_BAD_REQUEST);
    assert_int_equal(g_got[MIG_MAX_ACCOUNTS + 2], MIG_OK);   /* one already declared: no growth */
    assert_int_equal(engineUsers(r->s.world->eng, NULL, 0), 1);
    exRunFree(r);
}

/* Forge a judge's record and a wizard's, with control characters, then stop. */
static int forger(const migEnv *env, int64_t n, const migReply *a, migRequest *q) {
    (void)a;
    if (n == 0) {
        traceRecord r = traceNew(TR_EXPECT_FAIL, "fn");
        traceStr(&r, "field", "a\tb\001");
        env->emit(env->engine, &r, "forged\nexpect failed");
        traceRecord w = traceNew(TR_WIZ_STATUS, "fn");
        env->emit(env->engine, &w, "run 1 exit status 0 (success)");
    }
    q->op = MIG_DONE;
    return 0;
}

static void test_a_plugin_emits_only_migrator_log(void **state) {
    (void)state;
    exRun *r = runFn(forger, EX_WORLD "migrate user1\nwait done\n");
    assert_int_equal(r->verdict, MS_OK);
    assert_int_equal(exCount(r, TR_EXPECT_FAIL, NULL), 0);
    assert_int_equal(exCount(r, TR_WIZ_STATUS, NULL), 0);
    assert_int_equal(exCount(r, TR_MIG_LOG, "field", "a\\tb\\x01", NULL), 1);
    size_t n;
    const traceRecord *v = exRecords(r, &n);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != TR_MIG_LOG) continue;
        assert_null(strchr(v[i].text, '\n'));
        seen += strcmp(v[i].text, "forged\\nexpect failed") == 0;
    }
    assert_int_equal(seen, 1);
    assert_int_equal(exCount(r, TR_MIG_LOG, NULL), 2);
    exRunFree(r);
}

/* The Exchange side names who migrates: "the migrator" when it is not the wizard's kin. */
static void test_wording_names_the_migrator(void **state) {
    (void)state;
    exRun *r = runFn(forger, EX_WORLD "migrate user1\nwait done\nlogon user2\n");
    const traceRecord *f = exFirst(r, TR_LOGON_FAIL, "user2");
    assert_non_null(f);
    assert_string_equal(f->text, "logon failed: the migrator has not associated a target mailbox with user2");
    exRunFree(r);
    r = exRunText(EX_WORLD "logon user2\n");
    assert_non_null(r);
    f = exFirst(r, TR_LOGON_FAIL, "user2");
    assert_non_null(f);
    assert_string_equal(f->text, "logon failed: the wizard has not associated a target mailbox with user2");
    exRunFree(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_then_search),
        cmocka_unit_test(test_move_foreign),
        cmocka_unit_test(test_logon_is_judged_at_its_end),
        cmocka_unit_test(test_copy_costs_items_at_the_rate),
        cmocka_unit_test(test_cancel_answers_the_request_in_flight),
        cmocka_unit_test(test_replstate),
        cmocka_unit_test(test_association_is_the_logon_target),
        cmocka_unit_test(test_bad_requests_are_refused),
        cmocka_unit_test(test_a_migrator_that_never_sleeps_is_stopped),
        cmocka_unit_test(test_a_failed_dc_answers_nothing),
        cmocka_unit_test(test_replstate_lists_site_link_partners),
        cmocka_unit_test(test_associate_is_bounded),
        cmocka_unit_test(test_a_plugin_emits_only_migrator_log),
        cmocka_unit_test(test_wording_names_the_migrator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
