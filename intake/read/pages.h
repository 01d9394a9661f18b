/* intake/read/pages.h - the HTML of the pages for people inside the
 * company, rendered through the templates (intake/read/template.h) from
 * the objects views.h and idea_detail.h build. Every function returns a
 * new string (NULL only when out of memory or a template is missing from
 * the build); every value is escaped by the templates. Nothing here knows
 * about requests: intake/http/ asks, checks and answers. */
#ifndef INTAKE_READ_PAGES_H
#define INTAKE_READ_PAGES_H

#include <jansson.h>

/* Who the layout names with a sign-out form (strings borrowed). */
struct page_account {
	const char *csrf, *name, *role;
};

/* content (borrowed: HTML a page function below rendered) in the site's
 * layout; account NULL shows no sign-out form. */
char *page_layout(const char *title, const char *content, const struct page_account *account)
    __attribute__((warn_unused_result));

/* The body of a 403 page: the role the page needs and the one the reader has. */
char *page_forbidden(const char *need, const char *have) __attribute__((warn_unused_result));

/* The sign-in form; next is where to go after (already checked to be a
 * local path, or ""), error NULL or what went wrong. */
char *page_login(const char *next, const char *error, const char *csrf)
    __attribute__((warn_unused_result));

/* The board's filters as they were asked for (borrowed, NULL = any). */
struct board_filters {
	const char *category, *segment, *bridge, *status, *visibility, *q;
};

/* The board: items (views_backlog's internal objects), stats
 * (stats_collect's object) drawn as the SRPF x segment chart, the filter
 * form, and a link to next_href (a URL, NULL on the last page). */
char *page_board(json_t *items, json_t *stats, const struct board_filters *f,
                 const char *next_href) __attribute__((warn_unused_result));

/* The idea page from idea_detail()'s object (borrowed), with the triage
 * and fold forms carrying csrf, and the triage form the detail's
 * "version" (its ETag, set by the caller); notice and error (NULL: none)
 * say what the last action did. */
char *page_idea(json_t *detail, const char *csrf, const char *notice, const char *error)
    __attribute__((warn_unused_result));

#endif
