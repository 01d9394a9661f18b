/* intake/ingest/rescore.h - reclassify and rescore ideas from their live
 * mentions: the founding post's text and every live mention's labels say
 * what an idea is (a person's overrides win); its distinct requesters say
 * how much it is wanted. The ingest's last stage, and what triage actions
 * (intake/decide) and `ideatriage rescore` call. All run inside the
 * caller's transaction. */
#ifndef INTAKE_RESCORE_H
#define INTAKE_RESCORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "db/ideas.h" /* struct idea_score */
#include "intake/triage_ctx.h"
#include "triage/err.h"
#include "triage/mention.h"

/* Reclassifies and rescores one idea (idea_id as decimal text). */
int rescore_idea(PGconn *c, struct triage_ctx *t, const char *idea_id, struct err *err)
    __attribute__((warn_unused_result));

/* Who is told how far a long rescore has come: fn(done, total, arg) after
 * each idea is scored. */
struct rescore_progress {
	void (*fn)(int done, int total, void *arg);
	void *arg;
};

/* Every idea (after a config change), in batches. *count: ideas rescored.
 * progress may be NULL. */
int rescore_all(PGconn *c, struct triage_ctx *t, const struct rescore_progress *progress,
		int *count, struct err *err) __attribute__((warn_unused_result));

/* The ideas ids[0..n) at once. */
int rescore_ids(PGconn *c, struct triage_ctx *t, const int64_t *ids, int n, struct err *err)
    __attribute__((warn_unused_result));

/* The ideas ids[0..n) (duplicates allowed: each once, sorted in place),
 * in slices. first (or NULL): statements sent ahead of the updates, in the
 * same pipeline, once the rescore's reads are back: the server runs them
 * while the client computes the scores. */
int rescore_set_of(PGconn *c, struct triage_ctx *t, int64_t *ids, int n,
		   const struct db_sender *first, struct err *err)
    __attribute__((warn_unused_result));

/* True when the score of a new idea founded by m alone can be computed
 * from m (rescore_prescore) exactly as a rescore would find it. */
bool rescore_can_prescore(const struct mention *m);

/* The classification and score of a new idea whose one mention is m, so
 * the idea is inserted scored instead of inserted, then rescored. */
int rescore_prescore(struct triage_ctx *t, const struct mention *m, struct idea_score *out,
		     struct err *err) __attribute__((warn_unused_result));

/* rescore_idea in two parts, for a caller that sends the read in one
 * round trip with its writes: the read's statement for idea_id (NULL: the
 * idea this session inserted last; *p holds its parameter), then the
 * scoring from its result and the update. */
struct db_stmt rescore_read_stmt(const char *idea_id, const char **p);
int rescore_apply(PGconn *c, struct triage_ctx *t, const char *idea_id, const PGresult *row,
		  struct err *err) __attribute__((warn_unused_result));

#endif
