/* intake/http/idea.c - GET and PATCH /api/v1/ideas/{id}: the whole idea for
 * a triager, and a triager's decisions on it (audited). */
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "intake/decide/actions.h"
#include "intake/read/idea_detail.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/ingest/ingest.h"
#include "intake/read/views.h"

void idea_get(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "idea");
		return;
	}
	json_t *out;
	struct err err = {0};
	int rc = idea_detail(db_conn(db), id, &out, &err);
	if (rc < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (rc == 0) {
		http_problem(c, 404, NULL, "no idea %lld", (long long)id);
		return;
	}
	http_reply_json(c, 200, out);
}

/* Which views show the idea now, so a triager sees at once whether a
 * publish took effect (a security idea stays hidden until disclosed). */
json_t *idea_visible_in(PGconn *pg, int64_t id)
{
	json_t *in = json_array();
	for (enum view v = VIEW_INTERNAL; v <= VIEW_PUBLIC; v++) {
		json_t *o = NULL;
		struct err err = {0};
		if (views_idea(pg, v, id, &o, &err) == 1)
			json_array_append_new(in, json_string(view_name(v)));
		json_decref(o);
	}
	return in;
}

/* Runs idea_update in its own transaction as who. 1 applied, 0 no such idea,
 * -1 with *err (see idea_update). */
int idea_apply(struct http_ctx *c, PGconn *pg, int64_t id, json_t *changes, const char *who,
	       int *changed, struct err *err)
{
	struct ingest_tx tx;
	if (ingest_begin(&tx, pg, http_triage(c), err) < 0)
		return -1;
	int rc = idea_update(pg, http_triage(c), id, changes, who, changed, err);
	if (rc <= 0 || ingest_commit(&tx, err) < 0) {
		ingest_rollback(&tx);
		return rc < 0 ? -1 : rc == 0 ? 0 : -1;
	}
	return 1;
}

void idea_patch(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	json_t *j = http_json_body(c);
	if (!j)
		return;
	struct db *db = http_db(c);
	if (!db) {
		json_decref(j);
		http_db_unavailable(c, "idea");
		return;
	}
	PGconn *pg = db_conn(db);
	struct err err = {0};
	int changed = 0;
	int rc = idea_apply(c, pg, id, j, who.name, &changed, &err);
	json_decref(j);
	if (rc < 0) {
		if (strncmp(err.field, "conflict:", 9) == 0) {
			http_problem(c, 409, err.field + 9, "%s", err.msg);
			return;
		}
		if (err.field[0]) {
			http_problem(c, 400, err.field, "%s", err.msg);
			return;
		}
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (rc == 0) {
		http_problem(c, 404, NULL, "no live idea %lld (merged ideas change through unmerge)",
			     (long long)id);
		return;
	}
	json_t *idea = NULL;
	if (views_idea(pg, VIEW_INTERNAL, id, &idea, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	http_reply_json(c, 200, json_pack("{s:o s:i s:o}", "idea", idea ? idea : json_null(), "changed",
					  changed, "visible_in", idea_visible_in(pg, id)));
}
