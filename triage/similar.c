#include "triage/similar.h"

#include <math.h>
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

void similar_score(const struct similar_weights *w, const struct sim_query *q,
		   const struct sim_doc *doc, struct sim_result *out)
{
	memset(out, 0, sizeof(*out));
	double all = shared(&q->all, doc->all_terms, doc->nall, out);
	double title = shared(&q->title, doc->title_terms, doc->ntitle, NULL);
	out->cos_all = q->all.norm > 0 && doc->all_norm > 0 ? all / (q->all.norm * doc->all_norm) : 0;
	out->cos_title =
	    q->title.norm > 0 && doc->title_norm > 0 ? title / (q->title.norm * doc->title_norm) : 0;
	if (out->cos_all > 1)
		out->cos_all = 1; /* stored norms may lag the current idf */
	if (out->cos_title > 1)
		out->cos_title = 1;
	out->score = w->all * out->cos_all + w->title * out->cos_title + w->trigram * doc->trigram;
}
