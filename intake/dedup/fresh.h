/* intake/dedup/fresh.h - the in-transaction index: the ideas the many-at-once ingest founded in the open
 * transaction, retrievable from memory until it commits.
 *
 * Their full-text entries (idea_search) are written once, at commit,
 * instead of with each group of mentions. In one long import the database's
 * full-text index then holds only the ideas that existed before it, so its
 * part of candidate retrieval does not grow with the import (at 80k ideas a
 * rare term matched ~44 of them, each a heap visit to rank it); the
 * import's own ideas are found here, ranked the way ts_rank(..., 1) ranks
 * them in the database. Nothing else reads idea_search inside the
 * transaction but retrieval (match_find and the many-at-once ingest, which
 * both ask here too) and an edit of an idea's terms, which writes the
 * entries first (fresh_flush). */
#ifndef INTAKE_FRESH_H
#define INTAKE_FRESH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"
#include "triage/normalize.h"
#include "triage/similar.h"

struct fresh_index;

/* What an entry is made of: its terms (sorted, strcmp; copied) and the
 * rest of what verification reads. */
struct fresh_terms {
	const struct tokens *title, *all;
	double title_norm, all_norm;
	const uint64_t *trgm; /* the title's trigram set (copied) */
	int ntrgm;
	const char *rare; /* the terms for the index of rare terms, space-joined (copied) */
};

/* Adds an idea to *fx (created on first use) under id, which may be a
 * placeholder until fresh_set_id. Entries must be added in the order of
 * their ids (the older idea wins a tie, as in the database). Returns the
 * entry's number, or -1 when out of memory. */
int fresh_add(struct fresh_index **fx, const struct fresh_terms *e, int64_t id);
void fresh_set_id(struct fresh_index *fx, int entry, int64_t id);
int64_t fresh_id(const struct fresh_index *fx, int entry);
int fresh_count(const struct fresh_index *fx); /* accepts NULL */

/* True when idea id is an entry (its full-text entry not yet written). */
bool fresh_has(const struct fresh_index *fx, int64_t id);

/* The entries sharing at least one of terms (sorted, distinct: the
 * retrieval query's terms), best first as ts_rank(search, query, 1) orders
 * them in the database and the older first on a tie; at most max into out.
 * Returns how many. */
int fresh_retrieve(struct fresh_index *fx, const struct tokens *terms, int max, int *out);

/* The entry as a candidate document (borrowed), its trigram similarity
 * with the set q_trgm[0..nq) filled in. */
void fresh_doc(const struct fresh_index *fx, int entry, const uint64_t *q_trgm, int nq,
	       struct sim_doc *out);

/* Writes the entries' full-text rows from their ideas rows (as they are
 * now) and empties the index. Call before COMMIT, or before anything that
 * must see the rows. */
int fresh_flush(PGconn *c, struct fresh_index **fx, struct err *err)
    __attribute__((warn_unused_result));
/* The same, sent in pipeline mode (the caller has it open and reads the
 * results; *sent counts the statements): a struct db_sender's send, arg
 * the struct fresh_index **. Empties the index. */
int fresh_send(PGconn *c, void *arg, int *sent, struct err *err)
    __attribute__((warn_unused_result));
void fresh_free(struct fresh_index *fx); /* accepts NULL */

/* The rank ts_rank(tsvector, query, 1) gives a document of len words (each
 * once, with positions, weight D) that matches matched of the query's
 * nquery distinct terms, with PostgreSQL's own float arithmetic so equal
 * ranks tie here too. Exposed for its test. */
float fresh_ts_rank(int matched, int nquery, int len);

#endif
