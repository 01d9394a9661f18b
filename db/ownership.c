/* db/ownership.c - see ownership.h. */
#include "db/ownership.h"

#include <stdlib.h>

#include "db/array.h"
#include "db/db.h"

int db_foreign_external_ids(PGconn *c, const char *source, const char *const *external_ids,
			    const char *const *owners, int n, int **out, int *nout, struct err *err)
{
	char *le = db_text_array(external_ids, n), *lo = db_text_array(owners, n);
	if (!le || !lo) {
		free(le);
		free(lo);
		return err_set(err, "out of memory");
	}
	const char *p[] = {source, le, lo};
	PGresult *r = db_query(c,
			       "SELECT x.k FROM unnest($2::text[], $3::text[]) WITH ORDINALITY x(e, o, k)"
			       " JOIN mentions m ON m.source = $1 AND m.external_id = x.e"
			       " WHERE m.owned_by <> x.o ORDER BY x.k",
			       3, p, err);
	free(le);
	free(lo);
	if (!r)
		return -1;
	int count = PQntuples(r);
	int *idx = count ? malloc(sizeof(*idx) * (size_t)count) : NULL;
	if (count && !idx) {
		PQclear(r);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < count; i++)
		idx[i] = atoi(PQgetvalue(r, i, 0)) - 1; /* ORDINALITY counts from 1 */
	PQclear(r);
	*out = idx;
	*nout = count;
	return 0;
}
