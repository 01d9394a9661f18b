/* intake/pipeline.h - THE ingest function. Every path into the system (form,
 * JSON API, webhook, sync, import, demo) ends here: in one transaction the
 * mention is upserted by (source, external_id), attached to an idea (found or
 * created), and that idea is rescored. */
#ifndef INTAKE_PIPELINE_H
#define INTAKE_PIPELINE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

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
	bool merged; /* joined an idea that already existed */
	enum ingest_outcome outcome;
};

const char *ingest_outcome_name(enum ingest_outcome o);

/* Ingests m (borrowed) inside the caller's open transaction, so the caller
 * can add its own rows (a webhook delivery, a cursor, an idempotency record)
 * to the same commit. decided_by names who links the mention ("triage", or a
 * person). Fills *out only on success. */
int pipeline_ingest_tx(PGconn *c, const struct mention *m, const char *decided_by,
		       struct ingest_result *out, struct err *err)
    __attribute__((warn_unused_result));

/* Ingests in a transaction of its own, retrying a deadlock once. */
int pipeline_ingest(PGconn *c, const struct mention *m, const char *decided_by,
		    struct ingest_result *out, struct err *err) __attribute__((warn_unused_result));

/* BEGIN / COMMIT / ROLLBACK helpers: 0 or -1 with *err. */
int pipeline_begin(PGconn *c, struct err *err) __attribute__((warn_unused_result));
int pipeline_commit(PGconn *c, struct err *err) __attribute__((warn_unused_result));
void pipeline_rollback(PGconn *c);

#endif
