/* db/idempotency.h - Idempotency-Key replay (idempotency_keys): the first
 * answer to a token's request under a key is kept, so a retry gets that
 * answer again instead of creating a second idea. */
#ifndef DB_IDEMPOTENCY_H
#define DB_IDEMPOTENCY_H

#include <libpq-fe.h>
#include <stdint.h>

#include "triage/err.h"

/* A stored answer. */
struct db_idem_answer {
	char request_hash[65]; /* SHA-256 hex of the request body it answered */
	int status;            /* its HTTP status */
	char *response;        /* its JSON body (new: free it) */
};

/* Inside the caller's transaction, first waits for any other transaction
 * using (token_id, key) (an advisory lock held to its end, so two retries
 * in flight cannot both miss), then looks the key up: 1 and *out when it
 * was used before, 0 when new, -1 on a database error (*err). */
int db_idem_lookup(PGconn *c, int64_t token_id, const char *key, struct db_idem_answer *out,
                   struct err *err) __attribute__((warn_unused_result));

/* Stores the answer (status, response JSON; borrowed) to the request whose
 * body hashes to request_hash, under (token_id, key), inside the caller's
 * transaction. 0, or -1 with *err. */
int db_idem_store(PGconn *c, int64_t token_id, const char *key, const char *request_hash,
                  int status, const char *response, struct err *err)
    __attribute__((warn_unused_result));

#endif
