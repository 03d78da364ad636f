/*
** Tests for the stores seen from SQL (storetable.c): the five tables'
** columns against the store's C rows, the id and mbx plans, writes to
** folder, item and rule with the store's rules, read-only mailbox and
** import, and scans that stay whole while a statement changes the store.
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
#include "exchange/source.h"
#include "exchange/store.h"

typedef struct fixture {
    sqlite3 *db;
    source src;
    store st;
    guidgen gg;
    int64_t mbx;       /* user 1 cloned, on server 0 */
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    char e[256];
    rng r;
    rngSeed(&r, 7, RNG_SOURCE);
    guidInit(&f->gg, 7);
    if (sourceGenerate(&f->src, &(srcConfig){2, 20, 20, 1, 1, NULL, NULL}, &r, e, sizeof e) != MS_OK ||
        storeOpen(&f->st, &f->src, 2, e, sizeof e) != MS_OK || sqlite3_open(":memory:", &f->db) != SQLITE_OK ||
        sourceTables(f->db, &f->src, e, sizeof e) != MS_OK || storeTables(f->db, &f->st, e, sizeof e) != MS_OK)
        return -1;
    guid g;
    guidNext(&f->gg, "mailbox", &g);
    const srcUser *su = sourceUser(&f->src, 1);
    int64_t n = 0, rules = 0;
    if (storeCreate(&f->st, 0, &g, 1, INIT_CLONE, 5, 0, &f->mbx) != MS_OK ||
        storeCloneFolders(&f->st, f->mbx, 1) != MS_OK || storeImportBegin(&f->st, f->mbx, 6) != MS_OK ||
        storeCopyRules(&f->st, f->mbx, 1, &rules) != MS_OK ||
        storeCloneBatch(&f->st, f->mbx, su->first_item, su->first_item + su->nitems - 1, &n) != MS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    sqlite3_close(f->db);
    storeClose(&f->st);
    sourceFree(&f->src);
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

static void text1(sqlite3 *db, const char *sql, char *out, size_t sz) {
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, sz, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
}

static int exec(sqlite3 *db, const char *sql) {
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void test_columns_match_the_store(void **state) {
    fixture *f = *state;
    char t[128], g[GUID_STRLEN];
    text1(f->db, "SELECT guid || ' ' || server || ' ' || user || ' ' || init || ' ' || created || ' ' ||"
                 " ifnull(disconnected, 'live') FROM mailbox", t, sizeof t);
    char want[128];
    snprintf(want, sizeof want, "%s 0 1 clone 5 live", guidFormat(&f->st.mbx[0]->g, g));
    assert_string_equal(t, want);
    assert_int_equal(storeDisconnect(&f->st, f->mbx, 99), MS_OK);
    assert_int_equal(q1(f->db, "SELECT disconnected FROM mailbox"), 99);
    /* The clone kept the source's folder IDs, items and rules. */
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder t JOIN src_folder s ON s.fid = t.fid AND s.path = t.path"
                               " WHERE s.user = 1"), 6);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item t JOIN src_item s ON s.skey = t.skey AND s.fid = t.fid"
                               " AND s.mtime = t.mtime AND s.size = t.size WHERE s.user = 1"), 20);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM rule t JOIN src_rule s ON s.name = t.name AND s.fid = t.fid"),
                     1);
    text1(f->db, "SELECT mode || ' ' || started || ' ' || copied FROM import", t, sizeof t);
    assert_string_equal(t, "clone 6 20");
    /* Item ids ascend in creation order, as the store hands them out. */
    assert_int_equal(q1(f->db, "SELECT min(id) FROM item"), 1);
    assert_int_equal(q1(f->db, "SELECT max(id) FROM item"), 20);
}

static void test_import_mode_null_before_a_batch(void **state) {
    fixture *f = *state;
    assert_int_equal(storeImportBegin(&f->st, f->mbx, 50), MS_OK);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM import WHERE mode IS NULL AND started = 50"), 1);
}

static void test_plans_by_id_and_mailbox(void **state) {
    fixture *f = *state;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM item WHERE mbx = %lld", (long long)f->mbx);
    assert_int_equal(q1(f->db, sql), 20);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item WHERE mbx = 999"), 0);
    assert_int_equal(q1(f->db, "SELECT skey FROM item WHERE id = 3"), f->src.items[2].skey);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item WHERE id = '3'"), 1);   /* SQLite's affinity, then the filter */
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item WHERE id = 3.5"), 0);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM mailbox WHERE id = 1"), 1);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder WHERE id = (SELECT max(id) FROM folder)"), 1);
}

static void test_item_writes(void **state) {
    fixture *f = *state;
    char sql[256];
    /* Into a mailbox that does not exist, or with an id in use: refused. */
    assert_int_not_equal(exec(f->db, "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(500, 77, 1, 1, 1, 1)"),
                         SQLITE_OK);
    snprintf(sql, sizeof sql, "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(4, %lld, 1, 1, 1, 1)",
             (long long)f->mbx);
    assert_int_not_equal(exec(f->db, sql), SQLITE_OK);
    /* Above the store's ids: the store's next id is above it. */
    snprintf(sql, sizeof sql, "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(1000, %lld, 1, 42, 1, 1)",
             (long long)f->mbx);
    assert_int_equal(exec(f->db, sql), SQLITE_OK);
    assert_int_equal(storeHasKey(&f->st, f->mbx, 42), 1);
    assert_int_equal(storeDeliver(&f->st, f->mbx, 43, 10, 7), MS_OK);
    assert_int_equal(q1(f->db, "SELECT id FROM item WHERE skey = 43"), 1001);
    /* An update moves a copy to another folder; the index follows a new key. */
    assert_int_equal(exec(f->db, "UPDATE item SET fid = 12345, skey = 44 WHERE id = 1000"), SQLITE_OK);
    assert_int_equal(storeHasKey(&f->st, f->mbx, 42), 0);
    assert_int_equal(storeHasKey(&f->st, f->mbx, 44), 1);
    assert_int_equal(q1(f->db, "SELECT fid FROM item WHERE id = 1000"), 12345);
    /* An update that would clash keeps the row as it was. */
    assert_int_not_equal(exec(f->db, "UPDATE item SET id = 5 WHERE id = 1000"), SQLITE_OK);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item WHERE id = 1000"), 1);
    assert_true(itemSetCheck(&f->st.mbx[0]->items));
}

/*
** An id written through SQL is at most STORE_MAX_ID: the store's counters
** follow the highest id in use, and an id at INT64_MAX made the next id the
** store handed out (a delivery, a folder) overflow.
*/
static void test_ids_above_the_limit_refused(void **state) {
    fixture *f = *state;
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(%lld, %lld, 1, 42, 1, 1)",
             (long long)STORE_MAX_ID + 1, (long long)f->mbx);
    assert_int_not_equal(exec(f->db, sql), SQLITE_OK);
    assert_int_not_equal(exec(f->db, "UPDATE item SET id = 9223372036854775807 WHERE id = 1"), SQLITE_OK);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM item WHERE id = 1"), 1);
    snprintf(sql, sizeof sql, "INSERT INTO folder(id, mbx, fid, path) VALUES(9223372036854775807, %lld, 7, 'Big')",
             (long long)f->mbx);
    assert_int_not_equal(exec(f->db, sql), SQLITE_OK);
    assert_int_not_equal(exec(f->db, "UPDATE folder SET id = 9223372036854775807 WHERE path = 'Inbox'"), SQLITE_OK);
    /* At the limit: accepted, and the store's next ids follow it. */
    snprintf(sql, sizeof sql, "INSERT INTO item(id, mbx, fid, skey, size, mtime) VALUES(%lld, %lld, 1, 42, 1, 1)",
             (long long)STORE_MAX_ID, (long long)f->mbx);
    assert_int_equal(exec(f->db, sql), SQLITE_OK);
    assert_int_equal(storeDeliver(&f->st, f->mbx, 43, 10, 7), MS_OK);
    assert_int_equal(q1(f->db, "SELECT id FROM item WHERE skey = 43"), STORE_MAX_ID + 1);
    assert_true(itemSetCheck(&f->st.mbx[0]->items));
}

/* A statement that deletes while it scans deletes every row it matched. */
static void test_delete_all_while_scanning(void **state) {
    fixture *f = *state;
    assert_int_equal(exec(f->db, "DELETE FROM item WHERE skey % 2 = 0 OR skey % 2 = 1"), SQLITE_OK);
    assert_int_equal(storeItemCount(&f->st, f->mbx), 0);
    assert_true(itemSetCheck(&f->st.mbx[0]->items));
}

static void test_folder_and_rule_writes(void **state) {
    fixture *f = *state;
    int64_t total, broken;
    /* A path is unique in its mailbox. */
    assert_int_not_equal(exec(f->db, "UPDATE folder SET path = 'Inbox' WHERE path = 'Contacts'"), SQLITE_OK);
    int64_t was = q1(f->db, "SELECT fid FROM folder WHERE path = 'Contacts'");
    assert_int_equal(exec(f->db, "UPDATE folder SET fid = fid + 1000000 WHERE path = 'Contacts'"), SQLITE_OK);
    assert_int_equal(q1(f->db, "SELECT fid FROM folder WHERE path = 'Contacts'"), was + 1000000);
    /* Rules change in place or go; SQL makes none. */
    assert_int_equal(exec(f->db, "UPDATE rule SET fid = 12345"), SQLITE_OK);
    assert_int_equal(storeRuleCounts(&f->st, f->mbx, &total, &broken), MS_OK);
    assert_int_equal(total, 1);
    assert_int_equal(broken, 1);
    assert_int_not_equal(exec(f->db, "INSERT INTO rule(id, mbx, name, fid) VALUES(NULL, 1, 'x', 1)"), SQLITE_OK);
    assert_int_equal(exec(f->db, "DELETE FROM rule"), SQLITE_OK);
    assert_int_equal(storeRuleCounts(&f->st, f->mbx, &total, &broken), MS_OK);
    assert_int_equal(total, 0);
    /* A folder deleted leaves its items without a folder: the folder list counts none. */
    assert_int_equal(exec(f->db, "DELETE FROM folder WHERE path = 'Inbox'"), SQLITE_OK);
    assert_int_equal(q1(f->db, "SELECT count(*) FROM folder"), 5);
    assert_int_equal(exec(f->db, "INSERT INTO folder(id, mbx, fid, path) VALUES(NULL, 1, 77, 'Inbox')"), SQLITE_OK);
    assert_int_equal(q1(f->db, "SELECT fid FROM folder WHERE path = 'Inbox'"), 77);
}

static void test_mailbox_and_import_are_read_only(void **state) {
    fixture *f = *state;
    assert_int_not_equal(exec(f->db, "DELETE FROM mailbox"), SQLITE_OK);
    assert_int_not_equal(exec(f->db, "UPDATE import SET copied = 0"), SQLITE_OK);
    assert_int_equal(f->st.nmbx, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_columns_match_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_mode_null_before_a_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plans_by_id_and_mailbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_above_the_limit_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_all_while_scanning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_and_rule_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mailbox_and_import_are_read_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
