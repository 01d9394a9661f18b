/* triage/similar.h - how alike two ideas are, from their normalised terms.
 * Pure. Terms are weighted by inverse document frequency (rare terms say
 * more); the score mixes how well a candidate covers the new mention's
 * terms (all of them, and the title's) and the trigram similarity of the
 * titles. */
#ifndef TRIAGE_SIMILAR_H
#define TRIAGE_SIMILAR_H

#include <stdint.h>

#include <stddef.h>

/* Distinct terms with their weights, sorted by term (strcmp). */
struct termset {
	const char **term; /* borrowed strings */
	double *idf;
	int n;
	double norm; /* sqrt(sum of idf^2) */
};

struct similar_weights {
	double all;     /* weight of the coverage of title + body terms, e.g. 0.7 */
	double title;   /* weight of the coverage of title terms, e.g. 0.2 */
	double trigram; /* weight of the titles' trigram similarity, e.g. 0.3 */
	double length_exp; /* how much a longer document is weighed down, e.g. 0.5 (see similar_score) */
};

/* A candidate as stored: its distinct terms (sorted) and the norms computed
 * when it was stored. */
struct sim_doc {
	const char *const *title_terms;
	int ntitle;
	double title_norm; /* sqrt(sum idf^2) when stored; only out->strict uses them */
	const char *const *all_terms;
	int nall;
	double all_norm;
	double trigram; /* similarity of the normalised titles, 0..1 */
};

struct sim_query {
	struct termset title;
	struct termset all;
};

#define SIM_EVIDENCE_TERMS 8

struct sim_result {
	double score;                            /* 0 .. about 1.2: for ranking */
	double strict; /* the lower of score and the same mix of cosines with the
			* candidate's stored norms: what auto-merge compares */
	double cos_all, cos_title;               /* the parts */
	const char *shared[SIM_EVIDENCE_TERMS];  /* the rarest shared terms (borrowed), rarest first */
	double shared_idf[SIM_EVIDENCE_TERMS];
	int nshared;
};

/* Builds a termset from terms (borrowed, duplicates allowed) and an idf per
 * term (same order). Returns 0, or -1 when out of memory. */
int termset_init(struct termset *s, const char *const *terms, const double *idf, int n);
void termset_clear(struct termset *s);

/* Scores doc against q: w->all * coverage of q's terms + w->title * coverage
 * of q's title terms + w->trigram * doc->trigram. Coverage is the summed
 * idf^2 of the shared terms / (|q|^2 * (terms of doc / terms of q)^length_exp),
 * at most 1: a cosine whose document side is estimated from its length, so
 * it needs no stored norm (which would lag the idf as the corpus grows).
 * out->strict is the lower of that score and the same mix of cosines with
 * doc's stored norms: a short candidate can cover a mention well without
 * being the same idea, so joining one by itself takes both views. */
void similar_score(const struct similar_weights *w, const struct sim_query *q,
		   const struct sim_doc *doc, struct sim_result *out);

/* idf of a term seen in df of n documents: ln(1 + (n + prior) / (df + 0.5)),
 * smoothed by a prior of empty documents so a young corpus still weighs
 * shared terms sensibly. Always positive. */
double similar_idf(long df, long n);

/* Trigram similarity of two match keys (lowercase words separated by single
 * spaces, as text_match_key makes them), as PostgreSQL's pg_trgm computes
 * it: each word padded with two spaces before and one after, the sets of
 * three-character runs compared, shared / (all of both - shared). 0..1.
 * Computed here rather than in the database: it was a third of the
 * candidate query's time. */
double trigram_similarity(const char *a, const char *b);

/* The same in two steps, for one title compared with many: a key's sorted
 * distinct trigrams (at most TRGM_MAX; returns how many), and the
 * similarity of two such sets. */
#define TRGM_MAX 512
int trigram_set(const char *key, uint64_t out[TRGM_MAX]);
double trigram_similarity_sets(const uint64_t *a, int na, const uint64_t *b, int nb);

#endif
