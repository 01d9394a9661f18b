/* intake/ingest/rescore.c - see rescore.h. The breakdown is stored so the
 * internal view can say why. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/array.h"
#include "db/db.h"
#include "db/scores.h"
#include "intake/ingest/rescore.h"

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

bool rescore_can_prescore(const struct mention *m)
{
	/* deleted: no demand, which the rescore finds from the stored rows;
	 * labels: the rescore reads them back in the database's collation
	 * order, which names them in the classification's "why"; no upstream
	 * time: activity would be the transaction's now(), unknown here */
	return !m->deleted && m->nlabels == 0 && (m->updated_at || m->created_at);
}

int rescore_prescore(struct triage_ctx *t, const struct mention *m, struct idea_score *out,
		      struct err *err)
{
	/* as rescore_idea would read them back from the idea's one mention */
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

struct db_stmt rescore_read_stmt(const char *idea_id, const char **p)
{
	return db_score_read_stmt(idea_id, p);
}

int rescore_idea(PGconn *c, struct triage_ctx *t, const char *idea_id, struct err *err)
{
	PGresult *row = db_score_read(c, idea_id, err);
	if (!row)
		return -1;
	int rc = rescore_apply(c, t, idea_id, row, err);
	PQclear(row);
	return rc;
}

/* A requester of rows r (columns from col on: kind, source, arr, posts,
 * comments) into *q. */
static void requester_of(const PGresult *r, int row, int col, struct requester *q)
{
	memset(q, 0, sizeof(*q));
	if (author_kind_from_name(PQgetvalue(r, row, col), &q->kind) < 0)
		q->kind = AUTHOR_COMMUNITY;
	if (source_from_name(PQgetvalue(r, row, col + 1), &q->source) < 0)
		q->source = SRC_GITHUB;
	q->arr = atoll(PQgetvalue(r, row, col + 2));
	q->posts = atoi(PQgetvalue(r, row, col + 3));
	q->comments = atoi(PQgetvalue(r, row, col + 4));
}

/* An idea's facts from row of r, its columns from col on (overrides,
 * table_stakes, title, body, labels, sources, votes, last activity): the
 * strings borrowed from r. */
static struct idea_facts facts_of(const PGresult *r, int row, int col, int64_t now)
{
	return (struct idea_facts){.overrides = PQgetvalue(r, row, col),
				   .table_stakes = PQgetvalue(r, row, col + 1)[0] == 't',
				   .title = PQgetvalue(r, row, col + 2),
				   .body = PQgetvalue(r, row, col + 3),
				   .labels = PQgetvalue(r, row, col + 4),
				   .nsources = atoi(PQgetvalue(r, row, col + 5)),
				   .votes = atoi(PQgetvalue(r, row, col + 6)),
				   .last_activity = atoll(PQgetvalue(r, row, col + 7)),
				   .now = now};
}

int rescore_apply(PGconn *c, struct triage_ctx *t, const char *idea_id, const PGresult *row,
		  struct err *err)
{
	if (PQntuples(row) < 1)
		return err_set(err, "no idea %s", idea_id);
	int nreq = PQgetisnull(row, 0, 9) ? 0 : PQntuples(row);
	struct requester *req = calloc((size_t)nreq + 1, sizeof(*req));
	if (!req)
		return err_set(err, "out of memory");
	for (int i = 0; i < nreq; i++)
		requester_of(row, i, 9, &req[i]);
	struct idea_facts f = facts_of(row, 0, 0, time(NULL));
	f.req = req;
	f.nreq = nreq;
	struct idea_score sc;
	int rc = score_facts(t, &f, &sc, err);
	free(req);
	if (rc < 0)
		return -1;
	sc.mentions = atoi(PQgetvalue(row, 0, 8));
	rc = db_score_store(c, idea_id, &sc, err);
	idea_score_clear(&sc);
	return rc;
}

/* ---- many ideas at once: `ideatriage rescore`, and an ingest's commit ----
 * Two streaming reads (ideas with their aggregates; requesters grouped by
 * idea), the rules applied in C, and updates sent in batches through unnest
 * in pipeline mode (the server writes a batch while the next is computed),
 * so 100,000 ideas take seconds, not one round trip each. */

#define BATCH 2000

struct batch {
	int n;
	bool touch; /* an ingest changed these ideas: updated_at moves too */
	int64_t id[BATCH];
	struct idea_score sc[BATCH];
};

/* Sends the batch's updates (pipeline mode: the server writes them while
 * the next batch is computed); *sent counts the statements sent. */
static int batch_flush(PGconn *c, struct batch *b, int *sent, struct err *err)
{
	if (!b->n)
		return 0;
	int rc = db_scores_send(c, b->id, b->sc, b->n, b->touch, err);
	if (rc == 0) {
		(*sent)++;
		db_pipeline_pump(c);
	}
	for (int i = 0; i < b->n; i++)
		idea_score_clear(&b->sc[i]);
	b->n = 0;
	return rc;
}

/* What a rescore of many ideas walks: the ideas' rows, and their
 * requesters' rows (ordered by idea, read from rj on). */
struct walk {
	PGresult *ideas, *reqs;
	int rj;
	struct requester *req; /* room for MAX_REQUESTERS */
	int64_t now;
	const struct rescore_progress *progress; /* NULL: nobody watches */
};

/* Scores row i of the walk into *out (the id into *id). */
static int score_row(struct triage_ctx *t, struct walk *wk, int i, int64_t *id,
		     struct idea_score *out, struct err *err)
{
	*id = atoll(PQgetvalue(wk->ideas, i, 0));
	int nreq = 0, rrows = PQntuples(wk->reqs);
	while (wk->rj < rrows && atoll(PQgetvalue(wk->reqs, wk->rj, 0)) < *id)
		wk->rj++;
	for (; wk->rj < rrows && atoll(PQgetvalue(wk->reqs, wk->rj, 0)) == *id; wk->rj++)
		if (nreq < MAX_REQUESTERS)
			requester_of(wk->reqs, wk->rj, 1, &wk->req[nreq++]);
	struct idea_facts f = facts_of(wk->ideas, i, 1, wk->now);
	f.req = wk->req;
	f.nreq = nreq;
	if (score_facts(t, &f, out, err) < 0)
		return -1;
	out->mentions = atoi(PQgetvalue(wk->ideas, i, 9));
	return 0;
}

/* Rescores the ideas ids[0..n) (NULL: every idea); touch: an ingest
 * changed them. first: as rescore_set_of's. */
static int rescore_set(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n, bool touch,
		       int *count, const struct db_sender *first,
		       const struct rescore_progress *progress, struct err *err)
{
	struct walk wk = {.now = time(NULL), .progress = progress};
	if (db_scores_read(c, ids, n, &wk.ideas, &wk.reqs, err) < 0)
		return -1;
	int sent = 0, rc = 0, rows = PQntuples(wk.ideas);
	if (db_scores_prepare(c, err) < 0 || db_pipeline_begin(c, err) < 0) {
		PQclear(wk.ideas);
		PQclear(wk.reqs);
		return -1;
	}
	if (first)
		rc = first->send(c, first->arg, &sent, err);
	struct batch *b = calloc(1, sizeof(*b));
	wk.req = calloc(MAX_REQUESTERS, sizeof(*wk.req));
	if (rc == 0 && (!b || !wk.req))
		rc = err_set(err, "out of memory");
	if (b)
		b->touch = touch;
	for (int i = 0; i < rows && rc == 0; i++) {
		if ((rc = score_row(t, &wk, i, &b->id[b->n], &b->sc[b->n], err)) < 0)
			break;
		if (++b->n == BATCH)
			rc = batch_flush(c, b, &sent, err);
		if (wk.progress && rc == 0)
			wk.progress->fn(i + 1, rows, wk.progress->arg);
	}
	if (rc == 0)
		rc = batch_flush(c, b, &sent, err);
	/* the results of what was sent, and out of pipeline mode, even after
	 * an error here (the caller rolls back) */
	if (db_pipeline_finish(c, 0, sent, NULL, NULL, rc == 0 ? err : NULL) < 0)
		rc = -1;
	for (int i = 0; b && i < b->n; i++)
		idea_score_clear(&b->sc[i]);
	free(b);
	free(wk.req);
	PQclear(wk.ideas);
	PQclear(wk.reqs);
	if (rc == 0 && count)
		*count = rows;
	return rc;
}

int rescore_all(PGconn *c, struct triage_ctx *t, const struct rescore_progress *progress,
		int *count, struct err *err)
{
	return rescore_set(c, t, NULL, 0, false, count, NULL, progress, err);
}

int rescore_ids(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n, struct err *err)
{
	return n > 0 ? rescore_set(c, t, ids, n, true, NULL, NULL, NULL, err) : 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int rescore_set_of(PGconn *c, struct triage_ctx *t, int64_t *ids, int n,
		   const struct db_sender *first, struct err *err)
{
	int m = 0, rc = 0;
	if (n) {
		qsort(ids, (size_t)n, sizeof(int64_t), cmp_id);
		for (int i = 0; i < n; i++)
			if (!m || ids[m - 1] != ids[i])
				ids[m++] = ids[i];
	}
	/* in slices of 20,000: one statement's arrays stay bounded, and the
	 * updates of one slice go out in batches, written while the next batch
	 * is computed */
	enum { SLICE = 20000 };
	for (int at = 0; at < m && rc == 0; at += SLICE)
		rc = rescore_set(c, t, ids + at, m - at < SLICE ? m - at : SLICE, true, NULL,
				 at == 0 ? first : NULL, NULL, err);
	if (m == 0 && first)
		rc = db_pipeline_run(c, first, err);
	return rc;
}
