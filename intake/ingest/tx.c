/* intake/ingest/tx.c - the unit of work: begin, commit, rollback, and one
 * mention in a transaction of its own. */
#include <stdlib.h>
#include <string.h>

#include "db/tx.h"
#include "intake/ingest/ingest.h"
#include "intake/ingest/parts.h"
#include "intake/ingest/rescore.h"
#include "intake/metrics.h"

/* Forgets what tx held for its transaction (not the borrowed c and t). */
static void tx_forget(struct ingest_tx *tx)
{
	dedup_tx_clear(&tx->dedup);
	free(tx->later);
	tx->later = NULL;
	tx->nlater = tx->caplater = 0;
	free(tx->ids);
	tx->ids = NULL;
	tx->nids = tx->ids_next = 0;
}

int ingest_begin(struct ingest_tx *tx, PGconn *c, struct triage_ctx *t, struct err *err)
{
	memset(tx, 0, sizeof(*tx));
	tx->c = c;
	tx->t = t;
	return db_begin(c, err);
}

int ingest_commit(struct ingest_tx *tx, struct err *err)
{
	/* ids reserved and not used stay unused (a sequence does not take
	 * them back) */
	free(tx->ids);
	tx->ids = NULL;
	tx->nids = tx->ids_next = 0;
	/* the new ideas' full-text entries are written while the client
	 * computes the scores of the ideas joined */
	struct db_sender entries;
	bool some = dedup_tx_entries(&tx->dedup, &entries);
	int rc = rescore_set_of(tx->c, tx->t, tx->later, tx->nlater, some ? &entries : NULL, err);
	free(tx->later);
	tx->later = NULL;
	tx->nlater = tx->caplater = 0;
	if (rc < 0 || dedup_tx_flush_terms(tx->c, &tx->dedup, true, err) < 0)
		return -1;
	return 0;
}

void ingest_rollback(struct ingest_tx *tx)
{
	tx_forget(tx);
	if (tx->c)
		db_rollback(tx->c);
}

int ingest_rescore_later(struct ingest_tx *tx, const int64_t *ids, int n)
{
	if (n <= 0)
		return 0;
	if (tx->nlater + n > tx->caplater) {
		int cap = tx->caplater ? tx->caplater : 1024;
		while (cap < tx->nlater + n)
			cap *= 2;
		int64_t *v = realloc(tx->later, sizeof(int64_t) * (size_t)cap);
		if (!v)
			return -1;
		tx->later = v;
		tx->caplater = cap;
	}
	memcpy(tx->later + tx->nlater, ids, sizeof(int64_t) * (size_t)n);
	tx->nlater += n;
	return 0;
}

int ingest_mention(PGconn *c, struct triage_ctx *t, const struct mention *m,
		   const char *decided_by, struct ingest_result *out, struct err *err)
{
	for (int attempt = 0;; attempt++) {
		struct ingest_tx tx;
		if (ingest_begin(&tx, c, t, err) < 0)
			return -1;
		struct err inner = {0};
		int rc = ingest_one(&tx, m, decided_by, out, &inner);
		if (rc == 0 && (rc = ingest_commit(&tx, &inner)) == 0)
			return 0;
		ingest_rollback(&tx);
		/* a deadlock, or a concurrent first delivery of the same mention
		 * (unique violation): once more, which finds it and updates */
		if (attempt == 0 && db_err_retryable(&inner))
			continue;
		if (err)
			*err = inner;
		metrics_add(M_INGEST_ERRORS, 1);
		return rc;
	}
}
