/* intake/http/board.c - GET /board: the internal backlog page for
 * triagers (filters in the query, 50 ideas a page). The HTML is
 * intake/read/pages.h's page_board. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "db/db.h"
#include "intake/http/pages.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/pages.h"
#include "intake/read/views.h"

/* The query's value of k, NULL when missing or empty. */
static const char *param(struct evkeyvalq *q, const char *k)
{
	const char *v = evhttp_find_header(q, k);
	return v && *v ? v : NULL;
}

/* The next page's URL: the same filters, after next (new string). */
static char *next_href(struct evkeyvalq *q, const char *next)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add_printf(b, "/board?");
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, q, next)
	{
		if (!strcmp(kv->key, "after") || !*kv->value)
			continue;
		char *ek = evhttp_encode_uri(kv->key), *ev = evhttp_encode_uri(kv->value);
		evbuffer_add_printf(b, "%s=%s&", ek, ev);
		free(ek);
		free(ev);
	}
	char *en = evhttp_encode_uri(next);
	evbuffer_add_printf(b, "after=%s", en);
	free(en);
	size_t n = evbuffer_get_length(b);
	char *out = malloc(n + 1);
	evbuffer_remove(b, out, n);
	out[n] = '\0';
	evbuffer_free(b);
	return out;
}

/* Reads the page's ideas and the strategy mix: 0, or -1 after answering. */
static int load_board(struct http_ctx *c, const struct backlog_filter *fl, json_t **items,
		      char **next, json_t **stats)
{
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "board");
	struct err err = {0};
	int rc = views_backlog(db_conn(db), http_triage(c), fl, items, next, &err);
	*stats = rc == 0 ? stats_collect(db_conn(db), &err) : NULL;
	if (rc < 0 && err.field[0])
		return http_problem(c, 400, err.field, "%s", err.msg);
	if (!*stats) {
		json_decref(*items);
		free(*next);
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	return 0;
}

void board_page(struct http_ctx *c)
{
	struct principal who;
	if (page_principal(c, ROLE_TRIAGER, &who) < 0)
		return;
	static const char *const params[] = {"category", "segment", "bridge", "status", "visibility",
					     "q",        "after",   "source", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	struct backlog_filter fl = {
	    .view = VIEW_INTERNAL,          .limit = 50,
	    .category = param(&q, "category"), .segment = param(&q, "segment"),
	    .bridge = param(&q, "bridge"),     .status = param(&q, "status"),
	    .visibility = param(&q, "visibility"), .q = param(&q, "q"),
	    .after = param(&q, "after"),       .source = param(&q, "source")};
	json_t *items = NULL, *stats = NULL;
	char *next = NULL;
	if (load_board(c, &fl, &items, &next, &stats) < 0) {
		evhttp_clear_headers(&q);
		return;
	}
	struct board_filters bf = {.category = fl.category, .segment = fl.segment, .bridge = fl.bridge,
				   .status = fl.status, .visibility = fl.visibility, .q = fl.q};
	char *href = next ? next_href(&q, next) : NULL;
	char *content = page_board(items, stats, &bf, href);
	free(href);
	evhttp_clear_headers(&q);
	json_decref(items);
	json_decref(stats);
	free(next);
	page_send(c, 200, "Backlog", content, &who);
}
