/* db/ideas.c - see ideas.h. */
#include "db/ideas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/batch.h"
#include "db/ideas_sql.h"

void idea_score_clear(struct idea_score *s)
{
	free(s->segments);
	free(s->score);
	free(s->breakdown);
	free(s->classification);
	memset(s, 0, sizeof(*s));
}

static const char sql_insert_idea[] =
    "WITH i AS (INSERT INTO ideas (title, norm_title, title_terms, all_terms,"
    "  title_norm, all_norm, " IDEAS_SCORE_COLUMNS ")"
    "  VALUES ($1, $2, $3::text[], $4::text[], $5, $6, "
    IDEAS_SCORE_VALUES("$7", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
		       "$16") ") RETURNING id, " IDEAS_SEARCH_COPY ")"
    " INSERT INTO idea_search (idea_id, search, rare, " IDEAS_SEARCH_COPY ")"
    " SELECT id, array_to_tsvector(array_remove($4::text[], '')),"
    " array_to_tsvector(array_remove(string_to_array($17, ' '), '')), "
    IDEAS_SEARCH_COPY " FROM i RETURNING idea_id";

int db_idea_insert(const struct idea_terms *it, const struct idea_score *sc,
		   struct idea_insert *out)
{
	memset(out, 0, sizeof(*out));
	out->tt = db_text_array((const char *const *)it->title_toks->v, it->title_toks->n);
	out->at = db_text_array((const char *const *)it->all_toks->v, it->all_toks->n);
	out->rare = strdup(it->rare ? it->rare : "");
	if (!out->tt || !out->at || !out->rare) {
		db_idea_insert_free(out);
		return -1;
	}
	snprintf(out->tn, sizeof(out->tn), "%.6f", it->title_norm);
	snprintf(out->an, sizeof(out->an), "%.6f", it->all_norm);
	if (sc) {
		snprintf(out->nr, sizeof(out->nr), "%d", sc->requesters);
		snprintf(out->ns, sizeof(out->ns), "%d", sc->sources);
		snprintf(out->nm, sizeof(out->nm), "%d", sc->mentions);
		snprintf(out->last, sizeof(out->last), "%lld", (long long)sc->last_activity);
	}
	const char *p[] = {it->title,
			   it->norm_title,
			   out->tt,
			   out->at,
			   out->tn,
			   out->an,
			   sc ? sc->category : NULL,
			   sc ? sc->segments : NULL,
			   sc ? sc->runtime : NULL,
			   sc ? sc->score : NULL,
			   sc ? sc->breakdown : NULL,
			   sc ? sc->classification : NULL,
			   sc ? out->nr : NULL,
			   sc ? out->ns : NULL,
			   sc ? out->nm : NULL,
			   sc ? out->last : NULL,
			   out->rare};
	memcpy(out->p, p, sizeof(p));
	out->st = (struct db_stmt){sql_insert_idea, 17, out->p};
	return 0;
}

void db_idea_insert_free(struct idea_insert *s)
{
	free(s->tt);
	free(s->at);
	free(s->rare);
	memset(s, 0, sizeof(*s));
}

int db_idea_terms_get(PGconn *c, const char *idea_id, struct tokens *title, struct tokens *all,
		      struct err *err)
{
	const char *p[] = {idea_id};
	PGresult *r = db_query(c, "SELECT title_terms, all_terms FROM ideas WHERE id = $1", 1, p, err);
	if (!r)
		return -1;
	int rc = 0;
	if (PQntuples(r) != 1 || db_parse_text_array(PQgetvalue(r, 0, 0), title) < 0 ||
	    db_parse_text_array(PQgetvalue(r, 0, 1), all) < 0)
		rc = err_set(err, "idea %s: its terms cannot be read", idea_id);
	PQclear(r);
	return rc;
}

int db_idea_terms_set(PGconn *c, const char *idea_id, const struct tokens *title,
		      const struct tokens *all, double title_norm, double all_norm, struct err *err)
{
	char *tt = db_text_array((const char *const *)title->v, title->n);
	char *at = db_text_array((const char *const *)all->v, all->n);
	char tn[32], an[32];
	snprintf(tn, sizeof(tn), "%.6f", title_norm);
	snprintf(an, sizeof(an), "%.6f", all_norm);
	const char *p[] = {idea_id, tt, at, tn, an};
	PGresult *r = tt && at ? db_query(c,
					  "UPDATE ideas SET title_terms = $2::text[], all_terms = $3::text[],"
					  " title_norm = $4, all_norm = $5 WHERE id = $1",
					  5, p, err)
			       : NULL;
	if (!tt || !at)
		err_set(err, "out of memory");
	free(tt);
	free(at);
	PQclear(r);
	return r ? 0 : -1;
}

/* Each idea is read by its key, in the order of the ids (ascending, as
 * the entries were added): the fence (OFFSET 0) keeps the lookup per id.
 * Joined instead, the planner sorted the whole ideas table to merge-join
 * it (EXPLAIN ANALYZE at 80k ideas: 0.37 s per 20,000 ids against 0.12 s;
 * a 100k import's entries took 1.9 s, now 1.4 s). */
static const char sql_search_entries[] =
    "INSERT INTO idea_search (idea_id, search, rare, title_terms,"
    " all_terms, title_norm, all_norm, norm_title, live)"
    " SELECT i.id, array_to_tsvector(array_remove(i.all_terms, '')),"
    " array_to_tsvector(array_remove(string_to_array(u.rare, ' '), '')), i.title_terms, i.all_terms,"
    " i.title_norm, i.all_norm, i.norm_title, i.live"
    " FROM unnest($1::bigint[], $2::text[]) u(id, rare)"
    " CROSS JOIN LATERAL (SELECT i.id, i.all_terms, i.title_terms, i.title_norm, i.all_norm,"
    "  i.norm_title, i.status <> 'merged' AS live FROM ideas i WHERE i.id = u.id OFFSET 0) i";

int db_idea_search_send(PGconn *c, const int64_t *ids, const char *const *rare, int n,
			struct err *err)
{
	char **sid = calloc((size_t)n + 1, sizeof(char *));
	for (int i = 0; sid && i < n; i++)
		if ((sid[i] = malloc(24)))
			snprintf(sid[i], 24, "%lld", (long long)ids[i]);
	char *li = sid ? db_text_array((const char *const *)sid, n) : NULL;
	char *lr = db_text_array(rare, n);
	for (int i = 0; sid && i < n; i++)
		free(sid[i]);
	free(sid);
	const char *p[] = {li, lr};
	int rc = li && lr ? db_send(c, sql_search_entries, 2, p, err) : err_set(err, "out of memory");
	free(li);
	free(lr);
	return rc;
}

int db_idea_retitle(PGconn *c, const char *idea_id, const char *title, const char *norm_title,
		    struct err *err)
{
	const char *p[] = {idea_id, title, norm_title};
	PGresult *r = db_query(c,
			       "UPDATE ideas SET title = $2, norm_title = $3 WHERE id = $1"
			       " AND overrides->>'title' IS NULL",
			       3, p, err);
	PQclear(r);
	return r ? 0 : -1;
}

enum { IC_ID, IC_TITLE, IC_NT, IC_TT, IC_AT, IC_TN, IC_AN, IC_CAT, IC_SEG, IC_RT, IC_SCORE,
       IC_BD, IC_CLS, IC_NREQ, IC_NSRC, IC_NM, IC_LAST, IC_N };

static const char sql_insert_many[] =
    "WITH i AS (INSERT INTO ideas (id, title, norm_title, title_terms, all_terms,"
    "  title_norm, all_norm, " IDEAS_SCORE_COLUMNS ")"
    " SELECT u.id, u.title, u.nt, string_to_array(u.tt, ' '), string_to_array(u.at, ' '),"
    "  u.tn, u.an, " IDEAS_SCORE_VALUES("u.cat", "u.seg", "u.rt", "u.score", "u.bd",
					"u.cls", "u.nreq", "u.nsrc", "u.nm", "u.last")
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],"
    "  $6::float8[], $7::float8[], $8::text[], $9::text[], $10::text[], $11::text[],"
    "  $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])"
    "  AS u(id, title, nt, tt, at, tn, an, cat, seg, rt, score, bd, cls, nreq, nsrc, nm,"
    "  last)"
    " ORDER BY u.id) SELECT 1";

/* Row i of the columns col (new strings; the score's NULL when unscored). */
static void idea_columns(const void *rows, int i, char **col[])
{
	const struct idea_new *v = (const struct idea_new *)rows + i;
	const struct idea_terms *t = &v->terms;
	col[IC_ID][i] = db_cell_i64(v->id);
	col[IC_TITLE][i] = db_cell_dup(t->title);
	col[IC_NT][i] = db_cell_dup(t->norm_title);
	col[IC_TT][i] = tokens_join(t->title_toks, " ");
	col[IC_AT][i] = tokens_join(t->all_toks, " ");
	col[IC_TN][i] = db_cell_real(t->title_norm);
	col[IC_AN][i] = db_cell_real(t->all_norm);
	const struct idea_score *sc = v->sc;
	if (!sc)
		return; /* NULL: inserted unscored, rescored after */
	col[IC_CAT][i] = db_cell_dup(sc->category);
	col[IC_SEG][i] = db_cell_dup(sc->segments);
	col[IC_RT][i] = db_cell_dup(sc->runtime);
	col[IC_SCORE][i] = db_cell_dup(sc->score);
	col[IC_BD][i] = db_cell_dup(sc->breakdown);
	col[IC_CLS][i] = db_cell_dup(sc->classification);
	col[IC_NREQ][i] = db_cell_i64(sc->requesters);
	col[IC_NSRC][i] = db_cell_i64(sc->sources);
	col[IC_NM][i] = db_cell_i64(sc->mentions);
	col[IC_LAST][i] = db_cell_i64(sc->last_activity);
}

int db_ideas_insert_many(const struct idea_new *v, int n, struct db_batch *out)
{
	if (db_batch_columns(out, IC_N, v, n, idea_columns) < 0)
		return -1;
	out->st = (struct db_stmt){sql_insert_many, IC_N, out->p};
	return 0;
}

static const char sql_next_ids[] = "SELECT nextval(pg_get_serial_sequence('ideas', 'id'))"
				   " FROM generate_series(1, $1::int)";

void db_ideas_next_ids_stmt(int n, struct db_batch *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->small[0], sizeof(out->small[0]), "%d", n);
	out->p[0] = out->small[0];
	out->st = (struct db_stmt){sql_next_ids, 1, out->p};
}

int db_ideas_next_ids(PGconn *c, int n, int64_t *out, struct err *err)
{
	struct db_batch b;
	db_ideas_next_ids_stmt(n, &b);
	PGresult *r = db_query(c, b.st.sql, b.st.n, b.st.params, err);
	if (!r)
		return -1;
	for (int i = 0; i < n; i++)
		out[i] = atoll(PQgetvalue(r, i, 0));
	PQclear(r);
	return 0;
}

int db_ideas_prepare_many(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_insert_many, IC_N, err);
}

int db_ideas_prepare_ids(PGconn *c, struct err *err)
{
	return db_prepare(c, sql_next_ids, 1, err);
}
