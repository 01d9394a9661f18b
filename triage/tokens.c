/* triage/tokens.c - the token list the normaliser fills: clearing,
 * appending one list to another, joining for display and storage. */
#include "triage/tokens.h"

#include <stdio.h>

void tokens_clear(struct tokens *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int tokens_append(struct tokens *dst, const struct tokens *src)
{
	int n = dst->n;
	for (int i = 0; i < src->n; i++)
		if (tokens_push(dst, src->v[i], strlen(src->v[i])) < 0) {
			tokens_truncate(dst, n);
			return -1;
		}
	return 0;
}

char *tokens_join(const struct tokens *t, const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	for (int i = 0; i < t->n; i++)
		len += strlen(t->v[i]) + seplen;
	char *s = malloc(len), *o = s;
	if (!s)
		return NULL;
	*o = '\0';
	for (int i = 0; i < t->n; i++)
		o += sprintf(o, "%s%s", i ? sep : "", t->v[i]);
	return s;
}
