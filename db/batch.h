/* db/batch.h - a statement whose parameters are arrays (text[] literals
 * for unnest), built by a db/ function from C values: many rows written or
 * read in one statement. The statement can be run (db_query), sent in one
 * round trip with others (db_query_many) or in pipeline mode (db_send). */
#ifndef DB_BATCH_H
#define DB_BATCH_H

#include <stdint.h>

#include "db/db.h"

#define DB_BATCH_MAX 24

struct db_batch {
	struct db_stmt st;
	const char *p[DB_BATCH_MAX];
	char *own[DB_BATCH_MAX]; /* the literals p points at */
	char small[2][24];       /* short scalar parameters */
};
void db_batch_free(struct db_batch *b); /* accepts a zeroed or half-built batch */

/* A column cell as a new string (NULL: out of memory, or SQL NULL for a
 * NULL s): an integer, a real to 6 places, a copy. */
char *db_cell_i64(int64_t v);
char *db_cell_real(double v);
char *db_cell_dup(const char *s);

/* Row i of rows into every column: col[k][i] a new string, NULL for SQL NULL. */
typedef void (*db_batch_row_fn)(const void *rows, int i, char **col[]);

/* Makes out->own[0..ncols) and out->p[0..ncols) one array literal per column
 * (NULLs kept) from rows 0..n of rows, filled by row; out->st is the
 * caller's to set. 0, or -1 out of memory with out freed. */
int db_batch_columns(struct db_batch *out, int ncols, const void *rows, int n, db_batch_row_fn row)
    __attribute__((warn_unused_result));

/* Sends b in pipeline mode (db_send). */
int db_batch_send(PGconn *c, const struct db_batch *b, struct err *err)
    __attribute__((warn_unused_result));

#endif
