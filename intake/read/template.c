#include "intake/read/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage/embed.h"
#include "triage/text.h"

extern const struct embedded_file http_template_files[];

static void put_value(FILE *f, json_t *v, int raw)
{
	char num[64];
	const char *s = NULL;
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v))
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v)), s = num;
	else if (json_is_real(v))
		snprintf(num, sizeof(num), "%.2f", json_real_value(v)), s = num;
	if (!s)
		return;
	if (raw)
		fputs(s, f);
	else
		text_html_escape(s, f);
}

char *tpl_render(const char *name, json_t *vars)
{
	const struct embedded_file *t = embedded_find(http_template_files, name);
	if (!t)
		return NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p = (const char *)t->data;
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(open - p), f);
		int raw = open[2] == '{';
		const char *start = open + 2 + raw;
		const char *close = strstr(start, raw ? "}}}" : "}}");
		if (!close) { /* not a placeholder: copy as is */
			fputs(open, f);
			break;
		}
		char key[64];
		size_t klen = (size_t)(close - start);
		if (klen < sizeof(key)) {
			memcpy(key, start, klen);
			key[klen] = '\0';
			put_value(f, json_object_get(vars, key), raw);
		}
		p = close + 2 + raw;
	}
	fclose(f);
	return out;
}
