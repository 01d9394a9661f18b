/* db/connector_runs.c - see connector_runs.h. */
#include "db/connector_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* First key of every connector's advisory lock (the second is hashtext(name)):
 * keeps our locks apart from any other user of advisory locks. */
#define CONNECTOR_LOCK_CLASS "7658"

int db_connector_try_lock(PGconn *c, const char *name, bool *got, struct err *err)
{
	const char *p[] = {name};
	PGresult *r = db_query(
	    c, "SELECT pg_try_advisory_lock(" CONNECTOR_LOCK_CLASS ", hashtext($1))", 1, p, err);
	if (!r)
		return -1;
	*got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

void db_connector_unlock(PGconn *c, const char *name)
{
	const char *p[] = {name};
	PQclear(
	    db_exec(c, "SELECT pg_advisory_unlock(" CONNECTOR_LOCK_CLASS ", hashtext($1))", 1, p));
}

int db_connector_state_read(PGconn *c, const char *name, struct db_connector_state *out,
                            struct err *err)
{
	const char *p[] = {name};
	PGresult *r = db_query(c,
	                       "INSERT INTO connector_state (name) VALUES ($1)"
	                       " ON CONFLICT (name) DO NOTHING",
	                       1, p, err);
	if (!r)
		return -1;
	PQclear(r);
	r = db_query(c,
	             "SELECT cursor::text, failures, next_run_at IS NULL OR next_run_at <= now(),"
	             " coalesce(extract(epoch FROM next_run_at)::bigint, 0)"
	             " FROM connector_state WHERE name = $1",
	             1, p, err);
	if (!r)
		return -1;
	struct db_connector_state st = {
	    .cursor = strdup(PQgetvalue(r, 0, 0)),
	    .failures = atoi(PQgetvalue(r, 0, 1)),
	    .due = PQgetvalue(r, 0, 2)[0] == 't',
	    .next_run_at = (time_t)atoll(PQgetvalue(r, 0, 3)),
	};
	PQclear(r);
	if (!st.cursor)
		return err_set(err, "out of memory");
	*out = st;
	return 0;
}

void db_connector_run_started(PGconn *c, const char *name)
{
	const char *p[] = {name};
	PQclear(db_exec(c, "UPDATE connector_state SET last_run_at = now() WHERE name = $1", 1, p));
}

int db_connector_save_cursor(PGconn *c, const char *name, const char *cursor, struct err *err)
{
	const char *p[] = {name, cursor};
	PGresult *r =
	    db_query(c, "UPDATE connector_state SET cursor = $2::jsonb WHERE name = $1", 2, p, err);
	PQclear(r);
	return r ? 0 : -1;
}

int db_connector_run_end(PGconn *c, const char *name, const struct db_connector_run_end *e,
                         time_t *next_run_at, struct err *err)
{
	char ms[32], delay[32];
	snprintf(ms, sizeof(ms), "%ld", e->duration_ms);
	snprintf(delay, sizeof(delay), "%ld", e->delay_s);
	const char *p[] = {name, ms, delay, e->stats_json, e->error};
	PGresult *r =
	    e->ok ? db_query(c,
	                     "UPDATE connector_state SET last_ok_at = now(), last_duration_ms = $2,"
	                     " last_error = NULL, failures = 0,"
	                     " next_run_at = now() + make_interval(secs => $3::double precision),"
	                     " stats = $4::jsonb WHERE name = $1"
	                     " RETURNING extract(epoch FROM next_run_at)::bigint",
	                     4, p, err)
	          : db_query(c,
	                     "UPDATE connector_state SET last_duration_ms = $2, last_error = $5,"
	                     " failures = failures + 1,"
	                     " next_run_at = now() + make_interval(secs => $3::double precision),"
	                     " stats = $4::jsonb WHERE name = $1"
	                     " RETURNING extract(epoch FROM next_run_at)::bigint",
	                     5, p, err);
	if (!r)
		return -1;
	int rc = PQntuples(r) == 1 ? 0 : err_set(err, "connector %s has no state row", name);
	if (rc == 0)
		*next_run_at = (time_t)atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rc;
}

int db_connector_reconcile_due(PGconn *c, const char *name, long interval_s, bool *run,
                               struct err *err)
{
	char iv[24];
	snprintf(iv, sizeof(iv), "%ld", interval_s);
	const char *p[] = {name, iv};
	/* the subquery reads the row as it was before this UPDATE: NULL there is
	 * the first time */
	PGresult *r = db_query(
	    c,
	    "UPDATE connector_state SET reconciled_at = now() WHERE name = $1"
	    " AND (reconciled_at IS NULL OR reconciled_at <= now() - make_interval(secs => "
	    "$2::int))"
	    " RETURNING (SELECT reconciled_at FROM connector_state WHERE name = $1) IS NOT NULL",
	    2, p, err);
	if (!r)
		return -1;
	*run = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

int db_posts_least_seen(PGconn *c, const char *source, int limit, char ***ids, int *n,
                        struct err *err)
{
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {source, lim};
	PGresult *r =
	    db_query(c,
	             "SELECT external_id FROM mentions WHERE source = $1 AND kind = 'post'"
	             " AND NOT deleted ORDER BY last_seen_at, id LIMIT $2::int",
	             2, p, err);
	if (!r)
		return -1;
	/* the pointers, then the strings they point to, in one block */
	int rows = PQntuples(r);
	size_t size = sizeof(char *) * ((size_t)rows + 1);
	for (int i = 0; i < rows; i++)
		size += (size_t)PQgetlength(r, i, 0) + 1;
	char **out = malloc(size);
	if (!out) {
		PQclear(r);
		return err_set(err, "out of memory");
	}
	char *s = (char *)(out + rows + 1);
	for (int i = 0; i < rows; i++) {
		size_t len = (size_t)PQgetlength(r, i, 0) + 1;
		out[i] = memcpy(s, PQgetvalue(r, i, 0), len);
		s += len;
	}
	out[rows] = NULL;
	PQclear(r);
	*ids = out;
	*n = rows;
	return 0;
}

PGresult *db_connector_states(PGconn *c, struct err *err)
{
	/* the order of enum db_connector_state_col */
	return db_query(
	    c,
	    "SELECT name,"
	    " to_char(last_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " to_char(last_ok_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " last_duration_ms, cursor::text,"
	    " to_char(next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
	    " last_error, failures, stats::text FROM connector_state",
	    0, NULL, err);
}

int db_connector_last_ok(PGconn *c, struct db_connector_last_ok *out, int max, int *n,
                         struct err *err)
{
	PGresult *r = db_query(c,
	                       "SELECT name, extract(epoch FROM last_ok_at)::float8"
	                       " FROM connector_state WHERE last_ok_at IS NOT NULL ORDER BY name",
	                       0, NULL, err);
	if (!r)
		return -1;
	int rows = PQntuples(r), k = 0;
	for (int i = 0; i < rows && k < max; i++, k++) {
		snprintf(out[k].name, sizeof(out[k].name), "%s", PQgetvalue(r, i, 0));
		out[k].at = strtod(PQgetvalue(r, i, 1), NULL);
	}
	PQclear(r);
	*n = k;
	return 0;
}
