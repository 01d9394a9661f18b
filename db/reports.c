/* db/reports.c - the backlog queries. The SQL narrows each view with the
 * same rules triage/view.c states (so the database uses the view's index
 * and never sends a field the view drops); intake/read/views.c still passes
 * every row through view_idea(), which has the last word. */
#include "db/reports.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "triage/idea.h"

/* Columns, in the order db_backlog_record() reads them. Outside views select
 * NULL for every internal field, and nothing that private data moves (the
 * score, the classification rescoring keeps current, demand and times over
 * every mention: the public_* columns of db/migrations/013 instead), so
 * none of it leaves the database. */
#define LINKS                                                                                      \
	" ARRAY(SELECT l.url FROM mentions l WHERE l.idea_id = i.id AND l.is_public AND l.kind = 'post'" \
	"       AND NOT l.deleted AND l.url IS NOT NULL ORDER BY l.id LIMIT 5),"
/* ISO 8601 in UTC, to the second */
#define ISO_FORMAT " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define SELECT_INTERNAL                                                                            \
	"SELECT i.id, i.title, i.public_title, pm.title, i.status, i.stage, i.category, i.runtime," \
	" i.visibility, i.segments, i.table_stakes, i.disclosed, i.score,"                          \
	" i.requesters, i.mention_count, i.source_count," LINKS                                    \
	" i.score_breakdown::text, i.owner, i.decision_note, i.declined_reason,"                  \
	" (SELECT coalesce(sum(v.votes), 0) FROM mentions v WHERE v.idea_id = i.id AND NOT v.deleted)," \
	" to_char(i.created_at" ISO_FORMAT ", to_char(i.updated_at" ISO_FORMAT ","                \
	" NULL, '{}', 0, 0, 0, NULL"
#define SELECT_OUTSIDE                                                                             \
	"SELECT i.id, NULL, i.public_title, pm.title, i.status, i.stage, NULL, NULL,"              \
	" i.visibility, '{}', false, i.disclosed, 0, 0, 0, 0," LINKS                               \
	" NULL, NULL, NULL, NULL, 0, NULL, NULL,"                                                  \
	" coalesce(i.public_category, i.category), coalesce(i.public_segments, i.segments),"       \
	" i.public_requesters, i.public_mentions, i.public_sources,"                              \
	" to_char(i.public_changed_at" ISO_FORMAT
/* The first live public post gives an outside title. */
#define FROM_IDEAS                                                                                 \
	" FROM ideas i LEFT JOIN LATERAL (SELECT p.title FROM mentions p WHERE p.idea_id = i.id"   \
	"  AND p.is_public AND NOT p.deleted AND p.kind = 'post' ORDER BY p.id LIMIT 1) pm ON true"
/* Outside views: marked, not embargoed, with a title that may be shown;
 * filtered on what they show. */
#define WHERE_OUTSIDE                                                                              \
	" AND i.status <> 'merged'"                                                                \
	" AND NOT (coalesce(i.public_category, i.category) = 'security'"                           \
	"          AND NOT (i.status = 'shipped' AND i.disclosed))"                                 \
	" AND (i.public_title IS NOT NULL OR pm.title IS NOT NULL)"                                \
	" AND ($10::text IS NULL OR coalesce(i.public_title, pm.title) ILIKE $10)"                 \
	" AND ($2::int IS NULL OR i.public_requesters < $2"                                        \
	"      OR (i.public_requesters = $2 AND i.id > $3::bigint))"                               \
	" AND ($4::text IS NULL OR coalesce(i.public_category, i.category) = $4)"                  \
	" AND ($5::text IS NULL OR $5 = ANY (coalesce(i.public_segments, i.segments)))"            \
	" AND ($6::bool IS NULL OR ($6 = ('vpn' = ANY (coalesce(i.public_segments, i.segments))"   \
	"      AND 'platform' = ANY (coalesce(i.public_segments, i.segments)))))"                  \
	" AND ($7::text[] IS NULL OR i.status = ANY ($7))"                                         \
	" AND ($8::text IS NULL OR i.stage = $8)"                                                  \
	" AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM mentions s WHERE s.idea_id = i.id"       \
	"      AND s.source = $9 AND s.is_public AND NOT s.deleted))"                              \
	" ORDER BY i.public_requesters DESC, i.id LIMIT $1::int"
#define FILTERS                                                                                    \
	" AND ($2::float8 IS NULL OR i.score < $2 OR (i.score = $2 AND i.id > $3::bigint))"       \
	" AND ($4::text IS NULL OR i.category = $4)"                                               \
	" AND ($5::text IS NULL OR $5 = ANY (i.segments))"                                         \
	" AND ($6::bool IS NULL OR ($6 = ('vpn' = ANY (i.segments) AND 'platform' = ANY (i.segments))))" \
	" AND ($7::text[] IS NULL OR i.status = ANY ($7))"                                         \
	" AND ($8::text IS NULL OR i.stage = $8)"                                                  \
	" AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM mentions s WHERE s.idea_id = i.id"       \
	"      AND s.source = $9 AND NOT s.deleted))"                                              \
	" ORDER BY i.score DESC, i.id LIMIT $1::int"

static const char sql_public[] = SELECT_OUTSIDE FROM_IDEAS
    " WHERE i.visibility = 'public'" WHERE_OUTSIDE;
static const char sql_customer[] = SELECT_OUTSIDE FROM_IDEAS
    " WHERE i.visibility IN ('customer', 'public')" WHERE_OUTSIDE;
/* $11: visibility, $12: a full-text query over every mention's terms, $10
 * a title pattern; either matching is enough. */
static const char sql_internal[] = SELECT_INTERNAL FROM_IDEAS
    " WHERE i.status <> 'merged'"
    " AND ($11::text IS NULL OR i.visibility = $11)"
    " AND ($10::text IS NULL OR i.title ILIKE $10 OR EXISTS (SELECT 1 FROM idea_search q"
    "      WHERE q.idea_id = i.id AND q.search @@ to_tsquery('simple', $12)))" FILTERS;

static const char sql_one_internal[] = SELECT_INTERNAL FROM_IDEAS " WHERE i.id = $1";
static const char sql_one_outside[] = SELECT_OUTSIDE FROM_IDEAS " WHERE i.id = $1";

PGresult *db_backlog_page(PGconn *c, enum view v, const struct db_backlog_query *q,
                          struct err *err)
{
	const char *params[12] = {q->limit,      q->after_key, q->after_id, q->category,
				  q->segment,    q->bridge,    q->statuses, q->stage,
				  q->source,     q->title_like, q->visibility, q->tsquery};
	const char *sql = v == VIEW_PUBLIC     ? sql_public
			  : v == VIEW_CUSTOMER ? sql_customer
					       : sql_internal;
	return db_query(c, sql, v == VIEW_INTERNAL ? 12 : 10, params, err);
}

PGresult *db_backlog_one(PGconn *c, enum view v, int64_t id, struct err *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	const char *params[1] = {idbuf};
	return db_query(c, v == VIEW_INTERNAL ? sql_one_internal : sql_one_outside, 1, params, err);
}

static const char *col(PGresult *r, int row, int c)
{
	return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

/* SEG_* bits of a text[] literal of segment names. */
static int segment_bits(const char *lit)
{
	struct tokens segs = {0};
	int bits = 0;
	if (db_parse_text_array(lit, &segs) == 0)
		for (int i = 0; i < segs.n; i++) {
			bits |= strcmp(segs.v[i], "vpn") == 0 ? SEG_VPN : 0;
			bits |= strcmp(segs.v[i], "platform") == 0 ? SEG_PLATFORM : 0;
		}
	tokens_clear(&segs);
	return bits;
}

void db_backlog_record(PGresult *r, int row, struct idea_record *rec, struct tokens *links)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	rec->title = col(r, row, 1);
	rec->public_title = col(r, row, 2);
	rec->public_mention_title = col(r, row, 3);
	rec->status = col(r, row, 4);
	rec->stage = col(r, row, 5);
	rec->category = col(r, row, 6);
	rec->runtime = col(r, row, 7);
	rec->visibility = col(r, row, 8);
	rec->segments = segment_bits(PQgetvalue(r, row, 9));
	rec->table_stakes = PQgetvalue(r, row, 10)[0] == 't';
	rec->disclosed = PQgetvalue(r, row, 11)[0] == 't';
	rec->score = strtod(PQgetvalue(r, row, 12), NULL);
	rec->requesters = atoi(PQgetvalue(r, row, 13));
	rec->mentions = atoi(PQgetvalue(r, row, 14));
	rec->sources = atoi(PQgetvalue(r, row, 15));
	memset(links, 0, sizeof(*links));
	if (db_parse_text_array(PQgetvalue(r, row, 16), links) == 0)
		for (int i = 0; i < links->n && i < VIEW_MAX_LINKS; i++)
			rec->public_links[rec->nlinks++] = links->v[i];
	rec->breakdown_json = col(r, row, 17);
	rec->owner = col(r, row, 18);
	rec->decision_note = col(r, row, 19);
	rec->declined_reason = col(r, row, 20);
	rec->votes = atoi(PQgetvalue(r, row, 21));
	rec->created_at = col(r, row, 22);
	rec->updated_at = col(r, row, 23);
	rec->public_category = col(r, row, 24);
	rec->public_segments = segment_bits(PQgetvalue(r, row, 25));
	rec->public_requesters = atoi(PQgetvalue(r, row, 26));
	rec->public_mentions = atoi(PQgetvalue(r, row, 27));
	rec->public_sources = atoi(PQgetvalue(r, row, 28));
	rec->public_updated_at = col(r, row, 29);
}
