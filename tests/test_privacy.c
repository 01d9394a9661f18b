/* The public learns nothing private, as a property: with published ideas
 * in place, every customer and public output (the backlog API with and
 * without filters, the roadmaps in every format, `ideatriage export` in
 * every format) is snapshotted byte for byte; then private data worded to
 * merge into those ideas arrives through every channel (sales notes with
 * any ARR, employee ideas with labels, private-repository issues and their
 * comments through the signed webhook, staff comments on public issues),
 * `ideatriage rescore` runs, and every output must be byte-identical, for
 * several random seeds. Canary words in the private texts never appear
 * outside and outside searches for them find nothing. Also: private
 * repositories give private mentions, and a hostile `after=` cursor is a
 * 400, never undefined behaviour. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/github.h"
#include "fake_upstream.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"
#include "support.h"

#define SECRET "privacy-webhook-secret"
#define NIDEAS 5
#define ROUNDS 3

static char *conninfo;
static PGconn *pg;
static struct tserver *srv;
static char *submitter, *triager, *customer;
static int deliveries;

static const char *const titles[NIDEAS] = {
    "Split tunnelling per app on Android",       "Export the audit log to an S3 bucket",
    "SAML single sign-on for the admin console", "IPv6 traffic inside the tunnel",
    "Terraform provider for private networks",
};
static const char *const bodies[NIDEAS] = {
    "Route only the work apps through the tunnel on Android phones.",
    "Ship the audit log to an S3 bucket every hour for our SIEM.",
    "Let admins sign in to the console with SAML from Okta or Azure AD.",
    "Carry IPv6 traffic inside the tunnel, not only IPv4.",
    "Manage private networks and their routes from Terraform.",
};

static void start(void)
{
	conninfo = testdb_create("privacy");
	pg = testdb_connect(conninfo);
	srv = tserver_start(conninfo, NULL,
	                    "{\"http\": {\"public_cache_ms\": 0},"
	                    " \"github\": {\"webhook_secret\": \"" SECRET "\"}}");
	submitter = test_token(conninfo, "submitter", "crm-bridge");
	triager = test_token(conninfo, "triager", "Pat Triager");
	customer = test_token(conninfo, "customer", "portal");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(submitter);
	free(triager);
	free(customer);
}

TestSuite(privacy, .init = start, .fini = stop, .timeout = 600);

/* ---- helpers --------------------------------------------------------------- */

static struct tresp *req(const char *method, const char *path, const char *token, const char *body)
{
	char url[1024], auth[200];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	const char *h[3] = {NULL};
	int n = 0;
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	struct tresp *r = http_do(method, url, h, body, body ? strlen(body) : 0);
	cr_assert(r, "%s %s: no answer", method, path);
	return r;
}

/* The body of a GET that must answer 200 (new). */
static char *fetch(const char *path, const char *token)
{
	struct tresp *r = req("GET", path, token, NULL);
	cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
	char *b = strndup(r->body ? r->body : "", r->len);
	tresp_free(r);
	return b;
}

static char *cli_env(void)
{
	char *env = NULL;
	cr_assert(asprintf(&env, "DATABASE_URL=%s", conninfo) > 0);
	return env;
}

static void rescore(void)
{
	char *env = cli_env();
	const char *envs[] = {env, NULL};
	const char *argv[] = {"rescore", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "rescore: %s", out);
	free(out);
	free(env);
}

static char *export(const char *view, const char *format)
{
	char *dir = test_tmpdir("privacy-export"), path[1200];
	chmod(dir, 0777); /* started as root, export writes as run.user */
	snprintf(path, sizeof(path), "%s/out.%s", dir, format);
	char *env = cli_env();
	const char *envs[] = {env, NULL};
	const char *argv[] = {"export", "--view", view, "--format", format, "--output", path, NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "export %s %s: %s", view, format, out);
	free(out);
	free(env);
	char *b = test_read_file(path);
	cr_assert(b, "export wrote no %s", path);
	free(dir);
	return b;
}

/* An "issues" or "issue_comment" delivery for issue n of repo, built from
 * the recorded fixture (new). */
static json_t *payload(const char *fixture, const char *repo, bool private_repo, int n,
                       const char *title, const char *body, const char *label)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/github/%s.json", TEST_SOURCE_DIR, fixture);
	json_t *p = json_load_file(path, 0, NULL);
	cr_assert(p, "%s", path);
	json_t *repository = json_object_get(p, "repository");
	json_object_set_new(repository, "full_name", json_string(repo));
	json_object_set_new(repository, "private", json_boolean(private_repo));
	json_object_set_new(repository, "visibility",
	                    json_string(private_repo ? "private" : "public"));
	json_t *issue = json_object_get(p, "issue");
	char url[300];
	snprintf(url, sizeof(url), "https://github.com/%s/issues/%d", repo, n);
	json_object_set_new(issue, "number", json_integer(n));
	json_object_set_new(issue, "id", json_integer(700000 + n));
	json_object_set_new(issue, "title", json_string(title));
	json_object_set_new(issue, "body", json_string(body));
	json_object_set_new(issue, "html_url", json_string(url));
	json_t *labels = json_array();
	if (label)
		json_array_append_new(labels, json_pack("{s:s}", "name", label));
	json_object_set_new(issue, "labels", labels);
	return p;
}

static void deliver(const char *event, json_t *p)
{
	char *s = json_dumps(p, 0);
	char id[40];
	snprintf(id, sizeof(id), "privacy-%d", ++deliveries);
	struct tresp *r = send_webhook(srv->url, SECRET, event, id, s, strlen(s));
	cr_assert(r && r->status == 200, "webhook: %ld %s", r ? r->status : 0, r ? r->body : "");
	tresp_free(r);
	free(s);
	json_decref(p);
}

/* A comment on issue n of repo by login (author_association assoc). */
static void comment(const char *repo, bool private_repo, int n, const char *title,
                    const char *issue_body, long long cid, const char *login, const char *assoc,
                    const char *text)
{
	json_t *p =
	    payload("issue_comment_created", repo, private_repo, n, title, issue_body, NULL);
	json_t *c = json_object_get(p, "comment");
	char url[300];
	snprintf(url, sizeof(url), "https://github.com/%s/issues/%d#issuecomment-%lld", repo, n,
	         cid);
	json_object_set_new(c, "id", json_integer(cid));
	json_object_set_new(c, "html_url", json_string(url));
	json_object_set_new(c, "body", json_string(text));
	json_object_set_new(c, "author_association", json_string(assoc));
	json_object_set_new(json_object_get(c, "user"), "login", json_string(login));
	deliver("issue_comment", p);
}

static long long idea_of(const char *external_id)
{
	char q[400];
	snprintf(q, sizeof(q), "SELECT idea_id FROM mentions WHERE external_id = '%s'",
	         external_id);
	char *v = testdb_value(pg, q);
	cr_assert(v, "no mention %s", external_id);
	long long id = atoll(v);
	free(v);
	return id;
}

static long long api_idea(const char *json)
{
	struct tresp *r = req("POST", "/api/v1/ideas", submitter, json);
	cr_assert(r->status == 201 || r->status == 200, "%ld %s", r->status, r->body);
	json_t *j = tresp_json(r);
	long long id = json_integer_value(json_object_get(j, "idea_id"));
	json_decref(j);
	tresp_free(r);
	return id;
}

static void patch(long long id, const char *json)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/ideas/%lld", id);
	struct tresp *r = req("PATCH", path, triager, json);
	cr_assert_eq(r->status, 200, "PATCH %lld %s: %s", id, json, r->body);
	tresp_free(r);
}

/* ---- the published state --------------------------------------------------- */

static void publish_seed(void)
{
	static const char *const patches[NIDEAS] = {
	    "{\"visibility\":\"public\",\"status\":\"planned\"}",
	    "{\"visibility\":\"public\",\"status\":\"in_progress\",\"stage\":\"beta\"}",
	    "{\"visibility\":\"public\",\"status\":\"under_review\",\"category\":\"reliability\"}",
	    "{\"visibility\":\"customer\",\"status\":\"planned\"}",
	    "{\"visibility\":\"public\",\"status\":\"shipped\",\"stage\":\"ga\"}",
	};
	for (int i = 0; i < NIDEAS; i++) {
		deliver("issues", payload("issues_opened", "meshwork/meshd", false, 101 + i,
		                          titles[i], bodies[i], NULL));
		/* a second community voice on some */
		if (i % 2 == 0)
			comment("meshwork/meshd", false, 101 + i, titles[i], bodies[i], 5000 + i,
			        "community-fan", "NONE", "+1, we need this too");
		char ext[64];
		snprintf(ext, sizeof(ext), "meshwork/meshd#%d", 101 + i);
		patch(idea_of(ext), patches[i]);
	}
	/* ideas an employee started, published under a person's title */
	long long a = api_idea("{\"title\": \"Offline installer for air-gapped sites\","
	                       " \"body\": \"Some sites have no internet at all.\"}");
	patch(a, "{\"visibility\":\"public\",\"status\":\"planned\","
	         "\"public_title\":\"Offline installer\"}");
	long long b = api_idea("{\"title\": \"Dark mode for the desktop client\"}");
	patch(b, "{\"visibility\":\"customer\",\"status\":\"in_progress\","
	         "\"public_title\":\"Dark mode on desktop\"}");
	rescore();
}

/* ---- every outside output --------------------------------------------------- */

struct output {
	char name[128];
	char *body;
};

#define MAX_OUTPUTS 64

struct snap {
	struct output o[MAX_OUTPUTS];
	int n;
};

static void add(struct snap *s, const char *name, char *body)
{
	cr_assert_lt(s->n, MAX_OUTPUTS);
	snprintf(s->o[s->n].name, sizeof(s->o[s->n].name), "%s", name);
	s->o[s->n++].body = body;
}

/* Every page of a backlog query, following `next` (bounded). */
static char *backlog_pages(const char *query, const char *token)
{
	char *all = strdup(""), path[1024], *after = NULL;
	for (int page = 0; page < 20; page++) {
		snprintf(path, sizeof(path), "/api/v1/backlog?%s%s%s", query,
		         after ? "&after=" : "", after ? after : "");
		free(after);
		after = NULL;
		char *b = fetch(path, token);
		json_t *j = json_loads(b, 0, NULL);
		cr_assert(j, "%s: %s", path, b);
		const char *next = json_string_value(json_object_get(j, "next"));
		if (next) {
			/* the cursor goes back as a query value */
			after = malloc(3 * strlen(next) + 1);
			char *o = after;
			for (const char *p = next; *p; p++)
				o += sprintf(o,
				             (*p == '~' || *p == '.' || (*p >= '0' && *p <= '9'))
				                 ? "%c"
				                 : "%%%02X",
				             (unsigned char)*p);
			*o = '\0';
		}
		json_decref(j);
		char *joined = NULL;
		cr_assert(asprintf(&joined, "%s%s\n", all, b) > 0);
		free(all);
		free(b);
		all = joined;
		if (!after)
			break;
	}
	free(after);
	return all;
}

static void take(struct snap *s)
{
	static const char *const queries[] = {"view=public",
	                                      "view=public&limit=2",
	                                      "view=public&category=feature",
	                                      "view=public&category=reliability",
	                                      "view=public&segment=vpn",
	                                      "view=public&bridge=false",
	                                      "view=public&status=planned,in_progress",
	                                      "view=public&stage=beta",
	                                      "view=public&source=github",
	                                      "view=public&source=reddit",
	                                      "view=public&q=tunnel",
	                                      "view=public&q=installer",
	                                      NULL};
	memset(s, 0, sizeof(*s));
	for (int i = 0; queries[i]; i++)
		add(s, queries[i], backlog_pages(queries[i], NULL));
	add(s, "customer backlog", backlog_pages("view=customer", customer));
	add(s, "customer backlog limit=1", backlog_pages("view=customer&limit=1", customer));
	static const char *const formats[] = {"html", "json", "csv", "md", "atom"};
	char path[128], name[128];
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "/roadmap/public?format=%s", formats[i]);
		add(s, path, fetch(path, NULL));
		snprintf(name, sizeof(name), "export public %s", formats[i]);
		add(s, name, export("public", formats[i]));
		if (i < 4) {
			snprintf(path, sizeof(path), "/roadmap/customer?format=%s", formats[i]);
			add(s, path, fetch(path, customer));
			snprintf(name, sizeof(name), "export customer %s", formats[i]);
			add(s, name, export("customer", formats[i]));
		}
	}
}

static void snap_free(struct snap *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->o[i].body);
	s->n = 0;
}

/* ---- private data ------------------------------------------------------------ */

static long long arr_for(unsigned *seed)
{
	static const long long extremes[] = {0, 1, 1000000000000LL};
	int k = rand_r(seed) % 4;
	return k < 3 ? extremes[k] : (long long)(rand_r(seed) % 1000000000);
}

/* Private data worded to merge into the published ideas, with canary
 * words: sales notes, employee ideas (with a security label), issues of a
 * private repository and their comments, staff comments on public issues. */
static void ingest_private(int round, unsigned seed)
{
	char canary[32], buf[4096], ext[64];
	json_t *notes = json_array();
	for (int i = 0; i < NIDEAS; i++) {
		snprintf(canary, sizeof(canary), "zqcanary%dx%d", round, i);
		snprintf(buf, sizeof(buf), "%s. %s Renewal blocker %s.", titles[i], bodies[i],
		         canary);
		snprintf(ext, sizeof(ext), "crm-%d-%d", round, i);
		char account[64];
		snprintf(account, sizeof(account), "Account %s", canary);
		json_array_append_new(notes, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "account",
		                                       account, "arr", (json_int_t)arr_for(&seed),
		                                       "contact", "Olga AE", "note", buf, "date",
		                                       "2026-06-01", "external_id", ext));
		json_t *idea = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:[s]}", "title",
		                         titles[i], "body", buf, "author", "Ellen Executive",
		                         "author_email", "ellen@example.com", "account", account,
		                         "arr", (json_int_t)arr_for(&seed), "labels", "security");
		char *s = json_dumps(idea, 0);
		api_idea(s);
		free(s);
		json_decref(idea);
		int n = 9000 + 100 * round + i;
		deliver("issues", payload("issues_opened", "meshwork/secret-infra", true, n,
		                          titles[i], buf, "security"));
		comment("meshwork/secret-infra", true, n, titles[i], buf, 80000 + n, "customer-x",
		        "NONE", canary);
		snprintf(buf, sizeof(buf), "Internal: %s is tracked, %s", titles[i], canary);
		comment("meshwork/meshd", false, 101 + i, titles[i], bodies[i],
		        90000 + 100 * round + i, "staff-member", "MEMBER", buf);
	}
	char *s = json_dumps(notes, 0);
	json_decref(notes);
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/sales-notes", srv->url);
	struct tresp *r = http_post(url, submitter, "application/json", s, strlen(s));
	cr_assert(r && r->status == 200, "sales: %ld %s", r ? r->status : 0, r ? r->body : "");
	tresp_free(r);
	free(s);
}

/* ---- the property ------------------------------------------------------------ */

Test(privacy, ingesting_private_data_changes_no_byte_of_any_outside_output)
{
	publish_seed();
	struct snap before, after;
	take(&before);
	json_t *first = json_loads(before.o[0].body, 0, NULL);
	cr_assert_geq(json_array_size(json_object_get(first, "items")), 4, "%s", before.o[0].body);
	json_decref(first);
	for (int i = 0; i < before.n; i++)
		cr_expect(!strstr(before.o[i].body, "score"), "%s carries a score: %s",
		          before.o[i].name, before.o[i].body);
	for (int round = 0; round < ROUNDS; round++) {
		unsigned seed = 1234u + 7919u * (unsigned)round;
		ingest_private(round, seed);
		rescore();
		take(&after);
		cr_assert_eq(after.n, before.n);
		for (int i = 0; i < before.n; i++) {
			cr_expect_str_eq(after.o[i].body, before.o[i].body,
			                 "round %d (seed %u): %s moved", round, seed,
			                 before.o[i].name);
			cr_expect(!strstr(after.o[i].body, "zqcanary") &&
			              !strstr(after.o[i].body, "Olga") &&
			              !strstr(after.o[i].body, "Ellen") &&
			              !strstr(after.o[i].body, "secret-infra"),
			          "%s leaks private text", after.o[i].name);
		}
		snap_free(&after);
		/* outside searches for the canaries find nothing */
		char q[200];
		snprintf(q, sizeof(q), "/api/v1/backlog?view=public&q=zqcanary%dx0", round);
		char *b = fetch(q, NULL);
		cr_expect(strstr(b, "\"items\":[]"), "%s", b);
		free(b);
		snprintf(q, sizeof(q), "/api/v1/backlog?view=customer&q=zqcanary%dx1", round);
		b = fetch(q, customer);
		cr_expect(strstr(b, "\"items\":[]"), "%s", b);
		free(b);
	}
	/* and a public change does show, at once (no cache hides either) */
	char *was = fetch("/roadmap/public?format=atom", NULL);
	sleep(1); /* the feed's times are to the second */
	patch(idea_of("meshwork/meshd#101"), "{\"stage\":\"alpha\"}");
	char *now = fetch("/roadmap/public?format=atom", NULL);
	cr_expect_str_neq(now, was, "a public change moved nothing");
	free(was);
	free(now);
	now = fetch("/api/v1/backlog?view=public", NULL);
	cr_expect(strstr(now, "\"stage\":\"alpha\""), "%s", now);
	free(now);
	snap_free(&before);
	/* the property means something only if private data did join them */
	cr_expect_geq(testdb_count(pg, "mentions m JOIN ideas i ON i.id = m.idea_id"
	                               " WHERE NOT m.is_public AND i.visibility <> 'internal'"
	                               " AND m.source = 'sales'"),
	              NIDEAS, "sales notes merged into published ideas");
	cr_expect_geq(testdb_count(pg, "mentions m JOIN ideas i ON i.id = m.idea_id"
	                               " WHERE m.external_id LIKE 'meshwork/secret-infra#%'"
	                               " AND i.visibility <> 'internal'"),
	              NIDEAS, "private-repository issues merged into published ideas");
	cr_expect_geq(
	    testdb_count(pg, "ideas WHERE visibility <> 'internal' AND category = 'security'"), 1,
	    "a private label reclassified a published idea inside");
}

/* Each item carries exactly the keys its view promises (ARCHITECTURE.md). */
static void expect_keys(json_t *items, const char *const *allowed, const char *what)
{
	size_t i;
	json_t *it;
	cr_expect_gt(json_array_size(items), 0, "%s lists nothing", what);
	json_array_foreach(items, i, it)
	{
		const char *key;
		json_t *v;
		json_object_foreach(it, key, v)
		{
			bool ok = false;
			for (int k = 0; allowed[k]; k++)
				ok |= strcmp(key, allowed[k]) == 0;
			cr_expect(ok, "%s shows '%s'", what, key);
		}
		const char *dkey;
		json_object_foreach(json_object_get(it, "demand"), dkey, v)
		    cr_expect(!strcmp(dkey, "requesters") || !strcmp(dkey, "mentions") ||
		                  !strcmp(dkey, "sources"),
		              "%s demand shows '%s'", what, dkey);
	}
}

Test(privacy, outside_views_show_what_they_promise_and_nothing_more)
{
	long long a =
	    api_idea("{\"title\": \"Customer-only widget for billing\","
	             " \"account\": \"Hooli\", \"arr\": 900000, \"author\": \"Gavin Belson\","
	             " \"author_email\": \"gavin@hooli.example\"}");
	patch(a, "{\"visibility\":\"customer\",\"status\":\"planned\",\"public_title\":\"Billing "
	         "widget\","
	         "\"owner\":\"Olga\",\"decision_note\":\"Hooli renewal\"}");
	long long b =
	    api_idea("{\"title\": \"Public thing for everyone\", \"account\": \"Hooli\"}");
	patch(b, "{\"visibility\":\"public\",\"status\":\"in_progress\",\"public_title\":\"Public "
	         "thing\"}");
	static const char *const customer_keys[] = {"id",       "title",  "rank",   "category",
	                                            "segments", "bridge", "status", "stage",
	                                            "demand",   "links",  NULL};
	static const char *const public_keys[] = {"id",       "title",  "rank",       "category",
	                                          "segments", "bridge", "status",     "stage",
	                                          "demand",   "links",  "updated_at", NULL};
	char *body = fetch("/api/v1/backlog?view=customer", customer);
	json_t *j = json_loads(body, 0, NULL);
	expect_keys(json_object_get(j, "items"), customer_keys, "the customer backlog");
	json_decref(j);
	cr_expect(!strstr(body, "Hooli") && !strstr(body, "Gavin") && !strstr(body, "Olga") &&
	              !strstr(body, "900000") && !strstr(body, "gavin@") &&
	              !strstr(body, "_at\"") && !strstr(body, "Z\""),
	          "no customer, employee, note, ARR or date: %s", body);
	free(body);
	body = fetch("/roadmap/customer?format=json", customer);
	j = json_loads(body, 0, NULL);
	size_t g;
	json_t *grp;
	json_array_foreach(json_object_get(j, "groups"), g,
	                   grp) if (json_array_size(json_object_get(grp, "items")))
	    expect_keys(json_object_get(grp, "items"), customer_keys, "the customer roadmap");
	json_decref(j);
	free(body);
	body = fetch("/api/v1/backlog?view=public", NULL);
	j = json_loads(body, 0, NULL);
	expect_keys(json_object_get(j, "items"), public_keys, "the public backlog");
	json_decref(j);
	free(body);
	body = fetch("/roadmap/customer?format=csv", customer);
	cr_expect(!strncmp(body,
	                   "column,rank,id,title,category,segments,status,stage,requesters,"
	                   "mentions,sources,links\r\n",
	                   86),
	          "%s", body);
	free(body);
}

Test(privacy, private_repositories_give_private_mentions)
{
	deliver("issues",
	        payload("issues_opened", "meshwork/vault", true, 1, "Rotate keys", "b", NULL));
	comment("meshwork/vault", true, 1, "Rotate keys", "b", 4242, "someone", "NONE", "me too");
	json_t *p = payload("issues_opened", "meshwork/inner", false, 2, "Audit hooks", "b", NULL);
	json_object_set_new(json_object_get(p, "repository"), "visibility",
	                    json_string("internal"));
	deliver("issues", p);
	cr_expect_eq(
	    testdb_count(pg,
	                 "mentions WHERE external_id LIKE 'meshwork/vault#1%' AND NOT is_public"),
	    2);
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE external_id = 'meshwork/inner#2' AND NOT is_public"),
	    1);
	/* a repository made private: the next delivery, same text, takes it back */
	deliver("issues", payload("issues_opened", "meshwork/flip", false, 3, "Flip", "b", NULL));
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE external_id = 'meshwork/flip#3' AND is_public"), 1);
	deliver("issues", payload("issues_opened", "meshwork/flip", true, 3, "Flip", "b", NULL));
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE external_id = 'meshwork/flip#3' AND NOT is_public"),
	    1);

	/* REST: an issue that names its repository says for itself */
	json_t *whole = payload("issues_opened", "a/b", false, 3, "T", "b", NULL);
	json_t *issue = json_object_get(whole, "issue");
	json_t *cases[] = {json_pack("{s:b, s:s}", "private", 1, "visibility", "private"),
	                   json_pack("{s:b, s:s}", "private", 0, "visibility", "internal"),
	                   json_pack("{s:s}", "visibility", "public"),
	                   json_pack("{s:b, s:s}", "private", 0, "visibility", "public")};
	bool want[] = {false, false, false, true};
	for (int i = 0; i < 4; i++) {
		json_object_set_new(issue, "repository", cases[i]);
		struct mention m;
		struct err err = {0};
		cr_assert_eq(gh_issue_to_mention(issue, "meshwork/meshd", &m, &err), 1, "%s",
		             err.msg);
		cr_expect_eq(m.is_public, want[i], "case %d", i);
		mention_clear(&m);
	}
	json_decref(whole);
}

Test(privacy, rest_sync_of_a_configured_private_repository_gives_private_mentions)
{
	struct fake *fake = fake_start(0);
	cr_assert(fake);
	fake_github_add(fake, "acme/open", 3, 0);
	fake_github_add(fake, "acme/closed", 3, 0);
	struct err err = {0};
	struct triage_rules *rules = triage_rules_load(NULL, &err);
	cr_assert(rules, "%s", err.msg);
	struct triage_ctx t;
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0, "%s", err.msg);
	const char *repos[] = {"acme/open", "acme/closed"};
	const char *private_repos[] = {"ACME/Closed"};
	struct connector_config cc = {.connect_timeout_s = 5,
	                              .timeout_s = 10,
	                              .max_response_bytes = 20 << 20,
	                              .user_agent = "ideatriage/0.1 (test)",
	                              .github_api_url = fake_url(fake),
	                              .github_repos = repos,
	                              .github_nrepos = 2,
	                              .github_token = "",
	                              .github_private_repos = private_repos,
	                              .github_nprivate = 1};
	struct connector *c = connector_new("github", &cc, &err);
	cr_assert(c, "%s", err.msg);
	struct sync_options o = {.force = true, .interval_s = 600, .reconcile_interval_s = 3600};
	struct sync_result res;
	cr_assert_eq(sync_run(pg, &t, c, &o, &res), 0, "%s", res.error);
	connector_free(c);
	triage_ctx_cleanup(&t);
	triage_rules_free(rules);
	fake_stop(fake);
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE external_id LIKE 'acme/open#%' AND is_public"), 3);
	cr_expect_eq(
	    testdb_count(pg, "mentions WHERE external_id LIKE 'acme/closed#%' AND NOT is_public"),
	    3);
}

Test(privacy, a_hostile_after_cursor_is_a_400_never_an_overflow)
{
	/* rows after the cursor, so an unchecked rank would be incremented */
	long long id = api_idea("{\"title\": \"A target for cursors\"}");
	patch(id, "{\"visibility\":\"public\",\"status\":\"planned\","
	          "\"public_title\":\"Cursor target\"}");
	static const char *const bad[] = {
	    "9223372036854775808",
	    "-1",
	    "1e9",
	    "99999999999999999999",
	    "0~1~9223372036854775807",
	    "0~9223372036854775808~0",
	    "0~1~-1",
	    "0~-1~0",
	    "0~1~0junk",
	    "0~1e3~0",
	    "0~%201~0",
	    "nan~1~0",
	    "inf~1~0",
	    "0~0~0",
	    "0~1",
	    "~~",
	    "0x10~1~0",
	    "1e308~1~9223372036854775807",
	    "2147483647~1~9223372036854775807",
	    /* outside the key is public demand, a count; inside a score, where
	     * these are numbers */
	    "99999999999999999999~1~0",
	    "1e9~1~0",
	    "-1~1~0",
	    "2147483648~1~0",
	};
	const size_t outside_only = 4;
	char path[300];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (int v = 0; v < (i + outside_only >= sizeof(bad) / sizeof(bad[0]) ? 2 : 3);
		     v++) {
			static const char *const views[] = {"public", "customer", "internal"};
			const char *tok = v == 0 ? NULL : v == 1 ? customer : triager;
			snprintf(path, sizeof(path), "/api/v1/backlog?view=%s&after=%s", views[v],
			         bad[i]);
			struct tresp *r = req("GET", path, tok, NULL);
			cr_expect(tresp_is_problem(r, 400), "%s: %ld %s", path, r->status, r->body);
			json_t *j = tresp_json(r);
			cr_expect_str_eq(json_string_value(json_object_get(j, "field")), "after",
			                 "%s", path);
			json_decref(j);
			tresp_free(r);
		}
	char *log = tserver_log(srv);
	cr_expect(!strstr(log, "runtime error"), "the sanitizer saw undefined behaviour:\n%s", log);
	free(log);
}

/* ---- outside search ---------------------------------------------------------- */

/* How many items a backlog search lists (every page followed). */
static size_t search_hits(const char *view, const char *word, const char *token)
{
	char query[200];
	snprintf(query, sizeof(query), "view=%s&q=%s", view, word);
	char *all = backlog_pages(query, token);
	size_t n = 0;
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *j = json_loads(line, 0, NULL);
		cr_assert(j, "%s: %s", query, line);
		n += json_array_size(json_object_get(j, "items"));
		json_decref(j);
	}
	free(all);
	return n;
}

/* Outside searches match only what the outside is shown: a canary word in
 * each private place of ideas that ARE published (their private title under a
 * public title, a private-repository issue and its comment, a sales note and
 * its account, an employee's wording, a staff reply on a public issue) finds
 * nothing in the public or the customer view, while the internal view finds
 * it, so each canary is really there to be found. */
Test(privacy, outside_search_never_matches_private_words)
{
	publish_seed();
	long long pub = api_idea("{\"title\": \"Packet capture zqtitlepub on exit nodes\"}");
	patch(pub, "{\"visibility\":\"public\",\"status\":\"planned\","
	           "\"public_title\":\"Packet capture\"}");
	long long cus = api_idea("{\"title\": \"Usage report zqtitlecus per team\"}");
	patch(cus, "{\"visibility\":\"customer\",\"status\":\"planned\","
	           "\"public_title\":\"Usage report\"}");
	char buf[1024], ext[64];
	json_t *notes = json_array();
	for (int i = 0; i < NIDEAS; i++) {
		int n = 9500 + i;
		snprintf(buf, sizeof(buf), "%s. %s zqprivissue", titles[i], bodies[i]);
		deliver("issues", payload("issues_opened", "meshwork/secret-infra", true, n,
		                          titles[i], buf, NULL));
		comment("meshwork/secret-infra", true, n, titles[i], buf, 85000 + n, "customer-x",
		        "NONE", "Same for us, zqprivcomment");
		snprintf(buf, sizeof(buf), "Internal: %s is tracked, zqstaffreply", titles[i]);
		comment("meshwork/meshd", false, 101 + i, titles[i], bodies[i], 95000 + i,
		        "staff-member", "MEMBER", buf);
		snprintf(buf, sizeof(buf), "%s. %s Renewal blocker zqsalesnote.", titles[i], bodies[i]);
		snprintf(ext, sizeof(ext), "crm-search-%d", i);
		json_array_append_new(notes, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "account",
		                                       "Initech zqsalesacct", "arr", 50000,
		                                       "contact", "Olga AE", "note", buf, "date",
		                                       "2026-06-01", "external_id", ext));
		snprintf(buf, sizeof(buf), "%s zqemployee. %s", titles[i], bodies[i]);
		json_t *idea = json_pack("{s:s, s:s, s:s, s:s}", "title", titles[i], "body", buf,
		                         "author", "Ellen Employee", "author_email",
		                         "ellen@example.com");
		char *s = json_dumps(idea, 0);
		api_idea(s);
		free(s);
		json_decref(idea);
	}
	char *s = json_dumps(notes, 0);
	json_decref(notes);
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/sales-notes", srv->url);
	struct tresp *r = http_post(url, submitter, "application/json", s, strlen(s));
	cr_assert(r && r->status == 200, "sales: %ld %s", r ? r->status : 0, r ? r->body : "");
	tresp_free(r);
	free(s);
	rescore();

	static const struct {
		const char *word;
		bool in_title; /* an idea's own (private) title; else a mention's text */
	} canaries[] = {{"zqtitlepub", true},     {"zqtitlecus", true},    {"zqprivissue", false},
	                {"zqprivcomment", false}, {"zqstaffreply", false}, {"zqsalesnote", false},
	                {"zqsalesacct", false},   {"zqemployee", false}};
	for (size_t k = 0; k < sizeof(canaries) / sizeof(canaries[0]); k++) {
		const char *w = canaries[k].word;
		/* the canary sits on an idea the outside does see, and the inside
		 * sees it: the internal search matches an idea's own title, a
		 * triager's idea page shows its mentions */
		char q[600];
		snprintf(q, sizeof(q),
		         "SELECT min(i.id) FROM ideas i WHERE i.visibility <> 'internal' AND"
		         " (i.title LIKE '%%%s%%' OR EXISTS (SELECT 1 FROM mentions m"
		         "  WHERE m.idea_id = i.id AND (NOT m.is_public OR m.author_kind = 'employee')"
		         "  AND concat_ws(' ', m.title, m.body, m.account) LIKE '%%%s%%'))",
		         w, w);
		char *id = testdb_value(pg, q);
		cr_assert(id && *id, "%s is on no published idea", w);
		if (canaries[k].in_title) {
			cr_expect_geq(search_hits("internal", w, triager), 1, "the internal view misses %s", w);
		} else {
			char path[64];
			snprintf(path, sizeof(path), "/api/v1/ideas/%s", id);
			char *page = fetch(path, triager);
			cr_expect(strstr(page, w), "%s is not on the triager's page of idea %s", w, id);
			free(page);
		}
		free(id);
		cr_expect_eq(search_hits("public", w, NULL), 0, "the public view finds %s", w);
		cr_expect_eq(search_hits("customer", w, customer), 0, "the customer view finds %s", w);
	}
	/* the outside search does work: a word of a shown title is found */
	cr_expect_geq(search_hits("public", "Packet", NULL), 1);
	cr_expect_geq(search_hits("customer", "Usage", customer), 1);
}
