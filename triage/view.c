#include "triage/view.h"

#include <string.h>

#include "triage/idea.h"

static const char *const view_names[] = {"internal", "customer", "public"};

const char *const idea_statuses[] = {"new",         "under_review", "planned", "in_progress",
				     "shipped",     "declined",     NULL};
const char *const idea_stages[] = {"poc", "alpha", "beta", "ga", NULL};
const char *const idea_categories[] = {"security", "reliability", "performance", "feature", NULL};
const char *const idea_segments[] = {"vpn", "platform", NULL};
const char *const idea_runtimes[] = {"client", "cloud", "both", NULL};
const char *const idea_visibilities[] = {"internal", "customer", "public", NULL};

bool view_one_of(const char *s, const char *const *words)
{
	for (int i = 0; s && words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

const char *view_name(enum view v)
{
	return view_names[v];
}

int view_from_name(const char *s, enum view *out)
{
	for (int i = 0; i < 3; i++)
		if (s && strcmp(s, view_names[i]) == 0) {
			*out = (enum view)i;
			return 0;
		}
	return -1;
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool view_security_embargoed(const struct idea_record *r)
{
	const char *cat = r->public_category ? r->public_category : r->category;
	return eq(cat, "security") && !(eq(r->status, "shipped") && r->disclosed);
}

const char *view_title(enum view v, const struct idea_record *r)
{
	if (v == VIEW_INTERNAL)
		return r->title;
	if (r->public_title && r->public_title[0])
		return r->public_title;
	if (r->public_mention_title && r->public_mention_title[0])
		return r->public_mention_title;
	return NULL;
}

bool view_shows(enum view v, const struct idea_record *r)
{
	if (eq(r->status, "merged"))
		return false;
	if (v == VIEW_INTERNAL)
		return true;
	bool marked = v == VIEW_PUBLIC ? eq(r->visibility, "public")
				       : eq(r->visibility, "public") || eq(r->visibility, "customer");
	return marked && !view_security_embargoed(r) && view_title(v, r) != NULL;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *view_idea(enum view v, const struct idea_record *r, int64_t rank)
{
	if (!view_shows(v, r))
		return NULL;
	bool in = v == VIEW_INTERNAL;
	/* outside: only the fields private data cannot move */
	int seg = in ? r->segments : r->public_segments;
	const char *cat = in ? r->category : r->public_category;
	json_t *segs = json_array();
	if (seg & SEG_VPN)
		json_array_append_new(segs, json_string("vpn"));
	if (seg & SEG_PLATFORM)
		json_array_append_new(segs, json_string("platform"));
	json_t *o = json_pack("{sI s:o s:o s:o s:b s:s s:o s:{si si si}}", "id", (json_int_t)r->id,
			      "title", str_or_null(view_title(v, r)), "category", str_or_null(cat),
			      "segments", segs, "bridge",
			      (seg & (SEG_VPN | SEG_PLATFORM)) == (SEG_VPN | SEG_PLATFORM), "status",
			      r->status, "stage", str_or_null(r->stage), "demand", "requesters",
			      in ? r->requesters : r->public_requesters, "mentions",
			      in ? r->mentions : r->public_mentions, "sources",
			      in ? r->sources : r->public_sources);
	if (rank > 0)
		json_object_set_new(o, "rank", json_integer(rank));
	json_t *links = json_array();
	for (int i = 0; i < r->nlinks; i++)
		json_array_append_new(links, json_string(r->public_links[i]));
	json_object_set_new(o, "links", links);
	/* no dates for customers (a date reads as a promise); the public feed
	 * needs one per entry */
	if (v == VIEW_PUBLIC)
		json_object_set_new(o, "updated_at", str_or_null(r->public_updated_at));
	if (!in)
		return o;
	json_t *breakdown = r->breakdown_json ? json_loads(r->breakdown_json, 0, NULL) : NULL;
	json_object_set_new(o, "score", json_real(r->score));
	json_object_set_new(o, "runtime", str_or_null(r->runtime));
	json_object_set_new(o, "visibility", str_or_null(r->visibility));
	json_object_set_new(o, "table_stakes", json_boolean(r->table_stakes));
	json_object_set_new(o, "disclosed", json_boolean(r->disclosed));
	json_object_set_new(o, "public_title", str_or_null(r->public_title));
	json_object_set_new(o, "owner", str_or_null(r->owner));
	json_object_set_new(o, "decision_note", str_or_null(r->decision_note));
	json_object_set_new(o, "declined_reason", str_or_null(r->declined_reason));
	json_object_set_new(o, "votes", json_integer(r->votes));
	json_object_set_new(o, "breakdown", breakdown ? breakdown : json_object());
	json_object_set_new(o, "created_at", str_or_null(r->created_at));
	json_object_set_new(o, "updated_at", str_or_null(r->updated_at));
	return o;
}

const char *view_roadmap_group(const char *status)
{
	if (eq(status, "in_progress"))
		return "now";
	if (eq(status, "planned"))
		return "next";
	if (eq(status, "under_review"))
		return "later";
	if (eq(status, "shipped"))
		return "shipped";
	return NULL;
}

const char *view_roadmap_heading(const char *group)
{
	if (eq(group, "now"))
		return "Now";
	if (eq(group, "next"))
		return "Next";
	if (eq(group, "later"))
		return "Later";
	if (eq(group, "shipped"))
		return "Shipped";
	return "";
}
