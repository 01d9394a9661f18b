/* connectors/github_source.c - GitHub issues over REST, one page per batch.
 *
 * Cursor: {"repos": {"owner/name": {"since", "next", "walk_max", "etag",
 * "etag_since"}}}. A walk lists issues updated at or after `since`, oldest
 * update first, following Link rel="next". While a walk is under way `next`
 * holds the URL of the page after the last committed one and `walk_max` the
 * newest updated_at seen so far; a restart continues from `next`, so no page
 * is fetched twice. When the walk ends, `since` becomes walk_max: the items
 * updated in that very second are listed again next time (since is
 * inclusive), which is harmless because ingest is idempotent, while a
 * strictly-later watermark could skip an item updated in the same second.
 *
 * Conditional requests: the ETag of a first page is kept with the `since` it
 * answered. The next run asks for the same URL with If-None-Match, and a 304
 * (free on GitHub's rate limit) ends the repository's run with nothing
 * changed. So after a sync that found something, the next sync costs one
 * plain request per repository (it re-reads the boundary items), and every
 * sync after that, until something changes, one 304.
 *
 * Rate limits: X-RateLimit-Remaining 0 with X-RateLimit-Reset, or a 403/429
 * with Retry-After (secondary limits), become retry_after; until then the
 * connector sends nothing. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors/github.h"
#include "connectors/source.h"

#define GH_API_VERSION "2022-11-28"
#define GH_PER_PAGE 100

struct gh_state {
	const struct connector_config *cfg;
	struct chttp *http;
	int pos;              /* index of the repository this run is on */
	time_t blocked_until; /* rate limited: no request before this */
};

static void *gh_create(const struct connector_config *cfg, bool *configured, struct err *err)
{
	struct gh_state *s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	*configured = cfg->github_nrepos > 0;
	for (int i = 0; i < cfg->github_nrepos; i++)
		for (const char *p = cfg->github_repos[i]; *p; p++)
			if (!(isalnum((unsigned char)*p) || strchr("-_./", *p))) {
				free(s);
				err_set_field(err, "connectors.github.repos",
				              "GitHub repository \"%.140s\" has characters a "
				              "repository name cannot have",
				              cfg->github_repos[i]);
				return NULL;
			}
	if (!(s->http = source_http_new(cfg, err))) {
		free(s);
		return NULL;
	}
	return s;
}

static void gh_destroy(void *state)
{
	struct gh_state *s = state;
	if (!s)
		return;
	chttp_free(s->http);
	free(s);
}

static void gh_rewind(void *state)
{
	((struct gh_state *)state)->pos = 0;
}

static const char *str_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The repository's cursor object inside root (borrowed; created if absent). */
static json_t *repo_cursor(json_t *root, const char *repo)
{
	json_t *repos = json_object_get(root, "repos");
	if (!json_is_object(repos)) {
		repos = json_object();
		json_object_set_new(root, "repos", repos);
	}
	json_t *st = json_object_get(repos, repo);
	if (!json_is_object(st)) {
		st = json_object();
		json_object_set_new(repos, repo, st);
	}
	return st;
}

/* Sets key to s, or removes it when s is NULL. */
static void set_or_del(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, json_string(s));
	else
		json_object_del(obj, key);
}

static int rate_limited(struct gh_state *s, const struct chttp_response *r, long *retry_after,
                        const char *repo, struct err *err)
{
	const char *remaining = chttp_header(r, "X-RateLimit-Remaining");
	const char *reset = chttp_header(r, "X-RateLimit-Reset");
	const char *retry = chttp_header(r, "Retry-After");
	time_t now = time(NULL);
	long wait = 0;
	if (retry)
		wait = source_retry_after(retry);
	else if (remaining && atol(remaining) == 0 && reset)
		wait = atol(reset) - (long)now;
	else if (r->status == 429)
		wait = 60;
	else
		return 0; /* a 403 that is not a rate limit: no access */
	if (wait < 1)
		wait = 1;
	if (wait > 86400)
		wait = 86400;
	s->blocked_until = now + wait;
	*retry_after = wait;
	err_set(err, "%s: rate limited by GitHub (HTTP %ld); retrying in %ld s", repo, r->status,
	        wait);
	return 1;
}

/* GitHub's error body is {"message": ...}: worth showing, but capped. */
static void upstream_message(const struct chttp_response *r, char *out, size_t outlen)
{
	json_t *j = json_loadb(r->body, r->len, 0, NULL);
	const char *m = j ? str_of(j, "message") : NULL;
	snprintf(out, outlen, "%.200s", m ? m : "");
	json_decref(j);
}

/* Builds the first page's URL for repo from since (may be NULL). */
static char *first_url(const struct gh_state *s, const char *repo, const char *since)
{
	char *url = NULL;
	const char *base = s->cfg->github_api_url;
	size_t bl = strlen(base);
	int n = asprintf(&url,
	                 "%.*s/repos/%s/issues?state=all&sort=updated&direction=asc&per_page=%d%s%s",
	                 (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base, repo, GH_PER_PAGE,
	                 since ? "&since=" : "", since ? since : "");
	return n < 0 ? NULL : url;
}

/* Reads one page's issues into b; *max_upd/max_s: the newest updated_at. */
static int read_page(const struct chttp_response *r, const char *repo, struct connector_batch *b,
                     int64_t *max_upd, char *max_s, size_t max_len, struct err *err)
{
	json_error_t jerr;
	json_t *arr = json_loadb(r->body, r->len, 0, &jerr);
	if (!arr)
		return err_set(err, "%s: GitHub sent malformed JSON (line %d, column %d: %s)", repo,
		               jerr.line, jerr.column, jerr.text);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return err_set(err, "%s: GitHub sent JSON that is not a list of issues", repo);
	}
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		/* the watermark covers everything listed, pull requests included */
		const char *u = str_of(item, "updated_at");
		int64_t t;
		if (u && gh_time_parse(u, &t) == 0 && t > *max_upd) {
			*max_upd = t;
			snprintf(max_s, max_len, "%s", u);
		}
		struct mention m;
		struct err ierr = {0};
		int rc = gh_issue_to_mention(item, repo, &m, &ierr);
		if (rc == 0) {
			b->skipped++;
		} else if (rc < 0) {
			b->errors++; /* one odd item must not stop the whole repository */
		} else if (connector_batch_add(b, &m, err) < 0) {
			json_decref(arr);
			return -1;
		}
	}
	json_decref(arr);
	return 0;
}

/* A Link next URL must stay on the configured API: the token goes with it. */
static bool same_api(const struct gh_state *s, const char *url)
{
	size_t n = strlen(s->cfg->github_api_url);
	return strncmp(url, s->cfg->github_api_url, n) == 0 &&
	       (url[n] == '/' || (n && s->cfg->github_api_url[n - 1] == '/'));
}

static int gh_fetch(void *state, const char *cursor, struct connector_batch *b, long *retry_after,
                    struct err *err)
{
	struct gh_state *s = state;
	time_t now = time(NULL);
	if (s->blocked_until > now) {
		*retry_after = (long)(s->blocked_until - now);
		return err_set(err, "rate limited by GitHub; retrying in %ld s", *retry_after);
	}
	json_t *root = json_loads(cursor, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object(); /* an unreadable cursor starts over: ingest is idempotent */
	}
	int rc = -1;
	char *url = NULL, *next = NULL;
	struct chttp_response r = {0};
	if (s->pos >= s->cfg->github_nrepos) {
		b->done = true;
		goto finish;
	}
	const char *repo = s->cfg->github_repos[s->pos];
	json_t *st = repo_cursor(root, repo);
	const char *since = str_of(st, "since"), *cont = str_of(st, "next");
	int64_t t;
	if (since && gh_time_parse(since, &t) < 0)
		since = NULL;
	if (cont && !same_api(s, cont))
		cont = NULL;
	url = cont ? strdup(cont) : first_url(s, repo, since);
	if (!url) {
		err_set(err, "out of memory");
		goto out;
	}
	char auth[600], inm[300];
	const char *headers[6] = {"Accept: application/vnd.github+json",
	                          "X-GitHub-Api-Version: " GH_API_VERSION};
	int nh = 2;
	if (s->cfg->github_token && *s->cfg->github_token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->cfg->github_token);
		headers[nh++] = auth;
	}
	const char *etag = str_of(st, "etag"), *etag_since = str_of(st, "etag_since");
	bool conditional = !cont && etag &&
	                   ((!since && !etag_since) || (since && etag_since && !strcmp(since, etag_since)));
	if (conditional) {
		snprintf(inm, sizeof(inm), "If-None-Match: %.250s", etag);
		headers[nh++] = inm;
	}
	b->requests++;
	if (chttp_request(s->http, "GET", url, headers, NULL, NULL, NULL, &r, err) < 0)
		goto out;
	const char *remaining = chttp_header(&r, "X-RateLimit-Remaining");
	const char *reset = chttp_header(&r, "X-RateLimit-Reset");
	if ((r.status == 403 || r.status == 429) && rate_limited(s, &r, retry_after, repo, err))
		goto out;
	if (r.status == 304) {
		if (asprintf(&b->note, "%s: not modified", repo) < 0)
			b->note = NULL;
		s->pos++;
		b->done = s->pos >= s->cfg->github_nrepos;
		goto finish;
	}
	if (r.status != 200) {
		char msg[220];
		upstream_message(&r, msg, sizeof(msg));
		err_set(err, "%s: GitHub answered HTTP %ld%s%s", repo, r.status, *msg ? ": " : "", msg);
		goto out;
	}
	char max_s[64] = "";
	const char *walk_max = str_of(st, "walk_max");
	int64_t max_upd = 0;
	if (walk_max && gh_time_parse(walk_max, &max_upd) == 0)
		snprintf(max_s, sizeof(max_s), "%s", walk_max);
	else
		max_upd = 0;
	if (read_page(&r, repo, b, &max_upd, max_s, sizeof(max_s), err) < 0)
		goto out;
	next = chttp_header(&r, "Link") ? chttp_link_next(chttp_header(&r, "Link")) : NULL;
	if (next && !same_api(s, next)) {
		err_set(err, "%s: GitHub's Link header points away from %s", repo,
		        s->cfg->github_api_url);
		goto out;
	}
	if (next) {
		set_or_del(st, "next", next);
		set_or_del(st, "walk_max", *max_s ? max_s : NULL);
	} else {
		const char *etag_new = chttp_header(&r, "ETag");
		bool moved = *max_s && (!since || strcmp(since, max_s) != 0);
		char new_since[64];
		snprintf(new_since, sizeof(new_since), "%s", *max_s ? max_s : since ? since : "");
		/* the ETag answers this URL only: keep it when the next run asks the same */
		if (!cont && !moved && etag_new) {
			set_or_del(st, "etag", etag_new);
			set_or_del(st, "etag_since", *new_since ? new_since : NULL);
		} else {
			json_object_del(st, "etag");
			json_object_del(st, "etag_since");
		}
		set_or_del(st, "since", *new_since ? new_since : NULL);
		json_object_del(st, "next");
		json_object_del(st, "walk_max");
		s->pos++;
		b->done = s->pos >= s->cfg->github_nrepos;
	}
	/* the last request allowed: wait for the reset before the next one (at
	 * most a day, as rate_limited: a reset far off would stop the connector) */
	if (remaining && atol(remaining) == 0 && reset && atol(reset) > (long)now)
		s->blocked_until = atol(reset) - (long)now > 86400 ? now + 86400 : (time_t)atol(reset);
finish:
	b->next_cursor = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (!b->next_cursor) {
		err_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
	chttp_response_clear(&r);
	free(url);
	free(next);
	json_decref(root);
	return rc;
}

/* GET each issue: 410 Gone (deleted) or 404 (deleted with its repository,
 * or no longer visible to us) or 301 (transferred away) means gone. */
static int gh_verify(void *state, const char *const *ids, int n, bool *gone, int *requests,
                     long *retry_after, struct err *err)
{
	struct gh_state *s = state;
	if (time(NULL) < s->blocked_until) {
		*retry_after = (long)(s->blocked_until - time(NULL));
		return err_set(err, "rate limited by GitHub; retrying in %ld s", *retry_after);
	}
	char auth[600];
	const char *headers[4] = {"Accept: application/vnd.github+json",
	                          "X-GitHub-Api-Version: " GH_API_VERSION};
	if (s->cfg->github_token && *s->cfg->github_token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", s->cfg->github_token);
		headers[2] = auth;
	}
	const char *base = s->cfg->github_api_url;
	size_t bl = strlen(base);
	int checked = 0;
	for (; checked < n; checked++) {
		/* "owner/name#123", from this connector */
		const char *hash = strrchr(ids[checked], '#');
		if (!hash || !hash[1] || strspn(hash + 1, "0123456789") != strlen(hash + 1))
			continue;
		char *url = NULL;
		if (asprintf(&url, "%.*s/repos/%.*s/issues/%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl),
		             base, (int)(hash - ids[checked]), ids[checked], hash + 1) < 0)
			return err_set(err, "out of memory");
		struct chttp_response r = {0};
		(*requests)++;
		int rc = chttp_request(s->http, "GET", url, headers, NULL, NULL, NULL, &r, err);
		free(url);
		if (rc < 0)
			return -1;
		if ((r.status == 403 || r.status == 429) && rate_limited(s, &r, retry_after, ids[checked], err)) {
			chttp_response_clear(&r);
			return checked > 0 ? checked : -1;
		}
		gone[checked] = r.status == 410 || r.status == 404 || r.status == 301;
		chttp_response_clear(&r);
	}
	return checked;
}

const struct source_ops github_source = {
    .create = gh_create,
    .rewind = gh_rewind,
    .fetch = gh_fetch,
    .ack = NULL,
    .verify = gh_verify,
    .destroy = gh_destroy,
};
