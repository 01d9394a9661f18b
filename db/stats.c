#include "db/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

#define OPEN "i.status NOT IN ('merged', 'declined', 'shipped')"
#define SEGMENT_CLASS                                                                              \
	"CASE WHEN 'vpn' = ANY (i.segments) AND 'platform' = ANY (i.segments) THEN 'bridge'"       \
	" WHEN 'vpn' = ANY (i.segments) THEN 'vpn_only'"                                           \
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

/* Copies the four results into *s; -1 when out of memory. */
static int stats_fill(PGresult *mix, PGresult *src, PGresult *top, PGresult *conc,
                      struct db_stats *s)
{
	s->cells = calloc((size_t)PQntuples(mix) + 1, sizeof(*s->cells));
	s->sources = calloc((size_t)PQntuples(src) + 1, sizeof(*s->sources));
	if (!s->cells || !s->sources)
		return -1;
	for (int i = 0; i < PQntuples(mix); i++, s->ncells++) {
		struct db_stats_cell *c = &s->cells[i];
		snprintf(c->category, sizeof(c->category), "%s", PQgetvalue(mix, i, 0));
		snprintf(c->segment, sizeof(c->segment), "%s", PQgetvalue(mix, i, 1));
		c->ideas = ll(mix, i, 2);
		c->requesters = ll(mix, i, 3);
	}
	for (int i = 0; i < PQntuples(src); i++, s->nsources++) {
		struct db_stats_source *o = &s->sources[i];
		snprintf(o->source, sizeof(o->source), "%s", PQgetvalue(src, i, 0));
		o->ideas = ll(src, i, 1);
		o->mentions = ll(src, i, 2);
		o->requesters = ll(src, i, 3);
	}
	for (int i = 0; i < PQntuples(top) && i < 3; i++, s->ntop++)
		s->top[i] = (struct db_stats_top){ll(top, i, 0), ll(top, i, 1), ll(top, i, 2),
		                                  ll(top, i, 3)};
	s->open = ll(conc, 0, 0);
	s->single = ll(conc, 0, 1);
	s->requesters_total = ll(conc, 0, 2);
	s->max_requesters = ll(conc, 0, 3);
	return 0;
}

int db_stats_collect(PGconn *c, struct db_stats *out, struct err *err)
{
	PGresult *mix = db_query(c, sql_mix, 0, NULL, err);
	PGresult *src = mix ? db_query(c, sql_sources, 0, NULL, err) : NULL;
	PGresult *top = src ? db_query(c, sql_top, 0, NULL, err) : NULL;
	PGresult *conc = top ? db_query(c, sql_concentration, 0, NULL, err) : NULL;
	struct db_stats s = {0};
	int rc = conc ? stats_fill(mix, src, top, conc, &s) : -1;
	if (conc && rc < 0)
		err_set(err, "out of memory");
	PQclear(mix);
	PQclear(src);
	PQclear(top);
	PQclear(conc);
	if (rc < 0) {
		db_stats_free(&s);
		return -1;
	}
	*out = s;
	return 0;
}

void db_stats_free(struct db_stats *s)
{
	if (!s)
		return;
	free(s->cells);
	free(s->sources);
	s->cells = NULL;
	s->sources = NULL;
	s->ncells = s->nsources = s->ntop = 0;
}
