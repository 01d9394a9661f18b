/* db/similar.h - the writes of table idea_similar: the near matches of a
 * new idea, kept for a person to decide on. A pair is stored once, from the
 * newer idea to the older (readers look both ways). */
#ifndef DB_SIMILAR_H
#define DB_SIMILAR_H

#include "db/batch.h"
#include "db/db.h"
#include "triage/dedup.h"

/* The insert that keeps cand[0..n) as near matches of idea_id (decimal
 * text; NULL: the idea this session inserted last, in the same round trip
 * as db_idea_insert's statement). Parameters live in *out until
 * db_similar_insert_free. -1 when out of memory. */
struct similar_insert {
	struct db_stmt st;
	const char *p[4];
	char *ids, *sims, *evs;
};
int db_similar_insert(const char *idea_id, const struct dedup_candidate *cand, int n,
		      struct similar_insert *out) __attribute__((warn_unused_result));
void db_similar_insert_free(struct similar_insert *s);

/* A near match of a many-at-once ingest's new idea. */
struct similar_pair {
	int64_t idea_id, other_id;
	const struct sim_result *r;
};

/* The insert of v[0..n) in one statement. A plain insert: a pair appears
 * once (an idea's suggestions were found before any idea founded after it
 * existed, and its candidates are distinct), and an ON CONFLICT clause
 * cost a fifth more. -1 when out of memory. */
int db_similar_insert_many(const struct similar_pair *v, int n, struct db_batch *out)
    __attribute__((warn_unused_result));
int db_similar_prepare_many(PGconn *c, struct err *err) __attribute__((warn_unused_result));

#endif
