/* The JSON API and the employee web form, end to end against a real server
 * and a real PostgreSQL: tokens and roles, validation, idempotency, CSRF, and
 * for every rejected request: a problem document and nothing written. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;
static char *submitter, *customer, *triager;

static void start(void)
{
	conninfo = testdb_create("api");
	srv = tserver_start(conninfo, NULL,
			    "{\"http\": {\"max_body_bytes\": 65536},"
			    " \"auth\": {\"trusted_user_header\": \"X-Forwarded-User\","
			    "            \"trusted_proxies\": [\"127.0.0.1\"],"
			    "            \"demo_form_identity\": true}}");
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

TestSuite(api, .init = start, .fini = stop, .timeout = 120);

static struct tresp *post_idea(const char *token, const char *ct, const char *body)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	return http_post(url, token, ct, body, strlen(body));
}

Test(api, tokens_are_stored_hashed_and_shown_once)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "api_tokens WHERE token_hash = '%s' OR prefix = '%s'", submitter,
		 submitter);
	cr_expect_eq(testdb_count(pg, sql), 0, "the secret itself must not be stored");
	cr_expect_eq(testdb_count(pg, "api_tokens WHERE length(token_hash) = 64"), 3);

	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *list[] = {"token", "list", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, list, &out), 0);
	cr_expect(strstr(out, "sam") && strstr(out, "submitter"), "%s", out);
	cr_expect_null(strstr(out, submitter), "token list must never print a secret");
	free(out);
}

Test(api, a_submitter_creates_an_idea_and_a_retitled_twin_merges)
{
	struct tresp *r = post_idea(submitter, "application/json",
				    "{\"title\": \"Per-app exit nodes\", \"body\": \"Route only the "
				    "browser\", \"author\": \"Dana\", \"labels\": [\"vpn\"]}");
	cr_assert(r);
	cr_expect_eq(r->status, 201, "%s", r->body);
	json_t *j = tresp_json(r);
	json_int_t idea = json_integer_value(json_object_get(j, "idea_id"));
	cr_expect_gt(idea, 0);
	cr_expect_gt(json_integer_value(json_object_get(j, "mention_id")), 0);
	cr_expect(json_is_false(json_object_get(j, "merged")));
	char *loc = tresp_header(r, "Location");
	cr_expect(loc && strstr(loc, "/api/v1/ideas/"));
	free(loc);
	json_decref(j);
	tresp_free(r);

	r = post_idea(submitter, "application/json", "{\"title\": \"per-app  exit nodes!\"}");
	j = tresp_json(r);
	cr_expect_eq(r->status, 201);
	cr_expect(json_is_true(json_object_get(j, "merged")), "%s", r->body);
	cr_expect_eq(json_integer_value(json_object_get(j, "idea_id")), idea);
	json_decref(j);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mention_links WHERE method = 'auto_merge'"), 1);
}

Test(api, an_idempotency_key_returns_the_first_answer)
{
	const char *body = "{\"title\": \"Device posture checks for Linux\"}";
	char url[256], auth[200];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", submitter);
	const char *h[] = {"Content-Type: application/json", auth, "Idempotency-Key: retry-42", NULL};
	struct tresp *a = http_do("POST", url, h, body, strlen(body));
	struct tresp *b = http_do("POST", url, h, body, strlen(body));
	cr_assert(a && b);
	cr_expect_eq(a->status, 201);
	cr_expect_eq(b->status, 201);
	json_t *ja = tresp_json(a), *jb = tresp_json(b);
	cr_expect(json_equal(ja, jb), "%s vs %s", a->body, b->body);
	char *replayed = tresp_header(b, "Idempotent-Replayed");
	cr_expect_str_eq(replayed, "true");
	free(replayed);
	cr_expect_eq(testdb_count(pg, "mentions WHERE title = 'Device posture checks for Linux'"), 1);
	json_decref(ja);
	json_decref(jb);

	/* the same key with another body is a conflict, and writes nothing */
	const char *other = "{\"title\": \"Something else entirely\"}";
	struct tresp *c = http_do("POST", url, h, other, strlen(other));
	cr_expect(tresp_is_problem(c, 409), "%s", c ? c->body : "");
	cr_expect_eq(testdb_count(pg, "mentions WHERE title = 'Something else entirely'"), 0);
	tresp_free(a);
	tresp_free(b);
	tresp_free(c);
}

Test(api, tokens_and_roles_are_enforced)
{
	const char *body = "{\"title\": \"Role check idea\"}";
	struct tresp *r = post_idea(NULL, "application/json", body);
	cr_expect(tresp_is_problem(r, 401));
	char *www = tresp_header(r, "WWW-Authenticate");
	cr_expect(www && strstr(www, "Bearer"));
	free(www);
	tresp_free(r);
	r = post_idea("itk_not-a-real-token-at-all", "application/json", body);
	cr_expect(tresp_is_problem(r, 401));
	tresp_free(r);
	r = post_idea(customer, "application/json", body);
	cr_expect(tresp_is_problem(r, 403), "a customer may not submit");
	tresp_free(r);
	r = post_idea(triager, "application/json", body);
	cr_expect_eq(r->status, 201, "a triager may do what a submitter may");
	tresp_free(r);

	/* a revoked token stops working at once */
	char *tok = test_token(conninfo, "submitter", "short-lived");
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	char *id = testdb_value(pg, "SELECT max(id) FROM api_tokens");
	const char *revoke[] = {"token", "revoke", id, NULL};
	cr_assert_eq(run_cli(NULL, envs, revoke, NULL), 0);
	r = post_idea(tok, "application/json", "{\"title\": \"After revocation\"}");
	cr_expect(tresp_is_problem(r, 401));
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE title = 'After revocation'"), 0);
	free(id);
	free(tok);
}

struct bad_idea {
	const char *ct;
	const char *body;
	size_t len; /* 0: strlen */
	long status;
	const char *field; /* expected "field", or NULL */
};

Test(api, bad_input_gets_a_precise_problem_and_writes_nothing)
{
	char *big = malloc(70000);
	memset(big, 'a', 69999);
	big[69999] = '\0';
	memcpy(big, "{\"title\": \"", 11);
	const struct bad_idea cases[] = {
	    {"application/json", "{\"title\": \"ok title\",", 0, 400, NULL},       /* truncated */
	    {"application/json", "{title: 'x'}", 0, 400, NULL},                      /* malformed */
	    {"application/json", "", 0, 400, NULL},                                  /* empty */
	    {"application/json", "[1, 2]", 0, 400, NULL},                            /* not an object */
	    {"text/plain", "{\"title\": \"Plain text\"}", 0, 415, "Content-Type"},
	    {NULL, "{\"title\": \"No content type\"}", 0, 415, "Content-Type"},
	    {"application/json", "{\"title\": \"Bad \xff\xfe bytes\"}", 0, 400, NULL},
	    {"application/json", "{\"body\": \"no title\"}", 0, 400, "title"},
	    {"application/json", "{\"title\": 42}", 0, 400, "title"},
	    {"application/json", "{\"title\": \"ab\"}", 0, 400, "title"},
	    {"application/json", "{\"title\": \"   \"}", 0, 400, "title"},
	    {"application/json", "{\"title\": \"Fine\", \"arr\": -3}", 0, 400, "arr"},
	    {"application/json", "{\"title\": \"Fine\", \"arr\": \"lots\"}", 0, 400, "arr"},
	    {"application/json", "{\"title\": \"Fine\", \"labels\": \"x\"}", 0, 400, "labels"},
	    {"application/json", "{\"title\": \"Fine\", \"author_kind\": \"robot\"}", 0, 400,
	     "author_kind"},
	    {"application/json", "{\"title\": \"Fine\", \"url\": \"javascript:alert(1)\"}", 0, 400,
	     "url"},
	    {"application/json", "{\"title\": \"Fine\", \"titel\": \"typo\"}", 0, 400, "titel"},
	    {"application/json", "{\"title\": \"Fine\", \"title\": \"dup\"}", 0, 400, NULL},
	    {"application/json", "{\"title\": \"Nul \\u0000 inside\"}", 0, 400, NULL},
	    {"application/json", big, 0, 413, NULL},
	};
	long before = testdb_count(pg, "mentions");
	long ideas_before = testdb_count(pg, "ideas");
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].body);
		struct tresp *r = http_post(url, submitter, cases[i].ct, cases[i].body, len);
		cr_expect(tresp_is_problem(r, cases[i].status), "case %zu: got %ld %s", i,
			  r ? r->status : 0, r ? r->body : "");
		if (cases[i].field && r) {
			json_t *j = tresp_json(r);
			cr_expect_str_eq(json_string_value(json_object_get(j, "field")), cases[i].field,
					 "case %zu: %s", i, r->body);
			json_decref(j);
		}
		tresp_free(r);
	}
	cr_expect_eq(testdb_count(pg, "mentions"), before, "a rejected request wrote a mention");
	cr_expect_eq(testdb_count(pg, "ideas"), ideas_before, "a rejected request wrote an idea");
	free(big);
}

Test(api, markup_and_sql_metacharacters_are_stored_as_text)
{
	const char *title = "<script>alert(1)</script>'; DROP TABLE ideas; --";
	json_t *j = json_pack("{s:s}", "title", title);
	char *body = json_dumps(j, 0);
	struct tresp *r = post_idea(submitter, "application/json", body);
	cr_expect_eq(r->status, 201, "%s", r->body);
	tresp_free(r);
	const char *params[] = {title};
	PGresult *res = PQexecParams(pg, "SELECT count(*) FROM mentions WHERE title = $1", 1, NULL,
				     params, NULL, NULL, 0);
	cr_expect_str_eq(PQgetvalue(res, 0, 0), "1");
	PQclear(res);
	cr_expect_geq(testdb_count(pg, "ideas"), 1, "the ideas table survived");
	free(body);
	json_decref(j);
}

/* ---- the employee web form ---- */

static char *form_csrf(const char *headers_extra, char **cookie)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/submit", srv->url);
	const char *h[] = {headers_extra, NULL};
	struct tresp *r = http_do("GET", url, headers_extra ? h : NULL, NULL, 0);
	cr_assert(r && r->status == 200, "GET /submit: %ld", r ? r->status : 0);
	char *set = tresp_header(r, "Set-Cookie");
	cr_assert(set && strstr(set, "HttpOnly") && strstr(set, "SameSite=Strict"), "%s", set);
	*cookie = strndup(set, strcspn(set, ";"));
	const char *v = strstr(r->body, "name=\"csrf\" value=\"");
	cr_assert(v);
	v += strlen("name=\"csrf\" value=\"");
	char *token = strndup(v, strcspn(v, "\""));
	free(set);
	tresp_free(r);
	return token;
}

static struct tresp *post_form(const char *cookie, const char *body, const char *extra)
{
	char url[256], ck[200];
	snprintf(url, sizeof(url), "%s/submit", srv->url);
	snprintf(ck, sizeof(ck), "Cookie: %s", cookie ? cookie : "none=1");
	const char *h[] = {"Content-Type: application/x-www-form-urlencoded", ck, extra, NULL};
	return http_do("POST", url, h, body, strlen(body));
}

Test(api, the_form_posts_an_idea_and_redirects_to_a_thank_you_page)
{
	char *cookie;
	char *csrf = form_csrf(NULL, &cookie);
	char body[512];
	snprintf(body, sizeof(body),
		 "csrf=%s&title=Dark+mode+for+the+admin+console&body=Night+shifts+%%26+eyes"
		 "&name=Priya+Raman&email=priya%%40meshco.example",
		 csrf);
	struct tresp *r = post_form(cookie, body, NULL);
	cr_assert(r);
	cr_expect_eq(r->status, 303);
	char *loc = tresp_header(r, "Location");
	cr_assert(loc && strncmp(loc, "/submit/thanks?idea=", 20) == 0, "%s", loc);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'employee' AND author = 'Priya Raman'"
				      " AND author_email = 'priya@meshco.example'"
				      " AND body = 'Night shifts & eyes'"),
		     1);
	char url[512];
	snprintf(url, sizeof(url), "%s%s", srv->url, loc);
	r = http_get(url);
	cr_expect_eq(r->status, 200);
	cr_expect(strstr(r->body, "href=\"/ideas/"), "the thank-you page links the idea");
	cr_expect(strstr(r->body, "new idea"), "and says it was new");
	tresp_free(r);
	/* posting the same form twice (a double click) records it once */
	r = post_form(cookie, body, NULL);
	cr_expect_eq(r->status, 303);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE author = 'Priya Raman'"), 1);
	free(loc);
	free(csrf);
	free(cookie);
}

Test(api, form_errors_come_back_next_to_the_field_with_the_text_kept_and_escaped)
{
	char *cookie;
	char *csrf = form_csrf(NULL, &cookie);
	char body[512];
	snprintf(body, sizeof(body), "csrf=%s&title=%%3Cb&body=%%3Cscript%%3Ealert(1)%%3C%%2Fscript%%3E&name=Lee",
		 csrf);
	long before = testdb_count(pg, "mentions");
	struct tresp *r = post_form(cookie, body, NULL);
	cr_assert(r);
	cr_expect_eq(r->status, 400);
	cr_expect(strstr(r->body, "id=\"title-error\""), "the error sits next to the title");
	cr_expect(strstr(r->body, "aria-invalid=\"true\""));
	cr_expect(strstr(r->body, "&lt;script&gt;alert(1)&lt;/script&gt;"), "text kept, escaped");
	cr_expect_null(strstr(r->body, "<script>"), "never echoed raw");
	cr_expect(strstr(r->body, "value=\"Lee\""), "the name is kept");
	cr_expect_eq(testdb_count(pg, "mentions"), before);
	tresp_free(r);
	free(csrf);
	free(cookie);
}

Test(api, the_form_refuses_cross_site_posts_and_wrong_encodings)
{
	long before = testdb_count(pg, "mentions");
	struct tresp *r = post_form(NULL, "title=Forged+idea&name=Mallory", NULL);
	cr_expect(tresp_is_problem(r, 403), "no CSRF token");
	tresp_free(r);
	char *cookie;
	char *csrf = form_csrf(NULL, &cookie);
	r = post_form("it_csrf=somethingelseentirely12345", "csrf=abc&title=Forged&name=M", NULL);
	cr_expect(tresp_is_problem(r, 403), "mismatched CSRF token");
	tresp_free(r);
	char url[256], ck[200], body[300];
	snprintf(url, sizeof(url), "%s/submit", srv->url);
	snprintf(ck, sizeof(ck), "Cookie: %s", cookie);
	snprintf(body, sizeof(body), "{\"csrf\": \"%s\", \"title\": \"JSON form\"}", csrf);
	const char *h[] = {"Content-Type: application/json", ck, NULL};
	r = http_do("POST", url, h, body, strlen(body));
	cr_expect(tresp_is_problem(r, 415));
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), before);
	free(csrf);
	free(cookie);
}

Test(api, a_trusted_proxy_names_the_employee)
{
	char *cookie;
	char *csrf = form_csrf("X-Forwarded-User: kim@meshco.example", &cookie);
	char body[256];
	snprintf(body, sizeof(body), "csrf=%s&title=SSO+named+idea&name=Spoofed+Name", csrf);
	struct tresp *r = post_form(cookie, body, "X-Forwarded-User: kim@meshco.example");
	cr_expect_eq(r->status, 303);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE title = 'SSO named idea'"
				      " AND author = 'kim@meshco.example'"),
		     1, "the proxy's header wins over typed fields");
	free(csrf);
	free(cookie);
}
