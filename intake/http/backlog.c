/* intake/http/backlog.c - GET /api/v1/backlog: the ranked, deduplicated
 * backlog as one audience may see it, with filters and keyset pagination
 * (the list shape and cursor of paging.h). */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/cache.h"
#include "intake/http/paging.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/views.h"

int http_view_allowed(struct http_ctx *c, enum view v)
{
	struct principal who;
	if (v == VIEW_PUBLIC)
		return 0;
	if (v == VIEW_INTERNAL)
		return http_require_role(c, ROLE_TRIAGER, &who);
	/* the customer roadmap: a customer token, a triager or an admin; a
	 * submitter only submits (ARCHITECTURE.md, roles) */
	return http_require_role(c, ROLE_CUSTOMER, &who);
}

static const char *const params[] = {"view",   "limit", HTTP_CURSOR_PARAM, "category", "segment",
				     "bridge", "status", "stage",     "source",   "visibility",
				     "q",      NULL};

/* The API's query as a filter of view v (strings borrowed from q); a
 * malformed limit becomes -1, which views_backlog refuses. */
static struct backlog_filter filter_from_query(struct evkeyvalq *q, enum view v)
{
	struct backlog_filter f = {.view = v, .limit = 50};
	const char *limit = evhttp_find_header(q, "limit");
	if (limit) {
		char *end = NULL;
		long n = strtol(limit, &end, 10);
		f.limit = (end && *end == '\0' && *limit && n >= 1 && n <= BACKLOG_MAX_LIMIT) ? (int)n : -1;
	}
	f.after = evhttp_find_header(q, HTTP_CURSOR_PARAM);
	f.category = evhttp_find_header(q, "category");
	f.segment = evhttp_find_header(q, "segment");
	f.bridge = evhttp_find_header(q, "bridge");
	f.status = evhttp_find_header(q, "status");
	f.stage = evhttp_find_header(q, "stage");
	f.source = evhttp_find_header(q, "source");
	f.visibility = evhttp_find_header(q, "visibility");
	f.q = evhttp_find_header(q, "q");
	return f;
}

/* Answers body and link (both taken; link NULL on the last page): kept
 * rendered under key when cacheable. */
static void reply_page(struct http_ctx *c, json_t *body, char *link, enum view v, bool cacheable,
		       const char *key, unsigned gen)
{
	if (cacheable) {
		char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		json_decref(body);
		size_t len = strlen(text);
		char *withnl = realloc(text, len + 2); /* a document ends in a newline */
		withnl[len] = '\n';
		withnl[len + 1] = '\0';
		http_reply_cached(c, http_cache_put(key, withnl, len + 1, "application/json", link, gen),
				  "public, max-age=5");
		return;
	}
	if (link)
		http_set_header(c, "Link", link);
	free(link);
	if (v == VIEW_CUSTOMER)
		http_set_header(c, "Cache-Control", "private, max-age=0");
	http_reply_json(c, 200, body);
}

void backlog_list(struct http_ctx *c)
{
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	const char *vname = evhttp_find_header(&q, "view");
	enum view v = VIEW_PUBLIC;
	if (vname && view_from_name(vname, &v) < 0) {
		evhttp_clear_headers(&q);
		http_problem(c, 400, "view", "view must be internal, customer or public");
		return;
	}
	if (http_view_allowed(c, v) < 0) {
		evhttp_clear_headers(&q);
		return;
	}
	/* the public view is the same for everyone: kept rendered for a few
	 * seconds per worker, keyed by the whole query */
	const char *uri = evhttp_request_get_uri(c->req);
	char key[600];
	bool cacheable = v == VIEW_PUBLIC && strlen(uri) < sizeof(key) - 10;
	if (cacheable) {
		snprintf(key, sizeof(key), "backlog:%s", uri);
		const struct cached_reply *hit = http_cache_get(key);
		if (hit) {
			evhttp_clear_headers(&q);
			http_reply_cached(c, hit, "public, max-age=5");
			return;
		}
	}
	unsigned gen = views_generation();
	struct backlog_filter f = filter_from_query(&q, v);
	struct db *db = http_db(c);
	if (!db) {
		evhttp_clear_headers(&q);
		http_db_unavailable(c, "backlog");
		return;
	}
	json_t *items;
	char *next;
	struct err err = {0};
	int rc = views_backlog(db_conn(db), http_triage(c), &f, &items, &next, &err);
	evhttp_clear_headers(&q); /* f's strings are gone: only items and next are read below */
	if (rc < 0) {
		if (err.field[0]) {
			http_problem(c, 400, err.field, "%s", err.msg);
			return;
		}
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	json_t *body = http_list_body(items, next);
	json_object_set_new(body, "view", json_string(view_name(v)));
	char *link = http_next_link(c, next);
	free(next);
	reply_page(c, body, link, v, cacheable, key, gen);
}
