/* intake/ingest/many.c - the ingest for many mentions at once (an import
 * file, a page of a sync): plan -> decide -> write over the same statements
 * and the same decision (triage/dedup.h) as ingest_one, taken
 * in the same order, but read and written with a few statements per group
 * of mentions instead of several per mention:
 *
 *   read   which mentions are known, which URLs are tracked (1 statement);
 *          document frequencies (1); candidates for every mention from the
 *          ideas that existed before the transaction's ingest (1)
 *   decide in C, in order: each mention is scored against those candidates
 *          and the best of the ideas this transaction founded so far, this
 *          group's included, retrieved from memory (intake/dedup/fresh.h)
 *   write  new ideas, scored (2), mentions and their links (1),
 *          suggestions (1), and one rescore of the other ideas touched
 *          (those that existed, or that a later mention of the group
 *          joined, or whose score needs the stored rows) at commit; the
 *          new ideas' full-text entries once, at commit
 *
 * Normalising each post and scoring the idea it would found need neither
 * the database nor an earlier decision: a helper thread does them ahead
 * (intake/ingest/prep.h). A window's writes are pipelined, and the next
 * window's reads are sent among them (struct ahead), so the server always
 * has work queued: its document frequencies after the first group, its
 * candidates and ids once this window is decided.
 *
 * A mention that needs the one-at-a-time path (already known, a comment,
 * an explicit link by URL or "duplicate of", a repeat inside the group)
 * takes it in its turn, after the group before it is written.
 *
 * One difference from ingesting one at a time, by design: the rarest terms
 * that retrieve candidates from the database are chosen with the document
 * frequencies read at the start of the group, so a term that becomes common
 * within one group can still retrieve (it costs a little work, never a
 * missed duplicate). The ideas founded since are reached by the terms chosen
 * with the frequencies as they are when the mention's turn comes. Both
 * parts are ranked alike (ts_rank) and each gives its best
 * dedup.candidates, so the candidates one at a time would verify are among
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/mentions.h"
#include "db/retrieval.h"
#include "db/similar.h"
#include "db/terms.h"
#include "intake/ingest/many.h"
#include "intake/ingest/parts.h"
#include "intake/metrics.h"
#include "triage/normalize.h"
#include "triage/text.h"

int many_group_max = 250;   /* mentions decided and written together */
int many_window_max = 5000; /* mentions whose reads are done together */

void ingest_many_sizes(int group, int window)
{
	many_group_max = group > 0 ? group : 250;
	many_window_max = window > 0 ? window : 5000;
}

/* True when m can take the group path: a new post with nothing that links
 * it explicitly. Whether it is known, or its URL tracked, is asked of the
 * database for the whole group. */
static bool groupable(const struct mention *m)
{
	if (m->kind != MENTION_POST)
		return false;
	struct tokens refs;
	int n = ingest_duplicate_refs(m, &refs);
	tokens_clear(&refs);
	if (n > 0)
		return false;
	char *title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
	bool ok = title && *title;
	free(title);
	return ok;
}


/* The keys ("k" source, external id) and URLs ("u" url) of the mentions a
 * call has ingested so far: a later mention repeating one takes the
 * one-at-a-time path (the database learns of the first only once its
 * window is written). Open addressing, at most half full. */
struct seen {
	char **key;
	size_t size, used;
};


static char **seen_slot(const struct seen *st, const char *key)
{
	size_t i = text_hash(key) & (st->size - 1);
	while (st->key[i] && strcmp(st->key[i], key) != 0)
		i = (i + 1) & (st->size - 1);
	return &st->key[i];
}


static bool seen_has(const struct seen *st, const char *key)
{
	return st->size && *seen_slot(st, key);
}


static int seen_add(struct seen *st, const char *key)
{
	if ((st->used + 1) * 2 > st->size) {
		struct seen g = {.size = st->size ? st->size * 2 : 1024};
		if (!(g.key = calloc(g.size, sizeof(char *))))
			return -1;
		for (size_t i = 0; i < st->size; i++)
			if (st->key[i])
				*seen_slot(&g, st->key[i]) = st->key[i];
		free(st->key);
		st->key = g.key;
		st->size = g.size;
	}
	char **slot = seen_slot(st, key);
	if (*slot)
		return 0;
	if (!(*slot = strdup(key)))
		return -1;
	st->used++;
	return 0;
}


static void seen_free(struct seen *st)
{
	for (size_t i = 0; i < st->size; i++)
		free(st->key[i]);
	free(st->key);
	memset(st, 0, sizeof(*st));
}


/* m's key, and its URL's when it has one, into k[0..1] (new); how many. */
static int keys_of(const struct mention *m, char *k[2])
{
	int n = 0;
	if (asprintf(&k[n], "k%s\x1f%s", source_name(m->source), m->external_id) >= 0)
		n++;
	if (m->url && *m->url && asprintf(&k[n], "u%s", m->url) >= 0)
		n++;
	return n;
}


/* Whether m repeats a mention in st; adds it when add. -1 out of memory. */
static int repeats(struct seen *st, const struct mention *m, bool add)
{
	char *k[2];
	int nk = keys_of(m, k), rc = 0;
	for (int j = 0; j < nk; j++) {
		if (rc == 0 && seen_has(st, k[j]))
			rc = 1;
		if (add && rc == 0 && seen_add(st, k[j]) < 0)
			rc = -1;
		free(k[j]);
	}
	return rc;
}


/* How many of ms[0..n) from the start can be ingested as one window: posts
 * that may take the group path, that the database does not know (known),
 * and that repeat neither the key nor the URL of a mention ingested before
 * (st) or earlier in the window. 0 when ms[0] itself must go alone. Adds
 * the window's mentions to st when add. */
static int window_length(const struct mention *ms, const bool *known, int n, struct seen *st,
			 bool add)
{
	struct seen local = {0};
	int len = 0;
	for (; len < n && len < many_window_max && !known[len] && groupable(&ms[len]); len++) {
		int r = repeats(st, &ms[len], false);
		if (r == 0)
			r = repeats(&local, &ms[len], true);
		if (r != 0)
			break; /* a repeat, or out of memory: alone */
	}
	seen_free(&local);
	for (int i = 0; add && i < len; i++)
		if (repeats(st, &ms[i], true) < 0)
			return i; /* out of memory: a shorter window */
	return len;
}


/* One window of a call being ingested: its plans and new ideas, its reads
 * (document frequencies, the database's candidates, read from row on), and
 * where its writes go. */
struct window {
	const struct mention *ms; /* ms[0..n): groupable, distinct and new */
	int n, at;                /* at: the index of ms[0] in the call */
	struct plan *pl;
	struct group_idea *ideas;
	struct df_table tab;
	struct tokens all; /* borrowed from the plans */
	PGresult *rows;
	int row;
	struct writer w;
	bool in_pipeline;
};

/* The window's reads: taken from ahead when they were done while the
 * window before was written, else done now. */
static int window_read(struct ingest_tx *tx, struct window *win, struct prep *pp,
		       struct ahead *ahead, struct err *err)
{
	int n = win->n;
	if (ahead->ms == win->ms && ahead->n == n && ahead->rows) {
		win->pl = ahead->pl;
		win->all = ahead->all;
		win->tab = ahead->tab;
		win->rows = ahead->rows;
		int ok = ahead->ids ? reserve_ids(tx, n, ahead->ids, err) : 0;
		PQclear(ahead->ids);
		memset(ahead, 0, sizeof(*ahead));
		if (ok < 0)
			return -1;
	}
	ahead_clear(ahead);
	if (!win->pl && (win->pl = calloc((size_t)n, sizeof(*win->pl)))) {
		if (plans_init(tx->t, win->ms, n, win->pl, pp, win->at, err) < 0)
			return -1;
		union_terms(win->pl, n, &win->all);
		if (match_df_load(tx->c, &win->all, &win->tab, err) < 0 ||
		    !(win->rows = window_candidates(tx, win->pl, n, &win->tab, err)))
			return -1;
	}
	return win->pl && win->ideas ? 0 : err_set(err, "out of memory");
}

/* A window of more than one group sends its writes in pipeline mode, with
 * ids reserved ahead. */
static int window_pipe(struct ingest_tx *tx, struct window *win, struct err *err)
{
	PGconn *c = tx->c;
	if (reserve_ids(tx, win->n, NULL, err) < 0 || db_ideas_prepare_many(c, err) < 0 ||
	    db_terms_prepare(c, err) < 0 || db_candidates_prepare_many(c, err) < 0 ||
	    db_ideas_prepare_ids(c, err) < 0 || db_mentions_prepare_many(c, err) < 0 ||
	    db_similar_prepare_many(c, err) < 0 || db_pipeline_begin(c, err) < 0)
		return -1;
	win->in_pipeline = true;
	return 0;
}

/* Decides the group of the window's mentions g0..g0+len and writes it. */
static int window_group(struct ingest_tx *tx, struct window *win, int g0, int len,
			const char *decided_by, struct ingest_result *out, struct err *err)
{
	int ngi = 0;
	struct plan *gp = win->pl + g0;
	struct group_idea *gi = win->ideas + g0; /* a group's ideas are numbered within it */
	if (decide(tx, &win->w, gp, g0, len, &win->tab, win->rows, &win->row, gi, &ngi, err) < 0 ||
	    prescore_ideas(tx->t, gi, ngi, err) < 0 || assign_ids(tx, win->w.piped, gi, ngi, err) < 0)
		return -1;
	for (int i = 0; i < len; i++) /* the mention ids come with the writes */
		out[g0 + i] = (struct ingest_result){.idea_id = resolve(gi, gp[i].into),
						     .merged = gp[i].founds < 0,
						     .method = gp[i].method,
						     .similarity = gp[i].similarity,
						     .outcome = INGEST_NEW};
	return write_group(tx, &win->w, gp, len, gi, ngi, decided_by, out + g0, err);
}

/* The end of a piped window: the next window's reads go after this
 * window's writes; this window's plans are done with; the results are
 * read, the next window's kept for it. */
static int window_unpipe(struct ingest_tx *tx, struct window *win, struct ahead *ahead,
			 struct err *err)
{
	struct writer *w = &win->w;
	if (ahead->pl && ahead_ask(tx, w, ahead, err) < 0)
		return -1;
	for (int i = 0; i < win->n; i++)
		plan_clear(&win->pl[i]);
	win->in_pipeline = false;
	if (db_pipeline_finish(tx->c, w->nread, w->nsent, writer_result, w, err) < 0)
		return -1;
	ahead->rows = w->kept[KEPT_ROWS];
	ahead->ids = w->kept[KEPT_IDS];
	w->kept[KEPT_ROWS] = w->kept[KEPT_IDS] = NULL;
	return 0;
}

static int window_free(struct ingest_tx *tx, struct window *win, int rc)
{
	struct writer *w = &win->w;
	if (win->in_pipeline && db_pipeline_finish(tx->c, w->nread, w->nsent, NULL, NULL, NULL) < 0)
		rc = -1; /* left the mode; the caller rolls the transaction back */
	writer_free(w);
	PQclear(win->rows);
	free(win->all.v); /* the terms are the plans' */
	match_df_free(&win->tab);
	for (int i = 0; win->pl && i < win->n; i++)
		plan_clear(&win->pl[i]);
	for (int i = 0; win->ideas && i < win->n; i++)
		idea_score_clear(&win->ideas[i].sc);
	free(win->pl);
	free(win->ideas);
	return rc;
}

/* What a call hands each window: the helper thread, the window that
 * follows and what was read ahead for it, who decides, the results. */
struct call {
	struct prep *pp;
	struct ahead ahead;
	const char *decided_by;
};

/* One window (see struct window). Its reads are done first, for all of it,
 * unless they were while the window before was written (ahead); then its
 * groups are decided in order and written. Piped, the server writes a
 * group while the client decides the next: the decisions need nothing the
 * writes return. */
static int ingest_window(struct ingest_tx *tx, struct call *call, struct window *win,
			 const struct following *next, struct ingest_result *out, struct err *err)
{
	win->ideas = calloc((size_t)win->n, sizeof(*win->ideas));
	win->w = (struct writer){.c = tx->c, .piped = win->n > many_group_max, .keep = {-1, -1, -1}};
	if (window_read(tx, win, call->pp, &call->ahead, err) < 0 ||
	    (win->w.piped && window_pipe(tx, win, err) < 0))
		return window_free(tx, win, -1);
	for (int g0 = 0; g0 < win->n; g0 += many_group_max) {
		int len = win->n - g0 < many_group_max ? win->n - g0 : many_group_max;
		if (window_group(tx, win, g0, len, call->decided_by, out, err) < 0)
			return window_free(tx, win, -1);
		/* the server writes the first group while the next window is
		 * planned */
		if (win->in_pipeline && g0 == 0 && next->n > 0 &&
		    ahead_plan(tx, &win->w, next, call->pp, &call->ahead, err) < 0)
			return window_free(tx, win, -1);
	}
	if (win->in_pipeline && window_unpipe(tx, win, &call->ahead, err) < 0)
		return window_free(tx, win, -1);
	metrics_add(M_INGESTS, win->n);
	return window_free(tx, win, 0);
}

/* Marks in known[0..n) the mentions the database knows, or whose URL it
 * tracks (those take the one-at-a-time path), asked once for the whole
 * call in slices. *failed: the first of the slice that failed. */
static bool *mark_known(struct ingest_tx *tx, const struct mention *ms, int n, int *failed,
			struct err *err)
{
	bool *known = calloc((size_t)n + 1, sizeof(bool));
	if (!known) {
		err_set(err, "out of memory");
		return NULL;
	}
	enum { ASK = 5000 };
	for (int at = 0; at < n; at += ASK)
		if (db_mentions_known(tx->c, ms + at, n - at < ASK ? n - at : ASK, known + at, err) < 0) {
			free(known);
			*failed = at;
			return NULL;
		}
	return known;
}

/* The next step of a call from ms[i]: a window of new posts, or ms[i]
 * alone on the one-at-a-time path (known, linked, a repeat, or a comment;
 * a later repeat of it too). How many mentions it took, or -1. */
static int ingest_step(struct ingest_tx *tx, struct call *call, const struct mention *ms,
		       const bool *known, int i, int n, struct seen *seen,
		       struct ingest_result *out, struct err *err)
{
	int len = window_length(ms + i, known + i, n - i, seen, true);
	if (len > 0) {
		int j = i + len;
		struct following next = {ms + j, window_length(ms + j, known + j, n - j, seen, false), j};
		struct window win = {.ms = ms + i, .n = len, .at = i};
		return ingest_window(tx, call, &win, &next, out + i, err) < 0 ? -1 : len;
	}
	if (repeats(seen, &ms[i], true) < 0 ||
	    ingest_one(tx, &ms[i], call->decided_by, &out[i], err) < 0)
		return -1;
	return 1;
}

int ingest_many(struct ingest_tx *tx, const struct mention *ms, int n, const char *decided_by,
		struct ingest_result *out, int *failed, struct err *err)
{
	*failed = -1;
	for (int i = 0; i < n; i++)
		if (ingest_validate(&ms[i], err) < 0) {
			*failed = i;
			return -1;
		}
	bool *known = mark_known(tx, ms, n, failed, err);
	if (!known)
		return -1;
	struct seen seen = {0};
	/* several groups: normalising and prescoring ahead, on a helper thread */
	struct call call = {.pp = n > many_group_max ? prep_start(tx->t->rules, ms, n, known) : NULL,
			    .decided_by = decided_by};
	int i = 0, rc = 0;
	while (i < n) {
		int took = ingest_step(tx, &call, ms, known, i, n, &seen, out, err);
		if (took < 0) {
			*failed = i; /* a window's statements fail together */
			rc = -1;
			break;
		}
		i += took;
		if (tx->progress)
			tx->progress(i, n, tx->progress_arg);
	}
	ahead_clear(&call.ahead);
	prep_stop(call.pp);
	seen_free(&seen);
	free(known);
	return rc;
}
