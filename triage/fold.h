/* triage/fold.h - text to folded words: camelCase split, Unicode
 * normalisation (libutf8proc: NFKC + casefold + strip accents), then
 * maximal runs of letters and digits. Pure. Used for the text being
 * normalised and for the config word lists, so both are cut the same way.
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_FOLD_H
#define TRIAGE_FOLD_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FOLD_WORD_MAX 64 /* bytes kept of one word (hashes, base64 are not words) */

struct word {
	const char *s; /* NUL-terminated, inside the folded buffer */
	unsigned len;  /* bytes */
	unsigned ncp;  /* code points */
};

/* Folded words of one text; buf owns the bytes the words point into. */
struct folded {
	char *buf;
	struct word *w;
	int n;
};

/* Folds s[0..len) (UTF-8; invalid bytes are skipped) into *f, which is
 * overwritten and owned by the caller afterwards (folded_cleanup, also after
 * a failure). 0, or -1 when out of memory. */
int fold_words(const char *s, size_t len, struct folded *f) __attribute__((warn_unused_result));
/* Frees and zeroes; static inline as the normaliser calls it once per text
 * and it was inlined there before fold.c was split out. */
static inline void folded_cleanup(struct folded *f)
{
	free(f->buf);
	free(f->w);
	memset(f, 0, sizeof(*f));
}

/* The words joined by single spaces (new), NULL when out of memory: the
 * key a boilerplate phrase is looked up by. */
char *folded_key(const struct folded *f);

#endif
