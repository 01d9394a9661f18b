/* GitHub and Reddit JSON to mentions: every webhook event and action we handle
 * against a fixture shaped like GitHub's documented payloads, REST list items,
 * Reddit listings, and every required field dropped or mistyped in turn. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/github.h"
#include "connectors/reddit.h"
#include "support.h"

#define GH_DATA     TEST_SOURCE_DIR "/data/github/"
#define REDDIT_DATA TEST_SOURCE_DIR "/data/reddit/"

static json_t *load(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	cr_assert(j, "%s: %s (line %d)", path, jerr.text, jerr.line);
	return j;
}

/* What one mention must look like; labels NULL-terminated. */
struct want {
	const char *external_id;
	enum mention_kind kind;
	const char *parent;
	const char *author;
	enum author_kind author_kind;
	const char *title;
	const char *body;
	const char *url;
	const char *labels[4];
	int votes;
	bool deleted;
	int64_t created_at, updated_at;
};

static void expect_str(const char *got, const char *want, const char *what, const char *ctx)
{
	if (!want) {
		cr_expect_null(got, "%s: %s should be NULL, is \"%s\"", ctx, what, got);
		return;
	}
	cr_expect_not_null(got, "%s: %s is NULL, want \"%s\"", ctx, what, want);
	if (got)
		cr_expect_str_eq(got, want, "%s: %s is \"%s\", want \"%s\"", ctx, what, got, want);
}

static void expect_mention(const struct mention *m, enum source src, const struct want *w,
                           const char *ctx)
{
	cr_expect_eq(m->source, src, "%s: source", ctx);
	expect_str(m->external_id, w->external_id, "external_id", ctx);
	cr_expect_eq(m->kind, w->kind, "%s: kind", ctx);
	expect_str(m->parent_external_id, w->parent, "parent_external_id", ctx);
	expect_str(m->author, w->author, "author", ctx);
	cr_expect_eq(m->author_kind, w->author_kind, "%s: author_kind is %s", ctx,
	             author_kind_name(m->author_kind));
	expect_str(m->author_email, NULL, "author_email", ctx);
	expect_str(m->account, NULL, "account", ctx);
	cr_expect_eq(m->arr, -1, "%s: arr", ctx);
	expect_str(m->title, w->title, "title", ctx);
	expect_str(m->body, w->body, "body", ctx);
	expect_str(m->url, w->url, "url", ctx);
	int n = 0;
	while (n < 4 && w->labels[n])
		n++;
	cr_expect_eq(m->nlabels, n, "%s: %d labels, want %d", ctx, m->nlabels, n);
	for (int i = 0; i < n && i < m->nlabels; i++)
		expect_str(m->labels[i], w->labels[i], "label", ctx);
	cr_expect_eq(m->votes, w->votes, "%s: votes %d, want %d", ctx, m->votes, w->votes);
	cr_expect_eq(m->deleted, w->deleted, "%s: deleted", ctx);
	cr_expect(m->is_public, "%s: is_public", ctx);
	cr_expect_eq(m->created_at, w->created_at, "%s: created_at %lld, want %lld", ctx,
	             (long long)m->created_at, (long long)w->created_at);
	cr_expect_eq(m->updated_at, w->updated_at, "%s: updated_at %lld, want %lld", ctx,
	             (long long)m->updated_at, (long long)w->updated_at);
}

/* ---- expected mentions, shared by several fixtures ---- */

#define BODY412                                                                                    \
	"### Problem\n\nOn laptops we want only the corporate apps (Slack, Jira, the ERP client) " \
	"to go through the mesh; personal browsing should stay on the local uplink.\n\n"           \
	"### Proposal\n\nPer-application split tunnelling on macOS and Windows, configurable "     \
	"from the admin console.\n\n> Currently we route all of 10.0.0.0/8 and users complain "    \
	"about video calls."

/* #412 by a community member (NONE): reactions +1 14, heart 3, hooray 1,
 * rocket 2 count (20); eyes, laugh, -1 and confused do not. */
#define ISSUE_412(title_, updated_)                                                                \
	{                                                                                          \
		.external_id = "meshwork/meshd#412", .kind = MENTION_POST,                         \
		.author = "lena-okafor", .author_kind = AUTHOR_COMMUNITY, .title = title_,         \
		.body = BODY412, .url = "https://github.com/meshwork/meshd/issues/412",            \
		.labels = {"enhancement", "area/client"}, .votes = 20, .created_at = 1772619072,   \
		.updated_at = updated_                                                             \
	}
#define T412 "Per-app split tunneling on macOS and Windows"

/* #418 by a COLLABORATOR (employee), body null, no reactions key; "Security" lowercased. */
#define ISSUE_418(updated_, ...)                                                                   \
	{                                                                                          \
		.external_id = "meshwork/meshd#418", .kind = MENTION_POST, .author = "dmitri-b",   \
		.author_kind = AUTHOR_EMPLOYEE,                                                    \
		.title = "Rotate WireGuard keys automatically every 24h", .body = "",              \
		.url = "https://github.com/meshwork/meshd/issues/418", .labels = {__VA_ARGS__},    \
		.votes = 0, .created_at = 1773007509, .updated_at = updated_                       \
	}

/* #401 by the OWNER: 40 + 9 + 0 + 5. */
#define ISSUE_401(updated_)                                                                        \
	{                                                                                          \
		.external_id = "meshwork/meshd#401", .kind = MENTION_POST, .author = "rhelms",     \
		.author_kind = AUTHOR_EMPLOYEE, .title = "SAML SSO with Okta and Entra ID",        \
		.body = "Customers keep asking for SAML next to OIDC.",                            \
		.url = "https://github.com/meshwork/meshd/issues/401", .labels = {"enhancement"},  \
		.votes = 54, .created_at = 1771599600, .updated_at = updated_                      \
	}

#define BODY57                                                                                     \
	"Our auditors want EU traffic to egress only from EU exit nodes. Could the ACL policy "    \
	"pin exit nodes by region?"
/* Discussion 57 by a CONTRIBUTOR (community): 9 + 2 + 1 + 0. */
#define DISC_57(body_, updated_)                                                                   \
	{                                                                                          \
		.external_id = "meshwork/meshd/discussions/57", .kind = MENTION_POST,              \
		.author = "priya-ops", .author_kind = AUTHOR_COMMUNITY,                            \
		.title = "Exit nodes per region for compliance", .body = body_,                    \
		.url = "https://github.com/meshwork/meshd/discussions/57",                         \
		.labels = {"enhancement"}, .votes = 12, .created_at = 1772389327,                  \
		.updated_at = updated_                                                             \
	}
#define BODY57_EDITED BODY57 "\n\nEdit: also for the US (FedRAMP)."

#define COMMENT_2011223344(body_, updated_)                                                        \
	{                                                                                          \
		.external_id = "meshwork/meshd#412/comments/2011223344", .kind = MENTION_COMMENT,  \
		.parent = "meshwork/meshd#412", .author = "tkovacs",                               \
		.author_kind = AUTHOR_EMPLOYEE, .title = "", .body = body_,                        \
		.url = "https://github.com/meshwork/meshd/issues/412#issuecomment-2011223344",     \
		.votes = 3, .created_at = 1772622000, .updated_at = updated_                       \
	}

#define DCOMMENT_8812345(body_, updated_)                                                          \
	{                                                                                          \
		.external_id = "meshwork/meshd/discussions/57/comments/8812345",                   \
		.kind = MENTION_COMMENT, .parent = "meshwork/meshd/discussions/57",                \
		.author = "lena-okafor", .author_kind = AUTHOR_COMMUNITY, .title = "",             \
		.body = body_,                                                                     \
		.url =                                                                             \
		    "https://github.com/meshwork/meshd/discussions/57#discussioncomment-8812345",  \
		.votes = 5, .created_at = 1772445600, .updated_at = updated_                       \
	}

/* ---- webhook deliveries: one fixture per event and action ---- */

struct webhook_case {
	const char *file;
	const char *event;
	int n;              /* mentions expected */
	const char *reason; /* when n == 0 */
	struct want want[2];
};

static const struct webhook_case webhook_cases[] = {
    {"issues_opened.json", "issues", 1, NULL, {ISSUE_412(T412, 1772619072)}},
    {"issues_edited.json",
     "issues",
     1,
     NULL,
     {ISSUE_412("Per-app split tunnelling (macOS, Windows)", 1772697600)}},
    {"issues_closed.json", "issues", 1, NULL, {ISSUE_412(T412, 1772818200)}},
    {"issues_reopened.json", "issues", 1, NULL, {ISSUE_412(T412, 1772874945)}},
    {"issues_labeled.json", "issues", 1, NULL, {ISSUE_418(1773042271, "security", "needs-triage")}},
    {"issues_unlabeled.json", "issues", 1, NULL, {ISSUE_418(1773043262, "security")}},
    {"issues_deleted.json",
     "issues",
     1,
     NULL,
     {{.external_id = "meshwork/meshd#420",
       .kind = MENTION_POST,
       .author = "netops-jules",
       .author_kind = AUTHOR_COMMUNITY, /* FIRST_TIME_CONTRIBUTOR */
       .title = "asdf test please ignore",
       .body = "test",
       .url = "https://github.com/meshwork/meshd/issues/420",
       .votes = 0,
       .deleted = true,
       .created_at = 1773144000,
       .updated_at = 1773144005}}},
    /* the old issue is gone from this repo; the payload's "issue" is the old one */
    {"issues_transferred.json",
     "issues",
     1,
     NULL,
     {{.external_id = "meshwork/meshd#425",
       .kind = MENTION_POST,
       .author = "priya-ops",
       .author_kind = AUTHOR_COMMUNITY, /* CONTRIBUTOR */
       .title = "iOS client drops the tunnel when switching from Wi-Fi to 5G",
       .body = "Reproducible on iOS 19.3 with on-demand rules enabled.",
       .url = "https://github.com/meshwork/meshd/issues/425",
       .labels = {"area/client"},
       .votes = 7,
       .deleted = true,
       .created_at = 1773211200,
       .updated_at = 1773220350}}},
    {"issues_pinned.json", "issues", 1, NULL, {ISSUE_401(1773309600)}},
    {"issues_assigned.json", "issues", 1, NULL, {ISSUE_401(1773309900)}},
    {"issues_milestoned.json", "issues", 1, NULL, {ISSUE_401(1773309960)}},
    {"issues_future_action.json", "issues", 0, "action ignored", {{0}}},

    {"issue_comment_created.json",
     "issue_comment",
     2,
     NULL,
     {ISSUE_412(T412, 1772622000),
      COMMENT_2011223344(
          "Thanks! We are prototyping this with the Network Extension framework on macOS.",
          1772622000)}},
    {"issue_comment_edited.json",
     "issue_comment",
     2,
     NULL,
     {ISSUE_412(T412, 1772622000),
      COMMENT_2011223344("Thanks! We are prototyping this with the Network Extension "
                         "framework on macOS; Windows will use WFP.",
                         1772623230)}},
    /* the comment is gone, its issue is not */
    {"issue_comment_deleted.json",
     "issue_comment",
     2,
     NULL,
     {ISSUE_412(T412, 1772622000),
      {.external_id = "meshwork/meshd#412/comments/2011229999",
       .kind = MENTION_COMMENT,
       .parent = "meshwork/meshd#412",
       .author = "netops-jules",
       .author_kind = AUTHOR_COMMUNITY,
       .title = "",
       .body = "+1, we need this for 300 seats",
       .url = "https://github.com/meshwork/meshd/issues/412#issuecomment-2011229999",
       .votes = 1,
       .deleted = true,
       .created_at = 1772627400,
       .updated_at = 1772627400}}},
    {"issue_comment_on_pr.json", "issue_comment", 0, "pull request", {{0}}},

    {"discussion_created.json", "discussion", 1, NULL, {DISC_57(BODY57, 1772434800)}},
    {"discussion_edited.json", "discussion", 1, NULL, {DISC_57(BODY57_EDITED, 1772443800)}},
    {"discussion_deleted.json",
     "discussion",
     1,
     NULL,
     {{.external_id = "meshwork/meshd/discussions/58",
       .kind = MENTION_POST,
       .author = "netops-jules",
       .author_kind = AUTHOR_COMMUNITY,
       .title = "Free t-shirts for contributors??",
       .body = "title says it all",
       .url = "https://github.com/meshwork/meshd/discussions/58",
       .votes = 0, /* laugh only */
       .deleted = true,
       .created_at = 1772499600,
       .updated_at = 1772499600}}},
    {"discussion_comment_created.json",
     "discussion_comment",
     2,
     NULL,
     {DISC_57(BODY57_EDITED, 1772443800),
      DCOMMENT_8812345("Same here, we would pay extra for region pinning.", 1772445600)}},
    {"discussion_comment_edited.json",
     "discussion_comment",
     2,
     NULL,
     {DISC_57(BODY57_EDITED, 1772443800),
      DCOMMENT_8812345("Same here: we would pay extra for region pinning (EU + US).", 1772448300)}},
    /* a reply (parent_id set) still hangs off the discussion */
    {"discussion_comment_deleted.json",
     "discussion_comment",
     2,
     NULL,
     {DISC_57(BODY57_EDITED, 1772443800),
      {.external_id = "meshwork/meshd/discussions/57/comments/8812399",
       .kind = MENTION_COMMENT,
       .parent = "meshwork/meshd/discussions/57",
       .author = "dmitri-b",
       .author_kind = AUTHOR_EMPLOYEE,
       .title = "",
       .body = "Duplicate of #377, answering there.",
       .url = "https://github.com/meshwork/meshd/discussions/57#discussioncomment-8812399",
       .votes = 0,
       .deleted = true,
       .created_at = 1772449200,
       .updated_at = 1772449500}}},

    {"ping.json", "ping", 0, "ping", {{0}}},
    {"star_created.json", "star", 0, "event ignored", {{0}}},
    /* a pull_request delivery is not an event we map, whatever its body */
    {"issue_comment_on_pr.json", "pull_request", 0, "event ignored", {{0}}},
    {"issues_opened.json", "pull_request_review_comment", 0, "event ignored", {{0}}},
};

Test(github_webhook, every_event_and_action_maps_every_field)
{
	for (size_t i = 0; i < sizeof(webhook_cases) / sizeof(webhook_cases[0]); i++) {
		const struct webhook_case *c = &webhook_cases[i];
		char ctx[128];
		snprintf(ctx, sizeof(ctx), "%s as %s", c->file, c->event);
		char path[1024];
		snprintf(path, sizeof(path), "%s%s", GH_DATA, c->file);
		json_t *payload = load(path);

		struct mention out[2];
		mention_init(&out[0]);
		mention_init(&out[1]);
		const char *reason = NULL;
		struct err err = {0};
		int n = gh_webhook_to_mentions(c->event, payload, out, &reason, &err);
		cr_expect_eq(n, c->n, "%s: %d mentions, want %d (%s %s)", ctx, n, c->n, err.field,
		             err.msg);
		if (c->n == 0) {
			cr_expect(reason && strcmp(reason, c->reason) == 0, "%s: reason \"%s\"",
			          ctx, reason ? reason : "(null)");
			cr_expect_null(out[0].external_id, "%s: out written when ignored", ctx);
		}
		for (int k = 0; k < n && k < c->n; k++) {
			char kctx[160];
			snprintf(kctx, sizeof(kctx), "%s [%d]", ctx, k);
			expect_mention(&out[k], SRC_GITHUB, &c->want[k], kctx);
		}
		mention_clear(&out[0]);
		mention_clear(&out[1]);
		json_decref(payload);
	}
}

Test(github_webhook, reason_may_be_null_and_event_is_required)
{
	json_t *p = load(GH_DATA "ping.json");
	struct mention out[2];
	struct err err = {0};
	cr_expect_eq(gh_webhook_to_mentions("ping", p, out, NULL, &err), 0);
	cr_expect_eq(gh_webhook_to_mentions("", p, out, NULL, &err), -1);
	cr_expect_str_eq(err.field, "X-GitHub-Event");
	cr_expect_eq(gh_webhook_to_mentions(NULL, p, out, NULL, NULL), -1);
	/* a handled event with a body that is not an object */
	json_t *arr = json_array();
	cr_expect_eq(gh_webhook_to_mentions("issues", arr, out, NULL, &err), -1);
	cr_expect_str_eq(err.field, "payload");
	cr_expect_eq(gh_webhook_to_mentions("issues", NULL, out, NULL, &err), -1);
	json_decref(arr);
	json_decref(p);
}

/* ---- REST "list repository issues": issues and pull requests mixed ---- */

Test(github_rest, list_items_map_and_pull_requests_are_skipped)
{
	json_t *list = load(GH_DATA "rest_list_issues.json");
	cr_assert(json_is_array(list));
	cr_assert_eq(json_array_size(list), 3);
	static const struct want want412 = ISSUE_412(T412, 1772622000);
	static const struct want want418 = ISSUE_418(1773043262, "security");
	struct err err = {0};
	struct mention m;

	mention_init(&m);
	cr_expect_eq(gh_issue_to_mention(json_array_get(list, 0), "meshwork/meshd", &m, &err), 1,
	             "%s", err.msg);
	expect_mention(&m, SRC_GITHUB, &want412, "rest[0]");
	mention_clear(&m);

	cr_expect_eq(gh_issue_to_mention(json_array_get(list, 1), "meshwork/meshd", &m, &err), 0,
	             "a pull request is skipped");
	cr_expect_null(m.external_id, "skipped: *m untouched");

	cr_expect_eq(gh_issue_to_mention(json_array_get(list, 2), "meshwork/meshd", &m, &err), 1,
	             "%s", err.msg);
	expect_mention(&m, SRC_GITHUB, &want418, "rest[2]");
	mention_clear(&m);
	json_decref(list);
}

Test(github_rest, repo_must_be_owner_slash_name)
{
	json_t *list = load(GH_DATA "rest_list_issues.json");
	const json_t *item = json_array_get(list, 0);
	static const char *const bad[] = {
	    "",      "meshd",           "/meshd",           "meshwork/",
	    "a/b/c", "mesh work/meshd", "meshwork/meshd\n", "meshwork/m#1"};
	struct mention m;
	mention_init(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err err = {0};
		cr_expect_eq(gh_issue_to_mention(item, bad[i], &m, &err), -1, "repo \"%s\"",
		             bad[i]);
		cr_expect_str_eq(err.field, "repo", "repo \"%s\"", bad[i]);
	}
	struct err err = {0};
	cr_expect_eq(gh_issue_to_mention(item, NULL, &m, &err), -1);
	cr_expect_eq(gh_issue_to_mention(NULL, "meshwork/meshd", &m, &err), -1);
	cr_expect_str_eq(err.field, "issue");
	cr_expect_null(m.external_id);
	json_decref(list);
}

/* ---- one field at a time: dropped or retyped, the error names it ---- */

/* Walks "issue.labels.0.name" (numeric segments index arrays) to the parent
 * of the last segment; returns it and the last key. */
static json_t *walk(json_t *root, const char *path, char *last, size_t lastlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *node = root;
	char *save = NULL;
	char *seg = strtok_r(buf, ".", &save);
	for (char *next; seg && (next = strtok_r(NULL, ".", &save)); seg = next) {
		node = isdigit((unsigned char)seg[0]) ? json_array_get(node, strtoul(seg, NULL, 10))
		                                      : json_object_get(node, seg);
		cr_assert(node, "fixture has no %s (at %s)", path, seg);
	}
	snprintf(last, lastlen, "%s", seg);
	return node;
}

/* value NULL drops the key; otherwise it is JSON text to put in its place. */
static void mutate(json_t *root, const char *path, const char *value)
{
	char key[64];
	json_t *parent = walk(root, path, key, sizeof(key));
	bool index = isdigit((unsigned char)key[0]);
	if (!value) {
		int rc = index ? json_array_remove(parent, strtoul(key, NULL, 10))
		               : json_object_del(parent, key);
		cr_assert_eq(rc, 0, "cannot drop %s", path);
		return;
	}
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	cr_assert(v, "bad test value %s", value);
	int rc = index ? json_array_set_new(parent, strtoul(key, NULL, 10), v)
	               : json_object_set_new(parent, key, v);
	cr_assert_eq(rc, 0, "cannot set %s", path);
}

struct bad_case {
	const char *file;
	const char *event;
	const char *path;  /* what to change */
	const char *value; /* NULL: drop it */
	const char *field; /* err.field expected */
};

static const struct bad_case bad_cases[] = {
    {"issues_opened.json", "issues", "action", NULL, "action"},
    {"issues_opened.json", "issues", "action", "5", "action"},
    {"issues_opened.json", "issues", "repository", NULL, "repository"},
    {"issues_opened.json", "issues", "repository", "\"meshwork/meshd\"", "repository"},
    {"issues_opened.json", "issues", "repository.full_name", NULL, "repository.full_name"},
    {"issues_opened.json", "issues", "repository.full_name", "7", "repository.full_name"},
    {"issues_opened.json", "issues", "repository.full_name", "\"meshd\"", "repository.full_name"},
    {"issues_opened.json", "issues", "repository.full_name", "\"a/b c\"", "repository.full_name"},
    {"issues_opened.json", "issues", "issue", NULL, "issue"},
    {"issues_opened.json", "issues", "issue", "\"#412\"", "issue"},
    {"issues_opened.json", "issues", "issue.number", NULL, "issue.number"},
    {"issues_opened.json", "issues", "issue.number", "\"412\"", "issue.number"},
    {"issues_opened.json", "issues", "issue.number", "412.5", "issue.number"},
    {"issues_opened.json", "issues", "issue.number", "0", "issue.number"},
    {"issues_opened.json", "issues", "issue.number", "null", "issue.number"},
    {"issues_opened.json", "issues", "issue.title", NULL, "issue.title"},
    {"issues_opened.json", "issues", "issue.title", "null", "issue.title"},
    {"issues_opened.json", "issues", "issue.title", "42", "issue.title"},
    {"issues_opened.json", "issues", "issue.user", NULL, "issue.user"},
    {"issues_opened.json", "issues", "issue.user", "\"lena-okafor\"", "issue.user"},
    {"issues_opened.json", "issues", "issue.user", "null", "issue.user"},
    {"issues_opened.json", "issues", "issue.user.login", NULL, "issue.user.login"},
    {"issues_opened.json", "issues", "issue.user.login", "30211877", "issue.user.login"},
    {"issues_opened.json", "issues", "issue.user.login", "\"\"", "issue.user.login"},
    {"issues_opened.json", "issues", "issue.html_url", NULL, "issue.html_url"},
    {"issues_opened.json", "issues", "issue.html_url", "null", "issue.html_url"},
    {"issues_opened.json", "issues", "issue.html_url", "\"\"", "issue.html_url"},
    {"issues_opened.json", "issues", "issue.body", "5", "issue.body"},
    {"issues_opened.json", "issues", "issue.body", "[\"x\"]", "issue.body"},
    {"issues_opened.json", "issues", "issue.created_at", NULL, "issue.created_at"},
    {"issues_opened.json", "issues", "issue.created_at", "1772619072", "issue.created_at"},
    {"issues_opened.json", "issues", "issue.created_at", "\"yesterday\"", "issue.created_at"},
    {"issues_opened.json", "issues", "issue.created_at", "\"2026-02-30T10:11:12Z\"",
     "issue.created_at"},
    {"issues_opened.json", "issues", "issue.updated_at", NULL, "issue.updated_at"},
    {"issues_opened.json", "issues", "issue.updated_at", "\"2026-03-04\"", "issue.updated_at"},
    {"issues_opened.json", "issues", "issue.author_association", "5", "issue.author_association"},
    {"issues_opened.json", "issues", "issue.reactions", "\"lots\"", "issue.reactions"},
    {"issues_opened.json", "issues", "issue.reactions.+1", "\"14\"", "issue.reactions.+1"},
    {"issues_opened.json", "issues", "issue.reactions.heart", "-1", "issue.reactions.heart"},
    {"issues_opened.json", "issues", "issue.reactions.rocket", "2.0", "issue.reactions.rocket"},
    {"issues_opened.json", "issues", "issue.labels", "\"enhancement\"", "issue.labels"},
    {"issues_opened.json", "issues", "issue.labels.0", "5", "issue.labels[0]"},
    {"issues_opened.json", "issues", "issue.labels.1.name", NULL, "issue.labels[1].name"},
    {"issues_opened.json", "issues", "issue.labels.1.name", "true", "issue.labels[1].name"},
    /* deletions must still be well-formed: the pipeline needs the id */
    {"issues_deleted.json", "issues", "issue.number", NULL, "issue.number"},

    {"issue_comment_created.json", "issue_comment", "comment", NULL, "comment"},
    {"issue_comment_created.json", "issue_comment", "comment", "[]", "comment"},
    {"issue_comment_created.json", "issue_comment", "comment.id", NULL, "comment.id"},
    {"issue_comment_created.json", "issue_comment", "comment.id", "\"2011223344\"", "comment.id"},
    {"issue_comment_created.json", "issue_comment", "comment.id", "-3", "comment.id"},
    {"issue_comment_created.json", "issue_comment", "comment.user", NULL, "comment.user"},
    {"issue_comment_created.json", "issue_comment", "comment.user.login", NULL,
     "comment.user.login"},
    {"issue_comment_created.json", "issue_comment", "comment.html_url", "5", "comment.html_url"},
    {"issue_comment_created.json", "issue_comment", "comment.body", "5", "comment.body"},
    {"issue_comment_created.json", "issue_comment", "comment.created_at", "\"2026-03-04\"",
     "comment.created_at"},
    {"issue_comment_created.json", "issue_comment", "comment.updated_at", NULL,
     "comment.updated_at"},
    {"issue_comment_created.json", "issue_comment", "comment.reactions.rocket", "1.5",
     "comment.reactions.rocket"},
    {"issue_comment_created.json", "issue_comment", "issue.number", NULL, "issue.number"},
    {"issue_comment_deleted.json", "issue_comment", "comment.id", NULL, "comment.id"},

    {"discussion_created.json", "discussion", "discussion", NULL, "discussion"},
    {"discussion_created.json", "discussion", "discussion.number", NULL, "discussion.number"},
    {"discussion_created.json", "discussion", "discussion.number", "\"57\"", "discussion.number"},
    {"discussion_created.json", "discussion", "discussion.title", "5", "discussion.title"},
    {"discussion_created.json", "discussion", "discussion.user", NULL, "discussion.user"},
    {"discussion_created.json", "discussion", "discussion.html_url", NULL, "discussion.html_url"},
    {"discussion_created.json", "discussion", "discussion.created_at", "false",
     "discussion.created_at"},
    {"discussion_created.json", "discussion", "discussion.labels", "{}", "discussion.labels"},
    {"discussion_comment_created.json", "discussion_comment", "discussion.number", NULL,
     "discussion.number"},
    {"discussion_comment_created.json", "discussion_comment", "comment.id", NULL, "comment.id"},
    {"discussion_comment_created.json", "discussion_comment", "comment.user", "5", "comment.user"},
    {"discussion_comment_created.json", "discussion_comment", "comment.updated_at", "\"\"",
     "comment.updated_at"},
    {"discussion_comment_created.json", "discussion_comment", "comment.reactions", "[1]",
     "comment.reactions"},
};

Test(github_webhook, a_missing_or_mistyped_field_is_named)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char ctx[256], path[1024];
		snprintf(ctx, sizeof(ctx), "%s: %s %s%s", c->file, c->path,
		         c->value ? "set to " : "dropped", c->value ? c->value : "");
		snprintf(path, sizeof(path), "%s%s", GH_DATA, c->file);
		json_t *payload = load(path);
		mutate(payload, c->path, c->value);

		struct mention out[2];
		mention_init(&out[0]);
		mention_init(&out[1]);
		struct err err = {0};
		const char *reason = NULL;
		int n = gh_webhook_to_mentions(c->event, payload, out, &reason, &err);
		cr_expect_eq(n, -1, "%s: returned %d", ctx, n);
		cr_expect_str_eq(err.field, c->field, "%s: err.field \"%s\", want \"%s\"", ctx,
		                 err.field, c->field);
		cr_expect(err.msg[0], "%s: no message", ctx);
		cr_expect_null(out[0].external_id, "%s: out[0] written on failure", ctx);
		cr_expect_null(out[1].external_id, "%s: out[1] written on failure", ctx);
		json_decref(payload);
	}
}

/* Optional parts: null body, absent reactions, null/absent labels and
 * author_association; unknown reaction keys are ignored. */
Test(github_webhook, optional_fields_may_be_absent_or_null)
{
	static const struct {
		const char *path, *value;
	} ok[] = {
	    {"issue.body", "null"},
	    {"issue.body", NULL},
	    {"issue.reactions", NULL},
	    {"issue.reactions", "null"},
	    {"issue.labels", NULL},
	    {"issue.labels", "null"},
	    {"issue.labels", "[\"Bug\"]"},
	    {"issue.author_association", NULL},
	    {"issue.reactions.+1", NULL},
	    {"issue.reactions.-1", "\"odd\""},
	    {"issue.created_at", "\"2026-03-04T10:11:12.000Z\""},
	    {"issue.updated_at", "\"2026-03-04T12:11:12+02:00\""},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		json_t *p = load(GH_DATA "issues_opened.json");
		mutate(p, ok[i].path, ok[i].value);
		struct mention out[2];
		struct err err = {0};
		int n = gh_webhook_to_mentions("issues", p, out, NULL, &err);
		cr_expect_eq(n, 1, "%s %s: %d (%s: %s)", ok[i].path,
		             ok[i].value ? ok[i].value : "dropped", n, err.field, err.msg);
		if (n == 1) {
			cr_expect_eq(out[0].created_at, 1772619072);
			cr_expect_eq(out[0].updated_at, 1772619072);
			mention_clear(&out[0]);
		}
		json_decref(p);
	}
}

Test(github_webhook, labels_are_lowercased_and_reactions_summed)
{
	json_t *p = load(GH_DATA "issues_opened.json");
	mutate(p, "issue.labels",
	       "[{\"name\": \"Area/CLIENT\"}, \"Perf\", {\"name\": \"perf\"}, "
	       "{\"name\": \"\"}]");
	mutate(p, "issue.reactions",
	       "{\"+1\": 1, \"-1\": 50, \"laugh\": 50, \"confused\": 50, "
	       "\"eyes\": 50, \"heart\": 10, \"hooray\": 100, \"rocket\": 1000}");
	struct mention out[2];
	struct err err = {0};
	cr_assert_eq(gh_webhook_to_mentions("issues", p, out, NULL, &err), 1, "%s", err.msg);
	cr_expect_eq(out[0].nlabels, 2);
	cr_expect_str_eq(out[0].labels[0], "area/client");
	cr_expect_str_eq(out[0].labels[1], "perf", "duplicates after folding count once");
	cr_expect_eq(out[0].votes, 1111);
	mention_clear(&out[0]);
	json_decref(p);
}

Test(github_webhook, author_association_decides_employee_or_community)
{
	static const struct {
		const char *assoc;
		enum author_kind kind;
	} cases[] = {
	    {"\"OWNER\"", AUTHOR_EMPLOYEE},
	    {"\"MEMBER\"", AUTHOR_EMPLOYEE},
	    {"\"COLLABORATOR\"", AUTHOR_EMPLOYEE},
	    {"\"CONTRIBUTOR\"", AUTHOR_COMMUNITY},
	    {"\"FIRST_TIMER\"", AUTHOR_COMMUNITY},
	    {"\"FIRST_TIME_CONTRIBUTOR\"", AUTHOR_COMMUNITY},
	    {"\"MANNEQUIN\"", AUTHOR_COMMUNITY},
	    {"\"NONE\"", AUTHOR_COMMUNITY},
	    {"\"member\"", AUTHOR_COMMUNITY}, /* GitHub sends upper case; nothing else is trusted */
	    {NULL, AUTHOR_COMMUNITY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *p = load(GH_DATA "issue_comment_created.json");
		mutate(p, "issue.author_association", cases[i].assoc);
		mutate(p, "comment.author_association", cases[i].assoc);
		struct mention out[2];
		struct err err = {0};
		cr_assert_eq(gh_webhook_to_mentions("issue_comment", p, out, NULL, &err), 2, "%s",
		             err.msg);
		const char *a = cases[i].assoc ? cases[i].assoc : "absent";
		cr_expect_eq(out[0].author_kind, cases[i].kind, "issue, %s", a);
		cr_expect_eq(out[1].author_kind, cases[i].kind, "comment, %s", a);
		mention_clear(&out[0]);
		mention_clear(&out[1]);
		json_decref(p);
	}
}

/* ---- time ---- */

Test(github_time, iso8601_to_unix_seconds)
{
	static const struct {
		const char *s;
		int64_t want;
	} good[] = {
	    {"2026-03-04T10:11:12Z", 1772619072},
	    {"1970-01-01T00:00:00Z", 0},
	    {"1969-12-31T23:59:59Z", -1},
	    {"2000-03-01T00:00:00Z", 951868800},
	    {"2024-02-29T23:59:59Z", 1709251199},
	    {"2100-03-01T00:00:00Z", 4107542400},
	    {"0000-01-01T00:00:00Z", -62167219200},
	    {"9999-12-31T23:59:59Z", 253402300799},
	    {"2026-03-04T10:11:12.345Z", 1772619072},
	    {"2026-03-04T12:11:12+02:00", 1772619072},
	    {"2026-03-04T05:11:12-05:00", 1772619072},
	    {"2026-03-04T10:41:12+00:30", 1772619072},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = 12345;
		cr_expect_eq(gh_time_parse(good[i].s, &t), 0, "%s", good[i].s);
		cr_expect_eq(t, good[i].want, "%s: %lld, want %lld", good[i].s, (long long)t,
		             (long long)good[i].want);
	}
	static const char *const bad[] = {
	    "",
	    "2026-03-04",
	    "2026-03-04T10:11Z",
	    "2026-03-04 10:11:12Z",
	    "2026-03-04T10:11:12",
	    "2026-03-04T10:11:12z",
	    "2026-03-04T10:11:12Zjunk",
	    "2026-13-01T00:00:00Z",
	    "2026-00-10T00:00:00Z",
	    "2026-02-29T00:00:00Z",
	    "2100-02-29T00:00:00Z",
	    "2026-04-31T00:00:00Z",
	    "2026-03-00T00:00:00Z",
	    "2026-03-04T24:00:00Z",
	    "2026-03-04T10:60:12Z",
	    "2026-03-04T10:11:61Z",
	    "2026-03-04T10:11:12.Z",
	    "2026-03-04T10:11:12+0200",
	    "2026-03-04T10:11:12+24:00",
	    "2026-03-04T1a:11:12Z",
	    "+026-03-04T10:11:12Z",
	    " 2026-03-04T10:11:12Z",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = 12345;
		cr_expect_eq(gh_time_parse(bad[i], &t), -1, "\"%s\" accepted", bad[i]);
		cr_expect_eq(t, 12345, "\"%s\": *out written on failure", bad[i]);
	}
	int64_t t;
	cr_expect_eq(gh_time_parse(NULL, &t), -1);
}

/* ---- Reddit ---- */

static json_t *reddit_child(json_t *listing, size_t i)
{
	cr_assert_str_eq(json_string_value(json_object_get(listing, "kind")), "Listing");
	json_t *children = json_object_get(json_object_get(listing, "data"), "children");
	json_t *child = json_array_get(children, i);
	cr_assert(child, "listing has no child %zu", i);
	cr_assert_str_eq(json_string_value(json_object_get(child, "kind")), "t3");
	return json_object_get(child, "data");
}

#define RD_PERMA "https://www.reddit.com/r/meshvpn/comments/"

static const struct want reddit_wants[] = {
    /* created_utc a real, edited false, flair lowercased */
    {.external_id = "t3_1j4k2q9",
     .kind = MENTION_POST,
     .author = "throughput_tina",
     .author_kind = AUTHOR_COMMUNITY,
     .title = "Feature request: per-app split tunneling on Windows",
     .body = "We run Meshwork on ~200 laptops. Please let us route only Teams and our ERP "
             "through the mesh. Right now everything under 10/8 goes through and calls stutter.",
     .url = RD_PERMA "1j4k2q9/feature_request_perapp_split_tunneling_on/",
     .labels = {"feature request"},
     .votes = 187,
     .created_at = 1772619072,
     .updated_at = 1772619072},
    /* created_utc an integer, edited a time */
    {.external_id = "t3_1j4m7zt",
     .kind = MENTION_POST,
     .author = "gdpr_greg",
     .author_kind = AUTHOR_COMMUNITY,
     .title = "Exit node selection by region?",
     .body = "Is there a way to force EU users onto EU exit nodes? Our DPO is asking.",
     .url = RD_PERMA "1j4m7zt/exit_node_selection_by_region/",
     .labels = {"question"},
     .votes = 42,
     .created_at = 1772700000,
     .updated_at = 1772703600},
    /* stickied mod link post: kept; edited true (old posts) means "some time" */
    {.external_id = "t3_1j4n0aa",
     .kind = MENTION_POST,
     .author = "meshwork_team",
     .author_kind = AUTHOR_COMMUNITY,
     .title = "Meshwork 2.3 released: faster NAT traversal",
     .body = "",
     .url = RD_PERMA "1j4n0aa/meshwork_23_released_faster_nat_traversal/",
     .votes = 512,
     .created_at = 1772500000,
     .updated_at = 1772500000},
    /* removed by a moderator */
    {.external_id = "t3_1j4p3rr",
     .kind = MENTION_POST,
     .author = "spam_account_9921",
     .author_kind = AUTHOR_COMMUNITY,
     .title = "Cheap VPN keys here!!!",
     .body = "[removed]",
     .url = RD_PERMA "1j4p3rr/cheap_vpn_keys_here/",
     .votes = 1,
     .deleted = true,
     .created_at = 1772710000,
     .updated_at = 1772710000},
    /* deleted by its author */
    {.external_id = "t3_1j4q8dd",
     .kind = MENTION_POST,
     .author = "[deleted]",
     .author_kind = AUTHOR_COMMUNITY,
     .title = "Does the mesh support IPv6-only sites?",
     .body = "[deleted]",
     .url = RD_PERMA "1j4q8dd/does_the_mesh_support_ipv6only_sites/",
     .votes = 3,
     .deleted = true,
     .created_at = 1772720000,
     .updated_at = 1772720000},
};

Test(reddit, listing_posts_map_every_field)
{
	json_t *listing = load(REDDIT_DATA "listing_new.json");
	for (size_t i = 0; i < sizeof(reddit_wants) / sizeof(reddit_wants[0]); i++) {
		struct mention m;
		mention_init(&m);
		struct err err = {0};
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "child %zu", i);
		cr_expect_eq(reddit_post_to_mention(reddit_child(listing, i), &m, &err), 1,
		             "%s: %s", ctx, err.msg);
		expect_mention(&m, SRC_REDDIT, &reddit_wants[i], ctx);
		mention_clear(&m);
	}
	json_decref(listing);
}

Test(reddit, deleted_when_removed_or_placeholder)
{
	static const struct {
		const char *path, *value;
		bool deleted;
	} cases[] = {
	    {"removed_by_category", "\"moderator\"", true},
	    {"removed_by_category", "\"reddit\"", true},
	    {"removed_by_category", "\"\"", true},
	    {"removed_by_category", "null", false},
	    {"removed_by_category", NULL, false},
	    {"author", "\"[deleted]\"", true},
	    {"selftext", "\"[removed]\"", true},
	    {"selftext", "\"[deleted]\"", true},
	    {"selftext", "\"I [removed] the old config\"", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *listing = load(REDDIT_DATA "listing_new.json");
		json_t *data = reddit_child(listing, 0);
		mutate(data, cases[i].path, cases[i].value);
		struct mention m;
		struct err err = {0};
		cr_assert_eq(reddit_post_to_mention(data, &m, &err), 1, "%s", err.msg);
		cr_expect_eq(m.deleted, cases[i].deleted, "%s = %s", cases[i].path,
		             cases[i].value ? cases[i].value : "absent");
		mention_clear(&m);
		json_decref(listing);
	}
}

Test(reddit, edited_false_true_or_a_time)
{
	static const struct {
		const char *edited; /* NULL: absent */
		int64_t updated;
	} cases[] = {
	    {"false", 1772619072},        {"true", 1772619072},       {NULL, 1772619072},
	    {"1772622672.0", 1772622672}, {"1772622672", 1772622672}, {"1772622672.9", 1772622672},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *listing = load(REDDIT_DATA "listing_new.json");
		json_t *data = reddit_child(listing, 0);
		mutate(data, "edited", cases[i].edited);
		struct mention m;
		struct err err = {0};
		cr_assert_eq(reddit_post_to_mention(data, &m, &err), 1, "%s", err.msg);
		cr_expect_eq(m.created_at, 1772619072);
		cr_expect_eq(m.updated_at, cases[i].updated, "edited %s: %lld",
		             cases[i].edited ? cases[i].edited : "absent", (long long)m.updated_at);
		mention_clear(&m);
		json_decref(listing);
	}
}

Test(reddit, score_stands_in_for_missing_ups)
{
	json_t *listing = load(REDDIT_DATA "listing_new.json");
	json_t *data = reddit_child(listing, 1);
	mutate(data, "ups", NULL);
	mutate(data, "score", "40");
	mutate(data, "link_flair_text", "null");
	struct mention m;
	struct err err = {0};
	cr_assert_eq(reddit_post_to_mention(data, &m, &err), 1, "%s", err.msg);
	cr_expect_eq(m.votes, 40);
	cr_expect_eq(m.nlabels, 0, "null flair is no label");
	mention_clear(&m);
	json_decref(listing);
}

Test(reddit, a_missing_or_mistyped_field_is_named)
{
	static const struct {
		const char *path, *value, *field;
	} cases[] = {
	    {"name", NULL, "data.name"},
	    {"name", "42", "data.name"},
	    {"name", "\"t1_kx9q2ab\"", "data.name"},
	    {"name", "\"t3_\"", "data.name"},
	    {"title", NULL, "data.title"},
	    {"title", "null", "data.title"},
	    {"selftext", NULL, "data.selftext"},
	    {"selftext", "false", "data.selftext"},
	    {"author", NULL, "data.author"},
	    {"author", "{}", "data.author"},
	    {"permalink", NULL, "data.permalink"},
	    {"permalink", "\"r/meshvpn/comments/1j4k2q9/\"", "data.permalink"},
	    {"created_utc", NULL, "data.created_utc"},
	    {"created_utc", "\"1772619072\"", "data.created_utc"},
	    {"created_utc", "-5", "data.created_utc"},
	    {"created_utc", "-0.5", "data.created_utc"},
	    {"created_utc", "1e300", "data.created_utc"},
	    {"created_utc", "99999999999999", "data.created_utc"},
	    {"edited", "\"yesterday\"", "data.edited"},
	    {"edited", "-1", "data.edited"},
	    {"edited", "1e300", "data.edited"},
	    {"ups", "\"187\"", "data.ups"},
	    {"ups", "187.0", "data.ups"},
	    {"link_flair_text", "5", "data.link_flair_text"},
	    {"removed_by_category", "true", "data.removed_by_category"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *listing = load(REDDIT_DATA "listing_new.json");
		json_t *data = reddit_child(listing, 0);
		mutate(data, cases[i].path, cases[i].value);
		struct mention m;
		mention_init(&m);
		struct err err = {0};
		const char *v = cases[i].value ? cases[i].value : "dropped";
		cr_expect_eq(reddit_post_to_mention(data, &m, &err), -1, "%s %s", cases[i].path, v);
		cr_expect_str_eq(err.field, cases[i].field, "%s %s: field \"%s\"", cases[i].path, v,
		                 err.field);
		cr_expect_null(m.external_id, "%s %s: *m written on failure", cases[i].path, v);
		json_decref(listing);
	}
	/* both ups and score gone */
	json_t *listing = load(REDDIT_DATA "listing_new.json");
	json_t *data = reddit_child(listing, 0);
	mutate(data, "ups", NULL);
	mutate(data, "score", NULL);
	struct mention m;
	struct err err = {0};
	cr_expect_eq(reddit_post_to_mention(data, &m, &err), -1);
	cr_expect_str_eq(err.field, "data.ups");
	cr_expect_eq(reddit_post_to_mention(NULL, &m, &err), -1);
	cr_expect_str_eq(err.field, "data");
	cr_expect_eq(reddit_post_to_mention(json_object_get(listing, "kind"), &m, NULL), -1);
	json_decref(listing);
}
