/* intake/read/views.h - the ranked backlog each audience may see, read from the
 * database and passed through triage/view.h (the one place that redacts).
 * Shared by the API, the roadmap pages, the exports and the board. */
#ifndef INTAKE_VIEWS_H
#define INTAKE_VIEWS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "intake/triage_ctx.h"
#include "triage/err.h"
#include "triage/view.h"

#define BACKLOG_MAX_LIMIT 500

/* Filters as the API takes them (strings borrowed, NULL = any). */
struct backlog_filter {
	enum view view;
	int limit;              /* 1..BACKLOG_MAX_LIMIT */
	const char *after;      /* the previous page's `next` */
	const char *category;   /* security|reliability|performance|feature */
	const char *segment;    /* vpn|platform */
	const char *bridge;     /* true|false */
	const char *status;     /* one status or a comma-separated list */
	const char *stage;      /* poc|alpha|beta|ga */
	const char *source;     /* github|reddit|sales|employee (outside: github|reddit) */
	const char *visibility; /* internal view only */
	const char *q;          /* text query */
};

/* One page of the view's ranking: *items a new array of view_idea()
 * objects, best first; *next a new string to pass as `after` for the next
 * page, or NULL on the last page (so a page is the last one exactly when
 * nothing follows it). On a bad filter returns -1 with err->field
 * naming the parameter (a 400); on a database error -1 with field empty. */
int views_backlog(PGconn *c, struct triage_ctx *t, const struct backlog_filter *f, json_t **items,
		  char **next, struct err *err) __attribute__((warn_unused_result));

/* One idea as view shows it (new object, without rank), 0 when the view
 * may not show it or there is no such idea (*out NULL), -1 on error. */
int views_idea(PGconn *c, enum view v, int64_t id, json_t **out, struct err *err)
    __attribute__((warn_unused_result));

/* A counter this process bumps whenever it changes ideas, so rendered
 * roadmaps kept in memory know they are stale. */
unsigned views_generation(void);
void views_changed(void);

#endif
