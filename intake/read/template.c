/* intake/read/template.c - a small Mustache subset (template.h) over
 * jansson values. Renders straight from the template text, without a
 * parse tree: a section finds its closing tag and renders its body once per
 * item, so a template is read as often as it repeats, which for pages of
 * at most a few hundred rows costs less than building and freeing a tree. */
#include "intake/read/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage/embed.h"
#include "triage/text.h"

extern const struct embedded_file read_template_files[];

/* Sections nest at most this deep; deeper ones render as nothing. */
#define MAX_DEPTH 16

enum tag_kind { TAG_VAR, TAG_RAW, TAG_SECTION, TAG_INVERTED, TAG_CLOSE, TAG_COMMENT };

struct tag {
	enum tag_kind kind;
	char name[64];        /* empty when the name was too long: renders as nothing */
	const char *text_end; /* where the text before the tag ends */
	const char *after;    /* the first byte after the tag (and after its line when standalone) */
};

/* The template being rendered: its first byte (where a line starts) and
 * its stack of contexts, innermost last. */
struct render {
	const char *base;
	json_t *stack[MAX_DEPTH];
	int depth;
	FILE *f;
};

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A section, inverted, closing or comment tag alone on its line takes the
 * line with it, so a template can put them on lines of their own without
 * leaving blank lines in the page (Mustache's "standalone" rule). */
static void standalone(const char *base, const char *open, struct tag *t)
{
	const char *s = open;
	while (s > base && blank(s[-1]))
		s--;
	if (s > base && s[-1] != '\n')
		return;
	const char *e = t->after;
	while (blank(*e))
		e++;
	if (*e == '\r' && e[1] == '\n')
		e++;
	if (*e != '\n' && *e != '\0')
		return;
	t->text_end = s;
	t->after = *e ? e + 1 : e;
}

/* The next tag at or after p: 0 and *t, or -1 when there is none (the rest
 * is text; an unclosed "{{" is text too). */
static int next_tag(const char *base, const char *p, struct tag *t)
{
	const char *open = strstr(p, "{{");
	if (!open)
		return -1;
	bool raw = open[2] == '{';
	const char *start = open + 2 + raw;
	const char *close = strstr(start, raw ? "}}}" : "}}");
	if (!close)
		return -1;
	t->kind = raw ? TAG_RAW : TAG_VAR;
	const char *sigils = "#^/!";
	if (!raw && *start && strchr(sigils, *start)) {
		static const enum tag_kind kinds[] = {TAG_SECTION, TAG_INVERTED, TAG_CLOSE, TAG_COMMENT};
		t->kind = kinds[strchr(sigils, *start) - sigils];
		start++;
	}
	while (start < close && blank(*start))
		start++;
	const char *nend = close;
	while (nend > start && blank(nend[-1]))
		nend--;
	size_t n = (size_t)(nend - start);
	t->name[0] = '\0';
	if (n < sizeof(t->name)) {
		memcpy(t->name, start, n);
		t->name[n] = '\0';
	}
	t->text_end = open;
	t->after = close + 2 + raw;
	if (t->kind != TAG_VAR && t->kind != TAG_RAW)
		standalone(base, open, t);
	return 0;
}

/* The closing tag of the section named name whose body starts at p: 0
 * and *close, or -1 when it is never closed. */
static int find_close(const char *base, const char *p, const char *name, struct tag *close)
{
	int depth = 0;
	while (next_tag(base, p, close) == 0) {
		bool same = strcmp(close->name, name) == 0;
		if (same && (close->kind == TAG_SECTION || close->kind == TAG_INVERTED))
			depth++;
		else if (same && close->kind == TAG_CLOSE && depth-- == 0)
			return 0;
		p = close->after;
	}
	return -1;
}

/* name looked up from the innermost context out ("." is the innermost
 * itself; "a.b" is b of the a found that way). Borrowed, or NULL. */
static json_t *lookup(struct render *r, const char *name)
{
	if (r->depth == 0 || !name[0])
		return NULL;
	if (strcmp(name, ".") == 0)
		return r->stack[r->depth - 1];
	char first[64];
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	snprintf(first, sizeof(first), "%.*s", (int)n, name);
	json_t *v = NULL;
	for (int i = r->depth - 1; i >= 0 && !v; i--)
		v = json_object_get(r->stack[i], first);
	while (v && dot) {
		const char *next = strchr(dot + 1, '.');
		n = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
		snprintf(first, sizeof(first), "%.*s", (int)n, dot + 1);
		v = json_object_get(v, first);
		dot = next;
	}
	return v;
}

/* False: missing, null, false, an empty list. Unlike most Mustaches, ""
 * and 0 are true, so a section tests what C would (set or not) and a
 * view object says "absent" with null. */
static bool truthy(json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	return !json_is_array(v) || json_array_size(v) > 0;
}

static void put_value(FILE *f, json_t *v, bool raw)
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

static void render_span(struct render *r, const char *p, const char *end);

/* The body [p, end) of a section over v: once per item of a list, once
 * with v as the innermost context otherwise. */
static void render_section(struct render *r, json_t *v, const char *p, const char *end)
{
	if (r->depth == MAX_DEPTH)
		return;
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	for (size_t i = 0; i < n; i++) {
		r->stack[r->depth++] = json_is_array(v) ? json_array_get(v, i) : v;
		render_span(r, p, end);
		r->depth--;
	}
}

/* Renders the template text [p, end). */
static void render_span(struct render *r, const char *p, const char *end)
{
	struct tag t, close;
	while (p < end && next_tag(r->base, p, &t) == 0 && t.after <= end) {
		fwrite(p, 1, (size_t)(t.text_end - p), r->f);
		p = t.after;
		if (t.kind == TAG_VAR || t.kind == TAG_RAW) {
			put_value(r->f, lookup(r, t.name), t.kind == TAG_RAW);
			continue;
		}
		if (t.kind != TAG_SECTION && t.kind != TAG_INVERTED)
			continue; /* a comment, or a stray closing tag */
		if (find_close(r->base, p, t.name, &close) < 0 || close.after > end)
			return; /* an unclosed section: the rest is its body, never shown */
		json_t *v = lookup(r, t.name);
		if (t.kind == TAG_SECTION && truthy(v))
			render_section(r, v, p, close.text_end);
		else if (t.kind == TAG_INVERTED && !truthy(v))
			render_span(r, p, close.text_end);
		p = close.after;
	}
	if (p < end)
		fwrite(p, 1, (size_t)(end - p), r->f);
}

char *tpl_render_text(const char *text, json_t *vars)
{
	char *out = NULL;
	size_t len = 0;
	struct render r = {.base = text, .f = open_memstream(&out, &len)};
	if (!r.f)
		return NULL;
	if (vars)
		r.stack[r.depth++] = vars;
	render_span(&r, text, text + strlen(text));
	fclose(r.f);
	return out;
}

char *tpl_render(const char *name, json_t *vars)
{
	const struct embedded_file *t = embedded_find(read_template_files, name);
	return t ? tpl_render_text((const char *)t->data, vars) : NULL;
}
