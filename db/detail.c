/* db/detail.c - the queries of one idea's page (db/detail.h). */
#include "db/detail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* ISO 8601 in UTC, to the second */
#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Runs sql with the idea's id as its only parameter. */
static PGresult *by_id(PGconn *c, const char *sql, int64_t id, struct err *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	const char *p[] = {idbuf};
	return db_query(c, sql, 1, p, err);
}

static char *dup_col(PGresult *r, int c)
{
	return PQgetisnull(r, 0, c) ? NULL : strdup(PQgetvalue(r, 0, c));
}

int db_idea_head(PGconn *c, int64_t id, struct db_idea_head *out, struct err *err)
{
	PGresult *r = by_id(c,
			    "SELECT status, merged_into, title, prev_breakdown::text, classification::text,"
			    " overrides::text FROM ideas WHERE id = $1",
			    id, err);
	if (!r)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		memset(out, 0, sizeof(*out));
		out->merged = strcmp(PQgetvalue(r, 0, 0), "merged") == 0;
		out->merged_into = PQgetisnull(r, 0, 1) ? 0 : strtoll(PQgetvalue(r, 0, 1), NULL, 10);
		out->title = dup_col(r, 2);
		out->prev_breakdown = dup_col(r, 3);
		out->classification = dup_col(r, 4);
		out->overrides = dup_col(r, 5);
	}
	PQclear(r);
	return found;
}

void db_idea_head_clear(struct db_idea_head *h)
{
	if (!h)
		return;
	free(h->title);
	free(h->prev_breakdown);
	free(h->classification);
	free(h->overrides);
	memset(h, 0, sizeof(*h));
}

int db_idea_exists(PGconn *c, int64_t id, struct err *err)
{
	PGresult *r = by_id(c, "SELECT 1 FROM ideas WHERE id = $1", id, err);
	if (!r)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n == 1;
}

PGresult *db_idea_mentions(PGconn *c, int64_t id, struct err *err)
{
	return by_id(
	    c,
	    "SELECT m.id, m.source, m.external_id, m.kind, m.author, m.author_kind, m.author_email,"
	    " m.account, m.arr, m.title, left(m.body, 4000), m.url, m.votes, m.deleted, m.is_public,"
	    " " ISO("coalesce(m.upstream_created_at, m.first_seen_at)") ","
	    " l.method, l.similarity, l.evidence::text, l.decided_by"
	    " FROM mentions m LEFT JOIN mention_links l ON l.mention_id = m.id AND l.superseded_at IS NULL"
	    " WHERE m.idea_id = $1 ORDER BY m.id LIMIT 500",
	    id, err);
}

PGresult *db_idea_similar(PGconn *c, int64_t id, int limit, struct err *err)
{
	char idbuf[24], lim[16];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {idbuf, lim};
	/* a pair is stored once, either way round: read both, keep each other
	 * idea's best */
	return db_query(c,
			"SELECT s.other AS idea_id, o.title, s.similarity, s.evidence::text AS evidence"
			" FROM (SELECT DISTINCT ON (x.other) x.other, x.similarity, x.evidence FROM ("
			" SELECT other_id AS other, similarity, evidence FROM idea_similar"
			" WHERE idea_id = $1::bigint"
			" UNION ALL SELECT idea_id, similarity, evidence FROM idea_similar"
			" WHERE other_id = $1::bigint"
			") x ORDER BY x.other, x.similarity DESC) s JOIN ideas o ON o.id = s.other"
			" WHERE o.status <> 'merged'"
			" ORDER BY s.similarity DESC, s.other LIMIT $2::int",
			2, p, err);
}

PGresult *db_idea_history(PGconn *c, int64_t id, struct err *err)
{
	return by_id(c,
		     "SELECT " ISO("at") " AS at, score, status FROM idea_history"
		     " WHERE idea_id = $1 ORDER BY at DESC, id DESC LIMIT 50",
		     id, err);
}

PGresult *db_idea_audit(PGconn *c, int64_t id, struct err *err)
{
	return by_id(c,
		     "SELECT id, " ISO("at") " AS at, actor, action, details::text AS details"
		     " FROM audit_log WHERE idea_id = $1 ORDER BY id DESC LIMIT 100",
		     id, err);
}
