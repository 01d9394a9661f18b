/* connectors/http.c - libcurl with every limit set. Upstream answers are
 * untrusted: the body is capped while it streams in (not only by the
 * Content-Length a server may lie about), and the cap counts decoded bytes,
 * so a small gzip body that inflates to gigabytes stops at the cap; header
 * lines are capped in number and length; the whole request has a deadline
 * (a server dripping a byte a second is cut); redirects are not followed;
 * and a transfer that ends early is an error, never a short body handed to
 * a JSON parser. */
#include "connectors/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_LINE_MAX 8192

struct chttp {
	CURL *curl;
	struct chttp_options opts;
};

/* What the callbacks fill during one transfer. */
struct transfer {
	struct chttp_response *r;
	size_t cap;
	size_t alloc;
	bool too_big;
	bool oom;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct chttp *chttp_new(const struct chttp_options *opts, struct err *err)
{
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		err_set(err, "libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	struct chttp *h = calloc(1, sizeof(*h));
	if (!h || !(h->curl = curl_easy_init())) {
		free(h);
		err_set(err, "out of memory");
		return NULL;
	}
	h->opts = *opts;
	return h;
}

void chttp_free(struct chttp *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	free(h);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	struct chttp_response *r = t->r;
	if (r->len + len > t->cap) {
		t->too_big = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (r->len + len + 1 > t->alloc) {
		size_t want = t->alloc ? t->alloc : 16384;
		while (want < r->len + len + 1)
			want *= 2;
		char *p = realloc(r->body, want);
		if (!p) {
			t->oom = true;
			return 0;
		}
		r->body = p;
		t->alloc = want;
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

/* One "Name: value" line; the status line and the blank line are skipped.
 * A new status line (after a redirect or a 100 Continue) starts over. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	struct chttp_response *r = t->r;
	size_t len = size * n;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		for (int i = 0; i < r->nheaders; i++) {
			free(r->names[i]);
			free(r->values[i]);
		}
		r->nheaders = 0;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	if (!colon || len > HEADER_LINE_MAX || r->nheaders >= CHTTP_MAX_HEADERS)
		return len; /* ignored, not fatal */
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char *name = strndup(data, (size_t)(colon - data));
	char *value = strndup(v, (size_t)(end - v));
	if (!name || !value) {
		free(name);
		free(value);
		t->oom = true;
		return 0;
	}
	r->names[r->nheaders] = name;
	r->values[r->nheaders++] = value;
	return len;
}

/* The URL up to its query: what an error message may show. */
static void url_for_log(const char *url, char *out, size_t outlen)
{
	size_t n = strcspn(url, "?#");
	snprintf(out, outlen, "%.*s", (int)(n < 300 ? n : 300), url);
}

/* Called by curl at least once a second: a shutdown aborts the transfer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	const struct chttp *h = arg;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return h->opts.cancel && atomic_load(h->opts.cancel) ? 1 : 0;
}

static void set_options(struct chttp *h, struct transfer *t)
{
	CURL *c = h->curl;
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* timeouts without SIGALRM: threads */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, h->opts.connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, h->opts.timeout_s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->opts.user_agent);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl decodes */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->opts.max_bytes);
	/* only http(s): a URL from upstream (a Link header, a stored cursor)
	 * cannot make us read file:// or speak another protocol */
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	/* Redirects are never followed: one would carry the request, and the
	 * token in its headers, wherever the upstream (or whoever sits in its
	 * place) points. A 3xx reaches the connector as a status, which it
	 * reports as a failed run. */
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, t);
	if (h->opts.cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
}

/* headers (NULL-terminated, may be NULL) and "Expect:" (no 100-continue
 * round trip) as a new list, or NULL when out of memory. */
static struct curl_slist *header_list(const char *const *headers)
{
	struct curl_slist *hl = NULL;
	for (int i = 0; headers && headers[i]; i++) {
		struct curl_slist *n = curl_slist_append(hl, headers[i]);
		if (!n) {
			curl_slist_free_all(hl);
			return NULL;
		}
		hl = n;
	}
	struct curl_slist *n = curl_slist_append(hl, "Expect:");
	if (!n)
		curl_slist_free_all(hl);
	return n;
}

/* The request's own options, after set_options' common ones. */
static void set_request(struct chttp *h, const char *method, const char *url,
                        struct curl_slist *hl, const char *body, const char *basic_user,
                        const char *basic_pass)
{
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	if (basic_user) {
		curl_easy_setopt(h->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h->curl, CURLOPT_USERNAME, basic_user);
		curl_easy_setopt(h->curl, CURLOPT_PASSWORD, basic_pass ? basic_pass : "");
	}
}

/* 0 when the transfer ended well, else -1 and *err saying why, for a person. */
static int transfer_result(const struct chttp *h, const struct transfer *t, CURLcode rc,
                           const char *where, struct err *err)
{
	if (t->oom)
		return err_set(err, "%s: out of memory", where);
	if (t->too_big || rc == CURLE_FILESIZE_EXCEEDED)
		return err_set(err, "%s: the response is larger than %zu bytes", where,
		               h->opts.max_bytes);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return err_set(err, "%s: cancelled (shutting down)", where);
	if (rc != CURLE_OK)
		/* CURLE_PARTIAL_FILE: fewer bytes than Content-Length, then the
		 * connection closed: the body was cut short */
		return err_set(err, "%s: %s%s", where, curl_easy_strerror(rc),
		               rc == CURLE_PARTIAL_FILE ? " (the response was cut short)" : "");
	return 0;
}

int chttp_request(struct chttp *h, const char *method, const char *url,
                  const char *const *headers, const char *body, const char *basic_user,
                  const char *basic_pass, struct chttp_response *out, struct err *err)
{
	struct chttp_response r = {0};
	struct transfer t = {.r = &r, .cap = h->opts.max_bytes};
	char where[320];
	url_for_log(url, where, sizeof(where));

	curl_easy_reset(h->curl); /* keeps the connection cache, drops last request's options */
	set_options(h, &t);
	struct curl_slist *hl = header_list(headers);
	if (!hl)
		return err_set(err, "%s: out of memory", where);
	set_request(h, method, url, hl, body, basic_user, basic_pass);
	CURLcode rc = curl_easy_perform(h->curl);
	curl_slist_free_all(hl);
	if (transfer_result(h, &t, rc, where, err) < 0)
		goto fail;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &r.status);
	if (!r.body && !(r.body = strdup(""))) {
		err_set(err, "%s: out of memory", where);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	chttp_response_clear(&r);
	return -1;
}

const char *chttp_header(const struct chttp_response *r, const char *name)
{
	const char *v = NULL;
	for (int i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->names[i], name) == 0)
			v = r->values[i];
	return v;
}

void chttp_response_clear(struct chttp_response *r)
{
	free(r->body);
	for (int i = 0; i < r->nheaders; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	memset(r, 0, sizeof(*r));
}

/* True when the space-separated relation list v (vlen bytes) holds "next". */
static bool rel_has_next(const char *v, size_t vlen)
{
	for (size_t i = 0; i < vlen;) {
		size_t w = 0;
		while (i + w < vlen && v[i + w] != ' ')
			w++;
		if (w == 4 && strncasecmp(v + i, "next", 4) == 0)
			return true;
		i += w + 1;
	}
	return false;
}

/* Link: <https://...&page=2>; rel="next", <https://...&page=5>; rel="last" */
char *chttp_link_next(const char *link)
{
	const char *p = link;
	while (p && *p) {
		const char *lt = strchr(p, '<');
		const char *gt = lt ? strchr(lt, '>') : NULL;
		if (!gt)
			return NULL;
		const char *end = strchr(gt, ',');
		if (!end)
			end = gt + strlen(gt);
		/* the parameters of this link: ; rel="next" ; ... */
		for (const char *q = gt + 1; q < end; q++) {
			if (strncasecmp(q, "rel=", 4) != 0)
				continue;
			const char *v = q + 4;
			size_t vlen;
			if (*v == '"') {
				v++;
				const char *close = memchr(v, '"', (size_t)(end - v));
				vlen = close ? (size_t)(close - v) : (size_t)(end - v);
			} else {
				vlen = strcspn(v, ";, ");
			}
			if (rel_has_next(v, vlen))
				return strndup(lt + 1, (size_t)(gt - lt - 1));
			break;
		}
		p = *end ? end + 1 : NULL;
	}
	return NULL;
}
