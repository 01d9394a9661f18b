#include "intake/decide/merge.h"

#include <stdio.h>

#include "db/decisions.h"
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
	/* lock both and check they are live */
	struct db_merge_pair pair;
	if (db_merge_lock_pair(c, from, into, &pair, err) < 0)
		return -1;
	if (pair.found < 2)
		return err_set_field(err, pair.found == 0 ? "id" : "into", "no such idea");
	/* both merged: the one with the higher id is named */
	if (pair.a_merged && (!pair.b_merged || from > into))
		return err_set_field(err, "id", "idea %s is already merged", f);
	if (pair.b_merged)
		return err_set_field(err, "into", "idea %s is itself merged into another", i);
	if (db_merge_apply(c, from, into, who, merge_id, err) < 0)
		return -1;
	return rescore_idea(c, t, i, err);
}

int unmerge_idea(PGconn *c, struct triage_ctx *t, int64_t from, const char *who,
		 struct err *err)
{
	char f[24], into[24];
	snprintf(f, sizeof(f), "%lld", (long long)from);
	int64_t mid, to;
	int found = db_merge_latest(c, from, &mid, &to, err);
	if (found < 0)
		return -1;
	if (found == 0)
		return err_set_field(err, "id", "idea %s is not merged into another", f);
	if (db_merge_undo(c, mid, from, to, who, err) < 0)
		return -1;
	snprintf(into, sizeof(into), "%lld", (long long)to);
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
