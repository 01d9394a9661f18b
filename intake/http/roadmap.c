/* intake/http/roadmap.c - GET /roadmap/{view}: the roadmap as HTML, or
 * JSON, CSV, Markdown (and Atom for the public one) by ?format= or Accept.
 * Every answer carries an ETag; the public roadmap is also kept rendered in
 * each worker (intake/http/cache.h), so a busy public roadmap costs no
 * database work. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/auth.h"
#include "intake/http/cache.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/render.h"
#include "intake/read/views.h"

/* The format asked for: ?format= wins, else the Accept header, else HTML. */
static int pick_format(struct http_ctx *c, const char *param, enum format *f)
{
	if (param) {
		if (format_from_name(param, f) < 0)
			return http_problem(c, 400, "format", "format must be html, json, csv, md or atom");
		return 0;
	}
	const char *accept = http_header(c, "Accept");
	*f = FMT_HTML;
	if (!accept || strstr(accept, "text/html"))
		return 0;
	if (strstr(accept, "application/json"))
		*f = FMT_JSON;
	else if (strstr(accept, "text/csv"))
		*f = FMT_CSV;
	else if (strstr(accept, "text/markdown"))
		*f = FMT_MD;
	else if (strstr(accept, "application/atom+xml"))
		*f = FMT_ATOM;
	return 0;
}

void roadmap_get(struct http_ctx *c)
{
	enum view v;
	if (view_from_name(c->params[0], &v) < 0) {
		http_problem(c, 404, NULL, "no such roadmap: views are internal, customer and public");
		return;
	}
	static const char *const params[] = {"format", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	enum format f;
	int rc = pick_format(c, evhttp_find_header(&q, "format"), &f);
	evhttp_clear_headers(&q);
	if (rc < 0)
		return;
	if (f == FMT_ATOM && v != VIEW_PUBLIC) {
		http_problem(c, 400, "format", "the Atom feed is only for the public roadmap");
		return;
	}
	if (http_view_allowed(c, v) < 0)
		return;
	char key[64];
	snprintf(key, sizeof(key), "roadmap:%s:%s", view_name(v), format_name(f));
	const char *cc = v == VIEW_PUBLIC ? "public, max-age=30" : "private, no-cache";
	http_set_header(c, "Vary", "Accept, Authorization, Cookie");
	const struct cached_reply *hit = v == VIEW_PUBLIC ? http_cache_get(key) : NULL;
	if (hit) {
		http_reply_cached(c, hit, cc);
		return;
	}
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "roadmap");
		return;
	}
	unsigned gen = views_generation();
	char *body;
	size_t len;
	struct err err = {0};
	if (roadmap_render(db_conn(db), http_triage(c), v, f, &body, &len, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (v == VIEW_PUBLIC) {
		http_reply_cached(c, http_cache_put(key, body, len, format_content_type(f), NULL, gen), cc);
		return;
	}
	/* not kept: who may read it is checked on every request */
	struct cached_reply once = {.body = body, .len = len, .content_type = format_content_type(f)};
	http_etag(body, len, once.etag);
	http_reply_cached(c, &once, cc);
	free(body);
}
