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
 * words dropped, Snowball English stemming (libstemmer).
 *
 * Where each step lives: prose.c (Markdown to prose), fold.c (Unicode
 * folding and words), wordlists.c (stop words, synonyms, boilerplate from
 * config), normalize.c (synonyms applied, stop words dropped, stemming),
 * tokens.c (the output list), duprefs.c ("duplicate of #N"). This header
 * includes tokens.h and duprefs.h so callers need only it. */
#ifndef TRIAGE_NORMALIZE_H
#define TRIAGE_NORMALIZE_H

#include <stddef.h>

#include "triage/duprefs.h"
#include "triage/err.h"
#include "triage/tokens.h"

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

/* Appends the tokens of text (UTF-8, Markdown allowed; NULL = nothing) to *out.
 * Invalid UTF-8 bytes are skipped, never an error. Returns 0, or -1 only when
 * out of memory. */
int normalize_text(struct normalizer *n, const char *text, struct tokens *out);

/* The prose of a Markdown text, as normalize_text sees it before tokenising
 * (new string): for showing "what was matched" and for tests. */
char *normalize_prose(const struct normalizer *n, const char *text);

#endif
