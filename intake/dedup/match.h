/* intake/dedup/match.h - finding the idea a new mention belongs to: its terms
 * weighted by idf, candidates retrieved through indexes (full text on the
 * rarest terms, trigrams on the title - never a scan of all ideas), each
 * verified with triage/similar. Runs inside the ingest transaction. */
#ifndef INTAKE_MATCH_H
#define INTAKE_MATCH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/db.h"
#include "intake/triage_ctx.h"
#include "intake/ingest/pipeline.h"
#include "triage/mention.h"
#include "triage/similar.h"

struct match_query {
	struct tokens title_toks; /* normalised title tokens (owned) */
	struct tokens all_toks;   /* title + body tokens (owned) */
	double *title_idf, *all_idf;
	long *all_df;       /* ideas using each term, this transaction's included */
	struct sim_query q; /* termsets over the tokens above */
	long corpus;        /* ideas in the corpus when prepared */
	char *norm_title;   /* the title's exact-match key, for trigrams */
	uint64_t *trgm;     /* its trigram set (sorted), computed once */
	int ntrgm;
};

#define MATCH_MAX 10

struct match_candidate {
	int64_t idea_id;
	struct sim_result r;
};

/* Document frequencies of some terms, sorted by term, and the corpus size. */
struct df_table {
	char **term;
	long *df;
	int n;
	long corpus;
	int *slot;   /* hash index: term[slot[h] - 1], 0 empty */
	size_t size; /* slots, a power of two */
};

/* Reads the df of terms (and the corpus size) in one query. */
int match_df_load(PGconn *c, const struct tokens *terms, struct df_table *out, struct err *err)
    __attribute__((warn_unused_result));
/* The same in parts, for a caller that sends the query with others: the
 * query (its one parameter, a text[] literal of the terms), and the table
 * from its result. */
extern const char match_df_sql[];
int match_df_read(const PGresult *r, struct df_table *out, struct err *err)
    __attribute__((warn_unused_result));
void match_df_free(struct df_table *d);

/* Normalises m's title and body into q (no database). */
int match_normalize(struct triage_ctx *t, const struct mention *m, struct match_query *q,
		    struct err *err) __attribute__((warn_unused_result));

/* Weighs q's terms by idf from tab plus what the open transaction added
 * (may be called again as that changes). */
int match_weigh(struct triage_ctx *t, struct match_query *q, const struct df_table *tab,
		struct err *err) __attribute__((warn_unused_result));

/* The rarest of q's terms that some idea uses, sorted (new strings): what
 * retrieves candidates. None when no term could retrieve anything. */
void match_retrieval_terms(const struct match_query *q, struct tokens *out);

/* q's terms that retrieval could still ask for once an idea of them is
 * stored (used by fewer than RETRIEVAL_MAX_DF ideas), space-joined, new:
 * what its entry in the index of rare terms holds. */
char *match_rare_terms(const struct match_query *q);

/* Those terms as a full-text query ("a | b"), new. */
char *match_retrieval_query(const struct tokens *terms);

/* Counts q's terms into the transaction's pending document frequencies, as
 * a new idea made of them does. */
int match_pending_add(struct triage_ctx *t, const struct tokens *terms)
    __attribute__((warn_unused_result));

/* Normalises m's title and body and weighs the terms. */
int match_prepare(PGconn *c, struct triage_ctx *t, const struct mention *m, struct match_query *q,
		  struct err *err) __attribute__((warn_unused_result));
void match_clear(struct match_query *q);

/* The columns idea_search keeps copied from ideas for retrieval (007). */
#define MATCH_SEARCH_COPY "title_terms, all_terms, title_norm, all_norm, norm_title"

/* Live candidate ideas for a full-text query (tsq) through the index of
 * rare terms (008), at most limit: columns id, title_terms, title_norm, all_terms, all_norm,
 * norm_title (what match_score_row reads), all from idea_search: no join to
 * the wide ideas rows. Ranked with the candidate's length as a divisor
 * (ts_rank's normalisation 1), as the verification weighs a long candidate
 * down, and the older idea first on a tie, so the same data always gives
 * the same candidates. One mention's candidates come from the same query
 * in the function idea_candidates (db/migrations/011; a test compares the
 * two). */
#define MATCH_CANDIDATES_SQL(tsq, limit)                                                          \
	"SELECT s.idea_id, s.title_terms, s.title_norm, s.all_terms, s.all_norm, s.norm_title"  \
	" FROM idea_search s WHERE s.live AND s.rare @@ to_tsquery('simple', " tsq ")"            \
	" ORDER BY ts_rank(s.search, to_tsquery('simple', " tsq "), 1) DESC, s.idea_id"           \
	" LIMIT " limit "::int"

/* Scores the candidate in row of r (its columns from col on, as above)
 * against q into *out; 1 when at or above the suggest threshold. */
int match_score_row(struct triage_ctx *t, const struct match_query *q, PGresult *r, int row,
		    int col, struct match_candidate *out);

/* Scores an idea known in memory (d) against q; 1 when worth suggesting. */
int match_score_doc(struct triage_ctx *t, const struct match_query *q, const struct sim_doc *d,
		    int64_t idea_id, struct match_candidate *out);

/* Scores the ideas founded by the open transaction's many-at-once ingest
 * (intake/fresh.h) that share one of terms, the best t->rules->candidates
 * of them as retrieval ranks them, into out (room for that many); returns
 * how many are worth suggesting. */
int match_fresh(struct triage_ctx *t, const struct match_query *q, const struct tokens *terms,
		struct match_candidate *out);

/* Sorts c[0..n) best first; returns how many to keep (at most MATCH_MAX). */
int match_best(struct match_candidate *c, int n);

/* The best candidates at or above the suggest threshold, best first (at most
 * MATCH_MAX) into out; *n their number. */
int match_find(PGconn *c, struct triage_ctx *t, const struct match_query *q,
	       struct match_candidate *out, int *n, struct err *err)
    __attribute__((warn_unused_result));

/* The id of the idea this session inserted last, in SQL: a statement sent
 * in one batch with an idea's insert (match_idea_insert) names the idea by
 * it, as the id is not known yet when the batch is sent. */
#define MATCH_NEW_IDEA "currval('ideas_id_seq')"

/* The insert of an idea titled title with q's terms and its full-text
 * entry, returning its id; scored with sc (computed from its founding
 * mention: pipeline_prescore), or with sc NULL left for the caller to
 * rescore. Its parameters live in *out until match_idea_insert_free. The
 * caller counts q's terms (match_pending_add) once it is written. -1 when
 * out of memory. */
struct idea_insert {
	struct db_stmt st;
	const char *p[17];
	char *tt, *at, *rare;
	char tn[32], an[32], nr[16], ns[16], nm[16], last[24];
};
int match_idea_insert(const struct match_query *q, const char *title,
		      const struct idea_score *sc, struct idea_insert *out)
    __attribute__((warn_unused_result));
void match_idea_insert_free(struct idea_insert *s);

/* The columns of ideas a rescore writes, and their values from parameters
 * (text) that are all NULL for an idea inserted unscored: the columns'
 * own defaults then, until the rescore that follows in the transaction. */
#define MATCH_SCORE_COLUMNS                                                                       \
	"category, segments, runtime, score, score_breakdown, classification, requesters,"       \
	" source_count, mention_count, last_activity_at, scored_at"
#define MATCH_SCORE_VALUES(cat, seg, rt, score, bd, cls, nreq, nsrc, nm, last)                   \
	"coalesce(" cat ", 'feature'), coalesce(" seg "::text[], '{}'), coalesce(" rt ", 'cloud'),"  \
	" coalesce(" score "::float8, 0), coalesce(" bd "::jsonb, '{}'),"                           \
	" coalesce(" cls "::jsonb, '{}'), coalesce(" nreq "::int, 0), coalesce(" nsrc "::int, 0),"  \
	" coalesce(" nm "::int, 0), to_timestamp(" last "::bigint),"                               \
	" CASE WHEN " score " IS NULL THEN NULL ELSE now() END"

/* The near matches of idea $1, whichever of the two was founded first: a
 * pair is stored once (the newer idea -> the older one). Columns: other,
 * similarity, evidence. For use as a subquery. */
#define MATCH_SIMILAR_OF(id)                                                                      \
	"(SELECT DISTINCT ON (x.other) x.other, x.similarity, x.evidence FROM ("                 \
	" SELECT other_id AS other, similarity, evidence FROM idea_similar WHERE idea_id = " id   \
	" UNION ALL SELECT idea_id, similarity, evidence FROM idea_similar WHERE other_id = " id  \
	") x ORDER BY x.other, x.similarity DESC)"

/* The insert that keeps near matches cand[0..n) of idea_id (NULL: the
 * idea this session inserted last) for a person to decide on, once per
 * pair; parameters as match_idea_insert's. -1 when out of memory. */
struct similar_insert {
	struct db_stmt st;
	const char *p[4];
	char *ids, *sims, *evs;
};
int match_similar_insert(const char *idea_id, const struct match_candidate *cand, int n,
			 struct similar_insert *out) __attribute__((warn_unused_result));
void match_similar_insert_free(struct similar_insert *s);

/* Counts -1 for each of removed's terms and +1 for each of added's into the
 * transaction's pending document frequencies (an edited idea). */
int match_pending_change(struct triage_ctx *t, const struct tokens *removed,
			 const struct tokens *added) __attribute__((warn_unused_result));

/* Re-derives the matching terms of idea_id from m, the mention that founded
 * it, after an upstream edit: its title and body terms, their norms, its
 * full-text entry and the document frequencies (terms it no longer uses out,
 * new ones in). Without it an edited issue would keep being matched by the
 * words it had when first seen. Nothing changes when no term did. */
int match_refresh_idea(PGconn *c, struct triage_ctx *t, const char *idea_id,
		       const struct mention *m, struct err *err) __attribute__((warn_unused_result));

/* Writes the term frequencies the open transaction added (call right before
 * COMMIT), then runs then (e.g. "COMMIT"; NULL: nothing) in the same round
 * trip; or forgets them (after ROLLBACK). */
int match_pending_flush(PGconn *c, struct triage_ctx *t, const char *then, struct err *err)
    __attribute__((warn_unused_result));
void match_pending_reset(struct triage_ctx *t);
void match_pending_free(struct df_pending *p); /* accepts NULL */
void match_trgm_cache_free(struct trgm_cache *c);  /* accepts NULL */

/* The evidence of a match as JSON text (new): {"similarity", "shared": [...]}. */
char *match_evidence_json(const struct sim_result *r);

#endif
