#include "db/array.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *db_text_array(const char *const *v, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputc('{', f);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",\"" : "\"", f);
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc('}', f);
	fclose(f);
	return buf;
}

char *db_array_nullable(const char *const *v, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputc('{', f);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		if (!v[i]) {
			fputs("NULL", f);
			continue;
		}
		fputc('"', f);
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc('}', f);
	fclose(f);
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
