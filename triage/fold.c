/* triage/fold.c - camelCase split, Unicode folding and cutting into words
 * (see fold.h). Cost: one pass over the text per step; ASCII is folded by
 * hand because utf8proc_map on every ingest's text is the expensive part. */
#include "triage/fold.h"
#include "triage/bytebuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define FOLD_FLAGS                                                                                 \
	(UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |                \
	 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)

enum cclass { C_OTHER, C_UPPER, C_LOWER, C_ALNUM };

static enum cclass cclass(utf8proc_int32_t cp)
{
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z')
			return C_LOWER;
		if (cp >= 'A' && cp <= 'Z')
			return C_UPPER;
		return cp >= '0' && cp <= '9' ? C_ALNUM : C_OTHER;
	}
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LT:
		return C_UPPER;
	case UTF8PROC_CATEGORY_LL:
		return C_LOWER;
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return C_ALNUM;
	default:
		return C_OTHER;
	}
}

/* Whether a camelCase word boundary falls before cp[i] (all of cp is one
 * text). "powerRename", "ImageResizer", "HTTPServer" -> split; "SSO",
 * "ACLs", "IPv6", "OAuth", "macOS", "iPhone" -> kept whole: an upper-case run
 * is an acronym unless a word of two or more lower-case letters follows it,
 * and a single lower-case letter leading a word is a brand prefix. */
static bool camel_break(const enum cclass *c, size_t i, size_t n)
{
	if (i < 1 || c[i] != C_UPPER || i + 1 >= n || c[i + 1] != C_LOWER)
		return false;
	if (c[i - 1] == C_LOWER)
		return i >= 2 && (c[i - 2] == C_LOWER || c[i - 2] == C_UPPER);
	if (c[i - 1] == C_UPPER)
		return i >= 2 && c[i - 2] == C_UPPER && i + 2 < n && c[i + 2] == C_LOWER;
	return false;
}

/* s[0..len) (valid UTF-8 or not) with camelCase boundaries as spaces (new). */
static char *camel_split(const char *s, size_t len)
{
	utf8proc_int32_t *cp = malloc(sizeof(*cp) * (len + 1));
	enum cclass *cl = malloc(sizeof(*cl) * (len + 1));
	char *out = malloc(len * 2 + 1); /* at most one space per code point */
	if (!cp || !cl || !out) {
		free(cp);
		free(cl);
		free(out);
		return NULL;
	}
	size_t n = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		utf8proc_ssize_t k = 1;
		if (u[i] < 0x80)
			cp[n] = u[i];
		else if ((k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp[n])) <= 0) {
			i++;
			continue;
		}
		i += (size_t)k;
		cl[n] = cclass(cp[n]);
		n++;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (camel_break(cl, i, n))
			out[o++] = ' ';
		if (cp[i] < 0x80)
			out[o++] = (char)cp[i];
		else
			o += (size_t)utf8proc_encode_char(cp[i], (utf8proc_uint8_t *)out + o);
	}
	out[o] = '\0';
	free(cp);
	free(cl);
	return out;
}

/* NFKC + casefold + strip marks of s[0..len) (valid UTF-8; s[len] is
 * written and restored) appended to *out. ASCII is lower-cased directly: the
 * same result utf8proc_map gives, at a fraction of the cost (it runs on
 * every ingest). Each stretch of non-ASCII goes through utf8proc_map together
 * with the ASCII character before it, which a combining mark may compose with;
 * nothing composes with a following ASCII character. */
static int fold_utf8(char *s, size_t len, struct buf *out)
{
	buf_put(out, "", 0);
	for (size_t i = 0; i < len && !out->oom;) {
		size_t j = i;
		while (j < len && (unsigned char)s[j] < 0x80)
			j++;
		size_t seg = j < len && j > i ? j - 1 : j, at = out->n;
		buf_put(out, s + i, seg - i);
		for (; !out->oom && at < out->n; at++)
			if (out->p[at] >= 'A' && out->p[at] <= 'Z')
				out->p[at] += 'a' - 'A';
		i = seg;
		if (j >= len)
			break;
		size_t k = j;
		while (k < len && (unsigned char)s[k] >= 0x80)
			k++;
		char save = s[k];
		s[k] = '\0';
		utf8proc_uint8_t *m = NULL;
		utf8proc_ssize_t mlen = utf8proc_map((const utf8proc_uint8_t *)s + seg, 0, &m,
		                                     (utf8proc_option_t)FOLD_FLAGS);
		s[k] = save;
		if (mlen == UTF8PROC_ERROR_NOMEM)
			out->oom = true;
		else if (mlen > 0)
			buf_put(out, (const char *)m, (size_t)mlen);
		free(m); /* other errors cannot happen: the input is valid UTF-8 */
		i = k;
	}
	return out->oom ? -1 : 0;
}

static int push_word(struct folded *f, int *cap, const char *s, unsigned len, unsigned ncp)
{
	if (f->n == *cap) {
		int ncap = *cap ? *cap * 2 : 32;
		struct word *w = realloc(f->w, sizeof(*w) * (size_t)ncap);
		if (!w)
			return -1;
		f->w = w;
		*cap = ncap;
	}
	f->w[f->n++] = (struct word){s, len, ncp};
	return 0;
}

/* Cuts the folded text f->buf[0..flen) into maximal runs of letters and
 * digits, each kept to at most FOLD_WORD_MAX bytes. 0, or -1 when out of
 * memory (f's words then partly made: the caller cleans up). */
static int cut_words(struct folded *f, size_t flen)
{
	int cap = 0;
	const unsigned char *u = (const unsigned char *)f->buf;
	size_t start = 0, end = 0; /* the current word and the part of it kept */
	unsigned ncp = 0, kept = 0;
	bool in = false;
	for (size_t i = 0;;) {
		bool word = false;
		utf8proc_ssize_t k = 1;
		if (i < flen) {
			utf8proc_int32_t c = u[i];
			if (u[i] >= 0x80 &&
			    (k = utf8proc_iterate(u + i, (utf8proc_ssize_t)(flen - i), &c)) <= 0)
				k = 1;
			else
				word = cclass(c) != C_OTHER;
		}
		if (word) {
			if (!in) {
				in = true;
				start = i;
				ncp = kept = 0;
			}
			ncp++;
			if (i + (size_t)k - start <= FOLD_WORD_MAX) {
				end = i + (size_t)k;
				kept = ncp;
			}
		} else if (in) {
			in = false;
			if (push_word(f, &cap, (const char *)u + start, (unsigned)(end - start),
			              kept) < 0)
				return -1;
		}
		if (i >= flen)
			break;
		i += (size_t)k;
	}
	/* terminate each word only now: a word's NUL lands on the separator
	 * after it (or inside a word cut at FOLD_WORD_MAX), already scanned */
	for (int w = 0; w < f->n; w++)
		f->buf[f->w[w].s - f->buf + f->w[w].len] = '\0';
	return 0;
}

int fold_words(const char *s, size_t len, struct folded *f)
{
	memset(f, 0, sizeof(*f));
	char *split = camel_split(s, len);
	if (!split)
		return -1;
	struct buf fb = {0};
	int rc = fold_utf8(split, strlen(split), &fb);
	free(split);
	if (rc < 0) {
		free(fb.p);
		return -1;
	}
	f->buf = fb.p;
	if (cut_words(f, fb.n) < 0) {
		folded_cleanup(f);
		return -1;
	}
	return 0;
}

char *folded_key(const struct folded *f)
{
	struct buf b = {0};
	buf_put(&b, "", 0);
	for (int i = 0; i < f->n; i++) {
		if (i)
			buf_putc(&b, ' ');
		buf_put(&b, f->w[i].s, f->w[i].len);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
