/* triage/ascii.h - the byte-level character test the normaliser's scanners
 * share (URLs, duplicate references, the boilerplate pre-check): they look
 * for ASCII syntax, where Unicode classes would only cost time.
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_ASCII_H
#define TRIAGE_ASCII_H

#include <stdbool.h>

static inline bool ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

#endif
