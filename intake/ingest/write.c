/* intake/ingest/write.c - the write stage of the many-at-once ingest: a
 * decided group's new ideas, mentions with their links, and suggestions,
 * each in one statement (db/ideas.h, db/mentions.h, db/similar.h), run one
 * by one or sent in pipeline mode; the ideas' ids reserved ahead so that
 * nothing written has to be waited for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/mentions.h"
#include "db/similar.h"
#include "intake/ingest/many.h"
#include "intake/ingest/parts.h"

int64_t resolve(const struct group_idea *ideas, int64_t id)
{
	return id < 0 ? ideas[-id - 1].id : id;
}


/* The rows (k, mention id) of a mentions insert, into res[k - 1]. */
static void mention_ids(struct ingest_result *res, int n, const PGresult *r)
{
	for (int i = 0; i < PQntuples(r); i++) {
		int k = atoi(PQgetvalue(r, i, 0)) - 1;
		if (k >= 0 && k < n)
			res[k].mention_id = atoll(PQgetvalue(r, i, 1));
	}
}


int writer_result(void *arg, int index, PGresult *r)
{
	struct writer *w = arg;
	for (int k = 0; k < 3; k++)
		if (index == w->keep[k]) {
			w->kept[k] = r;
			return 1;
		}
	if (index < w->nsent && w->rows_for[index])
		mention_ids(w->rows_for[index], w->nrows_for[index], r);
	return 0;
}


int writer_do(struct writer *w, const struct db_stmt *st, struct ingest_result *rows_for,
	      int nrows, struct err *err)
{
	if (!w->piped) {
		PGresult *r = db_stmt_query(w->c, st, err);
		if (!r)
			return -1;
		if (rows_for)
			mention_ids(rows_for, nrows, r);
		PQclear(r);
		return 0;
	}
	if (w->nsent == w->cap) {
		int cap = w->cap ? 2 * w->cap : 16;
		struct ingest_result **rf = realloc(w->rows_for, sizeof(*rf) * (size_t)cap);
		if (rf)
			w->rows_for = rf;
		int *nr = rf ? realloc(w->nrows_for, sizeof(*nr) * (size_t)cap) : NULL;
		if (!nr)
			return err_set(err, "out of memory");
		w->nrows_for = nr;
		w->cap = cap;
	}
	if (db_stmt_send(w->c, st, err) < 0)
		return -1;
	db_pipeline_pump(w->c);
	w->rows_for[w->nsent] = rows_for;
	w->nrows_for[w->nsent++] = nrows;
	return 0;
}


void writer_free(struct writer *w)
{
	free(w->rows_for);
	free(w->nrows_for);
	for (int k = 0; k < 3; k++)
		PQclear(w->kept[k]);
}


/* Ids for the n new ideas of a group, in order: first those reserved
 * and not yet used (tx->ids), then, when the writes are not piped, from the
 * sequence (a piped window reserved enough: no round trip to wait for).
 * Ids so handed out ascend, as the transaction's index needs. */
int assign_ids(struct ingest_tx *tx, bool piped, struct group_idea *ideas, int n, struct err *err)
{
	if (!n)
		return 0;
	int64_t *ids = malloc(sizeof(int64_t) * (size_t)n);
	if (!ids)
		return err_set(err, "out of memory");
	int rc = 0, have = tx->nids - tx->ids_next, take = have < n ? have : n;
	if (take > 0)
		memcpy(ids, tx->ids + tx->ids_next, sizeof(int64_t) * (size_t)take);
	tx->ids_next += take;
	if (take < n)
		rc = piped ? err_set(err, "internal error: too few ids reserved")
			   : db_ideas_next_ids(tx->c, n - take, ids + take, err);
	for (int i = 0; rc == 0 && i < n; i++) {
		ideas[i].id = ids[i];
		dedup_tx_set_id(&tx->dedup, ideas[i].entry, ids[i]);
	}
	free(ids);
	return rc;
}


/* Reserves ids so that at least n are at hand (tx->ids): those a window's
 * piped groups will need at most. The ones left at commit are not used
 * (gaps in the ids, as a sequence cache leaves). got: the ids asked for
 * already (db_ideas_next_ids_stmt's result), or NULL to ask now. */
int reserve_ids(struct ingest_tx *tx, int n, const PGresult *got, struct err *err)
{
	int have = tx->nids - tx->ids_next;
	if (got)
		n = have + PQntuples(got);
	if (have >= n)
		return 0;
	if (have > 0)
		memmove(tx->ids, tx->ids + tx->ids_next, sizeof(int64_t) * (size_t)have);
	int64_t *v = realloc(tx->ids, sizeof(int64_t) * (size_t)n);
	if (!v)
		return err_set(err, "out of memory");
	tx->ids = v;
	tx->nids = have;
	tx->ids_next = 0;
	for (int i = 0; got && i < n - have; i++)
		tx->ids[have + i] = atoll(PQgetvalue(got, i, 0));
	if (!got && db_ideas_next_ids(tx->c, n - have, tx->ids + have, err) < 0)
		return -1;
	tx->nids = n;
	return 0;
}


/* The group's new ideas, their ids assigned (assign_ids), scored when
 * their founding mention alone says how; their full-text entries are
 * written at commit (intake/dedup/fresh.h). */
static int write_ideas(struct writer *w, struct group_idea *ideas, int n, struct err *err)
{
	if (!n)
		return 0;
	struct idea_new *v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return err_set(err, "out of memory");
	for (int i = 0; i < n; i++) {
		const struct plan *p = ideas[i].p;
		v[i] = (struct idea_new){.id = ideas[i].id,
					 .terms = {.title = p->title,
						   .norm_title = p->q.norm_title,
						   .title_toks = &p->q.title_toks,
						   .all_toks = &p->q.all_toks,
						   .title_norm = p->q.q.title.norm,
						   .all_norm = p->q.q.all.norm},
					 .sc = ideas[i].scored ? &ideas[i].sc : NULL};
	}
	struct db_batch b;
	int rc = db_ideas_insert_many(v, n, &b) < 0 ? err_set(err, "out of memory")
						    : writer_do(w, &b.st, NULL, 0, err);
	db_batch_free(&b);
	free(v);
	return rc;
}

static int write_mentions(struct writer *w, struct plan *pl, int n,
			  const struct group_idea *ideas, const char *decided_by,
			  struct ingest_result *res, struct err *err)
{
	struct mention_new *v = calloc((size_t)n + 1, sizeof(*v));
	char (*hash)[65] = malloc(65 * ((size_t)n + 1));
	char **rkey = calloc((size_t)n + 1, sizeof(char *));
	int rc = v && hash && rkey ? 0 : err_set(err, "out of memory");
	for (int i = 0; rc == 0 && i < n; i++) {
		const struct mention *m = pl[i].m;
		ingest_content_hash(m, hash[i]);
		if (!(rkey[i] = ingest_requester_key(m)))
			rc = err_set(err, "out of memory");
		v[i] = (struct mention_new){.m = m,
					    .idea_id = resolve(ideas, pl[i].into),
					    .x = {.hash = hash[i],
						  .requester_key = rkey[i],
						  .owner = ingest_owner(m),
						  .method = pl[i].method,
						  .decided_by = decided_by,
						  .evidence = pl[i].evidence,
						  .similarity = pl[i].similarity}};
	}
	struct db_batch b = {0};
	if (rc == 0)
		rc = db_mentions_insert_many(v, n, &b) < 0 ? err_set(err, "out of memory")
							   : writer_do(w, &b.st, res, n, err);
	db_batch_free(&b);
	for (int i = 0; rkey && i < n; i++)
		free(rkey[i]);
	free(rkey);
	free(hash);
	free(v);
	return rc;
}

/* Near matches of the new ideas, from the newer idea (readers look both
 * ways), in one statement. */
static int write_suggestions(struct writer *w, struct plan *pl, int n,
			     const struct group_idea *ideas, struct err *err)
{
	int total = 0, k = 0;
	for (int i = 0; i < n; i++)
		total += pl[i].founds >= 0 ? pl[i].nsugg : 0;
	if (!total)
		return 0;
	struct similar_pair *v = calloc((size_t)total, sizeof(*v));
	if (!v)
		return err_set(err, "out of memory");
	for (int i = 0; i < n; i++)
		for (int j = 0; pl[i].founds >= 0 && j < pl[i].nsugg; j++)
			v[k++] = (struct similar_pair){ideas[pl[i].founds].id,
						       resolve(ideas, pl[i].sugg[j].idea_id),
						       &pl[i].sugg[j].r};
	struct db_batch b;
	int rc = db_similar_insert_many(v, k, &b) < 0 ? err_set(err, "out of memory")
						      : writer_do(w, &b.st, NULL, 0, err);
	db_batch_free(&b);
	free(v);
	return rc;
}

/* Rescores the ideas a group touched at commit (an idea joined again by a
 * later group is rescored once), but those it inserted scored. */
static int rescore_touched(struct ingest_tx *tx, const struct plan *pl, int n,
			   const struct group_idea *ideas, struct err *err)
{
	int64_t *touched = calloc((size_t)n + 1, sizeof(int64_t));
	int nt = 0;
	for (int i = 0; touched && i < n; i++) {
		if (pl[i].into < 0 && ideas[-pl[i].into - 1].scored)
			continue;
		int64_t id = resolve(ideas, pl[i].into);
		bool seen = false;
		for (int j = 0; j < nt && !seen; j++)
			seen = touched[j] == id;
		if (!seen)
			touched[nt++] = id;
	}
	int rc = touched ? ingest_rescore_later(tx, touched, nt) : -1;
	free(touched);
	return rc < 0 ? err_set(err, "out of memory") : 0;
}


int write_group(struct ingest_tx *tx, struct writer *w, struct plan *pl, int n,
		struct group_idea *ideas, int nideas, const char *decided_by,
		struct ingest_result *out, struct err *err)
{
	if (write_ideas(w, ideas, nideas, err) < 0 ||
	    write_mentions(w, pl, n, ideas, decided_by, out, err) < 0 ||
	    write_suggestions(w, pl, n, ideas, err) < 0 || rescore_touched(tx, pl, n, ideas, err) < 0)
		return -1;
	return 0;
}
