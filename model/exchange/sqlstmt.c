/*
** Cached SQL statements: prepare once per slot, reset before each use.  See
** sqlstmt.h.
*/
#include <stddef.h>
#include "exchange/sqlstmt.h"

sqlite3_stmt *sqlCached(sqlite3 *db, sqlite3_stmt **slot, const char *text) {
    if (!*slot && sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

void sqlBindGuid(sqlite3_stmt *st, int i, const guid *g) {
    char buf[GUID_STRLEN];
    sqlite3_bind_text(st, i, guidFormat(g, buf), 36, SQLITE_TRANSIENT);
}
