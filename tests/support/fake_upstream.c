/* tests/support/fake_upstream.c - see fake_upstream.h. One event loop thread;
 * the data and the request log are guarded by one mutex that the test thread
 * and the loop share. Nothing here uses Criterion, so the benchmark's
 * standalone server links it too. */
#include "fake_upstream.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "connectors/github.h"

#define BASE_TIME 1767225600 /* 2026-01-01T00:00:00Z */
#define MAX_REPOS 8
#define MAX_SUBS 8

struct issue {
	int number;
	int64_t created, updated;
	char *title;
	bool pr, deleted;
};

struct repo {
	char name[128];
	char visibility[16]; /* "public" (also when empty), "private" or "internal" */
	struct issue *issues;
	int n, cap;
};

struct post {
	int64_t created;
	char *title, *flair;
	bool removed;
};

struct sub {
	char name[32];
	struct post *posts; /* oldest first */
	int n, cap;
};

struct req {
	char method[8];
	char *target;  /* path?query */
	char *headers; /* "Name: value\n"... */
	int status;
};

struct pending; /* a delayed answer */
struct drip;    /* a body sent a byte at a time */

struct canned {
	char path_part[200];
	int count, status, drip_ms;
	char *headers[16];
	char *body;
	size_t len;
};

struct fake {
	pthread_t thread;
	struct event_base *base;
	struct evhttp *http;
	int port;
	char url[64];
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct repo repos[MAX_REPOS];
	int nrepos;
	struct sub subs[MAX_SUBS];
	int nsubs;
	int64_t clock; /* last updated_at handed out */
	char client_id[64], client_secret[64];
	int token_seq;
	char token[64];
	enum fake_fault fault;
	int fault_count, fault_arg, fault_page;
	struct req *reqs;
	int nreqs, capreqs;
	long served; /* for X-RateLimit-Remaining */
	struct pending *pendings;
	struct canned canned;
	struct drip *drips;
};

struct drip {
	struct fake *f;
	struct evhttp_request *req;
	struct event *timer;
	char *body;
	size_t len, sent;
	int ms;
	bool cancelled;
	struct drip *next;
};

struct pending {
	struct fake *f;
	struct evhttp_request *req;
	struct event *timer;
	int status;
	struct evbuffer *body;
	bool cancelled;
	struct pending *next;
};

/* ---- data ---- */

static const char *const words[] = {
    "exit",     "node",       "acl",      "sso",     "dns",        "kubernetes", "operator",
    "metrics",  "latency",    "split",    "tunnel",  "windows",    "macos",      "android",
    "posture",  "device",     "workload", "identity", "terraform", "api",        "sdk",
    "ci",       "ephemeral",  "logging",  "audit",   "export",     "webhook",    "saml",
    "scim",     "okta",       "relay",    "derp",    "ipv6",       "subnet",     "router",
    "funnel",   "serve",      "https",    "cert",    "mfa",        "key",        "expiry",
    "tags",     "groups",     "policy",   "tests",   "preview",    "dashboard",  "search"};
#define NWORDS (int)(sizeof(words) / sizeof(words[0]))

/* Deterministic, varied titles: three words picked by a hash of the number. */
static char *make_title(const char *prefix, int n)
{
	uint32_t h = (uint32_t)n * 2654435761u;
	char *t = NULL;
	if (asprintf(&t, "%s %d: support %s %s with %s", prefix, n, words[h % NWORDS],
		     words[(h >> 8) % NWORDS], words[(h >> 16) % NWORDS]) < 0)
		abort();
	return t;
}

static struct repo *repo_get(struct fake *f, const char *name, bool create)
{
	for (int i = 0; i < f->nrepos; i++)
		if (strcmp(f->repos[i].name, name) == 0)
			return &f->repos[i];
	if (!create || f->nrepos == MAX_REPOS)
		return NULL;
	struct repo *r = &f->repos[f->nrepos++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static struct sub *sub_get(struct fake *f, const char *name, bool create)
{
	for (int i = 0; i < f->nsubs; i++)
		if (strcasecmp(f->subs[i].name, name) == 0)
			return &f->subs[i];
	if (!create || f->nsubs == MAX_SUBS)
		return NULL;
	struct sub *s = &f->subs[f->nsubs++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

void fake_github_add(struct fake *f, const char *repo, int n, int pr_every)
{
	pthread_mutex_lock(&f->mu);
	struct repo *r = repo_get(f, repo, true);
	for (int i = 0; r && i < n; i++) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 128;
			r->issues = realloc(r->issues, (size_t)r->cap * sizeof(*r->issues));
		}
		struct issue *is = &r->issues[r->n];
		memset(is, 0, sizeof(*is));
		is->number = ++r->n;
		f->clock += 60;
		is->created = f->clock - 30;
		is->updated = f->clock;
		is->pr = pr_every > 0 && is->number % pr_every == 0;
		is->title = make_title(is->pr ? "Fix" : "Feature", is->number);
	}
	pthread_mutex_unlock(&f->mu);
}

void fake_github_visibility(struct fake *f, const char *repo, const char *visibility)
{
	pthread_mutex_lock(&f->mu);
	struct repo *r = repo_get(f, repo, true);
	if (r)
		snprintf(r->visibility, sizeof(r->visibility), "%s", visibility);
	pthread_mutex_unlock(&f->mu);
}

void fake_github_edit(struct fake *f, const char *repo, int number, const char *title)
{
	pthread_mutex_lock(&f->mu);
	struct repo *r = repo_get(f, repo, false);
	if (r && number >= 1 && number <= r->n) {
		free(r->issues[number - 1].title);
		r->issues[number - 1].title = strdup(title);
		f->clock += 60;
		r->issues[number - 1].updated = f->clock;
	}
	pthread_mutex_unlock(&f->mu);
}

void fake_github_delete(struct fake *f, const char *repo, int number)
{
	pthread_mutex_lock(&f->mu);
	struct repo *r = repo_get(f, repo, false);
	if (r && number >= 1 && number <= r->n)
		r->issues[number - 1].deleted = true;
	pthread_mutex_unlock(&f->mu);
}

void fake_reddit_credentials(struct fake *f, const char *id, const char *secret)
{
	pthread_mutex_lock(&f->mu);
	snprintf(f->client_id, sizeof(f->client_id), "%s", id);
	snprintf(f->client_secret, sizeof(f->client_secret), "%s", secret);
	pthread_mutex_unlock(&f->mu);
}

void fake_reddit_add(struct fake *f, const char *sub, int n, const char *flair,
		     const char *title_word)
{
	pthread_mutex_lock(&f->mu);
	struct sub *s = sub_get(f, sub, true);
	for (int i = 0; s && i < n; i++) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 128;
			s->posts = realloc(s->posts, (size_t)s->cap * sizeof(*s->posts));
		}
		struct post *p = &s->posts[s->n++];
		memset(p, 0, sizeof(*p));
		f->clock += 60;
		p->created = f->clock;
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "%s%sPost", title_word ? title_word : "",
			 title_word ? " " : "");
		p->title = make_title(prefix, s->n);
		p->flair = flair ? strdup(flair) : NULL;
	}
	pthread_mutex_unlock(&f->mu);
}

void fake_reddit_remove(struct fake *f, const char *sub, int idx)
{
	pthread_mutex_lock(&f->mu);
	struct sub *s = sub_get(f, sub, false);
	if (s && idx >= 0 && idx < s->n)
		s->posts[idx].removed = true;
	pthread_mutex_unlock(&f->mu);
}

void fake_fault(struct fake *f, enum fake_fault fault, int count, int arg, int page)
{
	pthread_mutex_lock(&f->mu);
	f->fault = fault;
	f->fault_count = count;
	f->fault_arg = arg;
	f->fault_page = page;
	pthread_mutex_unlock(&f->mu);
}

/* ---- request log ---- */

static bool req_matches(const struct req *r, const char *path_part, const char *query_part)
{
	const char *q = strchr(r->target, '?');
	size_t plen = q ? (size_t)(q - r->target) : strlen(r->target);
	if (path_part) {
		char *path = strndup(r->target, plen);
		bool ok = strstr(path, path_part) != NULL;
		free(path);
		if (!ok)
			return false;
	}
	return !query_part || (q && strstr(q + 1, query_part));
}

int fake_nrequests(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	int n = f->nreqs;
	pthread_mutex_unlock(&f->mu);
	return n;
}

int fake_count(struct fake *f, const char *path_part, const char *query_part)
{
	pthread_mutex_lock(&f->mu);
	int n = 0;
	for (int i = 0; i < f->nreqs; i++)
		n += req_matches(&f->reqs[i], path_part, query_part);
	pthread_mutex_unlock(&f->mu);
	return n;
}

int fake_count_status(struct fake *f, const char *path_part, int status)
{
	pthread_mutex_lock(&f->mu);
	int n = 0;
	for (int i = 0; i < f->nreqs; i++)
		n += req_matches(&f->reqs[i], path_part, NULL) && f->reqs[i].status == status;
	pthread_mutex_unlock(&f->mu);
	return n;
}

char *fake_request_header(struct fake *f, int i, const char *name)
{
	char *v = NULL;
	pthread_mutex_lock(&f->mu);
	if (i < 0)
		i += f->nreqs;
	if (i >= 0 && i < f->nreqs) {
		size_t n = strlen(name);
		for (const char *l = f->reqs[i].headers; *l;) {
			const char *end = strchr(l, '\n');
			if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
				const char *s = l + n + 1;
				while (*s == ' ')
					s++;
				v = strndup(s, (size_t)(end - s));
			}
			l = end + 1;
		}
	}
	pthread_mutex_unlock(&f->mu);
	return v;
}

char *fake_request_target(struct fake *f, int i)
{
	char *v = NULL;
	pthread_mutex_lock(&f->mu);
	if (i < 0)
		i += f->nreqs;
	if (i >= 0 && i < f->nreqs)
		v = strdup(f->reqs[i].target);
	pthread_mutex_unlock(&f->mu);
	return v;
}

void fake_reset_requests(struct fake *f)
{
	pthread_mutex_lock(&f->mu);
	for (int i = 0; i < f->nreqs; i++) {
		free(f->reqs[i].target);
		free(f->reqs[i].headers);
	}
	f->nreqs = 0;
	pthread_mutex_unlock(&f->mu);
}

int fake_wait(struct fake *f, const char *path_part, const char *query_part, int n,
	      int timeout_ms)
{
	int got = 0;
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		got = fake_count(f, path_part, query_part);
		if (got >= n)
			break;
		usleep(20 * 1000);
	}
	return got;
}

/* Records the request; returns its index (under the lock). */
static int record(struct fake *f, struct evhttp_request *req)
{
	struct req r = {0};
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: strcpy(r.method, "GET"); break;
	case EVHTTP_REQ_POST: strcpy(r.method, "POST"); break;
	default: strcpy(r.method, "OTHER"); break;
	}
	r.target = strdup(evhttp_request_get_uri(req));
	char *h = NULL;
	size_t hl = 0;
	FILE *m = open_memstream(&h, &hl);
	struct evkeyval *kv;
	TAILQ_FOREACH(kv, evhttp_request_get_input_headers(req), next)
	fprintf(m, "%s: %s\n", kv->key, kv->value);
	fclose(m);
	r.headers = h;
	if (f->nreqs == f->capreqs) {
		f->capreqs = f->capreqs ? f->capreqs * 2 : 256;
		f->reqs = realloc(f->reqs, (size_t)f->capreqs * sizeof(*f->reqs));
	}
	f->reqs[f->nreqs] = r;
	return f->nreqs++;
}

/* ---- answers ---- */

static void iso(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *issue_json(const struct fake *f, const struct repo *r, const struct issue *is)
{
	char created[32], updated[32], url[300], html[300];
	iso(is->created, created);
	iso(is->updated, updated);
	snprintf(url, sizeof(url), "%s/repos/%s/issues/%d", f->url, r->name, is->number);
	snprintf(html, sizeof(html), "https://github.com/%s/%s/%d", r->name,
		 is->pr ? "pull" : "issues", is->number);
	int up = is->number % 7, heart = is->number % 3 == 0;
	char login[32], node[40];
	snprintf(login, sizeof(login), "user%d", is->number % 97);
	snprintf(node, sizeof(node), "I_kwDOAfake%06d", is->number);
	json_t *labels = json_array();
	if (is->number % 4 == 0)
		json_array_append_new(labels, json_pack("{s:i, s:s, s:s, s:s, s:b, s:s}", "id",
							 208045946, "node_id", "MDU6TGFiZWwyMDgwNDU5NDY=",
							 "name", "enhancement", "color", "a2eeef",
							 "default", 1, "description",
							 "New feature or request"));
	if (is->number % 10 == 0)
		json_array_append_new(labels, json_pack("{s:i, s:s, s:s, s:s, s:b}", "id", 208045947,
							 "node_id", "MDU6TGFiZWwyMDgwNDU5NDc=",
							 "name", "security", "color", "d73a4a",
							 "default", 0));
	json_t *j = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:i, s:s, s:{s:s, s:i, s:s, s:s, s:b},"
	    " s:o, s:s, s:b, s:n, s:[], s:n, s:i, s:s, s:s, s:n, s:s, s:n, s:s,"
	    " s:{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:n}",
	    "url", url, "repository_url", f->url, "html_url", html, "id",
	    (json_int_t)(100000 + is->number), "node_id", node, "number", is->number, "title",
	    is->title, "user", "login", login, "id", 5000 + is->number % 97, "node_id",
	    "MDQ6VXNlcjE=", "type", "User", "site_admin", 0, "labels", labels, "state",
	    is->number % 5 == 0 ? "closed" : "open", "locked", 0, "assignee", "assignees",
	    "milestone", "comments", is->number % 9, "created_at", created, "updated_at", updated,
	    "closed_at", "author_association", is->number % 50 == 0 ? "MEMBER" : "NONE",
	    "active_lock_reason", "body",
	    "It would help our team a lot if this worked.\n\n### Use case\nWe run many nodes.",
	    "reactions", "url", url, "total_count", up + heart, "+1", up, "-1", 0, "laugh", 0,
	    "hooray", 0, "confused", 0, "heart", heart, "rocket", 0, "eyes", 0, "state_reason");
	if (is->pr)
		json_object_set_new(j, "pull_request",
				    json_pack("{s:s, s:s, s:s, s:s, s:n}", "url", url, "html_url",
					      html, "diff_url", html, "patch_url", html,
					      "merged_at"));
	return j;
}

static int cmp_updated(const void *a, const void *b)
{
	const struct issue *x = *(struct issue *const *)a, *y = *(struct issue *const *)b;
	if (x->updated != y->updated)
		return x->updated < y->updated ? -1 : 1;
	return x->number - y->number;
}

/* FNV-1a of the body: the same listing gives the same ETag. */
static void etag_of(const char *s, size_t n, char out[40])
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	snprintf(out, 40, "W/\"%016llx\"", (unsigned long long)h);
}

struct answer {
	int status;
	struct evbuffer *body; /* NULL: no body */
	struct evkeyvalq *out;
};

static const char *qget(struct evkeyvalq *q, const char *k)
{
	return evhttp_find_header(q, k);
}

/* GET /repos/{o}/{n}/issues */
static void github_issues(struct fake *f, struct evhttp_request *req, const char *repo_name,
			  struct evkeyvalq *q, struct answer *a)
{
	struct repo *r = repo_get(f, repo_name, false);
	if (!r) {
		a->status = 404;
		evbuffer_add_printf(a->body, "{\"message\":\"Not Found\",\"documentation_url\":"
					     "\"https://docs.github.com/rest/issues/issues\"}");
		return;
	}
	int64_t since = 0;
	const char *s = qget(q, "since");
	if (s && gh_time_parse(s, &since) < 0) {
		a->status = 422;
		evbuffer_add_printf(a->body, "{\"message\":\"Validation Failed\"}");
		return;
	}
	int per_page = qget(q, "per_page") ? atoi(qget(q, "per_page")) : 30;
	if (per_page < 1 || per_page > 100)
		per_page = 30;
	int page = qget(q, "page") ? atoi(qget(q, "page")) : 1;
	if (page < 1)
		page = 1;
	bool desc = !qget(q, "direction") || strcmp(qget(q, "direction"), "desc") == 0;
	struct issue **list = malloc((size_t)(r->n + 1) * sizeof(*list));
	int n = 0;
	for (int i = 0; i < r->n; i++)
		if (!r->issues[i].deleted && r->issues[i].updated >= since)
			list[n++] = &r->issues[i];
	qsort(list, (size_t)n, sizeof(*list), cmp_updated);
	json_t *arr = json_array();
	int first = (page - 1) * per_page;
	for (int k = 0; k < per_page && first + k < n; k++) {
		int idx = desc ? n - 1 - (first + k) : first + k;
		json_array_append_new(arr, issue_json(f, r, list[idx]));
	}
	free(list);
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	char etag[40];
	etag_of(text, strlen(text), etag);
	evhttp_add_header(a->out, "ETag", etag);
	const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		a->status = 304;
		free(text);
		return;
	}
	evbuffer_add(a->body, text, strlen(text));
	free(text);
	int last = n ? (n + per_page - 1) / per_page : 1;
	if (page < last) {
		/* the same query with page replaced, as GitHub does */
		char base[1024];
		int o = snprintf(base, sizeof(base), "%s/repos/%s/issues?", f->url, r->name);
		struct evkeyval *kv;
		TAILQ_FOREACH(kv, q, next)
		{
			if (strcmp(kv->key, "page") == 0)
				continue;
			char *e = evhttp_encode_uri(kv->value);
			o += snprintf(base + o, sizeof(base) - (size_t)o, "%s=%s&", kv->key, e);
			free(e);
		}
		char link[2300];
		snprintf(link, sizeof(link), "<%spage=%d>; rel=\"next\", <%spage=%d>; rel=\"last\"",
			 base, page + 1, base, last);
		evhttp_add_header(a->out, "Link", link);
	}
	a->status = 200;
}

/* GET /repos/{o}/{n}: a few fields of GitHub's "get a repository" answer,
 * those the connector reads among them, with an ETag that changes when the
 * answer does (as GitHub's does: a new issue changes open_issues_count). */
static void github_repo(struct fake *f, struct evhttp_request *req, const char *owner,
			const char *repo_name, struct answer *a)
{
	struct repo *r = repo_get(f, repo_name, false);
	if (!r) { /* also what GitHub answers for a private repository we cannot see */
		a->status = 404;
		evbuffer_add_printf(a->body, "{\"message\":\"Not Found\",\"documentation_url\":"
					     "\"https://docs.github.com/rest/repos/repos#get-a-repository\"}");
		return;
	}
	const char *vis = *r->visibility ? r->visibility : "public";
	int open = 0;
	for (int i = 0; i < r->n; i++)
		open += !r->issues[i].deleted && r->issues[i].number % 5 != 0;
	char url[300], html[300], issues[320];
	snprintf(url, sizeof(url), "%s/repos/%s", f->url, r->name);
	snprintf(html, sizeof(html), "https://github.com/%s", r->name);
	snprintf(issues, sizeof(issues), "%s/issues{/number}", url);
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:b, s:s, s:{s:s, s:i, s:s}, s:s, s:n, s:b,"
			      " s:s, s:s, s:s, s:b, s:b, s:b, s:i}",
			      "id", (json_int_t)(1296269 + (r - f->repos)), "node_id",
			      "R_kgDOfakerepo", "name", strchr(r->name, '/') + 1, "full_name",
			      r->name, "private", strcmp(vis, "public") != 0, "visibility", vis,
			      "owner", "login", owner, "id", 1, "type", "Organization", "html_url",
			      html, "description", "fork", 0, "url", url, "issues_url", issues,
			      "default_branch", "main", "has_issues", 1, "archived", 0, "disabled",
			      0, "open_issues_count", open);
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	char etag[40];
	etag_of(text, strlen(text), etag);
	evhttp_add_header(a->out, "ETag", etag);
	const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
	if (inm && strcmp(inm, etag) == 0)
		a->status = 304;
	else {
		a->status = 200;
		evbuffer_add(a->body, text, strlen(text));
	}
	free(text);
}

static void add_github_limits(struct fake *f, struct evkeyvalq *out)
{
	char v[32];
	long remaining = 5000 - (f->served % 5000);
	snprintf(v, sizeof(v), "%ld", remaining);
	evhttp_add_header(out, "X-RateLimit-Limit", "5000");
	evhttp_add_header(out, "X-RateLimit-Remaining", v);
	snprintf(v, sizeof(v), "%ld", (long)time(NULL) + 3600);
	evhttp_add_header(out, "X-RateLimit-Reset", v);
	snprintf(v, sizeof(v), "%ld", f->served % 5000);
	evhttp_add_header(out, "X-RateLimit-Used", v);
	evhttp_add_header(out, "X-RateLimit-Resource", "core");
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(const char *in, char *out)
{
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
}

/* POST /api/v1/access_token */
static void reddit_token(struct fake *f, struct evhttp_request *req, struct answer *a)
{
	char pair[200], want[300];
	snprintf(pair, sizeof(pair), "%s:%s", f->client_id, f->client_secret);
	strcpy(want, "Basic ");
	base64(pair, want + 6);
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *body = calloc(1, len + 1);
	evbuffer_copyout(in, body, len);
	bool grant = strstr(body, "grant_type=client_credentials") != NULL;
	free(body);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST || !auth || strcmp(auth, want) != 0) {
		a->status = 401;
		evbuffer_add_printf(a->body, "{\"message\": \"Unauthorized\", \"error\": 401}");
		return;
	}
	if (!grant) {
		a->status = 200; /* Reddit answers 200 with an error member */
		evbuffer_add_printf(a->body, "{\"error\": \"unsupported_grant_type\"}");
		return;
	}
	snprintf(f->token, sizeof(f->token), "fake-token-%d", ++f->token_seq);
	a->status = 200;
	evbuffer_add_printf(a->body,
			    "{\"access_token\": \"%s\", \"token_type\": \"bearer\", "
			    "\"expires_in\": 86400, \"scope\": \"*\"}",
			    f->token);
}

static json_t *post_json(const struct sub *s, int idx)
{
	const struct post *p = &s->posts[idx];
	char id[16], name[20], permalink[200], url[300], author[32];
	snprintf(id, sizeof(id), "p%05d", idx + 1);
	snprintf(name, sizeof(name), "t3_%s", id);
	snprintf(permalink, sizeof(permalink), "/r/%s/comments/%s/post_%d/", s->name, id, idx + 1);
	snprintf(url, sizeof(url), "https://www.reddit.com%s", permalink);
	snprintf(author, sizeof(author), "redditor%d", idx % 41);
	char prefixed[40];
	snprintf(prefixed, sizeof(prefixed), "r/%s", s->name);
	int ups = 1 + idx % 25;
	json_t *d = json_pack(
	    "{s:n, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:f, s:f, s:f, s:i, s:s, s:s, s:s,"
	    " s:b, s:b, s:b, s:b, s:s, s:i}",
	    "approved_at_utc", "subreddit", s->name, "selftext",
	    p->removed ? "[removed]" : "Would love to see this in the next release.", "author_fullname",
	    "t2_abc", "title", p->title, "subreddit_name_prefixed", prefixed, "name", name, "ups",
	    ups, "score", ups, "upvote_ratio", 0.93, "created", (double)p->created, "created_utc",
	    (double)p->created, "num_comments", idx % 11, "permalink", permalink, "url", url, "id",
	    id, "is_self", 1, "over_18", 0, "stickied", 0, "edited", 0, "author",
	    p->removed ? "[deleted]" : author, "gilded", 0);
	json_object_set_new(d, "link_flair_text", p->flair ? json_string(p->flair) : json_null());
	json_object_set_new(d, "removed_by_category",
			    p->removed ? json_string("moderator") : json_null());
	return json_pack("{s:s, s:o}", "kind", "t3", "data", d);
}

/* GET /r/{sub}/new */
static void reddit_new(struct fake *f, struct evhttp_request *req, const char *sub_name,
		       struct evkeyvalq *q, struct answer *a)
{
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	if (!auth || strncasecmp(auth, "bearer ", 7) != 0 || !f->token[0] ||
	    strcmp(auth + 7, f->token) != 0) {
		a->status = 401;
		evbuffer_add_printf(a->body, "{\"message\": \"Unauthorized\", \"error\": 401}");
		return;
	}
	struct sub *s = sub_get(f, sub_name, false);
	int limit = qget(q, "limit") ? atoi(qget(q, "limit")) : 25;
	if (limit < 1 || limit > 100)
		limit = 25;
	int start = s ? s->n - 1 : -1; /* newest first */
	const char *after = qget(q, "after");
	if (after && s)
		for (int i = 0; i < s->n; i++) {
			char name[20];
			snprintf(name, sizeof(name), "t3_p%05d", i + 1);
			if (strcmp(name, after) == 0)
				start = i - 1;
		}
	json_t *children = json_array();
	int i = start, k = 0;
	for (; s && i >= 0 && k < limit; i--, k++)
		json_array_append_new(children, post_json(s, i));
	char next[20];
	if (s && i >= 0)
		snprintf(next, sizeof(next), "t3_p%05d", i + 2);
	json_t *j = json_pack("{s:s, s:{s:o, s:o, s:i, s:s, s:o, s:n}}", "kind", "Listing", "data",
			      "after", s && i >= 0 ? json_string(next) : json_null(), "before",
			      json_null(), "dist", k, "modhash", "", "children", children,
			      "geo_filter");
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	evbuffer_add(a->body, text, strlen(text));
	free(text);
	evhttp_add_header(a->out, "X-Ratelimit-Used", "1");
	evhttp_add_header(a->out, "X-Ratelimit-Remaining", "995.0");
	evhttp_add_header(a->out, "X-Ratelimit-Reset", "300");
	a->status = 200;
}

/* ---- delayed answers ---- */

static void send_pending(struct pending *p)
{
	evhttp_connection_set_closecb(evhttp_request_get_connection(p->req), NULL, NULL);
	evhttp_send_reply(p->req, p->status, "OK", p->body);
}

static void pending_unlink_free(struct pending *p)
{
	struct fake *f = p->f;
	for (struct pending **pp = &f->pendings; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	event_free(p->timer);
	evbuffer_free(p->body);
	free(p);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	(void)fd;
	(void)what;
	if (!p->cancelled)
		send_pending(p);
	pending_unlink_free(p);
}

static void on_close(struct evhttp_connection *c, void *arg)
{
	struct pending *p = arg;
	(void)c;
	p->cancelled = true; /* the request is freed with the connection */
}

static void reply_later(struct fake *f, struct evhttp_request *req, int status,
			struct evbuffer *body, int ms)
{
	struct pending *p = calloc(1, sizeof(*p));
	p->f = f;
	p->req = req;
	p->status = status;
	p->body = evbuffer_new();
	evbuffer_add_buffer(p->body, body);
	p->timer = evtimer_new(f->base, on_timer, p);
	p->next = f->pendings;
	f->pendings = p;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_close, p);
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	evtimer_add(p->timer, &tv);
}

/* ---- canned (hostile) answers ---- */

static void canned_clear(struct canned *c)
{
	for (int i = 0; i < 16; i++)
		free(c->headers[i]);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

void fake_canned(struct fake *f, const char *path_part, int count, int status,
                 const char *const *headers, const void *body, size_t len, int drip_ms)
{
	pthread_mutex_lock(&f->mu);
	canned_clear(&f->canned);
	snprintf(f->canned.path_part, sizeof(f->canned.path_part), "%s", path_part);
	f->canned.count = count;
	f->canned.status = status;
	f->canned.drip_ms = drip_ms;
	for (int i = 0; headers && headers[i] && i < 15; i++)
		f->canned.headers[i] = strdup(headers[i]);
	f->canned.body = malloc(len + 1);
	memcpy(f->canned.body, body, len);
	f->canned.len = len;
	pthread_mutex_unlock(&f->mu);
}

static void drip_unlink_free(struct drip *d)
{
	/* a client that hung up leaves the request detached, ours to free:
	 * ending a reply without a connection frees it */
	if (d->cancelled)
		evhttp_send_reply_end(d->req);
	for (struct drip **pp = &d->f->drips; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	event_free(d->timer);
	free(d->body);
	free(d);
}

static void on_drip(evutil_socket_t fd, short what, void *arg)
{
	struct drip *d = arg;
	(void)fd;
	(void)what;
	if (d->cancelled) {
		drip_unlink_free(d);
		return;
	}
	if (d->sent == d->len) {
		evhttp_connection_set_closecb(evhttp_request_get_connection(d->req), NULL, NULL);
		evhttp_send_reply_end(d->req);
		drip_unlink_free(d);
		return;
	}
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, d->body + d->sent++, 1);
	evhttp_send_reply_chunk(d->req, b);
	evbuffer_free(b);
	struct timeval tv = {d->ms / 1000, (d->ms % 1000) * 1000};
	evtimer_add(d->timer, &tv);
}

static void on_drip_close(struct evhttp_connection *c, void *arg)
{
	(void)c;
	((struct drip *)arg)->cancelled = true;
}

/* Sends the canned answer when it applies (under f->mu); true when it did. */
static bool send_canned(struct fake *f, struct evhttp_request *req, const char *path, int ri)
{
	struct canned *c = &f->canned;
	if (c->count <= 0 || !path || !strstr(path, c->path_part))
		return false;
	c->count--;
	f->reqs[ri].status = c->status;
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	for (int i = 0; c->headers[i]; i++) {
		char name[128];
		const char *colon = strchr(c->headers[i], ':');
		snprintf(name, sizeof(name), "%.*s", (int)(colon - c->headers[i]), c->headers[i]);
		evhttp_remove_header(out, name);
		evhttp_add_header(out, name, colon + 1 + strspn(colon + 1, " "));
	}
	if (c->drip_ms <= 0) {
		struct evbuffer *b = evbuffer_new();
		evbuffer_add(b, c->body, c->len);
		evhttp_send_reply(req, c->status, "Canned", b);
		evbuffer_free(b);
		return true;
	}
	struct drip *d = calloc(1, sizeof(*d));
	d->f = f;
	d->req = req;
	d->ms = c->drip_ms;
	d->body = malloc(c->len + 1);
	memcpy(d->body, c->body, c->len);
	d->len = c->len;
	d->timer = evtimer_new(f->base, on_drip, d);
	d->next = f->drips;
	f->drips = d;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_drip_close, d);
	evhttp_send_reply_start(req, c->status, "Canned");
	struct timeval tv = {0, 1000};
	evtimer_add(d->timer, &tv);
	return true;
}

/* ---- dispatch ---- */

static bool take_fault(struct fake *f, bool github, struct evkeyvalq *q, enum fake_fault *out,
		       int *arg)
{
	if (f->fault == FAULT_NONE || f->fault_count <= 0)
		return false;
	if (f->fault_page > 0) {
		const char *pg = qget(q, "page");
		if (!github || (pg ? atoi(pg) : 1) != f->fault_page)
			return false;
	}
	*out = f->fault;
	*arg = f->fault_arg;
	if (--f->fault_count == 0)
		f->fault = FAULT_NONE;
	return true;
}

static void handle(struct evhttp_request *req, void *arg)
{
	struct fake *f = arg;
	pthread_mutex_lock(&f->mu);
	int ri = record(f, req);
	f->served++;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = evhttp_uri_get_path(uri);
	if (send_canned(f, req, path, ri)) {
		pthread_mutex_unlock(&f->mu);
		return;
	}
	const char *query = evhttp_uri_get_query(uri);
	struct evkeyvalq q;
	TAILQ_INIT(&q);
	if (query)
		evhttp_parse_query_str(query, &q);
	struct answer a = {.status = 404, .body = evbuffer_new(),
			   .out = evhttp_request_get_output_headers(req)};
	evhttp_add_header(a.out, "Content-Type", "application/json; charset=utf-8");
	char owner[64], name[100], sub[40], rest[40];
	enum fake_fault fault = FAULT_NONE;
	int farg = 0;
	bool listing = false;
	int end = 0;
	if (path && sscanf(path, "/repos/%63[^/]/%99[^/]%n", owner, name, &end) == 2 &&
	    path[end] == '\0') {
		char repo[170];
		snprintf(repo, sizeof(repo), "%s/%s", owner, name);
		add_github_limits(f, a.out);
		github_repo(f, req, owner, repo, &a);
	} else if (path && sscanf(path, "/repos/%63[^/]/%99[^/]/%39s", owner, name, rest) == 3 &&
	    strcmp(rest, "issues") == 0) {
		char repo[170];
		snprintf(repo, sizeof(repo), "%s/%s", owner, name);
		listing = true;
		take_fault(f, true, &q, &fault, &farg);
		add_github_limits(f, a.out);
		if (fault == FAULT_RATE_403) {
			char reset[32];
			snprintf(reset, sizeof(reset), "%ld", (long)time(NULL) + farg);
			evhttp_remove_header(a.out, "X-RateLimit-Remaining");
			evhttp_remove_header(a.out, "X-RateLimit-Reset");
			evhttp_add_header(a.out, "X-RateLimit-Remaining", "0");
			evhttp_add_header(a.out, "X-RateLimit-Reset", reset);
			a.status = 403;
			evbuffer_add_printf(a.body, "{\"message\":\"API rate limit exceeded for "
						    "127.0.0.1.\",\"documentation_url\":"
						    "\"https://docs.github.com/rest/overview/"
						    "rate-limits-for-the-rest-api\"}");
		} else if (fault == FAULT_RATE_429) {
			char ra[16];
			snprintf(ra, sizeof(ra), "%d", farg);
			evhttp_add_header(a.out, "Retry-After", ra);
			a.status = 429;
			evbuffer_add_printf(a.body, "{\"message\":\"You have exceeded a secondary "
						    "rate limit.\"}");
		} else if (fault == FAULT_500) {
			a.status = 500;
			evbuffer_add_printf(a.body, "{\"message\":\"Server Error\"}");
		} else {
			github_issues(f, req, repo, &q, &a);
		}
	} else if (path && sscanf(path, "/repos/%63[^/]/%99[^/]/issues/%d", owner, name, &farg) == 3) {
		/* GET one issue: 410 Gone once deleted, as GitHub answers */
		char repo[170];
		snprintf(repo, sizeof(repo), "%s/%s", owner, name);
		add_github_limits(f, a.out);
		struct repo *r = repo_get(f, repo, false);
		if (!r || farg < 1 || farg > r->n) {
			a.status = 404;
			evbuffer_add_printf(a.body, "{\"message\":\"Not Found\"}");
		} else if (r->issues[farg - 1].deleted) {
			a.status = 410;
			evbuffer_add_printf(a.body, "{\"message\":\"This issue was deleted\","
						    "\"documentation_url\":\"https://docs.github.com/rest/"
						    "issues/issues#get-an-issue\"}");
		} else {
			a.status = 200;
			json_t *j = issue_json(f, r, &r->issues[farg - 1]);
			char *text = json_dumps(j, JSON_COMPACT);
			evbuffer_add(a.body, text, strlen(text));
			free(text);
			json_decref(j);
		}
		farg = 0;
	} else if (path && strcmp(path, "/api/v1/access_token") == 0) {
		reddit_token(f, req, &a);
	} else if (path && sscanf(path, "/r/%39[^/]/%39s", sub, rest) == 2 &&
		   strcmp(rest, "new") == 0) {
		listing = true;
		take_fault(f, false, &q, &fault, &farg);
		if (fault == FAULT_TOKEN_401)
			f->token[0] = '\0'; /* the token expired early */
		if (fault == FAULT_RATE_429) {
			char ra[16];
			snprintf(ra, sizeof(ra), "%d", farg);
			evhttp_add_header(a.out, "Retry-After", ra);
			evhttp_add_header(a.out, "X-Ratelimit-Remaining", "0.0");
			evhttp_add_header(a.out, "X-Ratelimit-Reset", ra);
			a.status = 429;
			evbuffer_add_printf(a.body, "{\"message\": \"Too Many Requests\", \"error\": 429}");
		} else if (fault == FAULT_500) {
			a.status = 500;
			evbuffer_add_printf(a.body, "{\"message\": \"Internal Server Error\"}");
		} else {
			reddit_new(f, req, sub, &q, &a);
		}
	} else {
		evbuffer_add_printf(a.body, "{\"message\":\"Not Found\"}");
	}
	evhttp_clear_headers(&q);
	f->reqs[ri].status = a.status;
	(void)listing;
	if (fault == FAULT_MALFORMED && a.status == 200) {
		size_t len = evbuffer_get_length(a.body);
		evbuffer_drain(a.body, len);
		evbuffer_add_printf(a.body, "[{\"id\": 1, \"number\": 1, \"title\": \"broken");
	} else if (fault == FAULT_TRUNCATE && a.status == 200) {
		size_t len = evbuffer_get_length(a.body);
		char cl[32];
		snprintf(cl, sizeof(cl), "%zu", len);
		evhttp_add_header(a.out, "Content-Length", cl);
		evhttp_add_header(a.out, "Connection", "close");
		evbuffer_drain(a.body, len - len / 2); /* keep the first half only */
		struct evbuffer *half = evbuffer_new();
		evbuffer_add_buffer(half, a.body);
		evbuffer_free(a.body);
		a.body = half;
	}
	pthread_mutex_unlock(&f->mu);
	if (fault == FAULT_DELAY)
		reply_later(f, req, a.status, a.body, farg);
	else
		evhttp_send_reply(req, a.status, a.status == 304 ? "Not Modified" : "OK",
				  a.status == 304 ? NULL : a.body);
	evbuffer_free(a.body);
}

/* ---- lifecycle ---- */

static void *loop(void *arg)
{
	struct fake *f = arg;
	event_base_dispatch(f->base);
	return NULL;
}

static void threads_once(void)
{
	evthread_use_pthreads();
}

struct fake *fake_start(int port)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, threads_once);
	struct fake *f = calloc(1, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->clock = BASE_TIME;
	snprintf(f->client_id, sizeof(f->client_id), "fake-client");
	snprintf(f->client_secret, sizeof(f->client_secret), "fake-secret");
	f->base = event_base_new();
	f->http = evhttp_new(f->base);
	evhttp_set_allowed_methods(f->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(f->http, handle, f);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(f->http, "127.0.0.1",
									(uint16_t)port);
	if (!bs) {
		evhttp_free(f->http);
		event_base_free(f->base);
		free(f);
		return NULL;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &sl);
	f->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
	pthread_create(&f->thread, NULL, loop, f);
	return f;
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct fake *f = arg;
	event_base_loopbreak(f->base);
}

void fake_stop(struct fake *f)
{
	if (!f)
		return;
	event_base_once(f->base, -1, EV_TIMEOUT, stop_cb, f, NULL);
	pthread_join(f->thread, NULL);
	evhttp_free(f->http); /* closes connections: pending answers are cancelled */
	while (f->pendings)
		pending_unlink_free(f->pendings);
	while (f->drips)
		drip_unlink_free(f->drips);
	canned_clear(&f->canned);
	event_base_free(f->base);
	for (int i = 0; i < f->nrepos; i++) {
		for (int k = 0; k < f->repos[i].n; k++)
			free(f->repos[i].issues[k].title);
		free(f->repos[i].issues);
	}
	for (int i = 0; i < f->nsubs; i++) {
		for (int k = 0; k < f->subs[i].n; k++) {
			free(f->subs[i].posts[k].title);
			free(f->subs[i].posts[k].flair);
		}
		free(f->subs[i].posts);
	}
	fake_reset_requests(f);
	free(f->reqs);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cond);
	free(f);
}

int fake_port(const struct fake *f)
{
	return f->port;
}

const char *fake_url(const struct fake *f)
{
	return f->url;
}
