/* db/terms.c - see terms.h. */
#include "db/terms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/tx.h"

static const char sql_df[] = "SELECT term, df FROM terms WHERE term = ANY($1::text[])"
			     " UNION ALL SELECT NULL, ideas FROM corpus";

int db_terms_df(const char *const *terms, int n, struct terms_df *out)
{
	memset(out, 0, sizeof(*out));
	if (!(out->lit = db_text_array(terms, n)))
		return -1;
	out->p[0] = out->lit;
	out->st = (struct db_stmt){sql_df, 1, out->p};
	return 0;
}

int db_terms_prepare(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_df, 1, err);
}

void db_terms_df_free(struct terms_df *s)
{
	free(s->lit);
	memset(s, 0, sizeof(*s));
}

/* a negative delta (an edited idea no longer uses the term) only lowers a
 * row that exists: as an insert it would break df >= 0 even when it
 * conflicts */
static const char sql_add[] =
    "WITH u AS (SELECT t, d::int AS d FROM unnest($1::text[], $2::text[]) AS x(t, d)),"
    " lower AS (UPDATE terms SET df = greatest(0, terms.df + u.d) FROM u"
    "  WHERE u.d < 0 AND terms.term = u.t RETURNING 1),"
    " raise AS (INSERT INTO terms (term, df) SELECT t, d FROM u WHERE d > 0"
    "  ORDER BY t ON CONFLICT (term) DO UPDATE SET df = terms.df + excluded.df"
    "  RETURNING 1)"
    " UPDATE corpus SET ideas = ideas + $3::bigint";

int db_terms_add(PGconn *c, const char *const *terms, const long *delta, int n, long corpus,
		 bool commit, struct err *err)
{
	if (n == 0)
		return commit ? db_commit(c, err) : 0;
	char **deltas = calloc((size_t)n, sizeof(char *));
	int rc = -1;
	for (int i = 0; deltas && i < n; i++) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%ld", delta[i]);
		deltas[i] = strdup(buf);
	}
	char *ta = db_text_array(terms, n);
	char *da = deltas ? db_text_array((const char *const *)deltas, n) : NULL;
	char cs[24];
	snprintf(cs, sizeof(cs), "%ld", corpus);
	const char *params[] = {ta, da, cs};
	struct db_stmt st[] = {{sql_add, 3, params}, db_commit_stmt()};
	PGresult *r[2] = {NULL, NULL};
	if (ta && da)
		rc = db_query_many(c, st, commit ? 2 : 1, r, err);
	else
		err_set(err, "out of memory");
	PQclear(r[0]);
	PQclear(r[1]);
	for (int i = 0; deltas && i < n; i++)
		free(deltas[i]);
	free(deltas);
	free(ta);
	free(da);
	return rc;
}
