/* db/terms.h - the term statistics dedup weighs terms with: table terms
 * (ideas using each term: its document frequency) and corpus (how many
 * ideas there are). */
#ifndef DB_TERMS_H
#define DB_TERMS_H

#include <stdbool.h>

#include "db/db.h"

/* The statement reading the document frequencies of terms[0..n) and the
 * corpus size: rows (term, df), and one row (NULL, corpus). Handed out as a
 * statement so it can go in one round trip with others or in pipeline
 * mode; its parameter lives in *out until db_terms_df_free. -1 when out of
 * memory. */
struct terms_df {
	struct db_stmt st;
	const char *p[1];
	char *lit;
};
int db_terms_df(const char *const *terms, int n, struct terms_df *out)
    __attribute__((warn_unused_result));
void db_terms_df_free(struct terms_df *s);
int db_terms_prepare(PGconn *c, struct err *err) __attribute__((warn_unused_result));

/* Adds delta[i] to the document frequency of terms[i] (sorted, so
 * concurrent writers lock the rows in one order: no deadlock) and corpus
 * to the corpus size; with commit, commits the transaction in the same
 * round trip. n may be 0. */
int db_terms_add(PGconn *c, const char *const *terms, const long *delta, int n, long corpus,
		 bool commit, struct err *err) __attribute__((warn_unused_result));

#endif
