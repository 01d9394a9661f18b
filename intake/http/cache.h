/* intake/http/cache.h - answers kept rendered in each worker for a few
 * seconds: public pages and API answers that anyone may read and many ask
 * for at once. Per worker thread, so no lock is taken. An entry is stale
 * after its time to live, or as soon as this process changes an idea
 * (views_generation), whichever comes first. */
#ifndef INTAKE_HTTP_CACHE_H
#define INTAKE_HTTP_CACHE_H

#include <stddef.h>

struct http_ctx;

struct cached_reply {
	char *body;
	size_t len;
	char etag[40]; /* quoted */
	const char *content_type; /* static */
	char *link; /* the Link header (a list's next page), or NULL */
};

/* How long a public answer may be served from memory (http.public_cache_ms;
 * 0 turns the cache off). Set once, before the workers start. */
void http_cache_set_ttl(long ms);

/* This worker's fresh entry for key, or NULL. */
const struct cached_reply *http_cache_get(const char *key);

/* Keeps body and link (both taken; link may be NULL) under key, computed
 * when the views had generation gen (read before the query, so a change
 * during it is not hidden); returns the entry. */
const struct cached_reply *http_cache_put(const char *key, char *body, size_t len,
					  const char *content_type, char *link, unsigned gen);

/* The ETag of body ("\"<32 hex>\"") into out[40]. */
void http_etag(const char *body, size_t len, char out[40]);

/* Answers with e (a cache entry, or any reply with its ETag): 304 when
 * If-None-Match has its ETag, else 200 and the body (borrowed from the
 * cache without copying, copied otherwise), with e's Link header if any;
 * cache_control is the Cache-Control header. */
void http_reply_cached(struct http_ctx *c, const struct cached_reply *e, const char *cache_control);

#endif
