#include "intake/dedup/match.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "intake/dedup/fresh.h"
#include "triage/text.h"

#define MAX_TERMS 400      /* of one mention */
#define RETRIEVAL_TERMS 16 /* the rarest query terms used to retrieve candidates */
#define RETRIEVAL_MAX_SHARE 0.02 /* ... each used by at most this share of the ideas */
#define RETRIEVAL_MIN_DF 50      /* ... or this many, in a small corpus */
#define RETRIEVAL_MAX_DF 500     /* ... and never more: retrieval work stays bounded
				  * (008_rare_terms.sql indexes no term beyond it) */
#define BODY_CHARS 4000    /* bodies beyond this add little and cost time */

/* ---- term frequencies pending in the open transaction ---- */

struct df_pending {
	char **term; /* open addressing, power-of-two size */
	long *delta;
	size_t size, used;
	long corpus;
};

void match_pending_free(struct df_pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->size; i++)
		free(p->term[i]);
	free(p->term);
	free(p->delta);
	free(p);
}

void match_pending_reset(struct triage_ctx *t)
{
	match_pending_free(t->pending);
	t->pending = NULL;
}

static long *pending_slot(struct df_pending *p, const char *term, bool create)
{
	if (!p || !p->size)
		return NULL;
	size_t i = text_hash(term) & (p->size - 1);
	for (; p->term[i]; i = (i + 1) & (p->size - 1))
		if (strcmp(p->term[i], term) == 0)
			return &p->delta[i];
	if (!create)
		return NULL;
	p->term[i] = strdup(term);
	p->used++;
	return &p->delta[i];
}

static int pending_grow(struct df_pending *p)
{
	size_t size = p->size ? p->size * 2 : 1024;
	struct df_pending n = {.term = calloc(size, sizeof(char *)),
			       .delta = calloc(size, sizeof(long)), .size = size};
	if (!n.term || !n.delta) {
		free(n.term);
		free(n.delta);
		return -1;
	}
	for (size_t i = 0; i < p->size; i++)
		if (p->term[i]) {
			size_t j = text_hash(p->term[i]) & (size - 1);
			while (n.term[j])
				j = (j + 1) & (size - 1);
			n.term[j] = p->term[i];
			n.delta[j] = p->delta[i];
		}
	free(p->term);
	free(p->delta);
	p->term = n.term;
	p->delta = n.delta;
	p->size = size;
	return 0;
}

/* Adds delta to the pending frequency of each of terms. */
static int pending_count(struct triage_ctx *t, const struct tokens *terms, long delta)
{
	if (!t->pending && !(t->pending = calloc(1, sizeof(*t->pending))))
		return -1;
	struct df_pending *p = t->pending;
	for (int i = 0; i < terms->n; i++) {
		if ((p->used + 1) * 2 > p->size && pending_grow(p) < 0)
			return -1;
		*pending_slot(p, terms->v[i], true) += delta;
	}
	return 0;
}

int match_pending_add(struct triage_ctx *t, const struct tokens *terms)
{
	if (pending_count(t, terms, 1) < 0)
		return -1;
	t->pending->corpus++;
	return 0;
}

int match_pending_change(struct triage_ctx *t, const struct tokens *removed,
			 const struct tokens *added)
{
	return pending_count(t, removed, -1) < 0 || pending_count(t, added, 1) < 0 ? -1 : 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char sql_pending_flush[] =
    "WITH u AS (SELECT t, d::int AS d FROM unnest($1::text[], $2::text[]) AS x(t, d)),"
    " lower AS (UPDATE terms SET df = greatest(0, terms.df + u.d) FROM u"
    "  WHERE u.d < 0 AND terms.term = u.t RETURNING 1),"
    " raise AS (INSERT INTO terms (term, df) SELECT t, d FROM u WHERE d > 0"
    "  ORDER BY t ON CONFLICT (term) DO UPDATE SET df = terms.df + excluded.df"
    "  RETURNING 1)"
    " UPDATE corpus SET ideas = ideas + $3::bigint";

int match_pending_flush(PGconn *c, struct triage_ctx *t, const char *then, struct err *err)
{
	struct df_pending *p = t->pending;
	if (!p || !p->used) {
		match_pending_reset(t);
		if (!then)
			return 0;
		PGresult *r = db_query(c, then, 0, NULL, err);
		PQclear(r);
		return r ? 0 : -1;
	}
	/* sorted, so concurrent writers lock term rows in one order: no deadlock */
	const char **terms = malloc(sizeof(char *) * p->used);
	size_t n = 0;
	for (size_t i = 0; i < p->size; i++)
		if (p->term[i])
			terms[n++] = p->term[i];
	qsort(terms, n, sizeof(char *), cmp_cstr);
	char **deltas = malloc(sizeof(char *) * n);
	for (size_t i = 0; i < n; i++) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%ld", *pending_slot(p, terms[i], false));
		deltas[i] = strdup(buf);
	}
	char *ta = db_text_array(terms, (int)n);
	char *da = db_text_array((const char *const *)deltas, (int)n);
	char corpus[24];
	snprintf(corpus, sizeof(corpus), "%ld", p->corpus);
	const char *params[] = {ta, da, corpus};
	/* a negative delta (an edited idea no longer uses the term) only lowers
	 * a row that exists: as an insert it would break df >= 0 even when it
	 * conflicts */
	struct db_stmt st[] = {{sql_pending_flush, 3, params}, {then, 0, NULL}};
	PGresult *r[2] = {NULL, NULL};
	int rc = db_query_many(c, st, then ? 2 : 1, r, err);
	PQclear(r[0]);
	PQclear(r[1]);
	for (size_t i = 0; i < n; i++)
		free(deltas[i]);
	free(deltas);
	free(terms);
	free(ta);
	free(da);
	match_pending_reset(t);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates in place; caps the count. */
static void distinct(struct tokens *t, int max)
{
	if (t->n == 0)
		return;
	qsort(t->v, (size_t)t->n, sizeof(char *), cmp_str);
	int o = 0;
	for (int i = 0; i < t->n; i++) {
		if (o && strcmp(t->v[o - 1], t->v[i]) == 0) {
			free(t->v[i]);
			continue;
		}
		t->v[o++] = t->v[i];
	}
	for (int i = max; i < o; i++)
		free(t->v[i]);
	t->n = o < max ? o : max;
}

const char match_df_sql[] = "SELECT term, df FROM terms WHERE term = ANY($1::text[])"
			   " UNION ALL SELECT NULL, ideas FROM corpus";

int match_df_read(const PGresult *r, struct df_table *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	int rows = PQntuples(r);
	out->term = calloc((size_t)rows + 1, sizeof(char *));
	out->df = calloc((size_t)rows + 1, sizeof(long));
	if (!out->term || !out->df)
		goto oom;
	for (int k = 0; k < rows; k++) {
		if (PQgetisnull(r, k, 0)) { /* the corpus row */
			out->corpus = atol(PQgetvalue(r, k, 1));
			continue;
		}
		if (!(out->term[out->n] = strdup(PQgetvalue(r, k, 0))))
			goto oom;
		out->df[out->n++] = atol(PQgetvalue(r, k, 1));
	}
	/* looked up once per term of every mention weighed */
	out->size = 16;
	while (out->size < 2 * (size_t)out->n)
		out->size *= 2;
	if (!(out->slot = calloc(out->size, sizeof(int))))
		goto oom;
	for (int i = 0; i < out->n; i++) {
		size_t h = text_hash(out->term[i]) & (out->size - 1);
		while (out->slot[h])
			h = (h + 1) & (out->size - 1);
		out->slot[h] = i + 1;
	}
	return 0;
oom:
	match_df_free(out);
	return err_set(err, "out of memory");
}

int match_df_load(PGconn *c, const struct tokens *terms, struct df_table *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	/* the terms' document frequencies and the corpus size in one round trip */
	char *arr = db_text_array((const char *const *)terms->v, terms->n);
	const char *p[] = {arr};
	PGresult *r = db_query(c, match_df_sql, 1, p, err);
	free(arr);
	if (!r)
		return -1;
	int rc = match_df_read(r, out, err);
	PQclear(r);
	return rc;
}

void match_df_free(struct df_table *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->term[i]);
	free(d->term);
	free(d->df);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

static long df_of(const struct df_table *tab, const char *term)
{
	if (!tab->n || !tab->slot)
		return 0;
	for (size_t h = text_hash(term) & (tab->size - 1); tab->slot[h]; h = (h + 1) & (tab->size - 1))
		if (strcmp(tab->term[tab->slot[h] - 1], term) == 0)
			return tab->df[tab->slot[h] - 1];
	return 0;
}

int match_normalize(struct triage_ctx *t, const struct mention *m, struct match_query *q,
		    struct err *err)
{
	memset(q, 0, sizeof(*q));
	const char *title = m->title && *m->title ? m->title : "";
	char *body = m->body ? text_trim_dup(m->body, BODY_CHARS) : NULL;
	int rc = 0;
	/* the title's tokens once: all terms start with a copy of them */
	if (normalize_text(t->norm, title, &q->title_toks) < 0 ||
	    tokens_append(&q->all_toks, &q->title_toks) < 0 ||
	    normalize_text(t->norm, body, &q->all_toks) < 0)
		rc = err_set(err, "out of memory");
	distinct(&q->title_toks, MAX_TERMS);
	distinct(&q->all_toks, MAX_TERMS);
	q->norm_title = text_match_key(*title ? title : (body ? body : ""));
	q->trgm = malloc(TRGM_MAX * sizeof(uint64_t));
	q->ntrgm = trigram_set(q->norm_title, q->trgm);
	free(body);
	return rc;
}

int match_weigh(struct triage_ctx *t, struct match_query *q, const struct df_table *tab,
		struct err *err)
{
	termset_clear(&q->q.title);
	termset_clear(&q->q.all);
	free(q->title_idf);
	free(q->all_idf);
	/* what the database knows, plus what this transaction added */
	q->corpus = tab->corpus + (t->pending ? t->pending->corpus : 0);
	q->title_idf = calloc((size_t)q->title_toks.n + 1, sizeof(double));
	q->all_idf = calloc((size_t)q->all_toks.n + 1, sizeof(double));
	free(q->all_df);
	q->all_df = calloc((size_t)q->all_toks.n + 1, sizeof(long));
	if (!q->all_idf || !q->all_df)
		return err_set(err, "out of memory");
	for (int i = 0; i < q->all_toks.n; i++) {
		long *pend = pending_slot(t->pending, q->all_toks.v[i], false);
		q->all_df[i] = df_of(tab, q->all_toks.v[i]) + (pend ? *pend : 0);
		q->all_idf[i] = similar_idf(q->all_df[i], q->corpus);
	}
	/* title terms are a subset of all terms: reuse their weights */
	for (int i = 0; i < q->title_toks.n; i++) {
		char **hit = bsearch(&q->title_toks.v[i], q->all_toks.v, (size_t)q->all_toks.n,
				     sizeof(char *), cmp_str);
		q->title_idf[i] = hit ? q->all_idf[hit - q->all_toks.v] : similar_idf(0, q->corpus);
	}
	if (termset_init(&q->q.title, (const char *const *)q->title_toks.v, q->title_idf,
			 q->title_toks.n) < 0 ||
	    termset_init(&q->q.all, (const char *const *)q->all_toks.v, q->all_idf,
			 q->all_toks.n) < 0)
		return err_set(err, "out of memory");
	return 0;
}

int match_prepare(PGconn *c, struct triage_ctx *t, const struct mention *m, struct match_query *q,
		  struct err *err)
{
	if (match_normalize(t, m, q, err) < 0)
		return -1;
	struct df_table tab;
	if (match_df_load(c, &q->all_toks, &tab, err) < 0)
		return -1;
	int rc = match_weigh(t, q, &tab, err);
	match_df_free(&tab);
	return rc;
}

void match_clear(struct match_query *q)
{
	termset_clear(&q->q.title);
	termset_clear(&q->q.all);
	tokens_clear(&q->title_toks);
	tokens_clear(&q->all_toks);
	free(q->title_idf);
	free(q->all_idf);
	free(q->all_df);
	free(q->norm_title);
	free(q->trgm);
	memset(q, 0, sizeof(*q));
}

/* The rarest terms that some idea already uses (a term no idea has can
 * retrieve nothing), sorted. Terms in more than RETRIEVAL_MAX_SHARE of the
 * ideas (or RETRIEVAL_MAX_DF) are left out: their posting lists would make
 * retrieval grow with the corpus. */
void match_retrieval_terms(const struct match_query *q, struct tokens *out)
{
	int n = q->all_toks.n, *idx = malloc(sizeof(int) * (size_t)(n + 1)), k = 0;
	long max_df = (long)(q->corpus * RETRIEVAL_MAX_SHARE);
	if (max_df < RETRIEVAL_MIN_DF)
		max_df = RETRIEVAL_MIN_DF;
	if (max_df > RETRIEVAL_MAX_DF)
		max_df = RETRIEVAL_MAX_DF;
	double min_idf = similar_idf(max_df, q->corpus);
	for (int i = 0; i < n; i++)
		if (q->all_idf[i] < similar_idf(0, q->corpus) - 1e-9 && q->all_idf[i] >= min_idf)
			idx[k++] = i;
	/* rarest first: selection of the top RETRIEVAL_TERMS by idf */
	for (int i = 0; i < k && i < RETRIEVAL_TERMS; i++)
		for (int j = i + 1; j < k; j++)
			if (q->all_idf[idx[j]] > q->all_idf[idx[i]]) {
				int tmp = idx[i];
				idx[i] = idx[j];
				idx[j] = tmp;
			}
	memset(out, 0, sizeof(*out));
	out->v = calloc(RETRIEVAL_TERMS + 1, sizeof(char *));
	for (int i = 0; out->v && i < k && i < RETRIEVAL_TERMS; i++) {
		const char *term = q->all_toks.v[idx[i]];
		/* tokens are letters and digits; anything else would be tsquery syntax */
		bool plain = true;
		for (const char *p = term; *p; p++)
			plain &= !strchr("&|!():*'\\<> ", *p);
		if (plain)
			out->v[out->n++] = strdup(term);
	}
	out->cap = RETRIEVAL_TERMS + 1;
	free(idx);
	if (out->n > 1)
		qsort(out->v, (size_t)out->n, sizeof(char *), cmp_str);
}

char *match_rare_terms(const struct match_query *q)
{
	size_t len = 1;
	for (int i = 0; i < q->all_toks.n; i++)
		len += strlen(q->all_toks.v[i]) + 1;
	char *s = malloc(len), *o = s;
	if (!s)
		return NULL;
	*o = '\0';
	for (int i = 0; i < q->all_toks.n; i++)
		if (!q->all_df || q->all_df[i] < RETRIEVAL_MAX_DF)
			o += sprintf(o, "%s%s", o > s ? " " : "", q->all_toks.v[i]);
	return s;
}

char *match_retrieval_query(const struct tokens *terms)
{
	return tokens_join(terms, " | ");
}

static int cmp_cand(const void *a, const void *b)
{
	double x = ((const struct match_candidate *)a)->r.score;
	double y = ((const struct match_candidate *)b)->r.score;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Re-points evidence at the query's own strings, which outlive the row. */
static void own_evidence(const struct match_query *q, struct sim_result *r)
{
	for (int e = 0; e < r->nshared; e++) {
		const char *term = r->shared[e];
		char **hit = bsearch(&term, q->all_toks.v, (size_t)q->all_toks.n, sizeof(char *), cmp_str);
		r->shared[e] = hit ? *hit : "";
	}
}

/* ---- trigram sets of candidate titles, cached ----
 * Direct-mapped by the title's hash, each slot keeping the title itself:
 * a hit is the set trigram_set would compute for that exact text (titles
 * can be edited; a new text is a new key). Bounded: a collision replaces. */

#define TRGM_SLOTS 16384

struct trgm_slot {
	char *key;
	uint64_t *set;
	int n;
};

struct trgm_cache {
	struct trgm_slot slot[TRGM_SLOTS];
};

void match_trgm_cache_free(struct trgm_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < TRGM_SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].set);
	}
	free(c);
}

/* The trigram set of key (borrowed from the cache, or from buf when the
 * cache cannot keep it); *n its size. */
static const uint64_t *trgm_of(struct triage_ctx *t, const char *key, uint64_t buf[TRGM_MAX],
			       int *n)
{
	if (!t->trgm && !(t->trgm = calloc(1, sizeof(*t->trgm)))) {
		*n = trigram_set(key, buf);
		return buf;
	}
	struct trgm_slot *s = &t->trgm->slot[text_hash(key) & (TRGM_SLOTS - 1)];
	if (s->key && strcmp(s->key, key) == 0) {
		*n = s->n;
		return s->set;
	}
	*n = trigram_set(key, buf);
	uint64_t *set = malloc(sizeof(uint64_t) * (size_t)(*n + 1));
	char *copy = strdup(key);
	if (!set || !copy) {
		free(set);
		free(copy);
		return buf;
	}
	memcpy(set, buf, sizeof(uint64_t) * (size_t)*n);
	free(s->key);
	free(s->set);
	*s = (struct trgm_slot){.key = copy, .set = set, .n = *n};
	return set;
}

/* Sorts t in strcmp order, unless it is already (as the pipeline stores
 * terms): a check is linear, a sort is not, and it runs for every candidate. */
static void sort_terms(struct tokens *t)
{
	int i = 1;
	while (i < t->n && strcmp(t->v[i - 1], t->v[i]) <= 0)
		i++;
	if (i < t->n)
		qsort(t->v, (size_t)t->n, sizeof(char *), cmp_str);
}

int match_score_row(struct triage_ctx *t, const struct match_query *q, PGresult *r, int row,
		    int col, struct match_candidate *out)
{
	struct tokens tt = {0}, at = {0};
	int keep = 0;
	if (db_parse_text_array(PQgetvalue(r, row, col + 1), &tt) == 0 &&
	    db_parse_text_array(PQgetvalue(r, row, col + 3), &at) == 0) {
		/* stored in strcmp order (match_normalize), but an array may come
		 * from elsewhere, sorted in the database's locale */
		sort_terms(&tt);
		sort_terms(&at);
		struct sim_doc d = {.title_terms = (const char *const *)tt.v,
				    .ntitle = tt.n,
				    .title_norm = atof(PQgetvalue(r, row, col + 2)),
				    .all_terms = (const char *const *)at.v,
				    .nall = at.n,
				    .all_norm = atof(PQgetvalue(r, row, col + 4)),
				    .trigram = 0};
		uint64_t buf[TRGM_MAX];
		int nt;
		const uint64_t *trgm = trgm_of(t, PQgetvalue(r, row, col + 5), buf, &nt);
		d.trigram = trigram_similarity_sets(trgm, nt, q->trgm, q->ntrgm);
		memset(out, 0, sizeof(*out));
		out->idea_id = atoll(PQgetvalue(r, row, col));
		similar_score(&t->rules->sim, &q->q, &d, &out->r);
		own_evidence(q, &out->r);
		keep = out->r.score >= t->rules->suggest;
	}
	tokens_clear(&tt);
	tokens_clear(&at);
	return keep;
}

int match_score_doc(struct triage_ctx *t, const struct match_query *q, const struct sim_doc *d,
		    int64_t idea_id, struct match_candidate *out)
{
	memset(out, 0, sizeof(*out));
	out->idea_id = idea_id;
	similar_score(&t->rules->sim, &q->q, d, &out->r);
	own_evidence(q, &out->r);
	return out->r.score >= t->rules->suggest;
}

int match_best(struct match_candidate *c, int n)
{
	qsort(c, (size_t)n, sizeof(*c), cmp_cand);
	return n < MATCH_MAX ? n : MATCH_MAX;
}

int match_fresh(struct triage_ctx *t, const struct match_query *q, const struct tokens *terms,
		struct match_candidate *out)
{
	int max = t->rules->candidates, *entry = malloc(sizeof(int) * (size_t)(max + 1)), k = 0;
	if (!entry)
		return 0;
	int n = fresh_retrieve(t->fresh, terms, max, entry);
	for (int i = 0; i < n; i++) {
		struct sim_doc d;
		fresh_doc(t->fresh, entry[i], q->trgm, q->ntrgm, &d);
		k += match_score_doc(t, q, &d, fresh_id(t->fresh, entry[i]), &out[k]);
	}
	free(entry);
	return k;
}

int match_find(PGconn *c, struct triage_ctx *t, const struct match_query *q,
	       struct match_candidate *out, int *n, struct err *err)
{
	*n = 0;
	if (q->all_toks.n == 0 && !*q->norm_title)
		return 0;
	struct tokens terms;
	match_retrieval_terms(q, &terms);
	if (!terms.n) {
		tokens_clear(&terms);
		return 0; /* no term any idea has: nothing can match */
	}
	char *tsq = match_retrieval_query(&terms);
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", t->rules->candidates);
	const char *p[] = {tsq, limit};
	/* Candidates come from the full-text index on the rarest terms only: it
	 * stays selective at any size. (A trigram search on titles was dropped:
	 * with many similar titles it cannot use the index to order and
	 * degrades to a scan.) The titles' trigram similarity is still computed,
	 * here, for the candidates found. The ideas founded by the open
	 * transaction's many-at-once ingest are not in that index yet: they are
	 * retrieved from memory, ranked the same way. The query is
	 * MATCH_CANDIDATES_SQL in a function that keeps one generic plan
	 * (db/migrations/011): planning it for each mention cost half as much
	 * as running it. */
	PGresult *r = db_query(c, "SELECT * FROM idea_candidates($1, $2::int)", 2, p, err);
	free(tsq);
	if (!r) {
		tokens_clear(&terms);
		return -1;
	}
	int rows = PQntuples(r), k = 0;
	struct match_candidate *all = calloc((size_t)rows + (size_t)t->rules->candidates + 1,
					     sizeof(*all));
	for (int i = 0; i < rows; i++)
		k += match_score_row(t, q, r, i, 0, &all[k]);
	k += match_fresh(t, q, &terms, &all[k]);
	*n = match_best(all, k);
	memcpy(out, all, sizeof(*out) * (size_t)*n);
	free(all);
	PQclear(r);
	tokens_clear(&terms);
	return 0;
}

static const char sql_insert_idea[] =
    "WITH i AS (INSERT INTO ideas (title, norm_title, title_terms, all_terms,"
    "  title_norm, all_norm, " MATCH_SCORE_COLUMNS ")"
    "  VALUES ($1, $2, $3::text[], $4::text[], $5, $6, "
    MATCH_SCORE_VALUES("$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
		       "$16") ") RETURNING id, " MATCH_SEARCH_COPY ")"
    " INSERT INTO idea_search (idea_id, search, rare, " MATCH_SEARCH_COPY ")"
    " SELECT id, array_to_tsvector(array_remove($4::text[], '')),"
    " array_to_tsvector(array_remove(string_to_array($17, ' '), '')), "
    MATCH_SEARCH_COPY " FROM i RETURNING idea_id";

int match_idea_insert(const struct match_query *q, const char *title,
		      const struct idea_score *sc, struct idea_insert *out)
{
	memset(out, 0, sizeof(*out));
	out->tt = db_text_array((const char *const *)q->title_toks.v, q->title_toks.n);
	out->at = db_text_array((const char *const *)q->all_toks.v, q->all_toks.n);
	out->rare = match_rare_terms(q);
	if (!out->tt || !out->at || !out->rare) {
		match_idea_insert_free(out);
		return -1;
	}
	snprintf(out->tn, sizeof(out->tn), "%.6f", q->q.title.norm);
	snprintf(out->an, sizeof(out->an), "%.6f", q->q.all.norm);
	if (sc) {
		snprintf(out->nr, sizeof(out->nr), "%d", sc->requesters);
		snprintf(out->ns, sizeof(out->ns), "%d", sc->sources);
		snprintf(out->nm, sizeof(out->nm), "%d", sc->mentions);
		snprintf(out->last, sizeof(out->last), "%lld", (long long)sc->last_activity);
	}
	const char *p[] = {title,
			   q->norm_title,
			   out->tt,
			   out->at,
			   out->tn,
			   out->an,
			   sc ? sc->category : NULL,
			   sc ? sc->segments : NULL,
			   sc ? sc->runtime : NULL,
			   sc ? sc->score : NULL,
			   sc ? sc->breakdown : NULL,
			   sc ? sc->classification : NULL,
			   sc ? out->nr : NULL,
			   sc ? out->ns : NULL,
			   sc ? out->nm : NULL,
			   sc ? out->last : NULL,
			   out->rare};
	memcpy(out->p, p, sizeof(p));
	out->st = (struct db_stmt){sql_insert_idea, 17, out->p};
	return 0;
}

void match_idea_insert_free(struct idea_insert *s)
{
	free(s->tt);
	free(s->at);
	free(s->rare);
	memset(s, 0, sizeof(*s));
}

/* Terms of a that b lacks (both sorted, strcmp), borrowed into out. */
static void terms_minus(const struct tokens *a, const struct tokens *b, struct tokens *out)
{
	out->v = calloc((size_t)a->n + 1, sizeof(char *));
	out->n = 0;
	for (int i = 0, j = 0; i < a->n; i++) {
		while (j < b->n && strcmp(b->v[j], a->v[i]) < 0)
			j++;
		if (j >= b->n || strcmp(b->v[j], a->v[i]) != 0)
			out->v[out->n++] = a->v[i];
	}
}

static bool same_terms(const struct tokens *a, const struct tokens *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

int match_refresh_idea(PGconn *c, struct triage_ctx *t, const char *idea_id,
		       const struct mention *m, struct err *err)
{
	/* an idea founded by this transaction has no full-text entry for the
	 * trigger to follow yet: written now, with the others (rare) */
	if (fresh_has(t->fresh, atoll(idea_id)) && fresh_flush(c, &t->fresh, err) < 0)
		return -1;
	const char *p1[] = {idea_id};
	PGresult *r = db_query(c, "SELECT title_terms, all_terms FROM ideas WHERE id = $1", 1, p1, err);
	if (!r)
		return -1;
	struct tokens old_title = {0}, old_all = {0};
	int rc = -1;
	if (PQntuples(r) != 1 || db_parse_text_array(PQgetvalue(r, 0, 0), &old_title) < 0 ||
	    db_parse_text_array(PQgetvalue(r, 0, 1), &old_all) < 0) {
		PQclear(r);
		tokens_clear(&old_title);
		tokens_clear(&old_all);
		return err_set(err, "idea %s: its terms cannot be read", idea_id);
	}
	PQclear(r);
	if (old_all.n)
		qsort(old_all.v, (size_t)old_all.n, sizeof(char *), cmp_str);
	if (old_title.n)
		qsort(old_title.v, (size_t)old_title.n, sizeof(char *), cmp_str);
	struct match_query q;
	if (match_prepare(c, t, m, &q, err) < 0)
		goto out_old;
	if (same_terms(&old_all, &q.all_toks) && same_terms(&old_title, &q.title_toks)) {
		rc = 0; /* an edit that changes no term (wording, punctuation) */
		goto out;
	}
	char *tt = db_text_array((const char *const *)q.title_toks.v, q.title_toks.n);
	char *at = db_text_array((const char *const *)q.all_toks.v, q.all_toks.n);
	char tn[32], an[32];
	snprintf(tn, sizeof(tn), "%.6f", q.q.title.norm);
	snprintf(an, sizeof(an), "%.6f", q.q.all.norm);
	const char *p2[] = {idea_id, tt, at, tn, an};
	/* its full-text entry and retrieval copy follow (007's trigger) */
	r = db_query(c,
		     "UPDATE ideas SET title_terms = $2::text[], all_terms = $3::text[],"
		     " title_norm = $4, all_norm = $5 WHERE id = $1",
		     5, p2, err);
	free(tt);
	free(at);
	if (!r)
		goto out;
	PQclear(r);
	struct tokens gone, came;
	terms_minus(&old_all, &q.all_toks, &gone);
	terms_minus(&q.all_toks, &old_all, &came);
	rc = match_pending_change(t, &gone, &came) < 0 ? err_set(err, "out of memory") : 0;
	free(gone.v); /* the strings are borrowed */
	free(came.v);
out:
	match_clear(&q);
out_old:
	tokens_clear(&old_title);
	tokens_clear(&old_all);
	return rc;
}

/* x (0 <= x < 1e9) with four decimals, as "%.4f" of x rounded to them
 * prints it; returns the end. */
static char *put_fixed4(char *o, double x)
{
	if (!(x >= 0 && x < 1e9))
		return o + sprintf(o, "%.4f", round(x * 1e4) / 1e4);
	long long k = llround(x * 1e4);
	o += sprintf(o, "%lld", k / 10000);
	int frac = (int)(k % 10000);
	*o++ = '.';
	for (int d = 1000; d; d /= 10) {
		*o++ = (char)('0' + frac / d);
		frac %= d;
	}
	return o;
}

/* Written by hand: this runs for every suggestion of every mention, and a
 * JSON library's general number formatting (then stdio's) cost more than
 * the match. */
char *match_evidence_json(const struct sim_result *r)
{
	size_t len = 64 + 4 * 320; /* keys, and four numbers at their longest */
	for (int i = 0; i < r->nshared; i++)
		len += 6 * strlen(r->shared[i]) + 3; /* each byte escaped at worst */
	char *buf = malloc(len), *o = buf;
	if (!buf)
		return NULL;
	const char *keys[] = {"{\"similarity\":", ",\"strict\":", ",\"all_terms\":",
			      ",\"title_terms\":"};
	double vals[] = {r->score, r->strict, r->cos_all, r->cos_title};
	for (int k = 0; k < 4; k++) {
		o = stpcpy(o, keys[k]);
		o = put_fixed4(o, vals[k]);
	}
	o = stpcpy(o, ",\"shared\":[");
	for (int i = 0; i < r->nshared; i++) {
		o = stpcpy(o, i ? ",\"" : "\"");
		for (const unsigned char *p = (const unsigned char *)r->shared[i]; *p; p++) {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
				*o++ = (char)*p;
			} else if (*p < 0x20) {
				o += sprintf(o, "\\u%04x", *p);
			} else {
				*o++ = (char)*p;
			}
		}
		*o++ = '"';
	}
	strcpy(o, "]}");
	return buf;
}

/* once per pair, from the new idea; readers look both ways */
static const char sql_insert_similar[] =
    "INSERT INTO idea_similar (idea_id, other_id, similarity, evidence)"
    " SELECT coalesce($1::bigint, " MATCH_NEW_IDEA "), u.o, u.s, u.e::jsonb"
    " FROM unnest($2::bigint[], $3::float8[], $4::text[]) AS u(o, s, e)"
    " ORDER BY u.o"
    " ON CONFLICT (idea_id, other_id) DO UPDATE"
    " SET similarity = excluded.similarity, evidence = excluded.evidence";

int match_similar_insert(const char *idea_id, const struct match_candidate *cand, int n,
			 struct similar_insert *out)
{
	memset(out, 0, sizeof(*out));
	/* all of them in one statement */
	char **ids = calloc((size_t)n + 1, sizeof(char *)), **sims = calloc((size_t)n + 1, sizeof(char *)),
	     **evs = calloc((size_t)n + 1, sizeof(char *));
	bool ok = ids && sims && evs;
	for (int i = 0; ok && i < n; i++) {
		ids[i] = malloc(24);
		sims[i] = malloc(32);
		evs[i] = match_evidence_json(&cand[i].r);
		if (!(ok = ids[i] && sims[i] && evs[i]))
			break;
		snprintf(ids[i], 24, "%lld", (long long)cand[i].idea_id);
		snprintf(sims[i], 32, "%.4f", cand[i].r.score);
	}
	if (ok) {
		out->ids = db_text_array((const char *const *)ids, n);
		out->sims = db_text_array((const char *const *)sims, n);
		out->evs = db_text_array((const char *const *)evs, n);
		ok = out->ids && out->sims && out->evs;
	}
	for (int i = 0; i < n; i++) {
		free(ids ? ids[i] : NULL);
		free(sims ? sims[i] : NULL);
		free(evs ? evs[i] : NULL);
	}
	free(ids);
	free(sims);
	free(evs);
	if (!ok) {
		match_similar_insert_free(out);
		return -1;
	}
	out->p[0] = idea_id;
	out->p[1] = out->ids;
	out->p[2] = out->sims;
	out->p[3] = out->evs;
	out->st = (struct db_stmt){sql_insert_similar, 4, out->p};
	return 0;
}

void match_similar_insert_free(struct similar_insert *s)
{
	free(s->ids);
	free(s->sims);
	free(s->evs);
	memset(s, 0, sizeof(*s));
}
