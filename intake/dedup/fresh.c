/* intake/dedup/fresh.c - see fresh.h. Why an index of its own, with a
 * copy of ts_rank: a long import's ideas get their full-text entries only
 * at commit (one statement per 20,000 instead of one per group), so the
 * database's index of rare terms stays the size it had before the import
 * and retrieval does not slow down as the import goes; the import's own
 * ideas are found here instead. To be found and ranked exactly as the
 * database would (ties included: the equivalence test of one at a time
 * against many at once depends on it), fresh_ts_rank repeats PostgreSQL's
 * float arithmetic step for step. Speed, not behaviour: without it the
 * same decisions would come from the database, slower. */
#include "intake/dedup/fresh.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/ideas.h"
#include "triage/text.h"

struct fresh_entry {
	int64_t id;
	const char **title, **all; /* interned in the term table, sorted */
	int ntitle, nall;
	double title_norm, all_norm;
	uint64_t *trgm;
	int ntrgm;
	char *rare;
};

/* A term and the entries using it, ascending. */
struct posting {
	char *term;
	int *entry;
	int n, cap;
};

struct fresh_index {
	struct fresh_entry *e;
	int n, cap;
	struct posting *slot; /* open addressing, power-of-two size, at most half full */
	size_t size, used;
	int *hits;    /* per entry: matched query terms, during fresh_retrieve */
	int *touched; /* the entries with hits */
};

static struct posting *find_slot(struct posting *slot, size_t size, const char *term)
{
	size_t i = text_hash(term) & (size - 1);
	while (slot[i].term && strcmp(slot[i].term, term) != 0)
		i = (i + 1) & (size - 1);
	return &slot[i];
}

static int grow_table(struct fresh_index *fx)
{
	size_t size = fx->size ? fx->size * 2 : 4096;
	struct posting *slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t i = 0; i < fx->size; i++)
		if (fx->slot[i].term)
			*find_slot(slot, size, fx->slot[i].term) = fx->slot[i];
	free(fx->slot);
	fx->slot = slot;
	fx->size = size;
	return 0;
}

/* The posting of term, created when missing; NULL when out of memory. */
static struct posting *posting_of(struct fresh_index *fx, const char *term)
{
	if ((fx->used + 1) * 2 > fx->size && grow_table(fx) < 0)
		return NULL;
	struct posting *p = find_slot(fx->slot, fx->size, term);
	if (!p->term) {
		if (!(p->term = strdup(term)))
			return NULL;
		fx->used++;
	}
	return p;
}

static int grow_entries(struct fresh_index *fx)
{
	int cap = fx->cap ? 2 * fx->cap : 1024;
	struct fresh_entry *e = realloc(fx->e, sizeof(*e) * (size_t)cap);
	int *hits = e ? realloc(fx->hits, sizeof(int) * (size_t)cap) : NULL;
	if (e)
		fx->e = e;
	if (hits) {
		memset(hits + fx->cap, 0, sizeof(int) * (size_t)(cap - fx->cap));
		fx->hits = hits;
	}
	int *touched = hits ? realloc(fx->touched, sizeof(int) * (size_t)cap) : NULL;
	if (!touched)
		return -1;
	fx->touched = touched;
	fx->cap = cap;
	return 0;
}

int fresh_add(struct fresh_index **fxp, const struct fresh_terms *t, int64_t id)
{
	if (!*fxp && !(*fxp = calloc(1, sizeof(**fxp))))
		return -1;
	struct fresh_index *fx = *fxp;
	if (fx->n == fx->cap && grow_entries(fx) < 0)
		return -1;
	int k = fx->n;
	struct fresh_entry *e = &fx->e[k];
	*e = (struct fresh_entry){.id = id,
				  .title = calloc((size_t)t->title->n + 1, sizeof(char *)),
				  .all = calloc((size_t)t->all->n + 1, sizeof(char *)),
				  .title_norm = t->title_norm,
				  .all_norm = t->all_norm,
				  .trgm = malloc(sizeof(uint64_t) * (size_t)(t->ntrgm + 1)),
				  .ntrgm = t->ntrgm,
				  .rare = strdup(t->rare ? t->rare : "")};
	if (!e->title || !e->all || !e->trgm || !e->rare)
		goto oom;
	memcpy(e->trgm, t->trgm, sizeof(uint64_t) * (size_t)t->ntrgm);
	for (int i = 0; i < t->all->n; i++) {
		struct posting *p = posting_of(fx, t->all->v[i]);
		if (!p)
			goto oom;
		if (p->n == p->cap) {
			int cap = p->cap ? 2 * p->cap : 2;
			int *v = realloc(p->entry, sizeof(int) * (size_t)cap);
			if (!v)
				goto oom;
			p->entry = v;
			p->cap = cap;
		}
		if (!p->n || p->entry[p->n - 1] != k) /* a term listed twice counts once */
			p->entry[p->n++] = k;
		e->all[e->nall++] = p->term;
	}
	for (int i = 0; i < t->title->n; i++) {
		struct posting *p = posting_of(fx, t->title->v[i]);
		if (!p)
			goto oom;
		e->title[e->ntitle++] = p->term;
	}
	fx->n++;
	return k;
oom:
	/* postings may already name entry k: it stays, empty, never matching */
	free(e->title);
	free(e->all);
	free(e->trgm);
	free(e->rare);
	*e = (struct fresh_entry){.id = id};
	fx->n++;
	return -1;
}

void fresh_set_id(struct fresh_index *fx, int entry, int64_t id)
{
	fx->e[entry].id = id;
}

int64_t fresh_id(const struct fresh_index *fx, int entry)
{
	return fx->e[entry].id;
}

int fresh_count(const struct fresh_index *fx)
{
	return fx ? fx->n : 0;
}

bool fresh_has(const struct fresh_index *fx, int64_t id)
{
	/* ids ascend with the entries */
	int lo = 0, hi = fx ? fx->n - 1 : -1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (fx->e[mid].id == id)
			return true;
		if (fx->e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

float fresh_ts_rank(int matched, int nquery, int len)
{
	/* tsrank.c, calc_rank_or() then calc_rank(): one position per term, of
	 * weight D (0.1 with the default weights); the float/double mix kept */
	const float w = 0.1f;
	float res = 0.0f;
	for (int i = 0; i < matched; i++) {
		float resj = 0.0f + w / 1, wjm = w;
		res = res + (wjm + resj - wjm / 1) / 1.64493406685;
	}
	if (nquery > 0)
		res = res / nquery;
	if (len > 0)
		res /= log((double)(len + 1)) / log(2.0);
	return res;
}

struct ranked {
	float rank;
	int entry;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? 1 : -1;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

int fresh_retrieve(struct fresh_index *fx, const struct tokens *terms, int max, int *out)
{
	if (!fx || !fx->n || !fx->size || max <= 0)
		return 0;
	int nt = 0;
	for (int i = 0; i < terms->n; i++) {
		struct posting *p = find_slot(fx->slot, fx->size, terms->v[i]);
		for (int j = 0; p->term && j < p->n; j++)
			if (fx->hits[p->entry[j]]++ == 0)
				fx->touched[nt++] = p->entry[j];
	}
	struct ranked *r = malloc(sizeof(*r) * (size_t)(nt + 1));
	for (int i = 0; i < nt; i++) {
		int k = fx->touched[i];
		if (r)
			r[i] = (struct ranked){fresh_ts_rank(fx->hits[k], terms->n, fx->e[k].nall), k};
		fx->hits[k] = 0;
	}
	if (!r)
		return 0;
	qsort(r, (size_t)nt, sizeof(*r), cmp_ranked);
	int n = nt < max ? nt : max;
	for (int i = 0; i < n; i++)
		out[i] = r[i].entry;
	free(r);
	return n;
}

void fresh_doc(const struct fresh_index *fx, int entry, const uint64_t *q_trgm, int nq,
	       struct sim_doc *out)
{
	const struct fresh_entry *e = &fx->e[entry];
	*out = (struct sim_doc){.title_terms = e->title,
				.ntitle = e->ntitle,
				.title_norm = e->title_norm,
				.all_terms = e->all,
				.nall = e->nall,
				.all_norm = e->all_norm,
				.trigram = trigram_similarity_sets(e->trgm, e->ntrgm, q_trgm, nq)};
}

int fresh_send(PGconn *c, void *arg, int *sent, struct err *err)
{
	struct fresh_index **fxp = arg, *fx = *fxp;
	int rc = 0;
	/* in slices: one statement per 20,000 ideas */
	enum { SLICE = 20000 };
	for (int at = 0; fx && at < fx->n && rc == 0; at += SLICE) {
		int n = fx->n - at < SLICE ? fx->n - at : SLICE;
		int64_t *ids = calloc((size_t)n, sizeof(int64_t));
		const char **rare = calloc((size_t)n, sizeof(char *));
		for (int i = 0; ids && rare && i < n; i++) {
			ids[i] = fx->e[at + i].id;
			rare[i] = fx->e[at + i].rare;
		}
		/* from the ideas rows as they are when it runs: an idea may have
		 * changed since it was added here (its rare terms are a superset
		 * then) */
		if (!ids || !rare)
			rc = err_set(err, "out of memory");
		else if ((rc = db_idea_search_send(c, ids, rare, n, err)) == 0)
			(*sent)++;
		free(ids);
		free(rare);
	}
	fresh_free(fx);
	*fxp = NULL;
	return rc;
}

int fresh_flush(PGconn *c, struct fresh_index **fxp, struct err *err)
{
	if (!*fxp || !(*fxp)->n) {
		fresh_free(*fxp);
		*fxp = NULL;
		return 0;
	}
	struct db_sender s = {fresh_send, fxp};
	return db_pipeline_run(c, &s, err);
}

void fresh_free(struct fresh_index *fx)
{
	if (!fx)
		return;
	for (int i = 0; i < fx->n; i++) {
		free(fx->e[i].title);
		free(fx->e[i].all);
		free(fx->e[i].trgm);
		free(fx->e[i].rare);
	}
	for (size_t i = 0; i < fx->size; i++) {
		free(fx->slot[i].term);
		free(fx->slot[i].entry);
	}
	free(fx->e);
	free(fx->slot);
	free(fx->hits);
	free(fx->touched);
	free(fx);
}
