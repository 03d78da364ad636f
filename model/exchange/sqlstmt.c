/*
** Cached SQL statements: prepare once per slot, reset before each use.  See
** sqlstmt.h.
*/
#include <stddef.h>
#include "exchange/sqlstmt.h"

msStatus sqlStatus(int rc) {
    switch (rc & 0xff) {
    case SQLITE_OK: case SQLITE_ROW: case SQLITE_DONE: return MS_OK;
    case SQLITE_NOMEM: return MS_NOMEM;
    case SQLITE_CONSTRAINT: return MS_FAIL;
    default: return rc == SQLITE_IOERR_NOMEM ? MS_NOMEM : MS_IO;
    }
}

sqlite3_stmt *sqlCached(kernel *k, sqlite3 *db, sqlite3_stmt **slot, const char *text) {
    if (!*slot) {
        int rc = sqlite3_prepare_v3(db, text, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) {
            if (k) kernelFault(k, sqlStatus(rc) == MS_FAIL ? MS_IO : sqlStatus(rc));
            return NULL;
        }
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

int sqlStep(kernel *k, sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    if (k && rc != SQLITE_ROW && rc != SQLITE_DONE && sqlStatus(rc) != MS_FAIL) kernelFault(k, sqlStatus(rc));
    return rc;
}

void sqlBindGuid(sqlite3_stmt *st, int i, const guid *g) {
    char buf[GUID_STRLEN];
    sqlite3_bind_text(st, i, guidFormat(g, buf), 36, SQLITE_TRANSIENT);
}
