/* intake/read/render.c - the roadmap in every format (render.h): JSON and
 * CSV written here, HTML, Markdown and Atom through templates/roadmap.*
 * over one view object built from the view's items. */
#include "intake/read/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/read/template.h"
#include "intake/read/views.h"

static const char *const format_names[] = {"html", "json", "csv", "md", "atom"};
static const char *const content_types[] = {
    "text/html; charset=utf-8", "application/json", "text/csv; charset=utf-8",
    "text/markdown; charset=utf-8", "application/atom+xml; charset=utf-8"};

const char *format_name(enum format f)
{
	return format_names[f];
}

int format_from_name(const char *s, enum format *out)
{
	for (int i = 0; i < 5; i++)
		if (s && strcmp(s, format_names[i]) == 0) {
			*out = (enum format)i;
			return 0;
		}
	if (s && strcmp(s, "markdown") == 0) {
		*out = FMT_MD;
		return 0;
	}
	return -1;
}

const char *format_content_type(enum format f)
{
	return content_types[f];
}

static const char *const groups[] = {"now", "next", "later", "shipped"};
enum { NGROUPS = 4 };

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static long long demand(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(o, "demand"), key));
}

/* The view's roadmap items, best first, sorted into the four columns. */
static int load_groups(PGconn *c, struct triage_ctx *t, enum view v, json_t *cols[NGROUPS],
		       struct err *err)
{
	for (int g = 0; g < NGROUPS; g++)
		cols[g] = json_array();
	struct backlog_filter f = {.view = v, .limit = BACKLOG_MAX_LIMIT,
				   .status = "in_progress,planned,under_review,shipped"};
	char *after = NULL;
	int total = 0;
	do {
		json_t *items;
		char *next;
		f.after = after;
		int rc = views_backlog(c, t, &f, &items, &next, err);
		free(after);
		after = NULL;
		if (rc < 0)
			return -1;
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			const char *grp = view_roadmap_group(str(it, "status"));
			for (int g = 0; grp && g < NGROUPS; g++)
				if (strcmp(grp, groups[g]) == 0 && total < ROADMAP_MAX_ITEMS) {
					json_array_append(cols[g], it);
					total++;
				}
		}
		json_decref(items);
		after = next;
	} while (after && total < ROADMAP_MAX_ITEMS);
	free(after);
	return 0;
}

static void segments_text(json_t *it, char *buf, size_t len)
{
	json_t *segs = json_object_get(it, "segments");
	size_t n = json_array_size(segs);
	if (json_is_true(json_object_get(it, "bridge")))
		snprintf(buf, len, "bridge (vpn + platform)");
	else if (n == 1)
		snprintf(buf, len, "%s only", json_string_value(json_array_get(segs, 0)));
	else
		snprintf(buf, len, "no segment");
}

/* ---- JSON ---------------------------------------------------------------- */

static void render_json(FILE *f, enum view v, json_t *cols[NGROUPS])
{
	json_t *doc = json_pack("{s:s s:[]}", "view", view_name(v), "groups");
	json_t *arr = json_object_get(doc, "groups");
	for (int g = 0; g < NGROUPS; g++)
		json_array_append_new(arr, json_pack("{s:s s:s s:O}", "key", groups[g], "heading",
						     view_roadmap_heading(groups[g]), "items", cols[g]));
	char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
	fputs(s, f);
	fputc('\n', f);
	free(s);
	json_decref(doc);
}

/* ---- CSV ----------------------------------------------------------------- */

void render_csv_field(FILE *f, const char *s)
{
	fputc('"', f);
	if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
		fputc('\'', f);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static void render_csv(FILE *f, enum view v, json_t *cols[NGROUPS])
{
	static const char *const head[] = {"column", "rank",   "id",       "title",   "category",
					   "segments", "status", "stage", "requesters", "mentions",
					   "sources", "links"};
	/* the score only inside: outside, the rank says the order */
	static const char *const internal_head[] = {"score", "visibility", "owner", "table_stakes",
						    "decision_note"};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		fprintf(f, "%s%s", i ? "," : "", head[i]);
	if (v == VIEW_INTERNAL)
		for (size_t i = 0; i < 5; i++)
			fprintf(f, ",%s", internal_head[i]);
	fputs("\r\n", f);
	for (int g = 0; g < NGROUPS; g++) {
		size_t i;
		json_t *it;
		json_array_foreach(cols[g], i, it)
		{
			char segs[64], links[2048] = "";
			segments_text(it, segs, sizeof(segs));
			size_t j;
			json_t *l;
			size_t used = 0;
			json_array_foreach(json_object_get(it, "links"), j, l)
			{
				int w = snprintf(links + used, sizeof(links) - used, "%s%s", j ? " " : "",
						 json_string_value(l));
				if (w < 0 || (size_t)w >= sizeof(links) - used)
					break;
				used += (size_t)w;
			}
			fprintf(f, "%s,%lld,%lld,", view_roadmap_heading(groups[g]), num(it, "rank"),
				num(it, "id"));
			render_csv_field(f, str(it, "title"));
			fprintf(f, ",%s,%s,%s,%s,%lld,%lld,%lld,", str(it, "category"), segs,
				str(it, "status"), str(it, "stage") ? str(it, "stage") : "",
				demand(it, "requesters"), demand(it, "mentions"), demand(it, "sources"));
			render_csv_field(f, links);
			if (v == VIEW_INTERNAL) {
				fprintf(f, ",%.2f,%s,", json_real_value(json_object_get(it, "score")),
					str(it, "visibility"));
				render_csv_field(f, str(it, "owner"));
				fprintf(f, ",%s,", json_is_true(json_object_get(it, "table_stakes")) ? "true" : "false");
				render_csv_field(f, str(it, "decision_note"));
			}
			fputs("\r\n", f);
		}
	}
}

/* ---- Markdown, HTML and Atom: templates over one view object ------------ */

/* Text with Markdown's punctuation escaped and line breaks flattened, so a
 * title can never become a link, an image or a heading (new string). */
static char *md_text(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			fputc(' ', f);
		else if (strchr("\\`*_{}[]<>#|~&", *p))
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
	fclose(f);
	return out;
}

static bool web_link(const char *u)
{
	return u && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

/* The item's public threads, numbered as the view lists them: threads are
 * the plain web links (for HTML), md_links those also safe as a Markdown
 * link target (no space, parenthesis or angle bracket). */
static void card_links(json_t *card, json_t *it)
{
	json_t *threads = json_array(), *md_links = json_array();
	size_t j;
	json_t *l;
	json_array_foreach(json_object_get(it, "links"), j, l)
	{
		const char *u = json_string_value(l);
		if (!web_link(u))
			continue;
		json_t *link = json_pack("{s:I s:s}", "n", (json_int_t)(j + 1), "url", u);
		if (!strpbrk(u, " ()<>\n"))
			json_array_append(md_links, link);
		json_array_append_new(threads, link);
	}
	json_object_set_new(card, "threads", threads);
	json_object_set_new(card, "md_links", md_links);
}

/* One roadmap item as the templates show it (new object). Every key is
 * set (null when empty), so a name never falls through to an outer
 * section. */
static json_t *card_view(enum view v, json_t *it, const char *newest)
{
	char segs[64], score[32];
	segments_text(it, segs, sizeof(segs));
	snprintf(score, sizeof(score), "%.2f", json_real_value(json_object_get(it, "score")));
	long long req = demand(it, "requesters"), src = demand(it, "sources");
	char *md_title = md_text(str(it, "title"));
	json_t *card = json_pack(
	    "{s:I s:s? s:s s:b s:s? s:b s:s s:o s:I s:s s:I s:s s:o s:s}", "id",
	    (json_int_t)num(it, "id"), "title", str(it, "title"), "md_title", md_title, "link",
	    v == VIEW_INTERNAL, "category", str(it, "category"), "bridge",
	    json_is_true(json_object_get(it, "bridge")), "segs", segs, "stage",
	    str(it, "stage") ? json_string(str(it, "stage")) : json_null(), "requesters",
	    (json_int_t)req, "requesters_s", req == 1 ? "" : "s", "sources", (json_int_t)src,
	    "sources_s", src == 1 ? "" : "s", "score",
	    v == VIEW_INTERNAL ? json_string(score) : json_null(), "updated",
	    str(it, "updated_at") ? str(it, "updated_at") : newest);
	free(md_title);
	card_links(card, it);
	return card;
}

/* The newest public change of any item: when the feed itself was updated. */
static const char *newest_change(json_t *cols[NGROUPS])
{
	const char *newest = "1970-01-01T00:00:00Z";
	for (int g = 0; g < NGROUPS; g++) {
		size_t i;
		json_t *it;
		json_array_foreach(cols[g], i, it)
		{
			const char *u = str(it, "updated_at");
			if (u && strcmp(u, newest) > 0)
				newest = u;
		}
	}
	return newest;
}

/* The whole roadmap as the templates read it (new object). */
static json_t *roadmap_view(enum view v, json_t *cols[NGROUPS])
{
	static const char *const titles[] = {"Internal roadmap", "Customer roadmap", "Product roadmap"};
	static const char *const intros[] = {
	    "Everything on the roadmap, as the team sees it.",
	    "What we are working on for you. Now is in progress, Next is planned, Later is under "
	    "review. No dates: plans change, and we would rather tell you when it ships.",
	    "What we are building. Now is in progress, Next is planned, Later is under review."};
	const char *newest = newest_change(cols);
	json_t *columns = json_array();
	for (int g = 0; g < NGROUPS; g++) {
		json_t *cards = json_array();
		size_t i;
		json_t *it;
		json_array_foreach(cols[g], i, it)
		json_array_append_new(cards, card_view(v, it, newest));
		json_array_append_new(columns,
				      json_pack("{s:s s:s s:I s:o}", "key", groups[g], "heading",
						view_roadmap_heading(groups[g]), "count",
						(json_int_t)json_array_size(cols[g]), "cards", cards));
	}
	return json_pack("{s:s s:s s:s s:b s:s s:o}", "title", titles[v], "intro", intros[v], "view",
			 view_name(v), "public", v == VIEW_PUBLIC, "newest", newest, "columns", columns);
}

/* Renders template name over the roadmap into f. */
static int render_template(FILE *f, const char *name, enum view v, json_t *cols[NGROUPS],
			   struct err *err)
{
	json_t *vars = roadmap_view(v, cols);
	if (strcmp(name, "roadmap.html") == 0) {
		char *css = tpl_render("app.css", NULL);
		json_object_set_new(vars, "css", json_string(css ? css : ""));
		free(css);
	}
	char *doc = tpl_render(name, vars);
	json_decref(vars);
	if (!doc)
		return err_set(err, "the template %s is missing from this build", name);
	fputs(doc, f);
	free(doc);
	return 0;
}

int roadmap_render(PGconn *c, struct triage_ctx *t, enum view v, enum format fmt, char **out,
		   size_t *len, struct err *err)
{
	*out = NULL;
	*len = 0;
	if (fmt == FMT_ATOM && v != VIEW_PUBLIC)
		return err_set_field(err, "format", "the Atom feed is only for the public roadmap");
	json_t *cols[NGROUPS];
	if (load_groups(c, t, v, cols, err) < 0) {
		for (int g = 0; g < NGROUPS; g++)
			json_decref(cols[g]);
		return -1;
	}
	FILE *f = open_memstream(out, len);
	int rc = 0;
	switch (fmt) {
	case FMT_JSON: render_json(f, v, cols); break;
	case FMT_CSV: render_csv(f, v, cols); break;
	case FMT_MD: rc = render_template(f, "roadmap.md", v, cols, err); break;
	case FMT_HTML: rc = render_template(f, "roadmap.html", v, cols, err); break;
	case FMT_ATOM: rc = render_template(f, "roadmap.atom", v, cols, err); break;
	}
	fclose(f);
	for (int g = 0; g < NGROUPS; g++)
		json_decref(cols[g]);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return rc;
}
