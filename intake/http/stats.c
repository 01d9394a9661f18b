/* intake/http/stats.c - GET /api/v1/stats (triager): the strategy mix at a
 * glance. Ideas and demand by SRPF category x segment (VPN only, platform
 * only, bridge, neither), by source, the bridge share of the top of the
 * backlog, and how concentrated demand is. Open ideas only: not merged,
 * declined or shipped. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/stats.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

static double share(long long part, long long whole)
{
	return whole > 0 ? (double)part / (double)whole : 0.0;
}

/* Every category x segment cell, zeros included, so a chart needs no guessing. */
static json_t *by_category_segment(const struct db_stats *s)
{
	static const char *const cats[] = {"security", "reliability", "performance", "feature"};
	static const char *const segs[] = {"bridge", "vpn_only", "platform_only", "neither"};
	json_t *by = json_object();
	for (int a = 0; a < 4; a++) {
		json_t *row = json_object();
		for (int b = 0; b < 4; b++) {
			long long ideas = 0, demand = 0;
			for (int i = 0; i < s->ncells; i++)
				if (!strcmp(s->cells[i].category, cats[a]) &&
				    !strcmp(s->cells[i].segment, segs[b])) {
					ideas = s->cells[i].ideas;
					demand = s->cells[i].requesters;
				}
			json_object_set_new(row, segs[b], json_pack("{sI sI}", "ideas", (json_int_t)ideas,
								    "requesters", (json_int_t)demand));
		}
		json_object_set_new(by, cats[a], row);
	}
	return by;
}

json_t *stats_collect(PGconn *pg, struct err *err)
{
	struct db_stats s;
	if (db_stats_collect(pg, &s, err) < 0)
		return NULL;
	json_t *sources = json_array();
	for (int i = 0; i < s.nsources; i++)
		json_array_append_new(sources, json_pack("{s:s sI sI sI}", "source", s.sources[i].source,
							 "ideas", (json_int_t)s.sources[i].ideas,
							 "mentions", (json_int_t)s.sources[i].mentions,
							 "requesters",
							 (json_int_t)s.sources[i].requesters));
	json_t *tops = json_array();
	for (int i = 0; i < s.ntop; i++) {
		const struct db_stats_top *t = &s.top[i];
		json_array_append_new(
		    tops, json_pack("{sI sI sI sf sI}", "top", (json_int_t)t->n, "ideas",
				    (json_int_t)t->ideas, "bridge", (json_int_t)t->bridge,
				    "bridge_share", share(t->bridge, t->ideas), "single_requester",
				    (json_int_t)t->single));
	}
	json_t *body = json_pack(
	    "{s:o s:o s:o s:{sI sI sf sI sI}}", "by_category_segment", by_category_segment(&s),
	    "by_source", sources, "top", tops, "concentration", "open_ideas", (json_int_t)s.open,
	    "single_requester_ideas", (json_int_t)s.single, "single_requester_share",
	    share(s.single, s.open), "requesters_total", (json_int_t)s.requesters_total,
	    "max_requesters_on_one_idea", (json_int_t)s.max_requesters);
	db_stats_free(&s);
	return body;
}

void stats_get(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "stats");
		return;
	}
	struct err err = {0};
	json_t *body = stats_collect(db_conn(db), &err);
	if (!body) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	http_reply_json(c, 200, body);
}
