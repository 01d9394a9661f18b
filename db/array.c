#include "db/array.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Array literals are built for every statement of an import, element by
 * element, so they are written straight into one buffer sized up front
 * (a stream's per-character calls cost more than the statement). */

/* The literal's length at most: braces, and each element quoted with every
 * character escaped (or NULL), and a comma. */
static size_t literal_max(const char *const *v, int n)
{
	size_t len = 3;
	for (int i = 0; i < n; i++)
		len += (v[i] ? 2 * strlen(v[i]) : 4) + 3;
	return len;
}

/* Appends v quoted, '"' and '\\' escaped, at o; returns the end. */
static char *put_quoted(char *o, const char *v)
{
	*o++ = '"';
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	return o;
}

char *db_text_array(const char *const *v, int n)
{
	char *buf = malloc(literal_max(v, n)), *o = buf;
	if (!buf)
		return NULL;
	*o++ = '{';
	for (int i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		o = put_quoted(o, v[i]);
	}
	*o++ = '}';
	*o = '\0';
	return buf;
}

char *db_array_nullable(const char *const *v, int n)
{
	char *buf = malloc(literal_max(v, n)), *o = buf;
	if (!buf)
		return NULL;
	*o++ = '{';
	for (int i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		if (v[i]) {
			o = put_quoted(o, v[i]);
		} else {
			memcpy(o, "NULL", 4);
			o += 4;
		}
	}
	*o++ = '}';
	*o = '\0';
	return buf;
}

static int push(struct tokens *out, const char *s, size_t n)
{
	if (out->n == out->cap) {
		int cap = out->cap ? out->cap * 2 : 16;
		char **v = realloc(out->v, sizeof(*v) * (size_t)cap);
		if (!v)
			return -1;
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n] = strndup(s, n);
	return out->v[out->n++] ? 0 : -1;
}

int db_parse_text_array(const char *s, struct tokens *out)
{
	if (!s || *s != '{')
		return -1;
	s++;
	char *buf = malloc(strlen(s) + 1);
	if (!buf)
		return -1;
	int rc = 0;
	while (*s && *s != '}') {
		size_t n = 0;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1])
					s++;
				buf[n++] = *s;
			}
			if (*s != '"') {
				rc = -1;
				break;
			}
			s++;
		} else {
			while (*s && *s != ',' && *s != '}')
				buf[n++] = *s++;
		}
		if (push(out, buf, n) < 0) {
			rc = -1;
			break;
		}
		if (*s == ',')
			s++;
	}
	free(buf);
	return rc;
}
