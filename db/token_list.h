/* db/token_list.h - the API tokens as `ideatriage token list` shows them:
 * never their hashes. (Creating, revoking and checking tokens is
 * intake/http/auth.c's.) */
#ifndef DB_TOKEN_LIST_H
#define DB_TOKEN_LIST_H

#include <libpq-fe.h>

#include "triage/err.h"

/* Columns of db_tokens_list's rows, all text. */
enum db_token_col {
	DB_TOK_ID,
	DB_TOK_ROLE,
	DB_TOK_NAME,
	DB_TOK_PREFIX,  /* the token's first characters, then "…" */
	DB_TOK_CREATED, /* YYYY-MM-DD */
	DB_TOK_STATE,   /* "live" or "revoked" */
};

/* Every token, oldest first: a result (new, for PQclear) with the columns
 * above, or NULL and *err. */
PGresult *db_tokens_list(PGconn *c, struct err *err) __attribute__((warn_unused_result));

#endif
