#include "db/deliveries.h"

#include <string.h>

#include "db/db.h"

int db_delivery_record(PGconn *c, const char *id, const char *event, const char *action,
                       const char *outcome, struct err *err)
{
	const char *p[] = {id, event, action, outcome};
	PGresult *r =
	    PQexecParams(c,
	                 "INSERT INTO webhook_deliveries (delivery_id, event, action, outcome)"
	                 " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	                 4, NULL, p, NULL, NULL, 0);
	int rc = -1;
	if (PQresultStatus(r) == PGRES_COMMAND_OK)
		rc = strcmp(PQcmdTuples(r), "1") == 0;
	else
		db_err(c, r, err);
	PQclear(r);
	return rc;
}
