/* A hostile upstream against the real connectors, libcurl and a real
 * PostgreSQL: listing cursors of every shape, redirects to another host or
 * scheme, a body one byte over the cap (and one at it), a gzip bomb, a body
 * dripping a byte at a time. In each case: no crash, the run fails with a
 * clear error, and the stored cursor has not moved. All on 127.0.0.1,
 * bounded in time and size. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "fake_upstream.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"
#include "support.h"

static char *conninfo;
static PGconn *pg;
static struct fake *fake, *other;
static struct triage_rules *rules;
static struct triage_ctx tctx;
static struct connector_config cc;
static const char *repos[2];

static void start(void)
{
	conninfo = testdb_create("hostile");
	char env[2200];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envv[] = {env, NULL}, *argv[] = {"migrate", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envv, argv, &out), 0, "migrate: %s", out ? out : "");
	free(out);
	pg = testdb_connect(conninfo);
	fake = fake_start(0);
	other = fake_start(0); /* "another host": where a redirect points */
	cr_assert(fake && other);
	struct err err = {0};
	rules = triage_rules_load(NULL, &err);
	cr_assert(rules, "%s", err.msg);
	cr_assert_eq(triage_ctx_init(&tctx, rules, &err), 0, "%s", err.msg);
	memset(&cc, 0, sizeof(cc));
	cc.connect_timeout_s = 5;
	cc.timeout_s = 10;
	cc.max_response_bytes = 1 << 20;
	cc.user_agent = "ideatriage/0.1 (test)";
	cc.github_api_url = fake_url(fake);
	cc.github_repos = repos;
	cc.github_nrepos = 1;
	cc.github_token = "sekrit-token";
	cc.reddit_api_url = fake_url(fake);
	cc.reddit_auth_url = fake_url(fake);
	cc.reddit_client_id = "fake-client";
	cc.reddit_client_secret = "fake-secret";
}

static void stop(void)
{
	triage_ctx_cleanup(&tctx);
	triage_rules_free(rules);
	fake_stop(fake);
	fake_stop(other);
	PQfinish(pg);
	free(conninfo);
}

TestSuite(hostile, .init = start, .fini = stop, .timeout = 120);

static int sync_with(const char *name, struct sync_result *res)
{
	struct err err = {0};
	struct connector *c = connector_new(name, &cc, &err);
	cr_assert(c, "%s", err.msg);
	struct sync_options o = {.force = true, .interval_s = 600, .reconcile_interval_s = 3600};
	int rc = sync_run(pg, &tctx, c, &o, res);
	connector_free(c);
	return rc;
}

static char *cursor_of(const char *name)
{
	char sql[200];
	/* no row yet reads as "{}", the cursor of a connector that never ran */
	snprintf(
	    sql, sizeof(sql),
	    "SELECT coalesce((SELECT cursor::text FROM connector_state WHERE name = '%s'), '{}')",
	    name);
	return testdb_value(pg, sql);
}

/* Runs connector name; expects failure with expect in the error, nothing
 * written and the cursor where it was. */
static void fails_unmoved(const char *name, const char *expect)
{
	char *before = cursor_of(name);
	long mentions = testdb_count(pg, "mentions");
	struct sync_result res;
	cr_assert_eq(sync_with(name, &res), -1, "the run should fail (%s)", expect);
	cr_expect(strstr(res.error, expect), "'%s' lacks '%s'", res.error, expect);
	char *after = cursor_of(name);
	cr_expect_str_eq(after, before, "the cursor moved");
	cr_expect_eq(testdb_count(pg, "mentions"), mentions, "something was written");
	free(before);
	free(after);
}

/* ---- Reddit listing cursors ---- */

static void reddit_page(const char *after_json, int count)
{
	char body[8192];
	int n = snprintf(body, sizeof(body),
	                 "{\"kind\": \"Listing\", \"data\": {\"after\": %s, \"before\": null, "
	                 "\"dist\": 0, \"children\": []}}",
	                 after_json);
	cr_assert(n > 0 && (size_t)n < sizeof(body));
	const char *h[] = {"Content-Type: application/json", NULL};
	fake_canned(fake, "/r/cursors/new", count, 200, h, body, (size_t)n, 0);
}

Test(hostile, reddit_cursors_of_every_shape)
{
	cc.reddit_subreddits = "[\"cursors\"]";
	/* the end of a listing, however spelled: a finished run */
	const char *ends[] = {"null", "\"\"", NULL};
	for (int i = 0; ends[i]; i++) {
		reddit_page(ends[i], 1);
		struct sync_result res;
		cr_expect_eq(sync_with("reddit", &res), 0, "after=%s: %s", ends[i], res.error);
	}
	/* no "after" member at all */
	const char *h[] = {"Content-Type: application/json", NULL};
	const char *noafter = "{\"kind\": \"Listing\", \"data\": {\"children\": []}}";
	fake_canned(fake, "/r/cursors/new", 1, 200, h, noafter, strlen(noafter), 0);
	struct sync_result res;
	cr_expect_eq(sync_with("reddit", &res), 0, "no after: %s", res.error);

	/* hostile values: refused where they arrive, never stored; the old
	 * code stored them and crashed on the next page (strlen of NULL) */
	static char huge[6000];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[0] = '"';
	huge[sizeof(huge) - 2] = '"';
	huge[sizeof(huge) - 1] = '\0';
	const char *bad[] = {
	    "\"t3_a-b\"",       "12345",           "{\"x\": 1}",  "[\"t3_a\"]", "true",
	    "\"t3_x&limit=1\"", "\"t3_\\u00e9t\"", "\"t3_\\tx\"", huge,         NULL};
	for (int i = 0; bad[i]; i++) {
		reddit_page(bad[i], 1);
		fails_unmoved("reddit", "data.after");
	}
}

Test(hostile, reddit_cursor_repeating_itself_stops_the_run)
{
	cc.reddit_subreddits = "[\"cursors\"]";
	reddit_page("\"t3_loop\"", 50);
	fake_reset_requests(fake);
	struct sync_result res;
	cr_assert_eq(sync_with("reddit", &res), -1);
	cr_expect(strstr(res.error, "same listing cursor"), "%s", res.error);
	cr_expect_eq(fake_count(fake, "/r/cursors/new", NULL), 2,
	             "one page, then the page pointing at itself: stopped there");
	char *v = testdb_value(pg, "SELECT cursor #>> '{subs,cursors,after}' FROM connector_state"
	                           " WHERE name = 'reddit'");
	cr_expect_str_eq(v, "t3_loop", "the last committed page's cursor");
	free(v);
}

Test(hostile, reddit_token_with_a_huge_expiry_is_clamped)
{
	cc.reddit_subreddits = "[\"tokens\"]";
	fake_reddit_add(fake, "tokens", 2, NULL, NULL);
	const char *h[] = {"Content-Type: application/json", NULL};
	const char *tok = "{\"access_token\": \"fake-token-1\", \"expires_in\": 1e300}";
	fake_canned(fake, "/api/v1/access_token", 1, 200, h, tok, strlen(tok), 0);
	struct sync_result res;
	/* the fake does not know this token: the listing answers 401, then a
	 * fresh token works; what matters is that 1e300 did not overflow */
	cr_expect_eq(sync_with("reddit", &res), 0, "%s", res.error);
}

/* ---- redirects and schemes ---- */

Test(hostile, a_redirect_to_another_host_is_not_followed)
{
	repos[0] = "acme/redir";
	fake_github_visibility(fake, "acme/redir", "public"); /* only its issues are hostile */
	fake_github_add(other, "acme/redir", 3, 0);
	char loc[200];
	snprintf(loc, sizeof(loc), "Location: %s/repos/acme/redir/issues?state=all",
	         fake_url(other));
	const char *h[] = {loc, NULL};
	const char *cases[] = {"301", "302", "307", "308"};
	for (int i = 0; i < 4; i++) {
		fake_canned(fake, "/repos/acme/redir/issues", 1, atoi(cases[i]), h, "", 0, 0);
		char expect[32];
		snprintf(expect, sizeof(expect), "HTTP %s", cases[i]);
		fails_unmoved("github", expect);
	}
	cr_expect_eq(fake_nrequests(other), 0,
	             "the other host was never asked (nor given the token)");
}

Test(hostile, a_redirect_or_link_to_another_scheme_is_refused)
{
	repos[0] = "acme/scheme";
	fake_github_visibility(fake, "acme/scheme", "public"); /* only its issues are hostile */
	const char *h1[] = {"Location: file:///etc/passwd", NULL};
	fake_canned(fake, "/repos/acme/scheme/issues", 1, 302, h1, "", 0, 0);
	fails_unmoved("github", "HTTP 302");
	const char *h2[] = {"Content-Type: application/json",
	                    "Link: <file:///etc/passwd>; rel=\"next\"", NULL};
	fake_canned(fake, "/repos/acme/scheme/issues", 1, 200, h2, "[]", 2, 0);
	fails_unmoved("github", "points away");
	const char *h3[] = {
	    "Content-Type: application/json",
	    "Link: <gopher://127.0.0.1/repos/acme/scheme/issues?page=2>; rel=\"next\"", NULL};
	fake_canned(fake, "/repos/acme/scheme/issues", 1, 200, h3, "[]", 2, 0);
	fails_unmoved("github", "points away");
}

Test(hostile, a_link_to_the_same_page_stops_the_run)
{
	repos[0] = "acme/selfloop";
	fake_github_visibility(fake, "acme/selfloop", "public"); /* only its issues are hostile */
	char link[300];
	snprintf(link, sizeof(link),
	         "Link: "
	         "<%s/repos/acme/selfloop/"
	         "issues?state=all&sort=updated&direction=asc&per_page=100>; rel=\"next\"",
	         fake_url(fake));
	const char *h[] = {"Content-Type: application/json", link, NULL};
	fake_canned(fake, "/repos/acme/selfloop/issues", 50, 200, h, "[]", 2, 0);
	fake_reset_requests(fake);
	fails_unmoved("github", "stopped to avoid a loop");
	cr_expect_eq(fake_nrequests(fake), 2, "the repository's visibility, the looping page");
	fake_canned(fake, "/nothing", 0, 200, NULL, "", 0, 0);
}

/* ---- sizes ---- */

/* A JSON list of n bytes: "[", spaces, "]". */
static char *padded_list(size_t n)
{
	char *b = malloc(n + 1);
	memset(b, ' ', n);
	b[0] = '[';
	b[n - 1] = ']';
	b[n] = '\0';
	return b;
}

Test(hostile, a_body_one_byte_over_the_cap_is_refused_and_one_at_the_cap_accepted)
{
	repos[0] = "acme/cap";
	fake_github_visibility(fake, "acme/cap", "public"); /* only its issues are hostile */
	cc.max_response_bytes = 4096;
	const char *h[] = {"Content-Type: application/json", NULL};
	char *over = padded_list(4097), *at = padded_list(4096);
	fake_canned(fake, "/repos/acme/cap/issues", 1, 200, h, over, 4097, 0);
	fails_unmoved("github", "larger than 4096 bytes");
	/* sent chunked (no Content-Length to refuse it up front), a byte a
	 * millisecond: counted as it streams in */
	cc.max_response_bytes = 512;
	char *over_chunked = padded_list(513);
	fake_canned(fake, "/repos/acme/cap/issues", 1, 200, h, over_chunked, 513, 1);
	fails_unmoved("github", "larger than 512 bytes");
	free(over_chunked);
	cc.max_response_bytes = 4096;
	fake_canned(fake, "/repos/acme/cap/issues", 1, 200, h, at, 4096, 0);
	struct sync_result res;
	cr_expect_eq(sync_with("github", &res), 0, "at the cap: %s", res.error);
	free(over);
	free(at);
}

/* gzip of "[" + n spaces + "]", built a chunk at a time (never n bytes in
 * memory); *len: the compressed size. */
static unsigned char *gzip_bomb(size_t n, size_t *len)
{
	z_stream z = {0};
	cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = n / 500 + 4096;
	unsigned char *out = malloc(cap);
	static unsigned char chunk[65536];
	memset(chunk, ' ', sizeof(chunk));
	z.next_out = out;
	z.avail_out = (uInt)cap;
	unsigned char open[] = "[", close[] = "]";
	z.next_in = open;
	z.avail_in = 1;
	cr_assert_eq(deflate(&z, Z_NO_FLUSH), Z_OK);
	for (size_t done = 0; done < n; done += sizeof(chunk)) {
		z.next_in = chunk;
		z.avail_in = (uInt)(n - done < sizeof(chunk) ? n - done : sizeof(chunk));
		cr_assert_eq(deflate(&z, Z_NO_FLUSH), Z_OK);
	}
	z.next_in = close;
	z.avail_in = 1;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

Test(hostile, a_gzip_bomb_is_cut_at_the_cap_on_decoded_bytes)
{
	repos[0] = "acme/bomb";
	fake_github_visibility(fake, "acme/bomb", "public"); /* only its issues are hostile */
	cc.max_response_bytes = 1 << 20;
	size_t len;
	unsigned char *bomb = gzip_bomb((size_t)1 << 30, &len); /* 1 GiB of spaces */
	cr_assert(len < (1 << 20), "the compressed body (%zu bytes) is under the cap", len);
	const char *h[] = {"Content-Type: application/json", "Content-Encoding: gzip", NULL};
	fake_canned(fake, "/repos/acme/bomb/issues", 1, 200, h, bomb, len, 0);
	long before = maxrss_kb();
	fails_unmoved("github", "larger than 1048576 bytes");
	long grown_mb = (maxrss_kb() - before) / 1024;
	cr_log_info("a %zu-byte gzip body of 1 GiB refused; peak RSS grew by %ld MB", len, grown_mb);
	cr_expect(grown_mb < 64, "memory grew by %ld MB while refusing a 1 GiB body", grown_mb);
	free(bomb);
}

/* ---- time ---- */

Test(hostile, a_slow_drip_is_cut_by_the_timeout)
{
	repos[0] = "acme/drip";
	fake_github_visibility(fake, "acme/drip", "public"); /* only its issues are hostile */
	cc.timeout_s = 2;
	const char *h[] = {"Content-Type: application/json", NULL};
	char *body = padded_list(200); /* 200 bytes at 1 per 250 ms: 50 s */
	fake_canned(fake, "/repos/acme/drip/issues", 1, 200, h, body, 200, 250);
	double t0 = test_now_ms();
	fails_unmoved("github", "imeout");
	cr_expect(test_now_ms() - t0 < 30000, "cut long before the drip would end");
	free(body);
}
