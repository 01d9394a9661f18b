#include "intake/http/cache.h"

#include <event2/buffer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intake/http/auth.h"
#include "intake/http/http.h"
#include "intake/read/views.h"

#define SLOTS 32

static long ttl_ms = 5000;

void http_cache_set_ttl(long ms)
{
	ttl_ms = ms;
}

/* A body shared by the cache and the replies still sending it: freed when
 * the last of them lets go. Only this worker's thread touches it. */
struct shared_body {
	int refs;
	char *data;
};

static void body_release(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	struct shared_body *b = arg;
	if (--b->refs == 0) {
		free(b->data);
		free(b);
	}
}

struct slot {
	char *key;
	struct cached_reply r;
	struct shared_body *shared;
	unsigned generation;
	int64_t expires_ms, used_ms;
};

struct cache {
	struct slot s[SLOTS];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void slot_clear(struct slot *s)
{
	free(s->key);
	free(s->r.link);
	if (s->shared)
		body_release(NULL, 0, s->shared);
	memset(s, 0, sizeof(*s));
}

static void cache_free(void *p)
{
	struct cache *k = p;
	for (int i = 0; i < SLOTS; i++)
		slot_clear(&k->s[i]);
	free(k);
}

static void cache_init(void)
{
	(void)pthread_key_create(&cache_key, cache_free);
}

static struct cache *thread_cache(void)
{
	pthread_once(&cache_once, cache_init);
	struct cache *k = pthread_getspecific(cache_key);
	if (!k) {
		k = calloc(1, sizeof(*k));
		(void)pthread_setspecific(cache_key, k);
	}
	return k;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct cached_reply *http_cache_get(const char *key)
{
	if (ttl_ms <= 0)
		return NULL;
	struct cache *k = thread_cache();
	int64_t now = now_ms();
	unsigned gen = views_generation();
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &k->s[i];
		if (!s->key || strcmp(s->key, key) != 0)
			continue;
		if (s->generation != gen || now >= s->expires_ms) {
			slot_clear(s);
			return NULL;
		}
		s->used_ms = now;
		return &s->r;
	}
	return NULL;
}

const struct cached_reply *http_cache_put(const char *key, char *body, size_t len,
					  const char *content_type, char *link, unsigned gen)
{
	struct cache *k = thread_cache();
	struct slot *victim = &k->s[0];
	for (int i = 0; i < SLOTS; i++) {
		struct slot *s = &k->s[i];
		if (s->key && strcmp(s->key, key) == 0) {
			victim = s;
			break;
		}
		if (!s->key || s->used_ms < victim->used_ms)
			victim = s; /* an empty slot, else the least recently used */
		if (!s->key)
			break;
	}
	slot_clear(victim);
	int64_t now = now_ms();
	victim->key = strdup(key);
	victim->shared = malloc(sizeof(*victim->shared));
	*victim->shared = (struct shared_body){.refs = 1, .data = body};
	victim->r = (struct cached_reply){.body = body, .len = len, .content_type = content_type,
				      .link = link};
	http_etag(body, len, victim->r.etag);
	victim->generation = gen;
	victim->expires_ms = now + ttl_ms;
	victim->used_ms = now;
	return &victim->r;
}

void http_etag(const char *body, size_t len, char out[40])
{
	char hex[65];
	auth_sha256_hex(body, len, hex);
	snprintf(out, 40, "\"%.32s\"", hex);
}

void http_reply_cached(struct http_ctx *c, const struct cached_reply *e, const char *cache_control)
{
	http_set_header(c, "ETag", e->etag);
	http_set_header(c, "Cache-Control", cache_control);
	if (e->link)
		http_set_header(c, "Link", e->link);
	const char *inm = http_header(c, "If-None-Match");
	if (inm && (strstr(inm, e->etag) || strcmp(inm, "*") == 0)) {
		http_reply(c, 304, NULL, NULL);
		return;
	}
	/* the reply borrows the cached bytes instead of copying them */
	struct shared_body *shared = NULL;
	struct cache *k = thread_cache();
	for (int i = 0; i < SLOTS && !shared; i++)
		if (&k->s[i].r == e)
			shared = k->s[i].shared;
	struct evbuffer *b = evbuffer_new();
	if (shared) {
		shared->refs++;
		if (evbuffer_add_reference(b, e->body, e->len, body_release, shared) < 0) {
			shared->refs--;
			evbuffer_add(b, e->body, e->len);
		}
	} else {
		evbuffer_add(b, e->body, e->len);
	}
	http_reply(c, 200, e->content_type, b);
}
