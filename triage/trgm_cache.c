/* triage/trgm_cache.c - see trgm_cache.h.
 * Direct-mapped by the title's hash, each slot keeping the title itself.
 * Bounded: a collision replaces. */
#include "triage/trgm_cache.h"

#include <stdlib.h>
#include <string.h>

#include "triage/text.h"

#define TRGM_SLOTS 16384

struct trgm_slot {
	char *key;
	uint64_t *set;
	int n;
};

struct trgm_cache {
	struct trgm_slot slot[TRGM_SLOTS];
};

void trgm_cache_free(struct trgm_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < TRGM_SLOTS; i++) {
		free(c->slot[i].key);
		free(c->slot[i].set);
	}
	free(c);
}

const uint64_t *trgm_cache_get(struct trgm_cache **cache, const char *key,
			       uint64_t buf[TRGM_MAX], int *n)
{
	if (!*cache && !(*cache = calloc(1, sizeof(**cache)))) {
		*n = trigram_set(key, buf);
		return buf;
	}
	struct trgm_slot *s = &(*cache)->slot[text_hash(key) & (TRGM_SLOTS - 1)];
	if (s->key && strcmp(s->key, key) == 0) {
		*n = s->n;
		return s->set;
	}
	*n = trigram_set(key, buf);
	uint64_t *set = malloc(sizeof(uint64_t) * (size_t)(*n + 1));
	char *copy = strdup(key);
	if (!set || !copy) {
		free(set);
		free(copy);
		return buf;
	}
	memcpy(set, buf, sizeof(uint64_t) * (size_t)*n);
	free(s->key);
	free(s->set);
	*s = (struct trgm_slot){.key = copy, .set = set, .n = *n};
	return set;
}
