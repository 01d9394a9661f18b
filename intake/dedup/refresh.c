/* intake/dedup/refresh.c - an idea's matching terms follow the edits of the
 * mention that founded it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "db/ideas.h"
#include "intake/dedup/fresh.h"
#include "intake/dedup/match.h"
#include "intake/dedup/match_private.h"

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

/* Normalises m's title and body and weighs the terms. */
static int prepare(PGconn *c, struct triage_ctx *t, const struct dedup_tx *d,
		   const struct mention *m, struct match_query *q, struct err *err)
{
	if (match_normalize(t, m, q, err) < 0)
		return -1;
	struct df_table tab;
	if (match_df_load(c, &q->all_toks, &tab, err) < 0)
		return -1;
	int rc = match_weigh(d, q, &tab, err);
	match_df_free(&tab);
	return rc;
}

/* Stores q's terms as idea_id's and counts the change (old -> q) into the
 * pending document frequencies. */
static int store(PGconn *c, struct dedup_tx *d, const char *idea_id, const struct tokens *old_all,
		 const struct match_query *q, struct err *err)
{
	if (db_idea_terms_set(c, idea_id, &q->title_toks, &q->all_toks, q->q.title.norm,
			      q->q.all.norm, err) < 0)
		return -1;
	struct tokens gone, came;
	terms_minus(old_all, &q->all_toks, &gone);
	terms_minus(&q->all_toks, old_all, &came);
	int rc = match_pending_change(d, &gone, &came) < 0 ? err_set(err, "out of memory") : 0;
	free(gone.v); /* the strings are borrowed */
	free(came.v);
	return rc;
}

int match_refresh_idea(PGconn *c, struct triage_ctx *t, struct dedup_tx *d, const char *idea_id,
		       const struct mention *m, struct err *err)
{
	/* an idea founded by this transaction has no full-text entry for the
	 * trigger to follow yet: written now, with the others (rare) */
	if (fresh_has(d->fresh, atoll(idea_id)) && fresh_flush(c, &d->fresh, err) < 0)
		return -1;
	struct tokens old_title = {0}, old_all = {0};
	struct match_query q = {0};
	int rc = -1;
	if (db_idea_terms_get(c, idea_id, &old_title, &old_all, err) < 0)
		goto out;
	if (old_all.n)
		qsort(old_all.v, (size_t)old_all.n, sizeof(char *), match_cmp_str);
	if (old_title.n)
		qsort(old_title.v, (size_t)old_title.n, sizeof(char *), match_cmp_str);
	if (prepare(c, t, d, m, &q, err) < 0)
		goto out;
	/* an edit that changes no term (wording, punctuation) writes nothing */
	if (same_terms(&old_all, &q.all_toks) && same_terms(&old_title, &q.title_toks))
		rc = 0;
	else
		rc = store(c, d, idea_id, &old_all, &q, err);
out:
	match_clear(&q);
	tokens_clear(&old_title);
	tokens_clear(&old_all);
	return rc;
}
