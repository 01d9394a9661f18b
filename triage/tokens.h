/* triage/tokens.h - a growable list of token strings, the normaliser's
 * output. The list owns each string (new copies); tokens_push and
 * tokens_truncate are static inline because the normaliser calls them for
 * every word it emits and they were inlined there before this file split. */
#ifndef TRIAGE_TOKENS_H
#define TRIAGE_TOKENS_H

#include <stdlib.h>
#include <string.h>

/* A list of tokens (new strings), in text order, duplicates kept. */
struct tokens {
	char **v;
	int n;
	int cap;
};
void tokens_clear(struct tokens *t); /* frees and zeroes; accepts a zeroed list */
/* Appends copies of src's tokens to *dst; -1 when out of memory (dst
 * unchanged then). */
int tokens_append(struct tokens *dst, const struct tokens *src) __attribute__((warn_unused_result));
/* The tokens joined by sep, new ("" for none); NULL when out of memory. */
char *tokens_join(const struct tokens *t, const char *sep);

/* Appends s[0..len) as a new string; -1 when out of memory (t unchanged). */
static inline int tokens_push(struct tokens *t, const char *s, size_t len)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 32;
		char **v = realloc(t->v, sizeof(*v) * (size_t)cap);
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->v[t->n++] = copy;
	return 0;
}

/* Drops t's tokens from index n on (rolling back a failed call). */
static inline void tokens_truncate(struct tokens *t, int n)
{
	while (t->n > n)
		free(t->v[--t->n]);
}

#endif
