/* db/mentions.h - the ingest's statements on tables mentions and
 * mention_links: what is known of a mention, its insert with the link that
 * attaches it to an idea (one mention, or many at once), its update, and a
 * reconciliation's marks. */
#ifndef DB_MENTIONS_H
#define DB_MENTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/batch.h"
#include "db/db.h"
#include "triage/mention.h"

/* The reads of what the database knows of m, to send in one round trip
 * (db_query_many) with others: st[0..n). Their results, by index (-1: not
 * asked): stored, the stored version locked (0 or 1 row: id, idea_id,
 * upstream_updated_at as epoch, content_hash, owned_by, is_public); linked,
 * the idea of a comment's post or of a mention with the same URL (0 or 1
 * row: idea_id); refd, the idea of the first of refs[0..nrefs) (GitHub
 * external ids a "duplicate of" names) that is tracked. Parameters live in
 * *out until db_mention_lookup_free. */
struct mention_lookup {
	struct db_stmt st[3];
	int n, at_stored, at_linked, at_refd;
	const char *ps[2], *pp[2], *pu[1], *pr[1];
	char *lrefs;
};
void db_mention_lookup(const struct mention *m, const char *const *refs, int nrefs,
		       struct mention_lookup *out);
void db_mention_lookup_free(struct mention_lookup *s);

/* What the ingest stores of a mention besides the mention itself: its
 * content hash, labels (a text[] literal), requester key, owner; and how it
 * was linked to its idea. All borrowed. */
struct mention_extra {
	const char *hash, *labels, *requester_key, *owner;
	const char *method, *decided_by, *evidence;
	double similarity;
};

/* The insert of m with its link to idea_id (decimal text; NULL: the idea
 * this session inserted last, in the same round trip), returning
 * (mention_id, idea_id). Parameters live in *out until used. */
struct mention_insert {
	struct db_stmt st;
	const char *p[26];
	char votes[16], arr[24], cre[24], upd[24], sim[32];
};
void db_mention_insert(const char *idea_id, const struct mention *m, const struct mention_extra *x,
		       struct mention_insert *out);

/* A new post of a many-at-once ingest and the idea it goes to. */
struct mention_new {
	const struct mention *m;
	int64_t idea_id;
	struct mention_extra x; /* decided_by: the same for all, taken from v[0] */
};

/* The insert of the posts v[0..n) and their links in one statement,
 * returning rows (k, mention id), k the 1-based index in v. -1 when out of
 * memory. */
int db_mentions_insert_many(const struct mention_new *v, int n, struct db_batch *out)
    __attribute__((warn_unused_result));
int db_mentions_prepare_many(PGconn *c, struct err *err) __attribute__((warn_unused_result));

/* Stores a newer version m of the mention mention_id (x: hash, labels,
 * requester_key). */
int db_mention_update(PGconn *c, const char *mention_id, const struct mention *m,
		      const struct mention_extra *x, struct err *err)
    __attribute__((warn_unused_result));

/* Whether mention_id founded idea_id (its live link is "new"). */
int db_mention_founded(PGconn *c, const char *mention_id, const char *idea_id, bool *out,
		       struct err *err) __attribute__((warn_unused_result));

/* Marks known[i] for the mentions ms[0..n) the database has, by (source,
 * external_id), or whose URL a linked mention has. */
int db_mentions_known(PGconn *c, const struct mention *ms, int n, bool *known, struct err *err)
    __attribute__((warn_unused_result));

/* Marks the posts gone[0..ngone) of source and their comments deleted, and
 * moves last_seen_at of those and of seen[0..nseen). The ideas of the
 * mentions newly marked, deduplicated, into *ids (new), *nids; *marked the
 * mentions marked. */
int db_mentions_mark_gone(PGconn *c, enum source source, const char *const *gone, int ngone,
			  const char *const *seen, int nseen, int64_t **ids, int *nids,
			  int *marked, struct err *err) __attribute__((warn_unused_result));

#endif
