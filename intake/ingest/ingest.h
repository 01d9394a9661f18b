/* intake/ingest/ingest.h - THE ingest. Every path into the system (form,
 * JSON API, webhook, sync, import, demo) ends here. One unit of work, a
 * struct ingest_tx, goes through stages:
 *
 *   ingest_begin -> (normalise -> decide -> write) per mention, or for many
 *   at once -> ingest_commit (rescore what was joined, write the full-text
 *   entries and term statistics, COMMIT) or ingest_rollback
 *
 * Each mention is upserted by (source, external_id) and attached to an idea
 * as triage/dedup.h decides (an explicit link, a confident match, or a new
 * idea with its near matches kept as suggestions); its idea is
 * reclassified and rescored before the commit. */
#ifndef INTAKE_INGEST_H
#define INTAKE_INGEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "intake/dedup/match.h"
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

/* One transaction of the ingest: everything that lives from ingest_begin to
 * ingest_commit or ingest_rollback. The caller may add its own rows (a
 * webhook delivery, a cursor, an idempotency record) through tx->c between
 * the two, so they land in the same commit. */
struct ingest_tx {
	PGconn *c;            /* borrowed */
	struct triage_ctx *t; /* borrowed: the rules and the thread's normaliser */
	struct dedup_tx dedup; /* pending term frequencies, ideas founded many at once */
	/* ideas to rescore before the commit: an import joins many mentions to
	 * the same ideas, and nothing reads their scores before then */
	int64_t *later;
	int nlater, caplater;
	/* idea ids reserved by a many-at-once ingest's piped writes, used from
	 * ids_next on; those left at commit stay unused (gaps, as a sequence
	 * cache leaves) */
	int64_t *ids;
	int nids, ids_next;
	/* told how many of a many-at-once ingest's mentions are done, as it
	 * goes (a long import's progress bar); NULL: nobody asks */
	void (*progress)(int done, int total, void *arg);
	void *progress_arg;
};

/* Starts a transaction on c for the thread's t. *tx is initialised even on
 * failure, so ingest_rollback may always follow. 0 or -1 with *err. */
int ingest_begin(struct ingest_tx *tx, PGconn *c, struct triage_ctx *t, struct err *err)
    __attribute__((warn_unused_result));
/* Rescores the ideas noted for it, writes the full-text entries of the
 * ideas founded (intake/dedup/fresh.h) and the term frequencies the
 * transaction added, and commits. On failure call ingest_rollback. */
int ingest_commit(struct ingest_tx *tx, struct err *err) __attribute__((warn_unused_result));
/* Rolls back (when a transaction is open) and forgets everything tx held.
 * Safe after a failed begin or commit, and twice. */
void ingest_rollback(struct ingest_tx *tx);

/* The client m belongs to (borrowed or static): m->owner, else its
 * source's default - "github" and "reddit" for the connectors, "import"
 * for sales notes (`import-sales` and the inbox), "form" for employee
 * ideas (the form; the API names its token). */
const char *ingest_owner(const struct mention *m);

/* What ingest_one and ingest_mention return when m's (source,
 * external_id) belongs to another client (ingest_owner): nothing was
 * written, err->field is "external_id". A conflict, not a bad request. */
#define INGEST_NOT_OWNER (-2)

/* Ingests m (borrowed) in tx. decided_by names who links the mention
 * ("triage", or a person). Fills *out only on success; on failure *err has
 * field set when the mention itself is at fault. */
int ingest_one(struct ingest_tx *tx, const struct mention *m, const char *decided_by,
	       struct ingest_result *out, struct err *err) __attribute__((warn_unused_result));

/* The same ingest for many mentions (an import, a sync page), in order, in
 * tx: new posts are planned, decided and written in groups of a few
 * statements; the others take ingest_one in their turn. out[0..n) filled
 * on success; on failure *failed is the index of the mention at fault (or
 * of the first of the group that failed together) and tx must be rolled
 * back. */
int ingest_many(struct ingest_tx *tx, const struct mention *ms, int n, const char *decided_by,
		struct ingest_result *out, int *failed, struct err *err)
    __attribute__((warn_unused_result));

/* Sets the sizes of the many-at-once ingest's groups and windows (<= 0:
 * the defaults, 250 and 5,000): for tests, to cover several of each with
 * a few hundred mentions. */
void ingest_many_sizes(int group, int window);

/* Ingests m in a transaction of its own, retrying a deadlock (or a
 * concurrent first delivery of the same mention) once. */
int ingest_mention(PGconn *c, struct triage_ctx *t, const struct mention *m,
		   const char *decided_by, struct ingest_result *out, struct err *err)
    __attribute__((warn_unused_result));

/* A reconciliation's findings, in tx: the posts gone[0..ngone) of source
 * were deleted upstream (they and their comments stop counting; their
 * ideas are rescored), the posts seen[0..nseen) still exist (their
 * last_seen_at moves, so the next check picks others). *marked: mentions
 * newly marked deleted. */
int ingest_mark_gone(struct ingest_tx *tx, enum source source, const char *const *gone,
		     int ngone, const char *const *seen, int nseen, int *marked, struct err *err)
    __attribute__((warn_unused_result));

#endif
