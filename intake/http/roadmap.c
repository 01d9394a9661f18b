/* intake/http/roadmap.c - GET /roadmap/{view}: the roadmap as HTML, or
 * JSON, CSV, Markdown (and Atom for the public one) by ?format= or Accept.
 * Every answer carries an ETag; the public roadmap is also kept rendered in
 * each worker for a few seconds (and until this process changes anything),
 * so a busy public roadmap costs no database work. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "intake/auth.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/render.h"
#include "intake/views.h"

#define PUBLIC_CACHE_MS 5000

struct cached {
	char *body;
	size_t len;
	char etag[40];
	unsigned generation;
	int64_t expires_ms;
};

struct cache {
	struct cached entry[5]; /* by format */
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
	struct cache *k = p;
	for (int i = 0; i < 5; i++)
		free(k->entry[i].body);
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

static void etag_of(const char *body, size_t len, char out[40])
{
	char hex[65];
	auth_sha256_hex(body, len, hex);
	snprintf(out, 40, "\"%.32s\"", hex);
}

/* The format asked for: ?format= wins, else the Accept header, else HTML. */
static int pick_format(struct http_ctx *c, const char *param, enum format *f)
{
	if (param) {
		if (format_from_name(param, f) < 0)
			return http_problem(c, 400, "format", "format must be html, json, csv, md or atom");
		return 0;
	}
	const char *accept = http_header(c, "Accept");
	*f = FMT_HTML;
	if (!accept || strstr(accept, "text/html"))
		return 0;
	if (strstr(accept, "application/json"))
		*f = FMT_JSON;
	else if (strstr(accept, "text/csv"))
		*f = FMT_CSV;
	else if (strstr(accept, "text/markdown"))
		*f = FMT_MD;
	else if (strstr(accept, "application/atom+xml"))
		*f = FMT_ATOM;
	return 0;
}

static void send_roadmap(struct http_ctx *c, enum view v, enum format f, const char *body, size_t len,
		 const char *etag)
{
	http_set_header(c, "ETag", etag);
	http_set_header(c, "Cache-Control", v == VIEW_PUBLIC ? "public, max-age=30" : "private, no-cache");
	http_set_header(c, "Vary", "Accept, Authorization, Cookie");
	const char *inm = http_header(c, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		http_reply(c, 304, NULL, NULL);
		return;
	}
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, body, len);
	http_reply(c, 200, format_content_type(f), b);
}

void roadmap_get(struct http_ctx *c)
{
	enum view v;
	if (view_from_name(c->params[0], &v) < 0) {
		http_problem(c, 404, NULL, "no such roadmap: views are internal, customer and public");
		return;
	}
	static const char *const params[] = {"format", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	enum format f;
	int rc = pick_format(c, evhttp_find_header(&q, "format"), &f);
	evhttp_clear_headers(&q);
	if (rc < 0)
		return;
	if (f == FMT_ATOM && v != VIEW_PUBLIC) {
		http_problem(c, 400, "format", "the Atom feed is only for the public roadmap");
		return;
	}
	if (http_view_allowed(c, v) < 0)
		return;
	struct cached *hit = NULL;
	if (v == VIEW_PUBLIC) {
		hit = &thread_cache()->entry[f];
		if (hit->body && hit->generation == views_generation() && now_ms() < hit->expires_ms) {
			send_roadmap(c, v, f, hit->body, hit->len, hit->etag);
			return;
		}
	}
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "roadmap");
		return;
	}
	unsigned gen = views_generation();
	char *body;
	size_t len;
	struct err err = {0};
	if (roadmap_render(db_conn(db), http_triage(c), v, f, &body, &len, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	char etag[40];
	etag_of(body, len, etag);
	send_roadmap(c, v, f, body, len, etag);
	if (hit) {
		free(hit->body);
		*hit = (struct cached){.body = body, .len = len, .generation = gen,
				       .expires_ms = now_ms() + PUBLIC_CACHE_MS};
		memcpy(hit->etag, etag, sizeof(etag));
	} else {
		free(body);
	}
}
