/* db/: a database error keeps its SQLSTATE, and a retry is decided on that
 * code, not on the server's words (lc_messages may translate them). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "support.h"

Test(db, a_unique_violation_carries_its_code_and_may_be_retried)
{
	char *ci = testdb_create("db_errors");
	PGconn *c = testdb_connect(ci);
	struct err err = {0};
	PGresult *r = db_query(c, "CREATE TEMP TABLE t (k int PRIMARY KEY)", 0, NULL, &err);
	cr_assert(r, "%s", err.msg);
	PQclear(r);
	r = db_query(c, "INSERT INTO t VALUES (1)", 0, NULL, &err);
	cr_assert(r, "%s", err.msg);
	PQclear(r);
	r = db_query(c, "INSERT INTO t VALUES (1)", 0, NULL, &err);
	cr_assert_null(r);
	cr_expect_str_eq(err.sqlstate, "23505");
	cr_expect(db_err_retryable(&err));

	/* a syntax error is not worth a second try */
	r = db_query(c, "SELEC 1", 0, NULL, &err);
	cr_assert_null(r);
	cr_expect_str_eq(err.sqlstate, "42601");
	cr_expect_not(db_err_retryable(&err));

	/* an error of our own clears the code */
	err_set(&err, "no such idea");
	cr_expect_str_eq(err.sqlstate, "");
	PQfinish(c);
	free(ci);
}

Test(db, the_code_decides_not_the_words)
{
	/* a deadlock reported in another language */
	struct err e = {0};
	snprintf(e.msg, sizeof(e.msg), "FEHLER:  Verklemmung (Deadlock) entdeckt");
	snprintf(e.sqlstate, sizeof(e.sqlstate), "40P01");
	cr_expect(db_err_retryable(&e));
	/* English words under a code that is no conflict */
	snprintf(e.msg, sizeof(e.msg), "duplicate key value in a message");
	snprintf(e.sqlstate, sizeof(e.sqlstate), "XX000");
	cr_expect_not(db_err_retryable(&e));
	/* no code at all (an error read off the connection): the words */
	snprintf(e.msg, sizeof(e.msg), "ERROR:  deadlock detected");
	e.sqlstate[0] = '\0';
	cr_expect(db_err_retryable(&e));
}
