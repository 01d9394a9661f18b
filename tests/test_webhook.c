/* The GitHub webhook end to end: signatures, redelivery, event ordering,
 * comments as demand, deletions, and nothing lost when the server is killed
 * in the middle of a burst. Payloads are GitHub-shaped fixtures. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "support.h"

#define SECRET "It's a Secret to Everybody"

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;

static void start(void)
{
	conninfo = testdb_create("webhook");
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

TestSuite(webhook, .init = start, .fini = stop, .timeout = 120);

static char *fixture(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/github/%s.json", TEST_SOURCE_DIR, name);
	char *s = test_read_file(path);
	cr_assert(s, "missing fixture %s", path);
	return s;
}

static long deliver(const char *event, const char *fixture_name, const char *delivery)
{
	char *body = fixture(fixture_name);
	struct tresp *r = send_webhook(srv->url, SECRET, event, delivery, body, strlen(body));
	long st = r ? r->status : 0;
	if (r && st != 200)
		cr_log_warn("%s: %ld %s", fixture_name, st, r->body);
	tresp_free(r);
	free(body);
	return st;
}

/* The X-Hub-Signature-256 value GitHub sends for body: HMAC-SHA256 with the
 * configured secret, computed here rather than by send_webhook so a test can
 * sign one body and send another. */
static void hub_signature(const char *body, char out[100])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, strlen(body), md, &mdlen);
	int n = snprintf(out, 100, "sha256=");
	for (unsigned int i = 0; i < mdlen; i++)
		n += snprintf(out + n, (size_t)(100 - n), "%02x", md[i]);
}

/* An issues event with the given signature header value, whatever the body. */
static struct tresp *post_signed(const char *sig, const char *delivery, const char *body)
{
	char url[256], sigh[128], dh[128];
	snprintf(url, sizeof(url), "%s/webhooks/github", srv->url);
	snprintf(sigh, sizeof(sigh), "X-Hub-Signature-256: %s", sig);
	snprintf(dh, sizeof(dh), "X-GitHub-Delivery: %s", delivery);
	const char *h[] = {"Content-Type: application/json", "X-GitHub-Event: issues", dh, sigh, NULL};
	return http_do("POST", url, h, body, strlen(body));
}

/* s with every occurrence of from replaced by to (a fixture varied in place). */
static char *replaced(char *s, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	for (const char *p = s; (p = strstr(p, from)); p += fl)
		n++;
	char *out = malloc(strlen(s) + n * tl + 1), *o = out;
	const char *p = s, *q;
	while ((q = strstr(p, from))) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	strcpy(o, p);
	free(s);
	return out;
}

static long deliver_body(const char *event, const char *delivery, const char *body)
{
	struct tresp *r = send_webhook(srv->url, SECRET, event, delivery, body, strlen(body));
	long st = r ? r->status : 0;
	if (r && st != 200)
		cr_log_warn("%s: %ld %s", delivery, st, r->body);
	tresp_free(r);
	return st;
}

static char *requesters(void)
{
	return testdb_value(pg, "SELECT requesters FROM ideas");
}

Test(webhook, an_opened_issue_becomes_a_public_community_mention)
{
	cr_expect_eq(deliver("issues", "issues_opened", "d-1"), 200);
	cr_expect_eq(testdb_count(pg, "mentions WHERE source = 'github'"
				      " AND external_id = 'meshwork/meshd#412' AND is_public"
				      " AND title = 'Per-app split tunneling on macOS and Windows'"),
		     1);
	cr_expect_eq(testdb_count(pg, "ideas"), 1);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries WHERE delivery_id = 'd-1'"), 1);
}

Test(webhook, a_redelivery_is_a_no_op)
{
	cr_expect_eq(deliver("issues", "issues_opened", "same-id"), 200);
	char *body = fixture("issues_opened");
	struct tresp *r = send_webhook(srv->url, SECRET, "issues", "same-id", body, strlen(body));
	cr_expect_eq(r->status, 200);
	json_t *j = tresp_json(r);
	cr_expect(json_is_true(json_object_get(j, "duplicate")), "%s", r->body);
	json_decref(j);
	tresp_free(r);
	free(body);
	cr_expect_eq(testdb_count(pg, "mentions"), 1);
	cr_expect_eq(testdb_count(pg, "mention_links"), 1);
}

Test(webhook, bad_or_missing_signatures_are_refused_and_write_nothing)
{
	char *body = fixture("issues_opened");
	struct tresp *r = send_webhook(srv->url, NULL, "issues", "x-1", body, strlen(body));
	cr_expect(tresp_is_problem(r, 401));
	tresp_free(r);
	r = send_webhook(srv->url, "wrong secret", "issues", "x-2", body, strlen(body));
	cr_expect(tresp_is_problem(r, 401));
	tresp_free(r);
	/* a valid signature over different bytes: signed as sent, then one byte of
	 * the body changed on the way */
	char *tampered = strdup(body);
	tampered[strlen(tampered) / 2] ^= 1;
	char sig[100];
	hub_signature(body, sig);
	r = post_signed(sig, "x-3", tampered);
	cr_expect(tresp_is_problem(r, 401), "a signature of the original body must not pass for a changed one");
	tresp_free(r);
	/* the same signature over the bytes it was made for is accepted: the 401
	 * above is about the body, not a badly built header */
	r = post_signed(sig, "ok-1", body);
	cr_expect_eq(r ? r->status : 0, 200, "%s", r ? r->body : "");
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), 1);
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'meshwork/meshd#412'"), 1);
	snprintf(sig, sizeof(sig), "sha256=%064d", 0);
	r = post_signed(sig, "x-4", tampered);
	cr_expect(tresp_is_problem(r, 401), "an all-zero signature");
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries WHERE delivery_id LIKE 'x-%'"), 0);
	free(tampered);
	free(body);
}

Test(webhook, malformed_payloads_and_missing_headers_get_400s)
{
	const char *bad = "{\"action\": \"opened\", \"issue\": ";
	struct tresp *r = send_webhook(srv->url, SECRET, "issues", "m-1", bad, strlen(bad));
	cr_expect(tresp_is_problem(r, 400), "truncated JSON");
	tresp_free(r);
	const char *nonum = "{\"action\": \"opened\", \"repository\": {\"full_name\": \"a/b\"},"
			    " \"issue\": {\"title\": \"x\"}}";
	r = send_webhook(srv->url, SECRET, "issues", "m-2", nonum, strlen(nonum));
	cr_expect(tresp_is_problem(r, 400), "missing fields");
	json_t *j = tresp_json(r);
	cr_expect(json_string_value(json_object_get(j, "field")) != NULL, "names the field: %s",
		  r ? r->body : "");
	json_decref(j);
	tresp_free(r);
	const char *badutf = "{\"zen\": \"\xc3\x28\"}";
	r = send_webhook(srv->url, SECRET, "ping", "m-3", badutf, strlen(badutf));
	cr_expect(tresp_is_problem(r, 400), "invalid UTF-8");
	tresp_free(r);
	r = send_webhook(srv->url, SECRET, "ping", "", "{}", 2);
	cr_expect(tresp_is_problem(r, 400), "no delivery id");
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "mentions"), 0);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries"), 0);
}

Test(webhook, ping_other_events_and_pull_requests_are_acknowledged_and_ignored)
{
	cr_expect_eq(deliver("ping", "ping", "p-1"), 200);
	cr_expect_eq(deliver("star", "star_created", "p-2"), 200);
	cr_expect_eq(deliver("issue_comment", "issue_comment_on_pr", "p-3"), 200);
	cr_expect_eq(testdb_count(pg, "mentions"), 0, "pull requests are not ideas");
}

Test(webhook, comments_are_demand_from_each_commenter_once_never_new_ideas)
{
	cr_expect_eq(deliver("issues", "issues_opened", "c-1"), 200);
	char *r = requesters();
	cr_expect_str_eq(r, "1", "the author alone");
	free(r);
	cr_expect_eq(deliver("issue_comment", "issue_comment_created", "c-2"), 200);
	r = requesters();
	cr_expect_str_eq(r, "2", "the author and one commenter");
	free(r);
	/* a second comment by the same person (tkovacs) is more mentions, not more
	 * requesters */
	char *again = replaced(fixture("issue_comment_created"), "2011223344", "2011227777");
	cr_expect_eq(deliver_body("issue_comment", "c-3", again), 200);
	cr_expect_eq(testdb_count(pg, "mentions WHERE kind = 'comment'"), 2, "two comments stored");
	r = requesters();
	cr_expect_str_eq(r, "2", "the same commenter twice counts once");
	free(r);
	/* a third comment, by someone else, is a new requester */
	char *other = replaced(replaced(fixture("issue_comment_created"), "2011223344", "2011229999"),
			       "tkovacs", "netops-jules");
	other = replaced(other, "5810244", "5810255");
	cr_expect_eq(deliver_body("issue_comment", "c-4", other), 200);
	r = requesters();
	cr_expect_str_eq(r, "3", "the author and two distinct commenters");
	free(r);
	cr_expect_eq(deliver("issue_comment", "issue_comment_edited", "c-5"), 200);
	cr_expect_eq(testdb_count(pg, "ideas"), 1, "a comment never makes an idea");
	cr_expect_eq(testdb_count(pg, "mentions WHERE kind = 'comment'"), 3,
		     "an edit updates the comment in place");
	/* a deleted comment stops counting: netops-jules's only one */
	cr_expect_eq(deliver("issue_comment", "issue_comment_deleted", "c-6"), 200);
	cr_expect_eq(testdb_count(pg, "mentions WHERE kind = 'comment' AND deleted"), 1);
	r = requesters();
	cr_expect_str_eq(r, "2", "netops-jules's deleted comment no longer counts");
	free(r);
	free(again);
	free(other);
}

Test(webhook, an_older_event_never_overwrites_a_newer_state)
{
	cr_expect_eq(deliver("issues", "issues_opened", "o-1"), 200);
	cr_expect_eq(deliver("issues", "issues_edited", "o-2"), 200);
	char *t = testdb_value(pg, "SELECT title FROM mentions WHERE external_id = 'meshwork/meshd#412'");
	cr_expect_str_eq(t, "Per-app split tunnelling (macOS, Windows)");
	free(t);
	/* the comment's payload carries the issue as it was before the edit */
	cr_expect_eq(deliver("issue_comment", "issue_comment_created", "o-3"), 200);
	t = testdb_value(pg, "SELECT title FROM mentions WHERE external_id = 'meshwork/meshd#412'");
	cr_expect_str_eq(t, "Per-app split tunnelling (macOS, Windows)", "an older state won");
	free(t);
	t = testdb_value(pg, "SELECT title FROM ideas");
	cr_expect_str_eq(t, "Per-app split tunnelling (macOS, Windows)",
			 "the idea follows its first mention's edits");
	free(t);
}

Test(webhook, a_deleted_issue_stops_counting_as_demand)
{
	cr_expect_eq(deliver("issues", "issues_deleted", "del-1"), 200);
	cr_expect_eq(testdb_count(pg, "mentions WHERE deleted"), 1);
	char *req = testdb_value(pg, "SELECT requesters FROM ideas");
	cr_expect_str_eq(req, "0");
	free(req);
}

Test(webhook, with_no_secret_configured_every_delivery_is_refused)
{
	char *ci = testdb_create("webhook_nosecret");
	struct tserver *s = tserver_start(ci, NULL, NULL);
	char *body = fixture("issues_opened");
	struct tresp *r = send_webhook(s->url, "", "issues", "n-1", body, strlen(body));
	cr_expect(tresp_is_problem(r, 401));
	cr_expect(strstr(r->body, "GITHUB_WEBHOOK_SECRET"), "%s", r->body);
	tresp_free(r);
	free(body);
	tserver_stop(s, SIGTERM);
	free(ci);
}

/* A burst of deliveries, each a distinct new issue, while the server is
 * SIGKILLed part-way: every delivery answered 2xx is in the database, and
 * redelivering all of them lands each exactly once. */
Test(webhook, nothing_acknowledged_is_lost_when_the_server_is_killed, .timeout = 180)
{
	enum { N = 120 };
	char *tmpl = fixture("issues_opened");
	json_t *base = json_loads(tmpl, 0, NULL);
	free(tmpl);
	cr_assert(base);
	char *bodies[N];
	bool acked[N];
	for (int i = 0; i < N; i++) {
		json_t *j = json_deep_copy(base);
		json_t *issue = json_object_get(j, "issue");
		json_object_set_new(issue, "number", json_integer(5000 + i));
		char title[100];
		snprintf(title, sizeof(title), "Burst idea number %d about exit nodes", i);
		json_object_set_new(issue, "title", json_string(title));
		bodies[i] = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		acked[i] = false;
	}
	json_decref(base);
	pid_t victim = srv->pid;
	int killed_at = N / 3;
	for (int i = 0; i < N; i++) {
		if (i == killed_at)
			kill(victim, SIGKILL);
		char id[32];
		snprintf(id, sizeof(id), "burst-%d", i);
		struct tresp *r =
		    send_webhook(srv->url, SECRET, "issues", id, bodies[i], strlen(bodies[i]));
		acked[i] = r && r->status >= 200 && r->status < 300;
		tresp_free(r);
	}
	tserver_stop(srv, SIGKILL);
	srv = NULL;
	int nacked = 0;
	for (int i = 0; i < N; i++) {
		char where[200];
		snprintf(where, sizeof(where), "mentions WHERE external_id = 'meshwork/meshd#%d'",
			 5000 + i);
		if (acked[i]) {
			nacked++;
			cr_expect_eq(testdb_count(pg, where), 1, "acknowledged delivery %d lost", i);
		}
	}
	cr_expect_geq(nacked, killed_at - 1, "the deliveries before the kill were answered");
	cr_expect_lt(nacked, N, "the kill happened mid-burst");

	/* GitHub redelivers everything: each lands exactly once */
	srv = tserver_start(conninfo, NULL, "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}");
	for (int i = 0; i < N; i++) {
		char id[32];
		snprintf(id, sizeof(id), "burst-%d", i);
		struct tresp *r =
		    send_webhook(srv->url, SECRET, "issues", id, bodies[i], strlen(bodies[i]));
		cr_expect(r && r->status == 200, "redelivery %d: %ld", i, r ? r->status : 0);
		tresp_free(r);
		free(bodies[i]);
	}
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id LIKE 'meshwork/meshd#5%'"), N);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries WHERE delivery_id LIKE 'burst-%'"), N);
}
