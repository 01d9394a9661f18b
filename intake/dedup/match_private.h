/* intake/dedup/match_private.h - what the files of intake/dedup share and
 * nothing else uses. */
#ifndef INTAKE_DEDUP_MATCH_PRIVATE_H
#define INTAKE_DEDUP_MATCH_PRIVATE_H

#include "intake/dedup/match.h"

/* strcmp order of two char * (qsort, bsearch). */
int match_cmp_str(const void *a, const void *b);

/* Counts -1 for each of removed's terms and +1 for each of added's into the
 * transaction's pending document frequencies (an edited idea). */
int match_pending_change(struct dedup_tx *d, const struct tokens *removed,
			 const struct tokens *added) __attribute__((warn_unused_result));

/* Terms used by fewer ideas than this may retrieve: 008_rare_terms.sql
 * indexes no term beyond it, so retrieval work stays bounded. */
#define RETRIEVAL_MAX_DF 500

#endif
