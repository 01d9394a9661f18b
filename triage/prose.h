/* triage/prose.h - the prose of a Markdown text: what a person wrote, as
 * the normaliser reads it. Pure. Input is capped at PROSE_TEXT_MAX
 * bytes and invalid UTF-8 dropped; everything after a signature marker
 * ("-- ", "Sent from my") is cut; libcmark parses the rest and only prose
 * is kept (code, HTML, quoted replies with their "On ... wrote:" line and
 * link targets go); then per line bare URLs, template boilerplate and
 * empty lines go.
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_PROSE_H
#define TRIAGE_PROSE_H

#include "triage/wordlists.h"

#define PROSE_TEXT_MAX (64 * 1024) /* bytes of a text looked at; the rest is ignored */

/* The prose of text (NULL = ""), lines joined by '\n' (new), or NULL when
 * out of memory. bp: the boilerplate phrases to drop (borrowed). */
char *prose_extract(const struct boilerplate *bp, const char *text);

#endif
