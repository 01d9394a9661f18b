#include "db/db.h"

#include <errno.h>
#include <poll.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db {
	char *conninfo;
	char timeout[16];
	PGconn *conn;
	struct timespec last_attempt;
};

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* NOTICEs (e.g. "already exists, skipping") are not for the user's terminal. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void db_connect(struct db *db, struct err *err)
{
	if (db->conn)
		PQfinish(db->conn);
	clock_gettime(CLOCK_MONOTONIC, &db->last_attempt);
	/* Ours first: values in the expanded conninfo override them. */
	const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {db->timeout, "ideatriage", db->conninfo, NULL};
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		err_set(err, "database connection failed: %s",
			db->conn ? PQerrorMessage(db->conn) : "out of memory");
		PQfinish(db->conn);
		db->conn = NULL;
		return;
	}
	PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
}

struct db *db_open(const char *conninfo, int connect_timeout_s, struct err *err)
{
	struct db *db = calloc(1, sizeof(*db));
	if (!db || !(db->conninfo = strdup(conninfo))) {
		free(db);
		err_set(err, "out of memory");
		return NULL;
	}
	snprintf(db->timeout, sizeof(db->timeout), "%d", connect_timeout_s);
	db_connect(db, err);
	return db;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	free(db->conninfo);
	free(db);
}

PGconn *db_conn(struct db *db)
{
	return db->conn;
}

bool db_check_broken(struct db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_BAD) {
		PQfinish(db->conn);
		db->conn = NULL;
		return true;
	}
	return db->conn == NULL;
}

bool db_ok(struct db *db, struct err *err)
{
	/* a transaction left open by a failed request must not poison the next */
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK &&
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	if (db->conn) {
		PGresult *res = PQexec(db->conn, "SELECT 1");
		bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (!ok)
			err_set(err, "database check failed: %s", PQerrorMessage(db->conn));
		PQclear(res);
		if (ok)
			return true;
		db_check_broken(db);
		if (db->conn)
			return false; /* answered with an error: not a lost connection */
	}
	if (since(&db->last_attempt) < 0.5) {
		err_set(err, "database unavailable (reconnecting)");
		return false;
	}
	db_connect(db, err);
	return db->conn != NULL;
}

/* Appends key='value' to f, quoting as libpq's conninfo syntax wants. */
static void put_param(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s='", key);
	for (const char *p = value; *p; p++)
		fprintf(f, "%s%c", *p == '\'' || *p == '\\' ? "\\" : "", *p);
	fputs("' ", f);
}

char *db_conninfo_with_limits(const char *conninfo, long statement_timeout_ms, long lock_timeout_ms,
                              struct err *err)
{
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);
	if (!opts) {
		err_set(err, "the database connection string cannot be read: %s",
		        perr ? perr : "out of memory");
		PQfreemem(perr);
		return NULL;
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f) {
		PQconninfoFree(opts);
		err_set(err, "out of memory");
		return NULL;
	}
	const char *options = "";
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "options") == 0)
			options = o->val;
		else
			put_param(f, o->keyword, o->val);
	}
	/* the server applies these to every session opened with this string,
	 * reconnections included; SET in a session could still raise them */
	char limits[1024];
	snprintf(limits, sizeof(limits), "%s%s-c statement_timeout=%ld -c lock_timeout=%ld",
	         options, *options ? " " : "", statement_timeout_ms, lock_timeout_ms);
	put_param(f, "options", limits);
	PQconninfoFree(opts);
	if (fclose(f) != 0 || !out) {
		free(out);
		err_set(err, "out of memory");
		return NULL;
	}
	return out;
}

bool db_ping(const char *conninfo)
{
	return PQping(conninfo) == PQPING_OK;
}

int db_err(PGconn *conn, const PGresult *res, struct err *err)
{
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = conn ? PQerrorMessage(conn) : "no connection";
	char clean[ERR_MSG_MAX];
	snprintf(clean, sizeof(clean), "%s", msg);
	size_t n = strlen(clean);
	while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
		clean[--n] = '\0';
	err_set(err, "%s", clean);
	if (err)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", db_sqlstate(res));
	return -1;
}

bool db_err_retryable(const struct err *err)
{
	static const char *const codes[] = {"40P01", "40001", "23505"};
	for (size_t i = 0; i < sizeof(codes) / sizeof(*codes); i++)
		if (strcmp(err->sqlstate, codes[i]) == 0)
			return true;
	/* no code: an error read off the connection rather than a result */
	return !err->sqlstate[0] &&
	       (strstr(err->msg, "deadlock detected") || strstr(err->msg, "duplicate key value") ||
		strstr(err->msg, "could not serialize"));
}

const char *db_sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return s ? s : "";
}

int db_create_database(const char *admin_conninfo, const char *name, struct err *err)
{
	if (!*name || strlen(name) > 63)
		return err_set(err, "database name must be 1 to 63 characters");
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return err_set(err, "database name '%s' may hold only a-z, 0-9 and _", name);
	PGconn *c = PQconnectdb(admin_conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		db_err(c, NULL, err);
		PQfinish(c);
		return -1;
	}
	const char *params[] = {name};
	PGresult *res =
	    PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL, params,
			 NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = db_err(c, res, err);
	} else if (PQntuples(res) == 0) {
		/* CREATE DATABASE takes no parameters; name is checked above. */
		char sql[128];
		snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
		PQclear(res);
		res = PQexec(c, sql);
		/* 42P04: another process created it first - fine. */
		if (PQresultStatus(res) != PGRES_COMMAND_OK && strcmp(db_sqlstate(res), "42P04"))
			rc = db_err(c, res, err);
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

/* Statements prepared on this thread's current connection, keyed by the
 * address of their SQL text. A new connection (another pointer or backend)
 * starts an empty set. */
#define PREPARED_MAX 128
static _Thread_local struct {
	PGconn *conn;
	int pid;
	const char *sql[PREPARED_MAX];
	int n;
} prepared;

/* The index of sql's prepared statement on c, preparing it first if need
 * be; -1 when it cannot be kept (*r: NULL, plan each time) or failed (*r:
 * the error). */
static int prepared_index(PGconn *c, const char *sql, int n, PGresult **r)
{
	*r = NULL;
	int pid = PQbackendPID(c);
	if (prepared.conn != c || prepared.pid != pid) {
		prepared.conn = c;
		prepared.pid = pid;
		prepared.n = 0;
	}
	for (int i = 0; i < prepared.n; i++)
		if (prepared.sql[i] == sql)
			return i;
	if (prepared.n == PREPARED_MAX) /* more statements than expected: plan each time */
		return -1;
	char name[16];
	snprintf(name, sizeof(name), "itq%d", prepared.n);
	PGresult *p = PQprepare(c, name, sql, n, NULL);
	if (PQresultStatus(p) != PGRES_COMMAND_OK) {
		*r = p; /* the error, for the caller */
		return -1;
	}
	PQclear(p);
	prepared.sql[prepared.n] = sql;
	return prepared.n++;
}

PGresult *db_exec(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	int idx = prepared_index(c, sql, n, &r);
	if (r)
		return r;
	if (idx < 0)
		return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	char name[16];
	snprintf(name, sizeof(name), "itq%d", idx);
	return PQexecPrepared(c, name, n, params, NULL, NULL, 0);
}

int db_prepare(PGconn *c, const char *sql, int n, struct err *err)
{
	PGresult *r;
	prepared_index(c, sql, n, &r);
	if (!r)
		return 0;
	db_err(c, r, err);
	PQclear(r);
	return -1;
}

int db_send(PGconn *c, const char *sql, int n, const char *const *params, struct err *err)
{
	int idx = -1;
	if (prepared.conn == c && prepared.pid == PQbackendPID(c))
		for (int i = 0; i < prepared.n && idx < 0; i++)
			if (prepared.sql[i] == sql)
				idx = i;
	char name[16];
	snprintf(name, sizeof(name), "itq%d", idx);
	int ok = idx >= 0 ? PQsendQueryPrepared(c, name, n, params, NULL, NULL, 0)
			  : PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0);
	return ok ? 0 : db_err(c, NULL, err);
}

int db_pipeline_begin(PGconn *c, struct err *err)
{
	/* non-blocking: a send queues what the socket cannot take yet, instead
	 * of waiting for the server to finish the statement it is running */
	if (!PQenterPipelineMode(c) || PQsetnonblocking(c, 1) < 0) {
		db_err(c, NULL, err);
		(void)PQexitPipelineMode(c);
		return -1;
	}
	return 0;
}

void db_pipeline_pump(PGconn *c)
{
	if (PQflush(c) >= 0)
		(void)PQconsumeInput(c);
}

/* Sends everything queued, reading what the server answers meanwhile (it
 * stops reading when its own output is not read). */
static int flush_all(PGconn *c)
{
	int f;
	while ((f = PQflush(c)) == 1) {
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN | POLLOUT};
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -1;
		if ((p.revents & POLLIN) && !PQconsumeInput(c))
			return -1;
	}
	return f;
}

/* PQgetResult on a non-blocking connection in pipeline mode: waits for
 * the next result while sending what is queued as the server takes it -
 * not all of it first, which would wait for the server to get through
 * everything sent. 0 (*r NULL: the statement's results are over), or -1
 * when the connection failed. */
static int next_result(PGconn *c, PGresult **r)
{
	*r = NULL;
	while (PQisBusy(c)) {
		int f = PQflush(c);
		if (f < 0)
			return -1;
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN | (f == 1 ? POLLOUT : 0)};
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -1;
		if ((p.revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput(c))
			return -1;
	}
	*r = PQgetResult(c);
	return 0;
}

/* The results of the statements sent [from, to), in order, each handed to
 * on_result when it succeeded; rc: 0, or -1 after the first error (then in
 * *err). */
static void read_results(PGconn *c, int from, int to, bool nonblocking, db_result_fn on_result,
			 void *arg, int *rc, struct err *err)
{
	/* every statement's result (then NULL); after an error the rest come
	 * back aborted */
	for (int i = from; i < to && PQstatus(c) == CONNECTION_OK; i++) {
		for (;;) {
			PGresult *r = NULL;
			if (nonblocking && next_result(c, &r) < 0) {
				if (*rc == 0)
					*rc = db_err(c, NULL, err);
				return;
			}
			if (!nonblocking)
				r = PQgetResult(c);
			if (!r)
				break;
			ExecStatusType st = PQresultStatus(r);
			if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
				if (*rc == 0 && st != PGRES_PIPELINE_ABORTED)
					*rc = db_err(c, r, err);
			} else if (*rc == 0 && on_result) {
				int kept = on_result(arg, i, r);
				if (kept < 0)
					*rc = err_set(err, "out of memory");
				else if (kept == 1)
					r = NULL; /* the callback's now */
			}
			PQclear(r);
		}
	}
}

int db_pipeline_flush(PGconn *c, struct err *err)
{
	if (!PQsendFlushRequest(c))
		return db_err(c, NULL, err);
	db_pipeline_pump(c);
	return 0;
}

int db_pipeline_read(PGconn *c, int from, int to, db_result_fn on_result, void *arg,
		     struct err *err)
{
	int rc = 0;
	if (PQstatus(c) != CONNECTION_OK)
		rc = db_err(c, NULL, err);
	read_results(c, from, to, true, on_result, arg, &rc, err);
	if (rc < 0 && err && !err->msg[0])
		err_set(err, "the pipeline failed");
	return rc;
}

int db_pipeline_finish(PGconn *c, int from, int nsent, db_result_fn on_result, void *arg,
		       struct err *err)
{
	int rc = PQpipelineSync(c) ? 0 : db_err(c, NULL, err);
	if (flush_all(c) != 0 && rc == 0)
		rc = db_err(c, NULL, err);
	if (PQsetnonblocking(c, 0) < 0 && rc == 0) /* results are waited for */
		rc = db_err(c, NULL, err);
	read_results(c, from, nsent, false, on_result, arg, &rc, err);
	PGresult *r;
	while (PQstatus(c) == CONNECTION_OK && (r = PQgetResult(c))) {
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	if (!PQexitPipelineMode(c) && rc == 0)
		rc = db_err(c, NULL, err);
	if (rc < 0 && err && !err->msg[0])
		err_set(err, "the pipeline failed");
	return rc;
}

int db_pipeline_run(PGconn *c, const struct db_sender *s, struct err *err)
{
	int sent = 0;
	if (db_pipeline_begin(c, err) < 0)
		return -1;
	int rc = s->send(c, s->arg, &sent, err);
	if (db_pipeline_finish(c, 0, sent, NULL, NULL, rc == 0 ? err : NULL) < 0)
		rc = -1;
	return rc;
}

static int keep_result(void *arg, int index, PGresult *r)
{
	((PGresult **)arg)[index] = r;
	return 1;
}

int db_query_many(PGconn *c, const struct db_stmt *st, int n, PGresult **out, struct err *err)
{
	for (int i = 0; i < n; i++)
		out[i] = NULL;
	for (int i = 0; i < n; i++)
		if (db_prepare(c, st[i].sql, st[i].n, err) < 0)
			return -1;
	if (db_pipeline_begin(c, err) < 0)
		return -1;
	int sent = 0, rc = 0;
	while (sent < n && rc == 0)
		if ((rc = db_send(c, st[sent].sql, st[sent].n, st[sent].params, err)) == 0)
			sent++;
	struct err fin = {0};
	if (db_pipeline_finish(c, 0, sent, keep_result, out, rc < 0 ? &fin : err) < 0 || rc < 0) {
		for (int i = 0; i < n; i++) {
			PQclear(out[i]);
			out[i] = NULL;
		}
		return -1;
	}
	return 0;
}

PGresult *db_query(PGconn *c, const char *sql, int n, const char *const *params, struct err *err)
{
	PGresult *r = db_exec(c, sql, n, params);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_err(c, r, err);
		PQclear(r);
		return NULL;
	}
	return r;
}

PGresult *db_stmt_query(PGconn *c, const struct db_stmt *st, struct err *err)
{
	return db_query(c, st->sql, st->n, st->params, err);
}

int db_stmt_send(PGconn *c, const struct db_stmt *st, struct err *err)
{
	return db_send(c, st->sql, st->n, st->params, err);
}
