/* Connectors against the fake upstream (tests/support/fake_upstream.c): the
 * exact requests they send (query, headers, auth), paging, conditional
 * requests, rate limits, and every kind of bad answer. No database: the
 * connector interface alone, as intake/sync/sync.c drives it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectors/connector.h"
#include "connectors/http.h"
#include "fake_upstream.h"
#include "support.h"

static struct fake *fake;
static struct connector_config cfg;
static const char *repos[4];

static void start(void)
{
	fake = fake_start(0);
	cr_assert(fake, "the fake upstream could not listen");
	memset(&cfg, 0, sizeof(cfg));
	cfg.connect_timeout_s = 5;
	cfg.timeout_s = 10;
	cfg.max_response_bytes = 20 << 20;
	cfg.user_agent = "ideatriage/0.1 (+https://github.com/ideatriage/ideatriage)";
	cfg.github_api_url = fake_url(fake);
	cfg.github_repos = repos;
	cfg.github_token = "ghp_test";
	cfg.reddit_api_url = fake_url(fake);
	cfg.reddit_auth_url = fake_url(fake);
	cfg.reddit_client_id = "fake-client";
	cfg.reddit_client_secret = "fake-secret";
}

static void stop(void)
{
	fake_stop(fake);
}

TestSuite(connectors, .init = start, .fini = stop, .timeout = 60);

/* One run: fetches until done (at most max batches); returns mentions seen;
 * *cursor is updated batch by batch (as a commit would); -1 on a failed fetch
 * (then *err and *retry are set). */
struct run {
	int mentions, skipped, errors, batches, requests, deleted;
	long retry;
	struct err err;
	json_t *items; /* [{external_id, title, votes, labels, deleted, public}] */
	int unpublish; /* batches that asked to take stored mentions back */
};

static int run_once(struct connector *c, char **cursor, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->items = json_array();
	connector_rewind(c);
	for (int i = 0; i < 100; i++) {
		struct connector_batch b;
		if (connector_fetch(c, *cursor, &b, &r->retry, &r->err) < 0)
			return -1;
		r->batches++;
		r->mentions += b.nmentions;
		r->skipped += b.skipped;
		r->errors += b.errors;
		r->requests += b.requests;
		r->unpublish += b.unpublish != NULL;
		for (int k = 0; k < b.nmentions; k++) {
			const struct mention *m = &b.mentions[k];
			json_t *labels = json_array();
			for (int l = 0; l < m->nlabels; l++)
				json_array_append_new(labels, json_string(m->labels[l]));
			json_array_append_new(r->items,
					      json_pack("{s:s, s:s, s:i, s:o, s:b, s:b}", "external_id",
							m->external_id, "title", m->title, "votes",
							m->votes, "labels", labels, "deleted",
							m->deleted, "public", m->is_public));
			r->deleted += m->deleted;
		}
		free(*cursor);
		*cursor = b.next_cursor;
		b.next_cursor = NULL;
		bool done = b.done;
		cr_assert_eq(connector_ack(c, &b, NULL), 0);
		connector_batch_clear(&b);
		if (done)
			return r->mentions;
	}
	cr_assert_fail("the connector never said done");
	return -1;
}

static void run_free(struct run *r)
{
	json_decref(r->items);
	r->items = NULL;
}

static struct connector *github(const char *repo)
{
	repos[0] = repo;
	cfg.github_nrepos = 1;
	struct err err = {0};
	struct connector *c = connector_new("github", &cfg, &err);
	cr_assert(c, "%s", err.msg);
	cr_assert(connector_configured(c));
	return c;
}

static json_t *item(struct run *r, const char *external_id)
{
	size_t i;
	json_t *it;
	json_array_foreach(r->items, i, it) if (strcmp(json_string_value(json_object_get(
								it, "external_id")),
							    external_id) == 0) return it;
	return NULL;
}

Test(connectors, link_header_parser)
{
	char *n = chttp_link_next("<https://api.github.com/x?page=2>; rel=\"next\", "
				  "<https://api.github.com/x?page=5>; rel=\"last\"");
	cr_expect_str_eq(n, "https://api.github.com/x?page=2");
	free(n);
	n = chttp_link_next("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\"");
	cr_expect_str_eq(n, "https://a/x?page=3");
	free(n);
	n = chttp_link_next("<https://a/x?page=1>; rel=\"first\", <https://a/x?page=9>; rel=last");
	cr_expect_null(n);
	n = chttp_link_next("<https://a/y>; rel=\"next last\"");
	cr_expect_str_eq(n, "https://a/y");
	free(n);
	cr_expect_null(chttp_link_next(""));
	cr_expect_null(chttp_link_next("garbage; rel=next"));
}

Test(connectors, github_three_pages_follow_link_next_with_the_right_request)
{
	fake_github_add(fake, "acme/mesh", 250, 0);
	struct connector *c = github("acme/mesh");
	char *cursor = strdup("{}");
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 250, "%s", r.err.msg);
	cr_expect_eq(r.batches, 3);
	cr_expect_eq(fake_nrequests(fake), 4, "the repository's visibility, then one request per page");
	cr_expect_eq(r.requests, 4);
	cr_expect_eq(fake_count(fake, "/repos/acme/mesh/issues", "page=2"), 1);
	cr_expect_eq(fake_count(fake, "/repos/acme/mesh/issues", "page=3"), 1);
	char *meta = fake_request_target(fake, 0), *first = fake_request_target(fake, 1);
	cr_expect_str_eq(meta, "/repos/acme/mesh", "asked before any issue is read");
	cr_expect(strstr(first, "state=all") && strstr(first, "sort=updated") &&
		      strstr(first, "direction=asc") && strstr(first, "per_page=100") &&
		      !strstr(first, "since="),
		  "%s", first);
	free(meta);
	free(first);
	for (int i = 0; i < 2; i++) { /* both kinds of request carry the same headers */
		char *h = fake_request_header(fake, i, "Accept");
		cr_expect_str_eq(h, "application/vnd.github+json");
		free(h);
		h = fake_request_header(fake, i, "X-GitHub-Api-Version");
		cr_expect_str_eq(h, "2022-11-28");
		free(h);
		h = fake_request_header(fake, i, "Authorization");
		cr_expect_str_eq(h, "Bearer ghp_test");
		free(h);
		h = fake_request_header(fake, i, "User-Agent");
		cr_expect(h && strncmp(h, "ideatriage/0.1 (+https://", 25) == 0, "%s", h);
		free(h);
		h = fake_request_header(fake, i, "Accept-Encoding");
		cr_expect(h && strstr(h, "gzip"), "compressed answers are accepted: %s",
			  h ? h : "none");
		free(h);
		h = fake_request_header(fake, i, "If-None-Match");
		cr_expect_null(h, "nothing to compare with on a first run");
		free(h);
	}
	/* the cursor: since = the newest updated_at seen, no walk in progress */
	json_t *cj = json_loads(cursor, 0, NULL);
	json_t *st = json_object_get(json_object_get(cj, "repos"), "acme/mesh");
	cr_expect_str_eq(json_string_value(json_object_get(st, "since")), "2026-01-01T04:10:00Z");
	cr_expect_null(json_object_get(st, "next"));
	/* and the repository's visibility, with the ETag of GitHub's answer */
	cr_expect(json_is_true(json_object_get(st, "public")));
	cr_expect(json_is_true(json_object_get(st, "meta_public")));
	cr_expect(json_is_string(json_object_get(st, "meta_etag")));
	json_decref(cj);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_skips_pull_requests_and_reads_reactions_and_labels)
{
	fake_github_add(fake, "acme/prs", 20, 5);
	struct connector *c = github("acme/prs");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 16, "%s", r.err.msg);
	cr_expect_eq(r.skipped, 4);
	cr_expect_null(item(&r, "acme/prs#5"), "a pull request is not an idea");
	json_t *six = item(&r, "acme/prs#6");
	cr_assert(six);
	/* +1 = 6 % 7, heart = 1 (6 is a multiple of 3) */
	cr_expect_eq(json_integer_value(json_object_get(six, "votes")), 7);
	json_t *four = item(&r, "acme/prs#4");
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(four, "labels"), 0)),
			 "enhancement");
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_nothing_new_costs_one_request_then_a_304)
{
	fake_github_add(fake, "acme/etag", 30, 0);
	struct connector *c = github("acme/etag");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 30);
	run_free(&r);
	fake_reset_requests(fake);
	/* the run after a change re-reads the boundary item: one plain request,
	 * after the repository's visibility (a 304: it did not change) */
	cr_assert_geq(run_once(c, &cursor, &r), 0, "%s", r.err.msg);
	cr_expect_eq(fake_nrequests(fake), 2);
	cr_expect_eq(fake_count_status(fake, "/repos/acme/etag", 304), 1);
	run_free(&r);
	char *before = strdup(cursor);
	/* from then on, two conditional requests answered 304 and nothing changes */
	for (int i = 0; i < 2; i++) {
		fake_reset_requests(fake);
		cr_assert_eq(run_once(c, &cursor, &r), 0, "%s", r.err.msg);
		cr_expect_eq(fake_nrequests(fake), 2);
		cr_expect_eq(fake_count_status(fake, "/issues", 304), 1);
		cr_expect_eq(fake_count_status(fake, "/repos/acme/etag", 304), 2);
		for (int k = 0; k < 2; k++) {
			char *inm = fake_request_header(fake, k, "If-None-Match");
			cr_expect(inm && strncmp(inm, "W/\"", 3) == 0);
			free(inm);
		}
		cr_expect_str_eq(cursor, before, "a 304 changes nothing");
		run_free(&r);
	}
	/* something new: a 200 again, with only what changed (and the boundary);
	 * the repository's answer changed too (its open_issues_count) */
	fake_github_add(fake, "acme/etag", 2, 0);
	fake_reset_requests(fake);
	cr_assert_eq(run_once(c, &cursor, &r), 3);
	cr_expect_eq(fake_nrequests(fake), 2);
	cr_expect_eq(fake_count_status(fake, "/repos/acme/etag", 200), 2);
	char *t = fake_request_target(fake, 1);
	cr_expect(strstr(t, "since=2026-01-01T00:30:00Z"), "%s", t);
	free(t);
	run_free(&r);
	free(before);
	free(cursor);
	connector_free(c);
}

/* How many of the run's items are public. */
static int public_items(struct run *r)
{
	int n = 0;
	size_t i;
	json_t *it;
	json_array_foreach(r->items, i, it) n += json_is_true(json_object_get(it, "public"));
	return n;
}

Test(connectors, github_issues_are_public_only_when_github_says_the_repository_is)
{
	const char *vis[] = {"public", "private", "internal"};
	for (int i = 0; i < 3; i++) {
		char repo[40];
		snprintf(repo, sizeof(repo), "acme/vis-%s", vis[i]);
		fake_github_add(fake, repo, 4, 0);
		fake_github_visibility(fake, repo, vis[i]);
		struct connector *c = github(repo);
		char *cursor = NULL;
		struct run r;
		cr_assert_eq(run_once(c, &cursor, &r), 4, "%s: %s", repo, r.err.msg);
		cr_expect_eq(public_items(&r), i == 0 ? 4 : 0, "%s", repo);
		/* a repository not public: stored mentions are taken back (a
		 * cursor without "public" may have written them public) */
		cr_expect_eq(r.unpublish, i == 0 ? 0 : 1, "%s", repo);
		json_t *cj = json_loads(cursor, 0, NULL);
		json_t *st = json_object_get(json_object_get(cj, "repos"), repo);
		cr_expect_eq(json_is_true(json_object_get(st, "public")), i == 0, "%s", repo);
		json_decref(cj);
		run_free(&r);
		/* known private: the next run takes nothing back again */
		cr_assert_geq(run_once(c, &cursor, &r), 0, "%s", r.err.msg);
		cr_expect_eq(r.unpublish, 0);
		run_free(&r);
		free(cursor);
		connector_free(c);
	}
}

Test(connectors, github_no_clear_answer_on_visibility_fails_before_any_issue)
{
	fake_github_add(fake, "acme/vague", 4, 0);
	const char *json[] = {"Content-Type: application/json", NULL};
	const char *html[] = {"Content-Type: text/html", NULL};
	struct {
		int status;
		const char *const *headers;
		const char *body, *expect;
	} cases[] = {
	    {500, json, "{\"message\":\"Server Error\"}", "HTTP 500"},
	    {403, json, "{\"message\":\"Resource not accessible by integration\"}", "HTTP 403"},
	    {301, json, "{\"message\":\"Moved Permanently\"}", "HTTP 301"},
	    {304, json, "", "HTTP 304"}, /* never asked conditionally */
	    {200, html, "<html>Unicorn!</html>", "malformed JSON"},
	    {200, json, "[]", "does not describe"},
	    {200, json, "{\"full_name\":\"acme/vague\",\"visibility\":\"public\"}",
	     "whether the repository is private"},
	    {200, json, "{\"full_name\":\"acme/vague\",\"private\":\"false\"}",
	     "whether the repository is private"},
	    {200, json, "{\"full_name\":\"acme/vague\",\"private\":false,\"visibility\":1}",
	     "whether the repository is private"},
	    {200, json, "{\"full_name\":\"acme/other\",\"private\":false,\"visibility\":\"public\"}",
	     "does not describe"},
	};
	struct connector *c = github("acme/vague");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_canned(fake, "/repos/acme/vague", 1, cases[i].status, cases[i].headers,
			    cases[i].body, strlen(cases[i].body), 0);
		fake_reset_requests(fake);
		char *cursor = strdup("{}");
		struct run r;
		cr_assert_eq(run_once(c, &cursor, &r), -1, "case %zu was taken as an answer", i);
		cr_expect(strstr(r.err.msg, cases[i].expect), "case %zu: '%s' lacks '%s'", i,
			  r.err.msg, cases[i].expect);
		cr_expect_eq(r.mentions, 0);
		cr_expect_str_eq(cursor, "{}");
		cr_expect_eq(fake_count(fake, "/issues", NULL), 0, "case %zu: issues were read", i);
		run_free(&r);
		free(cursor);
	}
	/* the same repository, answered properly: public */
	char *cursor = strdup("{}");
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 4, "%s", r.err.msg);
	cr_expect_eq(public_items(&r), 4);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_rate_limit_403_returns_retry_after_and_sends_nothing_until_reset)
{
	fake_github_add(fake, "acme/rl", 10, 0);
	struct connector *c = github("acme/rl");
	fake_fault(fake, FAULT_RATE_403, 1, 2, 0);
	char *cursor = strdup("{}");
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect(r.retry >= 1 && r.retry <= 3, "retry_after %ld", r.retry);
	cr_expect(strstr(r.err.msg, "rate limited"), "%s", r.err.msg);
	cr_expect_str_eq(cursor, "{}");
	run_free(&r);
	/* asked again at once: no request goes out */
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect_eq(fake_nrequests(fake), 2, "no hammering (the visibility, the refused page)");
	run_free(&r);
	sleep((unsigned)r.retry + 1);
	cr_assert_eq(run_once(c, &cursor, &r), 10, "%s", r.err.msg);
	cr_expect_eq(fake_nrequests(fake), 4, "a new run asks the visibility again");
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_secondary_limit_429_retry_after)
{
	fake_github_add(fake, "acme/sec", 5, 0);
	struct connector *c = github("acme/sec");
	fake_fault(fake, FAULT_RATE_429, 1, 1, 0);
	char *cursor = strdup("{}");
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect_eq(r.retry, 1);
	run_free(&r);
	sleep(2);
	cr_assert_eq(run_once(c, &cursor, &r), 5, "%s", r.err.msg);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

/* A bad answer on page 2: the fetch fails, the cursor of page 1 stays. */
static void bad_page_two(enum fake_fault fault, int arg, const char *expect)
{
	fake_github_add(fake, "acme/bad", 150, 0);
	struct connector *c = github("acme/bad");
	fake_fault(fake, fault, 1, arg, 2);
	char *cursor = strdup("{}");
	struct run r;
	/* no clock here: with the timeout broken, the delayed page 2 would
	 * arrive (after 4 s) and the run succeed, which the -1 and the message
	 * catch */
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect_eq(r.mentions, 100, "page 1 came through");
	cr_expect(strstr(r.err.msg, expect), "'%s' does not say '%s'", r.err.msg, expect);
	cr_expect(strstr(cursor, "page=2"), "the cursor points at page 2: %s", cursor);
	run_free(&r);
	/* the same cursor again, once the upstream is fine: page 2 onwards only */
	cr_assert_eq(run_once(c, &cursor, &r), 50, "%s", r.err.msg);
	cr_expect_eq(fake_count(fake, "/issues", "page=2"), 2);
	cr_expect_eq(fake_count(fake, "/issues", "&page="), 2, "page 1 was not fetched again");
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_500_then_success)
{
	bad_page_two(FAULT_500, 0, "HTTP 500");
}

Test(connectors, github_timeout)
{
	cfg.timeout_s = 1;
	bad_page_two(FAULT_DELAY, 4000, "imeout");
}

Test(connectors, github_malformed_json)
{
	bad_page_two(FAULT_MALFORMED, 0, "malformed JSON");
}

Test(connectors, github_body_cut_short)
{
	bad_page_two(FAULT_TRUNCATE, 0, "cut short");
}

Test(connectors, http_response_cap)
{
	fake_github_add(fake, "acme/big", 100, 0);
	cfg.max_response_bytes = 10000;
	struct connector *c = github("acme/big");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect(strstr(r.err.msg, "larger than 10000 bytes"), "%s", r.err.msg);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, github_link_to_another_host_is_refused)
{
	/* a Link header must not carry the token to another host: the fake's links
	 * name 127.0.0.1, so configuring "localhost" makes them foreign */
	fake_github_add(fake, "acme/host", 150, 0);
	char url[64];
	snprintf(url, sizeof(url), "http://localhost:%d", fake_port(fake));
	cfg.github_api_url = url;
	struct connector *c = github("acme/host");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect(strstr(r.err.msg, "points away"), "%s", r.err.msg);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

static struct connector *reddit(const char *subs_json)
{
	cfg.reddit_subreddits = subs_json;
	struct err err = {0};
	struct connector *c = connector_new("reddit", &cfg, &err);
	cr_assert(c, "%s", err.msg);
	return c;
}

Test(connectors, reddit_client_credentials_listing_and_walk_to_last_seen)
{
	fake_reddit_add(fake, "meshnet", 150, NULL, NULL);
	struct connector *c = reddit("[\"meshnet\"]");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 150, "%s", r.err.msg);
	cr_expect_eq(fake_count(fake, "/api/v1/access_token", NULL), 1);
	cr_expect_eq(fake_count(fake, "/r/meshnet/new", "limit=100"), 2);
	cr_expect_eq(fake_count(fake, "/r/meshnet/new", "after=t3_p00051"), 1);
	char *auth = fake_request_header(fake, 0, "Authorization");
	cr_expect_str_eq(auth, "Basic ZmFrZS1jbGllbnQ6ZmFrZS1zZWNyZXQ=");
	free(auth);
	auth = fake_request_header(fake, 1, "Authorization");
	cr_expect_str_eq(auth, "bearer fake-token-1");
	free(auth);
	char *ua = fake_request_header(fake, 1, "User-Agent");
	cr_expect(ua && strstr(ua, "ideatriage/0.1"));
	free(ua);
	run_free(&r);
	/* three new posts: one request, three mentions, the token reused */
	fake_reddit_add(fake, "meshnet", 3, NULL, NULL);
	fake_reset_requests(fake);
	cr_assert_eq(run_once(c, &cursor, &r), 3, "%s", r.err.msg);
	cr_expect_eq(fake_nrequests(fake), 1);
	cr_expect(item(&r, "t3_p00153") && item(&r, "t3_p00151") && !item(&r, "t3_p00150"));
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, reddit_expired_token_is_refreshed_once)
{
	fake_reddit_add(fake, "tok", 5, NULL, NULL);
	struct connector *c = reddit("[\"tok\"]");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 5);
	run_free(&r);
	fake_reddit_add(fake, "tok", 2, NULL, NULL);
	fake_fault(fake, FAULT_TOKEN_401, 1, 0, 0);
	cr_assert_eq(run_once(c, &cursor, &r), 2, "%s", r.err.msg);
	cr_expect_eq(fake_count(fake, "/api/v1/access_token", NULL), 2);
	cr_expect_eq(fake_count_status(fake, "/r/tok/new", 401), 1);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, reddit_wrong_credentials_fail_clearly)
{
	fake_reddit_add(fake, "creds", 2, NULL, NULL);
	cfg.reddit_client_secret = "wrong";
	struct connector *c = reddit("[\"creds\"]");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect(strstr(r.err.msg, "refused the client credentials"), "%s", r.err.msg);
	cr_expect(!strstr(r.err.msg, "wrong"), "the secret is never in a message");
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, reddit_keyword_and_flair_filter_and_removed_posts)
{
	fake_reddit_add(fake, "filt", 4, "Feature Request", "zebrafish");
	fake_reddit_add(fake, "filt", 3, NULL, "zebrafish");
	fake_reddit_add(fake, "filt", 5, "Feature Request", NULL);
	fake_reddit_remove(fake, "filt", 1);
	struct connector *c =
	    reddit("[{\"name\": \"filt\", \"keywords\": [\"ZebraFish\"], \"flairs\": [\"feature request\"]}]");
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), 4, "%s", r.err.msg);
	cr_expect_eq(r.skipped, 8);
	json_t *removed = item(&r, "t3_p00002");
	cr_assert(removed);
	cr_expect(json_is_true(json_object_get(removed, "deleted")));
	cr_expect_eq(r.deleted, 1);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, reddit_rate_limit)
{
	fake_reddit_add(fake, "slow", 2, NULL, NULL);
	struct connector *c = reddit("[\"slow\"]");
	fake_fault(fake, FAULT_RATE_429, 1, 3, 0);
	char *cursor = NULL;
	struct run r;
	cr_assert_eq(run_once(c, &cursor, &r), -1);
	cr_expect_eq(r.retry, 3);
	run_free(&r);
	free(cursor);
	connector_free(c);
}

Test(connectors, unconfigured_connectors_say_so)
{
	cfg.github_nrepos = 0;
	struct err err = {0};
	struct connector *c = connector_new("github", &cfg, &err);
	cr_assert(c);
	cr_expect_not(connector_configured(c));
	connector_free(c);
	cr_expect_null(connector_new("gitlab", &cfg, &err));
	cr_expect(strstr(err.msg, "unknown connector"));
	cfg.reddit_subreddits = "[\"no spaces allowed\"]";
	cr_expect_null(connector_new("reddit", &cfg, &err));
	cr_expect(strstr(err.msg, "subreddit name"), "%s", err.msg);
}
