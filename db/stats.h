/* db/stats.h - the strategy mix of the open backlog (ideas not merged,
 * declined or shipped), for GET /api/v1/stats and the stats page: ideas and
 * demand by category x segment class, by source, the bridge share of the top
 * of the backlog, and how concentrated demand is. */
#ifndef DB_STATS_H
#define DB_STATS_H

#include <libpq-fe.h>

#include "triage/err.h"

/* Open ideas of one category in one segment class (bridge: both vpn and
 * platform, vpn_only, platform_only, neither); only classes that have any. */
struct db_stats_cell {
	char category[32];
	char segment[32];
	long long ideas, requesters;
};

/* Open ideas with a live mention from one source. */
struct db_stats_source {
	char source[32];
	long long ideas, mentions, requesters;
};

/* Of the top n open ideas by score: how many there are, how many bridge
 * both segments, how many have a single requester. */
struct db_stats_top {
	long long n, ideas, bridge, single;
};

struct db_stats {
	struct db_stats_cell *cells;
	int ncells;
	struct db_stats_source *sources; /* by source name */
	int nsources;
	struct db_stats_top top[3]; /* n = 20, 50, 100 */
	int ntop;
	long long open, single, requesters_total, max_requesters;
};

/* Reads the figures into *out (new: free with db_stats_free), written only
 * on success. 0, or -1 with *err. */
int db_stats_collect(PGconn *c, struct db_stats *out, struct err *err)
    __attribute__((warn_unused_result));

void db_stats_free(struct db_stats *s); /* accepts NULL */

#endif
