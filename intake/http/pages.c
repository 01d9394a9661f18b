/* intake/http/pages.c - what every web page for people inside the company
 * shares (the layout with its security headers, sign-in redirects, form
 * bodies, CSRF checks: pages.h) and the pages to sign in and out. The HTML
 * is intake/read/pages.h's; this file asks, checks and answers. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "db/db.h"
#include "intake/http/pages.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/pages.h"
#include "triage/text.h"

void page_send(struct http_ctx *c, int status, const char *title, char *content,
	       const struct principal *who)
{
	char session[64], csrf[65];
	struct page_account acct = {0};
	/* sign-out ends a web session; a bearer token has none to end */
	bool account = who && http_session_cookie(c, session) && http_form_csrf(c, csrf) == 0;
	if (account)
		acct = (struct page_account){.csrf = csrf, .name = who->name, .role = role_name(who->role)};
	char *page = content ? page_layout(title, content, account ? &acct : NULL) : NULL;
	free(content);
	if (!page) {
		http_problem(c, 500, NULL, "a page template is missing from this build");
		return;
	}
	http_set_header(c, "Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
			"form-action 'self'; frame-ancestors 'none'");
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, page, strlen(page));
	free(page);
	http_reply(c, status, "text/html; charset=utf-8", b);
}

void page_redirect(struct http_ctx *c, const char *to)
{
	http_set_header(c, "Location", to);
	http_reply(c, 303, "text/plain; charset=utf-8", NULL);
}

/* A path on this site only, to go to after sign-in: one leading '/', then
 * only [A-Za-z0-9/_.~%?=&+-]. Browsers strip TAB, CR and LF from a Location
 * and read '\\' as '/', so "/\t/evil.example" would leave the site: an
 * allow-list leaves no such character in, nor a percent-escape of one (or
 * of a second leading slash) for anything that decodes it again. */
bool page_local_path(const char *s)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789/_.~%?=&+-";
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= 512 || s[0] != '/' || s[1] == '/' || strspn(s, allowed) != n)
		return false;
	for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
		if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
			return false;
		char hex[3] = {p[1], p[2], '\0'};
		long v = strtol(hex, NULL, 16);
		if (v < 0x20 || v == 0x7f || v == '\\' || (p == s + 1 && v == '/'))
			return false;
	}
	return true;
}

int page_principal(struct http_ctx *c, enum role need, struct principal *who)
{
	int have = http_optional_principal(c, who);
	if (have < 0)
		return -1;
	if (have == 0) {
		const char *uri = evhttp_request_get_uri(c->req);
		char *enc = evhttp_encode_uri(page_local_path(uri) ? uri : "/board");
		size_t n = strlen(enc) + sizeof("/login?next=");
		char *loc = malloc(n);
		snprintf(loc, n, "/login?next=%s", enc);
		free(enc);
		page_redirect(c, loc);
		free(loc);
		return -1;
	}
	if (!role_allows(who->role, need)) {
		page_send(c, 403, "Forbidden", page_forbidden(role_name(need), role_name(who->role)), who);
		return -1;
	}
	return 0;
}

/* Parses an urlencoded form body into *form; -1 after answering. */
int page_read_form(struct http_ctx *c, struct evkeyvalq *form)
{
	TAILQ_INIT(form);
	if (!http_content_type_is(c, "application/x-www-form-urlencoded"))
		return http_problem(c, 415, "Content-Type", "post the form as application/x-www-form-urlencoded");
	size_t len;
	char *raw = http_body(c, &len);
	int rc = strlen(raw) != len || !text_valid_utf8(raw, len) ? -1 : evhttp_parse_query_str(raw, form);
	free(raw);
	if (rc < 0) {
		evhttp_clear_headers(form);
		return http_problem(c, 400, NULL, "the form body is malformed");
	}
	return 0;
}

/* Reads a page form posted by a triager after checking its CSRF token;
 * -1 after answering. */
int page_triage_form(struct http_ctx *c, struct principal *who, struct evkeyvalq *form)
{
	if (page_principal(c, ROLE_TRIAGER, who) < 0 || page_read_form(c, form) < 0)
		return -1;
	if (!http_form_csrf_ok(c, evhttp_find_header(form, "csrf"))) {
		evhttp_clear_headers(form);
		return http_problem(c, 403, "csrf",
				    "the form expired or came from another site: reload the page and try again");
	}
	return 0;
}

/* GET /: the public roadmap is the front page. */
void home_page(struct http_ctx *c)
{
	page_redirect(c, "/roadmap/public");
}

/* ---- sign in / out -------------------------------------------------------- */

static void login_render(struct http_ctx *c, int status, const char *next, const char *error)
{
	char csrf[65];
	if (http_form_csrf(c, csrf) < 0) {
		http_problem(c, 500, NULL, "no randomness available");
		return;
	}
	page_send(c, status, "Sign in", page_login(page_local_path(next) ? next : "", error, csrf), NULL);
}

void login_form(struct http_ctx *c)
{
	char *next = http_query_param(c, "next");
	login_render(c, 200, next, NULL);
	free(next);
}

/* Opens a web session for who (ending the one this browser had, if any)
 * and sets its cookie. 0, or -1 after answering 503. */
static int session_start(struct http_ctx *c, struct db *db, const struct principal *who)
{
	struct err err = {0};
	char old[64], sid[48];
	const char *prev = http_session_cookie(c, old);
	if ((prev && auth_session_close(db_conn(db), prev, &err) < 0) ||
	    auth_session_open(db_conn(db), who->token_id, c->cfg->session_ttl_s,
			      c->cfg->session_idle_s, sid, &err) < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	http_add_cookie(c, HTTP_SESSION_COOKIE, sid, c->cfg->session_ttl_s);
	return 0;
}

/* POST /login (form: csrf, token, next): the token opens a session; the
 * browser keeps only the session's random id. */
void login_post(struct http_ctx *c)
{
	c->keeps_views = true;
	struct evkeyvalq form;
	if (page_read_form(c, &form) < 0)
		return;
	const char *token = evhttp_find_header(&form, "token");
	const char *next = evhttp_find_header(&form, "next");
	char dest[512];
	snprintf(dest, sizeof(dest), "%s", page_local_path(next) ? next : "");
	/* else another site could sign a browser in under the attacker's token */
	if (!http_form_csrf_ok(c, evhttp_find_header(&form, "csrf"))) {
		evhttp_clear_headers(&form);
		login_render(c, 403, dest, "The sign-in form expired or came from another site: try again.");
		return;
	}
	struct principal who;
	int found = 0;
	struct err err = {0};
	struct db *db = http_db(c);
	if (!db) {
		evhttp_clear_headers(&form);
		http_db_unavailable(c, "login");
		return;
	}
	if (token && strlen(token) < 100)
		found = auth_token_lookup(db_conn(db), token, &who, &err);
	evhttp_clear_headers(&form);
	if (found < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (found == 0) {
		login_render(c, 401, dest, "That token is unknown or revoked.");
		return;
	}
	/* a customer lands on the roadmap made for them, everyone else on the board */
	if (!dest[0] || (who.role == ROLE_CUSTOMER && strcmp(dest, "/board") == 0))
		snprintf(dest, sizeof(dest), "%s", who.role == ROLE_CUSTOMER ? "/roadmap/customer" : "/board");
	if (session_start(c, db, &who) < 0)
		return;
	page_redirect(c, dest);
}

/* POST /logout (form: csrf): ends the session in the database at once.
 * Without a session there is nothing to end and nothing changes. */
void logout_post(struct http_ctx *c)
{
	c->keeps_views = true;
	char buf[64];
	const char *session = http_session_cookie(c, buf);
	if (!session) {
		page_redirect(c, "/login");
		return;
	}
	/* no body at all is a missing token, not a malformed form */
	bool ok = false;
	if (evbuffer_get_length(evhttp_request_get_input_buffer(c->req)) > 0) {
		struct evkeyvalq form;
		if (page_read_form(c, &form) < 0)
			return;
		ok = http_form_csrf_ok(c, evhttp_find_header(&form, "csrf"));
		evhttp_clear_headers(&form);
	}
	if (!ok) {
		http_problem(c, 403, "csrf", "the sign-out form expired or came from another site: reload the page and try again");
		return;
	}
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "logout");
		return;
	}
	struct err err = {0};
	if (auth_session_close(db_conn(db), session, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	http_add_cookie(c, HTTP_SESSION_COOKIE, NULL, 0);
	page_redirect(c, "/login");
}

