/* db/tx.c - see tx.h. Simple queries (PQexec): nothing to prepare. */
#include "db/tx.h"

static int exec_cmd(PGconn *c, const char *sql, struct err *err)
{
	PGresult *r = PQexec(c, sql);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(c, r, err);
	PQclear(r);
	return rc;
}

int db_begin(PGconn *c, struct err *err)
{
	return exec_cmd(c, "BEGIN", err);
}

int db_commit(PGconn *c, struct err *err)
{
	/* as a prepared statement, as the ingest's commit always ran */
	PGresult *r = db_query(c, "COMMIT", 0, NULL, err);
	PQclear(r);
	return r ? 0 : -1;
}

void db_rollback(PGconn *c)
{
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
}

struct db_stmt db_commit_stmt(void)
{
	return (struct db_stmt){"COMMIT", 0, NULL};
}
