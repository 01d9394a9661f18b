/* intake/pipeline.c - see pipeline.h.
 *
 * Concurrency: a transaction-scoped advisory lock on the mention's identity
 * serialises two deliveries of the same mention; a second lock on the match
 * key serialises two new mentions that would create the same idea. Locks are
 * always taken in that order. */
#include "intake/pipeline.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/metrics.h"
#include "triage/score.h"
#include "triage/text.h"

#define IDEA_TITLE_MAX 300

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

int pipeline_commit(PGconn *c, struct err *err)
{
	return exec_cmd(c, "COMMIT", err);
}

void pipeline_rollback(PGconn *c)
{
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
}

/* Runs a parameterised query; returns the result (caller clears) or NULL with *err. */
static PGresult *query(PGconn *c, const char *sql, int n, const char *const *params,
		       struct err *err)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		db_err(c, r, err);
		PQclear(r);
		return NULL;
	}
	return r;
}

/* Who is asking, for counting distinct requesters: a customer account counts
 * once however many of its people ask; a person once however often. */
static char *requester_key(const struct mention *m)
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

static void content_hash(const struct mention *m, char out[65])
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

/* A PostgreSQL text[] literal for labels (new). */
static char *labels_literal(const struct mention *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputc('{', f);
	for (int i = 0; i < m->nlabels; i++) {
		fputs(i ? ",\"" : "\"", f);
		for (const char *p = m->labels[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc('}', f);
	fclose(f);
	return buf;
}

static void fmt_i64(char *buf, size_t n, int64_t v)
{
	snprintf(buf, n, "%lld", (long long)v);
}

/* Recomputes the idea's demand and score from its live mentions. */
static int rescore(PGconn *c, const char *idea_id, struct err *err)
{
	const char *p[] = {idea_id};
	PGresult *r = query(c,
			    "SELECT count(DISTINCT requester_key), count(DISTINCT source), count(*),"
			    " coalesce((SELECT sum(a) FROM (SELECT max(arr) AS a FROM mentions"
			    "   WHERE idea_id = $1 AND NOT deleted AND account IS NOT NULL"
			    "   GROUP BY lower(account)) x), 0),"
			    " coalesce(sum(votes), 0)"
			    " FROM mentions WHERE idea_id = $1 AND NOT deleted",
			    1, p, err);
	if (!r)
		return -1;
	struct demand d = {.requesters = atoi(PQgetvalue(r, 0, 0)),
			   .sources = atoi(PQgetvalue(r, 0, 1)),
			   .mentions = atoi(PQgetvalue(r, 0, 2)),
			   .arr = atoll(PQgetvalue(r, 0, 3)),
			   .votes = atoi(PQgetvalue(r, 0, 4))};
	PQclear(r);
	double score = score_demand(&d);
	char s_score[32], s_req[16], s_src[16], s_men[16], s_arr[24], s_votes[16];
	snprintf(s_score, sizeof(s_score), "%.6f", score);
	snprintf(s_req, sizeof(s_req), "%d", d.requesters);
	snprintf(s_src, sizeof(s_src), "%d", d.sources);
	snprintf(s_men, sizeof(s_men), "%d", d.mentions);
	fmt_i64(s_arr, sizeof(s_arr), d.arr);
	snprintf(s_votes, sizeof(s_votes), "%d", d.votes);
	const char *u[] = {idea_id, s_score, s_req, s_src, s_men, s_arr, s_votes};
	r = query(c,
		  "UPDATE ideas SET score = $2, requesters = $3, source_count = $4,"
		  " mention_count = $5,"
		  " prev_breakdown = CASE WHEN score_breakdown = '{}' THEN NULL ELSE score_breakdown END,"
		  " score_breakdown = jsonb_build_object('demand', $2::float8,"
		  "   'requesters', $3::int, 'sources', $4::int, 'arr', $6::bigint, 'votes', $7::int),"
		  " scored_at = now(), updated_at = now() WHERE id = $1",
		  7, u, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

/* The idea an explicit link points at: a comment's parent, or a mention
 * with the same URL. Writes id into out (empty when none). */
static int find_linked_idea(PGconn *c, const struct mention *m, char *out, size_t outlen,
			    const char **method, struct err *err)
{
	out[0] = '\0';
	PGresult *r = NULL;
	if (m->kind == MENTION_COMMENT) {
		const char *p[] = {source_name(m->source), m->parent_external_id};
		r = query(c,
			  "SELECT idea_id FROM mentions WHERE source = $1 AND external_id = $2"
			  " AND idea_id IS NOT NULL",
			  2, p, err);
	} else if (m->url && *m->url) {
		const char *p[] = {m->url};
		r = query(c,
			  "SELECT idea_id FROM mentions WHERE url = $1 AND idea_id IS NOT NULL"
			  " ORDER BY id LIMIT 1",
			  1, p, err);
	} else {
		return 0;
	}
	if (!r)
		return -1;
	if (PQntuples(r) > 0)
		snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	*method = "explicit_link";
	if (!out[0] && m->kind == MENTION_COMMENT)
		return err_set_field(err, "parent_external_id",
				     "a comment's post %s is not known; ingest the post first",
				     m->parent_external_id);
	return 0;
}

/* Finds the idea for a new mention, creating one when nothing matches.
 * Until similarity-based matching lands, a match is the same title key. */
static int attach(PGconn *c, const struct mention *m, char *idea_id, size_t len, bool *merged,
		  const char **method, double *similarity, struct err *err)
{
	*merged = false;
	*similarity = 0;
	if (find_linked_idea(c, m, idea_id, len, method, err) < 0)
		return -1;
	if (idea_id[0]) {
		*merged = true;
		*similarity = 1.0;
		return 0;
	}
	char *title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
	char *key = text_match_key(title);
	int rc = -1;
	PGresult *r = NULL;
	if (!*key) {
		err_set_field(err, "title", "a post needs a title or a body with letters or digits");
		goto out;
	}
	const char *kp[] = {key};
	r = query(c, "SELECT pg_advisory_xact_lock(hashtextextended('idea:' || $1, 0))", 1, kp,
		  err);
	if (!r)
		goto out;
	PQclear(r);
	r = query(c,
		  "SELECT id FROM ideas WHERE norm_title = $1 AND status <> 'merged'"
		  " ORDER BY id LIMIT 1",
		  1, kp, err);
	if (!r)
		goto out;
	if (PQntuples(r) > 0) {
		snprintf(idea_id, len, "%s", PQgetvalue(r, 0, 0));
		*merged = true;
		*similarity = 1.0;
		*method = "auto_merge";
		rc = 0;
		goto out;
	}
	PQclear(r);
	const char *ip[] = {title, key};
	r = query(c, "INSERT INTO ideas (title, norm_title) VALUES ($1, $2) RETURNING id", 2, ip,
		  err);
	if (!r)
		goto out;
	snprintf(idea_id, len, "%s", PQgetvalue(r, 0, 0));
	*method = "new";
	rc = 0;
out:
	PQclear(r);
	free(title);
	free(key);
	return rc;
}

static int validate(const struct mention *m, struct err *err)
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
static int update_existing(PGconn *c, const struct mention *m, PGresult *row, const char *hash,
			   const char *labels, struct ingest_result *out, struct err *err)
{
	out->mention_id = atoll(PQgetvalue(row, 0, 0));
	out->idea_id = PQgetisnull(row, 0, 1) ? 0 : atoll(PQgetvalue(row, 0, 1));
	out->merged = false;
	int64_t stored_updated = PQgetisnull(row, 0, 2) ? 0 : atoll(PQgetvalue(row, 0, 2));
	/* a deletion is final, whatever time its payload carries */
	if (!m->deleted && m->updated_at && stored_updated && m->updated_at < stored_updated) {
		out->outcome = INGEST_STALE;
		return 0;
	}
	if (strcmp(PQgetvalue(row, 0, 3), hash) == 0) {
		out->outcome = INGEST_UNCHANGED;
		return 0;
	}
	char s_votes[16], s_arr[24], s_upd[24];
	snprintf(s_votes, sizeof(s_votes), "%d", m->votes);
	fmt_i64(s_arr, sizeof(s_arr), m->arr);
	fmt_i64(s_upd, sizeof(s_upd), m->updated_at);
	char *rkey = requester_key(m);
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
			   rkey};
	PGresult *r = query(c,
			    "UPDATE mentions SET title = $2, body = $3, url = $4, labels = $5,"
			    " votes = $6, deleted = $7, upstream_updated_at = to_timestamp($8::bigint),"
			    " content_hash = $9, author = $10, arr = $11, account = $12,"
			    " requester_key = $13, last_seen_at = now() WHERE id = $1",
			    13, p, err);
	free(rkey);
	if (!r)
		return -1;
	PQclear(r);
	out->outcome = INGEST_UPDATED;
	if (!out->idea_id)
		return 0;
	char idea[24];
	fmt_i64(idea, sizeof(idea), out->idea_id);
	/* an idea created by this mention follows its title edits */
	if (m->kind == MENTION_POST && m->title && *m->title) {
		char *title = text_trim_dup(m->title, IDEA_TITLE_MAX);
		char *key = text_match_key(title);
		const char *tp[] = {idea, title, key, PQgetvalue(row, 0, 0)};
		r = query(c,
			  "UPDATE ideas SET title = $2, norm_title = $3 WHERE id = $1 AND EXISTS ("
			  " SELECT 1 FROM mention_links WHERE mention_id = $4 AND idea_id = $1"
			  " AND method = 'new' AND superseded_at IS NULL) AND overrides->>'title' IS NULL",
			  4, tp, err);
		free(title);
		free(key);
		if (!r)
			return -1;
		PQclear(r);
	}
	return rescore(c, idea, err);
}

static int insert_new(PGconn *c, const struct mention *m, const char *hash, const char *labels,
		      const char *decided_by, struct ingest_result *out, struct err *err)
{
	char idea[24];
	bool merged;
	const char *method = "new";
	double sim;
	if (attach(c, m, idea, sizeof(idea), &merged, &method, &sim, err) < 0)
		return -1;
	char s_votes[16], s_arr[24], s_cre[24], s_upd[24];
	snprintf(s_votes, sizeof(s_votes), "%d", m->votes);
	fmt_i64(s_arr, sizeof(s_arr), m->arr);
	fmt_i64(s_cre, sizeof(s_cre), m->created_at);
	fmt_i64(s_upd, sizeof(s_upd), m->updated_at);
	char *rkey = requester_key(m);
	const char *p[] = {idea,
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
			   rkey};
	PGresult *r = query(
	    c,
	    "INSERT INTO mentions (idea_id, source, external_id, kind, parent_external_id, author,"
	    " author_kind, author_email, account, arr, title, body, url, labels, votes, is_public,"
	    " deleted, upstream_created_at, upstream_updated_at, content_hash, requester_key)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
	    " to_timestamp($18::bigint), to_timestamp($19::bigint), $20, $21) RETURNING id",
	    21, p, err);
	free(rkey);
	if (!r)
		return -1;
	out->mention_id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	char mid[24], s_sim[32];
	fmt_i64(mid, sizeof(mid), out->mention_id);
	snprintf(s_sim, sizeof(s_sim), "%.4f", sim);
	const char *lp[] = {mid, idea, method, s_sim, decided_by};
	r = query(c,
		  "INSERT INTO mention_links (mention_id, idea_id, method, similarity, decided_by)"
		  " VALUES ($1, $2, $3, $4, $5)",
		  5, lp, err);
	if (!r)
		return -1;
	PQclear(r);
	out->idea_id = atoll(idea);
	out->merged = merged;
	out->outcome = INGEST_NEW;
	return rescore(c, idea, err);
}

int pipeline_ingest_tx(PGconn *c, const struct mention *m, const char *decided_by,
		       struct ingest_result *out, struct err *err)
{
	if (validate(m, err) < 0)
		return -1;
	const char *id[] = {source_name(m->source), m->external_id};
	PGresult *r = query(c,
			    "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))",
			    2, id, err);
	if (!r)
		return -1;
	PQclear(r);
	r = query(c,
		  "SELECT id, idea_id, extract(epoch FROM upstream_updated_at)::bigint, content_hash"
		  " FROM mentions WHERE source = $1 AND external_id = $2",
		  2, id, err);
	if (!r)
		return -1;
	char hash[65];
	content_hash(m, hash);
	char *labels = labels_literal(m);
	struct ingest_result res = {0};
	int rc = PQntuples(r) > 0 ? update_existing(c, m, r, hash, labels, &res, err)
				  : insert_new(c, m, hash, labels, decided_by, &res, err);
	PQclear(r);
	free(labels);
	if (rc == 0) {
		*out = res;
		if (res.outcome == INGEST_NEW || res.outcome == INGEST_UPDATED)
			metrics_add(M_INGESTS, 1);
	}
	return rc;
}

int pipeline_ingest(PGconn *c, const struct mention *m, const char *decided_by,
		    struct ingest_result *out, struct err *err)
{
	for (int attempt = 0;; attempt++) {
		if (pipeline_begin(c, err) < 0)
			return -1;
		struct err inner = {0};
		if (pipeline_ingest_tx(c, m, decided_by, out, &inner) == 0 &&
		    pipeline_commit(c, &inner) == 0)
			return 0;
		pipeline_rollback(c);
		/* a deadlock between two concurrent batches: try once more */
		if (attempt == 0 && strstr(inner.msg, "deadlock detected"))
			continue;
		if (err)
			*err = inner;
		metrics_add(M_INGEST_ERRORS, 1);
		return -1;
	}
}
