/* triage/embed.h - files compiled into the binary (see cmake/embed.cmake). */
#ifndef TRIAGE_EMBED_H
#define TRIAGE_EMBED_H

#include <stddef.h>

/* One embedded file; arrays of these end with an entry whose name is NULL.
 * data is NUL-terminated (len does not count the NUL). */
struct embedded_file {
	const char *name;
	const unsigned char *data;
	size_t len;
};

/* The entry called name in files, or NULL. */
const struct embedded_file *embedded_find(const struct embedded_file *files, const char *name);

#endif
