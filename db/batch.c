/* db/batch.c - see batch.h. */
#include "db/batch.h"

#include <stdlib.h>
#include <string.h>

void db_batch_free(struct db_batch *b)
{
	for (int i = 0; i < DB_BATCH_MAX; i++)
		free(b->own[i]);
	memset(b, 0, sizeof(*b));
}

int db_batch_send(PGconn *c, const struct db_batch *b, struct err *err)
{
	return db_send(c, b->st.sql, b->st.n, b->st.params, err);
}
