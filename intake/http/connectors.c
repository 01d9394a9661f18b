/* intake/http/connectors.c - GET /api/v1/connectors (status of every known
 * connector) and POST /api/v1/connectors/{name}/sync (run one now), admin
 * only. A sync request is queued to this process's scheduler thread and
 * answered 202 at once: a run never holds up an HTTP worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector.h"
#include "db/db.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/sync/scheduler.h"
#include "intake/sync/sync.h"

/* A column as JSON: null when SQL NULL, else parsed (json) or a string. */
static json_t *col(PGresult *r, int row, int c, bool json)
{
	if (PQgetisnull(r, row, c))
		return json_null();
	if (json) {
		json_t *j = json_loads(PQgetvalue(r, row, c), JSON_DECODE_ANY, NULL);
		return j ? j : json_null();
	}
	return json_string(PQgetvalue(r, row, c));
}

void connectors_list(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_ADMIN, &who) < 0)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "connectors");
		return;
	}
	PGresult *r = db_exec(db_conn(db),
			      "SELECT name,"
			      " to_char(last_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
			      " to_char(last_ok_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
			      " last_duration_ms, cursor::text,"
			      " to_char(next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
			      " last_error, failures, stats::text FROM connector_state",
			      0, NULL);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		db_check_broken(db);
		http_db_unavailable(c, "connectors");
		return;
	}
	json_t *items = json_array();
	for (int i = 0; connector_names[i]; i++) {
		const char *name = connector_names[i];
		int row = -1;
		for (int k = 0; k < PQntuples(r); k++)
			if (strcmp(PQgetvalue(r, k, 0), name) == 0)
				row = k;
		json_t *o = json_pack("{s:s, s:b, s:I}", "name", name, "configured",
				      sync_configured(c->cfg, name), "interval_s",
				      (json_int_t)sync_interval(c->cfg, name));
		static const char *const keys[] = {"last_run_at", "last_ok_at", "duration_ms",
						   "cursor",      "next_run_at", "last_error",
						   "failures",    "stats"};
		for (int k = 0; k < 8; k++) {
			json_t *v;
			if (row < 0)
				v = k == 3 || k == 7 ? json_object() : k == 6 ? json_integer(0) : json_null();
			else if (k == 2 || k == 6)
				v = PQgetisnull(r, row, k + 1)
					? json_null()
					: json_integer(atoll(PQgetvalue(r, row, k + 1)));
			else
				v = col(r, row, k + 1, k == 3 || k == 7);
			json_object_set_new(o, keys[k], v);
		}
		json_array_append_new(items, o);
	}
	PQclear(r);
	http_reply_json(c, 200, json_pack("{s:o}", "items", items));
}

void connectors_sync(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_ADMIN, &who) < 0)
		return;
	const char *name = c->params[0];
	if (!connector_known(name)) {
		http_problem(c, 404, "name", "no connector named '%.64s'", name);
		return;
	}
	if (!sync_configured(c->cfg, name)) {
		http_problem(c, 409, "name", "connector '%s' is not configured (see connectors.%s in "
					     "the config)", name, name);
		return;
	}
	if (scheduler_request_run(name) < 0) {
		http_problem(c, 503, NULL, "the scheduler is not running in this process");
		return;
	}
	http_set_header(c, "Location", "/api/v1/connectors");
	http_reply_json(c, 202, json_pack("{s:s, s:s, s:s}", "name", name, "status", "queued",
					  "status_url", "/api/v1/connectors"));
}
