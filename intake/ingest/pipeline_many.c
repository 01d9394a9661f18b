/* intake/ingest/pipeline_many.c - the ingest for many mentions at once (an import
 * file, a page of a sync). The same decisions as pipeline_ingest_tx, taken
 * in the same order, but read and written with a few statements per group
 * of mentions instead of several per mention:
 *
 *   read   which mentions are known, which URLs are tracked (1 statement);
 *          document frequencies (1); candidates for every mention from the
 *          ideas that existed before the transaction's ingest (1)
 *   decide in C, in order: each mention is scored against those candidates
 *          and the best of the ideas this transaction founded so far, this
 *          group's included, retrieved from memory (intake/fresh.h)
 *   write  new ideas, scored (2), mentions and their links (1),
 *          suggestions (1), and one rescore of the other ideas touched
 *          (those that existed, or that a later mention of the group
 *          joined, or whose score needs the stored rows) at commit; the
 *          new ideas' full-text entries once, at commit
 *
 * Normalising each post and scoring the idea it would found need neither
 * the database nor an earlier decision: a helper thread does them ahead
 * (intake/prep.h). A window's writes are pipelined, and the next
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
#include "intake/ingest/pipeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "intake/dedup/fresh.h"
#include "intake/dedup/match.h"
#include "intake/metrics.h"
#include "intake/ingest/pipeline_parts.h"
#include "intake/ingest/prep.h"
#include "triage/normalize.h"
#include "triage/text.h"

static int group_max = 250;   /* mentions decided and written together */
static int window_max = 5000; /* mentions whose reads are done together */

void pipeline_many_sizes(int group, int window)
{
	group_max = group > 0 ? group : 250;
	window_max = window > 0 ? window : 5000;
}

/* What the group decided for one mention. */
struct plan {
	const struct mention *m;
	struct match_query q;
	char *tsq;        /* retrieval query, "" when nothing can retrieve */
	struct tokens rt; /* its terms, sorted */
	char *title;      /* the idea's title, should it found one */
	int founds;       /* index of the idea it founds in the group, or -1 */
	int64_t into;     /* the idea it joins: > 0 an existing one, < 0 -(group idea + 1) */
	const char *method;
	double similarity;
	char *evidence;
	struct match_candidate *sugg; /* near matches of the idea it founds */
	int nsugg;
	struct idea_score sc; /* the score of the idea it would found alone, */
	bool scored;          /* when the helper thread computed it (intake/prep.h) */
};

/* An idea founded inside the group: its founding plan, and its id once known. */
struct group_idea {
	struct plan *p;
	int64_t id;
	bool joined;            /* a later mention of the group joins it */
	bool scored;            /* inserted scored (sc): no rescore after */
	int entry;              /* its entry in t->fresh */
	struct idea_score sc;
};

static void plan_clear(struct plan *p)
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

/* True when m can take the group path: a new post with nothing that links
 * it explicitly. Whether it is known, or its URL tracked, is asked of the
 * database for the whole group. */
static bool groupable(const struct mention *m)
{
	if (m->kind != MENTION_POST)
		return false;
	if (m->source == SRC_GITHUB && m->body && m->external_id) {
		char repo[256];
		snprintf(repo, sizeof(repo), "%s", m->external_id);
		repo[strcspn(repo, "#")] = '\0';
		struct tokens refs = {0};
		int n = normalize_duplicate_refs(m->body, repo, &refs);
		tokens_clear(&refs);
		if (n > 0)
			return false;
	}
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
	for (; len < n && len < window_max && !known[len] && groupable(&ms[len]); len++) {
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

/* Marks in known[0..n) the mentions the database knows, or whose URL it
 * tracks: those take the one-at-a-time path. */
static int mark_known(PGconn *c, const struct mention *ms, int n, bool *known, struct err *err)
{
	const char **src = calloc((size_t)n + 1, sizeof(char *)),
		   **ext = calloc((size_t)n + 1, sizeof(char *)),
		   **url = calloc((size_t)n + 1, sizeof(char *));
	if (!src || !ext || !url) {
		free(src);
		free(ext);
		free(url);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		src[i] = source_name(ms[i].source);
		ext[i] = ms[i].external_id;
		url[i] = ms[i].url && *ms[i].url ? ms[i].url : NULL;
	}
	char *a = db_text_array(src, n), *b = db_text_array(ext, n), *u = db_array_nullable(url, n);
	free(src);
	free(ext);
	free(url);
	const char *p[] = {a, b, u};
	PGresult *r = db_query(c,
			       "SELECT x.k FROM unnest($1::text[], $2::text[]) WITH ORDINALITY x(s, e, k)"
			       "  JOIN mentions m ON m.source = x.s AND m.external_id = x.e"
			       " UNION SELECT y.k FROM unnest($3::text[]) WITH ORDINALITY y(url, k)"
			       "  WHERE y.url IS NOT NULL AND EXISTS (SELECT 1 FROM mentions m"
			       "   WHERE m.url = y.url AND m.idea_id IS NOT NULL)",
			       3, p, err);
	free(a);
	free(b);
	free(u);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		int k = atoi(PQgetvalue(r, i, 0)) - 1;
		if (k >= 0 && k < n)
			known[k] = true;
	}
	PQclear(r);
	return 0;
}

/* Every distinct term of the plans, in no order, borrowed from the plans
 * (free only out->v). A hash set: sorting them was a twentieth of a bulk
 * import's client time. */
static void union_terms(struct plan *pl, int n, struct tokens *out)
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

/* Where the writes go: run one by one, or sent in pipeline mode (the
 * server writes a group while the client decides the next one). */
struct writer {
	PGconn *c;
	bool piped;
	int nsent;
	struct ingest_result **rows_for; /* per statement sent: the results its rows are for, or NULL */
	int *nrows_for;
	int nread; /* the results read before the sync (db_pipeline_read) */
	/* the statements whose results are kept (kept[k]), or -1: the next
	 * window's document frequencies, candidates and idea ids */
	int keep[3];
	PGresult *kept[3];
	int cap;
};

enum { KEPT_DF, KEPT_ROWS, KEPT_IDS };

/* Decides for every plan pl[0..n), in order. rows: the candidates the
 * database had, ordered by plan (column 0 the plan's 1-based number in its
 * window, off + i + 1), read from *cursor on. The ideas founded
 * in this transaction by this ingest, this group's included, are not in
 * the database's full-text index: they are retrieved from memory
 * (t->fresh), by the terms one at a time would use when the mention's turn
 * comes - a term no idea had at the start of the group (so left out of the
 * database query) may be what it shares with an idea founded since. */
static int decide(struct triage_ctx *t, struct writer *w, struct plan *pl, int off, int n,
		  const struct df_table *tab, PGresult *rows, int *cursor, struct group_idea *ideas,
		  int *nideas, struct err *err)
{
	int row = *cursor, nrows = rows ? PQntuples(rows) : 0;
	struct match_candidate *cand = calloc(2 * (size_t)t->rules->candidates + 1, sizeof(*cand));
	if (!cand)
		return err_set(err, "out of memory");
	for (int i = 0; i < n; i++) {
		struct plan *p = &pl[i];
		if (w->piped && i % 16 == 0)
			db_pipeline_pump(w->c); /* keep the server fed with the writes queued */
		/* weights as they are now: earlier ideas of the group count */
		if (match_weigh(t, &p->q, tab, err) < 0) {
			free(cand);
			return -1;
		}
		int k = 0;
		for (; row < nrows && atoi(PQgetvalue(rows, row, 0)) == off + i + 1; row++)
			k += match_score_row(t, &p->q, rows, row, 1, &cand[k]);
		tokens_clear(&p->rt);
		match_retrieval_terms(&p->q, &p->rt);
		k += match_fresh(t, &p->q, &p->rt, &cand[k]);
		int best = match_best(cand, k);
		if (best > 0 && cand[0].r.strict >= t->rules->auto_merge) {
			p->into = cand[0].idea_id;
			if (p->into < 0)
				ideas[-p->into - 1].joined = true;
			p->method = "auto_merge";
			p->similarity = cand[0].r.strict;
			p->evidence = match_evidence_json(&cand[0].r);
			continue;
		}
		int g = (*nideas)++;
		p->founds = g;
		ideas[g].p = p;
		p->into = -(int64_t)(g + 1); /* its id once written */
		p->method = "new";
		p->evidence = strdup(best ? "{\"suggested\":true}" : "{}");
		p->nsugg = best < t->rules->suggestions_kept ? best : t->rules->suggestions_kept;
		if (p->nsugg > 0) {
			if (!(p->sugg = malloc(sizeof(*cand) * (size_t)p->nsugg))) {
				free(cand);
				return err_set(err, "out of memory");
			}
			memcpy(p->sugg, cand, sizeof(*cand) * (size_t)p->nsugg);
		}
		char *rare = match_rare_terms(&p->q);
		struct fresh_terms ft = {.title = &p->q.title_toks,
					 .all = &p->q.all_toks,
					 .title_norm = p->q.q.title.norm,
					 .all_norm = p->q.q.all.norm,
					 .trgm = p->q.trgm,
					 .ntrgm = p->q.ntrgm,
					 .rare = rare};
		ideas[g].entry = rare ? fresh_add(&t->fresh, &ft, p->into) : -1;
		free(rare);
		if (ideas[g].entry < 0 || match_pending_add(t, &p->q.all_toks) < 0) {
			free(cand);
			return err_set(err, "out of memory");
		}
	}
	free(cand);
	*cursor = row;
	return 0;
}

static int64_t resolve(const struct group_idea *ideas, int64_t id)
{
	return id < 0 ? ideas[-id - 1].id : id;
}

/* Frees an array of n strings and the array. */
static void free_strs(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *i64(int64_t v)
{
	char *s = malloc(24);
	snprintf(s, 24, "%" PRId64, v);
	return s;
}

static char *real(double v)
{
	char *s = malloc(32);
	snprintf(s, 32, "%.6f", v);
	return s;
}

/* The scores of the group's new ideas that their founding mention alone
 * decides (pipeline_prescore); the others are rescored after the writes. */
static int prescore_ideas(struct triage_ctx *t, struct group_idea *ideas, int n, struct err *err)
{
	for (int i = 0; i < n; i++) {
		const struct mention *m = ideas[i].p->m;
		if (ideas[i].joined || !pipeline_can_prescore(m))
			continue;
		if (ideas[i].p->scored) { /* by the helper thread */
			ideas[i].sc = ideas[i].p->sc;
			memset(&ideas[i].p->sc, 0, sizeof(ideas[i].p->sc));
			ideas[i].p->scored = false;
		} else if (pipeline_prescore(t, m, &ideas[i].sc, err) < 0) {
			return -1;
		}
		ideas[i].scored = true;
	}
	return 0;
}

/* The rows (k, mention id) of a mentions insert, into pl[k - 1]. */
static void mention_ids(struct ingest_result *res, int n, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		int k = atoi(PQgetvalue(r, i, 0)) - 1;
		if (k >= 0 && k < n)
			res[k].mention_id = atoll(PQgetvalue(r, i, 1));
	}
}

static int writer_result(void *arg, int index, PGresult *r)
{
	struct writer *w = arg;
	for (int k = 0; k < 3; k++)
		if (index == w->keep[k]) {
			w->kept[k] = r;
			return 1;
		}
	if (index < w->nsent && w->rows_for[index])
		mention_ids(w->rows_for[index], w->nrows_for[index], r);
	return 0;
}

/* Runs or sends sql; rows_for: the results its (k, mention id) rows are for. */
static int writer_do(struct writer *w, const char *sql, int n, const char *const *p,
		     struct ingest_result *rows_for, int nrows, struct err *err)
{
	if (!w->piped) {
		PGresult *r = db_query(w->c, sql, n, p, err);
		if (!r)
			return -1;
		if (rows_for)
			mention_ids(rows_for, nrows, r);
		PQclear(r);
		return 0;
	}
	if (w->nsent == w->cap) {
		int cap = w->cap ? 2 * w->cap : 16;
		struct ingest_result **rf = realloc(w->rows_for, sizeof(*rf) * (size_t)cap);
		if (rf)
			w->rows_for = rf;
		int *nr = rf ? realloc(w->nrows_for, sizeof(*nr) * (size_t)cap) : NULL;
		if (!nr)
			return err_set(err, "out of memory");
		w->nrows_for = nr;
		w->cap = cap;
	}
	if (db_send(w->c, sql, n, p, err) < 0)
		return -1;
	db_pipeline_pump(w->c);
	w->rows_for[w->nsent] = rows_for;
	w->nrows_for[w->nsent++] = nrows;
	return 0;
}

static void writer_free(struct writer *w)
{
	free(w->rows_for);
	free(w->nrows_for);
	for (int k = 0; k < 3; k++)
		PQclear(w->kept[k]);
}

enum { IC_ID, IC_TITLE, IC_NT, IC_TT, IC_AT, IC_TN, IC_AN, IC_CAT, IC_SEG, IC_RT, IC_SCORE,
       IC_BD, IC_CLS, IC_NREQ, IC_NSRC, IC_NM, IC_LAST, IC_N };

static const char sql_next_ids[] = "SELECT nextval(pg_get_serial_sequence('ideas', 'id'))"
				   " FROM generate_series(1, $1::int)";

/* n new idea ids from the sequence, ascending, into out. */
static int next_ids(PGconn *c, int n, int64_t *out, struct err *err)
{
	char cnt[16];
	snprintf(cnt, sizeof(cnt), "%d", n);
	const char *pc[] = {cnt};
	PGresult *r = db_query(c, sql_next_ids, 1, pc, err);
	if (!r)
		return -1;
	for (int i = 0; i < n; i++)
		out[i] = atoll(PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

/* Ids for the n new ideas of a group, in order: first those reserved
 * and not yet used (t->ids), then, when the writes are not piped, from the
 * sequence (a piped window reserved enough: no round trip to wait for).
 * Ids so handed out ascend, as the transaction's index needs. */
static int assign_ids(PGconn *c, struct triage_ctx *t, bool piped, struct group_idea *ideas,
		      int n, struct err *err)
{
	if (!n)
		return 0;
	int64_t *ids = malloc(sizeof(int64_t) * (size_t)n);
	if (!ids)
		return err_set(err, "out of memory");
	int rc = 0, have = t->nids - t->ids_next, take = have < n ? have : n;
	if (take > 0)
		memcpy(ids, t->ids + t->ids_next, sizeof(int64_t) * (size_t)take);
	t->ids_next += take;
	if (take < n)
		rc = piped ? err_set(err, "internal error: too few ids reserved")
			   : next_ids(c, n - take, ids + take, err);
	for (int i = 0; rc == 0 && i < n; i++) {
		ideas[i].id = ids[i];
		fresh_set_id(t->fresh, ideas[i].entry, ids[i]);
	}
	free(ids);
	return rc;
}

/* Reserves ids so that at least n are at hand (t->ids): those a window's
 * piped groups will need at most. The ones left at commit are not used
 * (gaps in the ids, as a sequence cache leaves). got: the ids asked for
 * already (sql_next_ids' result), or NULL to ask now. */
static int reserve_ids(PGconn *c, struct triage_ctx *t, int n, const PGresult *got,
		       struct err *err)
{
	int have = t->nids - t->ids_next;
	if (got)
		n = have + PQntuples(got);
	if (have >= n)
		return 0;
	if (have > 0)
		memmove(t->ids, t->ids + t->ids_next, sizeof(int64_t) * (size_t)have);
	int64_t *v = realloc(t->ids, sizeof(int64_t) * (size_t)n);
	if (!v)
		return err_set(err, "out of memory");
	t->ids = v;
	t->nids = have;
	t->ids_next = 0;
	for (int i = 0; got && i < n - have; i++)
		t->ids[have + i] = atoll(PQgetvalue(got, i, 0));
	if (!got && next_ids(c, n - have, t->ids + have, err) < 0)
		return -1;
	t->nids = n;
	return 0;
}

static const char sql_insert_ideas[] =
    "WITH i AS (INSERT INTO ideas (id, title, norm_title, title_terms, all_terms,"
    "  title_norm, all_norm, " MATCH_SCORE_COLUMNS ")"
    " SELECT u.id, u.title, u.nt, string_to_array(u.tt, ' '), string_to_array(u.at, ' '),"
    "  u.tn, u.an, " MATCH_SCORE_VALUES("u.cat", "u.seg", "u.rt", "u.score", "u.bd",
					"u.cls", "u.nreq", "u.nsrc", "u.nm", "u.last")
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],"
    "  $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::text[],"
    "  $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])"
    "  AS u(id, title, nt, tt, at, tn, an, cat, seg, rt, score, bd, cls, nreq, nsrc, nm,"
    "  last)"
    " ORDER BY u.id) SELECT 1";

/* The group's new ideas, their ids assigned (assign_ids), scored when
 * their founding mention alone says how; their full-text entries are
 * written at commit (intake/fresh.h). */
static int write_ideas(struct writer *w, struct group_idea *ideas, int n, struct err *err)
{
	if (!n)
		return 0;
	char **col[IC_N];
	for (int k = 0; k < IC_N; k++)
		col[k] = calloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++) {
		struct plan *p = ideas[i].p;
		col[IC_ID][i] = i64(ideas[i].id);
		col[IC_TITLE][i] = strdup(p->title);
		col[IC_NT][i] = strdup(p->q.norm_title);
		col[IC_TT][i] = tokens_join(&p->q.title_toks, " ");
		col[IC_AT][i] = tokens_join(&p->q.all_toks, " ");
		col[IC_TN][i] = real(p->q.q.title.norm);
		col[IC_AN][i] = real(p->q.q.all.norm);
		if (!ideas[i].scored)
			continue; /* NULL: inserted unscored, rescored after */
		const struct idea_score *sc = &ideas[i].sc;
		col[IC_CAT][i] = strdup(sc->category);
		col[IC_SEG][i] = strdup(sc->segments);
		col[IC_RT][i] = strdup(sc->runtime);
		col[IC_SCORE][i] = strdup(sc->score);
		col[IC_BD][i] = strdup(sc->breakdown);
		col[IC_CLS][i] = strdup(sc->classification);
		col[IC_NREQ][i] = i64(sc->requesters);
		col[IC_NSRC][i] = i64(sc->sources);
		col[IC_NM][i] = i64(sc->mentions);
		col[IC_LAST][i] = i64(sc->last_activity);
	}
	char *lit[IC_N];
	const char *pp[IC_N];
	for (int k = 0; k < IC_N; k++) {
		lit[k] = db_array_nullable((const char *const *)col[k], n);
		pp[k] = lit[k];
		free_strs(col[k], n);
	}
	int rc = writer_do(w, sql_insert_ideas, IC_N, pp, NULL, 0, err);
	for (int k = 0; k < IC_N; k++)
		free(lit[k]);
	return rc;
}

enum { MC_IDEA, MC_SOURCE, MC_EXT, MC_AUTHOR, MC_AKIND, MC_EMAIL, MC_ACCOUNT, MC_ARR, MC_TITLE,
       MC_BODY, MC_URL, MC_LABELS, MC_VOTES, MC_PUBLIC, MC_DELETED, MC_CREATED, MC_UPDATED,
       MC_HASH, MC_RKEY, MC_METHOD, MC_SIM, MC_EVIDENCE, MC_OWNER, MC_N };

static const char sql_insert_mentions[] =
    "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"
    "  $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[],"
    "  $12::text[], $13::int[], $14::bool[], $15::bool[], $16::bigint[], $17::bigint[],"
    "  $18::text[], $19::text[], $20::text[], $21::float8[], $22::text[], $23::text[])"
    "  WITH ORDINALITY AS u(idea, src, ext, author, akind, email, account, arr, title, body,"
    "  url, labels, votes, pub, del, cre, upd, hash, rkey, method, sim, ev, own, k)),"
    " m AS (INSERT INTO mentions (idea_id, source, external_id, kind, author, author_kind,"
    "  author_email, account, arr, title, body, url, labels, votes, is_public, deleted,"
    "  upstream_created_at, upstream_updated_at, content_hash, requester_key, owned_by)"
    "  SELECT idea, src, ext, 'post', author, akind, email, account, arr, title, body, url,"
    "  labels::text[], votes, pub, del, to_timestamp(cre), to_timestamp(upd), hash, rkey, own"
    "  FROM u ORDER BY k RETURNING id, source, external_id),"
    " l AS (INSERT INTO mention_links (mention_id, idea_id, method, similarity, decided_by,"
    "  evidence) SELECT m.id, u.idea, u.method, u.sim, $24, u.ev::jsonb"
    "  FROM m JOIN u ON u.src = m.source AND u.ext = m.external_id)"
    " SELECT u.k, m.id FROM m JOIN u ON u.src = m.source AND u.ext = m.external_id";

static int write_mentions(struct writer *w, struct plan *pl, int n,
			  const struct group_idea *ideas, const char *decided_by,
			  struct ingest_result *res, struct err *err)
{
	char **col[MC_N];
	for (int k = 0; k < MC_N; k++)
		col[k] = calloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++) {
		const struct mention *m = pl[i].m;
		char hash[65];
		pipeline_content_hash(m, hash);
		col[MC_IDEA][i] = i64(resolve(ideas, pl[i].into));
		col[MC_SOURCE][i] = strdup(source_name(m->source));
		col[MC_EXT][i] = strdup(m->external_id);
		col[MC_AUTHOR][i] = strdup(m->author ? m->author : "");
		col[MC_AKIND][i] = strdup(author_kind_name(m->author_kind));
		col[MC_EMAIL][i] = m->author_email ? strdup(m->author_email) : NULL;
		col[MC_ACCOUNT][i] = m->account ? strdup(m->account) : NULL;
		col[MC_ARR][i] = m->arr >= 0 ? i64(m->arr) : NULL;
		col[MC_TITLE][i] = strdup(m->title ? m->title : "");
		col[MC_BODY][i] = strdup(m->body ? m->body : "");
		col[MC_URL][i] = m->url ? strdup(m->url) : NULL;
		col[MC_LABELS][i] = db_text_array((const char *const *)m->labels, m->nlabels);
		col[MC_VOTES][i] = i64(m->votes);
		col[MC_PUBLIC][i] = strdup(m->is_public ? "t" : "f");
		col[MC_DELETED][i] = strdup(m->deleted ? "t" : "f");
		col[MC_CREATED][i] = m->created_at ? i64(m->created_at) : NULL;
		col[MC_UPDATED][i] = m->updated_at ? i64(m->updated_at) : NULL;
		col[MC_HASH][i] = strdup(hash);
		col[MC_RKEY][i] = pipeline_requester_key(m);
		col[MC_METHOD][i] = strdup(pl[i].method);
		char sim[32];
		snprintf(sim, sizeof(sim), "%.4f", pl[i].similarity);
		col[MC_SIM][i] = strdup(sim);
		col[MC_EVIDENCE][i] = strdup(pl[i].evidence ? pl[i].evidence : "{}");
		col[MC_OWNER][i] = strdup(pipeline_owner(m));
	}
	char *lit[MC_N];
	const char *pp[MC_N + 1];
	for (int k = 0; k < MC_N; k++) {
		lit[k] = db_array_nullable((const char *const *)col[k], n);
		pp[k] = lit[k];
		free_strs(col[k], n);
	}
	pp[MC_N] = decided_by;
	int rc = writer_do(w, sql_insert_mentions, MC_N + 1, pp, res, n, err);
	for (int k = 0; k < MC_N; k++)
		free(lit[k]);
	return rc;
}

/* Near matches of the new ideas, both ways, in one statement. */
/* once per pair, from the newer idea (readers look both ways); a pair
 * appears once: an idea's suggestions were found before any idea founded
 * after it existed, and its candidates are distinct (those in the
 * database's index and those in memory are different ideas), so a plain
 * insert (an ON CONFLICT clause cost a fifth more) */
static const char sql_insert_similar[] =
    "INSERT INTO idea_similar (idea_id, other_id, similarity, evidence)"
    " SELECT u.a, u.b, u.s, u.e::jsonb"
    " FROM unnest($1::bigint[], $2::bigint[], $3::float8[], $4::text[]) u(a, b, s, e)"
    " ORDER BY u.a, u.b";

static int write_suggestions(struct writer *w, struct plan *pl, int n,
			     const struct group_idea *ideas, struct err *err)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += pl[i].founds >= 0 ? pl[i].nsugg : 0;
	if (!total)
		return 0;
	char **a = calloc((size_t)total, sizeof(char *)), **b = calloc((size_t)total, sizeof(char *)),
	     **s = calloc((size_t)total, sizeof(char *)), **e = calloc((size_t)total, sizeof(char *));
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (pl[i].founds < 0)
			continue;
		for (int j = 0; j < pl[i].nsugg; j++, k++) {
			a[k] = i64(ideas[pl[i].founds].id);
			b[k] = i64(resolve(ideas, pl[i].sugg[j].idea_id));
			char sim[32];
			snprintf(sim, sizeof(sim), "%.4f", pl[i].sugg[j].r.score);
			s[k] = strdup(sim);
			e[k] = match_evidence_json(&pl[i].sugg[j].r);
		}
	}
	char *la = db_text_array((const char *const *)a, k), *lb = db_text_array((const char *const *)b, k),
	     *ls = db_text_array((const char *const *)s, k), *le = db_text_array((const char *const *)e, k);
	free_strs(a, k);
	free_strs(b, k);
	free_strs(s, k);
	free_strs(e, k);
	const char *pp[] = {la, lb, ls, le};
	int rc = writer_do(w, sql_insert_similar, 4, pp, NULL, 0, err);
	free(la);
	free(lb);
	free(ls);
	free(le);
	return rc;
}

/* Rescores the ideas a group touched at commit (an idea joined again by a
 * later group is rescored once), but those it inserted scored. */
static int rescore_touched(struct triage_ctx *t, const struct plan *pl, int n,
			   const struct group_idea *ideas, struct err *err)
{
	int64_t *touched = calloc((size_t)n + 1, sizeof(int64_t));
	int nt = 0;
	for (int i = 0; touched && i < n; i++) {
		if (pl[i].into < 0 && ideas[-pl[i].into - 1].scored)
			continue;
		int64_t id = resolve(ideas, pl[i].into);
		bool seen = false;
		for (int j = 0; j < nt && !seen; j++)
			seen = touched[j] == id;
		if (!seen)
			touched[nt++] = id;
	}
	int rc = touched ? pipeline_rescore_later(t, touched, nt) : -1;
	free(touched);
	return rc < 0 ? err_set(err, "out of memory") : 0;
}

static const char sql_window_candidates[] =
    "SELECT q.k, c.* FROM unnest($1::text[]) WITH ORDINALITY q(tsq, k)"
    " CROSS JOIN LATERAL (" MATCH_CANDIDATES_SQL("q.tsq", "$2") ") c"
    " WHERE q.tsq <> '' ORDER BY q.k";

/* Weighs every plan of a window with the document frequencies tab and
 * returns the parameter of sql_window_candidates: each plan's query of its
 * rarest terms, as a text[] literal (NULL: out of memory, in *err). */
static char *window_queries(struct triage_ctx *t, struct plan *pl, int n,
			    const struct df_table *tab, struct err *err)
{
	char **tsq = calloc((size_t)n + 1, sizeof(char *));
	if (!tsq) {
		err_set(err, "out of memory");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (match_weigh(t, &pl[i].q, tab, err) < 0) {
			free(tsq);
			return NULL;
		}
		match_retrieval_terms(&pl[i].q, &pl[i].rt);
		pl[i].tsq = match_retrieval_query(&pl[i].rt);
		tsq[i] = pl[i].tsq;
	}
	char *lit = db_text_array((const char *const *)tsq, n);
	free(tsq);
	if (!lit)
		err_set(err, "out of memory");
	return lit;
}

/* The candidates the database has for every plan of a window, in one
 * statement: rows (k, candidate columns), k the plan's 1-based number. */
static PGresult *window_candidates(PGconn *c, struct triage_ctx *t, struct plan *pl, int n,
				   const struct df_table *tab, struct err *err)
{
	char *lit = window_queries(t, pl, n, tab, err);
	if (!lit)
		return NULL;
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", t->rules->candidates);
	const char *pq[] = {lit, limit};
	PGresult *rows = db_query(c, sql_window_candidates, 2, pq, err);
	free(lit);
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
static int plans_init(struct triage_ctx *t, const struct mention *ms, int n, struct plan *pl,
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

/* The next window of a call, made ready while the server writes the
 * current one, so that the server always has work queued: its plans (from
 * the helper thread) and terms, and their document frequencies asked for
 * after the current window's first group; then, once the current window
 * is decided (the weights count its new ideas), the database's candidates
 * for it and the ids its new ideas will take, asked for before the current
 * window's writes are waited for. None of these reads sees those writes:
 * the terms change only at commit, the database's full-text entries of new
 * ideas too, and ids come from a sequence. */
struct ahead {
	const struct mention *ms; /* the first mention of the window */
	int n;
	struct plan *pl;
	struct tokens all; /* borrowed from the plans */
	struct df_table tab;
	PGresult *rows; /* its candidates; NULL until asked for and read */
	PGresult *ids;  /* ids for its new ideas (reserve_ids), or NULL */
};

/* The window that follows in the call: ms[0..n), at in the call. */
struct following {
	const struct mention *ms;
	int n, at;
};

static void ahead_clear(struct ahead *a)
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
static int ahead_plan(struct triage_ctx *t, struct writer *w, const struct following *next,
		      struct prep *pp, struct ahead *a, struct err *err)
{
	ahead_clear(a);
	if (!(a->pl = calloc((size_t)next->n, sizeof(*a->pl))))
		return err_set(err, "out of memory");
	a->ms = next->ms;
	a->n = next->n;
	if (plans_init(t, next->ms, next->n, a->pl, pp, next->at, err) < 0)
		return -1;
	union_terms(a->pl, a->n, &a->all);
	char *lit = db_text_array((const char *const *)a->all.v, a->all.n);
	const char *p[] = {lit};
	int rc = lit ? writer_do(w, match_df_sql, 1, p, NULL, 0, err) : err_set(err, "out of memory");
	free(lit);
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
static int ahead_ask(struct triage_ctx *t, struct writer *w, struct ahead *a, struct err *err)
{
	int upto = w->keep[KEPT_DF] + 1, rc = db_pipeline_read(w->c, w->nread, upto, writer_result, w, err);
	w->nread = upto; /* read, failed or not */
	if (rc < 0)
		return -1;
	rc = match_df_read(w->kept[KEPT_DF], &a->tab, err);
	PQclear(w->kept[KEPT_DF]);
	w->kept[KEPT_DF] = NULL;
	if (rc < 0)
		return -1;
	char *lit = window_queries(t, a->pl, a->n, &a->tab, err);
	if (!lit)
		return -1;
	char limit[16];
	snprintf(limit, sizeof(limit), "%d", t->rules->candidates);
	const char *pq[] = {lit, limit};
	rc = writer_do(w, sql_window_candidates, 2, pq, NULL, 0, err);
	free(lit);
	if (rc < 0)
		return -1;
	w->keep[KEPT_ROWS] = w->nsent - 1;
	int have = t->nids - t->ids_next;
	if (a->n > group_max && have < a->n) { /* it will be piped */
		char cnt[16];
		snprintf(cnt, sizeof(cnt), "%d", a->n - have);
		const char *pc[] = {cnt};
		if (writer_do(w, sql_next_ids, 1, pc, NULL, 0, err) < 0)
			return -1;
		w->keep[KEPT_IDS] = w->nsent - 1;
	}
	return 0;
}

/* One window: ms[0..n) are groupable, distinct and new (the call's
 * mentions at..at+n). Its reads are done first, for all of it (document
 * frequencies, the database's candidates), unless they were while the
 * window before was written (ahead); then its groups are decided in order
 * and written. A window of more than one group sends the writes in
 * pipeline mode, with ids reserved ahead, so the server writes a group
 * while the client decides the next: the decisions need nothing the writes
 * return. */
static int ingest_window(PGconn *c, struct triage_ctx *t, const struct mention *ms, int n,
			 struct prep *pp, int at, const struct following *next, struct ahead *ahead,
			 const char *decided_by, struct ingest_result *out, struct err *err)
{
	struct plan *pl = NULL;
	struct group_idea *ideas = calloc((size_t)n, sizeof(*ideas));
	struct df_table tab = {0};
	struct tokens all = {0};
	struct writer w = {.c = c, .piped = n > group_max, .keep = {-1, -1, -1}};
	PGresult *rows = NULL;
	bool in_pipeline = false;
	int rc = -1, row = 0;
	if (ahead->ms == ms && ahead->n == n && ahead->rows) { /* read while the last one was written */
		pl = ahead->pl;
		all = ahead->all;
		tab = ahead->tab;
		rows = ahead->rows;
		int ok = ahead->ids ? reserve_ids(c, t, n, ahead->ids, err) : 0;
		PQclear(ahead->ids);
		memset(ahead, 0, sizeof(*ahead));
		if (ok < 0)
			goto out;
	}
	ahead_clear(ahead);
	if (!pl && (pl = calloc((size_t)n, sizeof(*pl)))) {
		if (plans_init(t, ms, n, pl, pp, at, err) < 0)
			goto out;
		union_terms(pl, n, &all);
		if (match_df_load(c, &all, &tab, err) < 0 ||
		    !(rows = window_candidates(c, t, pl, n, &tab, err)))
			goto out;
	}
	if (!pl || !ideas) {
		err_set(err, "out of memory");
		goto out;
	}
	if (w.piped) {
		if (reserve_ids(c, t, n, NULL, err) < 0 ||
		    db_prepare(c, sql_insert_ideas, IC_N, err) < 0 ||
		    db_prepare(c, match_df_sql, 1, err) < 0 ||
		    db_prepare(c, sql_window_candidates, 2, err) < 0 ||
		    db_prepare(c, sql_next_ids, 1, err) < 0 ||
		    db_prepare(c, sql_insert_mentions, MC_N + 1, err) < 0 ||
		    db_prepare(c, sql_insert_similar, 4, err) < 0)
			goto out;
		if (db_pipeline_begin(c, err) < 0)
			goto out;
		in_pipeline = true;
	}
	for (int g0 = 0; g0 < n; g0 += group_max) {
		int len = n - g0 < group_max ? n - g0 : group_max, ngi = 0;
		struct plan *gp = pl + g0;
		struct group_idea *gi = ideas + g0; /* a group's ideas are numbered within it */
		if (decide(t, &w, gp, g0, len, &tab, rows, &row, gi, &ngi, err) < 0 ||
		    prescore_ideas(t, gi, ngi, err) < 0 || assign_ids(c, t, w.piped, gi, ngi, err) < 0)
			goto out;
		for (int i = 0; i < len; i++) /* the mention ids come with the writes */
			out[g0 + i] = (struct ingest_result){.idea_id = resolve(gi, gp[i].into),
							     .merged = gp[i].founds < 0,
							     .method = gp[i].method,
							     .similarity = gp[i].similarity,
							     .outcome = INGEST_NEW};
		if (write_ideas(&w, gi, ngi, err) < 0 ||
		    write_mentions(&w, gp, len, gi, decided_by, out + g0, err) < 0 ||
		    write_suggestions(&w, gp, len, gi, err) < 0 || rescore_touched(t, gp, len, gi, err) < 0)
			goto out;
		/* the server writes the first group while the next window is
		 * planned */
		if (in_pipeline && g0 == 0 && next && next->n > 0 &&
		    ahead_plan(t, &w, next, pp, ahead, err) < 0)
			goto out;
	}
	if (in_pipeline) {
		/* the next window's reads go after this window's writes; this
		 * window's plans are done with */
		if (ahead->pl && ahead_ask(t, &w, ahead, err) < 0)
			goto out;
		for (int i = 0; i < n; i++)
			plan_clear(&pl[i]);
		in_pipeline = false;
		if (db_pipeline_finish(c, w.nread, w.nsent, writer_result, &w, err) < 0)
			goto out;
		ahead->rows = w.kept[KEPT_ROWS];
		ahead->ids = w.kept[KEPT_IDS];
		w.kept[KEPT_ROWS] = w.kept[KEPT_IDS] = NULL;
	}
	metrics_add(M_INGESTS, n);
	rc = 0;
out:
	if (in_pipeline && db_pipeline_finish(c, w.nread, w.nsent, NULL, NULL, NULL) < 0)
		rc = -1; /* left the mode; the caller rolls the transaction back */
	writer_free(&w);
	PQclear(rows);
	free(all.v); /* the terms are the plans' */
	match_df_free(&tab);
	for (int i = 0; pl && i < n; i++)
		plan_clear(&pl[i]);
	for (int i = 0; ideas && i < n; i++)
		idea_score_clear(&ideas[i].sc);
	free(pl);
	free(ideas);
	return rc;
}

int pipeline_ingest_many(PGconn *c, struct triage_ctx *t, const struct mention *ms, int n,
			 const char *decided_by, struct ingest_result *out, int *failed,
			 struct err *err)
{
	*failed = -1;
	for (int i = 0; i < n; i++)
		if (pipeline_validate(&ms[i], err) < 0) {
			*failed = i;
			return -1;
		}
	/* which the database knows, asked once for the whole call */
	bool *known = calloc((size_t)n + 1, sizeof(bool));
	if (!known)
		return err_set(err, "out of memory");
	enum { ASK = 5000 };
	for (int at = 0; at < n; at += ASK)
		if (mark_known(c, ms + at, n - at < ASK ? n - at : ASK, known + at, err) < 0) {
			free(known);
			*failed = at;
			return -1;
		}
	struct seen seen = {0};
	struct ahead ahead = {0};
	int i = 0, rc = 0;
	/* several groups: normalising and prescoring ahead, on a helper thread */
	struct prep *pp = n > group_max ? prep_start(t->rules, ms, n, known) : NULL;
	while (i < n) {
		int len = window_length(ms + i, known + i, n - i, &seen, true);
		if (len > 0) {
			int j = i + len;
			struct following next = {ms + j, window_length(ms + j, known + j, n - j, &seen, false), j};
			if (ingest_window(c, t, ms + i, len, pp, i, &next, &ahead, decided_by, out + i, err) < 0) {
				*failed = i; /* the window's statements failed together */
				rc = -1;
				break;
			}
			i += len;
			if (t->progress)
				t->progress(i, n, t->progress_arg);
			continue;
		}
		/* ms[i] takes the one-at-a-time path: known, linked, a repeat, or a
		 * comment; a later repeat of it too */
		if (repeats(&seen, &ms[i], true) < 0 ||
		    pipeline_ingest_tx(c, t, &ms[i], decided_by, &out[i], err) < 0) {
			*failed = i;
			rc = -1;
			break;
		}
		i++;
		if (t->progress)
			t->progress(i, n, t->progress_arg);
	}
	ahead_clear(&ahead);
	prep_stop(pp);
	seen_free(&seen);
	free(known);
	return rc;
}
