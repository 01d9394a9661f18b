/* intake/http/paging.c - list answers and their next-page links
 * (paging.h). */
#include "intake/http/paging.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

json_t *http_list_body(json_t *items, const char *next)
{
	return json_pack("{s:o s:o}", "items", items, "next", next ? json_string(next) : json_null());
}

/* Appends key=value to b, both percent-encoded (only RFC 3986's unreserved
 * characters stay as they are, so nothing a client sent can end the
 * header's <...> or add a parameter). 0, or -1 when out of memory. */
static int add_pair(struct evbuffer *b, const char *key, const char *value)
{
	char *k = evhttp_encode_uri(key), *v = evhttp_encode_uri(value);
	int rc = k && v && evbuffer_add_printf(b, "%s%s=%s", evbuffer_get_length(b) ? "&" : "", k,
					       v) >= 0
		     ? 0
		     : -1;
	free(k);
	free(v);
	return rc;
}

char *http_next_url(struct http_ctx *c, const char *next)
{
	if (!next || !c->path)
		return NULL;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(c->req);
	const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
	struct evkeyvalq q;
	TAILQ_INIT(&q);
	/* the handler parsed this query already (http_query): it parses */
	if (query && evhttp_parse_query_str(query, &q) < 0)
		return NULL;
	struct evbuffer *b = evbuffer_new();
	int rc = b ? 0 : -1;
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, &q, next)
	{
		if (rc == 0 && strcmp(kv->key, HTTP_CURSOR_PARAM) != 0)
			rc = add_pair(b, kv->key, kv->value);
	}
	evhttp_clear_headers(&q);
	if (rc == 0)
		rc = add_pair(b, HTTP_CURSOR_PARAM, next);
	char *out = NULL;
	size_t len = b ? evbuffer_get_length(b) : 0;
	size_t plen = strlen(c->path);
	if (rc == 0 && (out = malloc(plen + 1 + len + 1))) {
		memcpy(out, c->path, plen);
		out[plen] = '?';
		evbuffer_remove(b, out + plen + 1, len);
		out[plen + 1 + len] = '\0';
	}
	if (b)
		evbuffer_free(b);
	return out;
}

char *http_next_link(struct http_ctx *c, const char *next)
{
	char *url = http_next_url(c, next);
	if (!url)
		return NULL;
	char *link = NULL;
	if (asprintf(&link, "<%s>; rel=\"next\"", url) < 0)
		link = NULL;
	free(url);
	return link;
}
