/* db/idea_version.h - the lock a conditional change of an idea takes first
 * (PATCH /api/v1/ideas/{id} with If-Match): held to the end of the
 * caller's transaction, so no other writer of the idea's row can come
 * between the check of the version the client saw and the change. */
#ifndef DB_IDEA_VERSION_H
#define DB_IDEA_VERSION_H

#include <libpq-fe.h>
#include <stdint.h>

#include "triage/err.h"

/* Locks idea id's row (FOR UPDATE) when it is live (not merged), inside a
 * transaction the caller opened: 1 locked, 0 no such live idea, -1 with
 * *err. Waits for a writer that holds it, then sees what it committed. */
int db_idea_lock_live(PGconn *c, int64_t id, struct err *err) __attribute__((warn_unused_result));

#endif
