/* db/mention_privacy.c - see mention_privacy.h. */
#include "db/mention_privacy.h"

#include <stdlib.h>

#include "db/db.h"

int db_mentions_unpublish(PGconn *c, const char *source, const char *prefix, long *changed,
                          struct err *err)
{
	const char *p[] = {source, prefix};
	/* a scan of the source's public mentions: run only when an upstream
	 * turns private, not on every sync */
	PGresult *r = db_query(c,
	                       "UPDATE mentions SET is_public = false"
	                       " WHERE source = $1 AND is_public"
	                       " AND starts_with(lower(external_id), lower($2))",
	                       2, p, err);
	if (!r)
		return -1;
	if (changed)
		*changed = atol(PQcmdTuples(r));
	PQclear(r);
	return 0;
}
