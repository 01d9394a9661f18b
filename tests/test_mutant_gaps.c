/* Tests written for mutants (tests/mutants, `scripts/dev mutants`) that the
 * rest of the suite let survive: each names the mutant it kills. */
#include <criterion/criterion.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define SECRET "It's a Secret to Everybody"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;

static void start(void)
{
	conninfo = testdb_create("mutant_gaps");
	srv = tserver_start(conninfo, NULL, "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}");
	pg = testdb_connect(conninfo);
}

static void stop(void)
{
	if (srv)
		tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
}

TestSuite(gaps, .init = start, .fini = stop, .timeout = 120);

/* Mutant 003: a signature compared on a prefix only. A wrong secret differs
 * from the first digit, so the right signature with one digit changed - at
 * the end, then in the middle - is what tells a whole comparison apart. */
Test(gaps, a_signature_wrong_in_one_late_digit_is_refused)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/github/issues_opened.json", TEST_SOURCE_DIR);
	char *body = test_read_file(path);
	cr_assert(body, "missing fixture %s", path);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	cr_assert(HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body,
		       strlen(body), md, &mdlen));
	char url[256], sig[128];
	snprintf(url, sizeof(url), "%s/webhooks/github", srv->url);
	const int at[] = {63, 32};
	for (int k = 0; k < 2; k++) {
		int o = snprintf(sig, sizeof(sig), "X-Hub-Signature-256: sha256=");
		for (unsigned int i = 0; i < mdlen; i++)
			o += snprintf(sig + o, sizeof(sig) - (size_t)o, "%02x", md[i]);
		char *digit = strchr(sig, '=') + 1 + at[k];
		*digit = *digit == '0' ? '1' : '0';
		const char *h[] = {"Content-Type: application/json", "X-GitHub-Event: issues",
				   k ? "X-GitHub-Delivery: gap-2" : "X-GitHub-Delivery: gap-1", sig,
				   NULL};
		struct tresp *r = http_do("POST", url, h, body, strlen(body));
		cr_assert(r);
		cr_expect(tresp_is_problem(r, 401), "digit %d changed: %ld %s", at[k], r->status,
			  r->body);
		tresp_free(r);
	}
	cr_expect_eq(testdb_count(pg, "mentions"), 0);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries"), 0);
	/* the same delivery signed right is taken: the digit was the only fault */
	struct tresp *r = send_webhook(srv->url, SECRET, "issues", "gap-3", body, strlen(body));
	cr_expect(r && r->status == 200, "%ld", r ? r->status : 0);
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), 1);
	free(body);
}
