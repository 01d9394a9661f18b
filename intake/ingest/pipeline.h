/* intake/ingest/pipeline.h - THE ingest function. Every path into the system (form,
 * JSON API, webhook, sync, import, demo) ends here: in one transaction the
 * mention is upserted by (source, external_id), attached to an idea (an
 * explicit link, a confident match, or a new idea with its near matches kept
 * as suggestions), and that idea is reclassified and rescored. */
#ifndef INTAKE_PIPELINE_H
#define INTAKE_PIPELINE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "intake/triage_ctx.h"
#include "triage/err.h"
#include "triage/mention.h"

enum ingest_outcome {
	INGEST_NEW,       /* a mention not seen before */
	INGEST_UPDATED,   /* a newer version of a known mention */
	INGEST_UNCHANGED, /* the same content again: nothing written */
	INGEST_STALE      /* older than what is stored: ignored */
};

struct ingest_result {
	int64_t idea_id;
	int64_t mention_id;
	bool merged;       /* joined an idea that already existed */
	const char *method; /* "new", "auto_merge", "explicit_link" (static) */
	double similarity; /* of the match that decided, 0 for new ideas */
	enum ingest_outcome outcome;
};

const char *ingest_outcome_name(enum ingest_outcome o);

/* The client m belongs to (borrowed or static): m->owner, else its
 * source's default - "github" and "reddit" for the connectors, "import"
 * for sales notes (`import-sales` and the inbox), "form" for employee
 * ideas (the form; the API names its token). */
const char *pipeline_owner(const struct mention *m);

/* What pipeline_ingest_tx and pipeline_ingest return when m's
 * (source, external_id) belongs to another client (pipeline_owner): nothing
 * was written, err->field is "external_id". A conflict, not a bad request. */
#define INGEST_NOT_OWNER (-2)

/* Ingests m (borrowed) inside the caller's open transaction, so the caller
 * can add its own rows (a webhook delivery, a cursor, an idempotency record)
 * to the same commit. t is the calling thread's triage context. decided_by
 * names who links the mention ("triage", or a person). Fills *out only on
 * success; on failure *err has field set when the mention itself is at fault. */
int pipeline_ingest_tx(PGconn *c, struct triage_ctx *t, const struct mention *m,
		       const char *decided_by, struct ingest_result *out, struct err *err)
    __attribute__((warn_unused_result));

/* The same ingest for many mentions (an import, a sync page), in order,
 * inside the caller's open transaction: new posts are read, decided and
 * written in groups of a few statements; the others take pipeline_ingest_tx
 * in their turn. out[0..n) filled on success; on failure *failed is the
 * index of the mention at fault (or of the first of the group that failed
 * together) and the transaction must be rolled back. */
int pipeline_ingest_many(PGconn *c, struct triage_ctx *t, const struct mention *ms, int n,
			 const char *decided_by, struct ingest_result *out, int *failed,
			 struct err *err) __attribute__((warn_unused_result));

/* Sets the sizes of the many-at-once ingest's groups and windows (<= 0:
 * the defaults, 250 and 5,000): for tests, to cover several of each with
 * a few hundred mentions. */
void pipeline_many_sizes(int group, int window);

/* Ingests in a transaction of its own, retrying a deadlock once. */
int pipeline_ingest(PGconn *c, struct triage_ctx *t, const struct mention *m,
		    const char *decided_by, struct ingest_result *out, struct err *err)
    __attribute__((warn_unused_result));

/* Reclassifies and rescores one idea from its live mentions (inside the
 * caller's transaction). idea_id as decimal text. */
int pipeline_rescore(PGconn *c, struct triage_ctx *t, const char *idea_id, struct err *err)
    __attribute__((warn_unused_result));

/* Reclassifies and rescores every idea (after a config change), in batches,
 * inside the caller's transaction. *count: ideas rescored. */
int pipeline_rescore_all(PGconn *c, struct triage_ctx *t, int *count, struct err *err)
    __attribute__((warn_unused_result));

/* A reconciliation's findings, inside the caller's transaction: the posts
 * gone[0..ngone) of source were deleted upstream (they and their comments
 * stop counting; their ideas are rescored), the posts seen[0..nseen) still
 * exist (their last_seen_at moves, so the next check picks others).
 * *marked: mentions newly marked deleted. */
int pipeline_mark_gone(PGconn *c, struct triage_ctx *t, enum source source,
		       const char *const *gone, int ngone, const char *const *seen, int nseen,
		       int *marked, struct err *err) __attribute__((warn_unused_result));

/* What a rescore stores of an idea, as text for a statement. */
struct idea_score {
	const char *category, *runtime;                      /* static names */
	char *segments, *score, *breakdown, *classification; /* owned */
	int requesters, sources, mentions;
	int64_t last_activity; /* Unix seconds */
};
void idea_score_clear(struct idea_score *s);

/* True when the score of a new idea founded by m alone can be computed
 * from m (pipeline_prescore) exactly as a rescore would find it. */
bool pipeline_can_prescore(const struct mention *m);

/* The classification and score of a new idea whose one mention is m, so
 * the idea is inserted scored instead of inserted, then rescored. */
int pipeline_prescore(struct triage_ctx *t, const struct mention *m, struct idea_score *out,
		      struct err *err) __attribute__((warn_unused_result));

/* Reclassifies and rescores the ideas ids[0..n) at once (inside the
 * caller's transaction). */
int pipeline_rescore_ids(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n,
			 struct err *err) __attribute__((warn_unused_result));

/* Notes ideas ids[0..n) to be rescored before the open transaction commits
 * (pipeline_commit): an import joins many mentions to the same ideas, and
 * nothing reads their scores before then. -1 when out of memory. */
int pipeline_rescore_later(struct triage_ctx *t, const int64_t *ids, int n)
    __attribute__((warn_unused_result));
/* Rescores the ideas noted, each once, and forgets them. first (or NULL):
 * statements sent ahead of the updates, in the same pipeline, once the
 * rescore's reads are back: the server runs them while the client computes
 * the scores. */
struct db_sender;
int pipeline_rescore_pending(PGconn *c, struct triage_ctx *t, const struct db_sender *first,
			     struct err *err) __attribute__((warn_unused_result));
void pipeline_rescore_forget(struct triage_ctx *t);

/* BEGIN / COMMIT / ROLLBACK helpers: 0 or -1 with *err. */
int pipeline_begin(PGconn *c, struct err *err) __attribute__((warn_unused_result));
/* Commit first rescores the ideas noted for it, then writes the full-text
 * entries of the ideas founded (intake/fresh.h) and the term frequencies
 * the transaction added. */
int pipeline_commit(PGconn *c, struct triage_ctx *t, struct err *err)
    __attribute__((warn_unused_result));
void pipeline_rollback(PGconn *c, struct triage_ctx *t);

#endif
