/* db/ownership.h - who owns an external id: a mention's (source, external_id)
 * belongs to the client that created it (mentions.owned_by, migration 013). */
#ifndef DB_OWNERSHIP_H
#define DB_OWNERSHIP_H

#include <libpq-fe.h>

#include "triage/err.h"

/* Of the n (external_ids[i], owners[i]) pairs of source (all borrowed), the
 * indexes (0-based, ascending) whose external id is already stored for
 * another owner. *out is new (free it; NULL when none), *nout their count;
 * both written only on success. 0, or -1 with *err (the transaction, if
 * any, is then aborted). */
int db_foreign_external_ids(PGconn *c, const char *source, const char *const *external_ids,
			    const char *const *owners, int n, int **out, int *nout,
			    struct err *err) __attribute__((warn_unused_result));

#endif
