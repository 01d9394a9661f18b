/* db/scores.h - what a rescore reads of ideas and their live mentions,
 * and what it stores (table ideas: category, segments, runtime, score and
 * its breakdown, classification, demand counts). One idea, or many at once
 * in batches. */
#ifndef DB_SCORES_H
#define DB_SCORES_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"
#include "db/ideas.h"

/* The read of one idea's facts (idea_id as decimal text; NULL: the idea
 * this session inserted last), as a statement for db_query_many; *p holds
 * its parameter. Rows: one per distinct requester (at most 5,000), columns
 * overrides, table_stakes, title, body, labels (text[]), sources, votes,
 * last activity (epoch), mentions; then requester kind, source, arr,
 * posts, comments (NULL when the idea has no live mention). */
struct db_stmt db_score_read_stmt(const char *idea_id, const char **p);
PGresult *db_score_read(PGconn *c, const char *idea_id, struct err *err);

/* Stores sc for idea_id (idea_id decimal text); the previous breakdown is
 * kept when it changes, updated_at moves. */
int db_score_store(PGconn *c, const char *idea_id, const struct idea_score *sc, struct err *err)
    __attribute__((warn_unused_result));

/* The facts of many ideas, in two streaming reads: *ideas, rows (id,
 * overrides, table_stakes, title, body, labels, sources, votes, last
 * activity, mentions) of every live idea or of ids[0..n) (ids NULL: all),
 * ordered by id; *reqs, rows (idea_id, kind, source, arr, posts, comments)
 * per distinct requester, ordered by idea. */
int db_scores_read(PGconn *c, const int64_t *ids, int n, PGresult **ideas, PGresult **reqs,
		   struct err *err) __attribute__((warn_unused_result));

/* Sends (pipeline mode, prepared: db_scores_prepare) the update of ideas
 * ids[0..n) to sc[0..n) in one statement; touch: an ingest changed them,
 * updated_at moves too. */
int db_scores_prepare(PGconn *c, struct err *err) __attribute__((warn_unused_result));
int db_scores_send(PGconn *c, const int64_t *ids, const struct idea_score *sc, int n, bool touch,
		   struct err *err) __attribute__((warn_unused_result));

#endif
