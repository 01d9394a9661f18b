/* connectors/github.c - GitHub issues, discussions and their comments as
 * mentions. Everything that arrives here is untrusted input from the network
 * (a webhook body) or from an upstream reply, so every field is type-checked
 * before use and a bad one is reported by its JSON path; nothing is assumed
 * about key order or about keys we do not read. */
#include "connectors/github.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest "owner/name" GitHub allows is 39 + 1 + 100; a little slack. */
#define GH_REPO_MAX 160

/* ---- small checked accessors; each names the field it rejects ---- */

static int bad_field(struct err *err, const char *prefix, const char *key, const char *what)
{
	char field[64];
	snprintf(field, sizeof(field), "%s.%s", prefix, key);
	return err_set_field(err, field, "GitHub payload: %s %s", field, what);
}

/* Required string; when nullable, null and absent read as "". */
static int get_str(const json_t *obj, const char *prefix, const char *key, bool nullable,
                   const char **out, struct err *err)
{
	const json_t *v = json_object_get(obj, key);
	if (nullable && (!v || json_is_null(v))) {
		*out = "";
		return 0;
	}
	if (!v)
		return bad_field(err, prefix, key, "is missing");
	if (!json_is_string(v))
		return bad_field(err, prefix, key, "must be a string");
	*out = json_string_value(v);
	return 0;
}

/* Required positive integer (issue numbers, comment ids). */
static int get_id(const json_t *obj, const char *prefix, const char *key, json_int_t *out,
                  struct err *err)
{
	const json_t *v = json_object_get(obj, key);
	if (!v)
		return bad_field(err, prefix, key, "is missing");
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return bad_field(err, prefix, key, "must be a positive integer");
	*out = json_integer_value(v);
	return 0;
}

static int get_time(const json_t *obj, const char *prefix, const char *key, int64_t *out,
                    struct err *err)
{
	const char *s = NULL;
	if (get_str(obj, prefix, key, false, &s, err) < 0)
		return -1;
	if (gh_time_parse(s, out) < 0)
		return bad_field(err, prefix, key,
		                 "must be an ISO-8601 time like 2026-03-04T10:11:12Z");
	return 0;
}

static int set_str(char **dst, const char *s, struct err *err)
{
	*dst = strdup(s);
	return *dst ? 0 : err_set(err, "out of memory");
}

static int set_fmt(char **dst, struct err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_fmt(char **dst, struct err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(dst, fmt, ap);
	va_end(ap);
	if (n < 0) {
		*dst = NULL;
		return err_set(err, "out of memory");
	}
	return 0;
}

/* ---- the parts every issue, discussion and comment shares ---- */

/* OWNER, MEMBER and COLLABORATOR can push or belong to the org: they are us.
 * CONTRIBUTOR (merged a PR once), FIRST_TIMER, NONE, ... are the community. */
static int get_author(const json_t *obj, const char *prefix, struct mention *m, struct err *err)
{
	char sub[64];
	snprintf(sub, sizeof(sub), "%s.user", prefix);
	const json_t *user = json_object_get(obj, "user");
	if (!user)
		return bad_field(err, prefix, "user", "is missing");
	if (!json_is_object(user))
		return bad_field(err, prefix, "user", "must be an object");
	const char *login = NULL;
	if (get_str(user, sub, "login", false, &login, err) < 0)
		return -1;
	if (!*login)
		return bad_field(err, sub, "login", "must not be empty");

	const char *assoc = NULL;
	if (get_str(obj, prefix, "author_association", true, &assoc, err) < 0)
		return -1;
	m->author_kind = (strcmp(assoc, "OWNER") == 0 || strcmp(assoc, "MEMBER") == 0 ||
	                  strcmp(assoc, "COLLABORATOR") == 0)
	                     ? AUTHOR_EMPLOYEE
	                     : AUTHOR_COMMUNITY;
	return set_str(&m->author, login, err);
}

/* Positive reactions only ("+1", heart, hooray, rocket): "-1", confused and
 * laugh are not demand. Absent reactions count 0; a mistyped count is an
 * error, not a silent 0. The sum is clamped so a hostile payload cannot
 * overflow an int. */
static int get_votes(const json_t *obj, const char *prefix, int *out, struct err *err)
{
	static const char *const keys[] = {"+1", "heart", "hooray", "rocket"};
	const json_t *r = json_object_get(obj, "reactions");
	*out = 0;
	if (!r || json_is_null(r))
		return 0;
	char sub[64];
	snprintf(sub, sizeof(sub), "%s.reactions", prefix);
	if (!json_is_object(r))
		return bad_field(err, prefix, "reactions", "must be an object");
	json_int_t sum = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const json_t *v = json_object_get(r, keys[i]);
		if (!v)
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 1000000000)
			return bad_field(err, sub, keys[i], "must be a non-negative integer");
		sum += json_integer_value(v);
	}
	*out = sum > 2000000000 ? 2000000000 : (int)sum;
	return 0;
}

static int add_label(struct mention *m, const char *name, struct err *err)
{
	char *low = strdup(name);
	if (!low)
		return err_set(err, "out of memory");
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	int before = m->nlabels;
	mention_add_label(m, low);
	free(low);
	if (m->nlabels > before && !m->labels[m->nlabels - 1]) {
		m->nlabels--; /* mention_add_label's strdup failed */
		return err_set(err, "out of memory");
	}
	return 0;
}

/* labels[] items are label objects ({"name": ...}); the REST schema also
 * allows plain strings. Absent or null means none. */
static int get_labels(const json_t *obj, const char *prefix, struct mention *m, struct err *err)
{
	const json_t *labels = json_object_get(obj, "labels");
	if (!labels || json_is_null(labels))
		return 0;
	if (!json_is_array(labels))
		return bad_field(err, prefix, "labels", "must be an array");
	size_t i;
	const json_t *l;
	json_array_foreach(labels, i, l)
	{
		char sub[64];
		snprintf(sub, sizeof(sub), "%s.labels[%zu]", prefix, i);
		const char *name = NULL;
		if (json_is_string(l))
			name = json_string_value(l);
		else if (!json_is_object(l))
			return err_set_field(err, sub, "GitHub payload: %s must be a label object",
			                     sub);
		else if (get_str(l, sub, "name", false, &name, err) < 0)
			return -1;
		if (*name && add_label(m, name, err) < 0)
			return -1;
	}
	return 0;
}

/* Fills what every GitHub object shares: author, body, url, votes, times. */
static int fill_common(const json_t *obj, const char *prefix, struct mention *m, struct err *err)
{
	const char *body = NULL, *url = NULL;
	m->source = SRC_GITHUB;
	m->is_public = true;
	if (get_author(obj, prefix, m, err) < 0 ||
	    get_str(obj, prefix, "html_url", false, &url, err) < 0 ||
	    get_str(obj, prefix, "body", true, &body, err) < 0 ||
	    get_votes(obj, prefix, &m->votes, err) < 0 ||
	    get_time(obj, prefix, "created_at", &m->created_at, err) < 0 ||
	    get_time(obj, prefix, "updated_at", &m->updated_at, err) < 0)
		return -1;
	if (!*url)
		return bad_field(err, prefix, "html_url", "must not be empty");
	if (set_str(&m->url, url, err) < 0 || set_str(&m->body, body, err) < 0)
		return -1;
	return 0;
}

/* "owner/name": one slash, both parts non-empty, GitHub's name characters
 * only. It becomes part of every external_id, so nothing odd gets through. */
static bool valid_repo(const char *s)
{
	if (!s || !*s || strlen(s) > GH_REPO_MAX)
		return false;
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (const char *p = s; *p; p++)
		if (!(*p == '/' || *p == '-' || *p == '_' || *p == '.' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

/* ---- one object each: issue, issue comment, discussion, discussion comment ---- */

/* The post-like objects (issues and discussions) differ only in their id. */
static int post_mention(const json_t *obj, const char *prefix, const char *repo, bool discussion,
                        bool pub, struct mention *out, struct err *err)
{
	if (!json_is_object(obj))
		return err_set_field(err, prefix, "GitHub payload: %s %s", prefix,
		                     obj ? "must be an object" : "is missing");
	if (!discussion && json_object_get(obj, "pull_request"))
		return 0;

	struct mention m;
	mention_init(&m);
	json_int_t number = 0;
	const char *title = NULL;
	m.kind = MENTION_POST;
	if (get_id(obj, prefix, "number", &number, err) < 0 ||
	    get_str(obj, prefix, "title", false, &title, err) < 0 ||
	    fill_common(obj, prefix, &m, err) < 0 || get_labels(obj, prefix, &m, err) < 0 ||
	    set_str(&m.title, title, err) < 0)
		goto fail;
	m.is_public = pub;
	if ((discussion
	         ? set_fmt(&m.external_id, err, "%s/discussions/%" JSON_INTEGER_FORMAT, repo,
	                   number)
	         : set_fmt(&m.external_id, err, "%s#%" JSON_INTEGER_FORMAT, repo, number)) < 0)
		goto fail;
	*out = m;
	return 1;
fail:
	mention_clear(&m);
	return -1;
}

/* A comment under post (already parsed): its id is the post's plus
 * "/comments/ID", so the same comment always maps to the same mention. */
static int comment_mention(const json_t *obj, const char *prefix, const struct mention *post,
                           struct mention *out, struct err *err)
{
	if (!json_is_object(obj))
		return err_set_field(err, prefix, "GitHub payload: %s %s", prefix,
		                     obj ? "must be an object" : "is missing");
	struct mention m;
	mention_init(&m);
	json_int_t id = 0;
	m.kind = MENTION_COMMENT;
	if (get_id(obj, prefix, "id", &id, err) < 0 || fill_common(obj, prefix, &m, err) < 0 ||
	    set_str(&m.title, "", err) < 0 ||
	    set_str(&m.parent_external_id, post->external_id, err) < 0 ||
	    set_fmt(&m.external_id, err, "%s/comments/%" JSON_INTEGER_FORMAT, post->external_id,
	            id) < 0) {
		mention_clear(&m);
		return -1;
	}
	m.is_public = post->is_public; /* a comment is as private as its repository */
	*out = m;
	return 1;
}

/* Whether a repository object says anyone may read it: "private" false
 * and "visibility" (when GitHub sends it) "public". Anything else - a
 * private or internal repository, a missing or mistyped flag - keeps its
 * issues private: their titles, links and demand never go outside. */
static bool repository_public(const json_t *repository)
{
	const json_t *vis = json_object_get(repository, "visibility");
	return json_is_false(json_object_get(repository, "private")) &&
	       (!vis || (json_is_string(vis) && strcmp(json_string_value(vis), "public") == 0));
}

int gh_repository_visibility(const json_t *answer, const char *repo, bool *is_public,
                             struct err *err)
{
	const json_t *name = json_is_object(answer) ? json_object_get(answer, "full_name") : NULL;
	if (!json_is_string(name) || strcasecmp(json_string_value(name), repo) != 0)
		return err_set(err, "%.140s: GitHub's answer does not describe this repository",
		               repo);
	const json_t *vis = json_object_get(answer, "visibility");
	if (!json_is_boolean(json_object_get(answer, "private")) || (vis && !json_is_string(vis)))
		return err_set(err,
		               "%.140s: GitHub's answer does not say whether the repository is "
		               "private",
		               repo);
	*is_public = repository_public(answer);
	return 0;
}

int gh_issue_to_mention(const json_t *issue, const char *repo, struct mention *m, struct err *err)
{
	if (!valid_repo(repo))
		return err_set_field(err, "repo", "GitHub repository \"%s\" is not \"owner/name\"",
		                     repo ? repo : "(null)");
	/* an issue that names its repository (a webhook's, some listings) says
	 * for itself; a configured repository's listing names none */
	const json_t *own = json_is_object(issue) ? json_object_get(issue, "repository") : NULL;
	bool pub = json_is_object(own) ? repository_public(own) : true;
	return post_mention(issue, "issue", repo, false, pub, m, err);
}

/* ---- webhook deliveries ---- */

enum gh_act { ACT_IGNORE, ACT_STATE, ACT_GONE };

/* Per event: the actions that carry the object's current state, and those
 * after which it no longer exists here (deleted, or moved to another repo:
 * the new copy arrives from that repo's own hook or sync). Anything else,
 * including actions GitHub adds later, is ignored rather than guessed at. */
struct gh_event {
	const char *name;
	const char *const *state;
	const char *const *gone;
	const char *post_key;    /* "issue" or "discussion" */
	const char *comment_key; /* "comment", or NULL for the post events */
};

static const char *const issue_state[] = {
    "opened", "edited",   "reopened", "closed",     "labeled",    "unlabeled",
    "pinned", "unpinned", "assigned", "unassigned", "milestoned", "demilestoned",
    "locked", "unlocked", "typed",    "untyped",    NULL};
static const char *const post_gone[] = {"deleted", "transferred", NULL};
static const char *const comment_state[] = {"created", "edited", "pinned", "unpinned", NULL};
static const char *const comment_gone[] = {"deleted", NULL};
static const char *const discussion_state[] = {
    "created",   "edited", "closed",   "reopened", "answered", "unanswered",       "labeled",
    "unlabeled", "locked", "unlocked", "pinned",   "unpinned", "category_changed", NULL};

static const struct gh_event gh_events[] = {
    {"issues", issue_state, post_gone, "issue", NULL},
    {"issue_comment", comment_state, comment_gone, "issue", "comment"},
    {"discussion", discussion_state, post_gone, "discussion", NULL},
    {"discussion_comment", comment_state, comment_gone, "discussion", "comment"},
};

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

static int ignored(const char **reason, const char *why)
{
	if (reason)
		*reason = why;
	return 0;
}

/* What the payload's action means for event ev: 0 and *act, or -1 and *err
 * when there is no action. */
static int payload_action(const struct gh_event *ev, const json_t *payload, enum gh_act *act,
                          struct err *err)
{
	const json_t *jaction = json_object_get(payload, "action");
	if (!json_is_string(jaction))
		return err_set_field(err, "action", "GitHub payload: action %s",
		                     jaction ? "must be a string" : "is missing");
	const char *action = json_string_value(jaction);
	*act = in_list(ev->gone, action)    ? ACT_GONE
	       : in_list(ev->state, action) ? ACT_STATE
	                                    : ACT_IGNORE;
	return 0;
}

/* The payload's repository object and its full_name, "owner/name" (both
 * borrowed from payload): 0, or -1 and *err. */
static int payload_repo(const json_t *payload, const json_t **repository, const char **repo,
                        struct err *err)
{
	const json_t *r = json_object_get(payload, "repository");
	if (!json_is_object(r))
		return err_set_field(err, "repository", "GitHub payload: repository %s",
		                     r ? "must be an object" : "is missing");
	if (get_str(r, "repository", "full_name", false, repo, err) < 0)
		return -1;
	if (!valid_repo(*repo))
		return err_set_field(err, "repository.full_name",
		                     "GitHub payload: repository.full_name \"%.200s\" is not "
		                     "\"owner/name\"",
		                     *repo);
	*repository = r;
	return 0;
}

int gh_webhook_to_mentions(const char *event, const json_t *payload, struct mention out[2],
                           const char **ignored_reason, struct err *err)
{
	if (!event || !*event)
		return err_set_field(err, "X-GitHub-Event", "the X-GitHub-Event header is missing");
	if (strcmp(event, "ping") == 0)
		return ignored(ignored_reason, "ping");
	const struct gh_event *ev = NULL;
	for (size_t i = 0; i < sizeof(gh_events) / sizeof(gh_events[0]); i++)
		if (strcmp(gh_events[i].name, event) == 0)
			ev = &gh_events[i];
	if (!ev)
		return ignored(ignored_reason, "event ignored");
	if (!json_is_object(payload))
		return err_set_field(err, "payload", "GitHub payload must be a JSON object");

	enum gh_act act = ACT_IGNORE;
	if (payload_action(ev, payload, &act, err) < 0)
		return -1;
	if (act == ACT_IGNORE)
		return ignored(ignored_reason, "action ignored");
	const json_t *repository = NULL;
	const char *repo = NULL;
	if (payload_repo(payload, &repository, &repo, err) < 0)
		return -1;

	bool discussion = strcmp(ev->post_key, "discussion") == 0;
	struct mention post;
	int rc = post_mention(json_object_get(payload, ev->post_key), ev->post_key, repo,
	                      discussion, repository_public(repository), &post, err);
	if (rc <= 0)
		return rc < 0 ? -1 : ignored(ignored_reason, "pull request");
	if (!ev->comment_key) {
		post.deleted = act == ACT_GONE;
		out[0] = post;
		return 1;
	}
	/* A comment's deletion leaves its post alone: the post goes out as it is. */
	struct mention comment;
	if (comment_mention(json_object_get(payload, ev->comment_key), ev->comment_key, &post,
	                    &comment, err) < 0) {
		mention_clear(&post);
		return -1;
	}
	comment.deleted = act == ACT_GONE;
	out[0] = post;
	out[1] = comment;
	return 2;
}

/* ---- time ---- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil, for years 0..9999). No timegm(): no TZ, no locale. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400; /* floor: year 0000's Jan/Feb is y = -1 */
	int yoe = y - era * 400;
	int mp = (m + 9) % 12;
	int doy = (153 * mp + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

int gh_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	if (!s || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
	    digits(s + 8, 2, &d) < 0 || s[10] != 'T' || digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' || digits(s + 17, 2, &sec) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (digits(p + 1, 2, &oh) < 0 || p[3] != ':' || digits(p + 4, 2, &om) < 0 ||
		    oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	       sign * (oh * 3600 + om * 60);
	return 0;
}
