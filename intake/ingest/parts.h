/* intake/ingest/parts.h - pieces of the ingest shared by its one-at-a-time
 * form (one.c) and its many-at-once form (many.c, plan.c, write.c). Not for
 * other callers. */
#ifndef INTAKE_INGEST_PARTS_H
#define INTAKE_INGEST_PARTS_H

#include "intake/ingest/ingest.h"
#include "triage/err.h"
#include "triage/mention.h"
#include "triage/tokens.h"

/* Longest idea title (characters); longer titles are cut. */
#define IDEA_TITLE_MAX 300

/* Who is asking, for counting distinct requesters (new string; NULL when out
 * of memory). */
char *ingest_requester_key(const struct mention *m);

/* The "duplicate of #N" references in a GitHub post's body, as external
 * ids of its repository (new strings in *refs, m's own id included); the
 * count, 0 for any other mention. */
int ingest_duplicate_refs(const struct mention *m, struct tokens *refs);

/* SHA-256 hex of everything that makes a version of m different. */
void ingest_content_hash(const struct mention *m, char out[65]);

/* Checks what the database would refuse less clearly. */
int ingest_validate(const struct mention *m, struct err *err) __attribute__((warn_unused_result));

/* Notes ideas ids[0..n) to be rescored at ingest_commit. -1 when out of
 * memory. */
int ingest_rescore_later(struct ingest_tx *tx, const int64_t *ids, int n)
    __attribute__((warn_unused_result));

#endif
