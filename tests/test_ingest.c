/* The triage engine inside the ingest pipeline, against a real PostgreSQL:
 * cross-source deduplication, explicit links, suggestions, classification
 * with overrides that survive rescoring, and breakdowns that explain scores. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "db/retrieval.h"
#include "intake/dedup/fresh.h"
#include "intake/dedup/match.h"
#include "intake/ingest/ingest.h"
#include "intake/ingest/parts.h"
#include "intake/ingest/rescore.h"
#include "intake/ingest/prep.h"
#include "intake/triage_ctx.h"
#include "triage/similar.h"
#include "support.h"

static char *conninfo;
static PGconn *pg;
static struct triage_rules *rules;
static struct triage_ctx tc;
/* the transaction of the test at hand (one at a time) */
static struct ingest_tx tx;

static void start(void)
{
	conninfo = testdb_create("triage");
	pg = testdb_connect(conninfo);
	/* migrate through the binary, as an operator would */
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"migrate", NULL};
	cr_assert_eq(run_cli(NULL, envs, argv, NULL), 0);
	struct err err = {0};
	char path[512];
	snprintf(path, sizeof(path), "%s/../config/scoring.json", TEST_SOURCE_DIR);
	rules = triage_rules_load(path, &err);
	cr_assert(rules, "%s", err.msg);
	cr_assert_eq(triage_ctx_init(&tc, rules, &err), 0, "%s", err.msg);
}

static void stop(void)
{
	triage_ctx_cleanup(&tc);
	triage_rules_free(rules);
	PQfinish(pg);
	free(conninfo);
}

TestSuite(triage, .init = start, .fini = stop, .timeout = 120);

static struct ingest_result ingest(enum source src, const char *ext, const char *author,
				   enum author_kind kind, const char *title, const char *body)
{
	struct mention m;
	mention_init(&m);
	m.source = src;
	m.external_id = strdup(ext);
	m.author = strdup(author);
	m.author_kind = kind;
	m.title = strdup(title ? title : "");
	m.body = strdup(body ? body : "");
	m.is_public = src == SRC_GITHUB || src == SRC_REDDIT;
	if (src == SRC_SALES) {
		m.account = strdup(author);
		m.arr = 250000;
	}
	struct ingest_result r;
	struct err err = {0};
	int rc = ingest_mention(pg, &tc, &m, "triage", &r, &err);
	mention_clear(&m);
	cr_assert_eq(rc, 0, "ingest %s: %s", ext, err.msg);
	return r;
}

static struct ingest_result comment(const char *parent, const char *ext, const char *author)
{
	struct mention m;
	mention_init(&m);
	m.source = SRC_GITHUB;
	m.kind = MENTION_COMMENT;
	m.external_id = strdup(ext);
	m.parent_external_id = strdup(parent);
	m.author = strdup(author);
	m.author_kind = AUTHOR_COMMUNITY;
	m.body = strdup("+1, we need this too");
	m.is_public = true;
	struct ingest_result r;
	struct err err = {0};
	cr_assert_eq(ingest_mention(pg, &tc, &m, "triage", &r, &err), 0, "%s", err.msg);
	mention_clear(&m);
	return r;
}

static char *idea_field(int64_t id, const char *col)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT %s FROM ideas WHERE id = %lld", col, (long long)id);
	return testdb_value(pg, sql);
}

static bool suggested(int64_t idea, int64_t other)
{
	char where[200];
	/* stored once per pair, from the newer idea */
	snprintf(where, sizeof(where),
		 "idea_similar WHERE (idea_id = %lld AND other_id = %lld) OR (idea_id = %lld AND other_id = %lld)",
		 (long long)idea, (long long)other, (long long)other, (long long)idea);
	return testdb_count(pg, where) == 1;
}

Test(triage, the_same_request_from_three_sources_is_folded_or_offered)
{
	struct ingest_result gh = ingest(SRC_GITHUB, "meshco/mesh#101", "octo", AUTHOR_COMMUNITY,
					 "Workload identity for GitHub Actions (OIDC)",
					 "Our CI jobs need to join the tailnet without long-lived auth "
					 "keys. GitHub Actions can mint OIDC tokens; please accept them "
					 "as workload identity.");
	struct ingest_result rd = ingest(SRC_REDDIT, "t3_abc1", "ci_wrangler", AUTHOR_COMMUNITY,
					 "OIDC workload identity for GitHub Actions runners?",
					 "Is there a way for GitHub Actions jobs to authenticate with "
					 "their OIDC token instead of storing an auth key secret?");
	struct ingest_result sn = ingest(SRC_SALES, "crm-9001", "Globex", AUTHOR_CUSTOMER,
					 "Platform team wants GitHub Actions OIDC workload identity",
					 "Platform team wants GitHub Actions OIDC workload identity, no "
					 "long-lived auth keys in CI. Renewal blocker.");
	cr_expect(rd.idea_id == gh.idea_id || suggested(rd.idea_id, gh.idea_id),
		  "the Reddit post neither joined nor was offered the GitHub issue");
	cr_expect(sn.idea_id == gh.idea_id || sn.idea_id == rd.idea_id ||
		      suggested(sn.idea_id, gh.idea_id),
		  "the sales note neither joined nor was offered the GitHub issue");
	/* an unrelated request stays apart */
	struct ingest_result other = ingest(SRC_EMPLOYEE, "emp-1", "Priya", AUTHOR_EMPLOYEE,
					    "Dark mode for the admin console",
					    "Night-shift support staff would love a dark theme.");
	cr_expect_neq(other.idea_id, gh.idea_id);
	cr_expect_not(other.merged);
	cr_expect_not(suggested(other.idea_id, gh.idea_id));
}

Test(triage, an_exact_restatement_from_another_source_auto_merges_with_evidence)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#7", "lena", AUTHOR_COMMUNITY,
					"Per-app split tunneling on macOS",
					"Route only selected apps through the tailnet on macOS.");
	struct ingest_result b = ingest(SRC_EMPLOYEE, "emp-7", "Sam", AUTHOR_EMPLOYEE,
					"Per-app split tunnelling on macOS",
					"Customers ask to route only selected apps through the tailnet.");
	cr_expect(b.merged);
	cr_expect_eq(b.idea_id, a.idea_id);
	cr_expect_str_eq(b.method, "auto_merge");
	cr_expect_geq(b.similarity, rules->dedup.auto_merge);
	char where[200];
	snprintf(where, sizeof(where),
		 "mention_links WHERE mention_id = %lld AND method = 'auto_merge'"
		 " AND evidence ? 'shared' AND similarity > 0",
		 (long long)b.mention_id);
	cr_expect_eq(testdb_count(pg, where), 1, "the link records method, similarity, evidence");
	char *req = idea_field(a.idea_id, "requesters");
	char *src = idea_field(a.idea_id, "source_count");
	cr_expect_str_eq(req, "2");
	cr_expect_str_eq(src, "2");
	free(req);
	free(src);
}

Test(triage, explicit_links_win_over_wording)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#12", "ana", AUTHOR_COMMUNITY,
					"Tray icon for the Linux app", "A systray icon please.");
	struct ingest_result b = ingest(SRC_GITHUB, "meshco/mesh#40", "bo", AUTHOR_COMMUNITY,
					"Status indicator on freedesktop panels",
					"Something in the notification area.\n\nDuplicate of #12");
	cr_expect_eq(b.idea_id, a.idea_id, "'Duplicate of #12' must join #12's idea");
	cr_expect_str_eq(b.method, "explicit_link");
	struct ingest_result c = comment("meshco/mesh#40", "meshco/mesh#40/comments/1", "cy");
	cr_expect_eq(c.idea_id, a.idea_id, "a comment joins its post's idea");
	cr_expect_eq(testdb_count(pg, "ideas"), 1);
}

Test(triage, many_comments_by_one_person_count_once)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#50", "loud", AUTHOR_COMMUNITY,
					"Custom DERP region picker", "Let me pick the relay region.");
	for (int i = 0; i < 50; i++) {
		char ext[64];
		snprintf(ext, sizeof(ext), "meshco/mesh#50/comments/%d", i);
		comment("meshco/mesh#50", ext, "loud");
	}
	char *req = idea_field(a.idea_id, "requesters");
	cr_expect_str_eq(req, "1", "fifty comments by the author are one requester");
	free(req);
	struct ingest_result b = ingest(SRC_GITHUB, "meshco/mesh#51", "quiet", AUTHOR_COMMUNITY,
					"Colour labels for machines", "Let me colour-code machines in the list.");
	/* five other people ask for b once each */
	for (int i = 0; i < 5; i++) {
		char ext[64], who[32];
		snprintf(ext, sizeof(ext), "meshco/mesh#51/comments/%d", i);
		snprintf(who, sizeof(who), "customer-%d", i);
		comment("meshco/mesh#51", ext, who);
	}
	char *sa = idea_field(a.idea_id, "score"), *sb = idea_field(b.idea_id, "score");
	cr_expect_gt(atof(sb), atof(sa), "6 distinct requesters (%s) must outrank 1 loud one (%s)",
		     sb, sa);
	free(sa);
	free(sb);
}

/* The product of the stored factors is the stored score. */
static void expect_breakdown_multiplies(int64_t id)
{
	char *bd = idea_field(id, "score_breakdown::text"), *score = idea_field(id, "score");
	json_t *j = json_loads(bd, 0, NULL);
	cr_assert(j, "breakdown %s", bd);
	double prod = 1;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(j, "factors"), i, f)
	{
		cr_expect(json_is_string(json_object_get(f, "name")));
		cr_expect(json_is_string(json_object_get(f, "note")));
		prod *= json_number_value(json_object_get(f, "value"));
	}
	cr_expect_geq(json_array_size(json_object_get(j, "factors")), 5);
	cr_expect(fabs(prod - atof(score)) < 1e-4 * (1 + prod), "factors give %f, score is %s", prod,
		  score);
	json_decref(j);
	free(bd);
	free(score);
}

Test(triage, classification_overrides_survive_rescoring_and_breakdowns_explain)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#60", "kim", AUTHOR_COMMUNITY,
					"Client crashes after sleep on Windows",
					"The Windows client crashes and never reconnects after the laptop "
					"wakes from sleep.");
	char *cat = idea_field(a.idea_id, "category");
	cr_expect_str_eq(cat, "reliability");
	free(cat);
	char *rt = idea_field(a.idea_id, "runtime");
	cr_expect_str_eq(rt, "client");
	free(rt);
	expect_breakdown_multiplies(a.idea_id);

	/* a person says it is a security issue */
	char sql[200];
	snprintf(sql, sizeof(sql),
		 "UPDATE ideas SET overrides = '{\"category\": \"security\"}' WHERE id = %lld",
		 (long long)a.idea_id);
	PQclear(PQexec(pg, sql));
	comment("meshco/mesh#60", "meshco/mesh#60/comments/1", "lee");
	cat = idea_field(a.idea_id, "category");
	cr_expect_str_eq(cat, "security", "the override must survive an ingest-time rescore");
	free(cat);
	struct err err = {0};
	int n = 0;
	cr_assert_eq(ingest_begin(&tx, pg, &tc, &err), 0);
	cr_assert_eq(rescore_all(pg, &tc, NULL, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0);
	cr_expect_geq(n, 1);
	cat = idea_field(a.idea_id, "category");
	cr_expect_str_eq(cat, "security", "the override must survive `ideatriage rescore`");
	free(cat);
	expect_breakdown_multiplies(a.idea_id);
	char *prev = idea_field(a.idea_id, "prev_breakdown IS NOT NULL");
	cr_expect_str_eq(prev, "t", "the previous breakdown is kept: what changed");
	free(prev);
}

Test(triage, rescoring_everything_agrees_with_scoring_one_by_one)
{
	ingest(SRC_GITHUB, "meshco/mesh#70", "a1", AUTHOR_COMMUNITY, "High CPU on exit node",
	       "Exit node uses 100% CPU when forwarding traffic.");
	ingest(SRC_SALES, "crm-70", "Initech", AUTHOR_CUSTOMER, "SCIM provisioning with Okta",
	       "Initech needs SCIM user provisioning from Okta before rollout.");
	ingest(SRC_REDDIT, "t3_70", "r1", AUTHOR_COMMUNITY, "Kubernetes operator for services",
	       "Expose k8s services to the tailnet with an operator.");
	PGresult *before = PQexec(pg, "SELECT id, score, category, runtime FROM ideas ORDER BY id");
	struct err err = {0};
	int n;
	cr_assert_eq(ingest_begin(&tx, pg, &tc, &err), 0);
	cr_assert_eq(rescore_all(pg, &tc, NULL, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0);
	PGresult *after = PQexec(pg, "SELECT id, score, category, runtime FROM ideas ORDER BY id");
	cr_assert_eq(PQntuples(before), PQntuples(after));
	for (int i = 0; i < PQntuples(after); i++) {
		cr_expect(fabs(atof(PQgetvalue(before, i, 1)) - atof(PQgetvalue(after, i, 1))) < 1e-3,
			  "idea %s: %s vs %s", PQgetvalue(after, i, 0), PQgetvalue(before, i, 1),
			  PQgetvalue(after, i, 1));
		cr_expect_str_eq(PQgetvalue(before, i, 2), PQgetvalue(after, i, 2));
		cr_expect_str_eq(PQgetvalue(before, i, 3), PQgetvalue(after, i, 3));
	}
	PQclear(before);
	PQclear(after);
}

Test(triage, the_similar_endpoint_offers_near_matches_to_a_triager)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#80", "dee", AUTHOR_COMMUNITY,
					"Exit node selection per application",
					"Send only the browser through the exit node, everything else direct.");
	struct ingest_result b = ingest(SRC_REDDIT, "t3_80", "ed", AUTHOR_COMMUNITY,
					"App-based exit node routing?",
					"Can I pick which application uses the exit node?");
	struct tserver *s = tserver_start(conninfo, NULL, NULL);
	char *tok = test_token(conninfo, "triager", "tess");
	char *sub = test_token(conninfo, "submitter", "sam");
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld/similar", s->url, (long long)b.idea_id);
	char auth[200];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	const char *h[] = {auth, NULL};
	struct tresp *r = http_do("GET", url, h, NULL, 0);
	cr_assert(r);
	cr_expect_eq(r->status, 200, "%s", r->body);
	json_t *j = tresp_json(r);
	json_t *items = json_object_get(j, "items");
	cr_expect(json_is_null(json_object_get(j, "next")), "the best few, on one page: %s", r->body);
	if (b.idea_id != a.idea_id) {
		cr_assert(json_array_size(items) >= 1, "%s", r->body);
		json_t *top = json_array_get(items, 0);
		cr_expect_eq(json_integer_value(json_object_get(top, "idea_id")), a.idea_id);
		cr_expect(json_is_array(json_object_get(json_object_get(top, "evidence"), "shared")),
			  "evidence says which terms matched: %s", r->body);
	}
	json_decref(j);
	tresp_free(r);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", sub);
	r = http_do("GET", url, h, NULL, 0);
	cr_expect(tresp_is_problem(r, 403), "a submitter may not read internal suggestions");
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/ideas/999999/similar", s->url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	r = http_do("GET", url, h, NULL, 0);
	cr_expect(tresp_is_problem(r, 404));
	tresp_free(r);
	free(tok);
	free(sub);
	tserver_stop(s, SIGTERM);
}

static struct tresp *post_json(const char *url, const char *tok, const char *body)
{
	return http_post(url, tok, "application/json", body, body ? strlen(body) : 0);
}

Test(triage, a_person_merges_ideas_and_can_undo_it_exactly)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#90", "fay", AUTHOR_COMMUNITY,
					"Let admins pin a client version",
					"We need to hold the fleet on a known-good release.");
	comment("meshco/mesh#90", "meshco/mesh#90/comments/1", "gus");
	struct ingest_result b = ingest(SRC_SALES, "crm-90", "Umbrella", AUTHOR_CUSTOMER,
					"Client auto-update controls",
					"Umbrella IT wants to control when clients update.");
	cr_assert_neq(a.idea_id, b.idea_id);
	char *req_before = idea_field(b.idea_id, "requesters");
	struct tserver *s = tserver_start(conninfo, NULL, NULL);
	char *tok = test_token(conninfo, "triager", "tess");
	char url[256], body[64];
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld/merge", s->url, (long long)a.idea_id);
	snprintf(body, sizeof(body), "{\"into\": %lld}", (long long)b.idea_id);
	struct tresp *r = post_json(url, tok, body);
	cr_assert(r);
	cr_expect_eq(r->status, 200, "%s", r->body);
	tresp_free(r);
	char *st = idea_field(a.idea_id, "status");
	cr_expect_str_eq(st, "merged");
	free(st);
	char where[200];
	snprintf(where, sizeof(where), "idea_search WHERE idea_id = %lld AND NOT live", (long long)a.idea_id);
	cr_expect_eq(testdb_count(pg, where), 1, "a merged idea is no longer a candidate");
	snprintf(where, sizeof(where), "mentions WHERE idea_id = %lld", (long long)b.idea_id);
	cr_expect_eq(testdb_count(pg, where), 3, "every mention moved, none lost");
	cr_expect_eq(testdb_count(pg, "mentions WHERE external_id = 'meshco/mesh#90'"
				      " AND body = 'We need to hold the fleet on a known-good release.'"),
		     1, "a moved mention keeps its own text");
	char *req_after = idea_field(b.idea_id, "requesters");
	cr_expect_gt(atoi(req_after), atoi(req_before), "demand follows the mentions");
	cr_expect_eq(testdb_count(pg, "audit_log WHERE action = 'merge' AND actor = 'tess'"), 1);
	cr_expect_eq(testdb_count(pg, "mention_links WHERE method = 'person' AND superseded_at IS NULL"),
		     2);

	/* refused requests change nothing */
	r = post_json(url, tok, body);
	cr_expect(tresp_is_problem(r, 409), "merging a merged idea again");
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld/merge", s->url, (long long)b.idea_id);
	r = post_json(url, tok, "{\"into\": 999999}");
	cr_expect(tresp_is_problem(r, 404));
	tresp_free(r);
	snprintf(body, sizeof(body), "{\"into\": %lld}", (long long)b.idea_id);
	r = post_json(url, tok, body);
	cr_expect(tresp_is_problem(r, 409), "into itself");
	tresp_free(r);
	r = post_json(url, tok, "{\"into\": \"2\"}");
	cr_expect(tresp_is_problem(r, 400));
	tresp_free(r);
	char *sub = test_token(conninfo, "submitter", "sam");
	r = post_json(url, sub, body);
	cr_expect(tresp_is_problem(r, 403));
	tresp_free(r);
	free(sub);
	cr_expect_eq(testdb_count(pg, "idea_merges"), 1);

	/* undo */
	snprintf(url, sizeof(url), "%s/api/v1/ideas/%lld/unmerge", s->url, (long long)a.idea_id);
	r = post_json(url, tok, NULL);
	cr_expect_eq(r ? r->status : 0, 200, "%s", r ? r->body : "");
	tresp_free(r);
	st = idea_field(a.idea_id, "status");
	cr_expect_str_eq(st, "new");
	free(st);
	snprintf(where, sizeof(where), "idea_search WHERE idea_id = %lld AND live", (long long)a.idea_id);
	cr_expect_eq(testdb_count(pg, where), 1, "and a candidate again once undone");
	snprintf(where, sizeof(where), "mentions WHERE idea_id = %lld", (long long)a.idea_id);
	cr_expect_eq(testdb_count(pg, where), 2, "the merge is undone exactly");
	char *req_back = idea_field(b.idea_id, "requesters");
	cr_expect_str_eq(req_back, req_before);
	cr_expect_eq(testdb_count(pg, "audit_log WHERE action = 'unmerge'"), 1);
	r = post_json(url, tok, NULL);
	cr_expect(tresp_is_problem(r, 409), "nothing left to undo");
	tresp_free(r);
	free(req_before);
	free(req_after);
	free(req_back);
	free(tok);
	tserver_stop(s, SIGTERM);
}

/* The titles' trigram similarity is computed in C, not by the database: it
 * must agree with pg_trgm's similarity() on the same match keys. */
Test(triage, trigram_similarity_agrees_with_pg_trgm)
{
	static const char *const pairs[][2] = {
	    {"per app exit nodes", "per app exit node routing"},
	    {"systray widget for freedesktop environments", "tray icon for the linux app"},
	    {"dark mode", "dark mode"},
	    {"a", "b"},
	    {"sso with okta and azure ad", "okta sso"},
	    {"k8s operator 2 0 crashes on arm64", "kubernetes operator crash arm64"},
	    {"x", ""},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *p[] = {pairs[i][0], pairs[i][1]};
		PGresult *r = PQexecParams(pg, "SELECT similarity($1, $2)", 2, NULL, p, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(pg));
		double want = atof(PQgetvalue(r, 0, 0));
		PQclear(r);
		double got = trigram_similarity(pairs[i][0], pairs[i][1]);
		cr_expect(fabs(got - want) < 1e-6, "'%s' ~ '%s': pg_trgm %.6f, ours %.6f", pairs[i][0],
			  pairs[i][1], want, got);
	}
	/* beyond ASCII pg_trgm follows the server's locale; ours keeps accented
	 * letters as letters, whatever the locale */
	cr_expect_float_eq(trigram_similarity("caf\xc3\xa9", "caf\xc3\xa9"), 1.0, 1e-9);
	cr_expect_lt(trigram_similarity("caf\xc3\xa9", "cafe"), 0.5);
}

/* ---- the many-at-once ingest decides exactly as the one-at-a-time one ---- */

static void load_set(struct mention **out, int *n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/data/dedup/pairs.json", TEST_SOURCE_DIR);
	json_t *d = json_load_file(path, 0, NULL);
	cr_assert(d, "pairs.json");
	json_t *pairs = json_object_get(d, "pairs"), *dis = json_object_get(d, "distractors");
	size_t cap = 2 * json_array_size(pairs) + json_array_size(dis) + 8;
	struct mention *ms = calloc(cap, sizeof(*ms));
	int k = 0;
	/* originals and distractors first, then the duplicates: as they arrived */
	json_t *lists[3] = {NULL, dis, NULL};
	for (int pass = 0; pass < 3; pass++) {
		size_t count = pass == 1 ? json_array_size(dis) : json_array_size(pairs);
		for (size_t i = 0; i < count; i++) {
			json_t *it = pass == 1 ? json_array_get(lists[1], i)
					       : json_object_get(json_array_get(pairs, i),
								 pass == 0 ? "original" : "duplicate");
			struct mention *m = &ms[k++];
			mention_init(m);
			m->source = SRC_EMPLOYEE;
			char ext[200];
			snprintf(ext, sizeof(ext), "eq-%s#%lld", json_string_value(json_object_get(it, "repo")),
				 (long long)json_integer_value(json_object_get(it, "number")));
			m->external_id = strdup(ext);
			m->author = strdup(ext + 3);
			m->author_kind = AUTHOR_EMPLOYEE;
			m->title = strdup(json_string_value(json_object_get(it, "title")));
			const char *body = json_string_value(json_object_get(it, "body"));
			m->body = strdup(body ? body : "");
		}
	}
	/* a post seen twice (an update), and a comment on an earlier post */
	struct mention *again = &ms[k++];
	mention_init(again);
	again->source = SRC_EMPLOYEE;
	again->external_id = strdup(ms[3].external_id);
	again->author = strdup(ms[3].author);
	again->author_kind = AUTHOR_EMPLOYEE;
	again->title = strdup(ms[3].title);
	again->body = strdup("edited: the same request, said again");
	again->updated_at = 2000000000;
	json_decref(d);
	*out = ms;
	*n = k;
}

/* ext -> idea id for every mention, and each mention's link method. */
static json_t *outcome(PGconn *c)
{
	PGresult *r = PQexec(c, "SELECT m.external_id, m.idea_id, l.method FROM mentions m"
				" JOIN mention_links l ON l.mention_id = m.id AND l.superseded_at IS NULL"
				" ORDER BY m.external_id");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
	json_t *o = json_object();
	for (int i = 0; i < PQntuples(r); i++)
		json_object_set_new(o, PQgetvalue(r, i, 0),
				    json_pack("{sI ss}", "idea", (json_int_t)atoll(PQgetvalue(r, i, 1)),
					      "method", PQgetvalue(r, i, 2)));
	PQclear(r);
	return o;
}

static PGconn *fresh_db(const char *name)
{
	char *ci = testdb_create(name);
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", ci);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"migrate", NULL};
	cr_assert_eq(run_cli(NULL, envs, argv, NULL), 0);
	PGconn *c = testdb_connect(ci);
	free(ci);
	return c;
}

/* How many of the decisions in a and b (outcome()) differ: a mention's
 * method, or whether two mentions share an idea. */
static int differences(json_t *a, json_t *b)
{
	cr_assert_eq(json_object_size(a), json_object_size(b));
	const char *k1, *k2;
	json_t *v1, *v2;
	int differ = 0;
	json_object_foreach(a, k1, v1)
	{
		json_t *w1 = json_object_get(b, k1);
		cr_assert(w1, "%s missing", k1);
		if (strcmp(json_string_value(json_object_get(v1, "method")),
			   json_string_value(json_object_get(w1, "method"))) != 0) {
			differ++;
			cr_log_error("%s: %s one at a time, %s at once", k1,
				     json_string_value(json_object_get(v1, "method")),
				     json_string_value(json_object_get(w1, "method")));
		}
		json_object_foreach(a, k2, v2)
		{
			bool same1 = json_integer_value(json_object_get(v1, "idea")) ==
				     json_integer_value(json_object_get(v2, "idea"));
			json_t *w2 = json_object_get(b, k2);
			bool same2 = json_integer_value(json_object_get(w1, "idea")) ==
				     json_integer_value(json_object_get(w2, "idea"));
			if (same1 != same2)
				differ++;
		}
	}
	return differ;
}

/* Ingests ms[0..n) at once into a new database name, in groups and windows
 * of the sizes given (0: the defaults). */
static PGconn *ingest_at_once(const char *name, struct mention *ms, int n, int group, int window)
{
	PGconn *c = fresh_db(name);
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	struct ingest_result *res = calloc((size_t)n, sizeof(*res));
	int failed = -1;
	ingest_many_sizes(group, window);
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	int rc = ingest_many(&tx, ms, n, "triage", res, &failed, &err);
	ingest_many_sizes(0, 0);
	cr_assert_eq(rc, 0, "%d: %s", failed, err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	cr_expect_eq(res[n - 1].outcome, INGEST_UPDATED, "the repeat took the one-at-a-time path");
	for (int i = 0; i < n - 1; i++)
		cr_expect_gt(res[i].mention_id, 0, "%d: its mention's id is known", i);
	/* the ideas founded at once got their full-text entries at commit, each
	 * a copy of its idea */
	cr_expect_null(tx.dedup.fresh, "the transaction's index is gone with it");
	cr_expect_eq(testdb_count(c, "ideas"),
		     testdb_count(c, "idea_search s JOIN ideas i ON i.id = s.idea_id"
				     " WHERE s.all_terms = i.all_terms AND s.title_terms = i.title_terms"
				     " AND s.norm_title = i.norm_title AND s.live"
				     " AND s.search = array_to_tsvector(i.all_terms)"));
	cr_expect_eq(testdb_count(c, "idea_search WHERE NOT tsvector_to_array(rare) <@"
				     " tsvector_to_array(search)"),
		     0, "an idea's rare terms are some of its terms");
	cr_expect_gt(testdb_count(c, "idea_search WHERE rare <> ''::tsvector"), 0);
	/* the same mentions again: all known, nothing added */
	long ideas = testdb_count(c, "ideas"), mentions = testdb_count(c, "mentions");
	ingest_many_sizes(group, window);
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	rc = ingest_many(&tx, ms, n, "triage", res, &failed, &err);
	ingest_many_sizes(0, 0);
	cr_assert_eq(rc, 0, "%d: %s", failed, err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	int added = 0;
	for (int i = 0; i < n; i++)
		added += res[i].outcome == INGEST_NEW;
	cr_expect_eq(added, 0);
	cr_expect_eq(testdb_count(c, "ideas"), ideas);
	cr_expect_eq(testdb_count(c, "mentions"), mentions);
	free(res);
	triage_ctx_cleanup(&t);
	return c;
}

/* The many-at-once ingest takes the decisions one at a time would: with
 * its default sizes (one window of two groups, written in pipeline mode)
 * and with small ones (windows of 100 in groups of 40: the next window
 * normalised while one is written, ideas founded in an earlier window
 * found in memory, a repeat of an earlier window's mention). */
Test(triage, ingesting_many_at_once_decides_as_one_at_a_time)
{
	struct mention *ms;
	int n;
	load_set(&ms, &n);
	PGconn *one = fresh_db("triage_one");
	struct triage_ctx t1;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t1, rules, &err), 0);
	cr_assert_eq(ingest_begin(&tx, one, &t1, &err), 0);
	for (int i = 0; i < n; i++) {
		struct ingest_result r;
		cr_assert_eq(ingest_one(&tx, &ms[i], "triage", &r, &err), 0, "%d: %s", i, err.msg);
	}
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	json_t *a = outcome(one);
	char *s1 = testdb_value(one, "SELECT sum(score) FROM ideas");
	struct {
		const char *db;
		int group, window;
	} runs[] = {{"triage_many", 0, 0}, {"triage_many_small", 40, 100}};
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		PGconn *many = ingest_at_once(runs[r].db, ms, n, runs[r].group, runs[r].window);
		json_t *b = outcome(many);
		int differ = differences(a, b);
		cr_expect_eq(differ, 0, "%s: %d decisions differ", runs[r].db, differ);
		/* the same scores (freshness moves with the clock between the runs) */
		char *s2 = testdb_value(many, "SELECT sum(score) FROM ideas");
		cr_expect(fabs(atof(s1) - atof(s2)) < 1e-4 * atof(s1), "%s: %s vs %s", runs[r].db, s1, s2);
		free(s2);
		json_decref(b);
		PQfinish(many);
	}
	free(s1);
	json_decref(a);
	for (int i = 0; i < n; i++)
		mention_clear(&ms[i]);
	free(ms);
	triage_ctx_cleanup(&t1);
	PQfinish(one);
}

/* The helper thread prepares exactly what the calling thread would: the
 * same terms, title and prescore, for every post not skipped; a stop
 * before everything is taken frees the rest (ASan checks the leaks). */
Test(triage, the_helper_thread_prepares_what_the_caller_would)
{
	struct mention *ms;
	int n;
	load_set(&ms, &n);
	bool *skip = calloc((size_t)n, sizeof(bool));
	for (int i = 0; i < n; i += 3)
		skip[i] = true;
	struct prep *pp = prep_start(rules, ms, n, skip);
	cr_assert(pp);
	usleep(500 * 1000); /* time for the helper to go through the set (~0.05 s) */
	int prepared = 0, scored = 0;
	for (int i = 0; i < n; i++) {
		struct prepared v;
		enum prep_taken got = prep_take(pp, i, true, &v);
		cr_assert_neq(got, PREP_BUSY, "waited for");
		if (skip[i] || ms[i].kind != MENTION_POST)
			cr_expect_eq(got, PREP_YOURS, "mention %d is not the helper's", i);
		if (got != PREP_TAKEN)
			continue;
		prepared++;
		struct match_query q;
		struct err err = {0};
		cr_assert_eq(match_normalize(&tc, &ms[i], &q, &err), 0);
		cr_expect_eq(v.q.all_toks.n, q.all_toks.n, "mention %d", i);
		for (int k = 0; k < q.all_toks.n && k < v.q.all_toks.n; k++)
			cr_expect_str_eq(v.q.all_toks.v[k], q.all_toks.v[k]);
		cr_expect_str_eq(v.q.norm_title, q.norm_title);
		cr_expect_eq(v.scored, rescore_can_prescore(&ms[i]));
		if (v.scored) {
			scored++;
			struct idea_score sc;
			cr_assert_eq(rescore_prescore(&tc, &ms[i], &sc, &err), 0);
			cr_expect_str_eq(v.sc.category, sc.category);
			/* freshness moves with the clock between the two */
			cr_expect(fabs(atof(v.sc.score) - atof(sc.score)) < 1e-6 * atof(sc.score),
				  "%s vs %s", v.sc.score, sc.score);
			idea_score_clear(&sc);
		}
		match_clear(&q);
		match_clear(&v.q);
		free(v.title);
		idea_score_clear(&v.sc);
	}
	cr_expect_gt(prepared, 0);
	cr_expect_gt(scored, 0);
	prep_stop(pp);
	/* taken at once, without waiting: each item is the helper's or the
	 * caller's, never both or neither; then stopped with most of it not
	 * taken (ASan checks nothing leaks) */
	pp = prep_start(rules, ms, n, skip);
	cr_assert(pp);
	int taken = 0, yours = 0, busy = 0;
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < n / 2; i++) {
			struct prepared v;
			enum prep_taken got = prep_take(pp, i, round == 1, &v);
			if (got == PREP_TAKEN) {
				taken++;
				match_clear(&v.q);
				free(v.title);
				idea_score_clear(&v.sc);
			}
			yours += got == PREP_YOURS;
			busy += got == PREP_BUSY;
		}
	/* the second round waits: it settles the busy ones and finds every
	 * other item already the caller's */
	cr_expect_eq(taken + yours + busy, 2 * (n / 2), "%d taken, %d yours, %d busy", taken, yours,
		     busy);
	prep_stop(pp);
	free(skip);
	for (int i = 0; i < n; i++)
		mention_clear(&ms[i]);
	free(ms);
}

/* Two restatements in one group into an empty database: every term is new
 * when the group starts, and the second must still find the first. */
Test(triage, a_group_folds_its_own_restatements_into_an_empty_database)
{
	PGconn *c = fresh_db("triage_group");
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	struct mention ms[2];
	const char *titles[] = {"Per-app split tunneling on macOS", "Per-app split tunnelling on macOS"};
	const char *bodies[] = {"Route only selected apps through the tailnet on macOS.",
				"Customers ask to route only selected apps through the tailnet."};
	for (int i = 0; i < 2; i++) {
		mention_init(&ms[i]);
		ms[i].source = SRC_SALES;
		ms[i].external_id = strdup(i ? "g-2" : "g-1");
		ms[i].author = strdup(i ? "Globex" : "Initech");
		ms[i].account = strdup(ms[i].author);
		ms[i].title = strdup(titles[i]);
		ms[i].body = strdup(bodies[i]);
	}
	struct ingest_result res[2];
	int failed = -1;
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	cr_assert_eq(ingest_many(&tx, ms, 2, "triage", res, &failed, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	cr_expect(!res[0].merged);
	cr_expect(res[1].merged, "the restatement joined the idea founded earlier in its group");
	cr_expect_eq(res[1].idea_id, res[0].idea_id);
	cr_expect_eq(testdb_count(c, "ideas"), 1);
	for (int i = 0; i < 2; i++)
		mention_clear(&ms[i]);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}

/* The similarity of a candidate depends on its terms, never on norms stored
 * when it was founded (with the idf of a smaller corpus); a candidate that
 * says the same with many more words is weighed down. */
Test(triage, similarity_uses_no_stored_norm_and_weighs_long_candidates_down)
{
	const char *q_terms[] = {"exit", "node", "per", "app"};
	double q_idf[] = {3, 3, 2, 2};
	struct sim_query q = {0};
	cr_assert_eq(termset_init(&q.title, q_terms, q_idf, 4), 0);
	cr_assert_eq(termset_init(&q.all, q_terms, q_idf, 4), 0);
	const char *same[] = {"app", "exit", "node", "per"};
	const char *longer[] = {"app", "audit", "billing", "dns", "exit", "log", "node", "per", "sso", "zone"};
	struct similar_weights w = {.all = 0.7, .title = 0.2, .trigram = 0.3, .length_exp = 0.5};
	struct sim_doc a = {.title_terms = same, .ntitle = 4, .all_terms = same, .nall = 4,
			    .title_norm = q.all.norm, .all_norm = q.all.norm, .trigram = 1};
	struct sim_doc b = a;
	b.title_norm = b.all_norm = 40; /* stored long ago, with other idf */
	struct sim_doc l = a;
	l.all_terms = longer;
	l.nall = 10;
	struct sim_result ra, rb, rl;
	similar_score(&w, &q, &a, &ra);
	similar_score(&w, &q, &b, &rb);
	similar_score(&w, &q, &l, &rl);
	cr_expect_float_eq(ra.score, 1.2, 1e-9, "the same terms and title: the top score");
	cr_expect_float_eq(rb.score, ra.score, 1e-12, "stored norms do not rank");
	cr_expect_lt(rl.cos_all, ra.cos_all);
	cr_expect_float_eq(rl.cos_all, pow(4.0 / 10.0, 0.5), 1e-9, "all shared, 10 terms for 4");
	/* a short candidate sharing the mention's heaviest terms ranks well, but
	 * its own norm counts what it says that the mention does not ("Rust
	 * SDK?" for "Official Python SDK"): not enough to join by itself */
	const char *shorter[] = {"exit", "node", "rust"};
	double s_idf[] = {3, 3, 6};
	struct termset st;
	cr_assert_eq(termset_init(&st, shorter, s_idf, 3), 0);
	struct sim_doc sh = {.title_terms = shorter, .ntitle = 3, .all_terms = shorter, .nall = 3,
			     .title_norm = st.norm, .all_norm = st.norm, .trigram = 0.5};
	struct sim_result rs;
	similar_score(&w, &q, &sh, &rs);
	cr_expect_gt(rs.score, 0.8, "coverage ranks it: %f", rs.score);
	cr_expect_lt(rs.strict, 0.6, "but it does not join alone: %f", rs.strict);
	cr_expect_float_eq(ra.strict, ra.score, 1e-12, "the same idea: both views agree");
	termset_clear(&st);
	termset_clear(&q.title);
	termset_clear(&q.all);
}

/* An issue edited upstream is matched by its new words: its idea's terms,
 * full-text entry and document frequencies follow the edit. */
Test(triage, an_edited_issue_is_matched_by_its_new_words)
{
	struct ingest_result a = ingest(SRC_GITHUB, "meshco/mesh#9100", "ola", AUTHOR_COMMUNITY,
					"Zebracorn theme for the dashboard",
					"The zebracorn palette would look great on the dashboard.");
	char *df = testdb_value(pg, "SELECT df FROM terms WHERE term = 'zebracorn'");
	cr_expect_str_eq(df, "1");
	free(df);
	struct ingest_result e = ingest(SRC_GITHUB, "meshco/mesh#9100", "ola", AUTHOR_COMMUNITY,
					"Quokkaflow routing for Android handsets",
					"Send only the quokkaflow app through an exit node on Android handsets.");
	cr_assert_eq(e.idea_id, a.idea_id);
	cr_expect_str_eq(e.method, "new");
	df = testdb_value(pg, "SELECT coalesce((SELECT df FROM terms WHERE term = 'zebracorn'), 0)");
	cr_expect_str_eq(df, "0", "the idea no longer uses the old word");
	free(df);
	char where[200];
	snprintf(where, sizeof(where),
		 "idea_search WHERE idea_id = %lld AND search @@ to_tsquery('simple', 'quokkaflow')",
		 (long long)a.idea_id);
	cr_expect_eq(testdb_count(pg, where), 1, "the full-text entry has the new words");
	snprintf(where, sizeof(where),
		 "idea_search s JOIN ideas i ON i.id = s.idea_id WHERE s.idea_id = %lld"
		 " AND s.all_terms = i.all_terms AND s.title_terms = i.title_terms"
		 " AND s.norm_title = i.norm_title AND s.all_norm = i.all_norm",
		 (long long)a.idea_id);
	cr_expect_eq(testdb_count(pg, where), 1, "the retrieval copy follows the idea");
	struct ingest_result b = ingest(SRC_SALES, "crm-9100", "Initech", AUTHOR_CUSTOMER,
					"Quokkaflow routing for Android handsets",
					"Wants only the quokkaflow app sent through an exit node on Android handsets.");
	cr_expect(b.merged, "the restatement of the edited issue joins it");
	cr_expect_eq(b.idea_id, a.idea_id);
}

/* Retrieval from memory ranks the transaction's new ideas as ts_rank ranks
 * the others in the database, to the bit: the same candidates either way. */
Test(triage, ranking_in_memory_agrees_with_ts_rank)
{
	int checked = 0;
	for (int len = 1; len <= 40; len += 3)
		for (int nq = 1; nq <= 16; nq += 3)
			for (int m = 1; m <= nq && m <= len; m += 2) {
				/* a document of len distinct words; a query of nq terms, m of them in it */
				char doc[1024] = "", query[1024] = "", sql[2400];
				for (int i = 0; i < len; i++)
					snprintf(doc + strlen(doc), sizeof(doc) - strlen(doc), "%sw%d",
						 i ? " " : "", i);
				for (int i = 0; i < nq; i++)
					snprintf(query + strlen(query), sizeof(query) - strlen(query),
						 "%s%s%d", i ? " | " : "", i < m ? "w" : "q", i);
				snprintf(sql, sizeof(sql),
					 "SELECT ts_rank(to_tsvector('simple', '%s'),"
					 " to_tsquery('simple', '%s'), 1)::float4",
					 doc, query);
				char *v = testdb_value(pg, sql);
				float pgv = strtof(v, NULL);
				cr_expect_eq(pgv, fresh_ts_rank(m, nq, len), "m=%d nq=%d len=%d: %s vs %.9g",
					     m, nq, len, v, (double)fresh_ts_rank(m, nq, len));
				free(v);
				checked++;
			}
	cr_expect_gt(checked, 100);
	/* and the order it implies: more shared terms first, a shorter idea first */
	cr_expect_gt(fresh_ts_rank(2, 4, 10), fresh_ts_rank(1, 4, 10));
	cr_expect_gt(fresh_ts_rank(1, 4, 5), fresh_ts_rank(1, 4, 10));
}

static void sales_note(struct mention *m, const char *ext, const char *account, const char *title,
		       const char *body)
{
	mention_init(m);
	m->source = SRC_SALES;
	m->external_id = strdup(ext);
	m->author = strdup(account);
	m->account = strdup(account);
	m->arr = 120000;
	m->title = strdup(title);
	m->body = strdup(body);
}

/* The ideas an ingest founds are found again before it commits (from
 * memory: their full-text entries come at commit), by a later group and
 * by the one-at-a-time path; a rollback leaves nothing behind; an edit of
 * such an idea's founding mention in the same transaction is what the
 * entry written at commit says. */
Test(triage, a_transaction_finds_the_ideas_it_founded_before_it_commits)
{
	PGconn *c = fresh_db("triage_fresh");
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	struct mention a, b, e;
	sales_note(&a, "f-1", "Initech", "Wombatwire relay for Android",
		   "Wants the wombatwire relay on Android handsets.");
	sales_note(&b, "f-2", "Globex", "Wombatwire relay for Android",
		   "Asks for the wombatwire relay on Android handsets too.");
	struct ingest_result ra, rb, re;
	int failed = -1;

	/* rolled back: nothing stays, in the database or in memory */
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	cr_assert_eq(ingest_many(&tx, &a, 1, "triage", &ra, &failed, &err), 0, "%s", err.msg);
	cr_expect_eq(fresh_count(tx.dedup.fresh), 1);
	cr_expect_eq(testdb_count(c, "idea_search"), 0, "the entry waits for the commit");
	ingest_rollback(&tx);
	cr_expect_null(tx.dedup.fresh);
	cr_expect_eq(testdb_count(c, "ideas"), 0);

	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	cr_assert_eq(ingest_many(&tx, &a, 1, "triage", &ra, &failed, &err), 0, "%s", err.msg);
	/* another group, and one at a time, in the same transaction */
	cr_assert_eq(ingest_many(&tx, &b, 1, "triage", &rb, &failed, &err), 0, "%s", err.msg);
	cr_expect(rb.merged, "a later group finds the idea in memory");
	cr_expect_eq(rb.idea_id, ra.idea_id);
	struct mention d;
	sales_note(&d, "f-3", "Umbrella", "Wombatwire relay for Android",
		   "Needs the wombatwire relay on Android handsets as well.");
	struct ingest_result rd;
	cr_assert_eq(ingest_one(&tx, &d, "triage", &rd, &err), 0, "%s", err.msg);
	cr_expect(rd.merged, "so does the one-at-a-time path");
	cr_expect_eq(rd.idea_id, ra.idea_id);
	/* the founding note is edited before the commit */
	sales_note(&e, "f-1", "Initech", "Quillbeam exporter for Windows",
		   "Wants a quillbeam exporter on Windows laptops.");
	cr_assert_eq(ingest_one(&tx, &e, "triage", &re, &err), 0, "%s", err.msg);
	cr_expect_null(tx.dedup.fresh, "the edit wrote the entries first, for the trigger to follow");
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	char where[200];
	snprintf(where, sizeof(where),
		 "idea_search WHERE idea_id = %lld AND search @@ to_tsquery('simple', 'quillbeam')"
		 " AND rare @@ to_tsquery('simple', 'quillbeam')"
		 " AND NOT search @@ to_tsquery('simple', 'wombatwire')",
		 (long long)ra.idea_id);
	cr_expect_eq(testdb_count(c, where), 1, "the entry has the edited words");
	/* and joined ideas were rescored at commit: three requesters */
	snprintf(where, sizeof(where), "ideas WHERE id = %lld AND requesters = 3", (long long)ra.idea_id);
	cr_expect_eq(testdb_count(c, where), 1);
	mention_clear(&a);
	mention_clear(&b);
	mention_clear(&d);
	mention_clear(&e);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}

/* The index of rare terms holds what retrieval could still ask for: a
 * term fewer than 500 ideas use (it asks for none used by more). */
Test(triage, only_terms_retrieval_can_ask_for_are_indexed)
{
	struct match_query q = {0};
	char acl[] = "acl", exit_[] = "exit", node[] = "node", support[] = "support";
	char *terms[] = {acl, exit_, node, support};
	long df[] = {3, 499, 500, 80000};
	q.all_toks.v = terms;
	q.all_toks.n = 4;
	q.all_df = df;
	char *rare = match_rare_terms(&q);
	cr_expect_str_eq(rare, "acl exit", "a term at 500 ideas would pass the cap once stored");
	free(rare);
	q.all_df = NULL; /* not weighed: every term, a superset */
	rare = match_rare_terms(&q);
	cr_expect_str_eq(rare, "acl exit node support");
	free(rare);
}

/* A write that fails in the middle of a window sent in pipeline mode
 * fails the whole ingest with the server's message, the rollback leaves
 * nothing, and the connection is as good as before (out of pipeline mode,
 * blocking again). */
Test(triage, a_write_failing_mid_pipeline_fails_the_ingest_and_leaves_nothing)
{
	PGconn *c = fresh_db("triage_pipe_fail");
	PGresult *alter = PQexec(c, "ALTER TABLE mentions ADD CONSTRAINT no_boom CHECK (title <> 'BOOM')");
	cr_assert_eq(PQresultStatus(alter), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(alter);
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	enum { N = 120 };
	struct mention ms[N];
	for (int i = 0; i < N; i++) {
		char ext[32], title[96];
		snprintf(ext, sizeof(ext), "boom-%d", i);
		snprintf(title, sizeof(title), "Request number %d about widget%d", i, i);
		sales_note(&ms[i], ext, "Initech", i == 70 ? "BOOM" : title, "A note from a call.");
	}
	struct ingest_result res[N];
	int failed = -1;
	ingest_many_sizes(40, 100);
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	int rc = ingest_many(&tx, ms, N, "triage", res, &failed, &err);
	ingest_many_sizes(0, 0);
	cr_expect_eq(rc, -1);
	cr_expect(strstr(err.msg, "no_boom"), "the server's message: %s", err.msg);
	cr_expect_eq(failed, 0, "the window that failed starts at 0");
	cr_expect_eq(PQpipelineStatus(c), PQ_PIPELINE_OFF);
	cr_expect_eq(PQisnonblocking(c), 0);
	ingest_rollback(&tx);
	cr_expect_eq(testdb_count(c, "mentions"), 0);
	cr_expect_eq(testdb_count(c, "ideas"), 0);
	cr_expect_eq(testdb_count(c, "idea_search"), 0);
	/* and the same connection ingests the rest */
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	rc = ingest_many(&tx, ms, 70, "triage", res, &failed, &err);
	cr_assert_eq(rc, 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	cr_expect_eq(testdb_count(c, "mentions"), 70);
	for (int i = 0; i < N; i++)
		mention_clear(&ms[i]);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}

/* The one-at-a-time path sends its reads together, and a mention's insert
 * together with the rescore's read: a failure inside such a batch fails
 * the ingest with the server's message, writes nothing and leaves the
 * connection as it was. The first "duplicate of" that is tracked wins. */
Test(triage, one_at_a_time_batches_fail_whole_and_links_take_the_first_tracked_reference)
{
	PGconn *c = fresh_db("triage_single_batch");
	PGresult *alter = PQexec(c, "ALTER TABLE mentions ADD CONSTRAINT no_boom CHECK (body <> 'BOOM')");
	cr_assert_eq(PQresultStatus(alter), PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(alter);
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	struct mention a, b, boom;
	sales_note(&a, "one-1", "Initech", "Exit nodes per device group for the Quokka office",
		   "They route the Quokka office through one exit node.");
	sales_note(&b, "one-2", "Globex", "Exit nodes per device group for the Quokka office",
		   "They route the Quokka office through one exit node.");
	sales_note(&boom, "one-3", "Umbrella", "Exit nodes per device group for the Quokka office",
		   "BOOM");
	struct ingest_result ra, rb, rx;
	cr_assert_eq(ingest_mention(c, &t, &a, "triage", &ra, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_mention(c, &t, &b, "triage", &rb, &err), 0, "%s", err.msg);
	cr_expect_eq(rb.idea_id, ra.idea_id, "a restatement joins: %s", rb.method);
	char q[160];
	snprintf(q, sizeof(q), "SELECT score_breakdown::text || mention_count FROM ideas WHERE id = %lld",
		 (long long)ra.idea_id);
	char *before = testdb_value(c, q);
	/* it would join too: its insert fails in the batch with the rescore's read */
	cr_expect_eq(ingest_mention(c, &t, &boom, "triage", &rx, &err), -1);
	cr_expect(strstr(err.msg, "no_boom"), "the server's message: %s", err.msg);
	cr_expect_eq(PQpipelineStatus(c), PQ_PIPELINE_OFF);
	cr_expect_eq(PQtransactionStatus(c), PQTRANS_IDLE);
	cr_expect_eq(testdb_count(c, "mentions"), 2);
	char *after = testdb_value(c, q);
	cr_expect_str_eq(after, before, "the idea is as it was");
	free(before);
	free(after);
	/* "duplicate of" an unknown issue, then of a tracked one: the tracked one */
	struct mention g1, g2;
	mention_init(&g1);
	g1.source = SRC_GITHUB;
	g1.external_id = strdup("meshco/mesh#7");
	g1.author = strdup("ana");
	g1.title = strdup("Zebracorn panel theme");
	g1.body = strdup("A dark theme for the panel.");
	struct ingest_result r1, r2;
	cr_assert_eq(ingest_mention(c, &t, &g1, "triage", &r1, &err), 0, "%s", err.msg);
	mention_init(&g2);
	g2.source = SRC_GITHUB;
	g2.external_id = strdup("meshco/mesh#9");
	g2.author = strdup("bo");
	g2.title = strdup("Audit log export to S3");
	g2.body = strdup("Duplicate of #3\n\nduplicate of #7");
	cr_assert_eq(ingest_mention(c, &t, &g2, "triage", &r2, &err), 0, "%s", err.msg);
	cr_expect_eq(r2.idea_id, r1.idea_id);
	cr_expect_str_eq(r2.method, "explicit_link");
	mention_clear(&a);
	mention_clear(&b);
	mention_clear(&boom);
	mention_clear(&g1);
	mention_clear(&g2);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}

/* The statements sent in one batch with a new idea's insert name it by the
 * session's last id (currval, volatile): the rescore's read must still find
 * it by its key, not by reading every idea (it once did: 0.5 s at 80k). */
Test(triage, the_rescore_read_finds_a_new_idea_by_its_key)
{
	PGresult *r = PQexec(pg, "SELECT nextval('ideas_id_seq')");
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(pg));
	PQclear(r);
	r = PQexec(pg, "SET enable_seqscan = off"); /* only an index-less plan scans now */
	PQclear(r);
	const char *rp;
	r = PQprepare(pg, "rescore_read", rescore_read_stmt(NULL, &rp).sql, 1, NULL);
	cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(pg));
	PQclear(r);
	const char *cases[] = {"EXPLAIN EXECUTE rescore_read(NULL)", "EXPLAIN EXECUTE rescore_read(1)"};
	for (size_t k = 0; k < 2; k++) {
		r = PQexec(pg, cases[k]);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(pg));
		for (int i = 0; i < PQntuples(r); i++)
			cr_expect_null(strstr(PQgetvalue(r, i, 0), "Seq Scan on ideas"), "%s: %s", cases[k],
				       PQgetvalue(r, i, 0));
		PQclear(r);
	}
	PQclear(PQexec(pg, "DEALLOCATE rescore_read"));
	PQclear(PQexec(pg, "RESET enable_seqscan"));
}

/* How many near matches a new idea keeps: optional in a scoring file (one
 * written before it existed still loads), 5 by default, at most 10. */
Test(triage, suggestions_kept_is_optional_and_bounded)
{
	char path[512], tmp[] = "/tmp/scoring-XXXXXX";
	snprintf(path, sizeof(path), "%s/../config/scoring.json", TEST_SOURCE_DIR);
	json_t *doc = json_load_file(path, 0, NULL);
	cr_assert(doc);
	int fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	close(fd);
	struct {
		json_t *value; /* NULL: the key left out */
		int kept;      /* -1: refused */
	} cases[] = {{NULL, 5}, {json_integer(3), 3}, {json_integer(50), 10}, {json_integer(-1), -1}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *dedup = json_object_get(doc, "dedup");
		if (cases[i].value)
			json_object_set_new(dedup, "suggestions_kept", cases[i].value);
		else
			json_object_del(dedup, "suggestions_kept");
		cr_assert_eq(json_dump_file(doc, tmp, 0), 0);
		struct err err = {0};
		struct triage_rules *r = triage_rules_load(tmp, &err);
		if (cases[i].kept < 0) {
			cr_expect_null(r, "case %zu loads", i);
			cr_expect(strstr(err.msg, "suggestions_kept"), "%s", err.msg);
		} else {
			cr_assert(r, "case %zu: %s", i, err.msg);
			cr_expect_eq(r->dedup.suggestions_kept, cases[i].kept, "case %zu", i);
		}
		triage_rules_free(r);
	}
	unlink(tmp);
	json_decref(doc);
}

/* Ideas founded by windows of both kinds in one transaction (piped ones
 * with ids reserved ahead, short ones not) get ids in the order they were
 * founded, as the transaction's index needs: an edit of the founding note
 * of the first idea of the last window, before the commit, is what its
 * entry in the index of rare terms says afterwards. */
Test(triage, windows_of_both_kinds_hand_out_ascending_ids)
{
	PGconn *c = fresh_db("triage_ids");
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	enum { N = 60 };
	struct mention ms[N];
	const char *words[] = {"alder", "birch", "cedar", "dogwood", "elm", "fir", "ginkgo", "hazel",
			       "ironwood", "juniper"};
	for (int i = 0; i < N; i++) {
		char ext[32], title[128], body[160];
		/* 1-4 restate 0 (they join it: the first window leaves reserved
		 * ids unused); 30 and 36 repeat 7 and 8 (they end windows, so the
		 * one between is short) */
		int k = i >= 1 && i <= 4 ? 0 : i == 30 ? 7 : i == 36 ? 8 : i;
		snprintf(ext, sizeof(ext), "ids-%d", k);
		snprintf(title, sizeof(title), "Zq%dx %s%d routing for tailnet %s", k, words[k % 10], k,
			 k % 2 ? "gateways" : "relays");
		snprintf(body, sizeof(body), "Customer asks for zq%dx %s%d routing. Note %d.", k,
			 words[k % 10], k, i);
		sales_note(&ms[i], ext, i >= 1 && i <= 4 ? "Globex" : "Initech", title, body);
		if (i >= 1 && i <= 4) { /* another account's restatement, not a repeat */
			free(ms[i].external_id);
			snprintf(ext, sizeof(ext), "ids-r%d", i);
			ms[i].external_id = strdup(ext);
		}
	}
	struct ingest_result res[N];
	int failed = -1;
	ingest_many_sizes(10, 30);
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	int rc = ingest_many(&tx, ms, N, "triage", res, &failed, &err);
	ingest_many_sizes(0, 0);
	cr_assert_eq(rc, 0, "%d: %s", failed, err.msg);
	for (int i = 1; i <= 4; i++)
		cr_expect_eq(res[i].idea_id, res[0].idea_id, "%d joined the first note's idea", i);
	cr_expect_eq(res[30].outcome, INGEST_UPDATED);
	cr_expect_eq(res[36].outcome, INGEST_UPDATED);
	/* founding order is id order */
	int64_t last = 0;
	for (int i = 0; i < N; i++)
		if (!res[i].merged && res[i].outcome == INGEST_NEW) {
			cr_expect_gt(res[i].idea_id, last, "note %d", i);
			last = res[i].idea_id;
		}
	/* the note that founded the last window's first idea is edited */
	struct mention e;
	sales_note(&e, "ids-37", "Initech", "Quuxbeam exporter for Windows",
		   "Wants a quuxbeam exporter on Windows laptops.");
	struct ingest_result re;
	cr_assert_eq(ingest_one(&tx, &e, "triage", &re, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	char where[200];
	snprintf(where, sizeof(where),
		 "idea_search WHERE idea_id = %lld AND rare @@ to_tsquery('simple', 'quuxbeam')",
		 (long long)res[37].idea_id);
	cr_expect_eq(testdb_count(c, where), 1, "the edit reached the index of rare terms");
	mention_clear(&e);
	for (int i = 0; i < N; i++)
		mention_clear(&ms[i]);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}

/* The results db_pipeline_read hands on: statement index and value. */
struct seen_results {
	int index[4], value[4], n;
};

static int seen_result(void *arg, int index, PGresult *r)
{
	struct seen_results *s = arg;
	if (s->n < 4) {
		s->index[s->n] = index;
		s->value[s->n++] = atoi(PQgetvalue(r, 0, 0));
	}
	return 0;
}

/* The many-at-once ingest reads the next window's document frequencies
 * before this window's writes are waited for: a result is read while the
 * pipeline stays open and more is sent after it; an error there fails the
 * read with the server's message, and finishing after it leaves the
 * connection idle and out of pipeline mode, the rest not handed on. */
Test(triage, a_pipeline_result_is_read_before_the_sync)
{
	PGconn *c = fresh_db("triage_pipeline_read");
	struct err err = {0};
	struct seen_results s = {0};
	const char *one[] = {"1"}, *two[] = {"2"};
	cr_assert_eq(db_pipeline_begin(c, &err), 0, "%s", err.msg);
	cr_assert_eq(db_send(c, "SELECT $1::int + 40", 1, one, &err), 0, "%s", err.msg);
	cr_assert_eq(db_pipeline_flush(c, &err), 0, "%s", err.msg);
	cr_assert_eq(db_pipeline_read(c, 0, 1, seen_result, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 1);
	cr_expect_eq(s.index[0], 0);
	cr_expect_eq(s.value[0], 41);
	cr_expect_eq(PQpipelineStatus(c), PQ_PIPELINE_ON, "still in the pipeline");
	cr_assert_eq(db_send(c, "SELECT $1::int * 21", 1, two, &err), 0, "%s", err.msg);
	cr_assert_eq(db_pipeline_finish(c, 1, 2, seen_result, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, 2, "the first result is not handed on twice");
	cr_expect_eq(s.index[1], 1);
	cr_expect_eq(s.value[1], 42);
	cr_expect_eq(PQpipelineStatus(c), PQ_PIPELINE_OFF);

	/* an error before the sync */
	s.n = 0;
	cr_assert_eq(db_pipeline_begin(c, &err), 0, "%s", err.msg);
	cr_assert_eq(db_send(c, "SELECT 1 / ($1::int - 1)", 1, one, &err), 0, "%s", err.msg);
	cr_assert_eq(db_pipeline_flush(c, &err), 0, "%s", err.msg);
	cr_assert_eq(db_send(c, "SELECT $1::int", 1, two, &err), 0, "%s", err.msg);
	cr_expect_eq(db_pipeline_read(c, 0, 1, seen_result, &s, &err), -1);
	cr_expect(strstr(err.msg, "division by zero"), "the server's message: %s", err.msg);
	struct err fin = {0};
	cr_expect_eq(db_pipeline_finish(c, 1, 2, seen_result, &s, &fin), 0,
		     "the rest come back aborted, no error of their own: %s", fin.msg);
	cr_expect_eq(s.n, 0, "nothing after the error is handed on");
	cr_expect_eq(PQpipelineStatus(c), PQ_PIPELINE_OFF);
	cr_expect_eq(PQtransactionStatus(c), PQTRANS_IDLE);
	char *v = testdb_value(c, "SELECT 6 * 7");
	cr_expect_str_eq(v, "42", "the connection works");
	free(v);
	PQfinish(c);
}

/* One mention's candidates come from the function idea_candidates (a
 * generic plan, db/migrations/011), a window's from the same query inline
 * (db/retrieval.h): both give the same ideas, in the same order, with the same
 * columns, ties (equal ts_rank) included. */
Test(triage, the_candidates_function_answers_as_the_inline_query)
{
	PGconn *c = fresh_db("triage_candidates_fn");
	struct triage_ctx t;
	struct err err = {0};
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0);
	const char *what[] = {"exit node", "subnet router", "audit log", "tray icon", "sso"};
	const char *how[] = {"rotation", "export", "per group", "on macOS", "in Terraform", "limits"};
	enum { N = 30 };
	struct mention ms[N];
	for (int i = 0; i < N; i++) {
		char ext[16], title[96];
		snprintf(ext, sizeof(ext), "cf-%d", i);
		snprintf(title, sizeof(title), "%s %s for team %c", what[i % 5], how[i % 6],
			 'a' + i % 7);
		sales_note(&ms[i], ext, "Initech", title, "Asked on the call.");
	}
	struct ingest_result res[N];
	int failed = -1;
	cr_assert_eq(ingest_begin(&tx, c, &t, &err), 0);
	cr_assert_eq(ingest_many(&tx, ms, N, "triage", res, &failed, &err), 0, "%s", err.msg);
	cr_assert_eq(ingest_commit(&tx, &err), 0, "%s", err.msg);
	cr_assert_gt(testdb_count(c, "idea_search"), 10);
	/* stemmed terms, as retrieval asks for them; "ask | call" is in every
	 * idea: ten of equal rank, the older first */
	const char *queries[] = {"exit | node",	 "router | rotat", "audit & log",
				 "tray | maco | sign", "nothingmatches", "ask | call"};
	int compared = 0;
	for (size_t k = 0; k < sizeof(queries) / sizeof(*queries); k++) {
		const char *p[] = {queries[k], "10"};
		PGresult *fn = db_candidates(c, p[0], atoi(p[1]), &err);
		cr_assert(fn, "%s", err.msg);
		struct candidates_many cm;
		cr_assert_eq(db_candidates_many(p, 1, atoi(p[1]), &cm), 0);
		PGresult *in = db_query(c, cm.st.sql, cm.st.n, cm.st.params, &err);
		db_candidates_many_free(&cm);
		cr_assert(in, "%s", err.msg);
		cr_assert_eq(PQntuples(fn), PQntuples(in), "%s", queries[k]);
		cr_assert_eq(PQnfields(fn) + 1, PQnfields(in)); /* the window's: k first */
		for (int r = 0; r < PQntuples(fn); r++)
			for (int f = 0; f < PQnfields(fn); f++)
				cr_expect_str_eq(PQgetvalue(fn, r, f), PQgetvalue(in, r, f + 1),
						 "%s row %d col %d", queries[k], r, f);
		compared += PQntuples(fn);
		PQclear(fn);
		PQclear(in);
	}
	cr_expect_gt(compared, 20, "the queries found candidates to compare");
	for (int i = 0; i < N; i++)
		mention_clear(&ms[i]);
	triage_ctx_cleanup(&t);
	PQfinish(c);
}
