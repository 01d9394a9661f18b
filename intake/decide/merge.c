#include "intake/decide/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/ingest/ingest.h"
#include "intake/ingest/rescore.h"

int merge_ideas(PGconn *c, struct triage_ctx *t, int64_t from, int64_t into, const char *who,
		int64_t *merge_id, struct err *err)
{
	if (from == into)
		return err_set_field(err, "into", "an idea cannot be merged into itself");
	char f[24], i[24];
	snprintf(f, sizeof(f), "%lld", (long long)from);
	snprintf(i, sizeof(i), "%lld", (long long)into);
	const char *p[] = {f, i};
	/* lock both, in id order, and check they are live */
	PGresult *r = db_query(c,
			  "SELECT id, status FROM ideas WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
			  2, p, err);
	if (!r)
		return -1;
	int found = 0, rc = 0;
	for (int k = 0; k < PQntuples(r); k++) {
		bool merged = strcmp(PQgetvalue(r, k, 1), "merged") == 0;
		found++;
		if (merged && atoll(PQgetvalue(r, k, 0)) == into)
			rc = err_set_field(err, "into", "idea %s is itself merged into another", i);
		if (merged && atoll(PQgetvalue(r, k, 0)) == from)
			rc = err_set_field(err, "id", "idea %s is already merged", f);
	}
	PQclear(r);
	if (found < 2)
		return err_set_field(err, found == 0 ? "id" : "into", "no such idea");
	if (rc < 0)
		return -1;
	const char *pw[] = {f, i, who};
	r = db_query(c,
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
	r = db_query(c,
		"WITH u AS (UPDATE ideas SET status = 'merged', merged_into = $2, updated_at = now()"
		"   WHERE id = $1)"
		" INSERT INTO audit_log (actor, action, idea_id, details)"
		" VALUES ($3, 'merge', $1, jsonb_build_object('into', $2::bigint, 'merge_id', $4::bigint))",
		4, pm, err);
	if (!r)
		return -1;
	PQclear(r);
	if (merge_id)
		*merge_id = atoll(mid);
	return rescore_idea(c, t, i, err);
}

int unmerge_idea(PGconn *c, struct triage_ctx *t, int64_t from, const char *who,
		 struct err *err)
{
	char f[24];
	snprintf(f, sizeof(f), "%lld", (long long)from);
	const char *p[] = {f};
	PGresult *r = db_query(c,
			  "SELECT m.id, m.into_idea FROM idea_merges m JOIN ideas i ON i.id = m.from_idea"
			  " WHERE m.from_idea = $1 AND m.undone_at IS NULL AND i.status = 'merged'"
			  " ORDER BY m.id DESC LIMIT 1 FOR UPDATE OF m, i",
			  1, p, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set_field(err, "id", "idea %s is not merged into another", f);
	}
	char mid[24], into[24];
	snprintf(mid, sizeof(mid), "%s", PQgetvalue(r, 0, 0));
	snprintf(into, sizeof(into), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	/* only the mentions that merge moved, and still sit where it put them */
	const char *pu[] = {mid, f, into, who};
	r = db_query(c,
		"WITH m AS (UPDATE idea_merges SET undone_at = now(), undone_by = $4 WHERE id = $1"
		"   RETURNING mention_ids, prev_status),"
		" back AS (UPDATE mentions SET idea_id = $2 WHERE idea_id = $3"
		"   AND id = ANY ((SELECT mention_ids FROM m)::bigint[]) RETURNING id),"
		" old AS (UPDATE mention_links SET superseded_at = now()"
		"   WHERE mention_id IN (SELECT id FROM back) AND superseded_at IS NULL),"
		" links AS (INSERT INTO mention_links (mention_id, idea_id, method, decided_by, evidence)"
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
	if (rescore_idea(c, t, f, err) < 0)
		return -1;
	return rescore_idea(c, t, into, err);
}

int merge_in_tx(PGconn *c, struct triage_ctx *t, int64_t from, int64_t into, const char *who,
		int64_t *merge_id, struct err *err)
{
	struct ingest_tx tx;
	if (ingest_begin(&tx, c, t, err) < 0 ||
	    (into ? merge_ideas(c, t, from, into, who, merge_id, err)
		  : unmerge_idea(c, t, from, who, err)) < 0 ||
	    ingest_commit(&tx, err) < 0) {
		ingest_rollback(&tx);
		return -1;
	}
	return 0;
}
