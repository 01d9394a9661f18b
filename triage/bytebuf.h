/* triage/bytebuf.h - a growable byte buffer for the normaliser's passes
 * over text: always NUL-terminated, with a sticky out-of-memory flag so a
 * pass can append freely and check once at its end. The owner frees p.
 * Static inline: the passes append in their inner loops, and the compiler
 * inlined the fast path there when all of it was one file.
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_BYTEBUF_H
#define TRIAGE_BYTEBUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct buf {
	char *p; /* NULL until the first append */
	size_t n, cap;
	bool oom;
};

static inline void buf_put(struct buf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (b->n + len + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static inline void buf_putc(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

#endif
