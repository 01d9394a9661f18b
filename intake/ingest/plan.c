/* intake/ingest/plan.c - the plan and decide stages of the many-at-once
 * ingest: each new post's terms (prepared ahead on a helper thread,
 * intake/ingest/prep.h), the database's candidates for a whole window in
 * one statement, then the one dedup decision (triage/dedup.h) for each
 * mention in order, the ideas founded so far in the transaction retrieved
 * from memory (intake/dedup/fresh.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/retrieval.h"
#include "db/terms.h"
#include "intake/ingest/many.h"
#include "intake/ingest/parts.h"
#include "intake/ingest/rescore.h"
#include "triage/dedup.h"
#include "triage/text.h"

void plan_clear(struct plan *p)
{
	match_clear(&p->q);
	free(p->tsq);
	tokens_clear(&p->rt);
	free(p->title);
	free(p->evidence);
	free(p->sugg);
	idea_score_clear(&p->sc);
	memset(p, 0, sizeof(*p));
}


/* Every distinct term of the plans, in no order, borrowed from the plans
 * (free only out->v). A hash set: sorting them was a twentieth of a bulk
 * import's client time. */
void union_terms(struct plan *pl, int n, struct tokens *out)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += (size_t)pl[i].q.all_toks.n;
	size_t size = 64;
	while (size < 2 * total)
		size *= 2;
	const char **set = calloc(size, sizeof(char *));
	out->v = malloc(sizeof(char *) * (total + 1));
	out->n = 0;
	out->cap = (int)total + 1;
	if (!set || !out->v) {
		free(set);
		free(out->v);
		memset(out, 0, sizeof(*out));
		return;
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < pl[i].q.all_toks.n; k++) {
			char *term = pl[i].q.all_toks.v[k];
			size_t h = text_hash(term) & (size - 1);
			while (set[h] && strcmp(set[h], term) != 0)
				h = (h + 1) & (size - 1);
			if (!set[h]) {
				set[h] = term;
				out->v[out->n++] = term;
			}
		}
	free(set);
}


/* Keeps the decision d for plan p (taking its evidence): p joins an idea,
 * or founds the group's next idea (ideas[*nideas]), which enters the
 * transaction's in-memory index so that later mentions find it. */
static int keep_decision(struct ingest_tx *tx, struct plan *p, struct dedup_decision *d,
			 struct group_idea *ideas, int *nideas, struct err *err)
{
	p->method = d->method;
	p->evidence = d->evidence;
	d->evidence = NULL;
	if (d->kind != DEDUP_NEW) {
		p->into = d->idea_id;
		if (p->into < 0)
			ideas[-p->into - 1].joined = true;
		p->similarity = d->similarity;
		return 0;
	}
	int g = (*nideas)++;
	p->founds = g;
	ideas[g].p = p;
	p->into = -(int64_t)(g + 1); /* its id once written */
	p->nsugg = d->nsugg;
	if (p->nsugg > 0) {
		if (!(p->sugg = malloc(sizeof(*p->sugg) * (size_t)p->nsugg)))
			return err_set(err, "out of memory");
		memcpy(p->sugg, d->sugg, sizeof(*p->sugg) * (size_t)p->nsugg);
	}
	ideas[g].entry = dedup_tx_add_idea(&tx->dedup, &p->q, p->into);
	if (ideas[g].entry < 0)
		return err_set(err, "out of memory");
	return 0;
}

/* Decides for every plan pl[0..n), in order. rows: the candidates the
 * database had, ordered by plan (column 0 the plan's 1-based number in its
 * window, off + i + 1), read from *cursor on. The ideas founded in this
 * transaction by this ingest, this group's included, are not in the
 * database's full-text index: they are retrieved from memory, by the terms
 * one at a time would use when the mention's turn comes - a term no idea
 * had at the start of the group (so left out of the database query) may be
 * what it shares with an idea founded since. The decision itself is
 * triage/dedup.h's, as for one mention at a time. */
int decide(struct ingest_tx *tx, struct writer *w, struct plan *pl, int off, int n,
	   const struct df_table *tab, PGresult *rows, int *cursor, struct group_idea *ideas,
	   int *nideas, struct err *err)
{
	struct triage_ctx *t = tx->t;
	int row = *cursor, nrows = rows ? PQntuples(rows) : 0, rc = 0;
	struct dedup_candidate *cand = calloc(2 * (size_t)t->rules->candidates + 1, sizeof(*cand));
	if (!cand)
		return err_set(err, "out of memory");
	for (int i = 0; i < n && rc == 0; i++) {
		struct plan *p = &pl[i];
		if (w->piped && i % 16 == 0)
			db_pipeline_pump(w->c); /* keep the server fed with the writes queued */
		/* weights as they are now: earlier ideas of the group count */
		if ((rc = match_weigh(&tx->dedup, &p->q, tab, err)) < 0)
			break;
		int k = 0;
		for (; row < nrows && atoi(PQgetvalue(rows, row, 0)) == off + i + 1; row++)
			k += match_score_row(t, &p->q, rows, row, 1, &cand[k]);
		tokens_clear(&p->rt);
		match_retrieval_terms(&p->q, &p->rt);
		k += match_fresh(t, &tx->dedup, &p->q, &p->rt, &cand[k]);
		struct dedup_input in = {.cand = cand, .ncand = k};
		struct dedup_decision d;
		if (dedup_decide(&t->rules->dedup, &in, &d) < 0) {
			rc = err_set(err, "out of memory");
			break;
		}
		rc = keep_decision(tx, p, &d, ideas, nideas, err);
		dedup_decision_clear(&d);
	}
	free(cand);
	*cursor = row;
	return rc;
}

/* The scores of the group's new ideas that their founding mention alone
 * decides (rescore_prescore); the others are rescored after the writes. */
int prescore_ideas(struct triage_ctx *t, struct group_idea *ideas, int n, struct err *err)
{
	for (int i = 0; i < n; i++) {
		const struct mention *m = ideas[i].p->m;
		if (ideas[i].joined || !rescore_can_prescore(m))
			continue;
		if (ideas[i].p->scored) { /* by the helper thread */
			ideas[i].sc = ideas[i].p->sc;
			memset(&ideas[i].p->sc, 0, sizeof(ideas[i].p->sc));
			ideas[i].p->scored = false;
		} else if (rescore_prescore(t, m, &ideas[i].sc, err) < 0) {
			return -1;
		}
		ideas[i].scored = true;
	}
	return 0;
}


/* Weighs every plan of a window with the document frequencies tab and
 * builds the statement of their candidates (db_candidates_many): each
 * plan's query of its rarest terms. */
static int window_queries(struct ingest_tx *tx, struct plan *pl, int n,
			  const struct df_table *tab, struct candidates_many *out, struct err *err)
{
	const char **tsq = calloc((size_t)n + 1, sizeof(char *));
	if (!tsq)
		return err_set(err, "out of memory");
	for (int i = 0; i < n; i++) {
		if (match_weigh(&tx->dedup, &pl[i].q, tab, err) < 0) {
			free(tsq);
			return -1;
		}
		match_retrieval_terms(&pl[i].q, &pl[i].rt);
		pl[i].tsq = match_retrieval_query(&pl[i].rt);
		tsq[i] = pl[i].tsq;
	}
	int rc = db_candidates_many(tsq, n, tx->t->rules->candidates, out);
	free(tsq);
	return rc < 0 ? err_set(err, "out of memory") : 0;
}

PGresult *window_candidates(struct ingest_tx *tx, struct plan *pl, int n,
			    const struct df_table *tab, struct err *err)
{
	struct candidates_many cm;
	if (window_queries(tx, pl, n, tab, &cm, err) < 0)
		return NULL;
	PGresult *rows = db_stmt_query(tx->c, &cm.st, err);
	db_candidates_many_free(&cm);
	return rows;
}

/* Normalises m into p, or takes what the helper thread prepared for it
 * (pp, the call's index at); with !wait, 1 when the helper is busy with it
 * (nothing done). */
static int plan_init(struct triage_ctx *t, const struct mention *m, struct plan *p,
		     struct prep *pp, int at, bool wait, struct err *err)
{
	struct prepared v;
	enum prep_taken got = prep_take(pp, at, wait, &v);
	if (got == PREP_BUSY)
		return 1;
	p->m = m;
	p->founds = -1;
	if (got == PREP_TAKEN) {
		p->q = v.q;
		p->title = v.title;
		p->sc = v.sc;
		p->scored = v.scored;
		return 0;
	}
	if (match_normalize(t, m, &p->q, err) < 0)
		return -1;
	p->title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
	return p->title ? 0 : err_set(err, "out of memory");
}


/* Plans for ms[0..n) (the call's at..at+n) into pl: what the helper has
 * prepared is taken, what it has not reached is done here, and what it is
 * preparing now is waited for last, so both threads work on a window the
 * helper has not finished (the first of a call). */
int plans_init(struct triage_ctx *t, const struct mention *ms, int n, struct plan *pl,
		      struct prep *pp, int at, struct err *err)
{
	bool busy = false;
	for (int i = 0; i < n; i++) {
		int rc = plan_init(t, &ms[i], &pl[i], pp, at + i, false, err);
		if (rc < 0)
			return -1;
		busy |= rc == 1;
	}
	for (int i = 0; busy && i < n; i++)
		if (!pl[i].m && plan_init(t, &ms[i], &pl[i], pp, at + i, true, err) < 0)
			return -1;
	return 0;
}


void ahead_clear(struct ahead *a)
{
	for (int i = 0; a->pl && i < a->n; i++)
		plan_clear(&a->pl[i]);
	free(a->pl);
	free(a->all.v);
	match_df_free(&a->tab);
	PQclear(a->rows);
	PQclear(a->ids);
	memset(a, 0, sizeof(*a));
}


/* Plans the window next into *a and sends its document frequencies' query
 * on w (piped, with a flush: its answer is wanted before the sync). */
int ahead_plan(struct ingest_tx *tx, struct writer *w, const struct following *next,
	       struct prep *pp, struct ahead *a, struct err *err)
{
	ahead_clear(a);
	if (!(a->pl = calloc((size_t)next->n, sizeof(*a->pl))))
		return err_set(err, "out of memory");
	a->ms = next->ms;
	a->n = next->n;
	if (plans_init(tx->t, next->ms, next->n, a->pl, pp, next->at, err) < 0)
		return -1;
	union_terms(a->pl, a->n, &a->all);
	struct terms_df df;
	int rc = db_terms_df((const char *const *)a->all.v, a->all.n, &df) == 0
		     ? writer_do(w, &df.st, NULL, 0, err)
		     : err_set(err, "out of memory");
	db_terms_df_free(&df);
	if (rc == 0) {
		w->keep[KEPT_DF] = w->nsent - 1;
		rc = db_pipeline_flush(w->c, err);
	}
	return rc;
}

/* Once the current window is decided: reads the planned window's document
 * frequencies (the current window's first group's results are read on the
 * way), weighs its plans, and sends the query of its candidates and, when
 * the ids at hand will not do, of ids for its new ideas. */
int ahead_ask(struct ingest_tx *tx, struct writer *w, struct ahead *a, struct err *err)
{
	int upto = w->keep[KEPT_DF] + 1, rc = db_pipeline_read(w->c, w->nread, upto, writer_result, w, err);
	w->nread = upto; /* read, failed or not */
	if (rc < 0)
		return -1;
	rc = match_df_read(w->kept[KEPT_DF], &a->tab, err);
	PQclear(w->kept[KEPT_DF]);
	w->kept[KEPT_DF] = NULL;
	struct candidates_many cm;
	if (rc < 0 || window_queries(tx, a->pl, a->n, &a->tab, &cm, err) < 0)
		return -1;
	rc = writer_do(w, &cm.st, NULL, 0, err);
	db_candidates_many_free(&cm);
	if (rc < 0)
		return -1;
	w->keep[KEPT_ROWS] = w->nsent - 1;
	int have = tx->nids - tx->ids_next;
	if (a->n > many_group_max && have < a->n) { /* it will be piped */
		struct db_batch b;
		db_ideas_next_ids_stmt(a->n - have, &b);
		if (writer_do(w, &b.st, NULL, 0, err) < 0)
			return -1;
		w->keep[KEPT_IDS] = w->nsent - 1;
	}
	return 0;
}
