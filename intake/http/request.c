#include "intake/http/request.h"

#include <ctype.h>
#include <sys/queue.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/db.h"
#include "triage/text.h"

/* The value of cookie name (borrowed into buf), or NULL. */
const char *http_cookie(struct http_ctx *c, const char *name, char *buf, size_t len)
{
	const char *h = http_header(c, "Cookie");
	size_t n = strlen(name);
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			p += n + 1;
			size_t vlen = strcspn(p, ";");
			if (vlen >= len)
				return NULL;
			memcpy(buf, p, vlen);
			buf[vlen] = '\0';
			return buf;
		}
		p = strchr(p, ';');
	}
	return NULL;
}

bool http_peer_trusted(struct http_ctx *c)
{
	char *addr = NULL;
	ev_uint16_t port;
	evhttp_connection_get_peer(evhttp_request_get_connection(c->req), &addr, &port);
	for (int i = 0; addr && i < c->cfg->trusted_proxies.len; i++)
		if (strcmp(addr, c->cfg->trusted_proxies.items[i]) == 0)
			return true;
	return false;
}

int http_header_count(struct http_ctx *c, const char *name)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(c->req);
	struct evkeyval *kv;
	int n = 0;
	TAILQ_FOREACH(kv, h, next)
	n += strcasecmp(kv->key, name) == 0;
	return n;
}

bool http_secure(struct http_ctx *c)
{
	const char *mode = c->cfg->cookie_secure;
	if (strcmp(mode, "always") == 0)
		return true;
	if (strcmp(mode, "never") == 0)
		return false;
	/* auto: only a proxy we trust may say the client came over HTTPS */
	const char *proto = http_header(c, "X-Forwarded-Proto");
	return proto && strcasecmp(proto, "https") == 0 &&
	       http_header_count(c, "X-Forwarded-Proto") == 1 && http_peer_trusted(c);
}

/* A cookie under its name for this request: "__Host-" + base over HTTPS
 * (a name only a secure, host-only, Path=/ cookie may carry, so a sibling
 * domain or a plain-HTTP page cannot plant it), else base. */
static const char *cookie_get(struct http_ctx *c, const char *base, char buf[64])
{
	char name[64];
	snprintf(name, sizeof(name), "%s%s", http_secure(c) ? "__Host-" : "", base);
	const char *v = http_cookie(c, name, buf, 64);
	return v && *v ? v : NULL;
}

const char *http_session_cookie(struct http_ctx *c, char buf[64])
{
	return cookie_get(c, HTTP_SESSION_COOKIE, buf);
}

void http_add_cookie(struct http_ctx *c, const char *base, const char *value, long max_age_s)
{
	bool secure = http_secure(c);
	char cookie[256], age[40] = "";
	if (!value)
		snprintf(age, sizeof(age), "; Max-Age=0");
	else if (max_age_s >= 0)
		snprintf(age, sizeof(age), "; Max-Age=%ld", max_age_s);
	snprintf(cookie, sizeof(cookie), "%s%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
		 secure ? "__Host-" : "", base, value ? value : "", secure ? "; Secure" : "", age);
	/* added, not set: one reply may set several cookies */
	evhttp_add_header(evhttp_request_get_output_headers(c->req), "Set-Cookie", cookie);
}

int http_form_csrf(struct http_ctx *c, char out[65])
{
	char buf[64], fresh[48];
	const char *secret = http_session_cookie(c, buf);
	if (!secret)
		secret = cookie_get(c, HTTP_PRESESSION_COOKIE, buf);
	if (!secret) {
		if (auth_random_token(32, fresh, sizeof(fresh)) < 0)
			return -1;
		http_add_cookie(c, HTTP_PRESESSION_COOKIE, fresh, -1);
		secret = fresh;
	}
	auth_csrf_token(secret, out);
	return 0;
}

bool http_form_csrf_ok(struct http_ctx *c, const char *form_token)
{
	char buf[64], want[65];
	const char *secret = http_session_cookie(c, buf);
	if (!secret)
		secret = cookie_get(c, HTTP_PRESESSION_COOKIE, buf);
	if (!secret || !form_token || strlen(form_token) != 64)
		return false;
	auth_csrf_token(secret, want);
	return auth_equal(form_token, want, 64);
}

/* The principal of a bearer token in header h (1), or -1 after answering. */
static int bearer_principal(struct http_ctx *c, const char *h, struct principal *who)
{
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		http_set_header(c, "WWW-Authenticate", "Bearer realm=\"ideatriage\"");
		return http_problem(c, 401, "Authorization", "use 'Authorization: Bearer <token>'");
	}
	const char *token = h + 7;
	while (*token == ' ')
		token++;
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "auth");
	struct err err = {0};
	int found = auth_token_lookup(db_conn(db), token, who, &err);
	if (found < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	if (found == 0) {
		http_set_header(c, "WWW-Authenticate",
				"Bearer realm=\"ideatriage\", error=\"invalid_token\"");
		return http_problem(c, 401, "Authorization", "the token is unknown or revoked");
	}
	return 1;
}

/* On /api a browser's cookie proves nothing by itself (any site can make the
 * browser send a request); it counts with the session's CSRF token in
 * X-CSRF-Token, or an Origin naming this very site. */
static bool api_cookie_allowed(struct http_ctx *c, const char *session)
{
	const char *tok = http_header(c, "X-CSRF-Token");
	if (tok && strlen(tok) == 64 && http_header_count(c, "X-CSRF-Token") == 1) {
		char want[65];
		auth_csrf_token(session, want);
		return auth_equal(tok, want, 64);
	}
	const char *origin = http_header(c, "Origin"), *host = http_header(c, "Host");
	if (!origin || !host || http_header_count(c, "Origin") != 1 ||
	    http_header_count(c, "Host") != 1)
		return false;
	char self[300];
	int n = snprintf(self, sizeof(self), "%s://%s", http_secure(c) ? "https" : "http", host);
	return n > 0 && (size_t)n < sizeof(self) && strcasecmp(origin, self) == 0;
}

int http_optional_principal(struct http_ctx *c, struct principal *who)
{
	const char *h = http_header(c, "Authorization");
	if (h)
		return bearer_principal(c, h, who);
	char buf[64];
	const char *session = http_session_cookie(c, buf);
	if (!session)
		return 0;
	if (c->path && strncmp(c->path, "/api/", 5) == 0 && !api_cookie_allowed(c, session))
		return 0;
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "auth");
	struct err err = {0};
	int found = auth_session_lookup(db_conn(db), session, c->cfg->session_idle_s, who, &err);
	if (found < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	return found; /* an ended session is no credential: sign in again */
}

int http_require_role(struct http_ctx *c, enum role need, struct principal *who)
{
	int have = http_optional_principal(c, who);
	if (have < 0)
		return -1;
	if (have == 0) {
		http_set_header(c, "WWW-Authenticate", "Bearer realm=\"ideatriage\"");
		return http_problem(c, 401, "Authorization",
				    "this needs a token with the %s role: send "
				    "'Authorization: Bearer <token>'",
				    role_name(need));
	}
	if (!role_allows(who->role, need))
		return http_problem(c, 403, NULL, "a %s token may not do this; it needs the %s role",
				    role_name(who->role), role_name(need));
	return 0;
}

bool http_content_type_is(struct http_ctx *c, const char *mime)
{
	const char *ct = http_header(c, "Content-Type");
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strlen(mime);
	return strncasecmp(ct, mime, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

char *http_body(struct http_ctx *c, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(c->req);
	size_t n = evbuffer_get_length(in);
	char *s = malloc(n + 1);
	evbuffer_copyout(in, s, n);
	s[n] = '\0';
	*len = n;
	return s;
}

json_t *http_json_body(struct http_ctx *c)
{
	if (!http_content_type_is(c, "application/json")) {
		http_problem(c, 415, "Content-Type", "send the body as application/json");
		return NULL;
	}
	size_t len;
	char *body = http_body(c, &len);
	if (len == 0) {
		free(body);
		http_problem(c, 400, NULL, "the body is empty; a JSON document was expected");
		return NULL;
	}
	if (!text_valid_utf8(body, len)) {
		free(body);
		http_problem(c, 400, NULL, "the body is not valid UTF-8 text");
		return NULL;
	}
	json_error_t jerr;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	free(body);
	if (!j)
		http_problem(c, 400, NULL, "malformed JSON at line %d, column %d: %s", jerr.line,
			     jerr.column, jerr.text);
	return j;
}

char *http_query_param(struct http_ctx *c, const char *name)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(c->req);
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	if (!q)
		return NULL;
	struct evkeyvalq params;
	if (evhttp_parse_query_str(q, &params) < 0)
		return NULL;
	const char *v = evhttp_find_header(&params, name);
	char *out = v ? strdup(v) : NULL;
	evhttp_clear_headers(&params);
	return out;
}

int http_query(struct http_ctx *c, struct evkeyvalq *out, const char *const *allowed)
{
	TAILQ_INIT(out);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(c->req);
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	if (!q || !*q)
		return 0;
	if (evhttp_parse_query_str(q, out) < 0) {
		evhttp_clear_headers(out);
		return http_problem(c, 400, NULL, "the query string is malformed");
	}
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, out, next)
	{
		bool known = false;
		for (int i = 0; allowed && allowed[i]; i++)
			known = known || strcmp(kv->key, allowed[i]) == 0;
		if (!known) {
			char key[64];
			snprintf(key, sizeof(key), "%s", kv->key);
			evhttp_clear_headers(out);
			if (!text_valid_utf8(key, strlen(key)))
				return http_problem(c, 400, NULL, "unknown query parameter");
			return http_problem(c, 400, key, "unknown query parameter '%s'", key);
		}
		if (!text_valid_utf8(kv->value, strlen(kv->value))) {
			char key[64];
			snprintf(key, sizeof(key), "%s", kv->key);
			evhttp_clear_headers(out);
			return http_problem(c, 400, key, "%s is not valid UTF-8 text", key);
		}
	}
	return 0;
}

int64_t http_param_id(struct http_ctx *c, int i)
{
	const char *s = c->params[i];
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s) || s[0] == '0') {
		http_problem(c, 404, NULL, "no such idea: '%s' is not an id", s ? s : "");
		return 0;
	}
	return atoll(s);
}
