/* triage/text.h - small text utilities shared by every layer: UTF-8
 * validation and trimming, HTML escaping. Pure. */
#ifndef TRIAGE_TEXT_H
#define TRIAGE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is valid UTF-8 with no NUL and no C0 control other
 * than tab, newline and carriage return. */
bool text_valid_utf8(const char *s, size_t len);

/* Number of code points in a valid UTF-8 string. */
size_t text_utf8_len(const char *s);

/* A new copy of s without leading/trailing white space, cut to at most max
 * bytes on a character boundary. */
char *text_trim_dup(const char *s, size_t max);

/* A key for exact matching: lowercase ASCII letters and digits, every run
 * of anything else one space, trimmed (new). Non-ASCII bytes are kept. */
char *text_match_key(const char *s);

/* FNV-1a hash of s: for the open-addressing tables keyed by strings. */
uint64_t text_hash(const char *s);

/* Appends s HTML-escaped (& < > " ') to the open memstream f. */
void text_html_escape(const char *s, void *file);

#endif
