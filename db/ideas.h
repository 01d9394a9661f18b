/* db/ideas.h - the writes of the ingest to table ideas (and the full-text
 * entry idea_search that goes with each idea): a new idea, and what a
 * rescore stores. Statements are handed out as struct db_stmt so the
 * ingest can send them in one round trip with others (db_query_many) or in
 * pipeline mode; their parameters live in the caller's struct until freed. */
#ifndef DB_IDEAS_H
#define DB_IDEAS_H

#include <stdint.h>

#include "db/batch.h"
#include "db/db.h"
#include "triage/normalize.h"

/* What a rescore stores of an idea, as text for a statement. */
struct idea_score {
	const char *category, *runtime;                      /* static names */
	char *segments, *score, *breakdown, *classification; /* owned */
	int requesters, sources, mentions;
	int64_t last_activity; /* Unix seconds */
};
void idea_score_clear(struct idea_score *s);

/* What a new idea is matched by (all borrowed): its title, the title's
 * exact-match key, its terms (sorted, strcmp), their norms, and the terms
 * its entry in the index of rare terms holds, space-joined. */
struct idea_terms {
	const char *title, *norm_title;
	const struct tokens *title_toks, *all_toks;
	double title_norm, all_norm;
	const char *rare;
};

/* The insert of one idea and its full-text entry, returning its id; scored
 * with sc, or with sc NULL left for the caller to rescore (the columns'
 * defaults until then). Parameters live in *out until db_idea_insert_free.
 * -1 when out of memory. */
struct idea_insert {
	struct db_stmt st;
	const char *p[17];
	char *tt, *at, *rare;
	char tn[32], an[32], nr[16], ns[16], nm[16], last[24];
};
int db_idea_insert(const struct idea_terms *it, const struct idea_score *sc,
		   struct idea_insert *out) __attribute__((warn_unused_result));
void db_idea_insert_free(struct idea_insert *s);

/* ---- many at once (the ingest of many mentions) ---- */

/* A new idea of a many-at-once ingest: its id (reserved: db_ideas_next_ids),
 * its terms, and its score (NULL: inserted unscored, rescored later). */
struct idea_new {
	int64_t id;
	struct idea_terms terms;
	const struct idea_score *sc;
};

/* The insert of v[0..n) in one statement, in the order of their ids; their
 * full-text entries are written later (db_idea_search_send). -1 when out
 * of memory. */
int db_ideas_insert_many(const struct idea_new *v, int n, struct db_batch *out)
    __attribute__((warn_unused_result));

/* n new idea ids from the sequence, ascending, into out. */
int db_ideas_next_ids(PGconn *c, int n, int64_t *out, struct err *err)
    __attribute__((warn_unused_result));
/* The same as a statement, for a caller that sends it with others: rows
 * (id), ascending. */
void db_ideas_next_ids_stmt(int n, struct db_batch *out);

/* Prepares the statements above on c (before pipeline mode). */
int db_ideas_prepare_many(PGconn *c, struct err *err) __attribute__((warn_unused_result));
int db_ideas_prepare_ids(PGconn *c, struct err *err) __attribute__((warn_unused_result));

/* Retitles idea_id (title, and its exact-match key norm_title) unless a
 * person set its title. */
int db_idea_retitle(PGconn *c, const char *idea_id, const char *title, const char *norm_title,
		    struct err *err) __attribute__((warn_unused_result));

/* Sends (pipeline mode, the caller reads the result) the insert of the
 * full-text entries of ideas ids[0..n) (ascending), with the terms of the
 * index of rare terms rare[i] (space-joined), from their ideas rows as
 * they are when it runs. */
int db_idea_search_send(PGconn *c, const int64_t *ids, const char *const *rare, int n,
			struct err *err) __attribute__((warn_unused_result));

/* The matching terms idea_id (decimal text) is stored with, appended to
 * *title and *all (new strings, in the order stored). 0, or -1 with *err
 * (also when there is no such idea). */
int db_idea_terms_get(PGconn *c, const char *idea_id, struct tokens *title, struct tokens *all,
		      struct err *err) __attribute__((warn_unused_result));

/* Stores new matching terms of idea_id and their norms; its full-text
 * entry and retrieval copy follow (007's trigger). */
int db_idea_terms_set(PGconn *c, const char *idea_id, const struct tokens *title,
		      const struct tokens *all, double title_norm, double all_norm, struct err *err)
    __attribute__((warn_unused_result));

#endif
