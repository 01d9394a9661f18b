/* db/tx.h - transaction control, typed: callers never write the SQL. */
#ifndef DB_TX_H
#define DB_TX_H

#include "db/db.h"

int db_begin(PGconn *c, struct err *err) __attribute__((warn_unused_result));
int db_commit(PGconn *c, struct err *err) __attribute__((warn_unused_result));
/* Rolls back the open transaction, if any; a failure is not reported
 * (there is nothing left to undo). */
void db_rollback(PGconn *c);
/* COMMIT as a statement of db_query_many, for a caller that commits in the
 * same round trip as its last writes. */
struct db_stmt db_commit_stmt(void);

#endif
