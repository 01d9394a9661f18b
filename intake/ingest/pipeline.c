/* intake/ingest/pipeline.c - see pipeline.h.
 *
 * Concurrency: the unique (source, external_id) index decides between two
 * first deliveries of the same mention (the loser retries as an update); a
 * known mention's row is locked while it is updated. Two different mentions
 * arriving at once that would each start the same idea may make two ideas:
 * the later one then lists the earlier as similar, for a person to merge. */
#include "intake/ingest/pipeline.h"
#include "intake/ingest/pipeline_parts.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "intake/metrics.h"
#include "intake/dedup/match.h"
#include "intake/dedup/fresh.h"
#include "triage/text.h"


const char *ingest_outcome_name(enum ingest_outcome o)
{
	static const char *const names[] = {"new", "updated", "unchanged", "stale"};
	return (unsigned)o < 4 ? names[o] : "?";
}

static int exec_cmd(PGconn *c, const char *sql, struct err *err)
{
	PGresult *r = PQexec(c, sql);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : db_err(c, r, err);
	PQclear(r);
	return rc;
}

int pipeline_begin(PGconn *c, struct err *err)
{
	return exec_cmd(c, "BEGIN", err);
}

int pipeline_commit(PGconn *c, struct triage_ctx *t, struct err *err)
{
	/* ids reserved and not used stay unused (a sequence does not take
	 * them back) */
	free(t->ids);
	t->ids = NULL;
	t->nids = t->ids_next = 0;
	/* the new ideas' full-text entries are written while the client
	 * computes the scores of the ideas joined */
	struct db_sender entries = {fresh_send, &t->fresh};
	if (pipeline_rescore_pending(c, t, t->fresh ? &entries : NULL, err) < 0 ||
	    match_pending_flush(c, t, "COMMIT", err) < 0)
		return -1;
	return 0;
}

void pipeline_rollback(PGconn *c, struct triage_ctx *t)
{
	match_pending_reset(t);
	pipeline_rescore_forget(t);
	fresh_free(t->fresh);
	t->fresh = NULL;
	free(t->ids);
	t->ids = NULL;
	t->nids = t->ids_next = 0;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
}

const char *pipeline_owner(const struct mention *m)
{
	static const char *const defaults[] = {"github", "reddit", "import", "form"};
	if (m->owner && *m->owner)
		return m->owner;
	return (unsigned)m->source < 4 ? defaults[m->source] : "legacy";
}

/* Who is asking, for counting distinct requesters: a customer account counts
 * once however many of its people ask; a person once however often. */
char *pipeline_requester_key(const struct mention *m)
{
	const char *who = m->author ? m->author : "";
	const char *prefix = source_name(m->source);
	if (m->source == SRC_SALES && m->account && *m->account) {
		who = m->account;
		prefix = "account";
	} else if (m->author_email && *m->author_email) {
		who = m->author_email;
		prefix = "email";
	}
	char *key = text_match_key(who);
	char *out = malloc(strlen(prefix) + strlen(key) + 2);
	sprintf(out, "%s:%s", prefix, key);
	free(key);
	return out;
}

void pipeline_content_hash(const struct mention *m, char out[65])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	const char *parts[] = {m->title, m->body, m->author, m->url, m->account, m->author_email};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const char *p = parts[i] ? parts[i] : "";
		EVP_DigestUpdate(ctx, p, strlen(p) + 1); /* the NUL separates fields */
	}
	for (int i = 0; i < m->nlabels; i++)
		EVP_DigestUpdate(ctx, m->labels[i], strlen(m->labels[i]) + 1);
	char tail[64];
	snprintf(tail, sizeof(tail), "%d|%d|%lld", m->votes, m->deleted, (long long)m->arr);
	EVP_DigestUpdate(ctx, tail, strlen(tail));
	unsigned char md[32];
	unsigned int len = 0;
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void fmt_i64(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%lld", (long long)v);
}

/* What the database knows of a mention, asked in one round trip. */
struct known {
	PGresult *stored; /* the stored version, locked: 0 or 1 row */
	PGresult *linked; /* the idea of a comment's post, or of a mention with
			   * the same URL: 0 or 1 row; NULL when not asked */
	PGresult *refd;   /* the idea of the first issue a "duplicate of" names
			   * that is tracked: 0 or 1 row; NULL when not asked */
	PGresult *df;     /* a post's terms' document frequencies (match_df_sql) */
};

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

/* The issues an explicit "duplicate of #N" in a GitHub text names, in
 * order, m itself left out; how many. */
static int duplicate_refs(const struct mention *m, struct tokens *refs)
{
	memset(refs, 0, sizeof(*refs));
	if (m->source != SRC_GITHUB || !m->body || !m->external_id)
		return 0;
	char repo[256];
	snprintf(repo, sizeof(repo), "%s", m->external_id);
	repo[strcspn(repo, "#")] = '\0';
	if (normalize_duplicate_refs(m->body, repo, refs) <= 0)
		return 0;
	int o = 0;
	for (int i = 0; i < refs->n; i++) {
		if (strcmp(refs->v[i], m->external_id) == 0) /* "duplicate of" itself */
			free(refs->v[i]);
		else
			refs->v[o++] = refs->v[i];
	}
	return refs->n = o;
}

/* Reads what the database knows of m (a post's terms from q) into *k. */
static int read_known(PGconn *c, const struct mention *m, const struct match_query *q,
		      struct known *k, struct err *err)
{
	memset(k, 0, sizeof(*k));
	struct db_stmt st[4];
	PGresult **into[4];
	int n = 0;
	const char *ps[] = {source_name(m->source), m->external_id};
	const char *pp[] = {source_name(m->source), m->parent_external_id};
	const char *pu[] = {m->url};
	st[n] = (struct db_stmt){sql_stored, 2, ps};
	into[n++] = &k->stored;
	if (m->kind == MENTION_COMMENT) {
		st[n] = (struct db_stmt){sql_parent, 2, pp};
		into[n++] = &k->linked;
	} else if (m->url && *m->url) {
		st[n] = (struct db_stmt){sql_same_url, 1, pu};
		into[n++] = &k->linked;
	}
	struct tokens refs;
	char *lrefs = duplicate_refs(m, &refs) > 0 ? db_text_array((const char *const *)refs.v, refs.n)
						  : NULL;
	const char *pr[] = {lrefs};
	if (lrefs) {
		st[n] = (struct db_stmt){sql_referenced, 1, pr};
		into[n++] = &k->refd;
	}
	char *lterms = m->kind == MENTION_POST
			   ? db_text_array((const char *const *)q->all_toks.v, q->all_toks.n)
			   : NULL;
	const char *pt[] = {lterms};
	if (lterms) {
		st[n] = (struct db_stmt){match_df_sql, 1, pt};
		into[n++] = &k->df;
	}
	PGresult *out[4];
	int rc = db_query_many(c, st, n, out, err);
	for (int i = 0; rc == 0 && i < n; i++)
		*into[i] = out[i];
	tokens_clear(&refs);
	free(lrefs);
	free(lterms);
	return rc;
}

static void known_clear(struct known *k)
{
	PQclear(k->stored);
	PQclear(k->linked);
	PQclear(k->refd);
	PQclear(k->df);
	memset(k, 0, sizeof(*k));
}

/* What attach decided for a mention that founds an idea: its title, its
 * near matches, and its score when m alone says how (one write instead of
 * an insert and a rescore). */
struct founding {
	char *title;
	struct match_candidate sugg[MATCH_MAX];
	int nsugg;
	struct idea_score sc;
	bool scored;
};

static void founding_clear(struct founding *f)
{
	free(f->title);
	idea_score_clear(&f->sc);
	memset(f, 0, sizeof(*f));
}

/* Finds the idea for a new mention: an explicit link first, then the best
 * match at or above the auto-merge threshold (its id into idea_id); else
 * m founds a new idea, which *f describes (idea_id stays empty). *evidence
 * (new) says why. Writes nothing. */
static int attach(PGconn *c, struct triage_ctx *t, const struct mention *m,
		  const struct known *k, struct match_query *q, char *idea_id, size_t len,
		  struct ingest_result *res, char **evidence, struct founding *f, struct err *err)
{
	memset(f, 0, sizeof(*f));
	res->merged = false;
	res->similarity = 0;
	res->method = "new";
	*evidence = NULL;
	idea_id[0] = '\0';
	if (k->linked && PQntuples(k->linked) > 0)
		snprintf(idea_id, len, "%s", PQgetvalue(k->linked, 0, 0));
	else if (m->kind == MENTION_COMMENT)
		return err_set_field(err, "parent_external_id",
				     "a comment's post %s is not known; ingest the post first",
				     m->parent_external_id);
	else if (k->refd && PQntuples(k->refd) > 0)
		snprintf(idea_id, len, "%s", PQgetvalue(k->refd, 0, 0));
	if (idea_id[0]) {
		res->merged = true;
		res->similarity = 1.0;
		res->method = "explicit_link";
		*evidence = strdup(m->kind == MENTION_COMMENT ? "{\"link\":\"comment on its post\"}"
							      : "{\"link\":\"same url or duplicate reference\"}");
		return 0;
	}
	struct match_candidate cand[MATCH_MAX];
	int ncand = 0;
	f->title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
	if (!f->title || !*f->title) {
		founding_clear(f);
		return err_set_field(err, "title", "a post needs a title or a body");
	}
	struct df_table tab;
	int weighed = match_df_read(k->df, &tab, err) < 0 ? -1 : match_weigh(t, q, &tab, err);
	match_df_free(&tab);
	if (weighed < 0 || match_find(c, t, q, cand, &ncand, err) < 0) {
		founding_clear(f);
		return -1;
	}
	if (ncand > 0 && cand[0].r.strict >= t->rules->auto_merge) {
		snprintf(idea_id, len, "%lld", (long long)cand[0].idea_id);
		res->merged = true;
		res->similarity = cand[0].r.strict;
		res->method = "auto_merge";
		*evidence = match_evidence_json(&cand[0].r);
		founding_clear(f);
		return 0;
	}
	f->nsugg = ncand < t->rules->suggestions_kept ? ncand : t->rules->suggestions_kept;
	memcpy(f->sugg, cand, sizeof(*cand) * (size_t)f->nsugg);
	if (pipeline_can_prescore(m)) {
		if (pipeline_prescore(t, m, &f->sc, err) < 0) {
			founding_clear(f);
			return -1;
		}
		f->scored = true;
	}
	*evidence = strdup(ncand ? "{\"suggested\":true}" : "{}");
	return 0;
}

int pipeline_validate(const struct mention *m, struct err *err)
{
	if (!m->external_id || !*m->external_id || strlen(m->external_id) > 300)
		return err_set_field(err, "external_id", "external_id must be 1 to 300 bytes");
	if (m->kind == MENTION_COMMENT && (!m->parent_external_id || !*m->parent_external_id))
		return err_set_field(err, "parent_external_id", "a comment needs its post's id");
	const char *texts[] = {m->title, m->body, m->author, m->url, m->account, m->author_email};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] && !text_valid_utf8(texts[i], strlen(texts[i])))
			return err_set(err, "text is not valid UTF-8");
	return 0;
}

/* Updates a known mention when the incoming version is newer and differs. */
static int update_existing(PGconn *c, struct triage_ctx *t, const struct mention *m,
			   PGresult *row, const char *hash, const char *labels,
			   struct ingest_result *out, struct err *err)
{
	/* an external_id belongs to the client that created it: another one
	 * reusing it changes nothing (else any token could retitle someone
	 * else's idea or rewrite a CRM note's ARR) */
	if (strcmp(PQgetvalue(row, 0, 4), pipeline_owner(m)) != 0) {
		err_set_field(err, "external_id",
			      "external_id \"%.200s\" of source %s belongs to another client",
			      m->external_id, source_name(m->source));
		return INGEST_NOT_OWNER;
	}
	out->mention_id = atoll(PQgetvalue(row, 0, 0));
	out->idea_id = PQgetisnull(row, 0, 1) ? 0 : atoll(PQgetvalue(row, 0, 1));
	out->merged = false;
	out->method = "new";
	out->similarity = 0;
	int64_t stored_updated = PQgetisnull(row, 0, 2) ? 0 : atoll(PQgetvalue(row, 0, 2));
	/* a deletion is final, whatever time its payload carries */
	if (!m->deleted && m->updated_at && stored_updated && m->updated_at < stored_updated) {
		out->outcome = INGEST_STALE;
		return 0;
	}
	/* a repository made private takes its issues' text and demand back
	 * from the public at the next delivery, even one with the same text */
	bool was_public = PQgetvalue(row, 0, 5)[0] == 't';
	if (strcmp(PQgetvalue(row, 0, 3), hash) == 0 && was_public == m->is_public) {
		out->outcome = INGEST_UNCHANGED;
		return 0;
	}
	char s_votes[16], s_arr[24], s_upd[24];
	snprintf(s_votes, sizeof(s_votes), "%d", m->votes);
	fmt_i64(s_arr, sizeof(s_arr), m->arr);
	fmt_i64(s_upd, sizeof(s_upd), m->updated_at);
	char *rkey = pipeline_requester_key(m);
	const char *p[] = {PQgetvalue(row, 0, 0),
			   m->title ? m->title : "",
			   m->body ? m->body : "",
			   m->url,
			   labels,
			   s_votes,
			   m->deleted ? "t" : "f",
			   m->updated_at ? s_upd : NULL,
			   hash,
			   m->author ? m->author : "",
			   m->arr >= 0 ? s_arr : NULL,
			   m->account,
			   rkey,
			   m->is_public ? "t" : "f"};
	PGresult *r = db_query(c,
			    "UPDATE mentions SET title = $2, body = $3, url = $4, labels = $5,"
			    " votes = $6, deleted = $7, upstream_updated_at = to_timestamp($8::bigint),"
			    " content_hash = $9, author = $10, arr = $11, account = $12,"
			    " requester_key = $13, is_public = $14::bool, last_seen_at = now() WHERE id = $1",
			    14, p, err);
	free(rkey);
	if (!r)
		return -1;
	PQclear(r);
	out->outcome = INGEST_UPDATED;
	if (!out->idea_id)
		return 0;
	char idea[24];
	fmt_i64(idea, sizeof(idea), out->idea_id);
	/* an idea created by this mention follows its edits: the title (unless a
	 * person set one) and the terms it is matched by */
	if (m->kind == MENTION_POST && !m->deleted) {
		const char *fp[] = {PQgetvalue(row, 0, 0), idea};
		r = db_query(c,
			     "SELECT 1 FROM mention_links WHERE mention_id = $1 AND idea_id = $2"
			     " AND method = 'new' AND superseded_at IS NULL",
			     2, fp, err);
		if (!r)
			return -1;
		bool founded = PQntuples(r) > 0;
		PQclear(r);
		if (founded && m->title && *m->title) {
			char *title = text_trim_dup(m->title, IDEA_TITLE_MAX);
			char *key = text_match_key(title);
			const char *tp[] = {idea, title, key};
			r = db_query(c,
				     "UPDATE ideas SET title = $2, norm_title = $3 WHERE id = $1"
				     " AND overrides->>'title' IS NULL",
				     3, tp, err);
			free(title);
			free(key);
			if (!r)
				return -1;
			PQclear(r);
		}
		if (founded && match_refresh_idea(c, t, idea, m, err) < 0)
			return -1;
	}
	return pipeline_rescore(c, t, idea, err);
}

/* $1: the idea, or NULL for the idea inserted just before in the same
 * batch (MATCH_NEW_IDEA) */
static const char sql_insert_mention[] =
    "WITH i AS (SELECT coalesce($1::bigint, " MATCH_NEW_IDEA ") AS id),"
    " m AS (INSERT INTO mentions (idea_id, source, external_id, kind, parent_external_id,"
    " author, author_kind, author_email, account, arr, title, body, url, labels, votes,"
    " is_public, deleted, upstream_created_at, upstream_updated_at, content_hash,"
    " requester_key, owned_by) SELECT i.id, $2, $3, $4, $5, $6, $7, $8, $9, $10::bigint, $11,"
    " $12, $13, $14::text[], $15::int, $16::bool, $17::bool, to_timestamp($18::bigint),"
    " to_timestamp($19::bigint), $20, $21, $26 FROM i RETURNING id, idea_id)"
    " INSERT INTO mention_links (mention_id, idea_id, method, similarity, decided_by, evidence)"
    " SELECT id, idea_id, $22, $23::float8, $24, $25::jsonb FROM m RETURNING mention_id, idea_id";

static int insert_new(PGconn *c, struct triage_ctx *t, const struct mention *m,
		      const struct known *k, struct match_query *q, const char *hash,
		      const char *labels, const char *decided_by, struct ingest_result *out,
		      struct err *err)
{
	char idea[24] = "";
	char *evidence = NULL;
	struct founding f;
	if (attach(c, t, m, k, q, idea, sizeof(idea), out, &evidence, &f, err) < 0)
		return -1;
	bool founds = !idea[0];
	char s_votes[16], s_arr[24], s_cre[24], s_upd[24];
	snprintf(s_votes, sizeof(s_votes), "%d", m->votes);
	fmt_i64(s_arr, sizeof(s_arr), m->arr);
	fmt_i64(s_cre, sizeof(s_cre), m->created_at);
	fmt_i64(s_upd, sizeof(s_upd), m->updated_at);
	char *rkey = pipeline_requester_key(m);
	char s_sim[32];
	snprintf(s_sim, sizeof(s_sim), "%.4f", out->similarity);
	const char *idea_or_new = founds ? NULL : idea;
	const char *p[] = {idea_or_new,
			   source_name(m->source),
			   m->external_id,
			   mention_kind_name(m->kind),
			   m->parent_external_id,
			   m->author ? m->author : "",
			   author_kind_name(m->author_kind),
			   m->author_email,
			   m->account,
			   m->arr >= 0 ? s_arr : NULL,
			   m->title ? m->title : "",
			   m->body ? m->body : "",
			   m->url,
			   labels,
			   s_votes,
			   m->is_public ? "t" : "f",
			   m->deleted ? "t" : "f",
			   m->created_at ? s_cre : NULL,
			   m->updated_at ? s_upd : NULL,
			   hash,
			   rkey,
			   out->method,
			   s_sim,
			   decided_by,
			   evidence ? evidence : "{}",
			   pipeline_owner(m)};
	/* One round trip: the idea m founds, its near matches, the mention and
	 * how it was linked, and (unless the idea is new and scored already)
	 * what rescoring the idea reads. The statements after the idea's
	 * insert name it as the session's last inserted idea. */
	struct idea_insert ii = {0};
	struct similar_insert si = {0};
	struct db_stmt st[4];
	PGresult *r[4];
	int n = 0, at_mention, rc = -1;
	if (founds) {
		if (match_idea_insert(q, f.title, f.scored ? &f.sc : NULL, &ii) < 0 ||
		    (f.nsugg > 0 && match_similar_insert(NULL, f.sugg, f.nsugg, &si) < 0)) {
			err_set(err, "out of memory");
			goto out;
		}
		st[n++] = ii.st;
		if (f.nsugg > 0)
			st[n++] = si.st;
	}
	at_mention = n;
	st[n++] = (struct db_stmt){sql_insert_mention, 26, p};
	const char *pr[] = {idea_or_new};
	if (!f.scored)
		st[n++] = (struct db_stmt){pipeline_rescore_sql, 1, pr};
	if (db_query_many(c, st, n, r, err) < 0)
		goto out;
	out->mention_id = atoll(PQgetvalue(r[at_mention], 0, 0));
	snprintf(idea, sizeof(idea), "%s", PQgetvalue(r[at_mention], 0, 1));
	out->idea_id = atoll(idea);
	out->outcome = INGEST_NEW;
	rc = 0;
	if (founds && match_pending_add(t, &q->all_toks) < 0)
		rc = err_set(err, "out of memory");
	if (rc == 0 && !f.scored)
		rc = pipeline_rescore_apply(c, t, idea, r[n - 1], err);
	for (int i = 0; i < n; i++)
		PQclear(r[i]);
out:
	match_idea_insert_free(&ii);
	match_similar_insert_free(&si);
	founding_clear(&f);
	free(rkey);
	free(evidence);
	return rc;
}

int pipeline_ingest_tx(PGconn *c, struct triage_ctx *t, const struct mention *m,
		       const char *decided_by, struct ingest_result *out, struct err *err)
{
	if (pipeline_validate(m, err) < 0)
		return -1;
	/* No lock is taken before the lookup: two first deliveries of the same
	 * mention race to the unique (source, external_id) index, and the loser
	 * fails with a unique violation that pipeline_ingest retries as an update.
	 * (Advisory locks per mention would pile up in one long import.) A known
	 * mention is locked for the update. A post is normalised first, so that
	 * its terms' document frequencies come back with the lookup. */
	struct match_query q = {0};
	struct known k;
	if ((m->kind == MENTION_POST && match_normalize(t, m, &q, err) < 0) ||
	    read_known(c, m, &q, &k, err) < 0) {
		match_clear(&q);
		return -1;
	}
	char hash[65];
	pipeline_content_hash(m, hash);
	char *labels = db_text_array((const char *const *)m->labels, m->nlabels);
	struct ingest_result res = {0};
	int rc = PQntuples(k.stored) > 0
		     ? update_existing(c, t, m, k.stored, hash, labels, &res, err)
		     : insert_new(c, t, m, &k, &q, hash, labels, decided_by, &res, err);
	known_clear(&k);
	match_clear(&q);
	free(labels);
	if (rc == 0) {
		*out = res;
		if (res.outcome == INGEST_NEW || res.outcome == INGEST_UPDATED)
			metrics_add(M_INGESTS, 1);
	}
	return rc;
}

int pipeline_mark_gone(PGconn *c, struct triage_ctx *t, enum source source,
		       const char *const *gone, int ngone, const char *const *seen, int nseen,
		       int *marked, struct err *err)
{
	*marked = 0;
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
	for (int i = 0; i < n; i++) {
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
	int rc = pipeline_rescore_ids(c, t, touched, nt, err);
	free(touched);
	if (rc == 0)
		*marked = n;
	return rc;
}

int pipeline_ingest(PGconn *c, struct triage_ctx *t, const struct mention *m,
		    const char *decided_by, struct ingest_result *out, struct err *err)
{
	for (int attempt = 0;; attempt++) {
		if (pipeline_begin(c, err) < 0)
			return -1;
		struct err inner = {0};
		int rc = pipeline_ingest_tx(c, t, m, decided_by, out, &inner);
		if (rc == 0 && (rc = pipeline_commit(c, t, &inner)) == 0)
			return 0;
		pipeline_rollback(c, t);
		/* a deadlock, or a concurrent first delivery of the same mention
		 * (unique violation): once more, which finds it and updates */
		if (attempt == 0 && (strstr(inner.msg, "deadlock detected") ||
				     strstr(inner.msg, "duplicate key value")))
			continue;
		if (err)
			*err = inner;
		metrics_add(M_INGEST_ERRORS, 1);
		return rc;
	}
}
