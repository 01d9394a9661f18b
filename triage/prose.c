/* triage/prose.c - Markdown to the plain prose the normaliser tokenises
 * (see prose.h): raw-line checks, a libcmark walk, then line cleaning.
 * Every step is one pass over the capped text; the helpers are static so
 * the compiler folds them into prose_extract. */
#include "triage/prose.h"
#include "triage/ascii.h"
#include "triage/bytebuf.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* A copy of text (at most PROSE_TEXT_MAX bytes of it, cut on a
 * character boundary) with invalid UTF-8 sequences removed; *len gets its
 * length. */
static char *clean_copy(const char *text, size_t *len)
{
	size_t in = strnlen(text, PROSE_TEXT_MAX + 1);
	if (in > PROSE_TEXT_MAX) {
		in = PROSE_TEXT_MAX;
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

/* One node entered during the walk: its text, a separator, or (a quoted
 * reply) the whole subtree skipped. *para_start: where the latest paragraph
 * began in b. */
static void enter_node(cmark_iter *it, cmark_node *node, struct buf *b, size_t *para_start)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_PARAGRAPH:
		*para_start = b->n;
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		/* a quoted reply: someone else's words. Resetting to its exit
		 * skips the subtree (and that exit event too). */
		if (cmark_node_previous(node) &&
		    cmark_node_get_type(cmark_node_previous(node)) == CMARK_NODE_PARAGRAPH)
			drop_attribution(b, *para_start);
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
		if (ev != CMARK_EVENT_EXIT) {
			enter_node(it, node, b, &para_start);
			continue;
		}
		cmark_node_type type = cmark_node_get_type(node);
		if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ||
		    type == CMARK_NODE_ITEM)
			buf_putc(b, '\n');
	}
	cmark_iter_free(it);
}

/* Whether a URL starts at s[i] (http://, https://, www.) as a word. */
static bool url_at(const char *s, size_t i, size_t end)
{
	char c = s[i] | 0x20;
	if ((c != 'h' && c != 'w') || (i > 0 && ascii_alnum(s[i - 1])))
		return false;
	size_t l = end - i;
	return (l >= 7 && strncasecmp(s + i, "http://", 7) == 0) ||
	       (l >= 8 && strncasecmp(s + i, "https://", 8) == 0) ||
	       (l >= 4 && strncasecmp(s + i, "www.", 4) == 0);
}

static bool is_boilerplate(const struct boilerplate *bp, const char *line, size_t len, bool *oom)
{
	/* each ASCII letter or digit stays one byte of the key, so a line with
	 * more of them than the longest phrase has cannot match: skip the fold */
	if (bp->n == 0)
		return false;
	size_t alnum = 0;
	bool ascii = true;
	for (size_t i = 0; i < len; i++) {
		alnum += ascii_alnum(line[i]);
		ascii &= (unsigned char)line[i] < 0x80;
	}
	/* and an ASCII line keeps exactly its letters and digits */
	if (alnum > bp->longest || (ascii && alnum < bp->fewest))
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
	bool hit = strmap_get(&bp->set, key) >= 0;
	free(key);
	return hit;
}

/* Line by line: bare URLs removed, white space trimmed, empty and
 * boilerplate lines dropped; lines joined by '\n'. */
static void clean_lines(const struct boilerplate *bp, const char *s, size_t len, struct buf *out)
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
		                  is_boilerplate(bp, out->p + start, out->n - start, &out->oom))) {
			out->n = mark;
		}
		if (!out->oom)
			out->p[out->n] = '\0';
		a = e + 1;
	}
}

char *prose_extract(const struct boilerplate *bp, const char *text)
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
		clean_lines(bp, raw.p ? raw.p : "", raw.n, &out);
	free(raw.p);
	if (raw.oom || out.oom) {
		free(out.p);
		return NULL;
	}
	return out.p;
}
