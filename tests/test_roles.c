/* Roles per route, exactly as ARCHITECTURE.md documents them: every route
 * of the router (intake/http/router.c, http_routes[]) is asked with no
 * credentials and with a token of each role, as a bearer token and as a
 * web session (on /api with and without the session's CSRF header), and
 * for view-dependent routes in each view and format. The expectation table
 * below must name every route: a route added without it fails this test.
 *
 * customer: reads the customer roadmap and nothing else; submitter: submits
 * ideas and sales notes; triager: what both may, plus the internal view and
 * triage; admin: everything. Public endpoints need no token. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "intake/http/router.h"
#include "session.h"
#include "support.h"

enum need {
	PUBLIC,    /* anyone */
	SUBMITTER, /* a role, as documented */
	TRIAGER,
	ADMIN,
	EMPLOYEE, /* /submit: an SSO header or a submitter (or above); no demo identity by default
	           */
	BY_VIEW,  /* public: anyone; customer: customer, triager, admin; internal: triager, admin */
	SIGN_IN,  /* POST /login: only the posted token counts (a wrong one: 401 for everyone) */
	SIGN_OUT, /* POST /logout: nothing to end without a session (303); a session needs its CSRF
	             token (403) */
	SIGNATURE, /* the webhook: an HMAC signature, never a token (401 without one) */
};

static const struct expect {
	int methods;
	const char *pattern;
	enum need need;
	const char *ct;   /* body content type, or NULL: no body */
	const char *body; /* for allowed callers: invalid, so that nothing changes */
} table[] = {
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/healthz", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/readyz", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/metrics", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/openapi.json", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_POST, "/api/v1/ideas", SUBMITTER, "application/json", "{}"},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/ideas/{id}", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_PATCH, "/api/v1/ideas/{id}", TRIAGER, "application/json",
     "{\"status\":\"someday\"}"},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/ideas/{id}/similar", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/backlog", BY_VIEW, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/stats", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/audit", ADMIN, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/roadmap/{view}", BY_VIEW, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/login", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_POST, "/login", SIGN_IN, "application/x-www-form-urlencoded", "token=itk_wrong"},
    {EVHTTP_REQ_POST, "/logout", SIGN_OUT, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/board", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/ideas/{id}", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_POST, "/ideas/{id}", TRIAGER, "application/x-www-form-urlencoded",
     "status=someday"},
    {EVHTTP_REQ_POST, "/ideas/{id}/fold", TRIAGER, "application/x-www-form-urlencoded", "into=x"},
    {EVHTTP_REQ_POST, "/ideas/{id}/unfold", TRIAGER, "application/x-www-form-urlencoded", ""},
    {EVHTTP_REQ_POST, "/api/v1/ideas/{id}/merge", TRIAGER, "application/json", "{}"},
    {EVHTTP_REQ_POST, "/api/v1/ideas/{id}/unmerge", TRIAGER, NULL, NULL},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/submit", EMPLOYEE, NULL, NULL},
    {EVHTTP_REQ_POST, "/submit", EMPLOYEE, "application/x-www-form-urlencoded", "title=x"},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/submit/thanks", PUBLIC, NULL, NULL},
    {EVHTTP_REQ_POST, "/webhooks/github", SIGNATURE, "application/json", "{}"},
    {EVHTTP_REQ_POST, "/api/v1/sales-notes", SUBMITTER, "application/json", "{}"},
    {EVHTTP_REQ_GET | EVHTTP_REQ_HEAD, "/api/v1/connectors", ADMIN, NULL, NULL},
    {EVHTTP_REQ_POST, "/api/v1/connectors/{name}/sync", ADMIN, NULL, NULL},
};
#define TABLE_LEN ((int)(sizeof(table) / sizeof(table[0])))

/* Who asks: no one, or a role's token (as bearer or session). */
#define NROLES 4
static const char *const role_names[NROLES] = {"customer", "submitter", "triager", "admin"};
enum { R_CUSTOMER, R_SUBMITTER, R_TRIAGER, R_ADMIN, R_NONE = -1 };

/* How: a bearer token; the session cookie alone; the cookie and the
 * session's X-CSRF-Token header. */
enum how { BEARER, COOKIE, COOKIE_CSRF_HEADER };
static const char *const how_names[] = {"bearer", "session cookie", "cookie + X-CSRF-Token"};

static char *conninfo;
static struct tserver *srv;
static char *tokens[NROLES];
static struct tsession sessions[NROLES];
static char pre_cookie[200];
static char *pre_csrf;
static long long idea_id;

static void start(void)
{
	conninfo = testdb_create("roles");
	srv = tserver_start(conninfo, NULL, NULL); /* the default configuration */
	for (int i = 0; i < NROLES; i++) {
		char name[40];
		snprintf(name, sizeof(name), "matrix-%s", role_names[i]);
		tokens[i] = test_token(conninfo, role_names[i], name);
		tsession_sign_in(srv->url, tokens[i], NULL, &sessions[i]);
	}
	/* an anonymous browser's pre-session cookie, for forms without a session */
	struct tresp *r = page_do(srv->url, "GET", "/login", NULL, NULL, NULL);
	char *attrs = NULL, *v = tresp_set_cookie(r, "ideatriage_pre", &attrs);
	cr_assert(v);
	snprintf(pre_cookie, sizeof(pre_cookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	pre_csrf = html_csrf(r->body);
	free(v);
	free(attrs);
	tresp_free(r);
	char url[200];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	const char *idea = "{\"title\":\"Matrix probe: WireGuard on routers\",\"author\":\"m\"}";
	r = http_post(url, tokens[R_SUBMITTER], "application/json", idea, strlen(idea));
	cr_assert_eq(r->status, 201, "%s", r->body);
	json_t *j = tresp_json(r);
	idea_id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	for (int i = 0; i < NROLES; i++)
		free(tokens[i]);
	free(pre_csrf);
	free(conninfo);
}

TestSuite(roles, .init = start, .fini = stop, .timeout = 300);

/* As documented: a triager may what a customer and a submitter may; an
 * admin everything. Written out here rather than taken from the code. */
static bool may(int have, int need_role)
{
	return have == need_role || have == R_ADMIN ||
	       (have == R_TRIAGER && (need_role == R_CUSTOMER || need_role == R_SUBMITTER));
}

enum outcome { ALLOWED, UNAUTHENTICATED, FORBIDDEN, REDIRECTED };
static const char *const outcome_names[] = {"allowed", "401 (or sign-in redirect)", "403",
                                            "303 to /login"};

/* What the documentation promises for need, in view v (BY_VIEW only), to
 * role `who` (R_NONE: no credentials) that sent a session cookie or not. */
static enum outcome promised(enum need need, const char *v, int who, bool session)
{
	int role = need == SUBMITTER ? R_SUBMITTER : need == TRIAGER ? R_TRIAGER : R_ADMIN;
	switch (need) {
	case PUBLIC:
		return ALLOWED;
	case SIGN_IN:
	case SIGNATURE:
		return UNAUTHENTICATED;
	case SIGN_OUT:
		return session ? FORBIDDEN : REDIRECTED;
	case EMPLOYEE:
		role = R_SUBMITTER;
		break;
	case BY_VIEW:
		if (strcmp(v, "public") == 0)
			return ALLOWED;
		role = strcmp(v, "customer") == 0 ? R_CUSTOMER : R_TRIAGER;
		break;
	default:
		break;
	}
	if (who == R_NONE)
		return UNAUTHENTICATED;
	return may(who, role) ? ALLOWED : FORBIDDEN;
}

static enum outcome observed(const struct tresp *r)
{
	if (r->status == 401)
		return UNAUTHENTICATED;
	if (r->status == 403)
		return FORBIDDEN;
	char *loc = tresp_header(r, "Location");
	bool login = r->status == 303 && loc && strncmp(loc, "/login", 6) == 0;
	free(loc);
	if (login)
		return REDIRECTED;
	return ALLOWED;
}

/* The route's pattern with {id} and {name} filled in. */
static void fill(const char *pattern, const char *view, char *out, size_t len)
{
	out[0] = '\0';
	for (const char *p = pattern; *p;) {
		if (*p == '{') {
			const char *end = strchr(p, '}');
			char val[40];
			if (strncmp(p, "{id}", 4) == 0)
				snprintf(val, sizeof(val), "%lld", idea_id);
			else if (strncmp(p, "{view}", 6) == 0)
				snprintf(val, sizeof(val), "%s", view);
			else
				snprintf(val, sizeof(val), "nosuch");
			snprintf(out + strlen(out), len - strlen(out), "%s", val);
			p = end + 1;
		} else {
			snprintf(out + strlen(out), len - strlen(out), "%c", *p++);
		}
	}
}

static int failures, asked;

/* One request: route row e at path, by role `who` (R_NONE: nobody) in way
 * how; checks the outcome against the promise. */
static void ask(const struct expect *e, const char *method, const char *path, const char *view,
                int who, enum how how)
{
	bool session = who != R_NONE && how != BEARER;
	bool api = strncmp(path, "/api/", 5) == 0;
	char url[600], auth[200], cookie[400], hdr[120], ct[100], body[300];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	const char *h[5] = {NULL};
	int n = 0;
	if (who != R_NONE && how == BEARER) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
		h[n++] = auth;
	}
	/* form posts carry the CSRF token of the cookie sent, so only the role decides */
	snprintf(cookie, sizeof(cookie), "Cookie: %s", session ? sessions[who].cookie : pre_cookie);
	h[n++] = cookie;
	if (session && how == COOKIE_CSRF_HEADER) {
		snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %s", sessions[who].csrf);
		h[n++] = hdr;
	}
	const char *b = NULL;
	if (e->ct) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", e->ct);
		h[n++] = ct;
		if (strcmp(e->ct, "application/json") == 0)
			snprintf(body, sizeof(body), "%s", e->body);
		else
			snprintf(body, sizeof(body), "csrf=%s&%s",
			         session ? sessions[who].csrf : pre_csrf, e->body);
		b = body;
	}
	struct tresp *r = http_do(method, url, h, b, b ? strlen(b) : 0);
	cr_assert(r, "no answer to %s %s", method, path);
	asked++;
	/* on /api the cookie alone is no credential */
	int as = session && api && how == COOKIE ? R_NONE : who;
	enum outcome want = promised(e->need, view, as, session);
	enum outcome got = observed(r);
	if (want == UNAUTHENTICATED && got == REDIRECTED && !api)
		got = UNAUTHENTICATED; /* a page sends a stranger to sign in */
	if (got != want || r->status >= 500) {
		failures++;
		cr_expect_fail("%s %s as %s (%s): want %s, got %ld %s", method, path,
		               who == R_NONE ? "nobody" : role_names[who], how_names[how],
		               outcome_names[want], r->status, r->body ? r->body : "");
	}
	tresp_free(r);
}

/* Every way of asking for one request. */
static void ask_all(const struct expect *e, const char *method, const char *path, const char *view)
{
	ask(e, method, path, view, R_NONE, BEARER);
	for (int who = 0; who < NROLES; who++)
		for (int how = BEARER; how <= COOKIE_CSRF_HEADER; how++)
			ask(e, method, path, view, who, (enum how)how);
}

static const struct expect *expectation(const struct route *rt)
{
	for (int i = 0; i < TABLE_LEN; i++)
		if (strcmp(table[i].pattern, rt->pattern) == 0 && table[i].methods == rt->methods)
			return &table[i];
	return NULL;
}

Test(roles, every_route_answers_each_role_as_documented)
{
	static const char *const views[] = {"public", "customer", "internal"};
	static const char *const formats[] = {"html", "json", "csv", "md", "atom"};
	for (int i = 0; i < http_routes_len; i++) {
		const struct route *rt = &http_routes[i];
		const struct expect *e = expectation(rt);
		cr_assert(e,
		          "route %s (methods %#x) is not in the role matrix: add it to "
		          "tests/test_roles.c",
		          rt->pattern, (unsigned)rt->methods);
		const char *method = rt->methods & EVHTTP_REQ_GET     ? "GET"
		                     : rt->methods & EVHTTP_REQ_PATCH ? "PATCH"
		                                                      : "POST";
		char path[300];
		if (e->need != BY_VIEW) {
			fill(rt->pattern, NULL, path, sizeof(path));
			ask_all(e, method, path, NULL);
			continue;
		}
		for (int v = 0; v < 3; v++) {
			if (strchr(rt->pattern, '{')) { /* /roadmap/{view}: in every format */
				for (int f = 0; f < 5; f++) {
					if (f == 4 && v != 0)
						continue; /* Atom is the public roadmap's only */
					char base[100];
					fill(rt->pattern, views[v], base, sizeof(base));
					snprintf(path, sizeof(path), "%s?format=%s", base,
					         formats[f]);
					ask_all(e, method, path, views[v]);
				}
			} else {
				snprintf(path, sizeof(path), "%s?view=%s&limit=1", rt->pattern,
				         views[v]);
				ask_all(e, method, path, views[v]);
			}
		}
	}
	/* and the table names no route the router no longer has */
	for (int i = 0; i < TABLE_LEN; i++) {
		bool found = false;
		for (int j = 0; j < http_routes_len; j++)
			found = found || (strcmp(table[i].pattern, http_routes[j].pattern) == 0 &&
			                  table[i].methods == http_routes[j].methods);
		cr_expect(found, "the matrix names %s, which the router does not have",
		          table[i].pattern);
	}
	/* nobody, then each role in three ways, for every route at least once */
	cr_expect_geq(asked, http_routes_len * (1 + NROLES * 3));
	cr_log_info("%d requests, %d answered against the documented roles", asked, failures);
	cr_expect_eq(failures, 0, "%d requests answered against the documented roles", failures);
}

/* The finding on its own: a submitter token reads no customer view. */
Test(roles, a_submitter_reads_no_customer_view)
{
	static const char *const paths[] = {
	    "/api/v1/backlog?view=customer", "/roadmap/customer",
	    "/roadmap/customer?format=json", "/roadmap/customer?format=csv",
	    "/roadmap/customer?format=md",   "/roadmap/customer?format=html",
	};
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[R_SUBMITTER]);
	const char *h[] = {auth, NULL};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char url[300];
		snprintf(url, sizeof(url), "%s%s", srv->url, paths[i]);
		struct tresp *r = http_do("GET", url, h, NULL, 0);
		cr_expect(tresp_is_problem(r, 403), "%s: %ld", paths[i], r->status);
		tresp_free(r);
	}
}
