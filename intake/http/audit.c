/* intake/http/audit.c - GET /api/v1/audit (admin): who changed what, when,
 * newest first; ?idea_id= narrows to one idea, ?before= pages back. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

static bool positive(const char *s)
{
	return s && *s && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s) && s[0] != '0';
}

void audit_list(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_ADMIN, &who) < 0)
		return;
	static const char *const params[] = {"idea_id", "before", "limit", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	const char *idea = evhttp_find_header(&q, "idea_id");
	const char *before = evhttp_find_header(&q, "before");
	const char *limit = evhttp_find_header(&q, "limit");
	const char *bad = idea && !positive(idea) ? "idea_id"
			  : before && !positive(before) ? "before"
			  : limit && (!positive(limit) || atoi(limit) > 500) ? "limit"
									     : NULL;
	if (bad) {
		evhttp_clear_headers(&q);
		http_problem(c, 400, bad, "%s must be a positive whole number%s", bad,
			     strcmp(bad, "limit") == 0 ? " up to 500" : "");
		return;
	}
	struct db *db = http_db(c);
	if (!db) {
		evhttp_clear_headers(&q);
		http_db_unavailable(c, "audit");
		return;
	}
	const char *p[] = {idea, before, limit ? limit : "100"};
	struct err err = {0};
	PGresult *r = db_query(db_conn(db),
			       "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
			       " actor, action, idea_id, details::text FROM audit_log"
			       " WHERE ($1::bigint IS NULL OR idea_id = $1) AND ($2::bigint IS NULL OR id < $2)"
			       " ORDER BY id DESC LIMIT $3::int",
			       3, p, &err);
	evhttp_clear_headers(&q);
	if (!r) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	json_t *items = json_array();
	int n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		json_t *details = json_loads(PQgetvalue(r, i, 5), 0, NULL);
		json_array_append_new(
		    items, json_pack("{sI s:s s:s s:s s:o s:o}", "id",
				     (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "at",
				     PQgetvalue(r, i, 1), "actor", PQgetvalue(r, i, 2), "action",
				     PQgetvalue(r, i, 3), "idea_id",
				     PQgetisnull(r, i, 4) ? json_null()
							  : json_integer(strtoll(PQgetvalue(r, i, 4), NULL, 10)),
				     "details", details ? details : json_object()));
	}
	json_t *next = n > 0 && n == atoi(p[2]) ? json_string(PQgetvalue(r, n - 1, 0)) : json_null();
	PQclear(r);
	http_reply_json(c, 200, json_pack("{s:o s:o}", "items", items, "before", next));
}
