/* intake/http/audit.c - GET /api/v1/audit (admin): who changed what, when,
 * newest first; ?idea_id= narrows to one idea; pages by the list cursor of
 * paging.h (`after` the last record read, i.e. older ones). */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "db/audit.h"
#include "db/db.h"
#include "intake/http/paging.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

static bool positive(const char *s)
{
	return s && *s && strlen(s) <= 18 && strspn(s, "0123456789") == strlen(s) && s[0] != '0';
}

/* The records of page, at most lim of them, as a JSON array (new). */
static json_t *audit_items(const struct db_audit_page *page, int lim)
{
	json_t *items = json_array();
	for (int i = 0; i < page->n && i < lim; i++) {
		const struct db_audit_row *row = &page->rows[i];
		json_t *details = json_loads(row->details, 0, NULL);
		json_array_append_new(
		    items, json_pack("{sI s:s s:s s:s s:o s:o}", "id", (json_int_t)row->id, "at",
				     row->at, "actor", row->actor, "action", row->action, "idea_id",
				     row->has_idea ? json_integer(row->idea_id) : json_null(),
				     "details", details ? details : json_object()));
	}
	return items;
}

/* Replies with page, read with one record more than lim: that one is not
 * shown, it only says a next page exists (which starts after the last
 * record shown). */
static void reply_page(struct http_ctx *c, const struct db_audit_page *page, int lim)
{
	char last[24];
	bool more = page->n > lim;
	if (more)
		snprintf(last, sizeof(last), "%lld", (long long)page->rows[lim - 1].id);
	char *link = http_next_link(c, more ? last : NULL);
	if (link)
		http_set_header(c, "Link", link);
	free(link);
	http_reply_json(c, 200, http_list_body(audit_items(page, lim), more ? last : NULL));
}

void audit_list(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_ADMIN, &who) < 0)
		return;
	static const char *const params[] = {"idea_id", HTTP_CURSOR_PARAM, "limit", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	const char *idea = evhttp_find_header(&q, "idea_id");
	const char *after = evhttp_find_header(&q, HTTP_CURSOR_PARAM);
	const char *limit = evhttp_find_header(&q, "limit");
	const char *bad = idea && !positive(idea) ? "idea_id"
			  : after && !positive(after) ? HTTP_CURSOR_PARAM
			  : limit && (!positive(limit) || atoi(limit) > 500) ? "limit"
									     : NULL;
	if (bad) {
		evhttp_clear_headers(&q);
		bool cursor = strcmp(bad, HTTP_CURSOR_PARAM) == 0;
		http_problem(c, 400, bad, "%s must be %sa positive whole number%s", bad,
			     cursor ? "the `next` of the previous page: " : "",
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
	int64_t after_id = after ? strtoll(after, NULL, 10) : 0;
	int lim = limit ? atoi(limit) : 100;
	evhttp_clear_headers(&q);
	struct err err = {0};
	struct db_audit_page page;
	if (db_audit_list(db_conn(db), idea_id, after_id, lim + 1, &page, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	reply_page(c, &page, lim);
	db_audit_page_free(&page);
}
