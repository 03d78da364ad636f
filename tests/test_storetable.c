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

/* A fixed linear congruential sequence: the statements are the same on every run. */
static unsigned long long lcg = 1;

static unsigned rnd(unsigned n) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((lcg >> 33) % n);
}

/* A value of any type and size, as odd statements write them. */
static const char *val(char *buf) {
    switch (rnd(14)) {
    case 0: return "NULL";
    case 1: return "'text'";
    case 2: return "1.5";
    case 3: return "9223372036854775807";
    case 4: return "-9223372036854775808";
    case 5: return "x'00ff'";
    case 6: return "'12'";
    case 7: return "0";
    case 8: return "-1";
    default: sprintf(buf, "%u", rnd(60)); return buf;
    }
}
static const char *pick(const char *const *v, int n) {
    return v[rnd((unsigned)n)];
}

/* One random statement over the five tables: writes with NULLs, texts, reals and extreme
** integers, ids changed, rows deleted while a join reads them, reads. */
static void stmt(char *s, size_t sz) {
    char a[32], b[32], c[32], d[32], e[32], f[32];
    static const char *const tabs[] = {"item", "folder", "rule", "mailbox", "import"};
    static const char *const cols[] = {"id", "mbx", "fid", "skey", "size", "mtime", "path", "name"};
    switch (rnd(16)) {
    case 0:
        snprintf(s, sz, "INSERT INTO item VALUES(%s,%s,%s,%s,%s,%s)", val(a), val(b), val(c), val(d), val(e), val(f));
        break;
    case 1:
        snprintf(s, sz, "INSERT INTO item SELECT id+%s, mbx, fid, skey, size, mtime FROM item WHERE id %% 3 = %u",
                 val(a), rnd(3));
        break;
    case 2: snprintf(s, sz, "UPDATE item SET id = id + %s WHERE id %% 5 = %u", val(a), rnd(5)); break;
    case 3:
        snprintf(s, sz, "UPDATE item SET %s = %s WHERE %s = %s", pick(cols, 6), val(a), pick(cols, 6), val(b));
        break;
    case 4:
        snprintf(s, sz,
                 "DELETE FROM item WHERE skey IN (SELECT t.skey FROM item t JOIN folder f ON f.mbx = t.mbx AND f.fid = "
                 "t.fid WHERE f.path LIKE '%%%c%%')",
                 "aeiouIFS"[rnd(8)]);
        break;
    case 5: snprintf(s, sz, "DELETE FROM %s WHERE id = %s OR mbx = %s", pick(tabs, 5), val(a), val(b)); break;
    case 6:
        snprintf(s, sz, "UPDATE folder SET mbx = %s, path = path || %s WHERE id %% 4 = %u", val(a), val(b), rnd(4));
        break;
    case 7: snprintf(s, sz, "INSERT INTO folder VALUES(%s,%s,%s,%s)", val(a), val(b), val(c), val(d)); break;
    case 8:
        snprintf(s, sz, "UPDATE rule SET name = %s, fid = %s, id = %s WHERE id %% 2 = %u", val(a), val(b),
                 rnd(3) ? "id" : val(c), rnd(2));
        break;
    case 9: snprintf(s, sz, "UPDATE item SET id = -id WHERE mbx = %s", val(a)); break;
    case 10: snprintf(s, sz, "UPDATE item SET mbx = (SELECT max(id) FROM mailbox) - mbx + 1, skey = skey %% 7"); break;
    case 11: snprintf(s, sz, "UPDATE folder SET id = id + %s, fid = fid + 1 WHERE mbx = %s", val(a), val(b)); break;
    case 12: snprintf(s, sz, "INSERT INTO %s SELECT * FROM %s", pick(tabs, 5), pick(tabs, 5)); break;
    case 13:
        snprintf(
            s, sz,
            "DELETE FROM item WHERE id IN (SELECT i.id FROM item i JOIN item j ON i.skey = j.skey AND i.id < j.id)");
        break;
    case 14: snprintf(s, sz, "UPDATE item SET rowid = %s WHERE rowid = %s", val(a), val(b)); break;
    default:
        snprintf(s, sz, "SELECT count(*) FROM item i JOIN folder f ON f.fid = i.fid WHERE i.%s = %s", pick(cols, 6),
                 val(a));
        break;
    }
}

/* The store's own rules: its id counters far from overflow, mailboxes in id order, every
** item set whole, an item id in one mailbox only and at most the store's counter, a
** folder path once per mailbox. */
static int consistent(const store *x) {
    if (x->items_made < 0 || x->items_made > STORE_MAX_ID + 1000000 || x->rows_made < 0 ||
        x->rows_made > STORE_MAX_ID + 1000000)
        return 0;
    for (size_t i = 0; i < x->nmbx; i++) {
        const storeMailbox *m = x->mbx[i];
        if (i && x->mbx[i - 1]->id >= m->id)
            return 0;
        if (!itemSetCheck(&m->items))
            return 0;
        for (size_t j = 0; j < m->items.n; j++) {
            if (m->items.v[j].id > x->items_made)
                return 0;
            for (size_t k = i + 1; k < x->nmbx; k++)
                if (itemSetFindId(&x->mbx[k]->items, m->items.v[j].id) >= 0)
                    return 0;
        }
        for (size_t a = 0; a < m->nfolders; a++)
            for (size_t b = a + 1; b < m->nfolders; b++)
                if (strcmp(m->folders[a].path, m->folders[b].path) == 0)
                    return 0;
    }
    return 1;
}

/*
** Random statements (seeded, the same every run), interleaved with the
** store's own operations, never crash the store or break its rules: a
** refused write leaves it whole, and whatever ids SQL wrote, the ids the
** store hands out next stay above them (an id at INT64_MAX made them
** overflow).
*/
static void test_random_statements_keep_the_store_whole(void **state) {
    fixture *f = *state;
    store *x = &f->st;
    long refused = 0;
    lcg = 1;
    for (long it = 0; it < 4000; it++) {
        if (rnd(10) < 4) {
            uint32_t u = 1 + rnd(2);
            const srcUser *su = sourceUser(&f->src, u);
            int64_t mid = x->mbx[rnd((unsigned)x->nmbx)]->id, id = 0, n = 0;
            mergeCounts c;
            switch (rnd(7)) {
            case 0: {
                guid g;
                guidNext(&f->gg, "mailbox", &g);
                if (storeCreate(x, (int)rnd(2), &g, u, INIT_CLONE, it, (int)rnd(2), &id) == MS_OK) {
                    storeCloneFolders(x, id, u);
                    storeImportBegin(x, id, it);
                    storeCopyRules(x, id, u, &n);
                }
                break;
            }
            case 1:
                storeCloneBatch(x, mid, su->first_item, su->first_item + (int64_t)rnd((unsigned)su->nitems), &n);
                break;
            case 2:
                storeMergeFolders(x, (int)rnd(2), mid, u, &n);
                storeMergeBatch(x, mid, u, su->first_item, su->first_item + su->nitems - 1, &c);
                break;
            case 3: storeDeliver(x, mid, (int64_t)rnd(50), 10, it); break;
            case 4: storeMoveForeign(x, (int)rnd(2), mid, x->mbx[rnd((unsigned)x->nmbx)]->id, &n); break;
            case 5: {
                storeCopyCounts cc;
                storeCounters(x, mid, u, &cc, 1);
                break;
            }
            default: storeAddItem(x, (int)rnd(2), mid, rnd(2) ? "Inbox" : "New/Path", (int64_t)rnd(50), 5, it); break;
            }
        } else {
            char sql[512];
            stmt(sql, sizeof sql);
            refused += exec(f->db, sql) != SQLITE_OK;
        }
        if (!consistent(x))
            fail_msg("the store broke at step %ld", it);
    }
    assert_true(refused > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_columns_match_the_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_mode_null_before_a_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plans_by_id_and_mailbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_item_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_above_the_limit_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_all_while_scanning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_statements_keep_the_store_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_and_rule_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mailbox_and_import_are_read_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
