#include "db/tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

int db_token_insert(PGconn *c, const char *name, const char *role, const char *hash,
                    const char *prefix, int64_t *id, struct err *err)
{
	const char *p[] = {name, role, hash, prefix};
	PGresult *r = PQexecParams(c,
	                           "INSERT INTO api_tokens (name, role, token_hash, prefix)"
	                           " VALUES ($1, $2, $3, $4) RETURNING id",
	                           4, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db_err(c, r, err);
		PQclear(r);
		return -1;
	}
	if (id)
		*id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int db_token_revoke(PGconn *c, int64_t id, struct err *err)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *p[] = {s};
	PGresult *r = PQexecParams(c,
	                           "UPDATE api_tokens SET revoked_at = now()"
	                           " WHERE id = $1 AND revoked_at IS NULL",
	                           1, NULL, p, NULL, NULL, 0);
	int rc;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = db_err(c, r, err);
	else
		rc = strcmp(PQcmdTuples(r), "1") == 0;
	PQclear(r);
	return rc;
}

int db_token_by_hash(PGconn *c, const char *hash, struct db_token *out, struct err *err)
{
	const char *p[] = {hash};
	PGresult *r = PQexecParams(c,
	                           "SELECT id, role, name, token_hash FROM api_tokens"
	                           " WHERE token_hash = $1 AND revoked_at IS NULL",
	                           1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db_err(c, r, err);
		PQclear(r);
		return -1;
	}
	int found = PQntuples(r) == 1;
	if (found) {
		out->id = atoll(PQgetvalue(r, 0, 0));
		snprintf(out->role, sizeof(out->role), "%s", PQgetvalue(r, 0, 1));
		snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 2));
		snprintf(out->hash, sizeof(out->hash), "%s", PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return found;
}

void db_token_touch(PGconn *c, const char *hash)
{
	const char *p[] = {hash};
	PGresult *r = PQexecParams(
	    c,
	    "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1"
	    " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
	    1, NULL, p, NULL, NULL, 0);
	PQclear(r);
}

int db_token_list(PGconn *c, struct db_token_info **out, int *n, struct err *err)
{
	PGresult *r = db_query(c,
	                       "SELECT id, role, name, prefix, created_at::date,"
	                       " coalesce(last_used_at::text, '-'), revoked_at IS NOT NULL"
	                       " FROM api_tokens ORDER BY id",
	                       0, NULL, err);
	if (!r)
		return -1;
	int rows = PQntuples(r);
	struct db_token_info *t = calloc((size_t)rows + 1, sizeof(*t));
	if (!t) {
		PQclear(r);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < rows; i++) {
		t[i].id = atoll(PQgetvalue(r, i, 0));
		snprintf(t[i].role, sizeof(t[i].role), "%s", PQgetvalue(r, i, 1));
		snprintf(t[i].name, sizeof(t[i].name), "%s", PQgetvalue(r, i, 2));
		snprintf(t[i].prefix, sizeof(t[i].prefix), "%s", PQgetvalue(r, i, 3));
		snprintf(t[i].created, sizeof(t[i].created), "%s", PQgetvalue(r, i, 4));
		snprintf(t[i].last_used, sizeof(t[i].last_used), "%s", PQgetvalue(r, i, 5));
		t[i].revoked = PQgetvalue(r, i, 6)[0] == 't';
	}
	PQclear(r);
	*out = t;
	*n = rows;
	return 0;
}
