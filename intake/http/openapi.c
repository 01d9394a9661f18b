/* intake/http/openapi.c - GET /api/v1/openapi.json: the OpenAPI 3.1
 * description of every route (docs/openapi.json, embedded at build time so
 * the binary serves the description of exactly the routes it was built
 * with; tests/test_openapi.c holds the two against each other). */
#include <pthread.h>
#include <string.h>

#include "intake/http/cache.h"
#include "intake/http/router.h"
#include "triage/embed.h"

extern const struct embedded_file http_openapi_files[];

/* The document with its ETag, made once per process: it never changes
 * while the process runs. Owned by this file for the life of the process. */
static struct cached_reply doc;
static pthread_once_t doc_once = PTHREAD_ONCE_INIT;

static void doc_load(void)
{
	const struct embedded_file *f = embedded_find(http_openapi_files, "openapi.json");
	/* a copy, because struct cached_reply holds a writable body */
	char *body = f ? strndup((const char *)f->data, f->len) : NULL;
	if (!body)
		return;
	doc.body = body;
	doc.len = f->len;
	doc.content_type = "application/json";
	http_etag(doc.body, doc.len, doc.etag);
}

void openapi_get(struct http_ctx *c)
{
	pthread_once(&doc_once, doc_load);
	if (!doc.body) {
		http_problem(c, 500, NULL, "the OpenAPI description is missing from this build");
		return;
	}
	/* public and the same for everyone until the binary changes; the
	 * ETag lets a client revalidate cheaply after max-age */
	http_reply_cached(c, &doc, "public, max-age=300");
}
