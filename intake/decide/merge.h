/* intake/decide/merge.h - a person folds one idea into another, or undoes it.
 * Mentions move but keep their own text and source; the move is recorded
 * (idea_merges, a superseding mention link per mention, the audit log) so it
 * can be undone exactly. Both ideas are rescored. */
#ifndef INTAKE_MERGE_H
#define INTAKE_MERGE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "intake/triage_ctx.h"
#include "triage/err.h"

/* Moves every mention of idea `from` into `into` inside the caller's
 * transaction; `from` becomes status merged. *err.field is set for a request
 * that cannot be done ("into": same idea, unknown, or itself merged). */
int merge_ideas(PGconn *c, struct triage_ctx *t, int64_t from, int64_t into, const char *who,
		int64_t *merge_id, struct err *err) __attribute__((warn_unused_result));

/* Undoes the latest live merge of idea `from`: its mentions return and it is
 * live again. */
int unmerge_idea(PGconn *c, struct triage_ctx *t, int64_t from, const char *who,
		 struct err *err) __attribute__((warn_unused_result));

/* merge_ideas (into > 0) or unmerge_idea (into == 0) in a transaction of
 * its own, committed, or rolled back on any failure. */
int merge_in_tx(PGconn *c, struct triage_ctx *t, int64_t from, int64_t into, const char *who,
		int64_t *merge_id, struct err *err) __attribute__((warn_unused_result));

#endif
