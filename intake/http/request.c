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

bool http_csrf_ok(struct http_ctx *c, const char *cookie_name, const char *form_token)
{
	char buf[64];
	const char *cookie = http_cookie(c, cookie_name, buf, sizeof(buf));
	size_t n = form_token ? strlen(form_token) : 0;
	return cookie && n >= 20 && strlen(cookie) == n && auth_equal(form_token, cookie, n);
}

/* The token of the request: the Authorization header, else the session
 * cookie the sign-in page set (HttpOnly, SameSite=Strict). */
static int bearer(struct http_ctx *c, const char **token)
{
	const char *h = http_header(c, "Authorization");
	if (!h) {
		static _Thread_local char session[128];
		*token = http_cookie(c, HTTP_SESSION_COOKIE, session, sizeof(session));
		return *token && **token ? 1 : 0;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		http_set_header(c, "WWW-Authenticate", "Bearer realm=\"ideatriage\"");
		http_problem(c, 401, "Authorization", "use 'Authorization: Bearer <token>'");
		return -1;
	}
	*token = h + 7;
	while (**token == ' ')
		(*token)++;
	return 1;
}

int http_optional_principal(struct http_ctx *c, struct principal *who)
{
	const char *token = NULL;
	int have = bearer(c, &token);
	if (have <= 0)
		return have;
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
		http_problem(c, 401, "Authorization", "the token is unknown or revoked");
		return -1;
	}
	return 1;
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
