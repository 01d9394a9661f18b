#include "triage/similar.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <utf8proc.h>
#include <stdlib.h>
#include <string.h>

/* Pseudo-documents that use no term: without them, in a young corpus every
 * term looks common (a term in 1 of 2 ideas gets almost no weight) and the
 * first duplicates would never be recognised. */
#define IDF_PRIOR 50.0

double similar_idf(long df, long n)
{
	if (n < 0)
		n = 0;
	if (df < 0)
		df = 0;
	return log(1.0 + ((double)n + IDF_PRIOR) / ((double)df + 0.5));
}

struct pair {
	const char *term;
	double idf;
};

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->term, ((const struct pair *)b)->term);
}

int termset_init(struct termset *s, const char *const *terms, const double *idf, int n)
{
	memset(s, 0, sizeof(*s));
	if (n <= 0)
		return 0;
	struct pair *p = malloc(sizeof(*p) * (size_t)n);
	s->term = malloc(sizeof(*s->term) * (size_t)n);
	s->idf = malloc(sizeof(*s->idf) * (size_t)n);
	if (!p || !s->term || !s->idf) {
		free(p);
		termset_clear(s);
		return -1;
	}
	for (int i = 0; i < n; i++)
		p[i] = (struct pair){terms[i], idf[i]};
	qsort(p, (size_t)n, sizeof(*p), cmp_pair);
	double sum = 0;
	for (int i = 0; i < n; i++) {
		if (s->n && strcmp(s->term[s->n - 1], p[i].term) == 0)
			continue; /* distinct terms only */
		s->term[s->n] = p[i].term;
		s->idf[s->n] = p[i].idf;
		sum += p[i].idf * p[i].idf;
		s->n++;
	}
	s->norm = sqrt(sum);
	free(p);
	return 0;
}

void termset_clear(struct termset *s)
{
	free(s->term);
	free(s->idf);
	memset(s, 0, sizeof(*s));
}

/* Keeps the SIM_EVIDENCE_TERMS rarest shared terms, rarest first. */
static void keep_evidence(struct sim_result *ev, const char *term, double idf)
{
	int k = ev->nshared;
	if (k == SIM_EVIDENCE_TERMS) {
		if (idf <= ev->shared_idf[k - 1])
			return;
		k--;
	} else {
		ev->nshared++;
	}
	while (k > 0 && ev->shared_idf[k - 1] < idf) {
		ev->shared[k] = ev->shared[k - 1];
		ev->shared_idf[k] = ev->shared_idf[k - 1];
		k--;
	}
	ev->shared[k] = term;
	ev->shared_idf[k] = idf;
}

/* Merge-walks two sorted lists; returns the summed idf^2 of shared terms. */
static double shared(const struct termset *q, const char *const *d, int nd, struct sim_result *ev)
{
	double sum = 0;
	int i = 0, j = 0;
	while (i < q->n && j < nd) {
		int c = strcmp(q->term[i], d[j]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			sum += q->idf[i] * q->idf[i];
			if (ev)
				keep_evidence(ev, q->term[i], q->idf[i]);
			i++;
			j++;
		}
	}
	return sum;
}

/* How well d covers q: the summed idf^2 of the shared terms over what a
 * document of d's length would share with q if it were q itself. A stored
 * idf-weighted norm of d would go stale as the corpus grows (and early ideas
 * would look closer than later ones); d's length does not. With length_exp
 * 0.5 this is the cosine when d's terms weigh, on average, like q's; a
 * larger exponent weighs long documents, whose many terms share something
 * with everything, down more. */
static double coverage(double shared_sum, const struct termset *q, int nd, double length_exp)
{
	if (q->n == 0 || nd == 0 || q->norm <= 0)
		return 0;
	double c = shared_sum / (q->norm * q->norm * pow((double)nd / q->n, length_exp));
	return c > 1 ? 1 : c;
}

/* The cosine with the norm the candidate stored when it was founded. */
static double stored_cosine(double shared_sum, const struct termset *q, double doc_norm)
{
	if (q->norm <= 0 || doc_norm <= 0)
		return 0;
	double c = shared_sum / (q->norm * doc_norm);
	return c > 1 ? 1 : c; /* the stored norm may lag the current idf */
}

void similar_score(const struct similar_weights *w, const struct sim_query *q,
		   const struct sim_doc *doc, struct sim_result *out)
{
	memset(out, 0, sizeof(*out));
	double all = shared(&q->all, doc->all_terms, doc->nall, out);
	double title = shared(&q->title, doc->title_terms, doc->ntitle, NULL);
	out->cos_all = coverage(all, &q->all, doc->nall, w->length_exp);
	out->cos_title = coverage(title, &q->title, doc->ntitle, w->length_exp);
	out->score = w->all * out->cos_all + w->title * out->cos_title + w->trigram * doc->trigram;
	/* joining by itself needs both views to agree: coverage favours a short
	 * candidate ("Rust SDK?" covers much of "Official Python SDK"), the
	 * cosine with the candidate's own norm counts what it says that the
	 * mention does not */
	double st_all = stored_cosine(all, &q->all, doc->all_norm);
	double st_title = stored_cosine(title, &q->title, doc->title_norm);
	out->strict =
	    fmin(out->score, w->all * st_all + w->title * st_title + w->trigram * doc->trigram);
}

/* ---- trigrams ------------------------------------------------------------- */


/* The next UTF-8 character of p as its code point (below 2^21, so three
 * pack exactly into 63 bits), advancing p; a stray byte is itself. */
static uint32_t utf8_unit(const unsigned char **p)
{
	const unsigned char *s = *p;
	int n = *s < 0xc0 ? 1 : *s < 0xe0 ? 2 : *s < 0xf0 ? 3 : 4;
	uint32_t u = n == 1 ? *s : (uint32_t)(*s & (0x3f >> (n - 1)));
	int i = 1;
	for (; i < n && (s[i] & 0xc0) == 0x80; i++)
		u = (u << 6) | (s[i] & 0x3f);
	*p += i;
	return u & 0x1fffff;
}

/* Shell sort: the sets are small, and qsort's comparison calls cost more
 * than the sorting itself. */
static void sort_u64(uint64_t *v, int n)
{
	static const int gaps[] = {301, 132, 57, 23, 10, 4, 1};
	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++)
		for (int i = gaps[g]; i < n; i++) {
			uint64_t x = v[i];
			int j = i;
			for (; j >= gaps[g] && v[j - gaps[g]] > x; j -= gaps[g])
				v[j] = v[j - gaps[g]];
			v[j] = x;
		}
}

/* A letter or digit in any script: what pg_trgm counts as part of a word
 * under a UTF-8 locale. Punctuation such as curly quotes separates words. */
static bool word_char(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
	       (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static uint32_t lower(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp) & 0x1fffff;
}

int trigram_set(const char *key, uint64_t out[TRGM_MAX])
{
	int n = 0;
	const unsigned char *p = (const unsigned char *)(key ? key : "");
	while (*p) {
		uint32_t cp = utf8_unit(&p);
		if (!word_char(cp))
			continue;
		/* "  word ": two spaces before, one after; every run of three */
		uint32_t w0 = ' ', w1 = ' ';
		for (;;) {
			uint32_t w2 = lower(cp);
			if (n < TRGM_MAX)
				out[n++] = ((uint64_t)w0 << 42) | ((uint64_t)w1 << 21) | w2;
			w0 = w1;
			w1 = w2;
			if (!*p)
				break;
			cp = utf8_unit(&p);
			if (!word_char(cp))
				break;
		}
		if (n < TRGM_MAX)
			out[n++] = ((uint64_t)w0 << 42) | ((uint64_t)w1 << 21) | ' ';
	}
	sort_u64(out, n);
	int k = 0;
	for (int i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

double trigram_similarity_sets(const uint64_t *ta, int na, const uint64_t *tb, int nb)
{
	if (na == 0 || nb == 0)
		return 0.0;
	int i = 0, j = 0, shared = 0;
	while (i < na && j < nb) {
		if (ta[i] == tb[j])
			shared++, i++, j++;
		else if (ta[i] < tb[j])
			i++;
		else
			j++;
	}
	return (double)shared / (double)(na + nb - shared);
}

double trigram_similarity(const char *a, const char *b)
{
	uint64_t ta[TRGM_MAX], tb[TRGM_MAX];
	int na = trigram_set(a, ta), nb = trigram_set(b, tb);
	return trigram_similarity_sets(ta, na, tb, nb);
}
