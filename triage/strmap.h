/* triage/strmap.h - a string -> int hash map (open addressing) for the
 * normaliser's word lists. Keys are borrowed: they must outlive the map.
 * Built once by normalizer_new, then only read; static inline because a
 * lookup runs for every word of every text (stop words, synonyms).
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_STRMAP_H
#define TRIAGE_STRMAP_H

#include <stdlib.h>
#include <string.h>

#include "triage/text.h"

struct strmap {
	const char **key; /* NULL = empty slot */
	int *val;
	size_t mask;
};

/* Room for n keys at load <= 1/2, so probes stay short and it never fills.
 * -1 when out of memory (strmap_cleanup frees what was made). */
static inline int strmap_init(struct strmap *m, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	m->mask = cap - 1;
	return m->key && m->val ? 0 : -1;
}

static inline void strmap_cleanup(struct strmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* The slot holding key, or the empty slot where it would go. */
static inline size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)text_hash(key) & m->mask;
	while (m->key[i] && strcmp(m->key[i], key) != 0)
		i = (i + 1) & m->mask;
	return i;
}

/* Sets key (borrowed) to val, replacing an equal key's value. */
static inline void strmap_put(struct strmap *m, const char *key, int val)
{
	size_t slot = strmap_slot(m, key);
	m->key[slot] = key;
	m->val[slot] = val;
}

/* The value of key, or -1 when absent (or the map was never made). */
static inline int strmap_get(const struct strmap *m, const char *key)
{
	if (!m->key)
		return -1;
	size_t i = strmap_slot(m, key);
	return m->key[i] ? m->val[i] : -1;
}

#endif
