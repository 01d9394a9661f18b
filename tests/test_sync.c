/* Connector runs against a real PostgreSQL and the fake upstream: cursors
 * committed with the mentions they produced, every bad answer leaving the
 * database and the cursor as the last committed page left them, rate limits
 * waited out without hammering, a process killed between two pages, two
 * `serve` instances sharing one schedule, the sales inbox, the CLI and the
 * connectors API. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_upstream.h"
#include "intake/ingest/ingest.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"
#include "support.h"

static char *conninfo;
static PGconn *pg;
static struct fake *fake;
static struct triage_rules *rules;
static struct triage_ctx tctx;
static struct connector_config cc;
static const char *repos[4];
static char envbuf[2200];

static void start(void)
{
	conninfo = testdb_create("sync");
	snprintf(envbuf, sizeof(envbuf), "DATABASE_URL=%s", conninfo);
	const char *env[] = {envbuf, NULL};
	const char *argv[] = {"migrate", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, env, argv, &out), 0, "migrate: %s", out ? out : "");
	free(out);
	pg = testdb_connect(conninfo);
	fake = fake_start(0);
	cr_assert(fake);
	struct err err = {0};
	rules = triage_rules_load(NULL, &err);
	cr_assert(rules, "%s", err.msg);
	cr_assert_eq(triage_ctx_init(&tctx, rules, &err), 0, "%s", err.msg);
	memset(&cc, 0, sizeof(cc));
	cc.connect_timeout_s = 5;
	cc.timeout_s = 10;
	cc.max_response_bytes = 20 << 20;
	cc.user_agent = "ideatriage/0.1 (test)";
	cc.github_api_url = fake_url(fake);
	cc.github_repos = repos;
	cc.github_nrepos = 1;
	cc.github_token = "";
	cc.reddit_api_url = fake_url(fake);
	cc.reddit_auth_url = fake_url(fake);
	cc.reddit_client_id = "fake-client";
	cc.reddit_client_secret = "fake-secret";
	cc.sales_settle_s = 2;
}

static void stop(void)
{
	triage_ctx_cleanup(&tctx);
	triage_rules_free(rules);
	fake_stop(fake);
	PQfinish(pg);
	free(conninfo);
}

TestSuite(sync, .init = start, .fini = stop, .timeout = 180);

/* Seconds between deletion checks for sync_with: an hour, so they stay out
 * of the tests that count requests, except where a test sets it. */
static long reconcile_s = 3600;

static int sync_with(const char *name, long max_wait, struct sync_result *res)
{
	struct err err = {0};
	struct connector *c = connector_new(name, &cc, &err);
	cr_assert(c, "%s", err.msg);
	struct sync_options o = {.force = true, .interval_s = 600, .max_wait_s = max_wait,
				 .reconcile_interval_s = reconcile_s};
	int rc = sync_run(pg, &tctx, c, &o, res);
	connector_free(c);
	return rc;
}

static char *state(const char *col, const char *name)
{
	char sql[300];
	snprintf(sql, sizeof(sql), "SELECT %s FROM connector_state WHERE name = '%s'", col, name);
	return testdb_value(pg, sql);
}

static long mentions_of(const char *repo)
{
	char from[300];
	snprintf(from, sizeof(from), "mentions WHERE external_id LIKE '%s#%%'", repo);
	return testdb_count(pg, from);
}

Test(sync, three_pages_land_with_their_cursor_and_nothing_new_costs_one_request)
{
	repos[0] = "acme/mesh";
	fake_github_add(fake, "acme/mesh", 250, 10);
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.outcome, SYNC_OK);
	cr_expect_eq(res.stats.fetched, 225, "25 pull requests skipped");
	cr_expect_eq(res.stats.added, 225);
	cr_expect_eq(res.stats.requests, 4, "the repository's visibility, then 3 pages");
	cr_expect_eq(mentions_of("acme/mesh"), 225);
	cr_expect_eq(testdb_count(pg, "ideas"), testdb_count(pg, "ideas WHERE id IN (SELECT idea_id FROM mentions)"));
	char *since = state("cursor #>> '{repos,acme/mesh,since}'", "github");
	cr_expect_str_eq(since, "2026-01-01T04:10:00Z");
	free(since);
	char *v = state("failures || ' ' || (last_error IS NULL) || ' ' || (last_ok_at IS NOT NULL) "
			"|| ' ' || (next_run_at > now()) || ' ' || (stats->>'new')",
			"github");
	cr_expect_str_eq(v, "0 true true true 225");
	free(v);

	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_nrequests(fake), 2,
		     "for a repository with nothing new: its visibility, the boundary re-read");
	cr_expect_eq(fake_count_status(fake, "/repos/acme/mesh", 304), 1, "visibility unchanged");
	cr_expect_eq(res.stats.added + res.stats.updated, 0);
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_nrequests(fake), 2);
	cr_expect_eq(fake_count_status(fake, "/issues", 304), 1, "answered 304 Not Modified");
	cr_expect_eq(fake_count_status(fake, "/repos/acme/mesh", 304), 2, "both");
	cr_expect_eq(res.stats.fetched, 0);
	cr_expect_eq(mentions_of("acme/mesh"), 225);
}

Test(sync, rate_limited_then_reset_waits_without_hammering)
{
	repos[0] = "acme/rl";
	fake_github_add(fake, "acme/rl", 150, 0);
	fake_fault(fake, FAULT_RATE_403, 1, 2, 2);
	struct sync_result res;
	double t0 = test_now_ms();
	cr_assert_eq(sync_with("github", 10, &res), 0, "%s", res.error);
	cr_expect_geq(test_now_ms() - t0, 1000, "it waited for the reset");
	cr_expect_eq(fake_nrequests(fake), 4,
		     "the visibility (once: the run goes on after the wait), 2 pages + the one "
		     "refused request, nothing more");
	cr_expect_eq(mentions_of("acme/rl"), 150);

	/* a reset further away than max_wait_s ends the run; next_run_at honours it */
	fake_github_add(fake, "acme/rl", 5, 0);
	fake_fault(fake, FAULT_RATE_429, 1, 120, 0);
	cr_assert_eq(sync_with("github", 10, &res), -1);
	cr_expect(strstr(res.error, "rate limited"), "%s", res.error);
	cr_expect_geq(res.retry_after, 120);
	char *v = state("(next_run_at >= now() + interval '119 seconds')::text", "github");
	cr_expect_str_eq(v, "true");
	free(v);
}

/* A bad answer for page 2: page 1 stays committed with its cursor, page 2 is
 * not partly written, last_error says why; the next run picks up at page 2. */
static void bad_page_two(enum fake_fault fault, int arg, const char *expect)
{
	repos[0] = "acme/bad";
	fake_github_add(fake, "acme/bad", 250, 0);
	fake_fault(fake, fault, 1, arg, 2);
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, expect), "'%s' lacks '%s'", res.error, expect);
	cr_expect_eq(mentions_of("acme/bad"), 100, "page 1 only, nothing of page 2");
	char *v = state("last_error", "github");
	cr_expect(v && strstr(v, expect), "%s", v ? v : "(null)");
	free(v);
	v = state("failures::text || ' ' || (cursor #>> '{repos,acme/bad,next}' LIKE '%page=2')",
		  "github");
	cr_expect_str_eq(v, "1 true");
	free(v);
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(mentions_of("acme/bad"), 250);
	cr_expect_eq(fake_nrequests(fake), 3,
		     "the visibility, pages 2 and 3; page 1 is not fetched again");
	cr_expect_eq(fake_count_status(fake, "/repos/acme/bad", 304), 1,
		     "the visibility committed with page 1 is asked conditionally");
	v = state("failures::text || ' ' || coalesce(last_error, 'none')", "github");
	cr_expect_str_eq(v, "0 none");
	free(v);
}

Test(sync, server_error_then_success)
{
	bad_page_two(FAULT_500, 0, "HTTP 500");
}

Test(sync, timeout)
{
	cc.timeout_s = 1;
	bad_page_two(FAULT_DELAY, 4000, "imeout");
}

Test(sync, malformed_json)
{
	bad_page_two(FAULT_MALFORMED, 0, "malformed JSON");
}

Test(sync, body_cut_short)
{
	bad_page_two(FAULT_TRUNCATE, 0, "cut short");
}

Test(sync, a_failed_first_page_leaves_the_cursor_unchanged)
{
	repos[0] = "acme/first";
	fake_github_add(fake, "acme/first", 10, 0);
	fake_fault(fake, FAULT_500, 1, 0, 0);
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), -1);
	char *v = state("cursor::text", "github");
	cr_expect_str_eq(v, "{}");
	free(v);
	cr_expect_eq(mentions_of("acme/first"), 0);
	/* the backoff: the first failure retries after 30 s (+-10%), not the interval */
	v = state("(next_run_at BETWEEN now() + interval '25 s' AND now() + interval '35 s')::text",
		  "github");
	cr_expect_str_eq(v, "true");
	free(v);
}

Test(sync, edits_upstream_update_the_mention_and_deletions_are_found)
{
	repos[0] = "acme/edit";
	fake_github_add(fake, "acme/edit", 12, 0);
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	fake_github_edit(fake, "acme/edit", 3, "Exit nodes per app, edited");
	fake_github_delete(fake, "acme/edit", 4);
	reconcile_s = 0;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	reconcile_s = 3600;
	cr_expect_eq(res.stats.updated, 1);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'acme/edit#3'"
				      " AND title = 'Exit nodes per app, edited'"),
		     1);
	cr_expect_eq(mentions_of("acme/edit"), 12);
	/* a listing never shows a deletion: the reconciliation asks for the
	 * known issues (GET /issues/N answers 410 Gone for the deleted one) */
	cr_expect_eq(res.stats.gone, 1, "the deleted issue was found");
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'acme/edit#4' AND deleted"), 1);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id LIKE 'acme/edit#%' AND deleted"), 1);
	cr_expect_eq(testdb_count(pg, "ideas i WHERE i.id = (SELECT idea_id FROM mentions"
				      " WHERE external_id = 'acme/edit#4') AND i.requesters = 0"),
		     1, "a deleted issue stops counting as demand");
}

/* ---- a repository's visibility ---- */

/* Every idea published, then `ideatriage export --view public --format json`
 * (new): what anyone may read. */
static char *public_export(void)
{
	PQclear(PQexec(pg, "UPDATE ideas SET visibility = 'public', status = 'planned'"));
	const char *env[] = {envbuf, NULL};
	const char *argv[] = {"export", "--view", "public", "--format", "json", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, env, argv, &out), 0, "export: %s", out ? out : "");
	return out;
}

static long public_mentions_of(const char *repo)
{
	char from[300];
	snprintf(from, sizeof(from), "mentions WHERE external_id LIKE '%s#%%' AND is_public", repo);
	return testdb_count(pg, from);
}

Test(sync, private_and_internal_repositories_give_private_mentions_nothing_public)
{
	repos[0] = "acme/hush";
	repos[1] = "acme/inner";
	cc.github_nrepos = 2;
	fake_github_add(fake, "acme/hush", 6, 0);
	fake_github_visibility(fake, "acme/hush", "private");
	fake_github_add(fake, "acme/inner", 6, 0);
	fake_github_visibility(fake, "acme/inner", "internal");
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(mentions_of("acme/hush") + mentions_of("acme/inner"), 12);
	cr_expect_eq(public_mentions_of("acme/hush") + public_mentions_of("acme/inner"), 0);
	cr_expect_eq(testdb_count(pg, "ideas WHERE public_mentions > 0 OR public_requesters > 0"), 0);
	char *out = public_export();
	cr_expect(!strstr(out, "Feature") && !strstr(out, "acme/"), "private issues published: %s",
		  out);
	free(out);
}

Test(sync, a_repository_made_private_takes_its_stored_mentions_back_at_the_next_run)
{
	repos[0] = "acme/turn";
	fake_github_add(fake, "acme/turn", 5, 0);
	struct sync_result res;
	for (int i = 0; i < 2; i++) /* the second keeps the listing's ETag: a 304 from now on */
		cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_assert_eq(public_mentions_of("acme/turn"), 5);
	char *out = public_export();
	cr_assert(strstr(out, "Feature 1:") && strstr(out, "github.com/acme/turn/issues/1"),
		  "a public issue shows: %s", out);
	free(out);

	fake_github_visibility(fake, "acme/turn", "private");
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_count_status(fake, "/issues", 304), 1,
		     "its issues did not change: none is listed again");
	cr_expect_eq(public_mentions_of("acme/turn"), 0, "made private with the cursor");
	cr_expect_eq(mentions_of("acme/turn"), 5);
	cr_expect_eq(testdb_count(pg, "ideas WHERE public_mentions > 0"), 0);
	out = public_export();
	cr_expect(!strstr(out, "Feature") && !strstr(out, "acme/turn"), "still published: %s", out);
	free(out);
	char *v = state("cursor #>> '{repos,acme/turn,public}'", "github");
	cr_expect_str_eq(v, "false");
	free(v);

	/* known private: two 304s, nothing written */
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_nrequests(fake), 2);
	cr_expect_eq(fake_count_status(fake, "/repos/acme/turn", 304), 2);
	cr_expect_eq(public_mentions_of("acme/turn"), 0);

	/* public again: listed again from the start, each issue public again */
	fake_github_visibility(fake, "acme/turn", "public");
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.stats.fetched, 5, "the whole repository listed again");
	cr_expect_eq(public_mentions_of("acme/turn"), 5);
}

Test(sync, no_clear_answer_on_visibility_fails_the_run_and_moves_nothing)
{
	repos[0] = "acme/vague";
	fake_github_add(fake, "acme/vague", 5, 0);
	const char *json[] = {"Content-Type: application/json", NULL};
	const char *garbage = "{\"full_name\":\"acme/vague\",\"visibility\":\"public\"}";
	struct sync_result res;
	/* before any run: nothing written, nothing public */
	fake_canned(fake, "/repos/acme/vague", 1, 500, json, "{}", 2, 0);
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, "HTTP 500 for the repository"), "%s", res.error);
	fake_canned(fake, "/repos/acme/vague", 1, 200, json, garbage, strlen(garbage), 0);
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, "whether the repository is private"), "%s", res.error);
	cr_expect_eq(mentions_of("acme/vague"), 0);
	char *v = state("cursor::text || ' ' || failures", "github");
	cr_expect_str_eq(v, "{} 2");
	free(v);
	/* after one: the cursor stays where it was */
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(public_mentions_of("acme/vague"), 5);
	char *before = state("cursor::text", "github");
	fake_github_add(fake, "acme/vague", 2, 0);
	fake_canned(fake, "/repos/acme/vague", 1, 200, json, "<html>", 6, 0);
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, "malformed JSON"), "%s", res.error);
	char *after = state("cursor::text", "github");
	cr_expect_str_eq(after, before);
	free(before);
	free(after);
	cr_expect_eq(mentions_of("acme/vague"), 5, "no issue read");
}

Test(sync, a_repository_github_no_longer_shows_takes_its_mentions_back_and_fails)
{
	repos[0] = "acme/gone";
	fake_github_add(fake, "acme/gone", 4, 0);
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_assert_eq(public_mentions_of("acme/gone"), 4);
	char *since = state("cursor #>> '{repos,acme/gone,since}'", "github");
	/* what GitHub answers for a repository made private that this token may
	 * not see (or deleted) */
	const char *json[] = {"Content-Type: application/json", NULL};
	fake_canned(fake, "/repos/acme/gone", 1, 404, json, "{\"message\":\"Not Found\"}", 23, 0);
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, "HTTP 404") && strstr(res.error, "private now"), "%s",
		  res.error);
	cr_expect_eq(fake_nrequests(fake), 1, "no issue asked for");
	cr_expect_eq(public_mentions_of("acme/gone"), 0);
	cr_expect_eq(mentions_of("acme/gone"), 4);
	char *v = state("(cursor #>> '{repos,acme/gone,since}') || ' ' || failures", "github");
	char want[100];
	snprintf(want, sizeof(want), "%s 1", since);
	cr_expect_str_eq(v, want, "the listing's place kept");
	free(v);
	free(since);
	/* a repository never seen: a 404, nothing written */
	repos[0] = "acme/never";
	cr_assert_eq(sync_with("github", 0, &res), -1);
	cr_expect(strstr(res.error, "HTTP 404"), "%s", res.error);
	cr_expect_eq(mentions_of("acme/never"), 0);
}

Test(sync, sync_and_helpers_keep_one_state_row_per_connector)
{
	cr_expect_eq(sync_next_delay(900, 0, 0) >= 810 && sync_next_delay(900, 0, 0) <= 990, 1);
	long d1 = sync_next_delay(900, 1, 0), d3 = sync_next_delay(900, 3, 0),
	     d9 = sync_next_delay(900, 9, 0);
	cr_expect(d1 >= 27 && d1 <= 33, "%ld", d1);
	cr_expect(d3 >= 108 && d3 <= 132, "%ld", d3);
	cr_expect(d9 >= 810 && d9 <= 990, "capped at the interval: %ld", d9);
	cr_expect_geq(sync_next_delay(900, 1, 500), 500, "never before Retry-After");
}

Test(sync, reddit_posts_and_removals)
{
	fake_reddit_add(fake, "meshnet", 120, NULL, NULL);
	fake_reddit_remove(fake, "meshnet", 7);
	cc.reddit_subreddits = "[\"meshnet\"]";
	struct sync_result res;
	cr_assert_eq(sync_with("reddit", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.stats.added, 120);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'reddit'"), 120);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 't3_p00008' AND deleted"), 1);
	char *v = state("cursor #>> '{subs,meshnet,newest}'", "reddit");
	cr_expect_str_eq(v, "t3_p00120");
	free(v);
	fake_reddit_add(fake, "meshnet", 2, NULL, NULL);
	fake_fault(fake, FAULT_TOKEN_401, 1, 0, 0);
	cr_assert_eq(sync_with("reddit", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.stats.added, 2);
}

/* ---- the sales inbox ---- */

static void write_file(const char *dir, const char *name, const char *text, int age_s)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	struct timeval tv[2];
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age_s;
	tv[1] = tv[0];
	utimes(path, tv);
}

static bool exists(const char *dir, const char *name)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static const char *notes =
    "account,arr,contact,note,date\n"
    "Northwind,240k,Dana (AE),Per-app exit nodes are a renewal blocker,2026-05-14\n"
    "Contoso,1.2M,Ravi (SE),SCIM provisioning for Okta groups,2026-06-01\n"
    "Broken Row,12000,Someone\n";

Test(sync, sales_inbox_imports_settled_files_once)
{
	char *dir = test_tmpdir("inbox");
	cc.sales_inbox_dir = dir;
	write_file(dir, "notes.csv", notes, 10);
	write_file(dir, "half.csv", "account,arr,contact,note,date\nNorth", 0);
	write_file(dir, ".hidden.csv", notes, 10);
	write_file(dir, "upload.csv.part", notes, 10);
	write_file(dir, "bad.json", "[{\"account\": ", 10);
	struct sync_result res;
	cr_assert_eq(sync_with("sales", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.stats.added, 2);
	cr_expect_eq(res.stats.errors, 2, "one rejected row, one unreadable file");
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'sales'"), 2);
	cr_expect(exists(dir, "processed/notes.csv"));
	cr_expect(exists(dir, "processed/notes.csv.errors"));
	cr_expect(!exists(dir, "notes.csv"));
	cr_expect(exists(dir, "half.csv"), "a file still being written is left alone");
	cr_expect(exists(dir, ".hidden.csv") && exists(dir, "upload.csv.part"));
	cr_expect(exists(dir, "failed/bad.json") && exists(dir, "failed/bad.json.error"));
	char path[1200];
	snprintf(path, sizeof(path), "%s/failed/bad.json.error", dir);
	char *why = test_read_file(path);
	cr_expect(why && strlen(why) > 5, "%s", why ? why : "");
	free(why);

	/* the same file dropped again adds nothing */
	write_file(dir, "notes-again.csv", notes, 10);
	cr_assert_eq(sync_with("sales", 0, &res), 0, "%s", res.error);
	cr_expect_eq(res.stats.added, 0);
	cr_expect_eq(res.stats.unchanged, 2);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'sales'"), 2);
	cr_expect(exists(dir, "processed/notes-again.csv"));
	free(dir);
}

/* ---- the CLI ---- */

static char *write_config(const char *name, const char *json)
{
	char *dir = test_tmpdir(name);
	char *path = malloc(1300);
	snprintf(path, 1300, "%s/config.json", dir);
	FILE *f = fopen(path, "w");
	fputs(json, f);
	fclose(f);
	free(dir);
	return path;
}

static char *github_config(const char *name, const char *repo, long timeout_s)
{
	char json[1000];
	snprintf(json, sizeof(json),
		 "{\"log\": {\"level\": \"warn\"}, \"connectors\": {\"github\": {\"api_url\": \"%s\","
		 " \"repos\": [\"%s\"]}, \"http\": {\"timeout_s\": %ld}}}",
		 fake_url(fake), repo, timeout_s);
	return write_config(name, json);
}

Test(sync, cli_names_summary_and_exit_codes)
{
	fake_github_add(fake, "acme/cli", 30, 0);
	char *cfg = github_config("cli", "acme/cli", 10);
	const char *env[] = {envbuf, NULL};
	char *out = NULL;
	const char *bad[] = {"sync", "gitlab", "--config", cfg, NULL};
	cr_expect_eq(run_cli(NULL, env, bad, &out), 2);
	cr_expect(out && strstr(out, "unknown connector 'gitlab'") && strstr(out, "github reddit sales"),
		  "%s", out ? out : "");
	free(out);
	const char *all[] = {"sync", "--all", "--config", cfg, NULL};
	cr_expect_eq(run_cli(NULL, env, all, &out), 0, "%s", out ? out : "");
	cr_expect(out && strstr(out, "github: 30 fetched, 30 new, 0 updated, 0 unchanged, 0 errors"),
		  "%s", out ? out : "");
	cr_expect(out && strstr(out, "reddit: not configured, skipped"), "%s", out ? out : "");
	cr_expect(out && strstr(out, "sales: not configured, skipped"), "%s", out ? out : "");
	free(out);
	fake_fault(fake, FAULT_500, 1, 0, 0);
	const char *one[] = {"sync", "github", "--config", cfg, NULL};
	cr_expect_eq(run_cli(NULL, env, one, &out), 1, "a failed connector exits 1");
	cr_expect(out && strstr(out, "FAILED") && strstr(out, "HTTP 500"), "%s", out ? out : "");
	free(out);
	free(cfg);
}

static pid_t spawn_sync(const char *cfg, const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		putenv(envbuf);
		execl(IDEATRIAGE_BIN, IDEATRIAGE_BIN, "sync", "github", "--config", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

Test(sync, killed_between_two_pages_and_restarted_skips_nothing_and_counts_nothing_twice)
{
	fake_github_add(fake, "acme/crash", 250, 0);
	char *cfg = github_config("crash", "acme/crash", 60);
	char log[1400];
	snprintf(log, sizeof(log), "%s.log", cfg);
	/* page 2 hangs (it is fetched ahead while page 1 is written): once page 1
	 * is committed, the process dies between the two pages */
	fake_fault(fake, FAULT_DELAY, 1, 60000, 2);
	pid_t pid = spawn_sync(cfg, log);
	cr_assert_eq(fake_wait(fake, "/issues", "page=2", 1, 30000), 1, "page 2 was never asked");
	for (int i = 0; i < 300 && mentions_of("acme/crash") < 100; i++)
		usleep(100 * 1000);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	cr_expect(WIFSIGNALED(status));
	expect_no_sanitizer_report(log);
	cr_expect_eq(mentions_of("acme/crash"), 100, "page 1 committed with its cursor");

	const char *env[] = {envbuf, NULL};
	const char *argv[] = {"sync", "github", "--config", cfg, NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, env, argv, &out), 0, "%s", out ? out : "");
	cr_expect(strstr(out, "150 fetched, 150 new"), "%s", out);
	free(out);
	cr_expect_eq(mentions_of("acme/crash"), 250, "no item skipped");
	cr_expect_eq(testdb_count(pg, "(SELECT external_id FROM mentions GROUP BY 1"
				      " HAVING count(*) > 1) d"),
		     0);
	cr_expect_eq(fake_count(fake, "/issues", NULL) - fake_count(fake, "/issues", "&page="), 1,
		     "page 1 fetched once");
	cr_expect_eq(fake_count(fake, "/issues", "page=2"), 2, "the hung page 2, then page 2");
	cr_expect_eq(fake_count(fake, "/issues", "page=3"), 1);
	free(cfg);
}

/* ---- a page whose write fails ---- */

static void exec_ok(const char *sql)
{
	PGresult *r = PQexec(pg, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
}

/* A trigger on mentions that raises for one item: that item's page cannot be
 * written (the database refuses it, as on a full disk or a broken constraint),
 * while every other page can. */
static void refuse_item(const char *external_id)
{
	char sql[600];
	snprintf(sql, sizeof(sql),
		 "CREATE FUNCTION test_refuse_item() RETURNS trigger LANGUAGE plpgsql AS $$"
		 " BEGIN IF NEW.external_id = '%s' THEN"
		 " RAISE EXCEPTION 'test: the write of %s fails'; END IF; RETURN NEW; END $$",
		 external_id, external_id);
	exec_ok(sql);
	exec_ok("CREATE TRIGGER test_refuse_item BEFORE INSERT OR UPDATE ON mentions"
		" FOR EACH ROW EXECUTE FUNCTION test_refuse_item()");
}

static void allow_every_item(void)
{
	exec_ok("DROP TRIGGER test_refuse_item ON mentions");
	exec_ok("DROP FUNCTION test_refuse_item()");
}

/* 250 items, 100 a page: one item of page 2 cannot be written. The run fails
 * with the cursor where page 1 left it and nothing of page 2 stored; once the
 * database takes it again, the next run asks for page 2 again and stores
 * each of its items once. A cursor committed apart from its page (before the
 * page's transaction, or after a failed one) would skip page 2 for good. */
Test(sync, a_page_whose_write_fails_leaves_the_cursor_and_is_stored_once_on_the_next_run)
{
	/* GitHub: issues 1..250 in order of update; page 2 is 101..200 */
	repos[0] = "acme/wf";
	fake_github_add(fake, "acme/wf", 250, 0);
	refuse_item("acme/wf#150");
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), -1, "the write of page 2 failed");
	cr_expect(strstr(res.error, "acme/wf#150"), "%s", res.error);
	cr_expect_eq(mentions_of("acme/wf"), 100, "page 1 only");
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id LIKE 'acme/wf#%'"
				      " AND substring(external_id from '#(\\d+)$')::int > 100"),
		     0, "nothing of page 2 (or later)");
	char *v = state("failures::text || ' ' || (cursor #>> '{repos,acme/wf,next}')", "github");
	cr_expect(v && strncmp(v, "1 ", 2) == 0 && strstr(v, "page=2") && !strstr(v, "page=3"),
		  "the cursor still points at page 2: %s", v ? v : "(null)");
	free(v);

	allow_every_item();
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_count(fake, "/repos/acme/wf/issues", "page=2"), 1, "page 2 asked again");
	cr_expect_eq(fake_count(fake, "/repos/acme/wf/issues", NULL) -
			 fake_count(fake, "/repos/acme/wf/issues", "page="),
		     0, "page 1 is not asked again");
	cr_expect_eq(res.stats.added, 150, "pages 2 and 3, all new");
	cr_expect_eq(mentions_of("acme/wf"), 250);
	cr_expect_eq(testdb_count(pg, "(SELECT external_id FROM mentions WHERE external_id LIKE 'acme/wf#%'"
				      " GROUP BY 1 HAVING count(*) > 1) d"),
		     0, "no item stored twice");
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'acme/wf#150'"), 1);

	/* Reddit: posts p00250..p00001 newest first; page 2 is p00150..p00051 */
	fake_reddit_add(fake, "wfsub", 250, NULL, NULL);
	cc.reddit_subreddits = "[\"wfsub\"]";
	refuse_item("t3_p00100");
	cr_assert_eq(sync_with("reddit", 0, &res), -1, "the write of page 2 failed");
	cr_expect(strstr(res.error, "t3_p00100"), "%s", res.error);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'reddit'"), 100, "page 1 only");
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'reddit' AND external_id <= 't3_p00150'"),
		     0, "nothing of page 2 (or later)");
	v = state("coalesce(cursor #>> '{subs,wfsub,after}', '(none)') || ' '"
		  " || coalesce(cursor #>> '{subs,wfsub,newest}', '(none)')",
		  "reddit");
	cr_expect_str_eq(v, "t3_p00151 (none)", "the walk resumes after page 1");
	free(v);

	allow_every_item();
	fake_reset_requests(fake);
	cr_assert_eq(sync_with("reddit", 0, &res), 0, "%s", res.error);
	cr_expect_eq(fake_count(fake, "/r/wfsub/new", "after=t3_p00151"), 1, "page 2 asked again");
	cr_expect_eq(fake_count(fake, "/r/wfsub/new", NULL) - fake_count(fake, "/r/wfsub/new", "after="),
		     0, "page 1 is not asked again");
	cr_expect_eq(res.stats.added, 150);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'reddit'"), 250);
	cr_expect_eq(testdb_count(pg, "(SELECT external_id FROM mentions WHERE source = 'reddit'"
				      " GROUP BY 1 HAVING count(*) > 1) d"),
		     0, "no post stored twice");
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 't3_p00100'"), 1);
	v = state("cursor #>> '{subs,wfsub,newest}'", "reddit");
	cr_expect_str_eq(v, "t3_p00250", "the walk finished");
	free(v);
}

/* ---- serve: the scheduler, the API, the webhook ---- */

static char *serve_config(const char *repo, const char *extra)
{
	char *cfg = malloc(1500);
	snprintf(cfg, 1500,
		 "{\"log\": {\"level\": \"info\"}, \"github\": {\"webhook_secret\": \"s3cret\"},"
		 " \"connectors\": {\"github\": {\"api_url\": \"%s\", \"repos\": [\"%s\"],"
		 " \"interval_s\": 10}%s}}",
		 fake_url(fake), repo, extra ? extra : "");
	return cfg;
}

static bool wait_for(PGconn *c, const char *from, long n, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 100) {
		if (testdb_count(c, from) >= n)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

Test(sync, two_serve_instances_run_each_connector_once)
{
	fake_github_add(fake, "acme/two", 250, 0);
	char *cfg = serve_config("acme/two", NULL);
	struct tserver *a = tserver_start(conninfo, NULL, cfg);
	struct tserver *b = tserver_start(conninfo, NULL, cfg);
	cr_expect(wait_for(pg, "mentions WHERE external_id LIKE 'acme/two#%'", 250, 30000));
	usleep(2500 * 1000); /* time for the other instance to (not) run it too */
	cr_expect_eq(mentions_of("acme/two"), 250);
	cr_expect_eq(fake_count(fake, "/issues", NULL), 3, "one walk in all: 3 pages");
	char *metrics_url = malloc(200);
	snprintf(metrics_url, 200, "%s/metrics", a->url);
	struct tresp *ra = http_get(metrics_url);
	snprintf(metrics_url, 200, "%s/metrics", b->url);
	struct tresp *rb = http_get(metrics_url);
	bool a_ran = ra && strstr(ra->body, "ideatriage_connector_runs_total{connector=\"github\",outcome=\"ok\"} 1");
	bool b_ran = rb && strstr(rb->body, "ideatriage_connector_runs_total{connector=\"github\",outcome=\"ok\"} 1");
	cr_expect(a_ran != b_ran, "exactly one instance ran it");
	cr_expect(ra && strstr(ra->body, "ideatriage_connector_items_fetched_total{connector=\"github\"}"));
	tresp_free(ra);
	tresp_free(rb);
	free(metrics_url);
	tserver_stop(a, SIGTERM);
	tserver_stop(b, SIGTERM);
	free(cfg);
}

static char *fixture(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/github/%s.json", TEST_SOURCE_DIR, name);
	char *s = test_read_file(path);
	cr_assert(s, "missing fixture %s", path);
	return s;
}

Test(sync, a_webhook_and_a_sync_delivering_the_same_issue_make_one_mention)
{
	/* the fixture is meshwork/meshd#412; the fake lists the same number */
	fake_github_add(fake, "meshwork/meshd", 412, 0);
	char *cfg = serve_config("meshwork/other", NULL);
	struct tserver *srv = tserver_start(conninfo, NULL, cfg);
	char *body = fixture("issues_opened");
	struct tresp *r = send_webhook(srv->url, "s3cret", "issues", "dlv-1", body, strlen(body));
	cr_expect_eq(r ? r->status : 0, 200);
	tresp_free(r);
	free(body);
	tserver_stop(srv, SIGTERM);
	repos[0] = "meshwork/meshd";
	struct sync_result res;
	cr_assert_eq(sync_with("github", 0, &res), 0, "%s", res.error);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'meshwork/meshd#412'"), 1);
	cr_expect_eq(mentions_of("meshwork/meshd"), 412);
	free(cfg);
}

Test(sync, connectors_api_roles_errors_and_status)
{
	fake_github_add(fake, "acme/api", 20, 0);
	char *cfg = serve_config("acme/api", NULL);
	struct tserver *srv = tserver_start(conninfo, NULL, cfg);
	char *admin = test_token(conninfo, "admin", "ops");
	char *submitter = test_token(conninfo, "submitter", "crm");
	char url[300], auth[200], sauth[200];
	snprintf(url, sizeof(url), "%s/api/v1/connectors", srv->url);
	struct tresp *r = http_get(url);
	cr_expect(tresp_is_problem(r, 401));
	tresp_free(r);
	snprintf(sauth, sizeof(sauth), "Authorization: Bearer %s", submitter);
	const char *hs[] = {sauth, NULL};
	r = http_do("GET", url, hs, NULL, 0);
	cr_expect(tresp_is_problem(r, 403));
	tresp_free(r);

	cr_assert(wait_for(pg, "connector_state WHERE name = 'github' AND last_ok_at IS NOT NULL", 1,
			   20000), "the scheduler ran github at start-up");
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
	const char *ha[] = {auth, NULL};
	r = http_do("GET", url, ha, NULL, 0);
	cr_assert_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	json_t *items = json_object_get(j, "items");
	cr_assert_eq(json_array_size(items), 3);
	json_t *gh = json_array_get(items, 0);
	cr_expect_str_eq(json_string_value(json_object_get(gh, "name")), "github");
	cr_expect(json_is_true(json_object_get(gh, "configured")));
	const char *fields[] = {"last_run_at", "last_ok_at", "duration_ms", "cursor",
				"next_run_at", "stats"};
	for (int i = 0; i < 6; i++)
		cr_expect(!json_is_null(json_object_get(gh, fields[i])), "%s", fields[i]);
	cr_expect(json_is_null(json_object_get(gh, "last_error")));
	cr_expect_eq(json_integer_value(json_object_get(gh, "failures")), 0);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(gh, "stats"), "new")), 20);
	cr_expect(json_is_object(json_object_get(json_object_get(gh, "cursor"), "repos")));
	json_t *rd = json_array_get(items, 1);
	cr_expect(json_is_false(json_object_get(rd, "configured")));
	json_decref(j);
	tresp_free(r);

	snprintf(url, sizeof(url), "%s/api/v1/connectors/gitlab/sync", srv->url);
	r = http_do("POST", url, ha, NULL, 0);
	cr_expect(tresp_is_problem(r, 404));
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/connectors/reddit/sync", srv->url);
	r = http_do("POST", url, ha, NULL, 0);
	cr_expect(tresp_is_problem(r, 409));
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/connectors/github/sync", srv->url);
	r = http_do("POST", url, hs, NULL, 0);
	cr_expect(tresp_is_problem(r, 403), "%ld %s", r ? r->status : 0, r ? r->body : "");
	tresp_free(r);
	int before = fake_count(fake, "/issues", NULL);
	r = http_do("POST", url, ha, NULL, 0);
	cr_expect_eq(r->status, 202, "%ld %s", r->status, r->body);
	json_t *a = tresp_json(r);
	cr_expect_str_eq(json_string_value(json_object_get(a, "status_url")), "/api/v1/connectors");
	json_decref(a);
	tresp_free(r);
	cr_expect_eq(fake_wait(fake, "/issues", NULL, before + 1, 10000), before + 1,
		     "the queued run went out (though not due)");
	tserver_stop(srv, SIGTERM);
	free(admin);
	free(submitter);
	free(cfg);
}
