/* The views against a real server and PostgreSQL: the backlog API (roles,
 * filters, keyset pagination), triage actions (validation, audit, history,
 * overrides through rescoring), roadmaps in every format (ETag, Accept,
 * export = the same bytes), stats, and the leak test: canaries ingested
 * through every channel never reach a customer or public output. */
#include <criterion/criterion.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "session.h"
#include "support.h"

#define SECRET "views-webhook-secret"

static char *conninfo;
static PGconn *pg;
static struct tserver *srv;
static char *submitter, *triager, *admin, *customer;

static void start(void)
{
	conninfo = testdb_create("views");
	pg = testdb_connect(conninfo);
	srv = tserver_start(conninfo, NULL, "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}");
	submitter = test_token(conninfo, "submitter", "form-bot");
	triager = test_token(conninfo, "triager", "Pat Triager");
	admin = test_token(conninfo, "admin", "Ada Admin");
	customer = test_token(conninfo, "customer", "portal");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(submitter);
	free(triager);
	free(admin);
	free(customer);
}

TestSuite(views, .init = start, .fini = stop, .timeout = 240);

/* ---- helpers --------------------------------------------------------------- */

static struct tresp *req(const char *method, const char *path, const char *token, const char *body,
			 const char *ct)
{
	char url[1024], auth[200], ctype[100];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	const char *h[4] = {NULL};
	int n = 0;
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", ct ? ct : "application/json");
		h[n++] = ctype;
	}
	struct tresp *r = http_do(method, url, h, body, body ? strlen(body) : 0);
	cr_assert(r, "%s %s: no answer", method, path);
	return r;
}

static json_t *get_json(const char *path, const char *token, long want)
{
	struct tresp *r = req("GET", path, token, NULL, NULL);
	cr_assert_eq(r->status, want, "GET %s: %ld %s", path, r->status, r->body);
	json_t *j = tresp_json(r);
	tresp_free(r);
	return j;
}

static long long submit_idea(const char *json)
{
	struct tresp *r = req("POST", "/api/v1/ideas", submitter, json, NULL);
	cr_assert_eq(r->status, 201, "%s", r->body);
	json_t *j = tresp_json(r);
	long long id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
	return id;
}

/* A GitHub "issues opened" delivery for number n with title, body, labels. */
static long long github_issue(int n, const char *title, const char *body, const char *label)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/github/issues_opened.json", TEST_SOURCE_DIR);
	json_t *p = json_load_file(path, 0, NULL);
	cr_assert(p);
	json_t *issue = json_object_get(p, "issue");
	char url[200];
	snprintf(url, sizeof(url), "https://github.com/meshwork/meshd/issues/%d", n);
	json_object_set_new(issue, "number", json_integer(n));
	json_object_set_new(issue, "id", json_integer(900000 + n));
	json_object_set_new(issue, "title", json_string(title));
	json_object_set_new(issue, "body", json_string(body));
	json_object_set_new(issue, "html_url", json_string(url));
	json_t *labels = json_array();
	if (label)
		json_array_append_new(labels, json_pack("{s:s}", "name", label));
	json_object_set_new(issue, "labels", labels);
	char *s = json_dumps(p, 0);
	char delivery[40];
	snprintf(delivery, sizeof(delivery), "views-%d", n);
	struct tresp *r = send_webhook(srv->url, SECRET, "issues", delivery, s, strlen(s));
	cr_assert(r && r->status == 200, "webhook: %ld %s", r ? r->status : 0, r ? r->body : "");
	tresp_free(r);
	free(s);
	json_decref(p);
	char q[300];
	snprintf(q, sizeof(q),
		 "SELECT idea_id FROM mentions WHERE source = 'github' AND external_id = 'meshwork/meshd#%d'", n);
	char *v = testdb_value(pg, q);
	cr_assert(v);
	long long id = atoll(v);
	free(v);
	return id;
}

static struct tresp *patch(long long id, const char *token, const char *json)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	return req("PATCH", path, token, json, NULL);
}

static void patch_ok(long long id, const char *json)
{
	struct tresp *r = patch(id, triager, json);
	cr_assert_eq(r->status, 200, "PATCH %lld %s: %ld %s", id, json, r->status, r->body);
	tresp_free(r);
}

static void expect_problem(struct tresp *r, long status, const char *field)
{
	cr_expect(tresp_is_problem(r, status), "want %ld problem, got %ld %s", status, r->status, r->body);
	if (field) {
		json_t *j = tresp_json(r);
		const char *f = json_string_value(json_object_get(j, "field"));
		cr_expect(f && strcmp(f, field) == 0, "want field %s in %s", field, r->body);
		json_decref(j);
	}
	tresp_free(r);
}

static bool has_id(json_t *items, long long id)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	if (json_integer_value(json_object_get(it, "id")) == id)
		return true;
	return false;
}

static char *body_of(const char *path, const char *token)
{
	struct tresp *r = req("GET", path, token, NULL, NULL);
	cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
	char *b = strdup(r->body);
	tresp_free(r);
	return b;
}

/* `ideatriage export` into a file (stdout would mix with its log lines). */
static char *export_of(const char *view, const char *format)
{
	char env[2100], path[1200];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	char *dir = test_tmpdir("views-export");
	/* started as root, export runs as run.user: it must be able to write here */
	chmod(dir, 0777);
	snprintf(path, sizeof(path), "%s/roadmap.%s", dir, format);
	free(dir);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"export", "--view", view, "--format", format, "--output", path, NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "export %s %s: %s", view, format, out);
	free(out);
	char *b = test_read_file(path);
	cr_assert(b, "export wrote no %s", path);
	return b;
}

/* ---- backlog --------------------------------------------------------------- */

Test(views, the_backlog_refuses_the_wrong_audience_and_bad_filters)
{
	expect_problem(req("GET", "/api/v1/backlog?view=internal", NULL, NULL, NULL), 401, "Authorization");
	expect_problem(req("GET", "/api/v1/backlog?view=internal", customer, NULL, NULL), 403, NULL);
	expect_problem(req("GET", "/api/v1/backlog?view=customer", NULL, NULL, NULL), 401, "Authorization");
	expect_problem(req("GET", "/api/v1/backlog?view=customer", "itk_not-a-token", NULL, NULL), 401, "Authorization");
	expect_problem(req("GET", "/api/v1/backlog?view=internal", submitter, NULL, NULL), 403, NULL);
	expect_problem(req("GET", "/api/v1/backlog?view=everyone", NULL, NULL, NULL), 400, "view");
	expect_problem(req("GET", "/api/v1/backlog?limit=0", NULL, NULL, NULL), 400, "limit");
	expect_problem(req("GET", "/api/v1/backlog?limit=501", NULL, NULL, NULL), 400, "limit");
	expect_problem(req("GET", "/api/v1/backlog?limit=ten", NULL, NULL, NULL), 400, "limit");
	expect_problem(req("GET", "/api/v1/backlog?category=bugs", NULL, NULL, NULL), 400, "category");
	expect_problem(req("GET", "/api/v1/backlog?segment=iot", NULL, NULL, NULL), 400, "segment");
	expect_problem(req("GET", "/api/v1/backlog?bridge=yes", NULL, NULL, NULL), 400, "bridge");
	expect_problem(req("GET", "/api/v1/backlog?status=planned,doing", NULL, NULL, NULL), 400, "status");
	expect_problem(req("GET", "/api/v1/backlog?after=12;DROP", NULL, NULL, NULL), 400, "after");
	expect_problem(req("GET", "/api/v1/backlog?sort=votes", NULL, NULL, NULL), 400, "sort");
	/* a public reader may not ask which ideas came through sales */
	expect_problem(req("GET", "/api/v1/backlog?source=sales", NULL, NULL, NULL), 400, "source");
	expect_problem(req("GET", "/api/v1/backlog?view=public&visibility=internal", NULL, NULL, NULL), 400,
		       "visibility");
	expect_problem(req("GET", "/api/v1/backlog?q=%FF%FE", NULL, NULL, NULL), 400, "q");
	json_t *ok = get_json("/api/v1/backlog?view=internal&source=sales&status=new,planned", triager, 200);
	cr_expect(json_is_array(json_object_get(ok, "items")));
	json_decref(ok);
}

Test(views, pages_walk_the_whole_ranking_once_in_order)
{
	static const char *const titles[] = {
	    "Paging: dark theme for the admin console", "Paging: export audit events to S3",
	    "Paging: SCIM provisioning for Okta groups", "Paging: Terraform provider for ACL tags",
	    "Paging: battery saver mode on Android", "Paging: IPv6 only subnet routers",
	    "Paging: webhook when a device goes offline", "Paging: FreeBSD package for the daemon",
	    "Paging: per user bandwidth quotas"};
	long long ids[9];
	for (int i = 0; i < 9; i++) {
		char j[300];
		snprintf(j, sizeof(j), "{\"title\":\"%s\",\"author\":\"pager-%d\"}", titles[i], i);
		ids[i] = submit_idea(j);
		for (int k = 0; k < i; k++)
			cr_assert_neq(ids[k], ids[i], "\"%s\" folded into another probe", titles[i]);
	}
	json_t *all = json_array();
	char path[600] = "/api/v1/backlog?view=internal&limit=4&q=paging";
	int pages = 0;
	for (;;) {
		json_t *page = get_json(path, triager, 200);
		json_array_extend(all, json_object_get(page, "items"));
		json_t *next = json_object_get(page, "next");
		pages++;
		if (json_is_null(next)) {
			json_decref(page);
			break;
		}
		cr_assert(pages < 10);
		char *enc = strdup(json_string_value(next));
		snprintf(path, sizeof(path), "/api/v1/backlog?view=internal&limit=4&q=paging&after=%s", enc);
		free(enc);
		json_decref(page);
	}
	cr_expect_eq(json_array_size(all), 9, "got %zu", json_array_size(all));
	cr_expect_eq(pages, 3);
	double prev = 1e300;
	for (size_t i = 0; i < json_array_size(all); i++) {
		json_t *it = json_array_get(all, i);
		double s = json_number_value(json_object_get(it, "score"));
		cr_expect(s <= prev, "ranking must not go up");
		prev = s;
		cr_expect_eq(json_integer_value(json_object_get(it, "rank")), (json_int_t)i + 1);
	}
	for (int i = 0; i < 9; i++)
		cr_expect(has_id(all, ids[i]), "idea %lld missing from the pages", ids[i]);
	json_decref(all);
}

/* ---- triage actions ---------------------------------------------------------- */

Test(views, a_patch_is_validated_whole_and_changes_nothing_when_refused)
{
	long long id = submit_idea("{\"title\":\"Patch probe: audit log retention setting\",\"author\":\"pp\"}");
	expect_problem(patch(id, NULL, "{\"status\":\"planned\"}"), 401, "Authorization");
	expect_problem(patch(id, submitter, "{\"status\":\"planned\"}"), 403, NULL);
	expect_problem(patch(id, triager, "{\"status\":\"planned\",\"colour\":\"red\"}"), 400, "colour");
	expect_problem(patch(id, triager, "{\"status\":\"merged\"}"), 400, "status");
	expect_problem(patch(id, triager, "{}"), 400, "body");
	expect_problem(patch(id, triager, "[1]"), 400, "body");
	expect_problem(patch(id, triager, "{\"status\":"), 400, NULL);
	expect_problem(patch(id, triager, "{\"segments\":[\"iot\"]}"), 400, "segments");
	expect_problem(patch(id, triager, "{\"table_stakes\":\"yes\"}"), 400, "table_stakes");
	expect_problem(patch(id, triager, "{\"score_multiplier\":100}"), 400, "score_multiplier");
	expect_problem(patch(id, triager, "{\"public_title\":\"x\"}"), 400, "public_title");
	/* declining needs a reason; publishing an idea with no public thread needs a public title */
	expect_problem(patch(id, triager, "{\"status\":\"declined\"}"), 400, "declined_reason");
	expect_problem(patch(id, triager, "{\"visibility\":\"public\",\"status\":\"planned\"}"), 409,
		       "public_title");
	struct tresp *r = req("PATCH", "/api/v1/ideas/999999", triager, "{\"status\":\"planned\"}", NULL);
	expect_problem(r, 404, NULL);
	r = req("PATCH", "/api/v1/ideas/1", triager, "status=planned", "application/x-www-form-urlencoded");
	expect_problem(r, 415, NULL);
	char q[200];
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'new' AND visibility = 'internal'", id);
	cr_expect_eq(testdb_count(pg, q), 1, "a refused change must change nothing");
	snprintf(q, sizeof(q), "audit_log WHERE idea_id = %lld", id);
	cr_expect_eq(testdb_count(pg, q), 0);
}

Test(views, a_patch_is_audited_recorded_in_history_and_overrides_survive_rescore)
{
	long long id = submit_idea("{\"title\":\"Patch probe: colour themes for the admin console\",\"author\":\"pq\"}");
	struct tresp *r = patch(id, triager,
				"{\"status\":\"planned\",\"stage\":\"beta\",\"category\":\"security\","
				"\"segments\":[\"vpn\",\"platform\"],\"owner\":\"Pat\",\"public_title\":"
				"\"Admin console themes\",\"visibility\":\"customer\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	tresp_free(r);
	json_t *idea = json_object_get(j, "idea");
	cr_expect_str_eq(json_string_value(json_object_get(idea, "category")), "security");
	cr_expect(json_is_true(json_object_get(idea, "bridge")));
	cr_expect_eq(json_integer_value(json_object_get(j, "changed")), 7);
	/* a security idea stays out of the customer view until it ships and is disclosed */
	char *vis = json_dumps(json_object_get(j, "visible_in"), JSON_COMPACT);
	cr_expect_str_eq(vis, "[\"internal\"]");
	free(vis);
	json_decref(j);
	/* the same change again changes nothing and writes no audit row */
	r = patch(id, triager, "{\"status\":\"planned\"}");
	j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "changed")), 0);
	json_decref(j);
	tresp_free(r);
	char q[300];
	snprintf(q, sizeof(q),
		 "audit_log WHERE idea_id = %lld AND actor = 'Pat Triager' AND action = 'publish'"
		 " AND details->'status'->>'from' = 'new' AND details->'status'->>'to' = 'planned'"
		 " AND details->'category'->>'to' = 'security'",
		 id);
	cr_expect_eq(testdb_count(pg, q), 1);
	snprintf(q, sizeof(q), "audit_log WHERE idea_id = %lld", id);
	cr_expect_eq(testdb_count(pg, q), 1);
	snprintf(q, sizeof(q), "idea_history WHERE idea_id = %lld AND status = 'planned'", id);
	cr_expect_geq(testdb_count(pg, q), 1);
	/* rescoring everything keeps the person's overrides */
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"rescore", NULL};
	cr_assert_eq(run_cli(NULL, envs, argv, NULL), 0);
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND category = 'security' AND segments @> '{vpn,platform}'", id);
	cr_expect_eq(testdb_count(pg, q), 1);
	/* null hands the choice back to the rules */
	patch_ok(id, "{\"category\":null}");
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND category = 'security'", id);
	cr_expect_eq(testdb_count(pg, q), 0);
	/* the detail shows history and audit; the audit API is for admins */
	char path[100];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	json_t *d = get_json(path, triager, 200);
	cr_expect_geq(json_array_size(json_object_get(d, "history")), 2);
	cr_expect_eq(json_array_size(json_object_get(d, "audit")), 2);
	cr_expect_eq(json_array_size(json_object_get(d, "mentions")), 1);
	json_decref(d);
	expect_problem(req("GET", "/api/v1/audit", triager, NULL, NULL), 403, NULL);
	snprintf(path, sizeof(path), "/api/v1/audit?idea_id=%lld", id);
	json_t *a = get_json(path, admin, 200);
	cr_expect_eq(json_array_size(json_object_get(a, "items")), 2);
	json_decref(a);
	expect_problem(req("GET", "/api/v1/audit?idea_id=abc", admin, NULL, NULL), 400, "idea_id");
	expect_problem(req("GET", "/api/v1/ideas/99999999", triager, NULL, NULL), 404, NULL);
	expect_problem(req("GET", path, customer, NULL, NULL), 403, NULL);
}

/* ---- roadmaps ------------------------------------------------------------------ */

Test(views, roadmaps_negotiate_formats_revalidate_and_match_the_export)
{
	long long id = github_issue(7001, "Roadmap probe: tailnet lock for ephemeral nodes",
				    "Let ephemeral CI runners join a locked tailnet.", NULL);
	patch_ok(id, "{\"status\":\"in_progress\",\"visibility\":\"public\",\"stage\":\"alpha\","
		      "\"category\":\"feature\"}");
	struct tresp *r = req("GET", "/roadmap/public?format=json", NULL, NULL, NULL);
	cr_assert_eq(r->status, 200);
	char *ct = tresp_header(r, "Content-Type"), *etag = tresp_header(r, "ETag"),
	     *cc = tresp_header(r, "Cache-Control");
	cr_expect(ct && strstr(ct, "application/json"));
	cr_expect(etag && strlen(etag) > 10);
	cr_expect(cc && strstr(cc, "public"));
	json_t *doc = tresp_json(r);
	json_t *now = json_object_get(json_array_get(json_object_get(doc, "groups"), 0), "items");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(doc, "groups"), 0), "key")), "now");
	cr_expect(has_id(now, id), "the idea in progress is under Now");
	json_decref(doc);
	/* a revalidation with the ETag costs a 304 and no body */
	char inm[200];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	char url[300];
	snprintf(url, sizeof(url), "%s/roadmap/public?format=json", srv->url);
	const char *hs[] = {inm, NULL};
	struct tresp *r304 = http_do("GET", url, hs, NULL, 0);
	cr_expect_eq(r304->status, 304);
	cr_expect_eq(r304->len, 0);
	tresp_free(r304);
	/* the export writes the very same bytes */
	char *exp = export_of("public", "json");
	cr_expect_str_eq(exp, r->body);
	free(exp);
	tresp_free(r);
	free(ct);
	free(etag);
	free(cc);
	static const char *const fmts[] = {"csv", "md", "html", "atom"};
	static const char *const types[] = {"text/csv", "text/markdown", "text/html", "application/atom+xml"};
	for (int i = 0; i < 4; i++) {
		char path[100];
		snprintf(path, sizeof(path), "/roadmap/public?format=%s", fmts[i]);
		r = req("GET", path, NULL, NULL, NULL);
		cr_expect_eq(r->status, 200);
		ct = tresp_header(r, "Content-Type");
		cr_expect(ct && strstr(ct, types[i]), "%s: %s", fmts[i], ct);
		cr_expect(strstr(r->body, "Roadmap probe: tailnet lock"), "%s lists the idea", fmts[i]);
		exp = export_of("public", fmts[i]);
		cr_expect_str_eq(exp, r->body, "export %s differs", fmts[i]);
		free(exp);
		free(ct);
		tresp_free(r);
	}
	/* Accept picks the format when ?format= is absent */
	const char *acc[] = {"Accept: text/markdown", NULL};
	snprintf(url, sizeof(url), "%s/roadmap/public", srv->url);
	r = http_do("GET", url, acc, NULL, 0);
	ct = tresp_header(r, "Content-Type");
	cr_expect(ct && strstr(ct, "text/markdown"));
	free(ct);
	tresp_free(r);
	expect_problem(req("GET", "/roadmap/customer?format=atom", customer, NULL, NULL), 400, "format");
	expect_problem(req("GET", "/roadmap/public?format=pdf", NULL, NULL, NULL), 400, "format");
	expect_problem(req("GET", "/roadmap/secret", NULL, NULL, NULL), 404, NULL);
	expect_problem(req("GET", "/roadmap/customer", NULL, NULL, NULL), 401, NULL);
	expect_problem(req("GET", "/roadmap/internal", customer, NULL, NULL), 403, NULL);
}

Test(views, stats_show_the_strategy_mix)
{
	long long a = github_issue(7101, "Stats probe: workload identity for services across tailnets",
				   "services and workload identity for kubernetes and vpn users", NULL);
	(void)a;
	json_t *s = get_json("/api/v1/stats", triager, 200);
	json_t *by = json_object_get(s, "by_category_segment");
	cr_expect_eq(json_object_size(by), 4);
	long long total = 0;
	const char *cat;
	json_t *row;
	json_object_foreach(by, cat, row)
	{
		cr_expect_eq(json_object_size(row), 4, "%s has every segment class", cat);
		const char *seg;
		json_t *cell;
		json_object_foreach(row, seg, cell)
		total += json_integer_value(json_object_get(cell, "ideas"));
	}
	char *open = testdb_value(pg, "SELECT count(*) FROM ideas WHERE status NOT IN ('merged','declined','shipped')");
	cr_expect_eq(total, atoll(open), "every open idea is counted once");
	json_t *conc = json_object_get(s, "concentration");
	cr_expect_eq(json_integer_value(json_object_get(conc, "open_ideas")), atoll(open));
	free(open);
	cr_expect_eq(json_array_size(json_object_get(s, "top")), 3);
	json_t *src = json_object_get(s, "by_source");
	cr_expect_geq(json_array_size(src), 1);
	json_decref(s);
	expect_problem(req("GET", "/api/v1/stats", customer, NULL, NULL), 403, NULL);
}

/* ---- the leak test ------------------------------------------------------------- */

#define C_ACCOUNT "Zyxwvut Holdings"
#define C_ARR "987654321"
#define C_EMAIL "canary.person@example.com"
#define C_EMPLOYEE "Quentin Canarywood"
#define C_NOTE "canary-decision-note-41"
#define C_REASON "canary-declined-reason-52"
#define C_OWNER "Olga Canaryowner"
#define C_SECURITY "Canarysec relay token disclosure"
#define C_SALES_TEXT "canary-sales-text-77"
#define C_EMPLOYEE_TITLE "Canary employee wording for dark mode"

static const char *const canaries[] = {C_ACCOUNT, C_ARR, C_EMAIL, C_EMPLOYEE, C_NOTE, C_REASON,
				       C_OWNER, C_SECURITY, C_SALES_TEXT, C_EMPLOYEE_TITLE, NULL};

static void expect_no_canary(const char *where, const char *text)
{
	for (int i = 0; canaries[i]; i++)
		cr_expect(!strstr(text, canaries[i]), "%s leaks \"%s\"", where, canaries[i]);
}

static void expect_no_dates(const char *where, const char *text)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, "20[0-9][0-9]-[01][0-9]-[0-3][0-9]", REG_EXTENDED | REG_NOSUB), 0);
	cr_expect(regexec(&re, text, 0, NULL, 0) != 0, "%s shows a date to customers", where);
	regfree(&re);
}

Test(views, no_canary_reaches_a_customer_or_public_output_in_any_format)
{
	/* a public GitHub issue, and a private sales note on the same request merged into it */
	long long pub = github_issue(7201, "Leak probe: per-app exit nodes on macOS",
				     "Route only the browser through the exit node.", NULL);
	struct tresp *r = req("POST", "/api/v1/sales-notes", submitter,
			      "[{\"external_id\":\"crm-leak-1\",\"account\":\"" C_ACCOUNT "\",\"arr\":" C_ARR
			      ",\"contact\":\"Sam Seller\",\"note\":\"" C_SALES_TEXT
			      " wants app-based exit routing. Their CISO needs it before renewal\","
			      "\"date\":\"2026-10-01\"}]",
			      NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	char *sid = testdb_value(pg, "SELECT idea_id FROM mentions WHERE source = 'sales' AND external_id LIKE '%crm-leak-1%'");
	cr_assert(sid);
	if (atoll(sid) != pub) {
		char path[100], body[100];
		snprintf(path, sizeof(path), "/api/v1/ideas/%s/merge", sid);
		snprintf(body, sizeof(body), "{\"into\": %lld}", pub);
		r = req("POST", path, triager, body, NULL);
		cr_assert_eq(r->status, 200, "%s", r->body);
		tresp_free(r);
	}
	free(sid);
	patch_ok(pub, "{\"status\":\"planned\",\"visibility\":\"public\",\"category\":\"feature\",\"decision_note\":\"" C_NOTE
		      "\",\"owner\":\"" C_OWNER "\"}");
	/* an employee's idea, shown to customers under a public title */
	long long emp = submit_idea("{\"title\":\"" C_EMPLOYEE_TITLE "\",\"body\":\"asked by " C_ACCOUNT
				    "\",\"author\":\"" C_EMPLOYEE "\",\"author_email\":\"" C_EMAIL
				    "\",\"author_kind\":\"employee\"}");
	patch_ok(emp, "{\"status\":\"in_progress\",\"category\":\"feature\",\"visibility\":\"customer\",\"public_title\":"
		      "\"Dark mode for the admin console\",\"decision_note\":\"" C_NOTE "\"}");
	/* an unshipped security idea, marked public by mistake */
	long long sec = github_issue(7202, C_SECURITY, "Relay logs print bearer tokens.", "security");
	patch_ok(sec, "{\"status\":\"planned\",\"visibility\":\"public\",\"category\":\"security\"}");
	/* a declined public idea with an internal reason */
	long long dec = github_issue(7203, "Leak probe: IRC bridge for alerts", "Send alerts to IRC.", NULL);
	patch_ok(dec, "{\"status\":\"declined\",\"category\":\"feature\",\"declined_reason\":\"" C_REASON "\",\"visibility\":\"public\"}");

	/* public: every format, API and export */
	static const char *const fmts[] = {"json", "csv", "md", "html", "atom"};
	for (int i = 0; i < 5; i++) {
		char path[100], where[100];
		snprintf(path, sizeof(path), "/roadmap/public?format=%s", fmts[i]);
		char *b = body_of(path, NULL);
		snprintf(where, sizeof(where), "public roadmap (%s)", fmts[i]);
		cr_expect(strstr(b, "exit nodes on macOS"), "%s lists the public idea", where);
		cr_expect(!strstr(b, "Dark mode for the admin console"), "%s lists a customer-only idea", where);
		expect_no_canary(where, b);
		free(b);
		b = export_of("public", fmts[i]);
		snprintf(where, sizeof(where), "export public %s", fmts[i]);
		expect_no_canary(where, b);
		free(b);
	}
	char *b = body_of("/api/v1/backlog?view=public&limit=500", NULL);
	cr_expect(strstr(b, "exit nodes on macOS"));
	cr_expect(strstr(b, "Leak probe: IRC bridge"), "declined public ideas are listed, without the reason");
	expect_no_canary("public backlog", b);
	free(b);
	/* searching must not reveal what private mentions say */
	b = body_of("/api/v1/backlog?view=public&q=Zyxwvut", NULL);
	cr_expect(strstr(b, "\"items\":[]"), "a public search matched private text: %s", b);
	free(b);
	/* customer: every format, API and export; no dates either */
	for (int i = 0; i < 4; i++) {
		char path[100], where[100];
		snprintf(path, sizeof(path), "/roadmap/customer?format=%s", fmts[i]);
		b = body_of(path, customer);
		snprintf(where, sizeof(where), "customer roadmap (%s)", fmts[i]);
		cr_expect(strstr(b, "Dark mode for the admin console"), "%s lists the customer idea", where);
		cr_expect(strstr(b, "exit nodes on macOS"), "%s lists the public idea", where);
		expect_no_canary(where, b);
		expect_no_dates(where, b);
		free(b);
		b = export_of("customer", fmts[i]);
		snprintf(where, sizeof(where), "export customer %s", fmts[i]);
		expect_no_canary(where, b);
		expect_no_dates(where, b);
		free(b);
	}
	b = body_of("/api/v1/backlog?view=customer&limit=500", customer);
	expect_no_canary("customer backlog", b);
	expect_no_dates("customer backlog", b);
	free(b);
	/* internal shows them all: the test could fail */
	b = body_of("/roadmap/internal?format=json", triager);
	cr_expect(strstr(b, C_NOTE) && strstr(b, C_OWNER), "internal roadmap shows notes and owners");
	cr_expect(strstr(b, C_EMPLOYEE_TITLE), "internal roadmap shows the employee's own title");
	free(b);
	char path[100];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", pub);
	b = body_of(path, triager);
	cr_expect(strstr(b, C_ACCOUNT) && strstr(b, C_ARR) && strstr(b, C_SALES_TEXT),
		  "the internal idea shows the sales mention");
	free(b);
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", emp);
	b = body_of(path, triager);
	cr_expect(strstr(b, C_EMAIL) && strstr(b, C_EMPLOYEE));
	free(b);
	b = body_of("/api/v1/backlog?view=internal&limit=500&status=planned", triager);
	cr_expect(strstr(b, C_SECURITY), "internal shows the embargoed security idea");
	free(b);
}

/* ---- pages ------------------------------------------------------------------- */

static struct tresp *page(const char *method, const char *path, const char *cookie, const char *body)
{
	char url[600], ck[300];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	const char *h[3] = {NULL};
	int n = 0;
	if (cookie) {
		snprintf(ck, sizeof(ck), "Cookie: %s", cookie);
		h[n++] = ck;
	}
	if (body)
		h[n++] = "Content-Type: application/x-www-form-urlencoded";
	struct tresp *r = http_do(method, url, h, body, body ? strlen(body) : 0);
	cr_assert(r);
	return r;
}

Test(views, pages_need_a_session_escape_everything_and_refuse_cross_site_posts)
{
	long long id = submit_idea("{\"title\":\"<script>alert(1)</script> probe for the board\",\"author\":\"x\"}");
	struct tresp *r = page("GET", "/board", NULL, NULL);
	cr_expect_eq(r->status, 303);
	char *loc = tresp_header(r, "Location");
	cr_expect(loc && strncmp(loc, "/login?next=", 12) == 0, "%s", loc);
	free(loc);
	tresp_free(r);
	/* signing in sets an HttpOnly, SameSite=Strict cookie; a bad token does not */
	r = page("GET", "/login", NULL, NULL);
	char *attrs = NULL, *pre = tresp_set_cookie(r, "ideatriage_pre", &attrs), precookie[200];
	cr_assert(pre);
	snprintf(precookie, sizeof(precookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	char *lcsrf = html_csrf(r->body);
	free(pre);
	free(attrs);
	tresp_free(r);
	char body[300];
	snprintf(body, sizeof(body), "csrf=%s&token=itk_wrong&next=%%2Fboard", lcsrf);
	r = page("POST", "/login", precookie, body);
	cr_expect_eq(r->status, 401);
	cr_expect(!tresp_header(r, "Set-Cookie"));
	tresp_free(r);
	snprintf(body, sizeof(body), "csrf=%s&token=%s&next=https%%3A%%2F%%2Fevil.example", lcsrf, triager);
	free(lcsrf);
	r = page("POST", "/login", precookie, body);
	cr_expect_eq(r->status, 303);
	loc = tresp_header(r, "Location");
	cr_expect_str_eq(loc, "/board", "never redirects off the site");
	free(loc);
	char *sc = tresp_header(r, "Set-Cookie");
	cr_expect(sc && strstr(sc, "HttpOnly") && strstr(sc, "SameSite=Strict"), "%s", sc);
	free(sc);
	tresp_free(r);
	struct tsession st;
	tsession_sign_in(srv->url, triager, NULL, &st);
	char cookie[200], form[200];
	snprintf(cookie, sizeof(cookie), "%s", st.cookie);
	r = page("GET", "/board", cookie, NULL);
	cr_expect_eq(r->status, 200);
	cr_expect(strstr(r->body, "&lt;script&gt;alert(1)&lt;/script&gt; probe"), "the title is escaped");
	cr_expect(!strstr(r->body, "<script>alert(1)"), "no markup from an idea reaches the page");
	cr_expect(strstr(r->body, "<svg id=\"mix-chart\""), "the board draws the strategy mix");
	tresp_free(r);
	char path[64];
	snprintf(path, sizeof(path), "/ideas/%lld", id);
	r = page("GET", path, cookie, NULL);
	cr_expect_eq(r->status, 200);
	cr_expect(!strstr(r->body, "<script>alert(1)"));
	tresp_free(r);
	/* a form post without the page's CSRF token changes nothing */
	r = page("POST", path, cookie, "status=planned&visibility=internal");
	cr_expect_eq(r->status, 403);
	tresp_free(r);
	snprintf(form, sizeof(form), "csrf=%s&status=planned&visibility=internal", st.csrf);
	r = page("POST", path, cookie, form);
	cr_expect_eq(r->status, 303, "%s", r->body);
	tresp_free(r);
	char q[200];
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'planned'", id);
	cr_expect_eq(testdb_count(pg, q), 1);
	/* a refused form change is shown on the page and changes nothing */
	snprintf(form, sizeof(form), "csrf=%s&status=someday&visibility=internal", st.csrf);
	r = page("POST", path, cookie, form);
	cr_expect_eq(r->status, 400, "%ld", r->status);
	cr_expect(strstr(r->body, "status must be"), "the page says what is wrong");
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, q), 1);
	r = page("GET", "/board?category=bugs", cookie, NULL);
	cr_expect(tresp_is_problem(r, 400), "%ld", r->status);
	tresp_free(r);
	const char *json_ct[] = {"Content-Type: application/json", NULL};
	char url[200];
	snprintf(url, sizeof(url), "%s/login", srv->url);
	r = http_do("POST", url, json_ct, "{}", 2);
	cr_expect(tresp_is_problem(r, 415), "%ld", r->status);
	tresp_free(r);
	/* a customer signed in sees their roadmap, not the board */
	struct tsession scust;
	tsession_sign_in(srv->url, customer, NULL, &scust);
	snprintf(cookie, sizeof(cookie), "%s", scust.cookie);
	r = page("GET", "/board", cookie, NULL);
	cr_expect_eq(r->status, 403);
	tresp_free(r);
	r = page("GET", "/roadmap/customer", cookie, NULL);
	cr_expect_eq(r->status, 200);
	tresp_free(r);
}

Test(views, cached_public_answers_follow_a_change_at_once)
{
	long long id = github_issue(7301, "Cache probe: SAML logout for the admin console",
				    "Single logout when the IdP session ends.", NULL);
	/* fill every worker's cache with the answer from before the change */
	for (int i = 0; i < 24; i++) {
		char *b = body_of("/api/v1/backlog?view=public&limit=10", NULL);
		cr_expect(!strstr(b, "Cache probe"));
		free(b);
		b = body_of("/roadmap/public?format=json", NULL);
		free(b);
	}
	patch_ok(id, "{\"status\":\"planned\",\"visibility\":\"public\",\"category\":\"feature\"}");
	for (int i = 0; i < 24; i++) {
		char *b = body_of("/api/v1/backlog?view=public&limit=10", NULL);
		cr_expect(strstr(b, "Cache probe"), "a cached backlog outlived the change");
		free(b);
		b = body_of("/roadmap/public?format=json", NULL);
		cr_expect(strstr(b, "Cache probe"), "a cached roadmap outlived the change");
		free(b);
	}
}

/* A triager folds a suggested idea into the one on screen, and undoes it,
 * from the idea page; a post without the page's CSRF token, or a fold into
 * itself, changes nothing. */
Test(views, the_idea_page_folds_a_similar_idea_in_and_undoes_it)
{
	long long a = submit_idea("{\"title\":\"Fold probe: per-app exit nodes on Android\",\"author\":\"x\"}");
	long long b = submit_idea("{\"title\":\"Fold probe two: battery drain on tvOS\",\"author\":\"y\"}");
	cr_assert_neq(a, b);
	char path[80], body[160], cookie[300], q[160];
	snprintf(path, sizeof(path), "/ideas/%lld/fold", b);
	snprintf(body, sizeof(body), "into=%lld", a);
	struct tsession st;
	tsession_sign_in(srv->url, triager, NULL, &st);
	snprintf(cookie, sizeof(cookie), "%s", st.cookie);
	struct tresp *r = page("POST", path, cookie, body);
	cr_expect_eq(r->status, 403, "no CSRF token: refused");
	tresp_free(r);
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status = 'merged'", b);
	cr_expect_eq(testdb_count(pg, q), 0);
	snprintf(body, sizeof(body), "csrf=%s&into=%lld", st.csrf, b);
	r = page("POST", path, cookie, body);
	cr_expect_eq(r->status, 409, "into itself: %ld", r->status);
	cr_expect(strstr(r->body, "class=\"error\""), "the page says why");
	tresp_free(r);
	snprintf(body, sizeof(body), "csrf=%s&into=x%lld", st.csrf, a);
	r = page("POST", path, cookie, body);
	cr_expect(tresp_is_problem(r, 400), "%ld", r->status);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, q), 0);
	snprintf(body, sizeof(body), "csrf=%s&into=%lld", st.csrf, a);
	r = page("POST", path, cookie, body);
	cr_expect_eq(r->status, 303, "%s", r->body);
	char *loc = tresp_header(r, "Location");
	char want[80];
	snprintf(want, sizeof(want), "/ideas/%lld?folded=%lld", a, b);
	cr_expect_str_eq(loc, want);
	free(loc);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, q), 1, "folded");
	snprintf(q, sizeof(q), "audit_log WHERE action = 'merge' AND idea_id = %lld", b);
	cr_expect_eq(testdb_count(pg, q), 1, "audited under the triager's name");
	snprintf(path, sizeof(path), "/ideas/%lld/unfold", b);
	snprintf(body, sizeof(body), "csrf=%s", st.csrf);
	r = page("POST", path, cookie, body);
	cr_expect_eq(r->status, 303, "%s", r->body);
	tresp_free(r);
	snprintf(q, sizeof(q), "ideas WHERE id = %lld AND status <> 'merged'", b);
	cr_expect_eq(testdb_count(pg, q), 1, "live again");
	snprintf(q, sizeof(q), "mentions WHERE idea_id = %lld", b);
	cr_expect_eq(testdb_count(pg, q), 1, "its mention came back");
	snprintf(q, sizeof(q), "audit_log WHERE action = 'unmerge' AND idea_id = %lld", b);
	cr_expect_eq(testdb_count(pg, q), 1);
}
