/* triage/normalize.h - text to matching tokens. Pure: no I/O, no globals
 * other than what the libraries keep (libstemmer state lives in the
 * normalizer, so one normalizer must not be used by two threads at once).
 *
 * Steps: Markdown is parsed (libcmark) and only its prose kept - code blocks,
 * inline code, HTML, block quotes (quoted replies), link targets and bare URLs
 * are dropped, as are headings and lines that are issue-template boilerplate
 * and everything after a signature marker ("-- ", "Sent from my"). Then
 * Unicode normalisation and case folding (libutf8proc, NFKC + casefold +
 * strip accents), camelCase split, tokens of letters and digits, synonyms
 * (config, applied before stemming; a synonym may be several words), stop
 * words dropped, Snowball English stemming (libstemmer). */
#ifndef TRIAGE_NORMALIZE_H
#define TRIAGE_NORMALIZE_H

#include <stddef.h>

#include "triage/err.h"

/* What the normaliser needs from config/scoring.json ("normalise" object);
 * all borrowed, only during normalizer_new. */
struct normalize_config {
	const char *const *stopwords;  /* NULL-terminated, plain lowercase words */
	const char *const *syn_from;   /* NULL-terminated; syn_from[i] -> syn_to[i] */
	const char *const *syn_to;     /* "k8s" -> "kubernetes", "2fa" -> "mfa", "systray" -> "tray" */
	const char *const *boilerplate; /* NULL-terminated phrases, e.g. "what are you trying to do" */
};

struct normalizer;

struct normalizer *normalizer_new(const struct normalize_config *cfg, struct err *err)
    __attribute__((warn_unused_result));
void normalizer_free(struct normalizer *n); /* accepts NULL */

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

/* Appends the tokens of text (UTF-8, Markdown allowed; NULL = nothing) to *out.
 * Invalid UTF-8 bytes are skipped, never an error. Returns 0, or -1 only when
 * out of memory. */
int normalize_text(struct normalizer *n, const char *text, struct tokens *out);

/* The prose of a Markdown text, as normalize_text sees it before tokenising
 * (new string): for showing "what was matched" and for tests. */
char *normalize_prose(const struct normalizer *n, const char *text);

/* Explicit duplicate references in text: "duplicate of #123", "dup of
 * owner/repo#12", "same as #5", "closes as duplicate of
 * https://github.com/owner/repo/issues/9". Each found reference is appended to
 * *out as "owner/repo#N" (default_repo fills the short "#N" form; a short form
 * is skipped when default_repo is NULL). Returns the number found. */
int normalize_duplicate_refs(const char *text, const char *default_repo, struct tokens *out);

#endif
