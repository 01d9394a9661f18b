/* intake/ingest/one.c - the ingest of one mention (ingest_one): read what
 * the database knows of it (one round trip), decide (triage/dedup.h),
 * write (one round trip: the idea it founds, its near matches, the mention
 * and its link, and the read of the rescore), rescore.
 *
 * Concurrency: the unique (source, external_id) index decides between two
 * first deliveries of the same mention (the loser retries as an update); a
 * known mention's row is locked while it is updated. Two different mentions
 * arriving at once that would each start the same idea may make two ideas:
 * the later one then lists the earlier as similar, for a person to merge. */
#include "intake/ingest/ingest.h"
#include "intake/ingest/parts.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "db/ideas.h"
#include "db/mentions.h"
#include "db/similar.h"
#include "db/terms.h"
#include "intake/dedup/match.h"
#include "intake/ingest/rescore.h"
#include "intake/metrics.h"
#include "triage/dedup.h"
#include "triage/text.h"

const char *ingest_outcome_name(enum ingest_outcome o)
{
	static const char *const names[] = {"new", "updated", "unchanged", "stale"};
	return (unsigned)o < 4 ? names[o] : "?";
}

const char *ingest_owner(const struct mention *m)
{
	static const char *const defaults[] = {"github", "reddit", "import", "form"};
	if (m->owner && *m->owner)
		return m->owner;
	return (unsigned)m->source < 4 ? defaults[m->source] : "legacy";
}

/* Who is asking, for counting distinct requesters: a customer account counts
 * once however many of its people ask; a person once however often. */
char *ingest_requester_key(const struct mention *m)
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
	char *key = text_match_key(who), *out = NULL;
	if (!key || asprintf(&out, "%s:%s", prefix, key) < 0)
		out = NULL;
	free(key);
	return out;
}

void ingest_content_hash(const struct mention *m, char out[65])
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
	PGresult *df;     /* a post's terms' document frequencies (db_terms_df) */
};

int ingest_duplicate_refs(const struct mention *m, struct tokens *refs)
{
	memset(refs, 0, sizeof(*refs));
	if (m->source != SRC_GITHUB || !m->body || !m->external_id)
		return 0;
	char repo[256];
	snprintf(repo, sizeof(repo), "%s", m->external_id);
	repo[strcspn(repo, "#")] = '\0';
	return normalize_duplicate_refs(m->body, repo, refs);
}

/* The issues an explicit "duplicate of #N" in a GitHub text names, in
 * order, m itself left out; how many. */
static int duplicate_refs(const struct mention *m, struct tokens *refs)
{
	if (ingest_duplicate_refs(m, refs) <= 0)
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
	struct tokens refs;
	duplicate_refs(m, &refs);
	struct mention_lookup look;
	db_mention_lookup(m, (const char *const *)refs.v, refs.n, &look);
	struct db_stmt st[4];
	memcpy(st, look.st, sizeof(*st) * (size_t)look.n);
	int n = look.n;
	struct terms_df df = {0};
	if (m->kind == MENTION_POST &&
	    db_terms_df((const char *const *)q->all_toks.v, q->all_toks.n, &df) == 0)
		st[n++] = df.st;
	PGresult *out[4];
	int rc = db_query_many(c, st, n, out, err);
	if (rc == 0) {
		k->stored = out[look.at_stored];
		k->linked = look.at_linked >= 0 ? out[look.at_linked] : NULL;
		k->refd = look.at_refd >= 0 ? out[look.at_refd] : NULL;
		k->df = n > look.n ? out[look.n] : NULL;
	}
	tokens_clear(&refs);
	db_mention_lookup_free(&look);
	db_terms_df_free(&df);
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

/* What attach decided: the decision, and for a mention that founds an
 * idea its title, its candidates (the decision's suggestions point into
 * them) and its score when m alone says how (one write instead of an
 * insert and a rescore). */
struct founding {
	struct dedup_decision d;
	char *title;
	struct dedup_candidate *cand;
	struct idea_score sc;
	bool scored;
};

static void founding_clear(struct founding *f)
{
	dedup_decision_clear(&f->d);
	free(f->title);
	free(f->cand);
	idea_score_clear(&f->sc);
	memset(f, 0, sizeof(*f));
}

/* The idea an explicit link names for m (0: none): a comment's post, a
 * mention with the same URL, or an issue a "duplicate of" names; *why says
 * which. -1 when m is a comment on a post not known. */
static int64_t explicit_link(const struct mention *m, const struct known *k, const char **why,
			     struct err *err)
{
	*why = m->kind == MENTION_COMMENT ? "comment on its post" : "same url or duplicate reference";
	if (k->linked && PQntuples(k->linked) > 0)
		return atoll(PQgetvalue(k->linked, 0, 0));
	if (m->kind == MENTION_COMMENT)
		return err_set_field(err, "parent_external_id",
				     "a comment's post %s is not known; ingest the post first",
				     m->parent_external_id);
	if (k->refd && PQntuples(k->refd) > 0)
		return atoll(PQgetvalue(k->refd, 0, 0));
	return 0;
}

/* The decide stage for a new mention: an explicit link, else its verified
 * candidates through the one dedup decision (triage/dedup.h). Writes
 * nothing; *f says what to write. */
static int attach(struct ingest_tx *tx, const struct mention *m, const struct known *k,
		  struct match_query *q, struct founding *f, struct err *err)
{
	memset(f, 0, sizeof(*f));
	struct dedup_input in = {0};
	in.link = explicit_link(m, k, &in.link_why, err);
	if (in.link < 0)
		return -1;
	if (!in.link) {
		f->title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
		if (!f->title || !*f->title) {
			founding_clear(f);
			return err_set_field(err, "title", "a post needs a title or a body");
		}
		struct df_table tab;
		int weighed = match_df_read(k->df, &tab, err) < 0
				  ? -1
				  : match_weigh(&tx->dedup, q, &tab, err);
		match_df_free(&tab);
		if (weighed < 0 ||
		    match_find(tx->c, tx->t, &tx->dedup, q, &f->cand, &in.ncand, err) < 0) {
			founding_clear(f);
			return -1;
		}
		in.cand = f->cand;
	}
	if (dedup_decide(&tx->t->rules->dedup, &in, &f->d) < 0) {
		founding_clear(f);
		return err_set(err, "out of memory");
	}
	if (f->d.kind == DEDUP_NEW && rescore_can_prescore(m)) {
		if (rescore_prescore(tx->t, m, &f->sc, err) < 0) {
			founding_clear(f);
			return -1;
		}
		f->scored = true;
	}
	return 0;
}

int ingest_validate(const struct mention *m, struct err *err)
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


/* Whether a known mention's stored version (row of k->stored) must be
 * written: fills out's ids and, when not, its outcome (stale, unchanged).
 * INGEST_NOT_OWNER when another client owns the external_id. */
static int needs_update(const struct mention *m, const PGresult *row, const char *hash,
			struct ingest_result *out, bool *write, struct err *err)
{
	*write = false;
	/* an external_id belongs to the client that created it: another one
	 * reusing it changes nothing (else any token could retitle someone
	 * else's idea or rewrite a CRM note's ARR) */
	if (strcmp(PQgetvalue(row, 0, 4), ingest_owner(m)) != 0) {
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
	*write = true;
	return 0;
}

/* An idea created by mention_id follows the edits of m: the title (unless
 * a person set one) and the terms it is matched by. */
static int follow_edit(struct ingest_tx *tx, const struct mention *m, const char *mention_id,
		       const char *idea, struct err *err)
{
	bool founded;
	if (db_mention_founded(tx->c, mention_id, idea, &founded, err) < 0)
		return -1;
	if (!founded)
		return 0;
	if (m->title && *m->title) {
		char *title = text_trim_dup(m->title, IDEA_TITLE_MAX);
		char *key = text_match_key(title);
		int rc = db_idea_retitle(tx->c, idea, title, key, err);
		free(title);
		free(key);
		if (rc < 0)
			return -1;
	}
	return match_refresh_idea(tx->c, tx->t, &tx->dedup, idea, m, err);
}

/* Updates a known mention when the incoming version is newer and differs,
 * then rescores its idea. */
static int update_existing(struct ingest_tx *tx, const struct mention *m, PGresult *row,
			   const char *hash, const char *labels, struct ingest_result *out,
			   struct err *err)
{
	bool write;
	int rc = needs_update(m, row, hash, out, &write, err);
	if (rc != 0 || !write)
		return rc;
	char *rkey = ingest_requester_key(m);
	if (!rkey)
		return err_set(err, "out of memory");
	struct mention_extra x = {.hash = hash, .labels = labels, .requester_key = rkey};
	rc = db_mention_update(tx->c, PQgetvalue(row, 0, 0), m, &x, err);
	free(rkey);
	if (rc < 0)
		return -1;
	out->outcome = INGEST_UPDATED;
	if (!out->idea_id)
		return 0;
	char idea[24];
	fmt_i64(idea, sizeof(idea), out->idea_id);
	if (m->kind == MENTION_POST && !m->deleted &&
	    follow_edit(tx, m, PQgetvalue(row, 0, 0), idea, err) < 0)
		return -1;
	return rescore_idea(tx->c, tx->t, idea, err);
}

/* The write stage of a new mention, in one round trip: the idea it founds
 * and its near matches (f), the mention and how it was linked, and (unless
 * the idea is new and scored already) what rescoring the idea reads. The
 * statements after the idea's insert name it as the session's last
 * inserted idea. */
static int write_new(struct ingest_tx *tx, const struct mention *m, struct match_query *q,
		     const struct founding *f, const struct mention_extra *x,
		     struct ingest_result *out, struct err *err)
{
	bool founds = f->d.kind == DEDUP_NEW;
	char idea[24] = "";
	if (!founds)
		fmt_i64(idea, sizeof(idea), f->d.idea_id);
	char *rare = founds ? match_rare_terms(q) : NULL;
	struct idea_terms it = {.title = f->title, .norm_title = q->norm_title,
				.title_toks = &q->title_toks, .all_toks = &q->all_toks,
				.title_norm = q->q.title.norm, .all_norm = q->q.all.norm, .rare = rare};
	struct idea_insert ii = {0};
	struct similar_insert si = {0};
	struct mention_insert mi;
	struct db_stmt st[4];
	PGresult *r[4];
	int n = 0, rc = -1;
	const char *rp;
	if (founds && (!rare || db_idea_insert(&it, f->scored ? &f->sc : NULL, &ii) < 0 ||
		       (f->d.nsugg > 0 && db_similar_insert(NULL, f->d.sugg, f->d.nsugg, &si) < 0))) {
		err_set(err, "out of memory");
		goto out;
	}
	if (founds)
		st[n++] = ii.st;
	if (founds && f->d.nsugg > 0)
		st[n++] = si.st;
	int at_mention = n;
	db_mention_insert(founds ? NULL : idea, m, x, &mi);
	st[n++] = mi.st;
	if (!f->scored)
		st[n++] = rescore_read_stmt(founds ? NULL : idea, &rp);
	if (db_query_many(tx->c, st, n, r, err) < 0)
		goto out;
	out->mention_id = atoll(PQgetvalue(r[at_mention], 0, 0));
	snprintf(idea, sizeof(idea), "%s", PQgetvalue(r[at_mention], 0, 1));
	out->idea_id = atoll(idea);
	out->outcome = INGEST_NEW;
	rc = 0;
	if (founds && match_pending_add(&tx->dedup, &q->all_toks) < 0)
		rc = err_set(err, "out of memory");
	if (rc == 0 && !f->scored)
		rc = rescore_apply(tx->c, tx->t, idea, r[n - 1], err);
	for (int i = 0; i < n; i++)
		PQclear(r[i]);
out:
	db_idea_insert_free(&ii);
	db_similar_insert_free(&si);
	free(rare);
	return rc;
}

/* A mention the database does not know: decide, then write. */
static int insert_new(struct ingest_tx *tx, const struct mention *m, const struct known *k,
		      struct match_query *q, const char *hash, const char *labels,
		      const char *decided_by, struct ingest_result *out, struct err *err)
{
	struct founding f;
	if (attach(tx, m, k, q, &f, err) < 0)
		return -1;
	out->merged = f.d.kind != DEDUP_NEW;
	out->similarity = f.d.similarity;
	out->method = f.d.method;
	char *rkey = ingest_requester_key(m);
	if (!rkey) {
		founding_clear(&f);
		return err_set(err, "out of memory");
	}
	struct mention_extra x = {.hash = hash,
				  .labels = labels,
				  .requester_key = rkey,
				  .owner = ingest_owner(m),
				  .method = f.d.method,
				  .decided_by = decided_by,
				  .evidence = f.d.evidence,
				  .similarity = f.d.similarity};
	int rc = write_new(tx, m, q, &f, &x, out, err);
	free(rkey);
	founding_clear(&f);
	return rc;
}

int ingest_one(struct ingest_tx *tx, const struct mention *m, const char *decided_by,
	       struct ingest_result *out, struct err *err)
{
	if (ingest_validate(m, err) < 0)
		return -1;
	/* No lock is taken before the lookup: two first deliveries of the same
	 * mention race to the unique (source, external_id) index, and the loser
	 * fails with a unique violation that ingest_mention retries as an
	 * update. (Advisory locks per mention would pile up in one long
	 * import.) A known mention is locked for the update. A post is
	 * normalised first, so that its terms' document frequencies come back
	 * with the lookup. */
	struct match_query q = {0};
	struct known k;
	if ((m->kind == MENTION_POST && match_normalize(tx->t, m, &q, err) < 0) ||
	    read_known(tx->c, m, &q, &k, err) < 0) {
		match_clear(&q);
		return -1;
	}
	char hash[65];
	ingest_content_hash(m, hash);
	char *labels = db_text_array((const char *const *)m->labels, m->nlabels);
	struct ingest_result res = {0};
	int rc = PQntuples(k.stored) > 0
		     ? update_existing(tx, m, k.stored, hash, labels, &res, err)
		     : insert_new(tx, m, &k, &q, hash, labels, decided_by, &res, err);
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

int ingest_mark_gone(struct ingest_tx *tx, enum source source, const char *const *gone,
		     int ngone, const char *const *seen, int nseen, int *marked, struct err *err)
{
	*marked = 0;
	int64_t *ids;
	int nids, n;
	if (db_mentions_mark_gone(tx->c, source, gone, ngone, seen, nseen, &ids, &nids, &n, err) < 0)
		return -1;
	int rc = rescore_ids(tx->c, tx->t, ids, nids, err);
	free(ids);
	if (rc == 0)
		*marked = n;
	return rc;
}
