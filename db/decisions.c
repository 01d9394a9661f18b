#include "db/decisions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* The columns db_idea_decision_lock reads, in this order. */
enum {
	C_STATUS,
	C_STAGE,
	C_VIS,
	C_TS,
	C_DISC,
	C_OWNER,
	C_NOTE,
	C_REASON,
	C_PTITLE,
	C_OVR,
	C_PUBLIC_POST
};

static const char *text_or_null(PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : PQgetvalue(r, 0, col);
}

int db_idea_decision_lock(PGconn *c, int64_t id, struct db_idea_decision *out, struct err *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	const char *p[] = {idbuf};
	PGresult *r =
	    db_query(c,
	             "SELECT status, stage, visibility, table_stakes, disclosed, owner,"
	             " decision_note, declined_reason, public_title, overrides::text,"
	             " EXISTS (SELECT 1 FROM mentions m WHERE m.idea_id = i.id AND m.is_public"
	             "         AND NOT m.deleted AND m.kind = 'post')"
	             " FROM ideas i WHERE id = $1 AND status <> 'merged' FOR UPDATE",
	             1, p, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	*out = (struct db_idea_decision){
	    .status = text_or_null(r, C_STATUS),
	    .stage = text_or_null(r, C_STAGE),
	    .visibility = text_or_null(r, C_VIS),
	    .owner = text_or_null(r, C_OWNER),
	    .decision_note = text_or_null(r, C_NOTE),
	    .declined_reason = text_or_null(r, C_REASON),
	    .public_title = text_or_null(r, C_PTITLE),
	    .table_stakes = PQgetvalue(r, 0, C_TS)[0] == 't',
	    .disclosed = PQgetvalue(r, 0, C_DISC)[0] == 't',
	    .overrides = PQgetvalue(r, 0, C_OVR),
	    .public_post = PQgetvalue(r, 0, C_PUBLIC_POST)[0] == 't',
	    .mem_ = r,
	};
	return 1;
}

void db_idea_decision_cleanup(struct db_idea_decision *d)
{
	if (!d)
		return;
	PQclear(d->mem_);
	*d = (struct db_idea_decision){0};
}

int db_idea_decision_write(PGconn *c, int64_t id, const struct db_idea_decision *d,
                           const char *actor, const char *action, const char *details,
                           struct err *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	const char *p[] = {idbuf,
	                   d->status,
	                   d->stage,
	                   d->visibility,
	                   d->table_stakes ? "t" : "f",
	                   d->disclosed ? "t" : "f",
	                   d->owner,
	                   d->decision_note,
	                   d->declined_reason,
	                   d->public_title,
	                   d->overrides,
	                   actor,
	                   action,
	                   details};
	PGresult *r = db_query(
	    c,
	    "WITH u AS (UPDATE ideas SET status = $2, stage = $3, visibility = $4,"
	    "  table_stakes = $5::bool, disclosed = $6::bool, owner = $7, decision_note = $8,"
	    "  declined_reason = $9, public_title = $10, overrides = $11::jsonb,"
	    "  updated_at = now() WHERE id = $1)"
	    " INSERT INTO audit_log (actor, action, idea_id, details)"
	    " VALUES ($12, $13, $1, $14::jsonb)",
	    14, p, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int db_merge_lock_pair(PGconn *c, int64_t a, int64_t b, struct db_merge_pair *out, struct err *err)
{
	char sa[24], sb[24];
	snprintf(sa, sizeof(sa), "%lld", (long long)a);
	snprintf(sb, sizeof(sb), "%lld", (long long)b);
	const char *p[] = {sa, sb};
	/* in id order, so two merges of the same pair cannot deadlock */
	PGresult *r =
	    db_query(c, "SELECT id, status FROM ideas WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
	             2, p, err);
	if (!r)
		return -1;
	struct db_merge_pair pair = {0};
	for (int k = 0; k < PQntuples(r); k++) {
		bool merged = strcmp(PQgetvalue(r, k, 1), "merged") == 0;
		int64_t id = atoll(PQgetvalue(r, k, 0));
		pair.found++;
		pair.a_merged |= merged && id == a;
		pair.b_merged |= merged && id == b;
	}
	PQclear(r);
	*out = pair;
	return 0;
}

int db_merge_apply(PGconn *c, int64_t from, int64_t into, const char *who, int64_t *merge_id,
                   struct err *err)
{
	char f[24], i[24];
	snprintf(f, sizeof(f), "%lld", (long long)from);
	snprintf(i, sizeof(i), "%lld", (long long)into);
	const char *pw[] = {f, i, who};
	PGresult *r = db_query(
	    c,
	    "WITH moved AS (UPDATE mentions SET idea_id = $2 WHERE idea_id = $1 RETURNING id),"
	    " old AS (UPDATE mention_links SET superseded_at = now()"
	    "   WHERE mention_id IN (SELECT id FROM moved) AND superseded_at IS NULL),"
	    " links AS (INSERT INTO mention_links (mention_id, idea_id, method, similarity,"
	    "   decided_by, evidence) SELECT id, $2, 'person', NULL, $3,"
	    "   jsonb_build_object('merged_from', $1::bigint) FROM moved)"
	    " INSERT INTO idea_merges (from_idea, into_idea, mention_ids, merged_by, prev_status)"
	    " SELECT $1, $2, coalesce(array_agg(id ORDER BY id), '{}'), $3,"
	    "  (SELECT status FROM ideas WHERE id = $1) FROM moved RETURNING id",
	    3, pw, err);
	if (!r)
		return -1;
	char mid[24];
	snprintf(mid, sizeof(mid), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	const char *pm[] = {f, i, who, mid};
	r = db_query(
	    c,
	    "WITH u AS (UPDATE ideas SET status = 'merged', merged_into = $2, updated_at = now()"
	    "   WHERE id = $1)"
	    " INSERT INTO audit_log (actor, action, idea_id, details)"
	    " VALUES ($3, 'merge', $1, jsonb_build_object('into', $2::bigint, 'merge_id', "
	    "$4::bigint))",
	    4, pm, err);
	if (!r)
		return -1;
	PQclear(r);
	if (merge_id)
		*merge_id = atoll(mid);
	return 0;
}

int db_merge_latest(PGconn *c, int64_t from, int64_t *merge_id, int64_t *into, struct err *err)
{
	char f[24];
	snprintf(f, sizeof(f), "%lld", (long long)from);
	const char *p[] = {f};
	PGresult *r = db_query(
	    c,
	    "SELECT m.id, m.into_idea FROM idea_merges m JOIN ideas i ON i.id = m.from_idea"
	    " WHERE m.from_idea = $1 AND m.undone_at IS NULL AND i.status = 'merged'"
	    " ORDER BY m.id DESC LIMIT 1 FOR UPDATE OF m, i",
	    1, p, err);
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found) {
		*merge_id = atoll(PQgetvalue(r, 0, 0));
		*into = atoll(PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return found;
}

int db_merge_undo(PGconn *c, int64_t merge_id, int64_t from, int64_t into, const char *who,
                  struct err *err)
{
	char mid[24], f[24], i[24];
	snprintf(mid, sizeof(mid), "%lld", (long long)merge_id);
	snprintf(f, sizeof(f), "%lld", (long long)from);
	snprintf(i, sizeof(i), "%lld", (long long)into);
	/* only the mentions that merge moved, and still sit where it put them */
	const char *pu[] = {mid, f, i, who};
	PGresult *r = db_query(
	    c,
	    "WITH m AS (UPDATE idea_merges SET undone_at = now(), undone_by = $4 WHERE id = $1"
	    "   RETURNING mention_ids, prev_status),"
	    " back AS (UPDATE mentions SET idea_id = $2 WHERE idea_id = $3"
	    "   AND id = ANY ((SELECT mention_ids FROM m)::bigint[]) RETURNING id),"
	    " old AS (UPDATE mention_links SET superseded_at = now()"
	    "   WHERE mention_id IN (SELECT id FROM back) AND superseded_at IS NULL),"
	    " links AS (INSERT INTO mention_links (mention_id, idea_id, method, decided_by, "
	    "evidence)"
	    "   SELECT id, $2, 'person', $4, jsonb_build_object('unmerged_from', $3::bigint)"
	    "   FROM back),"
	    " i AS (UPDATE ideas SET status = (SELECT prev_status FROM m), merged_into = NULL,"
	    "   updated_at = now() WHERE id = $2)"
	    " INSERT INTO audit_log (actor, action, idea_id, details)"
	    " VALUES ($4, 'unmerge', $2, jsonb_build_object('from', $3::bigint,"
	    "   'merge_id', $1::bigint, 'mentions', (SELECT count(*) FROM back)))",
	    4, pu, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}
