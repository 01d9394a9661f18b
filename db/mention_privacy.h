/* db/mention_privacy.h - taking stored mentions back from the public when
 * their upstream turns private (a GitHub repository made private). */
#ifndef DB_MENTION_PRIVACY_H
#define DB_MENTION_PRIVACY_H

#include <libpq-fe.h>

#include "triage/err.h"

/* Inside the caller's transaction, makes private every public mention of
 * source (borrowed, "github") whose external_id starts with prefix
 * (borrowed), case-insensitively: GitHub's owner and repository names are.
 * The triggers of db/migrations/013 then recount the public demand of their
 * ideas. 0 and *changed (rows made private; may be NULL), or -1 and *err. */
int db_mentions_unpublish(PGconn *c, const char *source, const char *prefix, long *changed,
                          struct err *err) __attribute__((warn_unused_result));

#endif
