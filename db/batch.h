/* db/batch.h - a statement whose parameters are arrays (text[] literals
 * for unnest), built by a db/ function from C values: many rows written or
 * read in one statement. The statement can be run (db_query), sent in one
 * round trip with others (db_query_many) or in pipeline mode (db_send). */
#ifndef DB_BATCH_H
#define DB_BATCH_H

#include "db/db.h"

#define DB_BATCH_MAX 24

struct db_batch {
	struct db_stmt st;
	const char *p[DB_BATCH_MAX];
	char *own[DB_BATCH_MAX]; /* the literals p points at */
	char small[2][24];       /* short scalar parameters */
};
void db_batch_free(struct db_batch *b); /* accepts a zeroed or half-built batch */

/* Sends b in pipeline mode (db_send). */
int db_batch_send(PGconn *c, const struct db_batch *b, struct err *err)
    __attribute__((warn_unused_result));

#endif
