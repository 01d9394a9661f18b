/* db/idea_version.c - the row lock of a conditional change (db/idea_version.h). */
#include "db/idea_version.h"

#include <stdio.h>

#include "db/db.h"

int db_idea_lock_live(PGconn *c, int64_t id, struct err *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	const char *p[] = {idbuf};
	PGresult *r =
	    db_query(c, "SELECT 1 FROM ideas WHERE id = $1 AND status <> 'merged' FOR UPDATE", 1, p, err);
	if (!r)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n == 1;
}
