/*
** Cached SQL statements.  The Exchange stores and the wizard keep their state
** in one SQLite connection and run the same few statements thousands of times
** a run, so each statement is prepared once, on first use, kept in a slot its
** owner holds (SQLITE_PREPARE_PERSISTENT), and handed back reset with no
** bindings; the owner finalizes its slots when it closes.  GUIDs are bound as
** their 36-character lowercase text, the form every table stores.
*/
#ifndef MIGSIM_SQLSTMT_H
#define MIGSIM_SQLSTMT_H

#include <sqlite3.h>
#include "kernel/guid.h"
#include "kernel/kernel.h"

/*
** The statement for text in *slot, prepared on db on first use; reset and
** with its bindings cleared, ready to bind.  NULL when it cannot be prepared
** (the slot stays empty, so a later call tries again); that is a fault of
** the run (kernelFault on k, when k is not NULL), as sqlStep's.
*/
sqlite3_stmt *sqlCached(kernel *k, sqlite3 *db, sqlite3_stmt **slot, const char *text);

/* The status for SQLite result code rc: SQLITE_NOMEM (any extended form) is
** MS_NOMEM, a constraint MS_FAIL, any other error MS_IO. */
msStatus sqlStatus(int rc);

/*
** sqlite3_step(st).  A result that is neither a row, done nor a constraint
** (out of memory, an I/O error) is a fault of the run (kernelFault on k,
** when k is not NULL): many queries answer with a count or a flag and cannot
** return a status, and the run must stop rather than go on as if the query
** had found nothing (docs/architecture.md, "Errors").
*/
int sqlStep(kernel *k, sqlite3_stmt *st);

/* Bind g at parameter i of st as its canonical text form. */
void sqlBindGuid(sqlite3_stmt *st, int i, const guid *g);

#endif
