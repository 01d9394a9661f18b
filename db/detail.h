/* db/detail.c's queries: everything about one idea a triager reads on its
 * page - the idea's own columns the backlog views do not read, its
 * mentions with how each was linked, its near matches, its history and its
 * audit trail. Times are ISO 8601 text in UTC, to the second. */
#ifndef DB_DETAIL_H
#define DB_DETAIL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

/* What ideas holds about one idea beyond its backlog row. Strings are new
 * (NULL when not set); db_idea_head_clear frees them. */
struct db_idea_head {
	bool merged;
	int64_t merged_into;  /* when merged */
	char *title;
	char *prev_breakdown; /* JSON texts */
	char *classification;
	char *overrides;
};

/* 1 and *out, 0 when there is no idea id, -1 with *err. */
int db_idea_head(PGconn *c, int64_t id, struct db_idea_head *out, struct err *err)
    __attribute__((warn_unused_result));
void db_idea_head_clear(struct db_idea_head *h);

/* 1 when idea id exists (merged or not), 0 when not, -1 with *err. */
int db_idea_exists(PGconn *c, int64_t id, struct err *err) __attribute__((warn_unused_result));

/* The idea's mentions, oldest first, at most 500, with their live link.
 * Columns: id, source, external_id, kind, author, author_kind,
 * author_email, account, arr, title, body (first 4000 characters), url,
 * votes, deleted, is_public, created_at, then the link's method,
 * similarity, evidence (JSON), decided_by (NULL without a link). */
PGresult *db_idea_mentions(PGconn *c, int64_t id, struct err *err)
    __attribute__((warn_unused_result));

/* Live ideas near idea id (kept by the ingest for a person to decide on),
 * most similar first, at most limit. Columns: idea_id, title, similarity,
 * evidence (JSON). The one query both the idea page and GET
 * /api/v1/ideas/{id}/similar read. */
PGresult *db_idea_similar(PGconn *c, int64_t id, int limit, struct err *err)
    __attribute__((warn_unused_result));

/* The idea's score and status history, newest first, at most 50.
 * Columns: at, score, status. */
PGresult *db_idea_history(PGconn *c, int64_t id, struct err *err)
    __attribute__((warn_unused_result));

/* The idea's audit trail, newest first, at most 100. Columns: id, at,
 * actor, action, details (JSON). */
PGresult *db_idea_audit(PGconn *c, int64_t id, struct err *err)
    __attribute__((warn_unused_result));

#endif
