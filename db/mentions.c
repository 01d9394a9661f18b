/* db/mentions.c - see mentions.h. */
#include "db/mentions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/batch.h"
#include "db/ideas_sql.h"

static const char sql_stored[] =
    "SELECT id, idea_id, extract(epoch FROM upstream_updated_at)::bigint,"
    " content_hash, owned_by, is_public FROM mentions WHERE source = $1 AND external_id = $2"
    " FOR UPDATE";
static const char sql_parent[] = "SELECT idea_id FROM mentions WHERE source = $1"
				 " AND external_id = $2 AND idea_id IS NOT NULL";
static const char sql_same_url[] = "SELECT idea_id FROM mentions WHERE url = $1"
				   " AND idea_id IS NOT NULL ORDER BY id LIMIT 1";
static const char sql_referenced[] =
    "SELECT m.idea_id FROM unnest($1::text[]) WITH ORDINALITY r(e, k)"
    " JOIN mentions m ON m.source = 'github' AND m.external_id = r.e"
    " AND m.idea_id IS NOT NULL ORDER BY r.k LIMIT 1";

void db_mention_lookup(const struct mention *m, const char *const *refs, int nrefs,
		       struct mention_lookup *out)
{
	memset(out, 0, sizeof(*out));
	out->at_linked = out->at_refd = -1;
	out->ps[0] = out->pp[0] = source_name(m->source);
	out->ps[1] = m->external_id;
	out->pp[1] = m->parent_external_id;
	out->pu[0] = m->url;
	out->at_stored = out->n;
	out->st[out->n++] = (struct db_stmt){sql_stored, 2, out->ps};
	if (m->kind == MENTION_COMMENT) {
		out->at_linked = out->n;
		out->st[out->n++] = (struct db_stmt){sql_parent, 2, out->pp};
	} else if (m->url && *m->url) {
		out->at_linked = out->n;
		out->st[out->n++] = (struct db_stmt){sql_same_url, 1, out->pu};
	}
	if (nrefs > 0 && (out->lrefs = db_text_array(refs, nrefs))) {
		out->pr[0] = out->lrefs;
		out->at_refd = out->n;
		out->st[out->n++] = (struct db_stmt){sql_referenced, 1, out->pr};
	}
}

void db_mention_lookup_free(struct mention_lookup *s)
{
	free(s->lrefs);
	memset(s, 0, sizeof(*s));
}

/* $1: the idea, or NULL for the idea inserted just before in the same
 * batch */
static const char sql_insert_mention[] =
    "WITH i AS (SELECT coalesce($1::bigint, " IDEAS_NEW_ID ") AS id),"
    " m AS (INSERT INTO mentions (idea_id, source, external_id, kind, parent_external_id,"
    " author, author_kind, author_email, account, arr, title, body, url, labels, votes,"
    " is_public, deleted, upstream_created_at, upstream_updated_at, content_hash,"
    " requester_key, owned_by) SELECT i.id, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint, $11,"
    " $12, $13, $14::text[], $15::int, $16::bool, $17::bool, to_timestamp($18::bigint),"
    " to_timestamp($19::bigint), $20, $21, $26 FROM i RETURNING id, idea_id)"
    " INSERT INTO mention_links (mention_id, idea_id, method, similarity, decided_by, evidence)"
    " SELECT id, idea_id, $22, $23::float8, $24, $25::jsonb FROM m RETURNING mention_id, idea_id";

void db_mention_insert(const char *idea_id, const struct mention *m, const struct mention_extra *x,
		       struct mention_insert *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->votes, sizeof(out->votes), "%d", m->votes);
	snprintf(out->arr, sizeof(out->arr), "%lld", (long long)m->arr);
	snprintf(out->cre, sizeof(out->cre), "%lld", (long long)m->created_at);
	snprintf(out->upd, sizeof(out->upd), "%lld", (long long)m->updated_at);
	snprintf(out->sim, sizeof(out->sim), "%.4f", x->similarity);
	const char *p[] = {idea_id,
			   source_name(m->source),
			   m->external_id,
			   mention_kind_name(m->kind),
			   m->parent_external_id,
			   m->author ? m->author : "",
			   author_kind_name(m->author_kind),
			   m->author_email,
			   m->account,
			   m->arr >= 0 ? out->arr : NULL,
			   m->title ? m->title : "",
			   m->body ? m->body : "",
			   m->url,
			   x->labels,
			   out->votes,
			   m->is_public ? "t" : "f",
			   m->deleted ? "t" : "f",
			   m->created_at ? out->cre : NULL,
			   m->updated_at ? out->upd : NULL,
			   x->hash,
			   x->requester_key,
			   x->method,
			   out->sim,
			   x->decided_by,
			   x->evidence ? x->evidence : "{}",
			   x->owner};
	memcpy(out->p, p, sizeof(p));
	out->st = (struct db_stmt){sql_insert_mention, 26, out->p};
}

int db_mention_update(PGconn *c, const char *mention_id, const struct mention *m,
		      const struct mention_extra *x, struct err *err)
{
	char s_votes[16], s_arr[24], s_upd[24];
	snprintf(s_votes, sizeof(s_votes), "%d", m->votes);
	snprintf(s_arr, sizeof(s_arr), "%lld", (long long)m->arr);
	snprintf(s_upd, sizeof(s_upd), "%lld", (long long)m->updated_at);
	const char *p[] = {mention_id,
			   m->title ? m->title : "",
			   m->body ? m->body : "",
			   m->url,
			   x->labels,
			   s_votes,
			   m->deleted ? "t" : "f",
			   m->updated_at ? s_upd : NULL,
			   x->hash,
			   m->author ? m->author : "",
			   m->arr >= 0 ? s_arr : NULL,
			   m->account,
			   x->requester_key,
			   m->is_public ? "t" : "f"};
	PGresult *r = db_query(c,
			       "UPDATE mentions SET title = $2, body = $3, url = $4, labels = $5,"
			       " votes = $6, deleted = $7, upstream_updated_at = to_timestamp($8::bigint),"
			       " content_hash = $9, author = $10, arr = $11, account = $12,"
			       " requester_key = $13, is_public = $14::bool, last_seen_at = now() WHERE id = $1",
			       14, p, err);
	PQclear(r);
	return r ? 0 : -1;
}

int db_mention_founded(PGconn *c, const char *mention_id, const char *idea_id, bool *out,
		       struct err *err)
{
	const char *p[] = {mention_id, idea_id};
	PGresult *r = db_query(c,
			       "SELECT 1 FROM mention_links WHERE mention_id = $1 AND idea_id = $2"
			       " AND method = 'new' AND superseded_at IS NULL",
			       2, p, err);
	if (!r)
		return -1;
	*out = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

int db_mentions_known(PGconn *c, const struct mention *ms, int n, bool *known, struct err *err)
{
	const char **src = calloc((size_t)n + 1, sizeof(char *)),
		   **ext = calloc((size_t)n + 1, sizeof(char *)),
		   **url = calloc((size_t)n + 1, sizeof(char *));
	if (!src || !ext || !url) {
		free(src);
		free(ext);
		free(url);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		src[i] = source_name(ms[i].source);
		ext[i] = ms[i].external_id;
		url[i] = ms[i].url && *ms[i].url ? ms[i].url : NULL;
	}
	char *a = db_text_array(src, n), *b = db_text_array(ext, n), *u = db_array_nullable(url, n);
	free(src);
	free(ext);
	free(url);
	const char *p[] = {a, b, u};
	PGresult *r = db_query(c,
			       "SELECT x.k FROM unnest($1::text[], $2::text[]) WITH ORDINALITY x(s, e, k)"
			       "  JOIN mentions m ON m.source = x.s AND m.external_id = x.e"
			       " UNION SELECT y.k FROM unnest($3::text[]) WITH ORDINALITY y(url, k)"
			       "  WHERE y.url IS NOT NULL AND EXISTS (SELECT 1 FROM mentions m"
			       "   WHERE m.url = y.url AND m.idea_id IS NOT NULL)",
			       3, p, err);
	free(a);
	free(b);
	free(u);
	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		int k = atoi(PQgetvalue(r, i, 0)) - 1;
		if (k >= 0 && k < n)
			known[k] = true;
	}
	PQclear(r);
	return 0;
}

int db_mentions_mark_gone(PGconn *c, enum source source, const char *const *gone, int ngone,
			  const char *const *seen, int nseen, int64_t **ids, int *nids,
			  int *marked, struct err *err)
{
	char *lg = db_text_array(gone, ngone), *ls = db_text_array(seen, nseen);
	const char *p[] = {source_name(source), lg, ls};
	PGresult *r = db_query(c,
			       "WITH seen AS (UPDATE mentions SET last_seen_at = now()"
			       "  WHERE source = $1 AND external_id = ANY ($3::text[]))"
			       " UPDATE mentions SET deleted = true, last_seen_at = now()"
			       " WHERE source = $1 AND NOT deleted"
			       "  AND (external_id = ANY ($2::text[]) OR parent_external_id = ANY ($2::text[]))"
			       " RETURNING idea_id",
			       3, p, err);
	free(lg);
	free(ls);
	if (!r)
		return -1;
	int n = PQntuples(r), nt = 0;
	int64_t *touched = calloc((size_t)n + 1, sizeof(int64_t));
	for (int i = 0; touched && i < n; i++) {
		if (PQgetisnull(r, i, 0))
			continue;
		int64_t id = atoll(PQgetvalue(r, i, 0));
		bool dup = false;
		for (int j = 0; j < nt && !dup; j++)
			dup = touched[j] == id;
		if (!dup)
			touched[nt++] = id;
	}
	PQclear(r);
	if (!touched)
		return err_set(err, "out of memory");
	*ids = touched;
	*nids = nt;
	*marked = n;
	return 0;
}

enum { MC_IDEA, MC_SOURCE, MC_EXT, MC_AUTHOR, MC_AKIND, MC_EMAIL, MC_ACCOUNT, MC_ARR, MC_TITLE,
       MC_BODY, MC_URL, MC_LABELS, MC_VOTES, MC_PUBLIC, MC_DELETED, MC_CREATED, MC_UPDATED,
       MC_HASH, MC_RKEY, MC_METHOD, MC_SIM, MC_EVIDENCE, MC_OWNER, MC_N };

static const char sql_insert_many[] =
    "WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"
    "  $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[],"
    "  $12::text[], $13::int[], $14::bool[], $15::bool[], $16::bigint[], $17::bigint[],"
    "  $18::text[], $19::text[], $20::text[], $21::float8[], $22::text[], $23::text[])"
    "  WITH ORDINALITY AS u(idea, src, ext, author, akind, email, account, arr, title, body,"
    "  url, labels, votes, pub, del, cre, upd, hash, rkey, method, sim, ev, own, k)),"
    " m AS (INSERT INTO mentions (idea_id, source, external_id, kind, author, author_kind,"
    "  author_email, account, arr, title, body, url, labels, votes, is_public, deleted,"
    "  upstream_created_at, upstream_updated_at, content_hash, requester_key, owned_by)"
    "  SELECT idea, src, ext, 'post', author, akind, email, account, arr, title, body, url,"
    "  labels::text[], votes, pub, del, to_timestamp(cre), to_timestamp(upd), hash, rkey, own"
    "  FROM u ORDER BY k RETURNING id, source, external_id),"
    " l AS (INSERT INTO mention_links (mention_id, idea_id, method, similarity, decided_by,"
    "  evidence) SELECT m.id, u.idea, u.method, u.sim, $24, u.ev::jsonb"
    "  FROM m JOIN u ON u.src = m.source AND u.ext = m.external_id)"
    " SELECT u.k, m.id FROM m JOIN u ON u.src = m.source AND u.ext = m.external_id";

/* Row i of the columns col (new strings). */
static void mention_columns(const void *rows, int i, char **col[])
{
	const struct mention_new *v = (const struct mention_new *)rows + i;
	const struct mention *m = v->m;
	col[MC_IDEA][i] = db_cell_i64(v->idea_id);
	col[MC_SOURCE][i] = db_cell_dup(source_name(m->source));
	col[MC_EXT][i] = db_cell_dup(m->external_id);
	col[MC_AUTHOR][i] = db_cell_dup(m->author ? m->author : "");
	col[MC_AKIND][i] = db_cell_dup(author_kind_name(m->author_kind));
	col[MC_EMAIL][i] = db_cell_dup(m->author_email);
	col[MC_ACCOUNT][i] = db_cell_dup(m->account);
	col[MC_ARR][i] = m->arr >= 0 ? db_cell_i64(m->arr) : NULL;
	col[MC_TITLE][i] = db_cell_dup(m->title ? m->title : "");
	col[MC_BODY][i] = db_cell_dup(m->body ? m->body : "");
	col[MC_URL][i] = db_cell_dup(m->url);
	col[MC_LABELS][i] = db_text_array((const char *const *)m->labels, m->nlabels);
	col[MC_VOTES][i] = db_cell_i64(m->votes);
	col[MC_PUBLIC][i] = db_cell_dup(m->is_public ? "t" : "f");
	col[MC_DELETED][i] = db_cell_dup(m->deleted ? "t" : "f");
	col[MC_CREATED][i] = m->created_at ? db_cell_i64(m->created_at) : NULL;
	col[MC_UPDATED][i] = m->updated_at ? db_cell_i64(m->updated_at) : NULL;
	col[MC_HASH][i] = db_cell_dup(v->x.hash);
	col[MC_RKEY][i] = db_cell_dup(v->x.requester_key);
	col[MC_METHOD][i] = db_cell_dup(v->x.method);
	char sim[32];
	snprintf(sim, sizeof(sim), "%.4f", v->x.similarity);
	col[MC_SIM][i] = db_cell_dup(sim);
	col[MC_EVIDENCE][i] = db_cell_dup(v->x.evidence ? v->x.evidence : "{}");
	col[MC_OWNER][i] = db_cell_dup(v->x.owner);
}

int db_mentions_insert_many(const struct mention_new *v, int n, struct db_batch *out)
{
	if (db_batch_columns(out, MC_N, v, n, mention_columns) < 0)
		return -1;
	out->p[MC_N] = n > 0 ? v[0].x.decided_by : NULL;
	out->st = (struct db_stmt){sql_insert_many, MC_N + 1, out->p};
	return 0;
}

int db_mentions_prepare_many(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_insert_many, MC_N + 1, err);
}
