/* db/demo.c - see demo.h. */
#include "db/demo.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"

int db_demo_has_data(PGconn *c, bool *any, struct err *err)
{
	PGresult *r = db_query(c, "SELECT EXISTS (SELECT 1 FROM mentions)", 0, NULL, err);
	if (!r)
		return -1;
	*any = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return 0;
}

int db_demo_untriaged(PGconn *c, int limit, int64_t **ids, int *n, struct err *err)
{
	char lim[16];
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {lim};
	PGresult *r = db_query(c,
	                       "SELECT i.id FROM ideas i WHERE i.status = 'new' AND NOT EXISTS"
	                       " (SELECT 1 FROM audit_log a WHERE a.actor = 'demo') AND EXISTS"
	                       " (SELECT 1 FROM mentions m WHERE m.idea_id = i.id AND m.is_public"
	                       "  AND m.kind = 'post' AND NOT m.deleted)"
	                       " ORDER BY i.score DESC, i.id LIMIT $1::int",
	                       1, p, err);
	if (!r)
		return -1;
	int rows = PQntuples(r);
	int64_t *out = malloc(sizeof(*out) * ((size_t)rows + 1));
	if (!out) {
		PQclear(r);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < rows; i++)
		out[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	PQclear(r);
	*ids = out;
	*n = rows;
	return 0;
}

long db_demo_idea_count(PGconn *c)
{
	PGresult *r = db_exec(c, "SELECT count(*) FROM ideas WHERE status <> 'merged'", 0, NULL);
	long n = PQresultStatus(r) == PGRES_TUPLES_OK ? atol(PQgetvalue(r, 0, 0)) : -1;
	PQclear(r);
	return n;
}
