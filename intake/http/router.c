#include "intake/http/router.h"

#include <stdio.h>
#include <string.h>

#include "intake/metrics.h"

#define GET EVHTTP_REQ_GET | EVHTTP_REQ_HEAD
#define POST EVHTTP_REQ_POST
#define PATCH EVHTTP_REQ_PATCH

const struct route http_routes[] = {
    {GET, "/healthz", health_healthz, BODY_NONE, RATE_NONE},
    {GET, "/readyz", health_readyz, BODY_NONE, RATE_NONE},
    {GET, "/metrics", health_metrics, BODY_NONE, RATE_NONE},
    {GET, "/api/v1/openapi.json", openapi_get, BODY_NONE, RATE_PUBLIC},
    {POST, "/api/v1/ideas", ideas_create, BODY_JSON, RATE_NONE},
    {GET, "/api/v1/ideas/{id}", idea_get, BODY_NONE, RATE_NONE},
    {PATCH, "/api/v1/ideas/{id}", idea_patch, BODY_JSON, RATE_NONE},
    {GET, "/api/v1/ideas/{id}/similar", ideas_similar, BODY_NONE, RATE_NONE},
    {GET, "/api/v1/backlog", backlog_list, BODY_NONE, RATE_PUBLIC},
    {GET, "/api/v1/stats", stats_get, BODY_NONE, RATE_NONE},
    {GET, "/api/v1/audit", audit_list, BODY_NONE, RATE_NONE},
    {GET, "/roadmap/{view}", roadmap_get, BODY_NONE, RATE_PUBLIC},
    {GET, "/", home_page, BODY_NONE, RATE_PUBLIC},
    {GET, "/login", login_form, BODY_NONE, RATE_PUBLIC},
    {POST, "/login", login_post, BODY_JSON, RATE_SIGNIN},
    {POST, "/logout", logout_post, BODY_JSON, RATE_NONE},
    {GET, "/board", board_page, BODY_NONE, RATE_PUBLIC},
    {GET, "/ideas/{id}", idea_page, BODY_NONE, RATE_PUBLIC},
    {POST, "/ideas/{id}", idea_page_post, BODY_JSON, RATE_NONE},
    {POST, "/ideas/{id}/fold", idea_fold_post, BODY_JSON, RATE_NONE},
    {POST, "/ideas/{id}/unfold", idea_unfold_post, BODY_JSON, RATE_NONE},
    {POST, "/api/v1/ideas/{id}/merge", ideas_merge, BODY_JSON, RATE_NONE},
    {POST, "/api/v1/ideas/{id}/unmerge", ideas_unmerge, BODY_NONE, RATE_NONE},
    {GET, "/submit", submit_form, BODY_NONE, RATE_PUBLIC},
    {POST, "/submit", submit_post, BODY_JSON, RATE_NONE},
    {GET, "/submit/thanks", submit_thanks, BODY_NONE, RATE_PUBLIC},
    {POST, "/webhooks/github", webhook_github, BODY_UPLOAD, RATE_NONE},
    {POST, "/api/v1/sales-notes", sales_notes_create, BODY_UPLOAD, RATE_NONE},
    {GET, "/api/v1/connectors", connectors_list, BODY_NONE, RATE_NONE},
    {POST, "/api/v1/connectors/{name}/sync", connectors_sync, BODY_NONE, RATE_NONE},
};
const int http_routes_len = sizeof(http_routes) / sizeof(http_routes[0]);

/* Matches pattern against path segment by segment; captures {x} segments. */
static int match(const char *pattern, const char *path, struct http_ctx *c)
{
	const char *p = pattern, *s = path;
	int nparams = 0;
	size_t used = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *pend = strchr(p, '}');
			size_t len = strcspn(s, "/");
			if (!pend || len == 0 || nparams >= HTTP_MAX_PARAMS ||
			    used + len + 1 > sizeof(c->param_buf))
				return 0;
			if (c) {
				memcpy(c->param_buf + used, s, len);
				c->param_buf[used + len] = '\0';
				c->params[nparams] = c->param_buf + used;
			}
			nparams++;
			used += len + 1;
			p = pend + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int router_match(struct http_ctx *c, const char *path, int method, int *path_matched)
{
	*path_matched = 0;
	for (int i = 0; i < http_routes_len; i++) {
		if (!match(http_routes[i].pattern, path, NULL))
			continue;
		if (!(http_routes[i].methods & method)) {
			*path_matched = 1;
			continue;
		}
		(void)match(http_routes[i].pattern, path, c);
		return i;
	}
	return -1;
}

void router_allow(const char *path, char *out, size_t outlen)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {{EVHTTP_REQ_GET, "GET"},     {EVHTTP_REQ_HEAD, "HEAD"},
		     {EVHTTP_REQ_POST, "POST"},   {EVHTTP_REQ_PUT, "PUT"},
		     {EVHTTP_REQ_PATCH, "PATCH"}, {EVHTTP_REQ_DELETE, "DELETE"}};
	int methods = 0;
	for (int i = 0; i < http_routes_len; i++)
		if (match(http_routes[i].pattern, path, NULL))
			methods |= http_routes[i].methods;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (methods & names[i].bit)
			snprintf(out + strlen(out), outlen - strlen(out), "%s%s", *out ? ", " : "",
				 names[i].name);
}
