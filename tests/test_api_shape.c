/* The API's one shape (issue 16, point 4) against a real server and
 * PostgreSQL: every list answers {"items", "next"} and pages by one cursor,
 * `after=`, with an RFC 8288 Link header a client can follow alone (the
 * cached public backlog too); a hostile cursor is a 400; an idea's ETag
 * answers If-None-Match with 304 and guards PATCH with If-Match, so of two
 * triagers who read the same version exactly one writes, whatever the
 * timing, and a merge in between makes a PATCH stale; the idea page's
 * triage form carries the same version, so a stale form saves nothing. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"
#include "support.h"

static char *conninfo;
static PGconn *pg;
static struct tserver *srv;
static char *submitter, *triager, *admin;

static void start(void)
{
	conninfo = testdb_create("api_shape");
	pg = testdb_connect(conninfo);
	/* four workers: a PATCH waiting for a row lock holds its worker */
	srv = tserver_start(conninfo, NULL, "{\"http\": {\"workers\": 4}}");
	submitter = test_token(conninfo, "submitter", "form-bot");
	triager = test_token(conninfo, "triager", "Pat Triager");
	admin = test_token(conninfo, "admin", "Ada Admin");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(submitter);
	free(triager);
	free(admin);
}

TestSuite(api_shape, .init = start, .fini = stop, .timeout = 240);

/* ---- helpers --------------------------------------------------------------- */

/* method path as token, with body (JSON) and one more header (may be NULL). */
static struct tresp *req(const char *method, const char *path, const char *token, const char *body,
			 const char *header)
{
	char url[1200], auth[200];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	const char *h[4] = {NULL};
	int n = 0;
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	if (header)
		h[n++] = header;
	struct tresp *r = http_do(method, url, h, body, body ? strlen(body) : 0);
	cr_assert(r, "%s %s: no answer", method, path);
	return r;
}

static void expect_problem(struct tresp *r, long status, const char *field)
{
	cr_expect(tresp_is_problem(r, status), "want %ld problem, got %ld %s", status, r->status, r->body);
	json_t *j = tresp_json(r);
	const char *f = json_string_value(json_object_get(j, "field"));
	cr_expect(!field || (f && strcmp(f, field) == 0), "want field %s in %s", field, r->body);
	json_decref(j);
	tresp_free(r);
}

static long long submit_idea(const char *title)
{
	char body[400];
	snprintf(body, sizeof(body), "{\"title\":\"%s\",\"author\":\"%s\"}", title, title);
	struct tresp *r = req("POST", "/api/v1/ideas", submitter, body, NULL);
	cr_assert_eq(r->status, 201, "%s", r->body);
	json_t *j = tresp_json(r);
	long long id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
	return id;
}

/* The path of a Link header's rel="next" target (new), or NULL. */
static char *link_next(const struct tresp *r)
{
	char *link = tresp_header(r, "Link");
	if (!link)
		return NULL;
	char *end = strstr(link, ">; rel=\"next\"");
	cr_assert(link[0] == '<' && end && end[13] == '\0', "Link: %s", link);
	char *path = strndup(link + 1, (size_t)(end - link - 1));
	free(link);
	cr_assert(path[0] == '/' && strstr(path, "after="), "a root-relative URL with the cursor: %s",
		  path);
	return path;
}

/* Walks the list at path by its Link headers alone; returns every item's
 * id in order, and the number of pages in *pages. Each page is an
 * {"items", "next"} envelope whose `next` is null exactly when it has no
 * Link. */
static json_t *walk(const char *first, const char *token, int *pages)
{
	json_t *ids = json_array();
	char *path = strdup(first);
	for (*pages = 0; path; (*pages)++) {
		cr_assert_lt(*pages, 50, "a list that never ends");
		struct tresp *r = req("GET", path, token, NULL, NULL);
		cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
		json_t *j = tresp_json(r);
		json_t *items = json_object_get(j, "items"), *next = json_object_get(j, "next");
		cr_assert(json_is_array(items) && next, "the list envelope: %s", r->body);
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		json_array_append_new(ids, json_integer(json_integer_value(json_object_get(it, "id"))));
		free(path);
		path = link_next(r);
		cr_expect_eq(path == NULL, json_is_null(next), "Link and next agree: %s", r->body);
		/* the cursors here are digits, '.', '-' and '~': sent as they are */
		if (path)
			cr_expect(strstr(path, json_string_value(next)), "the Link carries the cursor %s: %s",
				  json_string_value(next), path);
		json_decref(j);
		tresp_free(r);
	}
	return ids;
}

static bool distinct(json_t *ids)
{
	for (size_t i = 0; i < json_array_size(ids); i++)
		for (size_t k = i + 1; k < json_array_size(ids); k++)
			if (json_integer_value(json_array_get(ids, i)) ==
			    json_integer_value(json_array_get(ids, k)))
				return false;
	return true;
}

static void patch_ok(long long id, const char *json)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	struct tresp *r = req("PATCH", path, triager, json, NULL);
	cr_assert_eq(r->status, 200, "PATCH %s: %ld %s", json, r->status, r->body);
	tresp_free(r);
}

/* ---- lists ----------------------------------------------------------------- */

Test(api_shape, every_list_walks_by_its_link_header_to_exactly_its_items)
{
	static const char *const titles[] = {
	    "Linkwalk: SAML login for the admin console", "Linkwalk: dark mode for the tray app",
	    "Linkwalk: export flow logs to S3",          "Linkwalk: ARM64 builds for Alpine",
	    "Linkwalk: per device key expiry",           "Linkwalk: MagicDNS for split horizons",
	    "Linkwalk: IPv6 exit nodes",};
	const int n = sizeof(titles) / sizeof(titles[0]);
	for (int i = 0; i < n; i++) {
		long long id = submit_idea(titles[i]);
		char json[300];
		snprintf(json, sizeof(json),
			 "{\"visibility\":\"public\",\"public_title\":\"%s\",\"category\":\"feature\"}",
			 titles[i]);
		patch_ok(id, json);
	}
	/* 7 items in pages of 3, then of 7 (a full last page has no Link) */
	static const char *const firsts[] = {
	    "/api/v1/backlog?view=internal&q=linkwalk&limit=3",
	    "/api/v1/backlog?q=linkwalk&view=public&limit=3",
	    "/api/v1/backlog?view=internal&q=linkwalk&limit=7",
	};
	const int want_pages[] = {3, 3, 1};
	for (int k = 0; k < 3; k++) {
		/* twice: the public view's second walk comes from the cache */
		for (int again = 0; again < (k == 1 ? 2 : 1); again++) {
			int pages;
			json_t *ids = walk(firsts[k], k == 1 ? NULL : triager, &pages);
			cr_expect_eq(json_array_size(ids), (size_t)n, "%s: %zu items", firsts[k],
				     json_array_size(ids));
			cr_expect(distinct(ids), "%s: an item twice", firsts[k]);
			cr_expect_eq(pages, want_pages[k], "%s: %d pages", firsts[k], pages);
			json_decref(ids);
		}
	}
	/* the audit log: 7 publishing decisions and more, one per page */
	int pages;
	json_t *all = walk("/api/v1/audit?limit=500", admin, &pages);
	json_t *ids = walk("/api/v1/audit?limit=1", admin, &pages);
	cr_expect_geq(json_array_size(all), (size_t)n);
	cr_expect(json_equal(ids, all), "pages of one record are the whole log, once, in order");
	cr_expect_eq(pages, (int)json_array_size(all));
	json_decref(all);
	json_decref(ids);
}

Test(api_shape, the_link_keeps_the_query_and_replaces_the_cursor)
{
	long long ids[] = {submit_idea("Link query: Okta SCIM groups"),
			   submit_idea("Link query: Android battery saver"),
			   submit_idea("Link query: FreeBSD package for the daemon")};
	cr_assert(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2], "three ideas");
#define QUERY "/api/v1/backlog?q=link%20query&status=new%2Cplanned&limit=1&view=internal"
	const char *first = QUERY, *const kept = QUERY "&after=";
#undef QUERY
	char *path = strdup(first);
	for (int page = 0; page < 3; page++) {
		struct tresp *r = req("GET", path, triager, NULL, NULL);
		cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
		free(path);
		path = link_next(r);
		tresp_free(r);
		if (page == 2) {
			cr_expect_null(path, "three ideas in pages of one: the third is the last");
			break;
		}
		cr_assert(path, "page %d has a next", page + 1);
		/* the same path and query, re-encoded; the cursor once, at the end */
		cr_expect(strncmp(path, kept, strlen(kept)) == 0, "%s", path);
		cr_expect(!strchr(path + strlen(kept), '&'), "one cursor: %s", path);
	}
	free(path);
}

Test(api_shape, a_hostile_cursor_is_a_400_naming_after)
{
	static const char *const bad[] = {
	    "/api/v1/backlog?after=12;DROP",
	    "/api/v1/backlog?view=internal&after=1e999~1~0",
	    "/api/v1/backlog?after=%00",
	    "/api/v1/backlog?after=1~-1~0",
	    "/api/v1/audit?after=0",
	    "/api/v1/audit?after=-5",
	    "/api/v1/audit?after=abc",
	    "/api/v1/audit?after=99999999999999999999",
	    "/api/v1/audit?after=1~2~3",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *tok = strstr(bad[i], "audit") ? admin : triager;
		struct tresp *r = req("GET", bad[i], tok, NULL, NULL);
		cr_expect(tresp_is_problem(r, 400), "%s: %ld %s", bad[i], r->status, r->body);
		json_t *j = tresp_json(r);
		const char *f = json_string_value(json_object_get(j, "field"));
		/* a NUL is refused as text before it is read as a cursor */
		cr_expect(f && strcmp(f, "after") == 0, "%s: %s", bad[i], r->body);
		json_decref(j);
		tresp_free(r);
	}
	/* the audit log's old cursor name is gone, and says so */
	expect_problem(req("GET", "/api/v1/audit?before=5", admin, NULL, NULL), 400, "before");
	char *log = tserver_log(srv);
	cr_expect(!strstr(log, "runtime error"), "the sanitizer saw undefined behaviour:\n%s", log);
	free(log);
}

Test(api_shape, similar_and_connectors_answer_the_list_envelope)
{
	long long a = submit_idea("Envelope: exit node per application");
	long long b = submit_idea("Envelope: exit node per app");
	char path[100];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld/similar", b == a ? a : b);
	static const char *const lists[][2] = {{NULL, "triager"}, {"/api/v1/connectors", "admin"}};
	for (int i = 0; i < 2; i++) {
		const char *p = lists[i][0] ? lists[i][0] : path;
		struct tresp *r = req("GET", p, i == 0 ? triager : admin, NULL, NULL);
		cr_assert_eq(r->status, 200, "%s: %s", p, r->body);
		json_t *j = tresp_json(r);
		cr_expect(json_is_array(json_object_get(j, "items")), "%s: %s", p, r->body);
		cr_expect(json_is_null(json_object_get(j, "next")), "%s: one page: %s", p, r->body);
		char *link = tresp_header(r, "Link");
		cr_expect_null(link, "%s: no next page", p);
		free(link);
		json_decref(j);
		tresp_free(r);
	}
}

/* ---- ETag and If-Match ----------------------------------------------------- */

/* GET /api/v1/ideas/id's ETag (new), checking its form. */
static char *etag_of(long long id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	struct tresp *r = req("GET", path, triager, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	char *etag = tresp_header(r, "ETag");
	cr_assert(etag && etag[0] == '"' && strlen(etag) == 34, "a strong ETag: %s", etag ? etag : "none");
	tresp_free(r);
	return etag;
}

/* PATCH idea id with If-Match: etag (no header when NULL); returns the
 * answer. */
static struct tresp *patch_if(long long id, const char *etag, const char *json)
{
	char path[64], h[120];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	/* "Name;" is how curl sends a header with an empty value */
	if (etag && !*etag)
		snprintf(h, sizeof(h), "If-Match;");
	else
		snprintf(h, sizeof(h), "If-Match: %s", etag ? etag : "");
	return req("PATCH", path, triager, json, etag ? h : NULL);
}

static char *owner_of(long long id)
{
	char q[120];
	snprintf(q, sizeof(q), "SELECT coalesce(owner, '') FROM ideas WHERE id = %lld", id);
	return testdb_value(pg, q);
}

Test(api_shape, an_etag_revalidates_and_guards_a_patch)
{
	long long id = submit_idea("Etag probe: posture checks for managed laptops");
	char *e1 = etag_of(id);
	char path[64], inm[120];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", e1);
	struct tresp *r = req("GET", path, triager, NULL, inm);
	cr_expect_eq(r->status, 304, "unchanged: %ld", r->status);
	tresp_free(r);
	/* a matching If-Match applies, and answers the ETag GET now gives */
	r = patch_if(id, e1, "{\"owner\":\"kim\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	char *e2 = tresp_header(r, "ETag"), *now = etag_of(id);
	cr_expect(e2 && strcmp(e2, e1) != 0, "a change makes a new ETag");
	cr_expect_str_eq(e2, now, "PATCH answers the ETag of what it wrote");
	tresp_free(r);
	r = req("GET", path, triager, NULL, inm);
	cr_expect_eq(r->status, 200, "changed: the whole idea again");
	tresp_free(r);
	/* the old ETag is stale: 412 and nothing written */
	long audit = testdb_count(pg, "audit_log");
	expect_problem(patch_if(id, e1, "{\"owner\":\"lou\"}"), 412, "If-Match");
	char *owner = owner_of(id);
	cr_expect_str_eq(owner, "kim");
	free(owner);
	cr_expect_eq(testdb_count(pg, "audit_log"), audit, "a refused PATCH audits nothing");
	/* a weak or unknown tag never matches; "*" and a list holding it do */
	char weak[80], list[120];
	snprintf(weak, sizeof(weak), "W/%s", e2);
	expect_problem(patch_if(id, weak, "{\"owner\":\"lou\"}"), 412, "If-Match");
	snprintf(list, sizeof(list), "\"0123\", %s", e2);
	r = patch_if(id, list, "{\"owner\":\"max\"}");
	cr_expect_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	r = patch_if(id, "*", "{\"owner\":\"ned\"}");
	cr_expect_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	/* not a list of entity tags: a 400, before anything is read */
	static const char *const malformed[] = {"kim", "\"open", "\"a\" \"b\"", "\"a\",", ""};
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		expect_problem(patch_if(id, malformed[i], "{\"owner\":\"oz\"}"), 400, "If-Match");
	/* without If-Match the change still applies (clients SHOULD send it) */
	r = patch_if(id, NULL, "{\"owner\":\"pia\"}");
	cr_expect_eq(r->status, 200, "%s", r->body);
	char *e3 = tresp_header(r, "ETag");
	cr_expect(e3 != NULL, "every applied PATCH answers the new ETag");
	free(e3);
	tresp_free(r);
	owner = owner_of(id);
	cr_expect_str_eq(owner, "pia");
	free(owner);
	free(e1);
	free(e2);
	free(now);
}

Test(api_shape, a_merge_or_unmerge_makes_a_patch_stale)
{
	long long a = submit_idea("Stale probe: Windows ARM client");
	long long b = submit_idea("Stale probe: FreeBSD jails support");
	cr_assert_neq(a, b);
	char *ea = etag_of(a), *eb = etag_of(b);
	char path[80], body[64];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld/merge", b);
	snprintf(body, sizeof(body), "{\"into\":%lld}", a);
	struct tresp *r = req("POST", path, triager, body, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	expect_problem(patch_if(a, ea, "{\"status\":\"planned\"}"), 412, "If-Match");
	/* the merged idea changes only through unmerge */
	expect_problem(patch_if(b, eb, "{\"status\":\"planned\"}"), 404, NULL);
	free(ea);
	ea = etag_of(a);
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld/unmerge", b);
	r = req("POST", path, triager, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	expect_problem(patch_if(a, ea, "{\"status\":\"planned\"}"), 412, "If-Match");
	char q[120];
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'new'", a);
	cr_expect_eq(testdb_count(pg, q), 1, "nothing of a stale PATCH is written");
	free(ea);
	free(eb);
}

/* ---- the race -------------------------------------------------------------- */

struct racer {
	long long id;
	const char *etag;
	const char *owner;
	long status;
};

static void *race(void *arg)
{
	struct racer *x = arg;
	char json[64];
	snprintf(json, sizeof(json), "{\"owner\":\"%s\"}", x->owner);
	struct tresp *r = patch_if(x->id, x->etag, json);
	x->status = r ? r->status : 0;
	tresp_free(r);
	return NULL;
}

/* Waits until want sessions of this database wait for a lock (5 s at most). */
static bool lock_waiters(int want)
{
	for (int i = 0; i < 500; i++) {
		if (testdb_count(pg, "pg_stat_activity WHERE datname = current_database()"
				     " AND wait_event_type = 'Lock'") >= want)
			return true;
		usleep(10000);
	}
	return false;
}

Test(api_shape, two_triagers_with_one_etag_exactly_one_writes)
{
	long long id = submit_idea("Race probe: device approval by SCIM group");
	for (int round = 0; round < 3; round++) {
		char *etag = etag_of(id);
		long audit = testdb_count(pg, "audit_log");
		/* the idea's row held here, so both PATCHes are in flight, each
		 * on its own worker, waiting for it, before either can check */
		PGresult *lk = PQexec(pg, "BEGIN");
		PQclear(lk);
		char sql[120];
		snprintf(sql, sizeof(sql), "SELECT 1 FROM ideas WHERE id = %lld FOR UPDATE", id);
		lk = PQexec(pg, sql);
		cr_assert_eq(PQresultStatus(lk), PGRES_TUPLES_OK);
		PQclear(lk);
		struct racer x[2] = {{id, etag, round % 2 ? "ann" : "bob", 0},
				     {id, etag, round % 2 ? "cy" : "dee", 0}};
		pthread_t th[2];
		for (int i = 0; i < 2; i++) {
			cr_assert_eq(pthread_create(&th[i], NULL, race, &x[i]), 0);
			cr_assert(lock_waiters(i + 1), "PATCH %d never reached the row lock", i + 1);
		}
		lk = PQexec(pg, "COMMIT");
		PQclear(lk);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		cr_expect((x[0].status == 200 && x[1].status == 412) ||
			      (x[0].status == 412 && x[1].status == 200),
			  "round %d: one 200 and one 412, got %ld and %ld", round, x[0].status,
			  x[1].status);
		char *owner = owner_of(id);
		const char *winner = x[0].status == 200 ? x[0].owner : x[1].owner;
		cr_expect_str_eq(owner, winner, "the winner's change, and only it");
		free(owner);
		cr_expect_eq(testdb_count(pg, "audit_log"), audit + 1, "one change audited");
		free(etag);
	}
}

/* ---- the idea page's form -------------------------------------------------- */

/* The triage form's version field of an idea page, form-encoded (new):
 * the page writes the ETag's quotes as &quot;, a form sends them as %22. */
static char *form_version(const char *html)
{
	const char *v = strstr(html, "name=\"version\" value=\"");
	cr_assert(v, "the triage form carries the idea's version");
	v += strlen("name=\"version\" value=\"");
	char *out = calloc(1, 128), *o = out;
	while (*v && *v != '"' && o - out < 120) {
		if (strncmp(v, "&quot;", 6) == 0) {
			o += sprintf(o, "%%22");
			v += 6;
		} else {
			*o++ = *v++;
		}
	}
	cr_assert(strlen(out) == 38, "a quoted ETag: %s", out);
	return out;
}

Test(api_shape, a_triage_form_from_before_a_change_saves_nothing)
{
	long long id = submit_idea("Form probe: Tailnet lock for shared nodes");
	struct tsession st;
	tsession_sign_in(srv->url, triager, NULL, &st);
	char path[64], form[400];
	snprintf(path, sizeof(path), "/ideas/%lld", id);
	struct tresp *r = page_do(srv->url, "GET", path, st.cookie, NULL, NULL);
	cr_assert_eq(r->status, 200);
	char *stale = form_version(r->body);
	tresp_free(r);
	/* another triager decides in between, through the API */
	patch_ok(id, "{\"status\":\"planned\"}");
	/* the form still says status=new: saving it would undo that decision */
	snprintf(form, sizeof(form), "csrf=%s&version=%s&status=new&visibility=internal&owner=zed",
		 st.csrf, stale);
	r = page_do(srv->url, "POST", path, st.cookie, form, NULL);
	cr_expect_eq(r->status, 409, "%ld", r->status);
	cr_expect(strstr(r->body, "changed since you opened it"), "the page says why");
	char *fresh = form_version(r->body);
	cr_expect(strcmp(fresh, stale) != 0, "and shows the idea as it is now");
	tresp_free(r);
	char q[160];
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'planned' AND owner IS NULL", id);
	cr_expect_eq(testdb_count(pg, q), 1, "nothing of the stale form was saved");
	/* the form as it is now saves */
	snprintf(form, sizeof(form), "csrf=%s&version=%s&status=planned&visibility=internal&owner=zed",
		 st.csrf, fresh);
	r = page_do(srv->url, "POST", path, st.cookie, form, NULL);
	cr_expect_eq(r->status, 303, "%ld %s", r->status, r->body);
	tresp_free(r);
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'planned' AND owner = 'zed'", id);
	cr_expect_eq(testdb_count(pg, q), 1, "the fresh form saved");
	free(stale);
	free(fresh);
}
