/* intake/dedup/terms.c - term statistics: document frequencies read from
 * the database (db/terms.h) plus those the open transaction added and
 * writes at commit, and the weighing of a mention's terms by them. */
#include "intake/dedup/match.h"
#include "intake/dedup/match_private.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/terms.h"
#include "intake/dedup/fresh.h"
#include "triage/text.h"

#define MAX_TERMS 400   /* of one mention */
#define BODY_CHARS 4000 /* bodies beyond this add little and cost time */

/* ---- term frequencies pending in the open transaction ---- */

struct df_pending {
	char **term; /* open addressing, power-of-two size */
	long *delta;
	size_t size, used;
	long corpus;
};

static void pending_free(struct df_pending *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->size; i++)
		free(p->term[i]);
	free(p->term);
	free(p->delta);
	free(p);
}

void dedup_tx_clear(struct dedup_tx *d)
{
	pending_free(d->pending);
	d->pending = NULL;
	fresh_free(d->fresh);
	d->fresh = NULL;
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
static int pending_count(struct dedup_tx *d, const struct tokens *terms, long delta)
{
	if (!d->pending && !(d->pending = calloc(1, sizeof(*d->pending))))
		return -1;
	struct df_pending *p = d->pending;
	for (int i = 0; i < terms->n; i++) {
		if ((p->used + 1) * 2 > p->size && pending_grow(p) < 0)
			return -1;
		*pending_slot(p, terms->v[i], true) += delta;
	}
	return 0;
}

int match_pending_add(struct dedup_tx *d, const struct tokens *terms)
{
	if (pending_count(d, terms, 1) < 0)
		return -1;
	d->pending->corpus++;
	return 0;
}

int match_pending_change(struct dedup_tx *d, const struct tokens *removed,
			 const struct tokens *added)
{
	return pending_count(d, removed, -1) < 0 || pending_count(d, added, 1) < 0 ? -1 : 0;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int dedup_tx_flush_terms(PGconn *c, struct dedup_tx *d, bool commit, struct err *err)
{
	struct df_pending *p = d->pending;
	size_t n = 0;
	const char **terms = p && p->used ? malloc(sizeof(char *) * p->used) : NULL;
	long *deltas = p && p->used ? malloc(sizeof(long) * p->used) : NULL;
	if (p && p->used && (!terms || !deltas)) {
		free(terms);
		free(deltas);
		return err_set(err, "out of memory");
	}
	for (size_t i = 0; p && i < p->size; i++)
		if (p->term[i])
			terms[n++] = p->term[i];
	/* sorted, so concurrent writers lock term rows in one order: no deadlock */
	if (n)
		qsort(terms, n, sizeof(char *), cmp_cstr);
	for (size_t i = 0; i < n; i++)
		deltas[i] = *pending_slot(p, terms[i], false);
	int rc = db_terms_add(c, terms, deltas, (int)n, n ? p->corpus : 0, commit, err);
	free(terms);
	free(deltas);
	pending_free(d->pending);
	d->pending = NULL;
	return rc;
}

int match_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and removes duplicates in place; caps the count. */
static void distinct(struct tokens *t, int max)
{
	if (t->n == 0)
		return;
	qsort(t->v, (size_t)t->n, sizeof(char *), match_cmp_str);
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
	struct terms_df q;
	if (db_terms_df((const char *const *)terms->v, terms->n, &q) < 0)
		return err_set(err, "out of memory");
	PGresult *r = db_stmt_query(c, &q.st, err);
	db_terms_df_free(&q);
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

int match_weigh(const struct dedup_tx *d, struct match_query *q, const struct df_table *tab,
		struct err *err)
{
	termset_clear(&q->q.title);
	termset_clear(&q->q.all);
	free(q->title_idf);
	free(q->all_idf);
	/* what the database knows, plus what this transaction added */
	q->corpus = tab->corpus + (d->pending ? d->pending->corpus : 0);
	q->title_idf = calloc((size_t)q->title_toks.n + 1, sizeof(double));
	q->all_idf = calloc((size_t)q->all_toks.n + 1, sizeof(double));
	free(q->all_df);
	q->all_df = calloc((size_t)q->all_toks.n + 1, sizeof(long));
	if (!q->all_idf || !q->all_df)
		return err_set(err, "out of memory");
	for (int i = 0; i < q->all_toks.n; i++) {
		long *pend = pending_slot(d->pending, q->all_toks.v[i], false);
		q->all_df[i] = df_of(tab, q->all_toks.v[i]) + (pend ? *pend : 0);
		q->all_idf[i] = similar_idf(q->all_df[i], q->corpus);
	}
	/* title terms are a subset of all terms: reuse their weights */
	for (int i = 0; i < q->title_toks.n; i++) {
		char **hit = bsearch(&q->title_toks.v[i], q->all_toks.v, (size_t)q->all_toks.n,
				     sizeof(char *), match_cmp_str);
		q->title_idf[i] = hit ? q->all_idf[hit - q->all_toks.v] : similar_idf(0, q->corpus);
	}
	if (termset_init(&q->q.title, (const char *const *)q->title_toks.v, q->title_idf,
			 q->title_toks.n) < 0 ||
	    termset_init(&q->q.all, (const char *const *)q->all_toks.v, q->all_idf,
			 q->all_toks.n) < 0)
		return err_set(err, "out of memory");
	return 0;
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
