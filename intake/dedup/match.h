/* intake/dedup/match.h - dedup's part of the ingest: a mention's terms
 * weighted by idf (term statistics, terms.c), candidate ideas retrieved
 * through indexes - the full-text index of rare terms in the database,
 * never a scan of all ideas, and the in-transaction index of ideas the
 * open transaction founded (fresh.h) - and each candidate verified with
 * triage/similar (retrieve.c). What to do with the candidates is decided
 * by triage/dedup.h, not here. Runs inside the ingest's transaction, whose
 * dedup state is a struct dedup_tx. */
#ifndef INTAKE_MATCH_H
#define INTAKE_MATCH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "db/db.h"
#include "intake/triage_ctx.h"
#include "triage/dedup.h"
#include "triage/mention.h"
#include "triage/similar.h"

/* A mention's terms, normalised and weighed. */
struct match_query {
	struct tokens title_toks; /* normalised title tokens (owned) */
	struct tokens all_toks;   /* title + body tokens (owned) */
	double *title_idf, *all_idf;
	long *all_df;       /* ideas using each term, this transaction's included */
	struct sim_query q; /* termsets over the tokens above */
	long corpus;        /* ideas in the corpus when weighed */
	char *norm_title;   /* the title's exact-match key, for trigrams */
	uint64_t *trgm;     /* its trigram set (sorted), computed once */
	int ntrgm;
};

/* What dedup keeps for one transaction, owned by the ingest's struct
 * ingest_tx: the document frequencies it added (written at commit) and the
 * ideas it founded many at once (retrieved from memory until commit). */
struct df_pending;
struct fresh_index;
struct dedup_tx {
	/* updating the same rows (a common term, the corpus count) once per
	 * mention would serialise writers and, in one long import, make every
	 * update walk a longer chain of row versions */
	struct df_pending *pending;
	struct fresh_index *fresh;
};
/* Forgets both (after a rollback, or once written). */
void dedup_tx_clear(struct dedup_tx *d);

/* Writes the term frequencies d added (call right before COMMIT) and, with
 * commit, commits in the same round trip. Forgets them either way. */
int dedup_tx_flush_terms(PGconn *c, struct dedup_tx *d, bool commit, struct err *err)
    __attribute__((warn_unused_result));

/* ---- the in-transaction index, as the ingest uses it (index.c) ---- */

/* Adds the idea q founds to d's index of the ideas the open transaction
 * founded many at once (fresh.h), under id (a placeholder until
 * dedup_tx_set_id), and counts its terms into the pending frequencies.
 * Ideas must be added in the order of their ids. The entry's number, or -1
 * when out of memory. */
int dedup_tx_add_idea(struct dedup_tx *d, const struct match_query *q, int64_t id)
    __attribute__((warn_unused_result));
void dedup_tx_set_id(struct dedup_tx *d, int entry, int64_t id);

/* What writes the full-text entries of the ideas in d's index (empties
 * it), for the pipeline of the commit's rescore; false when there are none. */
bool dedup_tx_entries(struct dedup_tx *d, struct db_sender *out);

/* ---- terms (terms.c) ---- */

/* Document frequencies of some terms, and the corpus size. */
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
/* The table from the result of db/terms.h's db_terms_df statement, for a
 * caller that sent it with others. */
int match_df_read(const PGresult *r, struct df_table *out, struct err *err)
    __attribute__((warn_unused_result));
void match_df_free(struct df_table *d);

/* Normalises m's title and body into q (no database). */
int match_normalize(struct triage_ctx *t, const struct mention *m, struct match_query *q,
		    struct err *err) __attribute__((warn_unused_result));

/* Weighs q's terms by idf from tab plus what the open transaction added
 * (may be called again as that changes). */
int match_weigh(const struct dedup_tx *d, struct match_query *q, const struct df_table *tab,
		struct err *err) __attribute__((warn_unused_result));

/* Counts terms into the transaction's pending document frequencies, as a
 * new idea made of them does. */
int match_pending_add(struct dedup_tx *d, const struct tokens *terms)
    __attribute__((warn_unused_result));

void match_clear(struct match_query *q);

/* ---- retrieval and verification (retrieve.c) ---- */

/* The rarest of q's terms that some idea uses, sorted (new strings): what
 * retrieves candidates. None when no term could retrieve anything. */
void match_retrieval_terms(const struct match_query *q, struct tokens *out);

/* q's terms that retrieval could still ask for once an idea of them is
 * stored, space-joined, new: what its entry in the index of rare terms
 * holds. */
char *match_rare_terms(const struct match_query *q);

/* Those terms as a full-text query ("a | b"), new. */
char *match_retrieval_query(const struct tokens *terms);

/* Scores the candidate in row of r (the columns of db/retrieval.h's
 * candidates from col on) against q into *out; 0 when the row cannot be
 * read (nothing written). */
int match_score_row(struct triage_ctx *t, const struct match_query *q, PGresult *r, int row,
		    int col, struct dedup_candidate *out);

/* Scores the ideas founded by the open transaction's many-at-once ingest
 * that share one of terms, the best t->rules->candidates of them as
 * retrieval ranks them, into out (room for that many); how many. */
int match_fresh(struct triage_ctx *t, struct dedup_tx *d, const struct match_query *q,
		const struct tokens *terms, struct dedup_candidate *out);

/* Every candidate of q, verified, in retrieval's order: the database's,
 * then the transaction's own. *out new (free it), *n their number. */
int match_find(PGconn *c, struct triage_ctx *t, struct dedup_tx *d, const struct match_query *q,
	       struct dedup_candidate **out, int *n, struct err *err)
    __attribute__((warn_unused_result));

/* ---- an edited idea (refresh.c) ---- */

/* Re-derives the matching terms of idea_id from m, the mention that founded
 * it, after an upstream edit: its title and body terms, their norms, its
 * full-text entry and the document frequencies (terms it no longer uses out,
 * new ones in). Without it an edited issue would keep being matched by the
 * words it had when first seen. Nothing changes when no term did. */
int match_refresh_idea(PGconn *c, struct triage_ctx *t, struct dedup_tx *d, const char *idea_id,
		       const struct mention *m, struct err *err) __attribute__((warn_unused_result));

#endif
