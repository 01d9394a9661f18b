/* db/scores.c - see scores.h. */
#include "db/scores.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/ideas_sql.h"

/* the idea's aggregates once (materialised), then one row per distinct
 * requester next to them: everything scoring needs in one round trip. $1:
 * the idea, or NULL for the one the session inserted last (currval:
 * taken once, in its own CTE, so the idea is still found by its key -
 * currval is volatile, and a comparison with it cannot use an index) */
static const char sql_read[] =
    "WITH target AS MATERIALIZED (SELECT coalesce($1::bigint, " IDEAS_NEW_ID ") AS id),"
    " a AS MATERIALIZED (SELECT i.id, i.overrides::text AS o, i.table_stakes AS ts,"
    " coalesce(f.title, i.title) AS title, coalesce(f.body, '') AS body,"
    " (SELECT coalesce(array_agg(DISTINCT l), '{}') FROM mentions m, unnest(m.labels) l"
    "   WHERE m.idea_id = i.id AND NOT m.deleted) AS labels,"
    " (SELECT count(DISTINCT source) FROM mentions WHERE idea_id = i.id AND NOT deleted) AS ns,"
    " (SELECT coalesce(sum(votes), 0) FROM mentions WHERE idea_id = i.id AND NOT deleted) AS v,"
    " (SELECT extract(epoch FROM max(coalesce(upstream_updated_at, upstream_created_at,"
    "   first_seen_at)))::bigint FROM mentions WHERE idea_id = i.id AND NOT deleted) AS last,"
    " (SELECT count(*) FROM mentions WHERE idea_id = i.id AND NOT deleted) AS nm"
    " FROM target JOIN ideas i ON i.id = target.id LEFT JOIN LATERAL (SELECT title, body"
    "   FROM mentions WHERE idea_id = i.id AND kind = 'post' ORDER BY id LIMIT 1) f ON true)"
    " SELECT a.o, a.ts, a.title, a.body, a.labels, a.ns, a.v, a.last, a.nm,"
    "  q.kind, q.src, q.arr, q.posts, q.comments"
    " FROM a LEFT JOIN LATERAL (SELECT min(author_kind) AS kind, min(source) AS src,"
    "  coalesce(max(arr), 0) AS arr, count(*) FILTER (WHERE kind = 'post') AS posts,"
    "  count(*) FILTER (WHERE kind = 'comment') AS comments"
    "  FROM mentions WHERE idea_id = a.id AND NOT deleted"
    "  GROUP BY requester_key LIMIT 5000) q ON true";

struct db_stmt db_score_read_stmt(const char *idea_id, const char **p)
{
	*p = idea_id;
	return (struct db_stmt){sql_read, 1, p};
}

PGresult *db_score_read(PGconn *c, const char *idea_id, struct err *err)
{
	const char *p[] = {idea_id};
	return db_query(c, sql_read, 1, p, err);
}

int db_score_store(PGconn *c, const char *idea_id, const struct idea_score *sc, struct err *err)
{
	char nr[16], ns[16], nm[16], last[24];
	snprintf(nr, sizeof(nr), "%d", sc->requesters);
	snprintf(ns, sizeof(ns), "%d", sc->sources);
	snprintf(nm, sizeof(nm), "%d", sc->mentions);
	snprintf(last, sizeof(last), "%lld", (long long)sc->last_activity);
	const char *u[] = {idea_id, sc->category, sc->segments, sc->runtime, sc->score, sc->breakdown,
			   nr, ns, nm, sc->classification, last};
	PGresult *r = db_query(
	    c,
	    "UPDATE ideas SET category = $2, segments = $3::text[], runtime = $4, score = $5,"
	    " prev_breakdown = CASE WHEN score_breakdown = $6::jsonb OR score_breakdown = '{}'"
	    "   THEN prev_breakdown ELSE score_breakdown END,"
	    " score_breakdown = $6::jsonb, requesters = $7, source_count = $8, mention_count = $9,"
	    " classification = $10::jsonb, last_activity_at = to_timestamp($11::bigint),"
	    " scored_at = now(), updated_at = now() WHERE id = $1",
	    11, u, err);
	PQclear(r);
	return r ? 0 : -1;
}

/* The aggregates of every live idea (FILTER ""), or of the ideas in $1
 * (FILTER "AND idea_id = ANY ($1)"): two statements, so each is planned for
 * its own case. */
#define RESCORE_IDEAS_SQL(filter, ifilter)                                                         \
	"WITH agg AS (SELECT idea_id,"                                                            \
	"   count(DISTINCT source) FILTER (WHERE NOT deleted) ns,"                                \
	"   coalesce(sum(votes) FILTER (WHERE NOT deleted), 0) v,"                                \
	"   count(*) FILTER (WHERE NOT deleted) nm,"                                              \
	"   max(coalesce(upstream_updated_at, upstream_created_at, first_seen_at))"               \
	"     FILTER (WHERE NOT deleted) last,"                                                   \
	"   min(id) FILTER (WHERE kind = 'post') first_post"                                      \
	"   FROM mentions WHERE idea_id IS NOT NULL " filter " GROUP BY idea_id),"               \
	" lab AS (SELECT m.idea_id, array_agg(DISTINCT l) labels"                                 \
	"   FROM mentions m, unnest(m.labels) l WHERE NOT m.deleted " filter " GROUP BY m.idea_id)" \
	" SELECT i.id, i.overrides::text, i.table_stakes, coalesce(f.title, i.title),"           \
	"  coalesce(f.body, ''), coalesce(lab.labels, '{}'), coalesce(a.ns, 0), coalesce(a.v, 0)," \
	"  coalesce(extract(epoch FROM a.last)::bigint, 0), coalesce(a.nm, 0)"                   \
	" FROM ideas i LEFT JOIN agg a ON a.idea_id = i.id"                                       \
	" LEFT JOIN mentions f ON f.id = a.first_post LEFT JOIN lab ON lab.idea_id = i.id"        \
	" WHERE i.status <> 'merged' " ifilter " ORDER BY i.id"
#define RESCORE_REQS_SQL(filter)                                                                   \
	"SELECT idea_id, min(author_kind), min(source), coalesce(max(arr), 0),"                   \
	" count(*) FILTER (WHERE kind = 'post'),"                                                 \
	" count(*) FILTER (WHERE kind = 'comment')"                                               \
	" FROM mentions WHERE NOT deleted AND idea_id IS NOT NULL " filter                        \
	" GROUP BY idea_id, requester_key ORDER BY idea_id"

/* ids[0..n) as a text[] literal (new). */
static char *ids_literal(const int64_t *ids, int n)
{
	char **v = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; v && i < n; i++)
		if ((v[i] = malloc(24)))
			snprintf(v[i], 24, "%lld", (long long)ids[i]);
	char *lit = v ? db_text_array((const char *const *)v, n) : NULL;
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
	return lit;
}

int db_scores_read(PGconn *c, const int64_t *ids, int n, PGresult **ideas, PGresult **reqs,
		   struct err *err)
{
	*ideas = *reqs = NULL;
	char *lit = ids ? ids_literal(ids, n) : NULL;
	if (ids && !lit)
		return err_set(err, "out of memory");
	const char *p[] = {lit};
	*ideas = ids ? db_query(c,
				RESCORE_IDEAS_SQL("AND idea_id = ANY ($1::bigint[])",
						  "AND i.id = ANY ($1::bigint[])"),
				1, p, err)
		     : db_query(c, RESCORE_IDEAS_SQL("", ""), 0, NULL, err);
	if (*ideas)
		*reqs = ids ? db_query(c, RESCORE_REQS_SQL("AND idea_id = ANY ($1::bigint[])"), 1, p, err)
			    : db_query(c, RESCORE_REQS_SQL(""), 0, NULL, err);
	free(lit);
	if (*reqs)
		return 0;
	PQclear(*ideas);
	*ideas = NULL;
	return -1;
}

static const char sql_update_scores[] =
    "UPDATE ideas i SET category = u.cat, segments = u.seg::text[], runtime = u.rt,"
    " score = u.score::float8,"
    " prev_breakdown = CASE WHEN i.score_breakdown = u.bd::jsonb OR i.score_breakdown = '{}'"
    "   THEN i.prev_breakdown ELSE i.score_breakdown END,"
    " score_breakdown = u.bd::jsonb, requesters = u.nreq::int, source_count = u.nsrc::int,"
    " mention_count = u.nm::int, classification = u.cls::jsonb, scored_at = now(),"
    " last_activity_at = to_timestamp(u.last::bigint),"
    " updated_at = CASE WHEN $12::bool THEN now() ELSE i.updated_at END"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "   $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])"
    "   AS u(id, cat, seg, rt, score, bd, nreq, nsrc, nm, cls, last)"
    " WHERE i.id = u.id";

int db_scores_prepare(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_update_scores, 12, err);
}

static char *i64(int64_t v)
{
	char *s = malloc(24);
	if (s)
		snprintf(s, 24, "%lld", (long long)v);
	return s;
}

/* Column k of the update (0 ids, then the score's fields in the
 * statement's order) for n ideas: new strings. */
static char **column(int k, const int64_t *ids, const struct idea_score *sc, int n)
{
	char **v = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; v && i < n; i++) {
		const struct idea_score *s = &sc[i];
		switch (k) {
		case 0: v[i] = i64(ids[i]); break;
		case 1: v[i] = strdup(s->category); break;
		case 2: v[i] = strdup(s->segments); break;
		case 3: v[i] = strdup(s->runtime); break;
		case 4: v[i] = strdup(s->score); break;
		case 5: v[i] = strdup(s->breakdown); break;
		case 6: v[i] = i64(s->requesters); break;
		case 7: v[i] = i64(s->sources); break;
		case 8: v[i] = i64(s->mentions); break;
		case 9: v[i] = strdup(s->classification); break;
		default: v[i] = i64(s->last_activity); break;
		}
	}
	return v;
}

int db_scores_send(PGconn *c, const int64_t *ids, const struct idea_score *sc, int n, bool touch,
		   struct err *err)
{
	char *cols[11];
	const char *p[12];
	int ok = 1;
	for (int k = 0; k < 11; k++) {
		char **v = column(k, ids, sc, n);
		cols[k] = v ? db_text_array((const char *const *)v, n) : NULL;
		ok &= cols[k] != NULL;
		for (int i = 0; v && i < n; i++)
			free(v[i]);
		free(v);
		p[k] = cols[k];
	}
	p[11] = touch ? "t" : "f";
	int rc = ok ? db_send(c, sql_update_scores, 12, p, err) : err_set(err, "out of memory");
	for (int k = 0; k < 11; k++)
		free(cols[k]);
	return rc;
}
