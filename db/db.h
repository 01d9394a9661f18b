/* db/db.h - PostgreSQL connections: open, check, reconnect. */
#ifndef DB_DB_H
#define DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "triage/err.h"

struct db; /* one connection and what is needed to re-open it */

/* Opens a connection to conninfo (a URL or key=value string). Returns a new
 * handle even when the server is down (db_ok() is then false and *err says
 * why), so a caller can keep it and reconnect later; NULL only when out of
 * memory. connect_timeout_s bounds each attempt. */
struct db *db_open(const char *conninfo, int connect_timeout_s, struct err *err)
    __attribute__((warn_unused_result));
void db_close(struct db *db); /* accepts NULL */

/* The live connection (borrowed), or NULL when down. */
PGconn *db_conn(struct db *db);

/* True when the connection answers a trivial query now. When it does not,
 * tries one reconnect (at most every 500 ms, so a dead server is not
 * hammered). */
bool db_ok(struct db *db, struct err *err);

/* Marks the connection broken after a failed query so the next db_ok()
 * reconnects. Returns true when the error was a lost connection. */
bool db_check_broken(struct db *db);

/* conninfo (a URL or key=value string) as a key=value string (new) whose
 * sessions cut any statement after statement_timeout_ms and any lock wait
 * after lock_timeout_ms (0: no limit), added to the options it already has.
 * NULL and *err when conninfo cannot be parsed. */
char *db_conninfo_with_limits(const char *conninfo, long statement_timeout_ms, long lock_timeout_ms,
                              struct err *err) __attribute__((warn_unused_result));

/* True when a server answers at conninfo (PQping). */
bool db_ping(const char *conninfo);

/* Creates database name (letters, digits, _) unless it exists. */
int db_create_database(const char *admin_conninfo, const char *name, struct err *err)
    __attribute__((warn_unused_result));

/* Runs sql (a string that lives for the whole process: a literal) with text
 * params as a prepared statement, preparing it on this connection on first
 * use, so the server plans it once instead of on every call. Returns the
 * result (the caller clears it; check its status). */
PGresult *db_exec(PGconn *c, const char *sql, int n, const char *const *params);

/* db_exec, checked: the result on success (the caller clears it), or NULL
 * with the server's message in *err. */
PGresult *db_query(PGconn *c, const char *sql, int n, const char *const *params, struct err *err);

/* Pipeline mode (PQenterPipelineMode): statements sent without waiting
 * for their results, so the server works while the client goes on.
 * db_prepare prepares sql as db_exec would (call it before entering the
 * mode); db_send sends it with params (prepared when it is, else parsed
 * on its own); db_pipeline_finish syncs, hands each result of the
 * statements sent [from, nsent) that succeeded to on_result (index: the
 * order sent; a return < 0 is out of memory), reads the rest, leaves the
 * mode, and returns 0 or -1 with the first error in *err (the transaction
 * is then aborted). */
int db_prepare(PGconn *c, const char *sql, int n, struct err *err)
    __attribute__((warn_unused_result));
/* Enters the mode, non-blocking: sends queue what the socket cannot take
 * yet; db_pipeline_pump (call it often) passes on what it can and reads
 * what came back. */
int db_pipeline_begin(PGconn *c, struct err *err) __attribute__((warn_unused_result));
void db_pipeline_pump(PGconn *c);
int db_send(PGconn *c, const char *sql, int n, const char *const *params, struct err *err)
    __attribute__((warn_unused_result));
/* on_result's return: < 0 out of memory; 1 it keeps r (and clears it
 * later); 0 db_pipeline_finish clears r */
typedef int (*db_result_fn)(void *arg, int index, PGresult *r);
int db_pipeline_finish(PGconn *c, int from, int nsent, db_result_fn on_result, void *arg,
		       struct err *err) __attribute__((warn_unused_result));
/* A result wanted before the sync: db_pipeline_flush, after sending its
 * statement, asks the server to send what it has answered so far (it
 * otherwise holds small answers until the sync); db_pipeline_read waits
 * for the results of the statements sent [from, to), as db_pipeline_finish
 * reads them, and stays in the mode; it sends what is queued as the
 * server takes it, without waiting for all of it to be sent. After an
 * error there (-1), finish the pipeline from `to`: the rest come back
 * aborted (not errors of their own: that finish returns 0). */
int db_pipeline_flush(PGconn *c, struct err *err) __attribute__((warn_unused_result));
int db_pipeline_read(PGconn *c, int from, int to, db_result_fn on_result, void *arg,
		     struct err *err) __attribute__((warn_unused_result));

/* Something that sends statements in pipeline mode (db_send), for a caller
 * that has the mode open anyway; *sent: how many it sent. */
struct db_sender {
	int (*send)(PGconn *c, void *arg, int *sent, struct err *err);
	void *arg;
};

/* Runs s's statements in pipeline mode and waits for them: 0, or -1 with
 * the first error in *err. */
int db_pipeline_run(PGconn *c, const struct db_sender *s, struct err *err)
    __attribute__((warn_unused_result));

/* A statement of db_query_many. */
struct db_stmt {
	const char *sql;
	int n;
	const char *const *params;
};

/* db_query and db_send of a statement a db/ function built: its caller
 * runs it without handling its text. */
PGresult *db_stmt_query(PGconn *c, const struct db_stmt *st, struct err *err);
int db_stmt_send(PGconn *c, const struct db_stmt *st, struct err *err)
    __attribute__((warn_unused_result));

/* Runs st[0..n) in order in one round trip (pipeline mode, one sync), each
 * prepared as db_exec would: out[i] is st[i]'s result (the caller clears
 * them). On failure every out[i] is NULL and *err holds the first error;
 * an error aborts the open transaction, as db_query's does. */
int db_query_many(PGconn *c, const struct db_stmt *st, int n, PGresult **out, struct err *err)
    __attribute__((warn_unused_result));

/* Copies the error of res (or of conn when res is NULL) into *err; returns -1. */
int db_err(PGconn *conn, const PGresult *res, struct err *err);

/* SQLSTATE of res, or "" (never NULL). */
/* A deadlock (40P01), a serialization failure (40001) or a unique violation
 * (23505: a concurrent first write of the same row): the transaction may
 * succeed if run once more. Decided on err->sqlstate; on the message (the
 * server's English words) only when the error carries no code. */
bool db_err_retryable(const struct err *err);
const char *db_sqlstate(const PGresult *res);

#endif
