/* intake/ingest/rescore.c - reclassify and rescore one idea from its live mentions:
 * the founding post's text and every live mention's labels say what it is
 * (a person's overrides win); its distinct requesters say how much it is
 * wanted. The breakdown is stored so the internal view can say why. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/array.h"
#include "db/db.h"
#include "intake/ingest/pipeline.h"
#include "intake/dedup/match.h"
#include "intake/ingest/pipeline_parts.h"

#define MAX_REQUESTERS 5000

/* Applies a person's overrides ({"category", "segments", "runtime"}) over
 * what the rules found; returns the multiplier override (1 when none). */
static double apply_overrides(const char *json, struct classification *cl)
{
	json_t *o = json_loads(json, 0, NULL);
	double mult = 1.0;
	const char *cat = json_string_value(json_object_get(o, "category"));
	const char *rt = json_string_value(json_object_get(o, "runtime"));
	json_t *seg = json_object_get(o, "segments");
	enum category c;
	enum runtime r;
	if (cat && category_from_name(cat, &c) == 0)
		cl->category = c;
	if (rt && runtime_from_name(rt, &r) == 0)
		cl->runtime = r;
	if (json_is_array(seg)) {
		size_t i;
		json_t *s;
		cl->segments = 0;
		json_array_foreach(seg, i, s)
		{
			const char *v = json_string_value(s);
			cl->segments |= v && !strcmp(v, "vpn") ? SEG_VPN : 0;
			cl->segments |= v && !strcmp(v, "platform") ? SEG_PLATFORM : 0;
		}
	}
	json_t *m = json_object_get(o, "multiplier");
	if (json_is_number(m) && json_number_value(m) > 0)
		mult = json_number_value(m);
	json_decref(o);
	return mult;
}

static void classify_idea(struct triage_ctx *t, const char *title_s, const char *body_s,
			  const char *labels_s, struct classification *cl)
{
	struct tokens title = {0}, body = {0}, labels = {0};
	(void)normalize_text(t->norm, title_s, &title);
	(void)normalize_text(t->norm, body_s, &body);
	(void)db_parse_text_array(labels_s, &labels);
	struct classify_input in = {.title = &title, .body = &body,
				    .labels = (const char *const *)labels.v, .nlabels = labels.n};
	classify(t->rules->classify, &in, cl);
	tokens_clear(&title);
	tokens_clear(&body);
	tokens_clear(&labels);
}

static json_t *segments_json(int seg)
{
	json_t *a = json_array();
	if (seg & SEG_VPN)
		json_array_append_new(a, json_string("vpn"));
	if (seg & SEG_PLATFORM)
		json_array_append_new(a, json_string("platform"));
	return a;
}

static char *breakdown_json(const struct score *s, const struct classification *cl,
			    int nreq, int nsources, int votes)
{
	json_t *factors = json_array();
	for (int i = 0; i < s->n; i++)
		json_array_append_new(factors, json_pack("{s:s, s:f, s:s}", "name", s->f[i].name,
							 "value", s->f[i].value, "note",
							 s->f[i].note));
	json_t *j = json_pack("{s:f, s:o, s:s, s:i, s:i, s:i}", "score", s->total, "factors",
			      factors, "why", cl->why, "requesters", nreq, "sources", nsources,
			      "votes", votes);
	char *out = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(j);
	return out;
}

static char *dup_real(double v)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6f", v);
	return strdup(buf);
}

static char *dup_int(long v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%ld", v);
	return strdup(buf);
}

/* What scoring reads of an idea: its founding post's text, its live
 * mentions' labels and aggregates, a person's overrides. */
struct idea_facts {
	const char *overrides, *title, *body, *labels; /* labels: a text[] literal */
	bool table_stakes;
	const struct requester *req;
	int nreq, nsources, votes;
	int64_t last_activity, now;
};

/* Classifies and scores an idea from its facts: what every rescore stores. */
static int score_facts(struct triage_ctx *t, const struct idea_facts *f, struct idea_score *out,
		       struct err *err)
{
	struct classification cl;
	classify_idea(t, f->title, f->body, f->labels, &cl);
	double mult = apply_overrides(f->overrides, &cl);
	struct score_input in = {.category = cl.category,
				 .segments = cl.segments,
				 .runtime = cl.runtime,
				 .table_stakes = f->table_stakes,
				 .override = mult,
				 .req = f->req,
				 .nreq = f->nreq,
				 .nsources = f->nsources,
				 .votes = f->votes,
				 .last_activity = f->last_activity > 0 ? f->last_activity : f->now,
				 .now = f->now};
	struct score s;
	if (score_compute(&t->rules->weights, &in, &s, err) < 0)
		return -1;
	const char *v[2];
	int nv = 0;
	if (cl.segments & SEG_VPN)
		v[nv++] = "vpn";
	if (cl.segments & SEG_PLATFORM)
		v[nv++] = "platform";
	json_t *cj = json_pack("{s:s, s:o, s:s, s:s}", "category", category_name(cl.category),
			       "segments", segments_json(cl.segments), "runtime",
			       runtime_name(cl.runtime), "why", cl.why);
	*out = (struct idea_score){.category = category_name(cl.category),
				   .runtime = runtime_name(cl.runtime),
				   .segments = db_text_array(v, nv),
				   .score = dup_real(s.total),
				   .breakdown = breakdown_json(&s, &cl, f->nreq, f->nsources, f->votes),
				   .classification = json_dumps(cj, JSON_COMPACT),
				   .requesters = f->nreq,
				   .sources = f->nsources,
				   .last_activity = in.last_activity};
	json_decref(cj);
	return 0;
}

void idea_score_clear(struct idea_score *s)
{
	free(s->segments);
	free(s->score);
	free(s->breakdown);
	free(s->classification);
	memset(s, 0, sizeof(*s));
}

bool pipeline_can_prescore(const struct mention *m)
{
	/* deleted: no demand, which the rescore finds from the stored rows;
	 * labels: the rescore reads them back in the database's collation
	 * order, which names them in the classification's "why"; no upstream
	 * time: activity would be the transaction's now(), unknown here */
	return !m->deleted && m->nlabels == 0 && (m->updated_at || m->created_at);
}

int pipeline_prescore(struct triage_ctx *t, const struct mention *m, struct idea_score *out,
		      struct err *err)
{
	/* as pipeline_rescore would read them back from the idea's one mention */
	struct requester r = {.kind = m->author_kind,
			      .source = m->source,
			      .arr = m->arr >= 0 ? m->arr : 0,
			      .posts = m->kind == MENTION_POST,
			      .comments = m->kind == MENTION_COMMENT};
	struct idea_facts f = {.overrides = "{}",
			       .title = m->title ? m->title : "",
			       .body = m->body ? m->body : "",
			       .labels = "{}",
			       .req = &r,
			       .nreq = 1,
			       .nsources = 1,
			       .votes = m->votes,
			       .last_activity = m->updated_at ? m->updated_at : m->created_at,
			       .now = time(NULL)};
	if (score_facts(t, &f, out, err) < 0)
		return -1;
	out->mentions = 1;
	return 0;
}

/* the idea's aggregates once (materialised), then one row per distinct
 * requester next to them: everything scoring needs in one round trip. $1:
 * the idea, or NULL for the one the session inserted last (MATCH_NEW_IDEA:
 * taken once, in its own CTE, so the idea is still found by its key -
 * currval is volatile, and a comparison with it cannot use an index) */
const char pipeline_rescore_sql[] =
    "WITH target AS MATERIALIZED (SELECT coalesce($1::bigint, " MATCH_NEW_IDEA ") AS id),"
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

int pipeline_rescore(PGconn *c, struct triage_ctx *t, const char *idea_id, struct err *err)
{
	const char *p[] = {idea_id};
	PGresult *row = db_query(c, pipeline_rescore_sql, 1, p, err);
	if (!row)
		return -1;
	int rc = pipeline_rescore_apply(c, t, idea_id, row, err);
	PQclear(row);
	return rc;
}

int pipeline_rescore_apply(PGconn *c, struct triage_ctx *t, const char *idea_id,
			   const PGresult *row, struct err *err)
{
	if (PQntuples(row) < 1)
		return err_set(err, "no idea %s", idea_id);
	int nreq = PQgetisnull(row, 0, 9) ? 0 : PQntuples(row);
	struct requester *req = calloc((size_t)nreq + 1, sizeof(*req));
	for (int i = 0; i < nreq; i++) {
		struct requester *q = &req[i];
		if (author_kind_from_name(PQgetvalue(row, i, 9), &q->kind) < 0)
			q->kind = AUTHOR_COMMUNITY;
		if (source_from_name(PQgetvalue(row, i, 10), &q->source) < 0)
			q->source = SRC_GITHUB;
		q->arr = atoll(PQgetvalue(row, i, 11));
		q->posts = atoi(PQgetvalue(row, i, 12));
		q->comments = atoi(PQgetvalue(row, i, 13));
	}
	struct idea_facts f = {.overrides = PQgetvalue(row, 0, 0),
			       .title = PQgetvalue(row, 0, 2),
			       .body = PQgetvalue(row, 0, 3),
			       .labels = PQgetvalue(row, 0, 4),
			       .table_stakes = PQgetvalue(row, 0, 1)[0] == 't',
			       .req = req,
			       .nreq = nreq,
			       .nsources = atoi(PQgetvalue(row, 0, 5)),
			       .votes = atoi(PQgetvalue(row, 0, 6)),
			       .last_activity = atoll(PQgetvalue(row, 0, 7)),
			       .now = time(NULL)};
	struct idea_score sc;
	int rc = score_facts(t, &f, &sc, err);
	int mentions = atoi(PQgetvalue(row, 0, 8));
	free(req);
	if (rc < 0)
		return -1;
	char nr[16], ns[16], nm[16], last[24];
	snprintf(nr, sizeof(nr), "%d", sc.requesters);
	snprintf(ns, sizeof(ns), "%d", sc.sources);
	snprintf(nm, sizeof(nm), "%d", mentions);
	snprintf(last, sizeof(last), "%lld", (long long)sc.last_activity);
	const char *u[] = {idea_id, sc.category, sc.segments, sc.runtime, sc.score, sc.breakdown,
			   nr, ns, nm, sc.classification, last};
	PGresult *r = db_query(
	    c,
	    "UPDATE ideas SET category = $2, segments = $3::text[], runtime = $4, score = $5,"
	    " prev_breakdown = CASE WHEN score_breakdown = $6::jsonb OR score_breakdown = '{}'"
	    "   THEN prev_breakdown ELSE score_breakdown END,"
	    " score_breakdown = $6::jsonb, requesters = $7, source_count = $8, mention_count = $9,"
	    " classification = $10::jsonb, last_activity_at = to_timestamp($11::bigint),"
	    " scored_at = now(), updated_at = now() WHERE id = $1",
	    11, u, err);
	idea_score_clear(&sc);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

/* ---- every idea at once: `ideatriage rescore` ----
 * Two streaming reads (ideas with their aggregates; requesters grouped by
 * idea), the rules applied in C, and updates sent in batches through unnest
 * in pipeline mode (the server writes a batch while the next is computed),
 * so 100,000 ideas take seconds, not one round trip each. */

#define BATCH 2000

struct batch {
	int n;
	char *id[BATCH], *seg[BATCH], *score[BATCH], *bd[BATCH], *nreq[BATCH], *nsrc[BATCH],
	    *nm[BATCH], *cls[BATCH], *last[BATCH];
	bool touch; /* an ingest changed these ideas: updated_at moves too */
	const char *cat[BATCH], *rt[BATCH]; /* static names */
};

static void batch_free(struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		free(b->id[i]);
		free(b->seg[i]);
		free(b->score[i]);
		free(b->bd[i]);
		free(b->nreq[i]);
		free(b->nsrc[i]);
		free(b->nm[i]);
		free(b->cls[i]);
		free(b->last[i]);
	}
	b->n = 0;
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

/* Sends the batch's updates (pipeline mode: the server writes them while
 * the next batch is computed); *sent counts the statements sent. */
static int batch_flush(PGconn *c, struct batch *b, int *sent, struct err *err)
{
	if (!b->n)
		return 0;
	char *cols[11];
	const char *const *src[11] = {
	    (const char *const *)b->id,    b->cat, (const char *const *)b->seg,  b->rt,
	    (const char *const *)b->score, (const char *const *)b->bd,  (const char *const *)b->nreq,
	    (const char *const *)b->nsrc,  (const char *const *)b->nm,  (const char *const *)b->cls,
	    (const char *const *)b->last};
	for (int k = 0; k < 11; k++)
		cols[k] = db_text_array(src[k], b->n);
	const char *p[12];
	for (int k = 0; k < 11; k++)
		p[k] = cols[k];
	p[11] = b->touch ? "t" : "f";
	int rc = db_send(c, sql_update_scores, 12, p, err);
	if (rc == 0) {
		(*sent)++;
		db_pipeline_pump(c);
	}
	for (int k = 0; k < 11; k++)
		free(cols[k]);
	batch_free(b);
	return rc;
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

/* Rescores the ideas whose ids are in the text[] literal ids (NULL: every
 * idea); touch: an ingest changed them. */
static int rescore_set(PGconn *c, struct triage_ctx *t, const char *ids, bool touch, int *count,
		       const struct db_sender *first, struct err *err)
{
	const char *p[] = {ids};
	PGresult *ideas =
	    ids ? db_query(c, RESCORE_IDEAS_SQL("AND idea_id = ANY ($1::bigint[])", "AND i.id = ANY ($1::bigint[])"), 1, p, err)
		: db_query(c, RESCORE_IDEAS_SQL("", ""), 0, NULL, err);
	if (!ideas)
		return -1;
	PGresult *reqs = ids ? db_query(c, RESCORE_REQS_SQL("AND idea_id = ANY ($1::bigint[])"), 1, p, err)
			     : db_query(c, RESCORE_REQS_SQL(""), 0, NULL, err);
	if (!reqs) {
		PQclear(ideas);
		return -1;
	}
	int sent = 0, rc = 0;
	if (db_prepare(c, sql_update_scores, 12, err) < 0 || db_pipeline_begin(c, err) < 0) {
		PQclear(ideas);
		PQclear(reqs);
		return -1;
	}
	if (first)
		rc = first->send(c, first->arg, &sent, err);
	struct batch *b = calloc(1, sizeof(*b));
	b->touch = touch;
	struct requester *req = calloc(MAX_REQUESTERS, sizeof(*req));
	int rows = PQntuples(ideas), rrows = PQntuples(reqs), rj = 0;
	int64_t now = time(NULL);
	for (int i = 0; i < rows && rc == 0; i++) {
		int64_t id = atoll(PQgetvalue(ideas, i, 0));
		int nreq = 0;
		while (rj < rrows && atoll(PQgetvalue(reqs, rj, 0)) < id)
			rj++;
		for (; rj < rrows && atoll(PQgetvalue(reqs, rj, 0)) == id; rj++) {
			if (nreq == MAX_REQUESTERS)
				continue;
			struct requester *q = &req[nreq++];
			memset(q, 0, sizeof(*q));
			if (author_kind_from_name(PQgetvalue(reqs, rj, 1), &q->kind) < 0)
				q->kind = AUTHOR_COMMUNITY;
			if (source_from_name(PQgetvalue(reqs, rj, 2), &q->source) < 0)
				q->source = SRC_GITHUB;
			q->arr = atoll(PQgetvalue(reqs, rj, 3));
			q->posts = atoi(PQgetvalue(reqs, rj, 4));
			q->comments = atoi(PQgetvalue(reqs, rj, 5));
		}
		struct idea_facts f = {.overrides = PQgetvalue(ideas, i, 1),
				       .title = PQgetvalue(ideas, i, 3),
				       .body = PQgetvalue(ideas, i, 4),
				       .labels = PQgetvalue(ideas, i, 5),
				       .table_stakes = PQgetvalue(ideas, i, 2)[0] == 't',
				       .req = req,
				       .nreq = nreq,
				       .nsources = atoi(PQgetvalue(ideas, i, 6)),
				       .votes = atoi(PQgetvalue(ideas, i, 7)),
				       .last_activity = atoll(PQgetvalue(ideas, i, 8)),
				       .now = now};
		struct idea_score sc;
		if (score_facts(t, &f, &sc, err) < 0) {
			rc = -1;
			break;
		}
		/* the batch takes the strings over */
		int k = b->n++;
		b->id[k] = strdup(PQgetvalue(ideas, i, 0));
		b->cat[k] = sc.category;
		b->seg[k] = sc.segments;
		b->rt[k] = sc.runtime;
		b->score[k] = sc.score;
		b->bd[k] = sc.breakdown;
		b->nreq[k] = dup_int(sc.requesters);
		b->nsrc[k] = dup_int(sc.sources);
		b->nm[k] = strdup(PQgetvalue(ideas, i, 9));
		b->last[k] = dup_int((long)sc.last_activity);
		b->cls[k] = sc.classification;
		if (b->n == BATCH)
			rc = batch_flush(c, b, &sent, err);
	}
	if (rc == 0)
		rc = batch_flush(c, b, &sent, err);
	/* the results of what was sent, and out of pipeline mode, even after
	 * an error here (the caller rolls back) */
	if (db_pipeline_finish(c, 0, sent, NULL, NULL, rc == 0 ? err : NULL) < 0)
		rc = -1;
	batch_free(b);
	free(b);
	free(req);
	PQclear(ideas);
	PQclear(reqs);
	if (rc == 0 && count)
		*count = rows;
	return rc;
}

int pipeline_rescore_all(PGconn *c, struct triage_ctx *t, int *count, struct err *err)
{
	return rescore_set(c, t, NULL, false, count, NULL, err);
}

static int rescore_some(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n,
			const struct db_sender *first, struct err *err)
{
	char **v = calloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++) {
		v[i] = malloc(24);
		snprintf(v[i], 24, "%lld", (long long)ids[i]);
	}
	char *lit = db_text_array((const char *const *)v, n);
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	int rc = rescore_set(c, t, lit, true, NULL, first, err);
	free(lit);
	return rc;
}

int pipeline_rescore_ids(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n,
			 struct err *err)
{
	return n > 0 ? rescore_some(c, t, ids, n, NULL, err) : 0;
}

int pipeline_rescore_later(struct triage_ctx *t, const int64_t *ids, int n)
{
	if (n <= 0)
		return 0;
	if (t->nlater + n > t->caplater) {
		int cap = t->caplater ? t->caplater : 1024;
		while (cap < t->nlater + n)
			cap *= 2;
		int64_t *v = realloc(t->later, sizeof(int64_t) * (size_t)cap);
		if (!v)
			return -1;
		t->later = v;
		t->caplater = cap;
	}
	memcpy(t->later + t->nlater, ids, sizeof(int64_t) * (size_t)n);
	t->nlater += n;
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int pipeline_rescore_pending(PGconn *c, struct triage_ctx *t, const struct db_sender *first,
			     struct err *err)
{
	int n = 0, rc = 0;
	if (t->nlater) {
		qsort(t->later, (size_t)t->nlater, sizeof(int64_t), cmp_id);
		for (int i = 0; i < t->nlater; i++)
			if (!n || t->later[n - 1] != t->later[i])
				t->later[n++] = t->later[i];
	}
	/* in slices of 20,000: one statement's arrays stay bounded, and the
	 * updates of one slice go out in batches, written while the next batch
	 * is computed */
	enum { SLICE = 20000 };
	for (int at = 0; at < n && rc == 0; at += SLICE)
		rc = rescore_some(c, t, t->later + at, n - at < SLICE ? n - at : SLICE,
				  at == 0 ? first : NULL, err);
	if (n == 0 && first)
		rc = db_pipeline_run(c, first, err);
	pipeline_rescore_forget(t);
	return rc;
}

void pipeline_rescore_forget(struct triage_ctx *t)
{
	free(t->later);
	t->later = NULL;
	t->nlater = t->caplater = 0;
}
