/* db/similar.c - see similar.h. */
#include "db/similar.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/ideas_sql.h"

/* once per pair, from the new idea; readers look both ways */
static const char sql_insert_similar[] =
    "INSERT INTO idea_similar (idea_id, other_id, similarity, evidence)"
    " SELECT coalesce($1::bigint, " IDEAS_NEW_ID "), u.o, u.s, u.e::jsonb"
    " FROM unnest($2::bigint[], $3::float8[], $4::text[]) AS u(o, s, e)"
    " ORDER BY u.o"
    " ON CONFLICT (idea_id, other_id) DO UPDATE"
    " SET similarity = excluded.similarity, evidence = excluded.evidence";

int db_similar_insert(const char *idea_id, const struct dedup_candidate *cand, int n,
		      struct similar_insert *out)
{
	memset(out, 0, sizeof(*out));
	/* all of them in one statement */
	char **ids = calloc((size_t)n + 1, sizeof(char *)), **sims = calloc((size_t)n + 1, sizeof(char *)),
	     **evs = calloc((size_t)n + 1, sizeof(char *));
	bool ok = ids && sims && evs;
	for (int i = 0; ok && i < n; i++) {
		ids[i] = malloc(24);
		sims[i] = malloc(32);
		evs[i] = dedup_evidence_json(&cand[i].r);
		if (!(ok = ids[i] && sims[i] && evs[i]))
			break;
		snprintf(ids[i], 24, "%lld", (long long)cand[i].idea_id);
		snprintf(sims[i], 32, "%.4f", cand[i].r.score);
	}
	if (ok) {
		out->ids = db_text_array((const char *const *)ids, n);
		out->sims = db_text_array((const char *const *)sims, n);
		out->evs = db_text_array((const char *const *)evs, n);
		ok = out->ids && out->sims && out->evs;
	}
	for (int i = 0; i < n; i++) {
		free(ids ? ids[i] : NULL);
		free(sims ? sims[i] : NULL);
		free(evs ? evs[i] : NULL);
	}
	free(ids);
	free(sims);
	free(evs);
	if (!ok) {
		db_similar_insert_free(out);
		return -1;
	}
	out->p[0] = idea_id;
	out->p[1] = out->ids;
	out->p[2] = out->sims;
	out->p[3] = out->evs;
	out->st = (struct db_stmt){sql_insert_similar, 4, out->p};
	return 0;
}

void db_similar_insert_free(struct similar_insert *s)
{
	free(s->ids);
	free(s->sims);
	free(s->evs);
	memset(s, 0, sizeof(*s));
}

static const char sql_insert_many[] =
    "INSERT INTO idea_similar (idea_id, other_id, similarity, evidence)"
    " SELECT u.a, u.b, u.s, u.e::jsonb"
    " FROM unnest($1::bigint[], $2::bigint[], $3::float8[], $4::text[]) u(a, b, s, e)"
    " ORDER BY u.a, u.b";

int db_similar_insert_many(const struct similar_pair *v, int n, struct db_batch *out)
{
	memset(out, 0, sizeof(*out));
	char **col[4];
	int ok = 1;
	for (int k = 0; k < 4; k++)
		ok &= (col[k] = calloc((size_t)n + 1, sizeof(char *))) != NULL;
	for (int i = 0; ok && i < n; i++) {
		col[0][i] = malloc(24);
		col[1][i] = malloc(24);
		col[2][i] = malloc(32);
		if (col[0][i])
			snprintf(col[0][i], 24, "%lld", (long long)v[i].idea_id);
		if (col[1][i])
			snprintf(col[1][i], 24, "%lld", (long long)v[i].other_id);
		if (col[2][i])
			snprintf(col[2][i], 32, "%.4f", v[i].r->score);
		col[3][i] = dedup_evidence_json(v[i].r);
	}
	for (int k = 0; k < 4; k++) {
		out->own[k] = ok ? db_text_array((const char *const *)col[k], n) : NULL;
		ok &= out->own[k] != NULL;
		out->p[k] = out->own[k];
		for (int i = 0; col[k] && i < n; i++)
			free(col[k][i]);
		free(col[k]);
	}
	out->st = (struct db_stmt){sql_insert_many, 4, out->p};
	if (!ok)
		db_batch_free(out);
	return ok ? 0 : -1;
}

int db_similar_prepare_many(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_insert_many, 4, err);
}
