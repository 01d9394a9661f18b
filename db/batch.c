/* db/batch.c - see batch.h. */
#include "db/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"

void db_batch_free(struct db_batch *b)
{
	for (int i = 0; i < DB_BATCH_MAX; i++)
		free(b->own[i]);
	memset(b, 0, sizeof(*b));
}

int db_batch_send(PGconn *c, const struct db_batch *b, struct err *err)
{
	return db_stmt_send(c, &b->st, err);
}

int db_batch_columns(struct db_batch *out, int ncols, const void *rows, int n, db_batch_row_fn row)
{
	memset(out, 0, sizeof(*out));
	char **col[DB_BATCH_MAX] = {0};
	int ok = ncols <= DB_BATCH_MAX;
	for (int k = 0; ok && k < ncols; k++)
		ok &= (col[k] = calloc((size_t)n + 1, sizeof(char *))) != NULL;
	for (int i = 0; ok && i < n; i++)
		row(rows, i, col);
	for (int k = 0; k < ncols; k++) {
		out->own[k] = ok ? db_array_nullable((const char *const *)col[k], n) : NULL;
		ok &= out->own[k] != NULL;
		out->p[k] = out->own[k];
		for (int i = 0; col[k] && i < n; i++)
			free(col[k][i]);
		free(col[k]);
	}
	if (!ok)
		db_batch_free(out);
	return ok ? 0 : -1;
}

char *db_cell_i64(int64_t v)
{
	char *s = malloc(24);
	if (s)
		snprintf(s, 24, "%lld", (long long)v);
	return s;
}

char *db_cell_real(double v)
{
	char *s = malloc(32);
	if (s)
		snprintf(s, 32, "%.6f", v);
	return s;
}

char *db_cell_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}
