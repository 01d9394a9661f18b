/* triage/normalize.c - Markdown prose -> folded, stemmed matching tokens.
 *
 * Pipeline (see normalize.h): cap at 64 KiB -> drop invalid UTF-8 -> cut at a
 * signature -> libcmark walk keeping prose only -> per line: drop bare URLs
 * and template boilerplate -> camelCase split -> utf8proc NFKC + casefold +
 * strip accents -> words -> synonyms -> drop 1-character words and stop
 * words -> Snowball stem.
 *
 * Cost: every step is one pass over the (capped) text; config lookups are
 * hash probes; the only per-token allocation is the token string the caller
 * receives, because struct tokens owns each string separately. */
#include "triage/normalize.h"
#include "triage/text.h"

#include <cmark.h>
#include <libstemmer.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define TEXT_MAX     (64 * 1024) /* bytes of input looked at; the rest is ignored */
#define WORD_MAX     64          /* bytes kept of one word (hashes, base64 are not words) */
#define DUP_REFS_MAX 64          /* duplicate references taken from one text */
#define STEM_CACHE   4096        /* recent stems kept per normalizer (power of two) */
#define FOLD_FLAGS                                                                                 \
	(UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |                \
	 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK)

/* ---- growable byte buffer: sticky out-of-memory flag, always NUL-terminated */

struct buf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t len)
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

static void buf_putc(struct buf *b, char c)
{
	buf_put(b, &c, 1);
}

/* ---- string -> int hash map (open addressing); keys are borrowed */

struct strmap {
	const char **key;
	int *val;
	size_t mask;
};

/* Room for n keys at load <= 1/2, so probes stay short and it never fills. */
static int strmap_init(struct strmap *m, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	m->key = calloc(cap, sizeof(*m->key));
	m->val = calloc(cap, sizeof(*m->val));
	m->mask = cap - 1;
	return m->key && m->val ? 0 : -1;
}

static void strmap_cleanup(struct strmap *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* The slot holding key, or the empty slot where it would go. */
static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)text_hash(key) & m->mask;
	while (m->key[i] && strcmp(m->key[i], key) != 0)
		i = (i + 1) & m->mask;
	return i;
}

static int strmap_get(const struct strmap *m, const char *key)
{
	if (!m->key)
		return -1;
	size_t i = strmap_slot(m, key);
	return m->key[i] ? m->val[i] : -1;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ---- UTF-8 helpers */

/* A copy of text (at most TEXT_MAX bytes of it, cut on a character
 * boundary) with invalid UTF-8 sequences removed; *len gets its length. */
static char *clean_copy(const char *text, size_t *len)
{
	size_t in = strnlen(text, TEXT_MAX + 1);
	if (in > TEXT_MAX) {
		in = TEXT_MAX;
		while (in && ((unsigned char)text[in] & 0xc0) == 0x80)
			in--; /* text[in] starts the first character left out */
	}
	char *out = malloc(in + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t o = 0;
	for (size_t i = 0; i < in;) {
		if (s[i] < 0x80) {
			out[o++] = (char)s[i++];
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(in - i), &cp);
		if (k <= 0) {
			i++; /* an invalid byte is skipped, never an error */
			continue;
		}
		memcpy(out + o, s + i, (size_t)k);
		o += (size_t)k;
		i += (size_t)k;
	}
	out[o] = '\0';
	*len = o;
	return out;
}

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

/* ---- folding into words */

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

static void folded_cleanup(struct folded *f)
{
	free(f->buf);
	free(f->w);
	memset(f, 0, sizeof(*f));
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

/* Splits camelCase, folds (NFKC, casefold, no accents) and cuts s[0..len)
 * into maximal runs of letters and digits. 0, or -1 when out of memory. */
static int fold_words(const char *s, size_t len, struct folded *f)
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
	utf8proc_ssize_t flen = (utf8proc_ssize_t)fb.n;
	int cap = 0;
	const unsigned char *u = (const unsigned char *)fb.p;
	size_t start = 0, end = 0; /* the current word and the part of it kept */
	unsigned ncp = 0, kept = 0;
	bool in = false;
	for (size_t i = 0;;) {
		bool word = false;
		utf8proc_ssize_t k = 1;
		if (i < (size_t)flen) {
			utf8proc_int32_t c = u[i];
			if (u[i] >= 0x80 &&
			    (k = utf8proc_iterate(u + i, flen - (utf8proc_ssize_t)i, &c)) <= 0)
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
			if (i + (size_t)k - start <= WORD_MAX) {
				end = i + (size_t)k;
				kept = ncp;
			}
		} else if (in) {
			in = false;
			if (push_word(f, &cap, (const char *)u + start, (unsigned)(end - start),
			              kept) < 0) {
				folded_cleanup(f);
				return -1;
			}
		}
		if (i >= (size_t)flen)
			break;
		i += (size_t)k;
	}
	/* terminate each word only now: a word's NUL lands on the separator
	 * after it (or inside a word cut at WORD_MAX), already scanned */
	for (int w = 0; w < f->n; w++)
		f->buf[f->w[w].s - f->buf + f->w[w].len] = '\0';
	return 0;
}

/* Words joined by single spaces (new): the key of a boilerplate phrase. */
static char *folded_key(const struct folded *f)
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

/* ---- the normalizer */

struct syn {
	struct folded from, to;
	int next; /* next synonym with the same first word, longer phrases first */
};

struct normalizer {
	struct sb_stemmer *stemmer;
	char *stem_cache[STEM_CACHE]; /* "word\0stem\0" or NULL */
	struct folded *stop;
	int nstop;
	struct strmap stopset; /* folded word -> 1 */
	struct syn *syn;
	int nsyn;
	struct strmap synmap; /* folded first word -> first index in syn[] */
	char **bp;
	int nbp;
	struct strmap bpset; /* folded phrase key -> 1 */
	size_t bp_longest;   /* bytes of the longest key */
	size_t bp_fewest;    /* fewest non-space bytes of a key */
};

void normalizer_free(struct normalizer *n)
{
	if (!n)
		return;
	if (n->stemmer)
		sb_stemmer_delete(n->stemmer);
	for (int i = 0; i < STEM_CACHE; i++)
		free(n->stem_cache[i]);
	for (int i = 0; i < n->nstop; i++)
		folded_cleanup(&n->stop[i]);
	free(n->stop);
	for (int i = 0; i < n->nsyn; i++) {
		folded_cleanup(&n->syn[i].from);
		folded_cleanup(&n->syn[i].to);
	}
	free(n->syn);
	for (int i = 0; i < n->nbp; i++)
		free(n->bp[i]);
	free(n->bp);
	strmap_cleanup(&n->stopset);
	strmap_cleanup(&n->synmap);
	strmap_cleanup(&n->bpset);
	free(n);
}

static int count_list(const char *const *v)
{
	int c = 0;
	while (v && v[c])
		c++;
	return c;
}

/* Folds config phrase s into *f; an error naming field[i] when it has no word. */
static int fold_config(const char *s, const char *field, int i, struct folded *f, struct err *err)
{
	if (fold_words(s, strlen(s), f) < 0)
		return err_set_field(err, field, "out of memory");
	if (f->n == 0)
		return err_set_field(err, field, "entry %d (\"%.80s\") has no letters or digits", i,
		                     s);
	return 0;
}

static int load_stopwords(struct normalizer *n, const char *const *words, struct err *err)
{
	int count = count_list(words), total = 0;
	if (!(n->stop = calloc((size_t)count + 1, sizeof(*n->stop))))
		return err_set(err, "out of memory");
	for (; n->nstop < count; n->nstop++) {
		if (fold_config(words[n->nstop], "normalise.stopwords", n->nstop,
		                &n->stop[n->nstop], err) < 0) {
			n->nstop++; /* so the half-built entry is freed */
			return -1;
		}
		total += n->stop[n->nstop].n;
	}
	if (strmap_init(&n->stopset, (size_t)total) < 0)
		return err_set(err, "out of memory");
	/* "don't" folds to "don" "t": every word of an entry is a stop word, as
	 * the text is cut the same way */
	for (int i = 0; i < n->nstop; i++)
		for (int w = 0; w < n->stop[i].n; w++) {
			size_t slot = strmap_slot(&n->stopset, n->stop[i].w[w].s);
			n->stopset.key[slot] = n->stop[i].w[w].s;
			n->stopset.val[slot] = 1;
		}
	return 0;
}

static bool same_words(const struct folded *a, const struct folded *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->w[i].s, b->w[i].s) != 0)
			return false;
	return true;
}

/* Links syn[i] into the chain of its first word, longest phrase first; a
 * repeated from-phrase is ignored (the first one in config wins). */
static void link_synonym(struct normalizer *n, int i)
{
	struct syn *s = &n->syn[i];
	size_t slot = strmap_slot(&n->synmap, s->from.w[0].s);
	s->next = -1;
	if (!n->synmap.key[slot]) {
		n->synmap.key[slot] = s->from.w[0].s;
		n->synmap.val[slot] = i;
		return;
	}
	int *link = &n->synmap.val[slot];
	while (*link >= 0 && n->syn[*link].from.n >= s->from.n) {
		if (same_words(&n->syn[*link].from, &s->from))
			return;
		link = &n->syn[*link].next;
	}
	s->next = *link;
	*link = i;
}

static int load_synonyms(struct normalizer *n, const char *const *from, const char *const *to,
                         struct err *err)
{
	int count = count_list(from);
	if (count != count_list(to))
		return err_set_field(err, "normalise.synonyms",
		                     "%d phrases to replace but %d replacements", count,
		                     count_list(to));
	if (!(n->syn = calloc((size_t)count + 1, sizeof(*n->syn))))
		return err_set(err, "out of memory");
	for (; n->nsyn < count; n->nsyn++) {
		struct syn *s = &n->syn[n->nsyn];
		if (fold_config(from[n->nsyn], "normalise.synonyms", n->nsyn, &s->from, err) < 0 ||
		    fold_config(to[n->nsyn], "normalise.synonyms", n->nsyn, &s->to, err) < 0) {
			n->nsyn++;
			return -1;
		}
	}
	if (strmap_init(&n->synmap, (size_t)count) < 0)
		return err_set(err, "out of memory");
	for (int i = 0; i < n->nsyn; i++)
		link_synonym(n, i);
	return 0;
}

static int load_boilerplate(struct normalizer *n, const char *const *phrases, struct err *err)
{
	int count = count_list(phrases);
	if (!(n->bp = calloc((size_t)count + 1, sizeof(*n->bp))) ||
	    strmap_init(&n->bpset, (size_t)count) < 0)
		return err_set(err, "out of memory");
	for (; n->nbp < count; n->nbp++) {
		struct folded f;
		if (fold_config(phrases[n->nbp], "normalise.boilerplate", n->nbp, &f, err) < 0) {
			folded_cleanup(&f);
			return -1;
		}
		n->bp[n->nbp] = folded_key(&f);
		folded_cleanup(&f);
		if (!n->bp[n->nbp])
			return err_set(err, "out of memory");
		size_t slot = strmap_slot(&n->bpset, n->bp[n->nbp]);
		n->bpset.key[slot] = n->bp[n->nbp];
		n->bpset.val[slot] = 1;
		size_t len = strlen(n->bp[n->nbp]), alnum = 0;
		for (size_t i = 0; i < len; i++)
			alnum += n->bp[n->nbp][i] != ' ';
		if (len > n->bp_longest)
			n->bp_longest = len;
		if (n->nbp == 0 || alnum < n->bp_fewest)
			n->bp_fewest = alnum;
	}
	return 0;
}

struct normalizer *normalizer_new(const struct normalize_config *cfg, struct err *err)
{
	static const struct normalize_config empty = {0};
	if (!cfg)
		cfg = &empty;
	struct normalizer *n = calloc(1, sizeof(*n));
	if (!n) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (load_stopwords(n, cfg->stopwords, err) < 0 ||
	    load_synonyms(n, cfg->syn_from, cfg->syn_to, err) < 0 ||
	    load_boilerplate(n, cfg->boilerplate, err) < 0)
		goto fail;
	if (!(n->stemmer = sb_stemmer_new("english", NULL))) {
		err_set(err, "cannot create the Snowball English stemmer");
		goto fail;
	}
	return n;
fail:
	normalizer_free(n);
	return NULL;
}

/* ---- tokens */

void tokens_clear(struct tokens *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Appends s[0..len) as a new string. */
static int tokens_push(struct tokens *t, const char *s, size_t len)
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
static void tokens_truncate(struct tokens *t, int n)
{
	while (t->n > n)
		free(t->v[--t->n]);
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

/* ---- prose */

/* Offset of the first signature line ("-- ", "--", "Sent from my ...")
 * outside fenced code, or len. A "--" line under text is a setext heading to
 * Markdown, so this must look at the raw lines before parsing. */
static size_t signature_at(const char *s, size_t len)
{
	char fence = 0;
	size_t fence_len = 0;
	for (size_t a = 0; a < len;) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t b = nl ? (size_t)(nl - s) : len, e = b;
		if (e > a && s[e - 1] == '\r')
			e--;
		size_t i = a;
		while (i < e && i - a < 3 && s[i] == ' ')
			i++;
		size_t run = 0;
		while (i + run < e && (s[i + run] == '`' || s[i + run] == '~') &&
		       s[i + run] == s[i])
			run++;
		if (run >= 3 && (!fence || (s[i] == fence && run >= fence_len))) {
			if (fence)
				fence = 0;
			else
				fence = s[i], fence_len = run;
		} else if (!fence) {
			size_t l = e - a;
			if ((l == 2 || (l == 3 && s[a + 2] == ' ')) && s[a] == '-' &&
			    s[a + 1] == '-')
				return a;
			if (l >= 12 && strncasecmp(s + a, "sent from my", 12) == 0)
				return a;
		}
		a = b + 1;
	}
	return len;
}

/* A quoted reply is usually introduced by "On <date>, <name> wrote:",
 * possibly wrapped over a few lines, at the end of the paragraph (starting
 * at b->p[from]) just before the quote: that line goes with the quote. */
static void drop_attribution(struct buf *b, size_t from)
{
	size_t e = b->n;
	while (e > from && (b->p[e - 1] == '\n' || b->p[e - 1] == ' '))
		e--;
	if (b->oom || e < from + 6 || memcmp(b->p + e - 6, "wrote:", 6) != 0)
		return;
	size_t cut = e, last = e;
	for (int lines = 0; lines < 3 && cut > from; lines++) {
		cut--;
		while (cut > from && b->p[cut - 1] != '\n')
			cut--;
		if (lines == 0)
			last = cut;
		if (strncmp(b->p + cut, "On ", 3) == 0) {
			last = cut;
			break;
		}
	}
	b->n = last;
	b->p[last] = '\0';
}

/* Appends the kept text of a Markdown document: blocks end in '\n', soft
 * and hard breaks are '\n', dropped inline content leaves a space. */
static void walk_markdown(cmark_node *doc, struct buf *b)
{
	cmark_iter *it = cmark_iter_new(doc);
	if (!it) {
		b->oom = true;
		return;
	}
	cmark_event_type ev;
	size_t para_start = 0;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(node);
		if (ev == CMARK_EVENT_EXIT) {
			if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ||
			    type == CMARK_NODE_ITEM)
				buf_putc(b, '\n');
			continue;
		}
		switch (type) {
		case CMARK_NODE_PARAGRAPH:
			para_start = b->n;
			break;
		case CMARK_NODE_BLOCK_QUOTE:
			/* a quoted reply: someone else's words. Resetting to its
			 * exit skips the subtree (and that exit event too). */
			if (cmark_node_previous(node) &&
			    cmark_node_get_type(cmark_node_previous(node)) == CMARK_NODE_PARAGRAPH)
				drop_attribution(b, para_start);
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			buf_putc(b, '\n');
			break;
		case CMARK_NODE_TEXT: {
			const char *lit = cmark_node_get_literal(node);
			if (lit)
				buf_put(b, lit, strlen(lit));
			break;
		}
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(b, '\n');
			break;
		case CMARK_NODE_CODE:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_CUSTOM_INLINE:
			buf_putc(b, ' ');
			break;
		case CMARK_NODE_CODE_BLOCK:
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_CUSTOM_BLOCK:
		case CMARK_NODE_THEMATIC_BREAK:
			buf_putc(b, '\n');
			break;
		default:
			break; /* containers; links and images: only their text is kept */
		}
	}
	cmark_iter_free(it);
}

/* Whether a URL starts at s[i] (http://, https://, www.) as a word. */
static bool url_at(const char *s, size_t i, size_t end)
{
	char c = s[i] | 0x20;
	if ((c != 'h' && c != 'w') || (i > 0 && is_alnum(s[i - 1])))
		return false;
	size_t l = end - i;
	return (l >= 7 && strncasecmp(s + i, "http://", 7) == 0) ||
	       (l >= 8 && strncasecmp(s + i, "https://", 8) == 0) ||
	       (l >= 4 && strncasecmp(s + i, "www.", 4) == 0);
}

static bool is_boilerplate(const struct normalizer *n, const char *line, size_t len, bool *oom)
{
	/* each ASCII letter or digit stays one byte of the key, so a line with
	 * more of them than the longest phrase has cannot match: skip the fold */
	if (n->nbp == 0)
		return false;
	size_t alnum = 0;
	bool ascii = true;
	for (size_t i = 0; i < len; i++) {
		alnum += is_alnum(line[i]);
		ascii &= (unsigned char)line[i] < 0x80;
	}
	/* and an ASCII line keeps exactly its letters and digits */
	if (alnum > n->bp_longest || (ascii && alnum < n->bp_fewest))
		return false;
	struct folded f;
	if (fold_words(line, len, &f) < 0) {
		*oom = true;
		return false;
	}
	char *key = folded_key(&f);
	folded_cleanup(&f);
	if (!key) {
		*oom = true;
		return false;
	}
	bool hit = strmap_get(&n->bpset, key) >= 0;
	free(key);
	return hit;
}

/* Line by line: bare URLs removed, white space trimmed, empty and
 * boilerplate lines dropped; lines joined by '\n'. */
static void clean_lines(const struct normalizer *n, const char *s, size_t len, struct buf *out)
{
	buf_put(out, "", 0);
	for (size_t a = 0; a < len && !out->oom;) {
		const char *nl = memchr(s + a, '\n', len - a);
		size_t e = nl ? (size_t)(nl - s) : len;
		size_t mark = out->n;
		if (mark)
			buf_putc(out, '\n');
		size_t start = out->n, i = a;
		while (i < e && (s[i] == ' ' || s[i] == '\t'))
			i++;
		for (size_t from = i; i <= e; i++) {
			if (i < e && !url_at(s, i, e))
				continue;
			buf_put(out, s + from, i - from); /* the text up to the URL or line end */
			while (i < e && s[i] != ' ' && s[i] != '\t')
				i++;
			from = i;
		}
		while (out->n > start && (out->p[out->n - 1] == ' ' || out->p[out->n - 1] == '\t'))
			out->n--;
		if (!out->oom && (out->n == start ||
		                  is_boilerplate(n, out->p + start, out->n - start, &out->oom))) {
			out->n = mark;
		}
		if (!out->oom)
			out->p[out->n] = '\0';
		a = e + 1;
	}
}

/* The prose of text (new), or NULL when out of memory. */
static char *prose_of(const struct normalizer *n, const char *text)
{
	if (!text)
		text = "";
	size_t len;
	char *clean = clean_copy(text, &len);
	if (!clean)
		return NULL;
	len = signature_at(clean, len);
	clean[len] = '\0';
	cmark_node *doc = cmark_parse_document(clean, len, CMARK_OPT_DEFAULT);
	free(clean);
	if (!doc)
		return NULL;
	struct buf raw = {0}, out = {0};
	walk_markdown(doc, &raw);
	cmark_node_free(doc);
	if (!raw.oom)
		clean_lines(n, raw.p ? raw.p : "", raw.n, &out);
	free(raw.p);
	if (raw.oom || out.oom) {
		free(out.p);
		return NULL;
	}
	return out.p;
}

char *normalize_prose(const struct normalizer *n, const char *text)
{
	return prose_of(n, text);
}

/* ---- tokens of a text */

/* Appends word w unless it is one character or a stop word; stemmed. */
static int emit(struct normalizer *n, const struct word *w, struct tokens *out)
{
	if (w->ncp < 2 || strmap_get(&n->stopset, w->s) >= 0)
		return 0;
	/* words repeat a lot (Zipf): a direct-mapped cache of recent stems saves
	 * most stemmer runs at a fixed memory cost; a collision just replaces */
	char **slot = &n->stem_cache[text_hash(w->s) & (STEM_CACHE - 1)];
	if (*slot && strcmp(*slot, w->s) == 0) {
		const char *stem = *slot + w->len + 1;
		return tokens_push(out, stem, strlen(stem));
	}
	const sb_symbol *st = sb_stemmer_stem(n->stemmer, (const sb_symbol *)w->s, (int)w->len);
	if (!st)
		return -1;
	size_t slen = (size_t)sb_stemmer_length(n->stemmer);
	char *entry = malloc(w->len + slen + 2); /* "word\0stem\0" */
	if (entry) {
		memcpy(entry, w->s, w->len + 1);
		memcpy(entry + w->len + 1, st, slen);
		entry[w->len + 1 + slen] = '\0';
		free(*slot);
		*slot = entry;
	}
	return tokens_push(out, (const char *)st, slen);
}

/* The synonym whose whole from-phrase starts at words[i], longest first, or NULL. */
static const struct syn *synonym_at(const struct normalizer *n, const struct folded *f, int i)
{
	for (int s = strmap_get(&n->synmap, f->w[i].s); s >= 0; s = n->syn[s].next) {
		const struct folded *from = &n->syn[s].from;
		if (i + from->n > f->n)
			continue;
		int k = 1;
		while (k < from->n && strcmp(from->w[k].s, f->w[i + k].s) == 0)
			k++;
		if (k == from->n)
			return &n->syn[s];
	}
	return NULL;
}

int normalize_text(struct normalizer *n, const char *text, struct tokens *out)
{
	if (!text)
		return 0;
	int start = out->n;
	char *prose = prose_of(n, text);
	if (!prose)
		return -1;
	struct folded f;
	int rc = fold_words(prose, strlen(prose), &f);
	free(prose);
	for (int i = 0; rc == 0 && i < f.n;) {
		const struct syn *s = n->nsyn ? synonym_at(n, &f, i) : NULL;
		if (!s) {
			rc = emit(n, &f.w[i++], out);
			continue;
		}
		for (int k = 0; rc == 0 && k < s->to.n; k++)
			rc = emit(n, &s->to.w[k], out);
		i += s->from.n;
	}
	folded_cleanup(&f);
	if (rc < 0)
		tokens_truncate(out, start);
	return rc;
}

/* ---- explicit duplicate references */

/* Length of a run at s of characters allowed in a GitHub owner (extra = "-")
 * or repository name (extra = "-_."), or 0 when empty or too long. */
static size_t name_len(const char *s, const char *extra, size_t max)
{
	size_t l = 0;
	while (s[l] && (is_alnum(s[l]) || strchr(extra, s[l])))
		l++;
	return l <= max ? l : 0;
}

/* An issue number at s (1..10 digits, not 0, not followed by a letter or
 * digit): its length, *num set; else 0. */
static size_t number_at(const char *s, unsigned long *num)
{
	size_t l = 0;
	unsigned long v = 0;
	while (s[l] >= '0' && s[l] <= '9' && l < 11)
		v = v * 10 + (unsigned long)(s[l++] - '0');
	if (l == 0 || l > 10 || v == 0 || is_alnum(s[l]))
		return 0;
	*num = v;
	return l;
}

/* A reference at p written into ref: "#N", "owner/repo#N" or a GitHub
 * issue, pull request or discussion URL. False when p holds none. */
static bool parse_ref(const char *p, const char *default_repo, char *ref, size_t size)
{
	unsigned long num;
	if (*p == '#') {
		if (!default_repo || !number_at(p + 1, &num))
			return false;
		snprintf(ref, size, "%s#%lu", default_repo, num);
		return true;
	}
	bool url = false;
	if (strncasecmp(p, "https://", 8) == 0)
		p += 8, url = true;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7, url = true;
	if (url) {
		if (strncasecmp(p, "www.", 4) == 0)
			p += 4;
		if (strncasecmp(p, "github.com/", 11) != 0)
			return false;
		p += 11;
	}
	size_t ol = name_len(p, "-", 39);
	if (!ol || p[ol] != '/')
		return false;
	const char *repo = p + ol + 1;
	size_t rl = name_len(repo, "-_.", 100);
	if (!rl)
		return false;
	const char *rest = repo + rl;
	if (!url) {
		if (*rest != '#' || !number_at(rest + 1, &num))
			return false;
		snprintf(ref, size, "%.*s/%.*s#%lu", (int)ol, p, (int)rl, repo, num);
		return true;
	}
	bool discussion = strncasecmp(rest, "/discussions/", 13) == 0;
	size_t skip = discussion                              ? 13
	              : strncasecmp(rest, "/issues/", 8) == 0 ? 8
	              : strncasecmp(rest, "/pull/", 6) == 0   ? 6
	                                                      : 0;
	if (!skip || !number_at(rest + skip, &num))
		return false;
	snprintf(ref, size, discussion ? "%.*s/%.*s/discussions/%lu" : "%.*s/%.*s#%lu", (int)ol, p,
	         (int)rl, repo, num);
	return true;
}

int normalize_duplicate_refs(const char *text, const char *default_repo, struct tokens *out)
{
	static const char *const patterns[] = {"duplicate of", "dupe of", "dup of",
	                                       "duplicates",   "same as", "/duplicate"};
	if (!text)
		return 0;
	size_t len = strnlen(text, TEXT_MAX);
	int start = out->n, found = 0;
	for (size_t i = 0; i < len && found < DUP_REFS_MAX; i++) {
		char c = text[i] | 0x20;
		if ((c != 'd' && c != 's' && text[i] != '/') || (i > 0 && is_alnum(text[i - 1])))
			continue;
		size_t pl = 0;
		for (size_t k = 0; k < sizeof(patterns) / sizeof(*patterns) && !pl; k++) {
			size_t l = strlen(patterns[k]);
			if (l <= len - i && strncasecmp(text + i, patterns[k], l) == 0 &&
			    !is_alnum(text[i + l]))
				pl = l;
		}
		if (!pl)
			continue;
		/* white space and light markup may sit between: "Duplicate of: **#12**" */
		const char *p = text + i + pl;
		for (int k = 0; k < 16 && *p && strchr(" \t\r\n:*_[(`", *p); k++)
			p++;
		char ref[256];
		if (!parse_ref(p, default_repo, ref, sizeof(ref)))
			continue;
		bool seen = false;
		for (int k = start; k < out->n && !seen; k++)
			seen = strcmp(out->v[k], ref) == 0;
		if (!seen && tokens_push(out, ref, strlen(ref)) < 0)
			break; /* out of memory: report what was found so far */
		found += !seen;
		i += pl - 1;
	}
	return found;
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
