/* db/retrieval.h - candidate ideas for dedup from the database's index of
 * rare terms (idea_search, 007/008). Rows have the candidate columns id,
 * title_terms, title_norm, all_terms, all_norm, norm_title (what
 * intake/dedup's match_score_row reads), all from idea_search: no join to
 * the wide ideas rows. Ranked as ts_rank(search, query, 1) ranks them (the
 * candidate's length as a divisor, as verification weighs a long candidate
 * down), the older idea first on a tie, so the same data always gives the
 * same candidates; intake/dedup/fresh.c ranks the transaction's own ideas
 * the same way. */
#ifndef DB_RETRIEVAL_H
#define DB_RETRIEVAL_H

#include "db/db.h"

/* The live candidates for the full-text query tsq ("a | b"), at most
 * limit: the candidate columns from column 0. Through the function
 * idea_candidates (db/migrations/011), which keeps one generic plan:
 * planning the query for each mention cost half as much as running it. */
PGresult *db_candidates(PGconn *c, const char *tsq, int limit, struct err *err);

/* The statement of the candidates of many queries at once (tsq[0..n), ""
 * for a query that retrieves nothing), at most limit each: rows (k,
 * candidate columns...), k the query's 1-based number, in order of k.
 * Parameters live in *out until db_candidates_many_free; -1 when out of
 * memory. */
struct candidates_many {
	struct db_stmt st;
	const char *p[2];
	char *lit;
	char limit[16];
};
int db_candidates_many(const char *const *tsq, int n, int limit, struct candidates_many *out)
    __attribute__((warn_unused_result));
void db_candidates_many_free(struct candidates_many *s);
int db_candidates_prepare_many(PGconn *c, struct err *err) __attribute__((warn_unused_result));

#endif
