/* intake/http/request.h - reading a request safely: who is asking, and the
 * body as JSON. Each helper either succeeds or has already answered the
 * client with a problem document, so a handler just returns on failure. */
#ifndef INTAKE_HTTP_REQUEST_H
#define INTAKE_HTTP_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#include "intake/http/auth.h"
#include "intake/http/http.h"
#include "triage/view.h"

/* Who is asking, with at least the role `need`: 0 and *who, or -1 after
 * answering 401 (no/unknown/revoked credentials), 403 (wrong role) or 503.
 * Credentials are the bearer token, else the web session cookie; on /api
 * the cookie counts only with an X-CSRF-Token header holding the session's
 * CSRF token or an Origin header of this site (a page of another site can
 * make a browser send the cookie, but neither of those). */
int http_require_role(struct http_ctx *c, enum role need, struct principal *who)
    __attribute__((warn_unused_result));

/* The principal of the request's credentials (as above): 1 and *who; 0
 * when none were sent (or only a session cookie that is unknown, ended, or
 * not allowed here); -1 after answering 401/503 for a bad bearer token. */
int http_optional_principal(struct http_ctx *c, struct principal *who)
    __attribute__((warn_unused_result));

/* The web session cookie (holding a random session id, never a token) and
 * the pre-session cookie that anonymous forms' CSRF tokens are bound to.
 * Served over HTTPS both are Secure and carry the __Host- prefix. */
#define HTTP_SESSION_COOKIE "ideatriage_session"
#define HTTP_PRESESSION_COOKIE "ideatriage_pre"

/* The value of cookie name copied into buf (len bytes), or NULL when absent
 * or too long. */
const char *http_cookie(struct http_ctx *c, const char *name, char *buf, size_t len);

/* True when the client reached us over HTTPS as auth.cookie_secure decides:
 * always, never, or auto (X-Forwarded-Proto: https from a trusted proxy). */
bool http_secure(struct http_ctx *c);

/* True when the peer address is one of auth.trusted_proxies. */
bool http_peer_trusted(struct http_ctx *c);

/* How many times header name was sent (case-insensitive). */
int http_header_count(struct http_ctx *c, const char *name);

/* The session cookie's value (under the name http_secure picks) into
 * buf[64], or NULL. */
const char *http_session_cookie(struct http_ctx *c, char buf[64]);

/* Adds a Set-Cookie for base (prefixed when secure): HttpOnly,
 * SameSite=Strict, Path=/; max_age_s < 0: a browser-session cookie;
 * value NULL: deletes it. */
void http_add_cookie(struct http_ctx *c, const char *base, const char *value, long max_age_s);

/* The CSRF token for a form on this page into out[65]: bound to the
 * session cookie when there is one, else to the pre-session cookie (set
 * here when absent). 0, or -1 when no randomness is available. */
int http_form_csrf(struct http_ctx *c, char out[65]) __attribute__((warn_unused_result));

/* True when form_token is the CSRF token of this request's cookies
 * (constant-time compare). */
bool http_form_csrf_ok(struct http_ctx *c, const char *form_token);

/* Who may read a view: public anyone, customer a customer token or above,
 * internal a triager. 0, or -1 after answering 401/403. */
int http_view_allowed(struct http_ctx *c, enum view v) __attribute__((warn_unused_result));

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
