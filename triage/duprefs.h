/* triage/duprefs.h - explicit duplicate references a person wrote in an
 * idea or comment ("duplicate of #123"). Pure; a plain scan of the raw
 * text, independent of the normaliser's Markdown handling. */
#ifndef TRIAGE_DUPREFS_H
#define TRIAGE_DUPREFS_H

#include "triage/tokens.h"

/* Explicit duplicate references in text: "duplicate of #123", "dup of
 * owner/repo#12", "same as #5", "closes as duplicate of
 * https://github.com/owner/repo/issues/9". Each found reference is appended to
 * *out as "owner/repo#N" (default_repo fills the short "#N" form; a short form
 * is skipped when default_repo is NULL). Returns the number found. */
int normalize_duplicate_refs(const char *text, const char *default_repo, struct tokens *out);

#endif
