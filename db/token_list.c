/* db/token_list.c - see token_list.h. */
#include "db/token_list.h"

#include "db/db.h"

PGresult *db_tokens_list(PGconn *c, struct err *err)
{
	/* the order of enum db_token_col */
	return db_query(c,
	                "SELECT id, role, name, prefix || '…', created_at::date,"
	                " CASE WHEN revoked_at IS NULL THEN 'live' ELSE 'revoked' END"
	                " FROM api_tokens ORDER BY id",
	                0, NULL, err);
}
