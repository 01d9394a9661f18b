/* The router's path matcher (router_match, router_allow in
 * intake/http/router.c). Input: the first byte picks the method, the rest is
 * the path. A match must be exact: the route's pattern with its captured
 * {params} put back gives the path again. */
#include <event2/http.h>
#include <string.h>

#include "fuzz.h"
#include "intake/http/router.h"

static const int methods[] = {EVHTTP_REQ_GET,   EVHTTP_REQ_HEAD, EVHTTP_REQ_POST,
                              EVHTTP_REQ_PATCH, EVHTTP_REQ_PUT,  EVHTTP_REQ_DELETE};

static void rebuild(const char *pattern, const struct http_ctx *c, char *out, size_t len)
{
	int k = 0;
	*out = '\0';
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			FUZZ_ASSERT(k < HTTP_MAX_PARAMS && c->params[k]);
			const char *param = c->params[k++];
			FUZZ_ASSERT(*param && !strchr(param, '/'));
			snprintf(out + strlen(out), len - strlen(out), "%s", param);
			p = strchr(p, '}') + 1;
		} else {
			snprintf(out + strlen(out), len - strlen(out), "%c", *p++);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 2048)
		return 0;
	int method = methods[data[0] % 6];
	char *path = fuzz_strndup(data + 1, size - 1);
	struct http_ctx c = {0};
	int path_matched = -1;
	int i = router_match(&c, path, method, &path_matched);
	FUZZ_ASSERT(i >= -1 && i < http_routes_len);
	FUZZ_ASSERT(path_matched == 0 || path_matched == 1);
	char allow[128];
	router_allow(path, allow, sizeof(allow));
	if (i >= 0) {
		FUZZ_ASSERT(http_routes[i].methods & method);
		char again[4096];
		rebuild(http_routes[i].pattern, &c, again, sizeof(again));
		FUZZ_ASSERT(strcmp(again, path) == 0);
		FUZZ_ASSERT(*allow);
	} else {
		FUZZ_ASSERT(!path_matched || *allow); /* a 405 names what is allowed */
	}
	free(path);
	return 0;
}
