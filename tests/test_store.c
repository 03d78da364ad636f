/*
** Tests for the source organization and the mailbox stores (source.c,
** store.c): generation, clone, merge (search-key skip, older-target replace,
** new folder IDs, rules broken, unresolvable folders fail), initialization
** with default folders, delivery, the judge's counters as queries, purge.
** No directory is needed: these are the rows alone.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/prng.h"
#include "scenario/scenario.h"
#include "exchange/source.h"
#include "exchange/store.h"

typedef struct fixture {
    scenario sc;
    sqlite3 *db;
    source src;
    store st;
    guidgen gg;
} fixture;

static int setupWith(void **state, const char *src_line) {
    fixture *f = calloc(1, sizeof *f);
    char buf[512];
    scnError err;
    snprintf(buf, sizeof buf, "site S\ndc DC1 site=S\nserver EX1 dc=DC1\n%s\n", src_line);
    if (scnParse("t.scn", buf, strlen(buf), &f->sc, &err) != MS_OK) {
        fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
        return -1;
    }
    char e[256];
    rng r;
    rngSeed(&r, 7, RNG_SOURCE);
    guidInit(&f->gg, 7);
    if (sqlite3_open(":memory:", &f->db) != SQLITE_OK) return -1;
    if (sourceTables(f->db, &f->src, e, sizeof e) != MS_OK) return -1;
    if (sourceGenerate(&f->src, &(srcConfig){f->sc.nusers, f->sc.v[f->sc.source].u.source.items_lo, f->sc.v[f->sc.source].u.source.items_hi, f->sc.v[f->sc.source].u.source.folders, f->sc.v[f->sc.source].u.source.rules, f->sc.v[f->sc.source].u.source.prefix, f->sc.v[f->sc.source].u.source.names}, &r, e, sizeof e) != MS_OK) return -1;
    if (storeOpen(&f->st, &f->src, 2, e, sizeof e) != MS_OK || storeTables(f->db, &f->st, e, sizeof e) != MS_OK)
        return -1;
    *state = f;
    return 0;
}

static int setup(void **state) {
    return setupWith(state, "source users=3 items=250 folders=2 rules=1");
}

static int teardown(void **state) {
    fixture *f = *state;
    sqlite3_close(f->db);
    storeClose(&f->st);
    sourceFree(&f->src);
    scnFree(&f->sc);
    free(f);
    return 0;
}

static int64_t q1(sqlite3 *db, const char *sql) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void exec(sqlite3 *db, const char *sql) {
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t newMailbox(fixture *f, mbxInit how, int defaults) {
    guid g;
    int64_t id = 0;
    guidNext(&f->gg, "mailbox", &g);
    assert_int_equal(storeCreate(&f->st, 0, &g, 1, how, 0, defaults, &id), MS_OK);
    return id;
}

/* A full clone of user 1 into a new mailbox. */
static int64_t cloneUser1(fixture *f) {
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t mbx = newMailbox(f, INIT_CLONE, 0), n = 0, rules = 0;
    assert_int_equal(storeCloneFolders(&f->st, mbx, 1), MS_OK);
    assert_int_equal(storeCopyRules(&f->st, mbx, 1, &rules), MS_OK);
    assert_int_equal(rules, 1);
    assert_int_equal(storeCloneBatch(&f->st, mbx, su->first_item, su->first_item + su->nitems - 1, &n), MS_OK);
    assert_int_equal(n, su->nitems);
    return mbx;
}

static void countersOf(fixture *f, int64_t mbx, int64_t c[4], int64_t *present) {
    storeCopyCounts cc;
    assert_int_equal(storeCounters(&f->st, mbx, 1, &cc, 0), MS_OK);
    memcpy(c, cc.c, sizeof cc.c);
    *present = cc.present;
}

static void test_source_generated(void **state) {
    fixture *f = *state;
    const srcUser *u1 = sourceUser(&f->src, 1), *u2 = sourceUser(&f->src, 2);
    assert_string_equal(u1->name, "user1");
    assert_string_equal(u1->x500, "X500:/o=Source/ou=First Administrative Group/cn=Recipients/cn=user1");
    assert_string_equal(u1->smtp, "user1@source.example");
    assert_int_equal(u1->nitems, 250);
    assert_int_equal(u2->first_item, u1->first_item + 250);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM src_folder WHERE user = 1"), 7);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM src_item"), 750);
    assert_int_equal(q1(f->db, "SELECT count(DISTINCT skey) FROM src_item"), 750);
    assert_int_equal(q1(f->db, "SELECT count(DISTINCT fid) FROM src_folder"), 21);
    /* The rule points at the user's own first folder. */
    assert_int_equal(q1(f->db, "SELECT count(*) FROM src_rule r JOIN src_folder s ON s.fid = r.fid"
                               " WHERE r.user = 1 AND s.path = 'Inbox/Projects'"), 1);
    assert_null(sourceUser(&f->src, 4));
}

static void test_source_deterministic(void **state) {
    fixture *f = *state, *g;
    assert_int_equal(setup((void **)&g), 0);
    assert_int_equal(q1(f->db, "SELECT sum(skey % 1000003) + sum(size) + sum(mtime % 1000) FROM src_item"),
                     q1(g->db, "SELECT sum(skey % 1000003) + sum(size) + sum(mtime % 1000) FROM src_item"));
    void *gs = g;
    teardown(&gs);
}

static void test_clone_keeps_folder_ids(void **state) {
    fixture *f = *state;
    int64_t mbx = cloneUser1(f), c[4], present;
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder t JOIN src_folder s ON s.fid = t.fid AND s.path = t.path"
                               " WHERE s.user = 1"), 7);
    countersOf(f, mbx, c, &present);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 0);
    assert_int_equal(c[3], 0);
    assert_int_equal(present, 250);
    simtime when;
    assert_int_equal(storeInitOf(&f->st, mbx, &when), INIT_CLONE);
}

static void test_merge_skips_same_search_key(void **state) {
    fixture *f = *state;
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t mbx = cloneUser1(f);
    mergeCounts m;
    assert_int_equal(storeMergeBatch(&f->st, mbx, 1, su->first_item, su->first_item + 99, &m), MS_OK);
    assert_int_equal(m.skipped, 100);
    assert_int_equal(m.copied + m.replaced + m.failed, 0);
    assert_int_equal(storeItemCount(&f->st, mbx), 250);
}

static void test_merge_replaces_older_target(void **state) {
    fixture *f = *state;
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t mbx = cloneUser1(f);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE item SET mtime = mtime - 5000 WHERE mbx = %lld AND skey ="
             " (SELECT skey FROM src_item WHERE id = %lld)", (long long)mbx, (long long)su->first_item + 3);
    exec(f->db, sql);
    /* A newer target copy is skipped, not replaced. */
    snprintf(sql, sizeof sql, "UPDATE item SET mtime = mtime + 5000 WHERE mbx = %lld AND skey ="
             " (SELECT skey FROM src_item WHERE id = %lld)", (long long)mbx, (long long)su->first_item + 4);
    exec(f->db, sql);
    mergeCounts m;
    assert_int_equal(storeMergeBatch(&f->st, mbx, 1, su->first_item, su->first_item + 9, &m), MS_OK);
    assert_int_equal(m.replaced, 1);
    assert_int_equal(m.skipped, 9);
    assert_int_equal(m.copied, 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM item t JOIN src_item s ON s.skey = t.skey"
             " WHERE t.mbx = %lld AND s.id = %lld AND t.mtime = s.mtime", (long long)mbx, (long long)su->first_item + 3);
    assert_int_equal(q1(f->db, sql), 1);
}

static void test_merge_into_initialized_mailbox(void **state) {
    fixture *f = *state;
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t mbx = newMailbox(f, INIT_DELIVERY, 1), made = 0, rules = 0, c[4], present;
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder"), 5);
    assert_int_equal(storeDeliver(&f->st, mbx, 12345, 100, 10), MS_OK);
    assert_int_equal(storeDeliver(&f->st, mbx, 12346, 100, 10), MS_OK);
    assert_int_equal(storeMergeFolders(&f->st, 0, mbx, 1, &made), MS_OK);
    assert_int_equal(made, 2);
    /* Every folder of the mailbox has a new folder ID, none the source's. */
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder t JOIN src_folder s ON s.fid = t.fid"), 0);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder WHERE fid >> 48 = 2"), 7);
    assert_int_equal(storeCopyRules(&f->st, mbx, 1, &rules), MS_OK);
    assert_int_equal(rules, 1);
    mergeCounts m = {0}, b;
    for (int64_t lo = su->first_item; lo < su->first_item + su->nitems; lo += 100) {
        int64_t hi = lo + 99 < su->first_item + su->nitems ? lo + 99 : su->first_item + su->nitems - 1;
        assert_int_equal(storeMergeBatch(&f->st, mbx, 1, lo, hi, &b), MS_OK);
        m.copied += b.copied;
        m.skipped += b.skipped;
    }
    assert_int_equal(m.copied, 250);
    assert_int_equal(m.skipped, 0);
    countersOf(f, mbx, c, &present);
    assert_int_equal(c[0], 2);   /* extra: the delivered mail */
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 0);
    assert_int_equal(c[3], 1);   /* the rule names the source folder ID */
    assert_int_equal(storeForeignItems(&f->st, mbx), 2);
    /* Copying the rules again adds nothing: the mailbox has them. */
    assert_int_equal(storeCopyRules(&f->st, mbx, 1, &rules), MS_OK);
    assert_int_equal(rules, 0);
}

static void test_merge_without_folder_fails_item(void **state) {
    fixture *f = *state;
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t mbx = newMailbox(f, INIT_LOGON, 0);   /* no folders at all */
    mergeCounts m;
    assert_int_equal(storeMergeBatch(&f->st, mbx, 1, su->first_item, su->first_item + 9, &m), MS_OK);
    assert_int_equal(m.failed, 10);
    assert_int_equal(m.copied, 0);
}

static void test_counters_dupes_and_missing(void **state) {
    fixture *f = *state;
    int64_t mbx = cloneUser1(f), c[4], present;
    char sql[256];
    /* Item ids are the store's to assign (store.h): these take ids above its. */
    snprintf(sql, sizeof sql, "INSERT INTO item(id, mbx, fid, skey, size, mtime) SELECT id + 1000000, mbx, fid,"
             " skey, size, mtime FROM item WHERE mbx = %lld ORDER BY id LIMIT 3", (long long)mbx);
    exec(f->db, sql);
    countersOf(f, mbx, c, &present);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 3);
    assert_int_equal(c[2], 0);
    /* Delete every copy of one source item: missing. */
    snprintf(sql, sizeof sql, "DELETE FROM item WHERE mbx = %lld AND skey = (SELECT skey FROM src_item WHERE id = 1)",
             (long long)mbx);
    exec(f->db, sql);
    countersOf(f, mbx, c, &present);
    assert_int_equal(c[2], 1);
    assert_int_equal(present, 249);
}

static void test_rules_broken_when_folder_gone(void **state) {
    fixture *f = *state;
    int64_t mbx = cloneUser1(f), c[4], present;
    exec(f->db, "DELETE FROM folder WHERE path = 'Inbox/Projects'");
    countersOf(f, mbx, c, &present);
    assert_int_equal(c[3], 1);
}

static void test_find_disconnect_purge(void **state) {
    fixture *f = *state;
    guid g;
    int64_t id = 0;
    int server = -1;
    guidNext(&f->gg, "mailbox", &g);
    assert_int_equal(storeFind(&f->st, 1, &g), 0);
    assert_int_equal(storeCreate(&f->st, 1, &g, 2, INIT_LOGON, 5, 1, &id), MS_OK);
    /* One mailbox per GUID per store. */
    int64_t again;
    assert_int_equal(storeCreate(&f->st, 1, &g, 2, INIT_LOGON, 5, 1, &again), MS_FAIL);
    assert_int_equal(storeFind(&f->st, 1, &g), id);
    assert_int_equal(storeFind(&f->st, 0, &g), 0);
    assert_int_equal(storeFindAny(&f->st, &g, &server), id);
    assert_int_equal(server, 1);
    /* Server 1's folder IDs carry replica id 3. */
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder WHERE fid >> 48 = 3"), 5);
    assert_int_equal(storeDeliver(&f->st, id, 99, 10, 6), MS_OK);
    assert_int_equal(storeDisconnect(&f->st, id, 100), MS_OK);
    mbxRow *v;
    size_t n;
    assert_int_equal(storeList(&f->st, 1, &v, &n), MS_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].disconnected);
    assert_int_equal(v[0].disconnected_at, 100);
    assert_int_equal(v[0].user, 2);
    free(v);
    assert_int_equal(storePurge(&f->st, id), MS_OK);
    assert_int_equal(storeFind(&f->st, 1, &g), 0);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item"), 0);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder"), 0);
}

/* The folder ID of mailbox mbx's folder path, or -1. */
static int64_t folderIdOf(fixture *f, int64_t mbx, const char *path) {
    const storeMailbox *m = storeMailboxOf(&f->st, mbx);
    for (size_t i = 0; m && i < m->nfolders; i++)
        if (strcmp(m->folders[i].path, path) == 0) return m->folders[i].fid;
    return -1;
}

/*
** storeMoveForeign: the delivered items (no source item has their search
** key) go, by folder path, into the other mailbox (a folder made there when
** it lacks the path), keeping their ids, in id order among its own; copies
** stay.  All of them in one pass: moving N items into a mailbox costs in
** proportion to the two mailboxes' items, not N times (an insertion per
** item, each reindexing the destination, took seconds for 20,000).
*/
static void test_move_foreign_by_path_in_one_pass(void **state) {
    fixture *f = *state;
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t from = newMailbox(f, INIT_DELIVERY, 1), moved = 0;
    enum { N = 3000 };
    for (int64_t k = 1; k <= N; k++) assert_int_equal(storeDeliver(&f->st, from, k, 10, k), MS_OK);
    assert_int_equal(storeAddItem(&f->st, 0, from, "Archive/2003", N + 1, 10, 1), MS_OK);
    assert_int_equal(storeAddItem(&f->st, 0, from, "Inbox", f->src.items[su->first_item - 1].skey, 10, 1), MS_OK);
    int64_t to = cloneUser1(f);
    assert_int_equal(storeDeliver(&f->st, from, N + 2, 10, 1), MS_OK);   /* an id above to's */
    const storeMailbox *t = storeMailboxOf(&f->st, to), *m = storeMailboxOf(&f->st, from);
    uint64_t work = t->items.work;
    assert_int_equal(storeMoveForeign(&f->st, 0, from, to, &moved), MS_OK);
    assert_int_equal(moved, N + 2);
    assert_int_equal(storeItemCount(&f->st, to), su->nitems + N + 2);
    assert_int_equal(storeItemCount(&f->st, from), 1);                   /* the copy stays */
    assert_int_equal(storeForeignItems(&f->st, from), 0);
    assert_true(itemSetCheck(&t->items));
    assert_true(itemSetCheck(&m->items));
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item i JOIN folder d ON d.mbx = i.mbx AND d.fid = i.fid"
                               " WHERE d.path = 'Inbox' AND i.skey BETWEEN 1 AND 3002 AND i.skey <> 3001"), N + 1);
    int64_t archive = folderIdOf(f, to, "Archive/2003");
    assert_true(archive > 0 && archive != folderIdOf(f, from, "Archive/2003"));
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM item WHERE skey = %d AND fid = %lld AND mbx = %lld", N + 1,
             (long long)archive, (long long)to);
    assert_int_equal(q1(f->db, sql), 1);
    snprintf(sql, sizeof sql, "SELECT min(id) FROM item WHERE mbx = %lld", (long long)to);
    assert_int_equal(q1(f->db, sql), 1);                                 /* the delivered items keep their ids */
    if (t->items.work - work > 4 * (uint64_t)t->items.n)
        fail_msg("moving %d items into %zu: %llu items walked or shifted", N + 2, t->items.n,
                 (unsigned long long)(t->items.work - work));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_source_generated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_source_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clone_keeps_folder_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_skips_same_search_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_replaces_older_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_into_initialized_mailbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_without_folder_fails_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_dupes_and_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_broken_when_folder_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_disconnect_purge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_foreign_by_path_in_one_pass, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
