/* triage/view.h - what each audience may see. The ONE place where redaction
 * is decided: every output (API, roadmap HTML/JSON/CSV/Markdown/Atom,
 * exports, pages) renders only the objects view_idea() builds, so a new
 * format cannot show a field this file did not allow.
 *
 *   internal  PMs, engineers: everything, with the score breakdown.
 *   customer  customers under NDA: ideas marked customer or public, no dates,
 *             no customer, ARR, employee, e-mail or internal note, no
 *             security idea before it ships and is disclosed.
 *   public    everyone: ideas marked public, the same exclusions, and no
 *             text from a sales or employee mention at all.
 *
 * Outside (customer and public) views show nothing that private data
 * moves: no score (a rank instead, ordered by public demand), the
 * classification fixed when a person published the idea, demand counted
 * from public non-staff mentions only, and (public) the time something
 * public last changed. They read only the public_* fields below. */
#ifndef TRIAGE_VIEW_H
#define TRIAGE_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum view { VIEW_INTERNAL, VIEW_CUSTOMER, VIEW_PUBLIC };

/* The words an idea's fields take, NULL-terminated, in their natural order.
 * idea_statuses leaves out "merged": only a merge sets it. */
extern const char *const idea_statuses[];
extern const char *const idea_stages[];
extern const char *const idea_categories[];
extern const char *const idea_segments[];
extern const char *const idea_runtimes[];
extern const char *const idea_visibilities[];

/* True when s is one of words (NULL-terminated); false for NULL. */
bool view_one_of(const char *s, const char *const *words);

const char *view_name(enum view v);
int view_from_name(const char *s, enum view *out); /* 0, or -1 when unknown */

#define VIEW_MAX_LINKS 5

/* Everything stored about an idea that any view might show. Strings are
 * borrowed; NULL means not set. */
struct idea_record {
	int64_t id;
	const char *title;                /* may come from a private mention */
	const char *public_title;         /* written by a person for outside readers */
	const char *public_mention_title; /* the earliest live public post's title */
	const char *status, *stage, *category, *runtime, *visibility;
	int segments; /* SEG_* bits */
	bool table_stakes, disclosed;
	double score;
	const char *breakdown_json; /* the score breakdown (internal) */
	const char *owner, *decision_note, *declined_reason; /* internal */
	int requesters, mentions, sources, votes;
	const char *public_links[VIEW_MAX_LINKS]; /* URLs of public threads */
	int nlinks;
	const char *created_at, *updated_at; /* ISO 8601 (internal) */
	/* what outside views show instead of the fields above */
	const char *public_category;  /* as published, or a person's override */
	int public_segments;          /* SEG_* bits, likewise */
	int public_requesters, public_mentions, public_sources; /* public, not staff */
	const char *public_updated_at; /* ISO 8601: when something public changed */
};

/* A security idea stays hidden outside until it has shipped and been
 * disclosed (by its public category when it has one). */
bool view_security_embargoed(const struct idea_record *r);

/* The title view may show, or NULL when it may show none: outside the
 * company only a person-written public title or a public thread's own
 * title is ever shown, never text from a sales note or an employee. */
const char *view_title(enum view v, const struct idea_record *r);

/* True when view may list the idea at all. */
bool view_shows(enum view v, const struct idea_record *r);

/* The idea as view may show it (new object), or NULL when view_shows() is
 * false. rank: 1-based position in the view's ranking (0: leave it out).
 * Fields: id, title, rank, category, segments, bridge, status, stage,
 * demand {requesters, mentions, sources}, links, the outside ones from the
 * public_* fields; public adds updated_at (public_updated_at, for its
 * feed; customers get no dates); internal adds score, runtime,
 * visibility, table_stakes, disclosed, owner, decision_note,
 * declined_reason, votes, breakdown, created_at, updated_at. */
json_t *view_idea(enum view v, const struct idea_record *r, int64_t rank);

/* The roadmap column of a status: "now" (in progress), "next" (planned),
 * "later" (under review), "shipped"; NULL when it is not on a roadmap. */
const char *view_roadmap_group(const char *status);

/* Human heading of a roadmap column ("Now", ...). */
const char *view_roadmap_heading(const char *group);

#endif
