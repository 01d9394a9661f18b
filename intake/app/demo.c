/* intake/app/demo.c - see demo.h. The demo file keeps the upstream shapes (a
 * subset of GitHub's issue and comment objects, Reddit listing children, a
 * CRM export), so it goes through the real parsers; fields the subset leaves
 * out are filled with GitHub's defaults first. */
#include "intake/app/demo.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/github.h"
#include "connectors/reddit.h"
#include "db/demo.h"
#include "intake/decide/actions.h"
#include "intake/ingest/ingest.h"
#include "intake/sync/sales_import.h"
#include "triage/embed.h"

extern const struct embedded_file intake_demo_files[];

#define DEMO_REPO "meshco/mesh"

static void default_str(json_t *obj, const char *key, const char *value)
{
	if (!json_object_get(obj, key))
		json_object_set_new(obj, key, json_string(value));
}

/* One load: its transaction, and how far it has come for a progress bar
 * (one step per record of the data set: an issue with its comments, a post,
 * a note, an employee idea). */
struct demo_run {
	struct ingest_tx tx;
	demo_progress_fn *progress; /* NULL: nobody watches */
	void *progress_arg;
	int done, total;
};

static void step(struct demo_run *r)
{
	r->done++;
	if (r->progress)
		r->progress(r->done, r->total, r->progress_arg);
}

static int ingest_all(struct ingest_tx *t, struct mention *ms, int n, struct err *err)
{
	for (int i = 0; i < n; i++) {
		struct ingest_result r;
		int rc = ingest_one(t, &ms[i], "triage", &r, err);
		mention_clear(&ms[i]);
		if (rc < 0) {
			for (int k = i + 1; k < n; k++)
				mention_clear(&ms[k]);
			return -1;
		}
	}
	return 0;
}

static int load_github(struct demo_run *r, json_t *issues, int *count, struct err *err)
{
	size_t i, k;
	json_t *issue, *comment;
	json_array_foreach(issues, i, issue)
	{
		default_str(issue, "author_association", "NONE");
		const char *url = json_string_value(json_object_get(issue, "html_url"));
		json_t *comments = json_incref(json_object_get(issue, "comments_list"));
		json_object_del(issue, "comments_list");
		struct mention m;
		int rc = gh_issue_to_mention(issue, DEMO_REPO, &m, err);
		if (rc < 0 || (rc == 1 && ingest_all(&r->tx, &m, 1, err) < 0)) {
			json_decref(comments);
			return err_set(err, "demo GitHub issue %zu: %s", i, err->msg);
		}
		*count += rc;
		json_array_foreach(comments, k, comment)
		{
			char curl[512];
			snprintf(curl, sizeof(curl), "%s#issuecomment-%lld", url ? url : "",
				 (long long)json_integer_value(json_object_get(comment, "id")));
			default_str(comment, "author_association", "NONE");
			default_str(comment, "html_url", curl);
			if (!json_object_get(comment, "updated_at"))
				json_object_set(comment, "updated_at",
						json_object_get(comment, "created_at"));
			json_t *payload = json_pack("{s:s, s:O, s:O, s:{s:s}}", "action", "created",
						    "issue", issue, "comment", comment,
						    "repository", "full_name", DEMO_REPO);
			struct mention ms[2];
			int n = gh_webhook_to_mentions("issue_comment", payload, ms, NULL, err);
			json_decref(payload);
			if (n < 0 || ingest_all(&r->tx, ms, n, err) < 0) {
				json_decref(comments);
				return err_set(err, "demo GitHub comment on issue %zu: %s", i, err->msg);
			}
			*count += n > 1;
		}
		json_decref(comments);
		step(r);
	}
	return 0;
}

static int load_reddit(struct demo_run *r, json_t *posts, int *count, struct err *err)
{
	size_t i;
	json_t *post;
	json_array_foreach(posts, i, post)
	{
		struct mention m;
		int rc = reddit_post_to_mention(post, &m, err);
		if (rc < 0 || (rc == 1 && ingest_all(&r->tx, &m, 1, err) < 0))
			return err_set(err, "demo Reddit post %zu: %s", i, err->msg);
		*count += rc;
		step(r);
	}
	return 0;
}

static int load_employees(struct demo_run *r, json_t *ideas, int *count, struct err *err)
{
	size_t i;
	json_t *idea;
	json_array_foreach(ideas, i, idea)
	{
		struct mention m;
		mention_init(&m);
		m.source = SRC_EMPLOYEE;
		m.author_kind = AUTHOR_EMPLOYEE;
		const char *fields[] = {"external_id", "title", "body", "author", "email"};
		char **dst[] = {&m.external_id, &m.title, &m.body, &m.author, &m.author_email};
		for (int f = 0; f < 5; f++) {
			const char *v = json_string_value(json_object_get(idea, fields[f]));
			*dst[f] = v ? strdup(v) : NULL;
		}
		int64_t when = 0;
		const char *created = json_string_value(json_object_get(idea, "created_at"));
		if (created && gh_time_parse(created, &when) == 0)
			m.created_at = m.updated_at = when;
		if (ingest_all(&r->tx, &m, 1, err) < 0)
			return err_set(err, "demo employee idea %zu: %s", i, err->msg);
		(*count)++;
		step(r);
	}
	return 0;
}

static int load_sales(struct demo_run *r, json_t *notes, int *count, struct err *err)
{
	char *text = json_dumps(notes, JSON_COMPACT);
	struct sales_batch b = {0};
	int rc = sales_parse_json(text, strlen(text), &b, err);
	free(text);
	if (rc < 0)
		return -1;
	if (b.nerrors) {
		err_set(err, "demo sales note %d: %s", b.errors[0].line, b.errors[0].msg);
		sales_batch_clear(&b);
		return -1;
	}
	for (int i = 0; i < b.nmentions && rc == 0; i++) {
		struct ingest_result res;
		rc = ingest_one(&r->tx, &b.mentions[i], "triage", &res, err);
		step(r);
	}
	*count += b.nmentions;
	sales_batch_clear(&b);
	return rc;
}

/* A product team's first triage pass over the demo backlog, so the roadmaps
 * have something to show: the best-ranked ideas with a public thread get a
 * status and an audience (every decision audited as "demo"); a few of the
 * rest are declined with a reason. Done once. */
static int demo_triage(PGconn *c, struct triage_ctx *t, struct err *err)
{
	int64_t *ids = NULL;
	int n = 0;
	if (db_demo_untriaged(c, 48, &ids, &n, err) < 0)
		return -1;
	static const char *const plan[] = {
	    "{\"status\":\"in_progress\",\"visibility\":\"public\",\"stage\":\"beta\"}",
	    "{\"status\":\"in_progress\",\"visibility\":\"customer\",\"stage\":\"alpha\"}",
	    "{\"status\":\"planned\",\"visibility\":\"public\"}",
	    "{\"status\":\"planned\",\"visibility\":\"public\"}",
	    "{\"status\":\"planned\",\"visibility\":\"customer\"}",
	    "{\"status\":\"under_review\",\"visibility\":\"public\"}",
	    "{\"status\":\"under_review\",\"visibility\":\"public\"}",
	    "{\"status\":\"shipped\",\"visibility\":\"public\",\"stage\":\"ga\",\"disclosed\":true}",
	};
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		const char *decision = i < 40 ? plan[i % 8]
					      : "{\"status\":\"declined\",\"declined_reason\":"
						"\"Out of scope for the next two quarters; revisit at planning.\"}";
		json_t *ch = json_loads(decision, 0, NULL);
		int changed = 0;
		rc = idea_update(c, t, ids[i], ch, "demo", &changed, err) < 0 ? -1 : 0;
		json_decref(ch);
	}
	free(ids);
	return rc;
}

int demo_load(PGconn *c, struct triage_ctx *t, demo_progress_fn *progress, void *progress_arg,
	      struct demo_counts *out, struct err *err)
{
	const struct embedded_file *f = embedded_find(intake_demo_files, "demo.json");
	if (!f)
		return err_set(err, "the demo data set is not in this binary");
	json_error_t jerr;
	json_t *root = json_loadb((const char *)f->data, f->len, 0, &jerr);
	if (!root)
		return err_set(err, "demo.json line %d: %s", jerr.line, jerr.text);
	json_t *issues = json_object_get(root, "github_issues"),
	       *posts = json_object_get(root, "reddit_posts"),
	       *notes = json_object_get(root, "sales_notes"),
	       *employees = json_object_get(root, "employee_ideas");
	struct demo_counts n = {0};
	struct demo_run r = {.progress = progress, .progress_arg = progress_arg,
			     .total = (int)(json_array_size(issues) + json_array_size(posts) +
					    json_array_size(notes) + json_array_size(employees))};
	int rc = ingest_begin(&r.tx, c, t, err);
	if (rc == 0)
		rc = load_github(&r, issues, &n.github, err);
	if (rc == 0)
		rc = load_reddit(&r, posts, &n.reddit, err);
	if (rc == 0)
		rc = load_sales(&r, notes, &n.sales, err);
	if (rc == 0)
		rc = load_employees(&r, employees, &n.employee, err);
	json_decref(root);
	if (rc == 0)
		rc = demo_triage(c, t, err);
	if (rc == 0)
		rc = ingest_commit(&r.tx, err);
	if (rc < 0) {
		ingest_rollback(&r.tx);
		return -1;
	}
	n.ideas = (int)db_demo_idea_count(c);
	*out = n;
	return 0;
}
