/* intake/http/reply.c - the single exit of every request: headers, body, the
 * access log line and metrics. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/http/gate.h"
#include "intake/http/http.h"
#include "intake/http/ratelimit.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/http/server.h"
#include "intake/log.h"
#include "intake/metrics.h"
#include "intake/read/views.h"

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

static const char *method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "?";
}

const char *http_header(struct http_ctx *c, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(c->req), name);
}

void http_set_header(struct http_ctx *c, const char *name, const char *value)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
	evhttp_remove_header(h, name);
	evhttp_add_header(h, name, value);
}

/* The headers every reply carries, ours and the gate's alike. The pages keep
 * their CSS in a <style> block, hence 'unsafe-inline' for styles only; no
 * script runs at all. */
static const char *const base_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};
#define N_BASE (sizeof(base_headers) / sizeof(base_headers[0]))

size_t http_raw_problem(char *out, size_t len, int status, int retry_after, const char *detail)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
			      http_reason(status), "status", status, "detail", detail);
	char *body = p ? json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(p);
	int n = snprintf(out, len,
			 "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n",
			 status, http_reason(status), body ? strlen(body) + 1 : 0);
	if (retry_after > 0 && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, "Retry-After: %d\r\n", retry_after);
	for (size_t i = 0; i < N_BASE && n >= 0 && (size_t)n < len; i++)
		n += snprintf(out + n, len - (size_t)n, "%s: %s\r\n", base_headers[i][0],
			      base_headers[i][1]);
	if (n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, "\r\n%s\n", body ? body : "");
	free(body);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

bool http_authenticated_request(struct http_ctx *c)
{
	/* either cookie name counts: a stale one still marks a private answer */
	char buf[256];
	return http_header(c, "Authorization") ||
	       http_cookie(c, HTTP_SESSION_COOKIE, buf, sizeof(buf)) != NULL ||
	       http_cookie(c, "__Host-" HTTP_SESSION_COOKIE, buf, sizeof(buf)) != NULL;
}

void http_reply(struct http_ctx *c, int status, const char *content_type, struct evbuffer *body)
{
	if (c->replied) { /* a handler bug; never send twice */
		if (body)
			evbuffer_free(body);
		return;
	}
	c->replied = true;
	c->status = status;
	/* a write that succeeded may change what the roadmaps show */
	int cmd = evhttp_request_get_command(c->req);
	if (status < 400 && !c->keeps_views && cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD)
		views_changed();
	struct evkeyvalq *h = evhttp_request_get_output_headers(c->req);
	if (content_type)
		http_set_header(c, "Content-Type", content_type);
	evhttp_add_header(h, "X-Request-Id", c->request_id);
	/* a handler may have set a stricter one (the pages' own CSP) */
	for (size_t i = 0; i < N_BASE; i++)
		if (!evhttp_find_header(h, base_headers[i][0]))
			evhttp_add_header(h, base_headers[i][0], base_headers[i][1]);
	/* an answer to a signed-in request is that person's: never cached */
	if (http_authenticated_request(c))
		http_set_header(c, "Cache-Control", "no-store");
	else if (!evhttp_find_header(h, "Cache-Control"))
		evhttp_add_header(h, "Cache-Control", "no-store");
	/* a failed credential costs a sign-in token, and so does every failed
	 * sign-in, whatever failed (the token, or the form's CSRF token) */
	bool signin = c->route >= 0 && http_routes[c->route].rate == RATE_SIGNIN;
	/* the address the rate limits count (a trusted proxy's forwarded one),
	 * read before the reply: the request is not ours once it is sent */
	char addr[64] = ""; /* a fuzz harness's request has no connection */
	if (evhttp_request_get_connection(c->req))
		http_client_address(c, addr, sizeof(addr));
	if (status == 401 || (signin && status >= 400))
		(void)ratelimit_take(http_ratelimit(c), RL_SIGNIN, addr);
	evhttp_send_reply(c->req, status, http_reason(status), body);
	if (body)
		evbuffer_free(body);

	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	double secs = (double)(end.tv_sec - c->start.tv_sec) +
		      (double)(end.tv_nsec - c->start.tv_nsec) / 1e9;
	metrics_observe(c->route, status, secs);
	/* The path only: a query string could carry user text. Never headers. */
	log_json(status >= 500 ? LOG_WARN : LOG_INFO, "request",
		 json_pack("{s:s, s:s, s:i, s:f, s:s, s:s}", "method",
			   method_name(cmd), "path",
			   c->path ? c->path : "", "status", status, "duration_ms", secs * 1000.0,
			   "request_id", c->request_id, "client", addr));
}

void http_reply_json(struct http_ctx *c, int status, json_t *body)
{
	struct evbuffer *buf = evbuffer_new();
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(body);
	if (s) {
		evbuffer_add(buf, s, strlen(s));
		evbuffer_add(buf, "\n", 1);
		free(s);
	}
	http_reply(c, status, "application/json", buf);
}

int http_problem(struct http_ctx *c, int status, const char *field, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title",
			      http_reason(status), "status", status, "detail", detail);
	if (!p) /* detail was not valid UTF-8 (it echoed input): say less */
		p = json_pack("{s:s, s:s, s:i}", "type", "about:blank", "title",
			      http_reason(status), "status", status);
	if (field && *field)
		json_object_set_new(p, "field", json_string(field));
	if (c->path)
		json_object_set_new(p, "instance", json_string(c->path));
	json_object_set_new(p, "request_id", json_string(c->request_id));
	struct evbuffer *buf = evbuffer_new();
	char *s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	if (s) {
		evbuffer_add(buf, s, strlen(s));
		evbuffer_add(buf, "\n", 1);
		free(s);
	}
	http_reply(c, status, "application/problem+json", buf);
	return -1;
}

int http_db_unavailable(struct http_ctx *c, const char *why)
{
	metrics_add(M_DB_ERRORS, 1);
	http_set_header(c, "Retry-After", "2");
	log_msg(LOG_WARN, "database unavailable: %s", why ? why : "");
	return http_problem(c, 503, NULL, "the database is not answering; try again shortly");
}
