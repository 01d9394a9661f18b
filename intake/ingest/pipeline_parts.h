/* intake/ingest/pipeline_parts.h - pieces of the ingest shared by its one-at-a-time
 * form (pipeline.c) and its many-at-once form (pipeline_many.c). Not for
 * other callers. */
#ifndef INTAKE_PIPELINE_PARTS_H
#define INTAKE_PIPELINE_PARTS_H

#include <libpq-fe.h>

#include "triage/err.h"
#include "triage/mention.h"

/* Longest idea title (characters); longer titles are cut. */
#define IDEA_TITLE_MAX 300

/* Who is asking, for counting distinct requesters (new string). */
char *pipeline_requester_key(const struct mention *m);

/* SHA-256 hex of everything that makes a version of m different. */
void pipeline_content_hash(const struct mention *m, char out[65]);

/* Checks what the database would refuse less clearly. */
int pipeline_validate(const struct mention *m, struct err *err) __attribute__((warn_unused_result));

/* pipeline_rescore in two parts, for a caller that sends the read with
 * other statements: the read (its one parameter, the idea's id), then
 * scoring from its result and the update. */
struct triage_ctx;
extern const char pipeline_rescore_sql[];
int pipeline_rescore_apply(PGconn *c, struct triage_ctx *t, const char *idea_id,
			   const PGresult *row, struct err *err) __attribute__((warn_unused_result));

#endif
