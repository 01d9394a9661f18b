/* db/tokens.h - the API tokens table (api_tokens). Every function takes the
 * SHA-256 hex of a token, never the secret: the secret a client holds never
 * reaches the database or its logs. */
#ifndef DB_TOKENS_H
#define DB_TOKENS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

/* Stores a token named name with role (a role name), its hash and the
 * prefix shown in listings (all borrowed); *id (when not NULL) its new id,
 * written only on success. 0, or -1 with *err. */
int db_token_insert(PGconn *c, const char *name, const char *role, const char *hash,
                    const char *prefix, int64_t *id, struct err *err)
    __attribute__((warn_unused_result));

/* Revokes live token id: 1 revoked, 0 when there is no such live token, -1
 * with *err on a database error. */
int db_token_revoke(PGconn *c, int64_t id, struct err *err) __attribute__((warn_unused_result));

/* A live token as stored; hash is the stored SHA-256 hex, so the caller can
 * compare it in constant time. */
struct db_token {
	int64_t id;
	char role[16];
	char name[201];
	char hash[65];
};

/* 1 and *out when hash is a live (not revoked) token's, 0 when not, -1 with
 * *err on a database error. */
int db_token_by_hash(PGconn *c, const char *hash, struct db_token *out, struct err *err)
    __attribute__((warn_unused_result));

/* Marks the token of hash used now, at most once a minute (so a busy token
 * costs no write per request). Best effort: a failure is ignored, the
 * request it serves does not depend on it. */
void db_token_touch(PGconn *c, const char *hash);

/* A token as `ideatriage token list` shows it (never its hash). */
struct db_token_info {
	int64_t id;
	char role[16];
	char name[201];
	char prefix[16];    /* the first characters of the secret, as shown once */
	char created[16];   /* YYYY-MM-DD */
	char last_used[48]; /* a timestamp, or "-" when never used */
	bool revoked;
};

/* Every token, by id. *out is new (free it), *n its count; both written only
 * on success. 0, or -1 with *err. */
int db_token_list(PGconn *c, struct db_token_info **out, int *n, struct err *err)
    __attribute__((warn_unused_result));

#endif
