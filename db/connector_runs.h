/* db/connector_runs.h - the connector_state table (one row per connector: its
 * cursor, its schedule and the outcome of its last run) and the advisory lock
 * that lets one process at a time run a connector. Every function runs on the
 * caller's connection; none opens a transaction of its own. */
#ifndef DB_CONNECTOR_RUNS_H
#define DB_CONNECTOR_RUNS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

#include "triage/err.h"

/* Takes connector name's advisory lock (session level) if it is free, without
 * waiting: 0 and *got (true when this connection holds it now), or -1 and
 * *err. */
int db_connector_try_lock(PGconn *c, const char *name, bool *got, struct err *err)
    __attribute__((warn_unused_result));
/* Gives it back. Errors are ignored: the lock ends with the session anyway. */
void db_connector_unlock(PGconn *c, const char *name);

/* What a run needs to know of its connector before it starts. */
struct db_connector_state {
	char *cursor;       /* new: the stored cursor (JSON text) */
	int failures;       /* failed runs in a row */
	bool due;           /* next_run_at is unset or has passed */
	time_t next_run_at; /* Unix seconds, 0 when unset */
};

/* name's row (created, with an empty cursor, on first use): 0 and *out
 * (out->cursor new), or -1 and *err. */
int db_connector_state_read(PGconn *c, const char *name, struct db_connector_state *out,
                            struct err *err) __attribute__((warn_unused_result));

/* Notes that a run of name starts now (last_run_at). Best effort: a run that
 * cannot say so still runs, and its end is recorded. */
void db_connector_run_started(PGconn *c, const char *name);

/* Inside the caller's transaction: the cursor (JSON text, borrowed) the next
 * run resumes from. 0, or -1 and *err (the transaction is then aborted). */
int db_connector_save_cursor(PGconn *c, const char *name, const char *cursor, struct err *err)
    __attribute__((warn_unused_result));

/* How a run ended (every pointer borrowed). */
struct db_connector_run_end {
	bool ok; /* a success resets failures, a failure adds one */
	long duration_ms;
	long delay_s;           /* next_run_at is this far from now */
	const char *stats_json; /* the run's counts, a JSON object */
	const char *error;      /* why it failed (unused when ok) */
};

/* Records the end of a run of name: 0 and *next_run_at (Unix seconds, as
 * stored), or -1 and *err. */
int db_connector_run_end(PGconn *c, const char *name, const struct db_connector_run_end *e,
                         time_t *next_run_at, struct err *err) __attribute__((warn_unused_result));

/* Whether name's deletions upstream are to be looked for now: when they never
 * were, or were interval_s or more ago, the clock restarts now, and *run is
 * true unless this was the first time (which only starts the clock). 0 and
 * *run, or -1 and *err. */
int db_connector_reconcile_due(PGconn *c, const char *name, long interval_s, bool *run,
                               struct err *err) __attribute__((warn_unused_result));

/* The external_ids of source's (borrowed) live posts seen longest ago, at most
 * limit of them: 0 with *ids (new, one block for free(), NULL-terminated) and
 * *n, or -1 and *err. */
int db_posts_least_seen(PGconn *c, const char *source, int limit, char ***ids, int *n,
                        struct err *err) __attribute__((warn_unused_result));

/* One connector's last run that ended without error. */
struct db_connector_last_ok {
	char name[32]; /* connector names are short; a longer one is cut */
	double at;     /* Unix seconds */
};

/* Every connector that ever finished a run without error, at most max of
 * them, into out[]: 0 and *n, or -1 and *err. For /metrics, so a stale sync
 * can alert whichever process ran it. */
int db_connector_last_ok(PGconn *c, struct db_connector_last_ok *out, int max, int *n,
                         struct err *err) __attribute__((warn_unused_result));

/* Columns of db_connector_states' rows. Times are ISO 8601 UTC text; cursor
 * and stats JSON text; any may be SQL NULL but name, cursor, failures and
 * stats. */
enum db_connector_state_col {
	DB_CS_NAME,
	DB_CS_LAST_RUN_AT,
	DB_CS_LAST_OK_AT,
	DB_CS_DURATION_MS,
	DB_CS_CURSOR,
	DB_CS_NEXT_RUN_AT,
	DB_CS_LAST_ERROR,
	DB_CS_FAILURES,
	DB_CS_STATS,
};

/* Every connector's row, for the status page: a result (new, for PQclear)
 * with the columns above, in no particular order; NULL and *err on failure. */
PGresult *db_connector_states(PGconn *c, struct err *err) __attribute__((warn_unused_result));

#endif
