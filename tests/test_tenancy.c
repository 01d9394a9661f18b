/* Tenancy of external ids: an external_id belongs to the client that created
 * it. Another token reusing it - through POST /api/v1/ideas, or a sales note
 * as JSON or CSV - creates nothing and changes nothing (409, or a rejected
 * line); the owner re-sending it still updates its own mention. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;
static char *alice, *mallory;

static void start(void)
{
	conninfo = testdb_create("tenancy");
	srv = tserver_start(conninfo, NULL, "{\"http\": {\"public_cache_ms\": 0}}");
	pg = testdb_connect(conninfo);
	alice = test_token(conninfo, "submitter", "crm-alice");
	mallory = test_token(conninfo, "submitter", "crm-mallory");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(alice);
	free(mallory);
}

TestSuite(tenancy, .init = start, .fini = stop, .timeout = 120);

static struct tresp *post(const char *path, const char *token, const char *ct, const char *body)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	struct tresp *r = http_post(url, token, ct, body, strlen(body));
	cr_assert(r, "POST %s: no answer", path);
	return r;
}

/* Every stored byte of ideas, mentions, their links and history (new). */
static char *snapshot(void)
{
	char *a = testdb_value(pg, "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')"
	                           " FROM ideas t");
	char *b = testdb_value(pg, "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')"
	                           " FROM mentions t");
	char *c = testdb_value(pg, "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')"
	                           " FROM mention_links t");
	char *d = testdb_value(pg, "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), '')"
	                           " FROM idea_history t");
	char *out = NULL;
	cr_assert(asprintf(&out, "%s\n--\n%s\n--\n%s\n--\n%s", a, b, c, d) > 0);
	free(a);
	free(b);
	free(c);
	free(d);
	return out;
}

static void expect_unchanged(const char *before, const char *what)
{
	char *after = snapshot();
	cr_expect_str_eq(after, before, "%s changed the database", what);
	free(after);
}

Test(tenancy, another_token_reusing_an_idea_external_id_gets_409_and_changes_nothing)
{
	struct tresp *r = post("/api/v1/ideas", alice, "application/json",
	                       "{\"title\": \"Per-app split tunnelling on Android\","
	                       " \"body\": \"route only the work apps\", \"account\": \"Acme\","
	                       " \"arr\": 100, \"external_id\": \"crm-X\"}");
	cr_assert_eq(r->status, 201, "%s", r->body);
	tresp_free(r);
	char *before = snapshot();

	r = post("/api/v1/ideas", mallory, "application/json",
	         "{\"title\": \"Mallory was here\", \"body\": \"retitled\", \"account\": \"Acme\","
	         " \"arr\": 1000000000, \"external_id\": \"crm-X\"}");
	cr_expect(tresp_is_problem(r, 409), "%ld %s", r->status, r->body);
	json_t *j = tresp_json(r);
	cr_expect_str_eq(json_string_value(json_object_get(j, "field")), "external_id", "%s",
	                 r->body);
	json_decref(j);
	tresp_free(r);
	expect_unchanged(before, "a foreign token's idea");

	/* with an Idempotency-Key too: nothing remembered, nothing written */
	const char *h[] = {"Authorization: Bearer X", "Content-Type: application/json",
	                   "Idempotency-Key: k1", NULL};
	char auth[200], url[256];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", mallory);
	h[0] = auth;
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	const char *body = "{\"title\": \"Mallory again\", \"arr\": 5, \"external_id\": \"crm-X\"}";
	r = http_do("POST", url, h, body, strlen(body));
	cr_assert(r);
	cr_expect(tresp_is_problem(r, 409), "%ld %s", r->status, r->body);
	tresp_free(r);
	expect_unchanged(before, "a foreign token's idea with an Idempotency-Key");
	cr_expect_eq(testdb_count(pg, "idempotency_keys"), 0);
	free(before);

	/* the owner re-sending its own id still updates it */
	r = post("/api/v1/ideas", alice, "application/json",
	         "{\"title\": \"Per-app split tunnelling on Android\","
	         " \"body\": \"route only the work apps\", \"account\": \"Acme\","
	         " \"arr\": 200, \"external_id\": \"crm-X\"}");
	cr_expect_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'crm-X' AND arr = 200"), 1);
}

Test(tenancy, the_ids_the_service_makes_up_cannot_be_squatted)
{
	/* the id alice's retry with Idempotency-Key k7 would get, taken first */
	char *tid = testdb_value(pg, "SELECT id FROM api_tokens WHERE name = 'crm-alice'");
	char body[300];
	snprintf(body, sizeof(body),
	         "{\"title\": \"Squatted idea\", \"external_id\": \"api:%s:k7\"}", tid);
	free(tid);
	struct tresp *r = post("/api/v1/ideas", mallory, "application/json", body);
	cr_expect(tresp_is_problem(r, 400), "%ld %s", r->status, r->body);
	json_t *j = tresp_json(r);
	cr_expect_str_eq(json_string_value(json_object_get(j, "field")), "external_id");
	json_decref(j);
	tresp_free(r);
	r = post("/api/v1/ideas", mallory, "application/json",
	         "{\"title\": \"Squatted form\", \"external_id\": \"form:0123\"}");
	cr_expect(tresp_is_problem(r, 400), "%ld %s", r->status, r->body);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE title LIKE 'Squatted%'"), 0);
}

static void sales_reuse(const char *ct, const char *mine, const char *theirs, const char *ext)
{
	struct tresp *r = post("/api/v1/sales-notes", alice, ct, mine);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "added")), 1, "%s", r->body);
	json_decref(j);
	tresp_free(r);
	char *before = snapshot();
	char q[200];
	snprintf(q, sizeof(q), "mentions WHERE external_id = '%s'", ext);
	cr_assert_eq(testdb_count(pg, q), 1);

	r = post("/api/v1/sales-notes", mallory, ct, theirs);
	cr_expect_eq(r->status, 200, "%s", r->body);
	j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "accepted")), 0, "%s", r->body);
	json_t *rej = json_object_get(j, "rejected");
	cr_assert_eq(json_array_size(rej), 1, "%s", r->body);
	json_t *e = json_array_get(rej, 0);
	cr_expect_str_eq(json_string_value(json_object_get(e, "field")), "external_id", "%s",
	                 r->body);
	cr_expect_gt(json_integer_value(json_object_get(e, "line")), 0);
	cr_expect(json_string_value(json_object_get(e, "error")));
	json_decref(j);
	tresp_free(r);
	expect_unchanged(before, "a foreign token's sales note");
	free(before);
}

Test(tenancy, another_token_reusing_a_sales_note_external_id_is_rejected_by_line_json)
{
	sales_reuse("application/json",
	            "[{\"account\": \"Globex\", \"arr\": 100, \"contact\": \"Hank\","
	            " \"note\": \"Needs SAML single sign-on for the admin console\", \"date\": "
	            "\"2026-05-01\","
	            " \"external_id\": \"crm-J\"}]",
	            "[{\"account\": \"Initech\", \"arr\": 1000000000, \"contact\": \"Bill\","
	            " \"note\": \"Mallory rewrote this note\", \"date\": \"2026-06-01\","
	            " \"external_id\": \"crm-J\"}]",
	            "crm-J");
}

Test(tenancy, another_token_reusing_a_sales_note_external_id_is_rejected_by_line_csv)
{
	sales_reuse("text/csv",
	            "account,arr,contact,note,date,external_id\r\n"
	            "Globex,100,Hank,Wants audit log export to S3,2026-05-01,crm-C\r\n",
	            "account,arr,contact,note,date,external_id\r\n"
	            "Initech,1000000000,Bill,Mallory rewrote this note,2026-06-01,crm-C\r\n",
	            "crm-C");
}

Test(tenancy, foreign_rows_are_rejected_and_the_others_still_land)
{
	struct tresp *r = post("/api/v1/sales-notes", alice, "text/csv",
	                       "account,arr,contact,note,date,external_id\r\n"
	                       "Globex,100,Hank,Wants a Terraform provider,2026-05-01,crm-M1\r\n");
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	r = post("/api/v1/sales-notes", mallory, "text/csv",
	         "account,arr,contact,note,date,external_id\r\n"
	         "Initech,5,Bill,Wants IPv6 inside the tunnel,2026-06-01,crm-M2\r\n"
	         "Initech,1000000000,Bill,Mallory rewrote this note,2026-06-01,crm-M1\r\n"
	         "Initech,7,Bill,Wants a status page,2026-06-01,crm-M3\r\n");
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "accepted")), 2, "%s", r->body);
	json_t *rej = json_object_get(j, "rejected");
	cr_assert_eq(json_array_size(rej), 1, "%s", r->body);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(rej, 0), "line")), 3);
	json_decref(j);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'crm-M1' AND arr = 100"
	                              " AND account = 'Globex'"),
	             1);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id IN ('crm-M2', 'crm-M3')"), 2);
}

Test(tenancy, the_cli_import_owns_its_ids_and_leaves_a_tokens_alone)
{
	struct tresp *r = post("/api/v1/sales-notes", alice, "text/csv",
	                       "account,arr,contact,note,date,external_id\r\n"
	                       "Globex,100,Hank,Wants device posture checks,2026-05-01,crm-K\r\n");
	cr_assert_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	char *before = snapshot();
	char *dir = test_tmpdir("tenancy-cli");
	char path[1200];
	snprintf(path, sizeof(path), "%s/notes.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("account,arr,contact,note,date,external_id\r\n"
	      "Initech,1000000000,Bill,Rewritten by a file,2026-06-01,crm-K\r\n",
	      f);
	fclose(f);
	char env[1200];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *e[] = {env, NULL};
	const char *argv[] = {"import-sales", path, NULL};
	char *out = NULL;
	run_cli(dir, e, argv, &out);
	cr_expect(strstr(out, "1 rejected"), "%s", out);
	free(out);
	expect_unchanged(before, "import-sales reusing a token's id");
	free(before);
	free(dir);
}
