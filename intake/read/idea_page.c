/* intake/read/idea_page.c - the idea page (pages.h): where the idea ranks
 * and why, its near matches with a fold button each, the triage form, its
 * mentions and its audit trail, as the view object templates/idea.html
 * reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/read/pages.h"
#include "intake/read/template.h"
#include "triage/view.h"

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *fixed(int digits, double v)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%.*f", digits, v);
	return json_string(buf);
}

static bool web_link(const char *u)
{
	return u && (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7));
}

/* A select of the triage form: vals with their labels, cur selected. */
static json_t *select_view(const char *name, const char *label, const char *cur,
			   const char *const *vals, const char *const *labels)
{
	json_t *options = json_array();
	for (int i = 0; vals[i]; i++)
		json_array_append_new(options, json_pack("{s:s s:s s:b}", "value", vals[i], "text",
							 labels[i], "selected",
							 cur && !strcmp(cur, vals[i])));
	return json_pack("{s:s s:s s:o}", "name", name, "label", label, "options", options);
}

/* The triage form's selects and text inputs: only fields a person sets. */
static void form_view(json_t *vars, json_t *idea)
{
	static const char *const status_labels[] = {"New", "Under review (Later)", "Planned (Next)",
						    "In progress (Now)", "Shipped", "Declined", NULL};
	static const char *const vis_labels[] = {"Internal only", "Customers (and inside)",
						 "Everyone (public)", NULL};
	static const char *const stages[] = {"", "poc", "alpha", "beta", "ga", NULL};
	static const char *const stage_labels[] = {"none", "poc", "alpha", "beta", "ga", NULL};
	static const char *const cats[] = {"", "security", "reliability", "performance", "feature", NULL};
	static const char *const cat_labels[] = {"from the rules", "security", "reliability",
						 "performance", "feature", NULL};
	const char *stage = jstr(idea, "stage"), *ovr = jstr(json_object_get(idea, "overrides"), "category");
	json_object_set_new(
	    vars, "selects",
	    json_pack("[o o o o]",
		      select_view("status", "Status", jstr(idea, "status"), idea_statuses, status_labels),
		      select_view("visibility", "Visible to", jstr(idea, "visibility"), idea_visibilities,
				  vis_labels),
		      select_view("stage", "Stage", stage ? stage : "", stages, stage_labels),
		      select_view("category", "Category override", ovr ? ovr : "", cats, cat_labels)));
	json_object_set_new(
	    vars, "inputs",
	    json_pack("[{s:s s:s s:i s:s?} {s:s s:s s:i s:s?} {s:s s:s s:i s:s?}]", "name",
		      "public_title", "label", "Public title (what customers and the public read)", "max",
		      200, "value", jstr(idea, "public_title"), "name", "owner", "label", "Owner", "max",
		      200, "value", jstr(idea, "owner"), "name", "declined_reason", "label",
		      "Reason (when declining)", "max", 1000, "value", jstr(idea, "declined_reason")));
	bool disclosed = json_is_true(json_object_get(idea, "disclosed"));
	const char *cat = jstr(idea, "category");
	json_object_set_new(vars, "show_disclosed", json_boolean((cat && !strcmp(cat, "security")) || disclosed));
	json_object_set_new(vars, "disclosed", json_boolean(disclosed));
	json_object_set_new(vars, "table_stakes", json_boolean(json_is_true(json_object_get(idea, "table_stakes"))));
	json_object_set(vars, "decision_note", json_object_get(idea, "decision_note"));
}

/* Where the idea ranks and why: its fields, the score's factors. */
static void rank_view(json_t *vars, json_t *idea)
{
	json_t *dem = json_object_get(idea, "demand"), *bd = json_object_get(idea, "breakdown");
	json_t *factors = json_array();
	size_t i;
	json_t *fa;
	json_array_foreach(json_object_get(bd, "factors"), i, fa)
	json_array_append_new(factors, json_pack("{s:s? s:o s:s?}", "name", jstr(fa, "name"), "value",
						 fixed(3, json_number_value(json_object_get(fa, "value"))),
						 "note", jstr(fa, "note")));
	json_t *o = json_pack(
	    "{s:s? s:s? s:O? s:b s:s? s:O? s:O? s:O? s:o s:o s:s?}", "visibility",
	    jstr(idea, "visibility"), "category", jstr(idea, "category"), "segments",
	    json_object_get(idea, "segments"), "bridge", json_is_true(json_object_get(idea, "bridge")),
	    "runtime", jstr(idea, "runtime"), "requesters", json_object_get(dem, "requesters"),
	    "mention_count", json_object_get(dem, "mentions"), "sources", json_object_get(dem, "sources"),
	    "score", fixed(3, json_real_value(json_object_get(idea, "score"))), "factors", factors,
	    "why", jstr(bd, "why"));
	json_object_update(vars, o);
	json_decref(o);
}

static json_t *similar_view(json_t *similar)
{
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(similar, i, s)
	json_array_append_new(out, json_pack("{s:O? s:s? s:o}", "idea_id", json_object_get(s, "idea_id"),
					     "title", jstr(s, "title"), "percent",
					     fixed(0, 100 * json_real_value(json_object_get(s, "similarity")))));
	return out;
}

/* One mention's line: who, from where, how it was linked. */
static json_t *mention_view(json_t *m)
{
	json_t *link = json_object_get(m, "link"), *lv = json_null();
	if (link) {
		json_t *sim = json_object_get(link, "similarity");
		bool show = json_is_real(sim) && strcmp(jstr(link, "method"), "new") != 0;
		lv = json_pack("{s:s? s:o}", "method", jstr(link, "method"), "similarity",
			       show ? fixed(2, json_real_value(sim)) : json_null());
	}
	json_t *arr = json_object_get(m, "arr");
	char arrbuf[32];
	snprintf(arrbuf, sizeof(arrbuf), "%lld", (long long)json_integer_value(arr));
	const char *url = jstr(m, "url");
	return json_pack("{s:s? s:s? s:s? s:s? s:s? s:s? s:o s:b s:s? s:s? s:s?}", "source",
			 jstr(m, "source"), "author", jstr(m, "author"), "author_kind",
			 jstr(m, "author_kind"), "account", jstr(m, "account"), "arr",
			 json_is_integer(arr) ? arrbuf : NULL, "author_email", jstr(m, "author_email"),
			 "link", lv, "deleted", json_is_true(json_object_get(m, "deleted")), "title",
			 jstr(m, "title"), "body", jstr(m, "body"), "url", web_link(url) ? url : NULL);
}

static json_t *audit_view(json_t *audit)
{
	json_t *out = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(audit, i, a)
	{
		char *det = json_dumps(json_object_get(a, "details"), JSON_COMPACT);
		json_array_append_new(out, json_pack("{s:s? s:s? s:s? s:s?}", "at", jstr(a, "at"), "actor",
						     jstr(a, "actor"), "action", jstr(a, "action"),
						     "details", det));
		free(det);
	}
	return out;
}

char *page_idea(json_t *detail, const char *csrf, const char *notice, const char *error)
{
	json_t *idea = json_object_get(detail, "idea");
	const char *status = jstr(idea, "status");
	bool merged = status && !strcmp(status, "merged");
	json_t *vars = json_pack("{s:O? s:s? s:s? s:s? s:s s:s? s:b s:O?}", "id",
				 json_object_get(idea, "id"), "title", jstr(idea, "title"), "notice",
				 notice, "error", error, "csrf", csrf, "status", status, "merged",
				 merged, "into", json_object_get(idea, "merged_into"));
	if (!merged) {
		json_object_set(vars, "version", json_object_get(detail, "version"));
		rank_view(vars, idea);
		form_view(vars, idea);
		json_object_set_new(vars, "similar", similar_view(json_object_get(detail, "similar")));
	}
	json_t *mentions = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(detail, "mentions"), i, m)
	json_array_append_new(mentions, mention_view(m));
	json_object_set_new(vars, "mentions", mentions);
	json_object_set_new(vars, "audit", audit_view(json_object_get(detail, "audit")));
	char *html = tpl_render("idea.html", vars);
	json_decref(vars);
	return html;
}
