/* intake/match.h - finding the idea a new mention belongs to: its terms
 * weighted by idf, candidates retrieved through indexes (full text on the
 * rarest terms, trigrams on the title - never a scan of all ideas), each
 * verified with triage/similar. Runs inside the ingest transaction. */
#ifndef INTAKE_MATCH_H
#define INTAKE_MATCH_H

#include <libpq-fe.h>
#include <stdint.h>

#include "intake/triage_ctx.h"
#include "triage/mention.h"
#include "triage/similar.h"

struct match_query {
	struct tokens title_toks; /* normalised title tokens (owned) */
	struct tokens all_toks;   /* title + body tokens (owned) */
	double *title_idf, *all_idf;
	struct sim_query q; /* termsets over the tokens above */
	long corpus;        /* ideas in the corpus when prepared */
	char *norm_title;   /* the title's exact-match key, for trigrams */
};

#define MATCH_MAX 10

struct match_candidate {
	int64_t idea_id;
	struct sim_result r;
	char title[160];
};

/* Normalises m's title and body and weighs the terms. */
int match_prepare(PGconn *c, struct triage_ctx *t, const struct mention *m, struct match_query *q,
		  struct err *err) __attribute__((warn_unused_result));
void match_clear(struct match_query *q);

/* The best candidates at or above the suggest threshold, best first (at most
 * MATCH_MAX) into out; *n their number. */
int match_find(PGconn *c, struct triage_ctx *t, const struct match_query *q,
	       struct match_candidate *out, int *n, struct err *err)
    __attribute__((warn_unused_result));

/* Creates an idea titled title with q's terms; updates term frequencies.
 * Writes its id (decimal) into id[24]. */
int match_create_idea(PGconn *c, struct triage_ctx *t, const struct match_query *q, const char *title, char id[24],
		      struct err *err) __attribute__((warn_unused_result));

/* Keeps near matches of idea_id for a person to decide on. */
int match_store_suggestions(PGconn *c, const char *idea_id, const struct match_candidate *cand,
			    int n, struct err *err) __attribute__((warn_unused_result));

/* Writes the term frequencies the open transaction added (call right before
 * COMMIT), or forgets them (after ROLLBACK). */
int match_pending_flush(PGconn *c, struct triage_ctx *t, struct err *err)
    __attribute__((warn_unused_result));
void match_pending_reset(struct triage_ctx *t);
void match_pending_free(struct df_pending *p); /* accepts NULL */

/* The evidence of a match as JSON text (new): {"similarity", "shared": [...]}. */
char *match_evidence_json(const struct sim_result *r);

#endif
