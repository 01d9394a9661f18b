/* Sales notes through POST /api/v1/sales-notes and `ideatriage import-sales`,
 * and the demo data set: good rows land once, bad rows come back by line, an
 * unreadable document writes nothing. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;
static char *token;

static void start(void)
{
	conninfo = testdb_create("sales");
	srv = tserver_start(conninfo, NULL, "{\"http\": {\"max_upload_bytes\": 200000}}");
	pg = testdb_connect(conninfo);
	token = test_token(conninfo, "submitter", "crm-bridge");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
	free(token);
}

TestSuite(sales, .init = start, .fini = stop, .timeout = 120);

static struct tresp *post_notes(const char *ct, const char *body)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/sales-notes", srv->url);
	return http_post(url, token, ct, body, strlen(body));
}

static const char *csv =
    "\xef\xbb\xbf"
    "account,arr,contact,note,date\r\n"
    "Northwind Logistics,\"$240,000\",Dana Whitfield (AE),\"Wants per-app exit nodes, \"\"blocker\"\" "
    "for renewal\",2026-05-14\r\n"
    "Contoso Health,1.2M,Ravi (SE),\"Needs SCIM provisioning\nfor Okta groups\",2026-06-01\r\n"
    "Broken Row,12000,Someone\r\n"
    "Fabrikam,-5,Lee,Negative revenue,2026-06-02\r\n"
    "Tailspin Toys,50k,Ana,Device posture checks,2026-02-30\r\n";

Test(sales, csv_good_rows_land_bad_rows_come_back_by_line_and_reimport_adds_nothing)
{
	struct tresp *r = post_notes("text/csv", csv);
	cr_assert(r);
	cr_expect_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "accepted")), 2, "%s", r->body);
	cr_expect_eq(json_integer_value(json_object_get(j, "added")), 2);
	json_t *rej = json_object_get(j, "rejected");
	cr_assert_eq(json_array_size(rej), 3, "%s", r->body);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(rej, 0), "line")), 5);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(rej, 1), "line")), 6);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(rej, 1), "field")), "arr");
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(rej, 2), "line")), 7);
	json_decref(j);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'sales' AND author_kind = 'customer'"
				      " AND account = 'Northwind Logistics' AND arr = 240000"
				      " AND NOT is_public"),
		     1);
	cr_expect_eq(testdb_count(pg, "mentions WHERE body LIKE 'Needs SCIM provisioning\nfor Okta%'"
				      " AND arr = 1200000"),
		     1, "quoted newlines survive");

	r = post_notes("text/csv", csv);
	j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "added")), 0, "%s", r->body);
	cr_expect_eq(json_integer_value(json_object_get(j, "unchanged")), 2);
	json_decref(j);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), 2);
}

Test(sales, a_json_array_is_accepted_too)
{
	const char *body = "[{\"account\": \"Globex\", \"arr\": 90000, \"contact\": \"Hank\","
			   " \"note\": \"Kubernetes operator for ephemeral preview envs\","
			   " \"date\": \"2026-07-01\", \"external_id\": \"crm-77\"},"
			   " {\"account\": \"Initech\", \"arr\": \"lots\", \"contact\": \"Bill\","
			   " \"note\": \"x\", \"date\": \"2026-07-01\"}]";
	struct tresp *r = post_notes("application/json", body);
	cr_expect_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	cr_expect_eq(json_integer_value(json_object_get(j, "accepted")), 1);
	cr_expect_eq(json_integer_value(json_object_get(
			 json_array_get(json_object_get(j, "rejected"), 0), "line")),
		     2);
	json_decref(j);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'crm-77'"), 1);
}

Test(sales, unreadable_documents_are_refused_whole_and_write_nothing)
{
	const char *cases[][2] = {
	    {"text/csv", "account,arr,contact,note,date\nAcme,100,Bo,\"unterminated,2026-01-01\n"},
	    {"text/csv", "account,arr,contact,note,date,colour\nAcme,100,Bo,n,2026-01-01,red\n"},
	    {"text/csv", "account,arr,contact,note\nAcme,100,Bo,n\n"},
	    {"text/csv", "account,arr,contact,note,date\nAcme,100,Bo,\xff\xfe,2026-01-01\n"},
	    {"application/json", "{\"account\": \"not an array\"}"},
	    {"application/json", "[{\"account\": \"Acme\", "},
	    {"text/csv", "account,arr,contact,note,date\nAcme,oops,Bo,n,2026-01-01\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tresp *r = post_notes(cases[i][0], cases[i][1]);
		cr_expect(tresp_is_problem(r, 400), "case %zu: %ld %s", i, r ? r->status : 0,
			  r ? r->body : "");
		tresp_free(r);
	}
	struct tresp *r = post_notes("text/plain", "account,arr\n");
	cr_expect(tresp_is_problem(r, 415));
	tresp_free(r);
	char *big = malloc(300000);
	memset(big, 'x', 299999);
	big[299999] = '\0';
	r = post_notes("text/csv", big);
	cr_expect(r && r->status == 413, "oversized upload: %ld", r ? r->status : 0);
	tresp_free(r);
	free(big);
	cr_expect_eq(testdb_count(pg, "mentions"), 0);
}

Test(sales, a_customer_token_may_not_push_notes)
{
	char *cust = test_token(conninfo, "customer", "acme");
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/sales-notes", srv->url);
	struct tresp *r = http_post(url, cust, "text/csv", csv, strlen(csv));
	cr_expect(tresp_is_problem(r, 403));
	tresp_free(r);
	free(cust);
	cr_expect_eq(testdb_count(pg, "mentions"), 0);
}

Test(sales, import_sales_reports_per_line_errors_and_is_idempotent)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/sales/notes.csv", TEST_SOURCE_DIR);
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"import-sales", path, NULL};
	char *out = NULL;
	int rc = run_cli(NULL, envs, argv, &out);
	cr_expect_eq(rc, 3, "bad rows make the exit status 3: %s", out);
	cr_expect(strstr(out, "notes.csv:"), "errors name file and line: %s", out);
	cr_expect(strstr(out, "rows accepted"), "%s", out);
	long n = testdb_count(pg, "mentions WHERE source = 'sales'");
	cr_expect_gt(n, 5);
	free(out);
	rc = run_cli(NULL, envs, argv, &out);
	cr_expect(strstr(out, "(0 new"), "a second import adds nothing: %s", out);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'sales'"), n);
	free(out);
}

Test(sales, the_demo_data_set_loads_through_every_channel_once, .timeout = 300)
{
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"demo", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "%s", out);
	free(out);
	cr_expect_gt(testdb_count(pg, "mentions WHERE source = 'github' AND kind = 'post'"), 200);
	cr_expect_gt(testdb_count(pg, "mentions WHERE source = 'github' AND kind = 'comment'"), 300);
	cr_expect_gt(testdb_count(pg, "mentions WHERE source = 'reddit'"), 50);
	cr_expect_gt(testdb_count(pg, "mentions WHERE source = 'sales' AND arr > 0"), 50);
	cr_expect_gt(testdb_count(pg, "mentions WHERE source = 'employee'"), 20);
	long mentions = testdb_count(pg, "mentions");
	const char *again[] = {"demo", "--if-empty", NULL};
	cr_assert_eq(run_cli(NULL, envs, again, &out), 0);
	cr_expect(strstr(out, "nothing loaded"), "%s", out);
	free(out);
	/* a database with data refuses the demo unless forced (tests/test_cli.c) */
	const char *force[] = {"demo", "--force", NULL};
	cr_assert_eq(run_cli(NULL, envs, force, &out), 0);
	free(out);
	cr_expect_eq(testdb_count(pg, "mentions"), mentions, "loading the demo twice adds nothing");
}
