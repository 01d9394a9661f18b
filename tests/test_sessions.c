/* Web sessions, end to end against a real server and PostgreSQL: a random
 * session id stored hashed (never the token), sign-out and revocation that
 * end it at once, expiry and idle timeout, Secure/__Host- cookies behind a
 * trusted HTTPS proxy, CSRF tokens bound to the session (sign-in and
 * sign-out included), the cookie on /api only with a CSRF header or a
 * same-origin Origin, `next` as a local path only, the /submit identity
 * without the demo setting, and a duplicated single-sign-on header. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intake/http/auth.h"
#include "session.h"
#include "support.h"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;
static char *submitter, *customer, *triager;

static void start(void)
{
	conninfo = testdb_create("sessions");
	/* one worker with a long-lived cache: what empties it is visible */
	srv = tserver_start(conninfo, NULL,
	                    "{\"http\": {\"workers\": 1, \"public_cache_ms\": 600000},"
	                    " \"auth\": {\"trusted_user_header\": \"X-Forwarded-User\","
	                    "            \"trusted_proxies\": [\"127.0.0.1\"]}}");
	pg = testdb_connect(conninfo);
	submitter = test_token(conninfo, "submitter", "sam");
	customer = test_token(conninfo, "customer", "acme-portal");
	triager = test_token(conninfo, "triager", "tess");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(submitter);
	free(customer);
	free(triager);
}

TestSuite(sessions, .init = start, .fini = stop, .timeout = 120);

static struct tresp *pg_page(const char *method, const char *path, const char *cookie,
                             const char *form)
{
	return page_do(srv->url, method, path, cookie, form, NULL);
}

static long sessions_of(const char *token_name)
{
	char q[200];
	snprintf(q, sizeof(q),
	         "sessions s JOIN api_tokens t ON t.id = s.token_id WHERE t.name = '%s'",
	         token_name);
	return testdb_count(pg, q);
}

/* 303 to the sign-in page: the request was not signed in. */
static bool to_login(struct tresp *r)
{
	char *loc = tresp_header(r, "Location");
	bool yes = r->status == 303 && loc && strncmp(loc, "/login", 6) == 0;
	free(loc);
	return yes;
}

Test(sessions, the_cookie_holds_a_random_session_id_stored_hashed_never_the_token)
{
	struct tsession s;
	tsession_sign_in(srv->url, triager, NULL, &s);
	cr_expect_eq(strlen(s.id), 43, "32 random bytes, base64url: %s", s.id);
	cr_expect(!strstr(s.cookie, triager) && !strstr(s.cookie, "itk_"), "%s", s.cookie);
	char hash[65], q[200];
	auth_sha256_hex(s.id, strlen(s.id), hash);
	snprintf(q, sizeof(q), "sessions WHERE id_hash = '%s' AND expires_at > now()", hash);
	cr_expect_eq(testdb_count(pg, q), 1, "only the id's SHA-256 is stored");
	snprintf(q, sizeof(q), "sessions WHERE id_hash = '%s'", s.id);
	cr_expect_eq(testdb_count(pg, q), 0);
	struct tresp *r = pg_page("GET", "/board", s.cookie, NULL);
	cr_expect_eq(r->status, 200);
	tresp_free(r);
	/* the token itself in a cookie (what sign-in used to set) signs no one in */
	char old[300];
	snprintf(old, sizeof(old), "ideatriage_session=%s; it_session=%s", triager, triager);
	r = pg_page("GET", "/board", old, NULL);
	cr_expect(to_login(r), "%ld", r->status);
	tresp_free(r);
}

Test(sessions, cookie_attributes_and_secure_host_names_behind_a_trusted_https_proxy)
{
	struct tresp *r = pg_page("GET", "/login", NULL, NULL);
	char *attrs = NULL, *v = tresp_set_cookie(r, "ideatriage_pre", &attrs);
	cr_assert(v, "%s", r->headers);
	cr_expect(strstr(attrs, "HttpOnly") && strstr(attrs, "SameSite=Strict") &&
	              strstr(attrs, "Path=/") && !strstr(attrs, "Secure"),
	          "%s", attrs);
	free(v);
	free(attrs);
	tresp_free(r);
	const char *https = "X-Forwarded-Proto: https"; /* from 127.0.0.1, a trusted proxy */
	struct tsession s;
	tsession_sign_in(srv->url, triager, https, &s);
	cr_expect(strncmp(s.cookie, "__Host-ideatriage_session=", 26) == 0, "%s", s.cookie);
	r = page_do(srv->url, "GET", "/login", NULL, NULL, https);
	v = tresp_set_cookie(r, "__Host-ideatriage_pre", &attrs);
	cr_expect(v && strstr(attrs, "; Secure") && strstr(attrs, "Path=/") &&
	              !strstr(attrs, "Domain"),
	          "%s", r->headers);
	free(v);
	free(attrs);
	tresp_free(r);
	r = page_do(srv->url, "GET", "/board", s.cookie, NULL, https);
	cr_expect_eq(r->status, 200, "the __Host- cookie works over HTTPS");
	tresp_free(r);
	/* over plain HTTP only the plain name counts */
	r = pg_page("GET", "/board", s.cookie, NULL);
	cr_expect(to_login(r), "%ld", r->status);
	tresp_free(r);
	char plain[200];
	snprintf(plain, sizeof(plain), "ideatriage_session=%s", s.id);
	r = page_do(srv->url, "GET", "/board", plain, NULL, https);
	cr_expect(to_login(r), "over HTTPS the unprefixed name is ignored: %ld", r->status);
	tresp_free(r);
}

Test(sessions, sign_out_ends_the_session_at_once_and_needs_its_csrf_token)
{
	struct tsession s;
	tsession_sign_in(srv->url, triager, NULL, &s);
	long before = sessions_of("tess");
	struct tresp *r = pg_page("POST", "/logout", s.cookie, NULL);
	cr_expect(tresp_is_problem(r, 403), "no CSRF token: %ld", r->status);
	tresp_free(r);
	r = pg_page("POST", "/logout", s.cookie,
	            "csrf=0000000000000000000000000000000000000000000000000000000000000000");
	cr_expect(tresp_is_problem(r, 403), "a wrong CSRF token: %ld", r->status);
	tresp_free(r);
	cr_expect_eq(sessions_of("tess"), before);
	/* the page's sign-out button carries the token */
	r = pg_page("GET", "/board", s.cookie, NULL);
	char want[120];
	snprintf(want, sizeof(want), "name=\"csrf\" value=\"%s\"", s.csrf);
	cr_expect(strstr(r->body, "action=\"/logout\"") && strstr(r->body, want),
	          "the sign-out form posts the session's token");
	tresp_free(r);
	char form[120];
	snprintf(form, sizeof(form), "csrf=%s", s.csrf);
	r = pg_page("POST", "/logout", s.cookie, form);
	cr_expect_eq(r->status, 303);
	char *attrs = NULL, *v = tresp_set_cookie(r, "ideatriage_session", &attrs);
	cr_expect(v && !*v && strstr(attrs, "Max-Age=0"), "the cookie is deleted: %s", r->headers);
	free(v);
	free(attrs);
	tresp_free(r);
	cr_expect_eq(sessions_of("tess"), before - 1, "ended in the database");
	/* a copy of the cookie kept by a thief is worth nothing now */
	r = pg_page("GET", "/board", s.cookie, NULL);
	cr_expect(to_login(r), "%ld", r->status);
	tresp_free(r);
}

Test(sessions, an_anonymous_sign_out_changes_nothing_and_keeps_the_public_cache)
{
	/* a public idea, its answer cached */
	char url[200];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	const char *idea =
	    "{\"title\":\"Cache keeper: split tunnelling per app\",\"author\":\"x\"}";
	struct tresp *r = http_post(url, submitter, "application/json", idea, strlen(idea));
	cr_assert_eq(r->status, 201, "%s", r->body);
	json_t *j = tresp_json(r);
	long long id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld", srv->url, id);
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", triager);
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	const char *pub =
	    "{\"status\":\"planned\",\"visibility\":\"public\",\"category\":\"feature\","
	    "\"public_title\":\"Split tunnelling per app\"}";
	r = http_do("PATCH", url, h, pub, strlen(pub));
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/backlog?view=public&limit=50", srv->url);
	r = http_get(url);
	cr_assert(strstr(r->body, "Split tunnelling per app"), "%s", r->body);
	tresp_free(r);
	/* changed behind the server's back: only an emptied cache would show it */
	char sql[200];
	snprintf(sql, sizeof(sql),
	         "UPDATE ideas SET public_title = 'Changed behind' WHERE id = %lld", id);
	PQclear(PQexec(pg, sql));
	long sessions = testdb_count(pg, "sessions");
	r = pg_page("POST", "/logout", NULL, NULL);
	cr_expect_eq(r->status, 303);
	tresp_free(r);
	r = pg_page("POST", "/logout",
	            "ideatriage_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	cr_expect(tresp_is_problem(r, 403), "an unknown session, no token: %ld", r->status);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "sessions"), sessions);
	r = http_get(url);
	cr_expect(strstr(r->body, "Split tunnelling per app"),
	          "an anonymous sign-out emptied the cache");
	tresp_free(r);
	/* the test can see an emptied cache: a real change empties it */
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld", srv->url, id);
	r = http_do("PATCH", url, h, "{\"owner\":\"pm\"}", 14);
	cr_expect_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/backlog?view=public&limit=50", srv->url);
	r = http_get(url);
	cr_expect(strstr(r->body, "Changed behind"), "%s", r->body);
	tresp_free(r);
}

Test(sessions, revoking_the_token_ends_its_sessions_at_once)
{
	char *tok = test_token(conninfo, "triager", "revoked-tim");
	struct tsession a, b;
	tsession_sign_in(srv->url, tok, NULL, &a);
	tsession_sign_in(srv->url, tok, NULL, &b);
	cr_expect_eq(sessions_of("revoked-tim"), 2);
	char *id = testdb_value(pg, "SELECT id FROM api_tokens WHERE name = 'revoked-tim'");
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"token", "revoke", id, NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "%s", out);
	free(out);
	free(id);
	cr_expect_eq(sessions_of("revoked-tim"), 0, "revocation deletes its sessions");
	struct tresp *r = pg_page("GET", "/board", a.cookie, NULL);
	cr_expect(to_login(r), "%ld", r->status);
	tresp_free(r);
	/* and a session row that survived (restored here) is refused by the join */
	char hash[65], sql[400];
	auth_sha256_hex(b.id, strlen(b.id), hash);
	snprintf(sql, sizeof(sql),
	         "INSERT INTO sessions (id_hash, token_id, expires_at) SELECT '%s', id,"
	         " now() + interval '1 hour' FROM api_tokens WHERE name = 'revoked-tim'",
	         hash);
	PQclear(PQexec(pg, sql));
	r = pg_page("GET", "/board", b.cookie, NULL);
	cr_expect(to_login(r), "%ld", r->status);
	tresp_free(r);
	free(tok);
}

Test(sessions, expired_and_idle_sessions_are_refused_and_cleaned_up)
{
	struct tsession a, b;
	tsession_sign_in(srv->url, triager, NULL, &a);
	tsession_sign_in(srv->url, triager, NULL, &b);
	char ha[65], hb[65], sql[300];
	auth_sha256_hex(a.id, strlen(a.id), ha);
	auth_sha256_hex(b.id, strlen(b.id), hb);
	snprintf(
	    sql, sizeof(sql),
	    "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id_hash = '%s'",
	    ha);
	PQclear(PQexec(pg, sql));
	/* auth.session_idle_s is 3600 by default */
	snprintf(sql, sizeof(sql),
	         "UPDATE sessions SET last_seen_at = now() - interval '3601 seconds' WHERE id_hash "
	         "= '%s'",
	         hb);
	PQclear(PQexec(pg, sql));
	struct tresp *r = pg_page("GET", "/board", a.cookie, NULL);
	cr_expect(to_login(r), "expired: %ld", r->status);
	tresp_free(r);
	r = pg_page("GET", "/board", b.cookie, NULL);
	cr_expect(to_login(r), "idle: %ld", r->status);
	tresp_free(r);
	/* the next sign-in sweeps ended sessions away */
	struct tsession c;
	tsession_sign_in(srv->url, triager, NULL, &c);
	snprintf(sql, sizeof(sql), "sessions WHERE id_hash IN ('%s', '%s')", ha, hb);
	cr_expect_eq(testdb_count(pg, sql), 0);
	/* a live session is seen: its idle clock restarts */
	char hc[65];
	auth_sha256_hex(c.id, strlen(c.id), hc);
	snprintf(sql, sizeof(sql),
	         "UPDATE sessions SET last_seen_at = now() - interval '3000 seconds' WHERE id_hash "
	         "= '%s'",
	         hc);
	PQclear(PQexec(pg, sql));
	r = pg_page("GET", "/board", c.cookie, NULL);
	cr_expect_eq(r->status, 200);
	tresp_free(r);
	snprintf(sql, sizeof(sql),
	         "sessions WHERE id_hash = '%s' AND last_seen_at > now() - interval '1 minute'",
	         hc);
	cr_expect_eq(testdb_count(pg, sql), 1);
}

Test(sessions, sign_in_needs_the_forms_csrf_token)
{
	long before = sessions_of("tess");
	char form[300];
	snprintf(form, sizeof(form), "token=%s&next=%%2Fboard", triager);
	struct tresp *r = pg_page("POST", "/login", NULL, form);
	cr_expect_eq(r->status, 403, "no CSRF token, no cookie: %ld", r->status);
	cr_expect(!tresp_set_cookie(r, "ideatriage_session", NULL), "no session");
	tresp_free(r);
	/* a token bound to the attacker's own pre-session cookie, sent with the victim's */
	r = pg_page("GET", "/login", NULL, NULL);
	char *csrf = html_csrf(r->body);
	tresp_free(r);
	snprintf(form, sizeof(form), "csrf=%s&token=%s", csrf, triager);
	r = pg_page("POST", "/login", "ideatriage_pre=someoneelsesprecookievalue0000000000000",
	            form);
	cr_expect_eq(r->status, 403, "%ld", r->status);
	tresp_free(r);
	free(csrf);
	cr_expect_eq(sessions_of("tess"), before);
}

Test(sessions, form_csrf_tokens_are_bound_to_the_session)
{
	char url[200];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	const char *idea = "{\"title\":\"CSRF probe: audit export as CSV\",\"author\":\"x\"}";
	struct tresp *r = http_post(url, submitter, "application/json", idea, strlen(idea));
	json_t *j = tresp_json(r);
	long long id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
	struct tsession a, b;
	tsession_sign_in(srv->url, triager, NULL, &a);
	tsession_sign_in(srv->url, triager, NULL, &b);
	cr_expect_str_neq(a.csrf, b.csrf);
	char path[64], form[200], q[200], cookie[400];
	snprintf(path, sizeof(path), "/ideas/%lld", id);
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'planned'", id);
	r = pg_page("GET", path, a.cookie, NULL);
	char *onpage = html_csrf(r->body);
	cr_expect_str_eq(onpage, a.csrf, "the idea page's forms carry the session's token");
	free(onpage);
	tresp_free(r);
	/* the old unbound double-submit pair counts for nothing */
	snprintf(cookie, sizeof(cookie), "%s; it_csrf_triage=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	         a.cookie);
	r = pg_page("POST", path, cookie,
	            "csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&status=planned&visibility=internal");
	cr_expect_eq(r->status, 403, "%ld", r->status);
	tresp_free(r);
	/* another session's token */
	snprintf(form, sizeof(form), "csrf=%s&status=planned&visibility=internal", b.csrf);
	r = pg_page("POST", path, a.cookie, form);
	cr_expect_eq(r->status, 403, "%ld", r->status);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, q), 0);
	snprintf(form, sizeof(form), "csrf=%s&status=planned&visibility=internal", a.csrf);
	r = pg_page("POST", path, a.cookie, form);
	cr_expect_eq(r->status, 303, "%ld %s", r->status, r->body);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, q), 1);
}

Test(sessions, the_cookie_counts_on_the_api_only_with_a_csrf_header_or_same_origin)
{
	struct tsession s, sub;
	tsession_sign_in(srv->url, triager, NULL, &s);
	tsession_sign_in(srv->url, submitter, NULL, &sub);
	char ck[300], tok[120], wrong[120], origin[120];
	snprintf(ck, sizeof(ck), "Cookie: %s", s.cookie);
	snprintf(tok, sizeof(tok), "X-CSRF-Token: %s", s.csrf);
	snprintf(wrong, sizeof(wrong), "X-CSRF-Token: %s", sub.csrf);
	snprintf(origin, sizeof(origin), "Origin: http://127.0.0.1:%d", srv->port);
	struct {
		const char *extra;
		long status;
	} cases[] = {
	    {NULL, 401},
	    {tok, 200},
	    {wrong, 401},
	    {origin, 200},
	    {"Origin: https://evil.example", 401},
	    {"Origin: null", 401},
	};
	char url[200];
	snprintf(url, sizeof(url), "%s/api/v1/backlog?view=internal&limit=1", srv->url);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h[] = {ck, cases[i].extra, NULL};
		struct tresp *r = http_do("GET", url, h, NULL, 0);
		cr_expect_eq(r->status, cases[i].status, "%s: %ld",
		             cases[i].extra ? cases[i].extra : "cookie alone", r->status);
		tresp_free(r);
	}
	/* a cross-site POST with the submitter's cookie writes nothing */
	long before = testdb_count(pg, "mentions");
	snprintf(ck, sizeof(ck), "Cookie: %s", sub.cookie);
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	const char *body = "{\"title\":\"Forged through the cookie\",\"author\":\"m\"}";
	const char *h[] = {ck, "Content-Type: application/json", "Origin: https://evil.example",
	                   NULL};
	struct tresp *r = http_do("POST", url, h, body, strlen(body));
	cr_expect(tresp_is_problem(r, 401), "%ld", r->status);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), before);
	/* a bearer token needs none of this */
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", triager);
	snprintf(url, sizeof(url), "%s/api/v1/backlog?view=internal&limit=1", srv->url);
	const char *hb[] = {auth, NULL};
	r = http_do("GET", url, hb, NULL, 0);
	cr_expect_eq(r->status, 200);
	tresp_free(r);
}

Test(sessions, next_after_sign_in_is_a_local_path_only)
{
	static const char *const bad[] = {
	    "%2F%09%2Fevil.example", /* TAB between the slashes: browsers strip it */
	    "%2F%0A%2Fevil.example",
	    "%2F%0D%2Fevil.example",
	    "%2F%2Fevil.example",
	    "%2F%5Cevil.example",
	    "%2F%5C%5Cevil.example",
	    "https%3A%2F%2Fevil.example",
	    "evil.example",
	    "%2F%2509%2Fevil.example",
	    "%2F%252F%2Fevil.example",
	    "%2F%255Cevil.example",
	    "%09%2F%2Fevil.example",
	    "%2Fa%0D%0ASet-Cookie%3A+x%3Dy",
	    "%2Fb%20c",
	    "javascript%3Aalert(1)",
	};
	struct tresp *r = pg_page("GET", "/login", NULL, NULL);
	char *attrs = NULL, *pre = tresp_set_cookie(r, "ideatriage_pre", &attrs);
	char cookie[200];
	snprintf(cookie, sizeof(cookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	char *csrf = html_csrf(r->body);
	free(pre);
	free(attrs);
	tresp_free(r);
	char form[400];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(form, sizeof(form), "csrf=%s&token=%s&next=%s", csrf, triager, bad[i]);
		r = pg_page("POST", "/login", cookie, form);
		char *loc = tresp_header(r, "Location");
		cr_expect(r->status == 303 && loc && strcmp(loc, "/board") == 0,
		          "next=%s went to %s", bad[i], loc ? loc : "(none)");
		free(loc);
		tresp_free(r);
	}
	snprintf(form, sizeof(form), "csrf=%s&token=%s&next=%s", csrf, triager,
	         "%2Fboard%3Fq%3Dexit%2Bnodes%26status%3Dplanned");
	r = pg_page("POST", "/login", cookie, form);
	char *loc = tresp_header(r, "Location");
	cr_expect_str_eq(loc, "/board?q=exit+nodes&status=planned", "a local path is kept");
	free(loc);
	tresp_free(r);
	free(csrf);
}

Test(sessions, the_form_takes_no_typed_identity_by_default)
{
	long before = testdb_count(pg, "mentions");
	struct tresp *r = pg_page("GET", "/submit", NULL, NULL);
	cr_expect(tresp_is_problem(r, 401), "no SSO, no session, no token: %ld", r->status);
	tresp_free(r);
	/* a typed name is no identity: refused even with a valid anonymous token */
	r = pg_page("GET", "/login", NULL, NULL);
	char *attrs = NULL, *pre = tresp_set_cookie(r, "ideatriage_pre", &attrs);
	char cookie[200], form[300];
	snprintf(cookie, sizeof(cookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	char *csrf = html_csrf(r->body);
	tresp_free(r);
	snprintf(form, sizeof(form), "csrf=%s&title=Typed+identity+probe&name=The+CEO", csrf);
	r = pg_page("POST", "/submit", cookie, form);
	cr_expect(tresp_is_problem(r, 401), "%ld", r->status);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), before);
	free(csrf);
	free(pre);
	free(attrs);
	/* signed in as a submitter, the session names the employee */
	struct tsession s;
	tsession_sign_in(srv->url, submitter, NULL, &s);
	r = pg_page("GET", "/submit", s.cookie, NULL);
	cr_expect_eq(r->status, 200);
	cr_expect(!strstr(r->body, "name=\"name\""), "no name field");
	csrf = html_csrf(r->body);
	cr_expect_str_eq(csrf, s.csrf);
	tresp_free(r);
	snprintf(form, sizeof(form), "csrf=%s&title=Session+named+idea&name=The+CEO", csrf);
	r = pg_page("POST", "/submit", s.cookie, form);
	cr_expect_eq(r->status, 303, "%ld %s", r->status, r->body);
	tresp_free(r);
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE title = 'Session named idea' AND author = 'sam'"), 1);
	free(csrf);
}

/* Sends a raw request (header lines as given) and returns the status. */
static int raw_status(const char *request)
{
	int fd = tcp_connect(srv->port);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	char buf[4096];
	ssize_t n = tcp_read_all(fd, buf, sizeof(buf) - 1, 5000);
	close(fd);
	cr_assert(n > 12, "no answer");
	buf[n] = '\0';
	return atoi(buf + 9);
}

Test(sessions, a_duplicated_sso_header_is_refused)
{
	char req[600];
	snprintf(req, sizeof(req),
	         "GET /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	         "X-Forwarded-User: kim@meshco.example\r\n\r\n");
	cr_expect_eq(raw_status(req), 200, "one header names the employee");
	snprintf(
	    req, sizeof(req),
	    "GET /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	    "X-Forwarded-User: ceo@meshco.example\r\nX-Forwarded-User: kim@meshco.example\r\n\r\n");
	cr_expect_eq(raw_status(req), 400, "two are refused, the first is never taken");
	long before = testdb_count(pg, "mentions");
	const char *form = "title=Smuggled+identity+probe";
	snprintf(req, sizeof(req),
	         "POST /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
	         "x-forwarded-user: ceo@meshco.example\r\nX-Forwarded-User: kim@meshco.example\r\n"
	         "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
	         strlen(form), form);
	cr_expect_eq(raw_status(req), 400);
	cr_expect_eq(testdb_count(pg, "mentions"), before);
}
