/* intake/http/router.h - the route table: method, path pattern, handler. */
#ifndef INTAKE_HTTP_ROUTER_H
#define INTAKE_HTTP_ROUTER_H

#include "intake/http/http.h"

typedef void (*http_handler)(struct http_ctx *c);

enum body_limit { BODY_NONE, BODY_JSON, BODY_UPLOAD };

/* Which per-address token bucket a request takes from (intake/http/ratelimit.h):
 * RATE_SIGNIN is checked before any credential is looked up; RATE_PUBLIC
 * counts anonymous requests to the public pages and API. */
enum rate_class { RATE_NONE, RATE_PUBLIC, RATE_SIGNIN };

struct route {
	int methods;         /* EVHTTP_REQ_* bits */
	const char *pattern; /* "/api/v1/ideas/{id}"; {x} matches one segment */
	http_handler handler;
	enum body_limit body;
	enum rate_class rate;
};

extern const struct route http_routes[];
extern const int http_routes_len;

/* Finds the route for path; fills c->params. Returns the index, or -1 with
 * *path_matched set when the path exists for other methods (405). */
int router_match(struct http_ctx *c, const char *path, int method, int *path_matched);

/* The Allow header value for route patterns equal to path (for 405). */
void router_allow(const char *path, char *out, size_t outlen);

/* Handlers (one file per resource). */
void health_healthz(struct http_ctx *c);
void health_readyz(struct http_ctx *c);
void health_metrics(struct http_ctx *c);
void openapi_get(struct http_ctx *c);
void ideas_create(struct http_ctx *c);
void ideas_similar(struct http_ctx *c);
void ideas_merge(struct http_ctx *c);
void ideas_unmerge(struct http_ctx *c);
void submit_form(struct http_ctx *c);
void submit_post(struct http_ctx *c);
void submit_thanks(struct http_ctx *c);
void webhook_github(struct http_ctx *c);
void sales_notes_create(struct http_ctx *c);
void connectors_list(struct http_ctx *c);
void backlog_list(struct http_ctx *c);
void roadmap_get(struct http_ctx *c);
void idea_get(struct http_ctx *c);
void idea_patch(struct http_ctx *c);
void audit_list(struct http_ctx *c);
void stats_get(struct http_ctx *c);
void home_page(struct http_ctx *c);
void login_form(struct http_ctx *c);
void login_post(struct http_ctx *c);
void logout_post(struct http_ctx *c);
void board_page(struct http_ctx *c);
void idea_page(struct http_ctx *c);
void idea_page_post(struct http_ctx *c);
void idea_fold_post(struct http_ctx *c);
void idea_unfold_post(struct http_ctx *c);
void connectors_sync(struct http_ctx *c);

/* Helpers shared by handlers. */
#include <libpq-fe.h>
#include "triage/err.h"
/* The whole stats document (GET /api/v1/stats), or NULL with *err. */
json_t *stats_collect(PGconn *pg, struct err *err);
/* ["internal", "customer", "public"]: the views that show idea id now. */
json_t *idea_visible_in(PGconn *pg, int64_t id);
/* What a person's changes to an idea came to: applied, no such live idea,
 * or the version they were made on is no longer the idea's (nothing
 * changed), or -1 with the error. */
enum patch_outcome { PATCH_FAILED = -1, PATCH_NO_IDEA = 0, PATCH_APPLIED = 1, PATCH_STALE = 2 };
/* A person's changes to an idea in a transaction of their own (see
 * idea_update), only when if_match (an If-Match value; NULL: no condition)
 * still names the idea's ETag, checked under the idea's row lock so no
 * writer comes between the check and the change; etag: the ETag after the
 * change, read in the same transaction. */
enum patch_outcome idea_apply(struct http_ctx *c, PGconn *pg, int64_t id, json_t *changes,
			      const char *who, const char *if_match, int *changed, char etag[40],
			      struct err *err);
/* The ETag GET /api/v1/ideas/{id} sends for detail (idea_detail's
 * object) into etag; 0, or -1 when out of memory. */
int idea_detail_etag(json_t *detail, char etag[40]);

#endif
