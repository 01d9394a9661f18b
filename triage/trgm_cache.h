/* triage/trgm_cache.h - trigram sets of candidate titles, remembered by one
 * thread. The same ideas are candidates for many mentions, and computing a
 * title's set costs more than comparing two sets. Keyed by the title's exact
 * text, so a hit is always what trigram_set would compute (an edited title
 * is a new key): it is a memo of a pure function, valid across
 * transactions, which is why it lives with the thread's normaliser and not
 * with one transaction. Pure: no I/O. */
#ifndef TRIAGE_TRGM_CACHE_H
#define TRIAGE_TRGM_CACHE_H

#include <stdint.h>

#include "triage/similar.h"

struct trgm_cache;

/* The trigram set of key; *n its size. Borrowed from *cache (created on
 * first use), or from buf when the cache cannot keep it. */
const uint64_t *trgm_cache_get(struct trgm_cache **cache, const char *key,
			       uint64_t buf[TRGM_MAX], int *n);
void trgm_cache_free(struct trgm_cache *c); /* accepts NULL */

#endif
