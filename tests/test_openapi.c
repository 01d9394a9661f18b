/* The API's description (docs/openapi.json) against the router: every route
 * of intake/http/router.c (http_routes[]) is described with its method, and
 * every described path and method is a route; each operation names its role;
 * GET /api/v1/openapi.json serves the very same document. A route added
 * without its description, or a description left behind by a removed
 * route, fails here. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "intake/http/router.h"
#include "support.h"

#define DOC_PATH TEST_SOURCE_DIR "/../docs/openapi.json"

static char *conninfo;
static struct tserver *srv;
static json_t *doc;

static void start(void)
{
	conninfo = testdb_create("openapi");
	srv = tserver_start(conninfo, NULL, NULL);
	json_error_t e;
	doc = json_load_file(DOC_PATH, JSON_REJECT_DUPLICATES, &e);
	cr_assert(doc, "%s: line %d: %s", DOC_PATH, e.line, e.text);
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	json_decref(doc);
	free(conninfo);
}

TestSuite(openapi, .init = start, .fini = stop, .timeout = 120);

/* The router's method bits and the description's lower-case names. HEAD
 * rides with GET in the router (a GET route answers HEAD), so it is not
 * described on its own. */
static const struct {
	int bit;
	const char *name;
} methods[] = {{EVHTTP_REQ_GET, "get"},       {EVHTTP_REQ_POST, "post"},
	       {EVHTTP_REQ_PUT, "put"},       {EVHTTP_REQ_PATCH, "patch"},
	       {EVHTTP_REQ_DELETE, "delete"}, {EVHTTP_REQ_OPTIONS, "options"}};
#define NMETHODS ((int)(sizeof(methods) / sizeof(methods[0])))

/* The route of pattern that takes method bit, or NULL. */
static const struct route *route_for(const char *pattern, int bit)
{
	for (int i = 0; i < http_routes_len; i++)
		if (strcmp(http_routes[i].pattern, pattern) == 0 && (http_routes[i].methods & bit))
			return &http_routes[i];
	return NULL;
}

Test(openapi, every_route_is_described)
{
	json_t *paths = json_object_get(doc, "paths");
	cr_assert(json_is_object(paths));
	for (int i = 0; i < http_routes_len; i++) {
		const struct route *rt = &http_routes[i];
		json_t *item = json_object_get(paths, rt->pattern);
		cr_expect(json_is_object(item), "route %s is not in docs/openapi.json", rt->pattern);
		for (int m = 0; m < NMETHODS; m++)
			if (rt->methods & methods[m].bit)
				cr_expect(json_object_get(item, methods[m].name),
					  "%s %s is not in docs/openapi.json", methods[m].name,
					  rt->pattern);
	}
}

/* Every {x} of path is declared as a required path parameter of op. */
static void expect_path_params(const char *path, const char *method, json_t *op)
{
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = strcspn(p + 1, "}");
		bool found = false;
		size_t i;
		json_t *param;
		json_array_foreach(json_object_get(op, "parameters"), i, param)
		{
			const char *name = json_string_value(json_object_get(param, "name"));
			found = found ||
				(name && strlen(name) == n && strncmp(name, p + 1, n) == 0 &&
				 strcmp(json_string_value(json_object_get(param, "in")), "path") == 0 &&
				 json_is_true(json_object_get(param, "required")));
		}
		cr_expect(found, "%s %s: path parameter %.*s is not declared", method, path, (int)n,
			  p + 1);
	}
}

Test(openapi, every_description_is_a_route)
{
	const char *path;
	json_t *item;
	json_object_foreach(json_object_get(doc, "paths"), path, item)
	{
		const char *method;
		json_t *op;
		json_object_foreach(item, method, op)
		{
			int bit = 0;
			for (int m = 0; m < NMETHODS; m++)
				if (strcmp(method, methods[m].name) == 0)
					bit = methods[m].bit;
			cr_expect(bit, "%s %s: not a method the router knows", method, path);
			if (!bit)
				continue;
			cr_expect(route_for(path, bit), "%s %s is described but is no route", method,
				  path);
			/* who may call it, said both ways: the security requirement
			 * for tools, x-role for people */
			cr_expect(json_is_string(json_object_get(op, "x-role")), "%s %s: no x-role",
				  method, path);
			cr_expect(json_is_array(json_object_get(op, "security")),
				  "%s %s: no security", method, path);
			cr_expect(json_object_size(json_object_get(op, "responses")) > 0,
				  "%s %s: no responses", method, path);
			expect_path_params(path, method, op);
		}
	}
}

Test(openapi, the_server_serves_the_same_document)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/openapi.json", srv->url);
	struct tresp *r = http_get(url);
	cr_assert(r);
	cr_expect_eq(r->status, 200, "%s", r->body);
	char *want = test_read_file(DOC_PATH);
	cr_assert(want);
	cr_expect(r->len == strlen(want) && memcmp(r->body, want, r->len) == 0,
		  "the served document differs from docs/openapi.json (rebuild?)");
	free(want);
	char *ct = tresp_header(r, "Content-Type");
	cr_expect(ct && strncmp(ct, "application/json", 16) == 0, "Content-Type: %s", ct);
	free(ct);
	char *cc = tresp_header(r, "Cache-Control");
	cr_expect(cc && strstr(cc, "public"), "Cache-Control: %s", cc);
	free(cc);
	char *etag = tresp_header(r, "ETag");
	cr_assert(etag, "no ETag");
	tresp_free(r);

	/* no token needed, and a revalidation costs no body */
	char inm[128];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	const char *hdrs[] = {inm, NULL};
	r = http_do("GET", url, hdrs, NULL, 0);
	cr_assert(r);
	cr_expect_eq(r->status, 304);
	tresp_free(r);
	free(etag);
}

/* Real answers (an idea posted, patched and read, the backlog in its three
 * views, similar, stats, audit, connectors, sales notes, roadmaps, problems)
 * validated against the document's schemas by tests/openapi_check.py with
 * Debian's python3-jsonschema: Debian's interpreter first, where that
 * package installs, else the python3 on PATH if it has jsonschema. */
Test(openapi, real_answers_match_the_schemas)
{
	char *sub = test_token(conninfo, "submitter", "sam");
	char *tri = test_token(conninfo, "triager", "tess");
	char *adm = test_token(conninfo, "admin", "ada");
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "SUBMITTER_TOKEN='%s' TRIAGER_TOKEN='%s' ADMIN_TOKEN='%s' sh -c '"
		 "for p in /usr/bin/python3 python3; do"
		 " \"$p\" -c \"import jsonschema\" 2>/dev/null && exec \"$p\" \"$@\"; done;"
		 " echo \"python3-jsonschema is missing (scripts/dev test installs it)\"; exit 1'"
		 " sh %s/openapi_check.py %s %s",
		 sub, tri, adm, TEST_SOURCE_DIR, DOC_PATH, srv->url);
	int rc = system(cmd);
	cr_expect_eq(rc, 0, "tests/openapi_check.py found an answer the document does not describe");
	free(sub);
	free(tri);
	free(adm);
}
