/* intake/dedup/index.c - the in-transaction index (fresh.h) as the ingest
 * sees it through its struct dedup_tx. */
#include <stdlib.h>

#include "intake/dedup/fresh.h"
#include "intake/dedup/match.h"

int dedup_tx_add_idea(struct dedup_tx *d, const struct match_query *q, int64_t id)
{
	char *rare = match_rare_terms(q);
	struct fresh_terms ft = {.title = &q->title_toks,
				 .all = &q->all_toks,
				 .title_norm = q->q.title.norm,
				 .all_norm = q->q.all.norm,
				 .trgm = q->trgm,
				 .ntrgm = q->ntrgm,
				 .rare = rare};
	int entry = rare ? fresh_add(&d->fresh, &ft, id) : -1;
	free(rare);
	if (entry < 0 || match_pending_add(d, &q->all_toks) < 0)
		return -1;
	return entry;
}

void dedup_tx_set_id(struct dedup_tx *d, int entry, int64_t id)
{
	fresh_set_id(d->fresh, entry, id);
}

bool dedup_tx_entries(struct dedup_tx *d, struct db_sender *out)
{
	*out = (struct db_sender){fresh_send, &d->fresh};
	return d->fresh != NULL;
}
