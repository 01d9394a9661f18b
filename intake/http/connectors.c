/* intake/http/connectors.c - GET /api/v1/connectors (status of every known
 * connector) and POST /api/v1/connectors/{name}/sync (run one now), admin
 * only. A sync request is queued to this process's scheduler thread and
 * answered 202 at once: a run never holds up an HTTP worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/connector.h"
#include "db/connector_runs.h"
#include "db/db.h"
#include "intake/http/paging.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/sync/scheduler.h"
#include "intake/sync/sync.h"

/* The fields of a connector's status, in the order of the answer, and the
 * column each comes from. */
enum field_kind { AS_TEXT, AS_INT, AS_JSON };
static const struct {
	const char *key;
	enum db_connector_state_col col;
	enum field_kind kind;
} fields[] = {
    {"last_run_at", DB_CS_LAST_RUN_AT, AS_TEXT}, {"last_ok_at", DB_CS_LAST_OK_AT, AS_TEXT},
    {"duration_ms", DB_CS_DURATION_MS, AS_INT},  {"cursor", DB_CS_CURSOR, AS_JSON},
    {"next_run_at", DB_CS_NEXT_RUN_AT, AS_TEXT}, {"last_error", DB_CS_LAST_ERROR, AS_TEXT},
    {"failures", DB_CS_FAILURES, AS_INT},        {"stats", DB_CS_STATS, AS_JSON},
};

/* Field f of row (-1: a connector that never ran) as JSON: null when SQL NULL. */
static json_t *field(PGresult *r, int row, size_t f)
{
	enum db_connector_state_col col = fields[f].col;
	if (row < 0)
		return fields[f].kind == AS_JSON ? json_object()
		       : col == DB_CS_FAILURES   ? json_integer(0)
		                                 : json_null();
	if (PQgetisnull(r, row, (int)col))
		return json_null();
	const char *v = PQgetvalue(r, row, (int)col);
	if (fields[f].kind == AS_INT)
		return json_integer(atoll(v));
	if (fields[f].kind == AS_JSON) {
		json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
		return j ? j : json_null();
	}
	return json_string(v);
}

/* The status of connector name: its settings, and its row of r if any. */
static json_t *status(const struct http_ctx *c, PGresult *r, const char *name)
{
	int row = -1;
	for (int k = 0; k < PQntuples(r); k++)
		if (strcmp(PQgetvalue(r, k, DB_CS_NAME), name) == 0)
			row = k;
	json_t *o = json_pack("{s:s, s:b, s:I}", "name", name, "configured",
			      sync_configured(c->cfg, name), "interval_s",
			      (json_int_t)sync_interval(c->cfg, name));
	for (size_t f = 0; o && f < sizeof(fields) / sizeof(fields[0]); f++)
		json_object_set_new(o, fields[f].key, field(r, row, f));
	return o;
}

void connectors_list(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_ADMIN, &who) < 0)
		return;
	struct db *db = http_db(c);
	struct err err = {0};
	PGresult *r = db ? db_connector_states(db_conn(db), &err) : NULL;
	if (!r) {
		if (db)
			db_check_broken(db);
		http_db_unavailable(c, "connectors");
		return;
	}
	json_t *items = json_array();
	for (int i = 0; connector_names[i]; i++)
		json_array_append_new(items, status(c, r, connector_names[i]));
	PQclear(r);
	/* every connector this build knows, on one page */
	http_reply_json(c, 200, http_list_body(items, NULL));
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
