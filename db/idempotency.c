#include "db/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int db_idem_lookup(PGconn *c, int64_t token_id, const char *key, struct db_idem_answer *out,
                   struct err *err)
{
	char tid[24];
	snprintf(tid, sizeof(tid), "%lld", (long long)token_id);
	const char *p[] = {tid, key};
	/* an error here shows in the lookup below: the transaction is aborted */
	PGresult *r = PQexecParams(
	    c, "SELECT pg_advisory_xact_lock(hashtextextended('idem:' || $1 || ':' || $2, 0));", 2,
	    NULL, p, NULL, NULL, 0);
	PQclear(r);
	r = PQexecParams(c,
	                 "SELECT request_hash, status, response::text FROM idempotency_keys"
	                 " WHERE token_id = $1 AND key = $2",
	                 2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db_err(c, r, err);
		PQclear(r);
		return -1;
	}
	int found = PQntuples(r) > 0;
	if (found) {
		char *resp = strdup(PQgetvalue(r, 0, 2));
		if (!resp) {
			PQclear(r);
			return err_set(err, "out of memory");
		}
		snprintf(out->request_hash, sizeof(out->request_hash), "%s", PQgetvalue(r, 0, 0));
		out->status = atoi(PQgetvalue(r, 0, 1));
		out->response = resp;
	}
	PQclear(r);
	return found;
}

int db_idem_store(PGconn *c, int64_t token_id, const char *key, const char *request_hash,
                  int status, const char *response, struct err *err)
{
	char tid[24], st[12];
	snprintf(tid, sizeof(tid), "%lld", (long long)token_id);
	snprintf(st, sizeof(st), "%d", status);
	const char *p[] = {tid, key, request_hash, st, response};
	PGresult *r =
	    PQexecParams(c,
	                 "INSERT INTO idempotency_keys (token_id, key, request_hash, status,"
	                 " response) VALUES ($1, $2, $3, $4, $5)",
	                 5, NULL, p, NULL, NULL, 0);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(c, r, err);
	PQclear(r);
	return rc;
}
