/* intake/dedup/retrieve.c - candidate retrieval and verification: the
 * rarest terms of a mention retrieve candidates from the database's index
 * of rare terms (db/retrieval.h) and from the transaction's own index
 * (fresh.h), ranked alike; each is verified with triage/similar. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/retrieval.h"
#include "intake/dedup/fresh.h"
#include "intake/dedup/match.h"
#include "intake/dedup/match_private.h"
#include "triage/text.h"
#include "triage/trgm_cache.h"

#define RETRIEVAL_TERMS 16       /* the rarest query terms used to retrieve candidates */
#define RETRIEVAL_MAX_SHARE 0.02 /* ... each used by at most this share of the ideas */
#define RETRIEVAL_MIN_DF 50      /* ... or this many, in a small corpus (and never
				  * more than RETRIEVAL_MAX_DF) */

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
		qsort(out->v, (size_t)out->n, sizeof(char *), match_cmp_str);
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

/* Re-points evidence at the query's own strings, which outlive the row. */
static void own_evidence(const struct match_query *q, struct sim_result *r)
{
	for (int e = 0; e < r->nshared; e++) {
		const char *term = r->shared[e];
		char **hit = bsearch(&term, q->all_toks.v, (size_t)q->all_toks.n, sizeof(char *), match_cmp_str);
		r->shared[e] = hit ? *hit : "";
	}
}

/* Sorts t in strcmp order, unless it is already (as the pipeline stores
 * terms): a check is linear, a sort is not, and it runs for every candidate. */
static void sort_terms(struct tokens *t)
{
	int i = 1;
	while (i < t->n && strcmp(t->v[i - 1], t->v[i]) <= 0)
		i++;
	if (i < t->n)
		qsort(t->v, (size_t)t->n, sizeof(char *), match_cmp_str);
}

int match_score_row(struct triage_ctx *t, const struct match_query *q, PGresult *r, int row,
		    int col, struct dedup_candidate *out)
{
	struct tokens tt = {0}, at = {0};
	int scored = 0;
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
		const uint64_t *trgm = trgm_cache_get(&t->trgm, PQgetvalue(r, row, col + 5), buf, &nt);
		d.trigram = trigram_similarity_sets(trgm, nt, q->trgm, q->ntrgm);
		memset(out, 0, sizeof(*out));
		out->idea_id = atoll(PQgetvalue(r, row, col));
		similar_score(&t->rules->sim, &q->q, &d, &out->r);
		own_evidence(q, &out->r);
		scored = 1;
	}
	tokens_clear(&tt);
	tokens_clear(&at);
	return scored;
}

int match_fresh(struct triage_ctx *t, struct dedup_tx *dx, const struct match_query *q,
		const struct tokens *terms, struct dedup_candidate *out)
{
	int max = t->rules->candidates, *entry = malloc(sizeof(int) * (size_t)(max + 1)), k = 0;
	if (!entry)
		return 0;
	int n = fresh_retrieve(dx->fresh, terms, max, entry);
	for (; k < n; k++) {
		struct sim_doc d;
		fresh_doc(dx->fresh, entry[k], q->trgm, q->ntrgm, &d);
		memset(&out[k], 0, sizeof(out[k]));
		out[k].idea_id = fresh_id(dx->fresh, entry[k]);
		similar_score(&t->rules->sim, &q->q, &d, &out[k].r);
		own_evidence(q, &out[k].r);
	}
	free(entry);
	return k;
}

int match_find(PGconn *c, struct triage_ctx *t, struct dedup_tx *d, const struct match_query *q,
	       struct dedup_candidate **out, int *n, struct err *err)
{
	*out = NULL;
	*n = 0;
	if (q->all_toks.n == 0 && !*q->norm_title)
		return 0;
	struct tokens terms;
	match_retrieval_terms(q, &terms);
	if (!terms.n) {
		tokens_clear(&terms);
		return 0; /* no term any idea has: nothing can match */
	}
	/* Candidates come from the full-text index on the rarest terms only: it
	 * stays selective at any size. (A trigram search on titles was dropped:
	 * with many similar titles it cannot use the index to order and
	 * degrades to a scan.) The titles' trigram similarity is still computed,
	 * here, for the candidates found. The ideas founded by the open
	 * transaction's many-at-once ingest are not in that index yet: they are
	 * retrieved from memory, ranked the same way. */
	char *tsq = match_retrieval_query(&terms);
	PGresult *r = tsq ? db_candidates(c, tsq, t->rules->candidates, err) : NULL;
	if (!tsq)
		err_set(err, "out of memory");
	free(tsq);
	int rows = r ? PQntuples(r) : 0, k = 0;
	struct dedup_candidate *all =
	    r ? calloc((size_t)rows + (size_t)t->rules->candidates + 1, sizeof(*all)) : NULL;
	if (r && !all)
		err_set(err, "out of memory");
	for (int i = 0; all && i < rows; i++)
		k += match_score_row(t, q, r, i, 0, &all[k]);
	if (all)
		k += match_fresh(t, d, q, &terms, &all[k]);
	PQclear(r);
	tokens_clear(&terms);
	if (!all)
		return -1;
	*out = all;
	*n = k;
	return 0;
}
