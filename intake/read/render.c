#include "intake/read/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/read/template.h"
#include "intake/read/views.h"
#include "triage/text.h"

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

/* ---- Markdown ------------------------------------------------------------ */

/* Text with Markdown's punctuation escaped and line breaks flattened, so a
 * title can never become a link, an image or a heading. */
static void md_text(FILE *f, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			fputc(' ', f);
		else if (strchr("\\`*_{}[]<>#|~&", *p))
			fprintf(f, "\\%c", *p);
		else
			fputc(*p, f);
	}
}

static void render_md(FILE *f, enum view v, json_t *cols[NGROUPS])
{
	fprintf(f, "# Roadmap\n\n_%s view_\n", view_name(v));
	for (int g = 0; g < NGROUPS; g++) {
		fprintf(f, "\n## %s\n\n", view_roadmap_heading(groups[g]));
		if (json_array_size(cols[g]) == 0)
			fputs("_Nothing here yet._\n", f);
		size_t i;
		json_t *it;
		json_array_foreach(cols[g], i, it)
		{
			char segs[64];
			segments_text(it, segs, sizeof(segs));
			fputs("- **", f);
			md_text(f, str(it, "title"));
			fprintf(f, "** — %s · %s", str(it, "category"), segs);
			if (str(it, "stage"))
				fprintf(f, " · %s", str(it, "stage"));
			fprintf(f, " · %lld requester%s", demand(it, "requesters"),
				demand(it, "requesters") == 1 ? "" : "s");
			if (v == VIEW_INTERNAL)
				fprintf(f, " · score %.2f", json_real_value(json_object_get(it, "score")));
			json_t *links = json_object_get(it, "links");
			size_t j;
			json_t *l;
			json_array_foreach(links, j, l)
			{
				const char *u = json_string_value(l);
				/* only plain web links; anything else stays out of a markdown target */
				if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
					continue;
				if (strpbrk(u, " ()<>\n"))
					continue;
				fprintf(f, " · [thread %zu](%s)", j + 1, u);
			}
			fputc('\n', f);
		}
	}
}

/* ---- HTML ---------------------------------------------------------------- */

static void html(FILE *f, const char *s)
{
	text_html_escape(s ? s : "", f);
}

static bool web_link(const char *u)
{
	return u && (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0);
}

static void render_card(FILE *f, enum view v, json_t *it)
{
	char segs[64];
	segments_text(it, segs, sizeof(segs));
	fprintf(f, "<li class=\"card\" id=\"idea-%lld\">", num(it, "id"));
	fputs("<h3>", f);
	if (v == VIEW_INTERNAL)
		fprintf(f, "<a href=\"/ideas/%lld\">", num(it, "id"));
	html(f, str(it, "title"));
	fputs(v == VIEW_INTERNAL ? "</a></h3>" : "</h3>", f);
	fprintf(f, "<p class=\"tags\"><span class=\"tag cat-%s\">", str(it, "category"));
	html(f, str(it, "category"));
	fputs("</span>", f);
	fprintf(f, "<span class=\"tag%s\">", json_is_true(json_object_get(it, "bridge")) ? " bridge" : "");
	html(f, segs);
	fputs("</span>", f);
	if (str(it, "stage")) {
		fputs("<span class=\"tag stage\">", f);
		html(f, str(it, "stage"));
		fputs("</span>", f);
	}
	fputs("</p>", f);
	fprintf(f, "<p class=\"demand\">%lld requester%s · %lld source%s</p>", demand(it, "requesters"),
		demand(it, "requesters") == 1 ? "" : "s", demand(it, "sources"),
		demand(it, "sources") == 1 ? "" : "s");
	json_t *links = json_object_get(it, "links");
	size_t j;
	json_t *l;
	json_array_foreach(links, j, l)
	{
		const char *u = json_string_value(l);
		if (!web_link(u))
			continue;
		fputs("<a class=\"thread\" rel=\"nofollow noopener\" href=\"", f);
		html(f, u);
		fprintf(f, "\">Discussion %zu</a> ", j + 1);
	}
	fputs("</li>", f);
}

static int render_html(FILE *f, enum view v, json_t *cols[NGROUPS], struct err *err)
{
	char *cols_html = NULL;
	size_t cl = 0;
	FILE *g = open_memstream(&cols_html, &cl);
	for (int k = 0; k < NGROUPS; k++) {
		fprintf(g, "<section class=\"column\" aria-labelledby=\"h-%s\"><h2 id=\"h-%s\">%s <span "
			   "class=\"count\">%zu</span></h2>",
			groups[k], groups[k], view_roadmap_heading(groups[k]), json_array_size(cols[k]));
		if (json_array_size(cols[k]) == 0)
			fputs("<p class=\"empty\">Nothing here yet.</p>", g);
		fputs("<ol class=\"cards\">", g);
		size_t i;
		json_t *it;
		json_array_foreach(cols[k], i, it)
		render_card(g, v, it);
		fputs("</ol></section>", g);
	}
	fclose(g);
	static const char *const titles[] = {"Internal roadmap", "Customer roadmap", "Product roadmap"};
	static const char *const intros[] = {
	    "Everything on the roadmap, as the team sees it.",
	    "What we are working on for you. Now is in progress, Next is planned, Later is under "
	    "review. No dates: plans change, and we would rather tell you when it ships.",
	    "What we are building. Now is in progress, Next is planned, Later is under review."};
	char *css = tpl_render("app.css", NULL);
	json_t *vars = json_pack("{s:s s:s s:s s:s s:s}", "title", titles[v], "intro", intros[v],
				 "view", view_name(v), "columns", cols_html, "css", css ? css : "");
	json_object_set_new(vars, "feed",
			    json_string(v == VIEW_PUBLIC ? "<link rel=\"alternate\" type=\"application/atom+xml\" "
							   "href=\"/roadmap/public?format=atom\" title=\"Roadmap feed\">"
							 : ""));
	/* the same for every reader, so the page stays cacheable and exportable */
	json_object_set_new(vars, "account",
			    json_string(v == VIEW_PUBLIC ? ""
							 : "<form method=\"post\" action=\"/logout\" "
							   "style=\"margin-left:auto\"><button type=\"submit\">"
							   "Sign out</button></form>"));
	free(css);
	free(cols_html);
	char *page = tpl_render("roadmap.html", vars);
	json_decref(vars);
	if (!page)
		return err_set(err, "the roadmap template is missing from this build");
	fputs(page, f);
	free(page);
	return 0;
}

/* ---- Atom ---------------------------------------------------------------- */

static void render_atom(FILE *f, json_t *cols[NGROUPS])
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
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	      "<title>Product roadmap</title>\n"
	      "<id>urn:ideatriage:roadmap:public</id>\n"
	      "<link rel=\"self\" href=\"/roadmap/public?format=atom\"/>\n"
	      "<link rel=\"alternate\" type=\"text/html\" href=\"/roadmap/public\"/>\n",
	      f);
	fprintf(f, "<updated>%s</updated>\n<author><name>ideatriage</name></author>\n", newest);
	for (int g = 0; g < NGROUPS; g++) {
		size_t i;
		json_t *it;
		json_array_foreach(cols[g], i, it)
		{
			char segs[64];
			segments_text(it, segs, sizeof(segs));
			fprintf(f, "<entry>\n<id>urn:ideatriage:idea:%lld</id>\n<title>", num(it, "id"));
			html(f, str(it, "title"));
			fprintf(f, "</title>\n<updated>%s</updated>\n",
				str(it, "updated_at") ? str(it, "updated_at") : newest);
			fprintf(f, "<link href=\"/roadmap/public#idea-%lld\"/>\n", num(it, "id"));
			fputs("<category term=\"", f);
			html(f, str(it, "category"));
			fputs("\"/>\n<summary>", f);
			html(f, view_roadmap_heading(groups[g]));
			fputs(" · ", f);
			html(f, str(it, "category"));
			fputs(" · ", f);
			html(f, segs);
			fprintf(f, " · %lld requesters</summary>\n</entry>\n", demand(it, "requesters"));
		}
	}
	fputs("</feed>\n", f);
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
	case FMT_MD: render_md(f, v, cols); break;
	case FMT_HTML: rc = render_html(f, v, cols, err); break;
	case FMT_ATOM: render_atom(f, cols); break;
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
