/* intake/http/auth.h - API tokens, roles and web sessions. A token is shown once
 * at creation; only its SHA-256 is stored. A web session is opened with a
 * token but never holds it: the browser gets a random session id, the
 * database its SHA-256. */
#ifndef INTAKE_AUTH_H
#define INTAKE_AUTH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

enum role { ROLE_CUSTOMER, ROLE_SUBMITTER, ROLE_TRIAGER, ROLE_ADMIN };

const char *role_name(enum role r);
int role_from_name(const char *name, enum role *out);

/* True when a holder of role `have` may do what needs `need`: a triager may
 * do what a customer or a submitter may; an admin everything. */
bool role_allows(enum role have, enum role need);

struct principal {
	int64_t token_id;
	enum role role;
	char name[201];
};

/* Creates a token; writes the secret (shown once) into token[64]. */
int auth_token_create(PGconn *c, enum role role, const char *name, char token[64],
		      int64_t *id, struct err *err) __attribute__((warn_unused_result));

/* Revokes token id and ends its web sessions; -1 with *err when there is no
 * such live token. */
int auth_token_revoke(PGconn *c, int64_t id, struct err *err) __attribute__((warn_unused_result));

/* Looks the secret up. 1 and *who when it is a live token, 0 when unknown or
 * revoked, -1 with *err on a database error. */
int auth_token_lookup(PGconn *c, const char *token, struct principal *who, struct err *err)
    __attribute__((warn_unused_result));

/* SHA-256 hex of s into out[65]. */
void auth_sha256_hex(const void *data, size_t len, char out[65]);

/* Constant-time comparison of two equal-length byte strings. */
bool auth_equal(const void *a, const void *b, size_t len);

/* n random bytes as base64url without padding into out (>= 4*n/3+2 bytes). */
int auth_random_token(size_t n, char *out, size_t outlen);

/* Opens a web session for token_id, ending ttl_s from now (and after idle_s
 * without a request); writes the id for the cookie into id[48]. 0, or -1
 * with *err. */
int auth_session_open(PGconn *c, int64_t token_id, long ttl_s, long idle_s, char id[48],
		      struct err *err) __attribute__((warn_unused_result));

/* Who the session id (from the cookie) stands for: 1 and *who when it is
 * live (its token too), 0 when unknown, ended or idle over idle_s, -1 with
 * *err on a database error. */
int auth_session_lookup(PGconn *c, const char *id, long idle_s, struct principal *who,
			struct err *err) __attribute__((warn_unused_result));

/* Ends the session id at once (sign-out): 0, or -1 with *err. */
int auth_session_close(PGconn *c, const char *id, struct err *err)
    __attribute__((warn_unused_result));

/* The CSRF token of a form bound to secret (a session id, or the pre-session
 * cookie of an anonymous form): hex SHA-256 of a fixed label and secret into
 * out[65]. Only the holder of the cookie can know it; it reveals nothing of
 * the cookie. */
void auth_csrf_token(const char *secret, char out[65]);

#endif
