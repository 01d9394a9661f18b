/* db/retrieval.c - see retrieval.h. */
#include "db/retrieval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"

/* Through the index of rare terms (008). One mention's candidates come
 * from the same query in the function idea_candidates (011; a test
 * compares the two). */
#define CANDIDATES_SQL(tsq, limit)                                                                \
	"SELECT s.idea_id, s.title_terms, s.title_norm, s.all_terms, s.all_norm, s.norm_title"  \
	" FROM idea_search s WHERE s.live AND s.rare @@ to_tsquery('simple', " tsq ")"            \
	" ORDER BY ts_rank(s.search, to_tsquery('simple', " tsq "), 1) DESC, s.idea_id"           \
	" LIMIT " limit "::int"

PGresult *db_candidates(PGconn *c, const char *tsq, int limit, struct err *err)
{
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {tsq, lim};
	return db_query(c, "SELECT * FROM idea_candidates($1, $2::int)", 2, p, err);
}

static const char sql_many[] =
    "SELECT q.k, c.* FROM unnest($1::text[]) WITH ORDINALITY q(tsq, k)"
    " CROSS JOIN LATERAL (" CANDIDATES_SQL("q.tsq", "$2") ") c"
    " WHERE q.tsq <> '' ORDER BY q.k";

int db_candidates_many(const char *const *tsq, int n, int limit, struct candidates_many *out)
{
	memset(out, 0, sizeof(*out));
	if (!(out->lit = db_text_array(tsq, n)))
		return -1;
	snprintf(out->limit, sizeof(out->limit), "%d", limit);
	out->p[0] = out->lit;
	out->p[1] = out->limit;
	out->st = (struct db_stmt){sql_many, 2, out->p};
	return 0;
}

void db_candidates_many_free(struct candidates_many *s)
{
	free(s->lit);
	memset(s, 0, sizeof(*s));
}

int db_candidates_prepare_many(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_many, 2, err);
}
