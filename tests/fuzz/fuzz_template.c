/* Templates (tpl_render, intake/read/template.c) with hostile values. The
 * first byte picks the template; the rest, split into lines, gives the
 * values of its {{escaped}} placeholders in turn ({{{raw}}} ones are for
 * fragments the server built, so they stay unset). What is inserted must be
 * text, never markup: the page has exactly as many < > " ' as the template
 * rendered with every value empty. Sections ({{#list}}) stay unset too:
 * they are lists the server builds. */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "intake/read/template.h"
#include "triage/embed.h"

extern const struct embedded_file read_template_files[];

static size_t markup(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '<' || *s == '>' || *s == '"' || *s == '\'';
	return n;
}

/* The template's {{escaped}} names set to the input's lines (or to "" when
 * values is NULL). */
static json_t *vars_for(const char *tpl, char *values)
{
	json_t *vars = json_object();
	char *line = values;
	for (const char *p = strstr(tpl, "{{"); p; p = strstr(p + 2, "{{")) {
		const char *close = strstr(p + 2, "}}");
		if (strchr("{#^/!", p[2]) || !close || close - p - 2 >= 64)
			continue;
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)(close - p - 2), p + 2);
		const char *v = "";
		if (line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			v = line;
			line = nl ? nl + 1 : NULL;
		}
		json_t *s = json_string(v); /* jansson refuses invalid UTF-8: as a handler would */
		json_object_set_new(vars, key, s ? s : json_string(""));
	}
	return vars;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ntemplates;
	if (!ntemplates)
		while (read_template_files[ntemplates].name)
			ntemplates++;
	if (size < 1)
		return 0;
	const struct embedded_file *t = &read_template_files[data[0] % ntemplates];
	char *values = fuzz_strndup(data + 1, size - 1);
	json_t *empty = vars_for((const char *)t->data, NULL);
	json_t *vars = vars_for((const char *)t->data, values);
	char *want = tpl_render(t->name, empty), *got = tpl_render(t->name, vars);
	FUZZ_ASSERT(want && got);
	FUZZ_ASSERT(markup(got) == markup(want));
	FUZZ_ASSERT(fuzz_json_string_ok(got));
	free(want);
	free(got);
	json_decref(empty);
	json_decref(vars);
	free(values);
	return 0;
}
