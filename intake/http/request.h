/* intake/http/request.h - reading a request safely: who is asking, and the
 * body as JSON. Each helper either succeeds or has already answered the
 * client with a problem document, so a handler just returns on failure. */
#ifndef INTAKE_HTTP_REQUEST_H
#define INTAKE_HTTP_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "intake/auth.h"
#include "intake/http/http.h"
#include "triage/view.h"

/* Checks the bearer token for a role allowed to do what needs `need`.
 * 0 and *who, or -1 after answering 401 (no/unknown/revoked token),
 * 403 (wrong role) or 503. */
int http_require_role(struct http_ctx *c, enum role need, struct principal *who)
    __attribute__((warn_unused_result));

/* The bearer token's principal if one was sent and is valid: 1; 0 when no
 * Authorization header was sent; -1 after answering 401/503 for a bad one. */
int http_optional_principal(struct http_ctx *c, struct principal *who)
    __attribute__((warn_unused_result));

/* The sign-in cookie holding a token for the web pages. */
#define HTTP_SESSION_COOKIE "it_session"

/* The value of cookie name copied into buf (len bytes), or NULL when absent
 * or too long. */
const char *http_cookie(struct http_ctx *c, const char *name, char *buf, size_t len);

/* Who may read a view: public anyone, customer a customer token or above,
 * internal a triager. 0, or -1 after answering 401/403. */
int http_view_allowed(struct http_ctx *c, enum view v) __attribute__((warn_unused_result));

/* Double-submit CSRF check: the form's token equals the cookie the page
 * set (constant-time compare, at least 20 characters). */
bool http_csrf_ok(struct http_ctx *c, const char *cookie_name, const char *form_token);

/* True when the request's Content-Type is mime (parameters ignored). */
bool http_content_type_is(struct http_ctx *c, const char *mime);

/* The body as a new NUL-terminated string; *len its length. Never NULL
 * (an empty body is ""). The caller frees. */
char *http_body(struct http_ctx *c, size_t *len);

/* The body parsed as a JSON value (new). NULL after answering 415 (not
 * application/json), 400 (empty, invalid UTF-8, malformed: with line and
 * column). */
json_t *http_json_body(struct http_ctx *c);

/* A query parameter (new string) or NULL. */
char *http_query_param(struct http_ctx *c, const char *name);

/* Parses the query string into *out (the caller clears it with
 * evhttp_clear_headers). 0, or -1 after answering 400 for a malformed
 * string, a parameter not in allowed (NULL-terminated) or invalid UTF-8. */
struct evkeyvalq;
int http_query(struct http_ctx *c, struct evkeyvalq *out, const char *const *allowed)
    __attribute__((warn_unused_result));

/* The path parameter i as a positive id; 0 after answering 404. */
int64_t http_param_id(struct http_ctx *c, int i);

#endif
