/* db/sessions.h - the web sign-in sessions table (migration 012). Every
 * function takes the SHA-256 hex of a session id, never the id itself: the
 * id the browser holds never reaches the database or its logs. */
#ifndef DB_SESSIONS_H
#define DB_SESSIONS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "triage/err.h"

/* Stores a session of token_id that ends ttl_s seconds from now, and first
 * deletes up to 100 sessions that ended (expired, or idle over idle_s), so
 * the table stays bounded without a sweeper. 0, or -1 with *err. */
int db_session_create(PGconn *c, const char *id_hash, int64_t token_id, long ttl_s, long idle_s,
                      struct err *err) __attribute__((warn_unused_result));

/* What a live session stands for: its token's id, role name and name. */
struct db_session {
	int64_t token_id;
	char role[16];
	char name[201];
};

/* 1 and *out when id_hash is a session that has not expired, was seen in
 * the last idle_s seconds and whose token is not revoked (marking it seen);
 * 0 when not; -1 with *err on a database error. */
int db_session_lookup(PGconn *c, const char *id_hash, long idle_s, struct db_session *out,
                      struct err *err) __attribute__((warn_unused_result));

/* Ends one session (sign-out): 0 (also when there was none), -1 with *err. */
int db_session_delete(PGconn *c, const char *id_hash, struct err *err)
    __attribute__((warn_unused_result));

/* Ends every session of token_id (revocation): 0, or -1 with *err. */
int db_sessions_delete_for_token(PGconn *c, int64_t token_id, struct err *err)
    __attribute__((warn_unused_result));

#endif
