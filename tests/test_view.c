/* triage/view.c, the one place that decides what each audience sees. */
#include <criterion/criterion.h>
#include <string.h>

#include "triage/idea.h"
#include "triage/view.h"

static struct idea_record base(void)
{
	struct idea_record r = {
	    .id = 7,
	    .title = "Acme asked: per-app exit nodes",
	    .public_mention_title = "Per-app exit nodes",
	    .status = "planned",
	    .category = "feature",
	    .runtime = "client",
	    .visibility = "public",
	    .segments = SEG_VPN | SEG_PLATFORM,
	    .score = 3.5,
	    .breakdown_json = "{\"score\":3.5}",
	    .owner = "Olga",
	    .decision_note = "renewal hinges on it",
	    .declined_reason = NULL,
	    .requesters = 4,
	    .mentions = 6,
	    .sources = 2,
	    .public_links = {"https://github.com/o/r/issues/1"},
	    .nlinks = 1,
	    .created_at = "2026-01-02T03:04:05Z",
	    .updated_at = "2026-02-03T04:05:06Z",
	    .public_category = "feature",
	    .public_segments = SEG_VPN | SEG_PLATFORM,
	    .public_requesters = 1,
	    .public_mentions = 2,
	    .public_sources = 1,
	    .public_updated_at = "2026-01-15T00:00:00Z",
	};
	return r;
}

struct visible_case {
	const char *visibility, *status, *category;
	bool disclosed, has_public_text;
	bool internal, customer, public_;
};

Test(view, who_sees_which_idea)
{
	static const struct visible_case cases[] = {
	    {"internal", "planned", "feature", false, true, true, false, false},
	    {"customer", "planned", "feature", false, true, true, true, false},
	    {"public", "planned", "feature", false, true, true, true, true},
	    {"public", "merged", "feature", false, true, false, false, false},
	    /* security: hidden outside until shipped AND disclosed */
	    {"public", "planned", "security", false, true, true, false, false},
	    {"public", "shipped", "security", false, true, true, false, false},
	    {"public", "planned", "security", true, true, true, false, false},
	    {"public", "shipped", "security", true, true, true, true, true},
	    /* nothing the outside may read as a title: not shown outside */
	    {"public", "planned", "feature", false, false, true, false, false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct visible_case *c = &cases[i];
		struct idea_record r = base();
		r.visibility = c->visibility;
		r.status = c->status;
		r.category = r.public_category = c->category;
		r.disclosed = c->disclosed;
		if (!c->has_public_text)
			r.public_mention_title = NULL;
		cr_expect_eq(view_shows(VIEW_INTERNAL, &r), c->internal, "case %zu internal", i);
		cr_expect_eq(view_shows(VIEW_CUSTOMER, &r), c->customer, "case %zu customer", i);
		cr_expect_eq(view_shows(VIEW_PUBLIC, &r), c->public_, "case %zu public", i);
	}
}

Test(view, outside_titles_never_come_from_private_text)
{
	struct idea_record r = base();
	cr_expect_str_eq(view_title(VIEW_INTERNAL, &r), "Acme asked: per-app exit nodes");
	cr_expect_str_eq(view_title(VIEW_PUBLIC, &r), "Per-app exit nodes");
	r.public_title = "App-based exit routing";
	cr_expect_str_eq(view_title(VIEW_CUSTOMER, &r), "App-based exit routing", "a person's words win");
	r.public_title = NULL;
	r.public_mention_title = NULL;
	cr_expect_null(view_title(VIEW_PUBLIC, &r));
	cr_expect_null(view_idea(VIEW_PUBLIC, &r, 1));
}

static bool has(json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

Test(view, each_view_carries_only_its_fields)
{
	struct idea_record r = base();
	static const char *const internal_only[] = {"owner", "decision_note", "declined_reason",
						    "breakdown", "visibility", "created_at",
						    "runtime", "votes", "public_title", "score", NULL};
	json_t *in = view_idea(VIEW_INTERNAL, &r, 3);
	json_t *cu = view_idea(VIEW_CUSTOMER, &r, 3);
	json_t *pu = view_idea(VIEW_PUBLIC, &r, 3);
	cr_assert(in && cu && pu);
	for (int i = 0; internal_only[i]; i++) {
		cr_expect(has(in, internal_only[i]), "internal has %s", internal_only[i]);
		cr_expect(!has(cu, internal_only[i]), "customer lacks %s", internal_only[i]);
		cr_expect(!has(pu, internal_only[i]), "public lacks %s", internal_only[i]);
	}
	cr_expect(!has(cu, "updated_at"), "customers get no dates");
	cr_expect(has(pu, "updated_at"), "the public feed needs a date per entry");
	static const char *const common[] = {"id", "title", "rank", "category", "segments",
					     "bridge", "status", "stage", "demand", "links", NULL};
	for (int i = 0; common[i]; i++)
		cr_expect(has(pu, common[i]) && has(cu, common[i]) && has(in, common[i]), "%s everywhere",
			  common[i]);
	cr_expect(json_is_true(json_object_get(pu, "bridge")));
	cr_expect_eq(json_integer_value(json_object_get(pu, "rank")), 3);
	/* outside: what private data cannot move, never the internal counts */
	for (json_t **o = (json_t *[]){cu, pu, NULL}; *o; o++) {
		json_t *d = json_object_get(*o, "demand");
		cr_expect_eq(json_integer_value(json_object_get(d, "requesters")), 1);
		cr_expect_eq(json_integer_value(json_object_get(d, "mentions")), 2);
		cr_expect_eq(json_integer_value(json_object_get(d, "sources")), 1);
	}
	cr_expect_str_eq(json_string_value(json_object_get(pu, "updated_at")), "2026-01-15T00:00:00Z");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(in, "demand"), "requesters")), 4);
	r.category = "security"; /* rescored from a private label: outside keeps the published one */
	json_t *pu2 = view_idea(VIEW_PUBLIC, &r, 3);
	cr_assert(pu2, "the published category decides the embargo outside");
	cr_expect_str_eq(json_string_value(json_object_get(pu2, "category")), "feature");
	json_decref(pu2);
	char *s = json_dumps(pu, 0);
	cr_expect(!strstr(s, "Acme") && !strstr(s, "Olga") && !strstr(s, "renewal"), "%s", s);
	free(s);
	json_decref(in);
	json_decref(cu);
	json_decref(pu);
}

Test(view, roadmap_columns)
{
	cr_expect_str_eq(view_roadmap_group("in_progress"), "now");
	cr_expect_str_eq(view_roadmap_group("planned"), "next");
	cr_expect_str_eq(view_roadmap_group("under_review"), "later");
	cr_expect_str_eq(view_roadmap_group("shipped"), "shipped");
	cr_expect_null(view_roadmap_group("new"));
	cr_expect_null(view_roadmap_group("declined"));
	cr_expect_null(view_roadmap_group("merged"));
	enum view v;
	cr_expect_eq(view_from_name("customer", &v), 0);
	cr_expect_eq(v, VIEW_CUSTOMER);
	cr_expect_eq(view_from_name("Customer", &v), -1);
	cr_expect_eq(view_from_name(NULL, &v), -1);
}
