/* intake/read/board_page.c - the board (pages.h): the ranked backlog with
 * each score's factors as a bar, the SRPF x segment mix as an SVG chart
 * and the filter form, as the view object templates/board.html reads. The
 * geometry is computed here; the markup is the template's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/read/pages.h"
#include "intake/read/template.h"
#include "triage/view.h"

static const char *const seg_classes[] = {"bridge", "vpn_only", "platform_only", "neither"};
static const char *const seg_labels[] = {"Bridge (VPN + platform)", "VPN only", "Platform only", "Neither"};
static const char *const seg_colors[] = {"#2e7d32", "#1565c0", "#6a1b9a", "#9aa3b2"};

/* v with digits decimals, as text (new). */
static json_t *fixed(int digits, double v)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	return json_string(buf);
}

static long long ideas_in(json_t *by, int category, int seg)
{
	return json_integer_value(json_object_get(
	    json_object_get(json_object_get(by, idea_categories[category]), seg_classes[seg]), "ideas"));
}

/* One category's stacked bar, 440 units wide for the largest row. */
static json_t *chart_row(json_t *by, int a, long long max)
{
	double x = 110;
	int y = 10 + a * 32;
	long long total = 0;
	json_t *bars = json_array();
	for (int b = 0; b < 4; b++) {
		long long n = ideas_in(by, a, b);
		total += n;
		double w = 440.0 * (double)n / (double)max;
		if (n > 0)
			json_array_append_new(bars, json_pack("{s:o s:i s:o s:s s:s s:I}", "x", fixed(1, x),
							      "y", y, "w", fixed(1, w), "color",
							      seg_colors[b], "label", seg_labels[b], "n",
							      (json_int_t)n));
		x += w;
	}
	return json_pack("{s:s s:i s:o s:o s:I}", "category", idea_categories[a], "text_y", y + 16,
			 "bars", bars, "total_x", fixed(1, x + 6), "total", (json_int_t)total);
}

/* The backlog by SRPF category (rows) and segment (stacked). */
static json_t *chart(json_t *stats)
{
	json_t *by = json_object_get(stats, "by_category_segment");
	long long max = 1;
	for (int a = 0; a < 4; a++) {
		long long row = 0;
		for (int b = 0; b < 4; b++)
			row += ideas_in(by, a, b);
		max = row > max ? row : max;
	}
	json_t *rows = json_array(), *legend = json_array(), *top = json_array();
	for (int a = 0; a < 4; a++)
		json_array_append_new(rows, chart_row(by, a, max));
	for (int b = 0; b < 4; b++)
		json_array_append_new(legend, json_pack("{s:s s:s}", "color", seg_colors[b], "label", seg_labels[b]));
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(stats, "top"), i, t)
	json_array_append_new(top, json_pack("{s:O? s:o}", "top", json_object_get(t, "top"), "share",
					      fixed(0, 100.0 * json_real_value(json_object_get(t, "bridge_share")))));
	json_t *conc = json_object_get(stats, "concentration");
	return json_pack("{s:o s:o s:o s:O? s:O?}", "rows", rows, "legend", legend, "top", top, "single",
			 json_object_get(conc, "single_requester_ideas"), "open",
			 json_object_get(conc, "open_ideas"));
}

/* The score's factors as a stacked bar: each factor's share of the log of
 * the score, so what lifts an idea is visible at a glance. */
static json_t *breakdown_bar(json_t *breakdown)
{
	json_t *factors = json_object_get(breakdown, "factors");
	double total = 0;
	size_t i;
	json_t *fa;
	json_array_foreach(factors, i, fa)
	{
		double v = json_number_value(json_object_get(fa, "value"));
		total += v > 1 ? log(v) : 0;
	}
	if (total <= 0)
		return json_pack("{s:b}", "lifts", 0);
	char *label = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&label, &len);
	json_t *parts = json_array();
	json_array_foreach(factors, i, fa)
	{
		double v = json_number_value(json_object_get(fa, "value"));
		const char *name = json_string_value(json_object_get(fa, "name"));
		fprintf(f, "%s%s %.2f", i ? ", " : "", name ? name : "", v);
		if (v > 1)
			json_array_append_new(parts, json_pack("{s:s? s:o s:o s:O?}", "name", name, "width",
							       fixed(1, 100.0 * log(v) / total), "value",
							       fixed(2, v), "note", json_object_get(fa, "note")));
	}
	fclose(f);
	json_t *bar = json_pack("{s:b s:s s:o}", "lifts", 1, "label", label, "parts", parts);
	free(label);
	return bar;
}

/* One row of the backlog table. */
static json_t *board_row(json_t *it)
{
	json_t *segs = json_object_get(it, "segments");
	json_t *one = json_array_size(segs) == 1 ? json_array_get(segs, 0) : json_null();
	return json_pack("{s:O? s:O? s:O? s:O? s:O? s:O? s:O? s:O? s:O? s:o s:o s:o}", "id",
			 json_object_get(it, "id"), "rank", json_object_get(it, "rank"), "title",
			 json_object_get(it, "title"), "category", json_object_get(it, "category"), "bridge",
			 json_object_get(it, "bridge"), "one_segment", one, "table_stakes",
			 json_object_get(it, "table_stakes"), "status", json_object_get(it, "status"),
			 "visibility", json_object_get(it, "visibility"), "requesters",
			 json_copy(json_object_get(json_object_get(it, "demand"), "requesters")), "score",
			 fixed(2, json_real_value(json_object_get(it, "score"))), "bar",
			 breakdown_bar(json_object_get(it, "breakdown")));
}

static json_t *select_view(const char *name, const char *label, const char *cur,
			   const char *const *opts)
{
	json_t *options = json_array();
	for (int i = 0; opts[i]; i++)
		json_array_append_new(options, json_pack("{s:s s:b}", "value", opts[i], "selected",
							 cur && !strcmp(cur, opts[i])));
	return json_pack("{s:s s:s s:o}", "name", name, "label", label, "options", options);
}

char *page_board(json_t *items, json_t *stats, const struct board_filters *f, const char *next_href)
{
	static const char *const bridge_opts[] = {"true", "false", NULL};
	json_t *filters = json_pack(
	    "[o o o o o]", select_view("category", "Category", f->category, idea_categories),
	    select_view("segment", "Segment", f->segment, idea_segments),
	    select_view("bridge", "Bridge", f->bridge, bridge_opts),
	    select_view("status", "Status", f->status, idea_statuses),
	    select_view("visibility", "Visibility", f->visibility, idea_visibilities));
	json_t *rows = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	json_array_append_new(rows, board_row(it));
	json_t *vars = json_pack("{s:o s:o s:s s:[ssssss] s:o s:s?}", "chart", chart(stats), "filters",
				 filters, "q", f->q ? f->q : "", "factor_names", "srpf", "bridge",
				 "runtime", "demand", "freshness", "override", "items", rows,
				 "next_href", next_href);
	char *html = tpl_render("board.html", vars);
	json_decref(vars);
	return html;
}
