/* intake/http/stats.c - GET /api/v1/stats (triager): the strategy mix at a
 * glance. Ideas and demand by SRPF category x segment (VPN only, platform
 * only, bridge, neither), by source, the bridge share of the top of the
 * backlog, and how concentrated demand is. Open ideas only: not merged,
 * declined or shipped. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

#define OPEN "i.status NOT IN ('merged', 'declined', 'shipped')"
#define SEGMENT_CLASS                                                                           \
	"CASE WHEN 'vpn' = ANY (i.segments) AND 'platform' = ANY (i.segments) THEN 'bridge'"     \
	" WHEN 'vpn' = ANY (i.segments) THEN 'vpn_only'"                                         \
	" WHEN 'platform' = ANY (i.segments) THEN 'platform_only' ELSE 'neither' END"

static const char sql_mix[] =
    "SELECT i.category, " SEGMENT_CLASS ", count(*), coalesce(sum(i.requesters), 0)"
    " FROM ideas i WHERE " OPEN " GROUP BY 1, 2";
static const char sql_sources[] =
    "SELECT m.source, count(DISTINCT m.idea_id), count(*), count(DISTINCT m.requester_key)"
    " FROM mentions m JOIN ideas i ON i.id = m.idea_id WHERE NOT m.deleted AND " OPEN
    " GROUP BY 1 ORDER BY 1";
static const char sql_top[] =
    "WITH t AS (SELECT row_number() OVER (ORDER BY i.score DESC, i.id) AS rn,"
    "  'vpn' = ANY (i.segments) AND 'platform' = ANY (i.segments) AS bridge, i.requesters"
    "  FROM ideas i WHERE " OPEN " ORDER BY i.score DESC, i.id LIMIT 100)"
    " SELECT n, count(*) FILTER (WHERE rn <= n), count(*) FILTER (WHERE rn <= n AND bridge),"
    "  count(*) FILTER (WHERE rn <= n AND requesters <= 1)"
    " FROM t, (VALUES (20), (50), (100)) v(n) GROUP BY n ORDER BY n";
static const char sql_concentration[] =
    "SELECT count(*), count(*) FILTER (WHERE i.requesters <= 1),"
    " coalesce(sum(i.requesters), 0), coalesce(max(i.requesters), 0)"
    " FROM ideas i WHERE " OPEN;

static long long ll(PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static double share(long long part, long long whole)
{
	return whole > 0 ? (double)part / (double)whole : 0.0;
}

json_t *stats_collect(PGconn *pg, struct err *err)
{
	PGresult *mix = db_query(pg, sql_mix, 0, NULL, err);
	PGresult *src = mix ? db_query(pg, sql_sources, 0, NULL, err) : NULL;
	PGresult *top = src ? db_query(pg, sql_top, 0, NULL, err) : NULL;
	PGresult *conc = top ? db_query(pg, sql_concentration, 0, NULL, err) : NULL;
	if (!conc) {
		PQclear(mix);
		PQclear(src);
		PQclear(top);
		return NULL;
	}
	/* every category x segment cell, zeros included, so a chart needs no guessing */
	static const char *const cats[] = {"security", "reliability", "performance", "feature"};
	static const char *const segs[] = {"bridge", "vpn_only", "platform_only", "neither"};
	json_t *by = json_object();
	for (int a = 0; a < 4; a++) {
		json_t *row = json_object();
		for (int b = 0; b < 4; b++) {
			long long ideas = 0, demand = 0;
			for (int i = 0; i < PQntuples(mix); i++)
				if (!strcmp(PQgetvalue(mix, i, 0), cats[a]) &&
				    !strcmp(PQgetvalue(mix, i, 1), segs[b])) {
					ideas = ll(mix, i, 2);
					demand = ll(mix, i, 3);
				}
			json_object_set_new(row, segs[b], json_pack("{sI sI}", "ideas", (json_int_t)ideas,
								    "requesters", (json_int_t)demand));
		}
		json_object_set_new(by, cats[a], row);
	}
	json_t *sources = json_array();
	for (int i = 0; i < PQntuples(src); i++)
		json_array_append_new(sources,
				      json_pack("{s:s sI sI sI}", "source", PQgetvalue(src, i, 0), "ideas",
						(json_int_t)ll(src, i, 1), "mentions", (json_int_t)ll(src, i, 2),
						"requesters", (json_int_t)ll(src, i, 3)));
	json_t *tops = json_array();
	for (int i = 0; i < PQntuples(top); i++)
		json_array_append_new(
		    tops, json_pack("{sI sI sI sf sI}", "top", (json_int_t)ll(top, i, 0), "ideas",
				    (json_int_t)ll(top, i, 1), "bridge", (json_int_t)ll(top, i, 2),
				    "bridge_share", share(ll(top, i, 2), ll(top, i, 1)),
				    "single_requester", (json_int_t)ll(top, i, 3)));
	long long open = ll(conc, 0, 0), single = ll(conc, 0, 1);
	json_t *body = json_pack(
	    "{s:o s:o s:o s:{sI sI sf sI sI}}", "by_category_segment", by, "by_source", sources,
	    "top", tops, "concentration", "open_ideas", (json_int_t)open, "single_requester_ideas",
	    (json_int_t)single, "single_requester_share", share(single, open), "requesters_total",
	    (json_int_t)ll(conc, 0, 2), "max_requesters_on_one_idea", (json_int_t)ll(conc, 0, 3));
	PQclear(mix);
	PQclear(src);
	PQclear(top);
	PQclear(conc);
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
