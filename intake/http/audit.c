/* intake/http/audit.c - GET /api/v1/audit (admin): who changed what, when,
 * newest first; ?idea_id= narrows to one idea, ?before= pages back. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "db/db.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

static bool positive(const char *s)
{
	return s && *s && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s) && s[0] != '0';
}

/* The answer for a page of at most lim records: the records, and where the
 * next page starts when this one is full. */
static json_t *audit_json(const struct db_audit_page *page, int lim)
{
	json_t *items = json_array();
	for (int i = 0; i < page->n; i++) {
		const struct db_audit_row *row = &page->rows[i];
		json_t *details = json_loads(row->details, 0, NULL);
		json_array_append_new(
		    items, json_pack("{sI s:s s:s s:s s:o s:o}", "id", (json_int_t)row->id, "at",
				     row->at, "actor", row->actor, "action", row->action, "idea_id",
				     row->has_idea ? json_integer(row->idea_id) : json_null(),
				     "details", details ? details : json_object()));
	}
	char last[24];
	if (page->n > 0)
		snprintf(last, sizeof(last), "%lld", (long long)page->rows[page->n - 1].id);
	json_t *next = page->n > 0 && page->n == lim ? json_string(last) : json_null();
	return json_pack("{s:o s:o}", "items", items, "before", next);
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
	int64_t idea_id = idea ? strtoll(idea, NULL, 10) : 0;
	int64_t before_id = before ? strtoll(before, NULL, 10) : 0;
	int lim = limit ? atoi(limit) : 100;
	evhttp_clear_headers(&q);
	struct err err = {0};
	struct db_audit_page page;
	if (db_audit_list(db_conn(db), idea_id, before_id, lim, &page, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	json_t *answer = audit_json(&page, lim);
	db_audit_page_free(&page);
	http_reply_json(c, 200, answer);
}
