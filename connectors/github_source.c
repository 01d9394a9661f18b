/* connectors/github_source.c - GitHub issues over REST, one page per batch.
 *
 * Cursor: {"repos": {"owner/name": {"since", "next", "walk_max", "etag",
 * "etag_since", "meta_etag", "meta_public", "public"}}}. A walk lists
 * issues updated at or after `since`, oldest update first, following Link
 * rel="next". While a walk is under way `next` holds the URL of the page
 * after the last committed one and `walk_max` the newest updated_at seen so
 * far; a restart continues from `next`, so no page is fetched twice. When
 * the walk ends, `since` becomes walk_max: the items updated in that very
 * second are listed again next time (since is inclusive), which is harmless
 * because ingest is idempotent, while a strictly-later watermark could skip
 * an item updated in the same second.
 *
 * Conditional requests: the ETag of a first page is kept with the `since` it
 * answered. The next run asks for the same URL with If-None-Match, and a 304
 * (free on GitHub's rate limit) ends the repository's run with nothing
 * changed. So after a sync that found something, the next sync costs one
 * plain request per repository (it re-reads the boundary items), and every
 * sync after that, until something changes, one 304 - each after the
 * repository's own conditional request (below), a 304 too while the
 * repository does not change.
 *
 * Visibility: a listing of issues does not say whether the repository is
 * private, and a repository can be made private at any time. So the first
 * fetch of each repository in a run asks GitHub (GET /repos/{owner}/{name},
 * conditional on "meta_etag": an unchanged repository costs a 304, read with
 * the "meta_public" it answered). Its issues are public only when GitHub
 * says "private": false and "visibility" "public", and the repository is not
 * in connectors.github.private_repos; any other answer, or none, fails the
 * run with the repository's cursor where it was: nothing is ever public by
 * default. "public" is what the repository's mentions were last written as.
 * When it turns private, the batch asks the sync to take every stored
 * mention of the repository back from the public (connector_batch.unpublish)
 * in the transaction that stores the new "public"; when it turns public
 * again, the repository is listed again from the start, so each issue is
 * re-read as public. A 404 (a repository deleted, or made private where the
 * token may not see it) is not public either: one batch takes the stored
 * mentions back, then the run fails saying why.
 *
 * Rate limits: X-RateLimit-Remaining 0 with X-RateLimit-Reset, or a 403/429
 * with Retry-After (secondary limits), become retry_after; until then the
 * connector sends nothing. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
	/* repository pos's visibility as GitHub gave it this run */
	int known;            /* pos + 1 once asked this run, else 0 */
	bool upstream_public; /* its answer */
	char meta_etag[256];  /* the answer's ETag ("": none) */
	/* 1: the answer was a 404; 2: the batch taking its mentions back has
	 * been handed out, so the next fetch fails the run */
	int unseen;
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
	struct gh_state *s = state;
	s->pos = 0;
	s->known = 0; /* every run asks again */
	s->unseen = 0;
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

/* True when v may be sent back in a request header: printable ASCII, at
 * most 250 bytes (an ETag), so a stored upstream value cannot add headers. */
static bool header_safe(const char *v)
{
	size_t n = 0;
	for (; v[n]; n++)
		if (v[n] < 0x20 || v[n] > 0x7e)
			return false;
	return n <= 250;
}

/* The headers of every request to GitHub into h (room for 3 more after
 * them); auth holds the Authorization line. Returns how many. */
static int api_headers(const struct gh_state *s, char auth[600], const char **h)
{
	int n = 0;
	h[n++] = "Accept: application/vnd.github+json";
	h[n++] = "X-GitHub-Api-Version: " GH_API_VERSION;
	if (s->cfg->github_token && *s->cfg->github_token) {
		snprintf(auth, 600, "Authorization: Bearer %s", s->cfg->github_token);
		h[n++] = auth;
	}
	return n;
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

/* Whether the configuration names repo as private (case-insensitive, as
 * GitHub's names are). */
static bool repo_private(const struct connector_config *cfg, const char *repo)
{
	for (int i = 0; i < cfg->github_nprivate; i++)
		if (strcasecmp(cfg->github_private_repos[i], repo) == 0)
			return true;
	return false;
}

/* Reads a "get a repository" answer of repo into *pub. */
static int read_visibility(const struct chttp_response *r, const char *repo, bool *pub,
                           struct err *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(r->body, r->len, 0, &jerr);
	if (!j)
		return err_set(err,
		               "%s: GitHub sent malformed JSON for the repository (line %d, "
		               "column %d: %s)",
		               repo, jerr.line, jerr.column, jerr.text);
	int rc = gh_repository_visibility(j, repo, pub, err);
	json_decref(j);
	return rc;
}

/* Asks GitHub once per run, before the repository's first page, whether repo
 * (the one at s->pos) is public; st is its cursor. 0 when s knows (a 404
 * also sets s->unseen), -1 and *err (*retry_after on a rate limit) when
 * GitHub did not say clearly. */
static int ask_visibility(struct gh_state *s, const char *repo, const json_t *st,
                          struct connector_batch *b, long *retry_after, struct err *err)
{
	if (s->known == s->pos + 1)
		return 0;
	char auth[600], inm[300], *url = NULL;
	const char *headers[6] = {0};
	int nh = api_headers(s, auth, headers);
	const char *etag = str_of(st, "meta_etag");
	const json_t *was = json_object_get(st, "meta_public");
	/* a 304 is read with the answer the ETag belongs to: both or neither */
	bool conditional = etag && json_is_boolean(was) && header_safe(etag);
	if (conditional) {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		headers[nh++] = inm;
	}
	const char *base = s->cfg->github_api_url;
	size_t bl = strlen(base);
	if (asprintf(&url, "%.*s/repos/%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base,
	             repo) < 0)
		return err_set(err, "out of memory");
	struct chttp_response r = {0};
	b->requests++;
	int rc = chttp_request(s->http, "GET", url, headers, NULL, NULL, NULL, &r, err);
	free(url);
	if (rc < 0)
		return -1;
	rc = -1;
	bool pub = false;
	const char *etag_new = chttp_header(&r, "ETag");
	if ((r.status == 403 || r.status == 429) && rate_limited(s, &r, retry_after, repo, err))
		goto out;
	if (r.status == 404) {
		/* GitHub's answer for a repository deleted, or made private where
		 * this token may not see it: not public, whichever it is */
		s->unseen = 1;
		etag_new = NULL;
	} else if (r.status == 304 && conditional) {
		pub = json_is_true(was);
		etag_new = etag;
	} else if (r.status != 200) {
		char msg[220];
		upstream_message(&r, msg, sizeof(msg));
		err_set(err, "%s: GitHub answered HTTP %ld for the repository%s%s", repo, r.status,
		        *msg ? ": " : "", msg);
		goto out;
	} else if (read_visibility(&r, repo, &pub, err) < 0) {
		goto out;
	}
	s->upstream_public = pub;
	snprintf(s->meta_etag, sizeof(s->meta_etag), "%s",
	         etag_new && header_safe(etag_new) ? etag_new : "");
	s->known = s->pos + 1;
	rc = 0;
out:
	chttp_response_clear(&r);
	return rc;
}

/* Writes what this run knows of repo's visibility into its cursor st and
 * acts on a change since the mentions were last written (see the top). */
static int apply_visibility(const struct gh_state *s, const char *repo, json_t *st,
                            struct connector_batch *b, struct err *err)
{
	bool pub = s->upstream_public && !repo_private(s->cfg, repo);
	const json_t *was = json_object_get(st, "public");
	/* no "public" yet (a cursor written before this was asked): its
	 * mentions may have been written public */
	if (!pub && !json_is_false(was)) {
		/* the external_ids of connectors/github.c: "owner/name#N" (issues
		 * and their comments), "owner/name/discussions/N" (and theirs) */
		size_t n = strlen(repo) + 2;
		b->unpublish = calloc(3, sizeof(char *));
		for (int i = 0; b->unpublish && i < 2; i++)
			if ((b->unpublish[i] = malloc(n)))
				snprintf(b->unpublish[i], n, "%s%c", repo, "#/"[i]);
		if (!b->unpublish || !b->unpublish[0] || !b->unpublish[1])
			return err_set(err, "out of memory");
	} else if (pub && json_is_false(was)) {
		const char *walk[] = {"since", "next", "walk_max", "etag", "etag_since"};
		for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++)
			json_object_del(st, walk[i]);
	}
	set_or_del(st, "meta_etag", *s->meta_etag ? s->meta_etag : NULL);
	json_object_set_new(st, "meta_public", json_boolean(s->upstream_public));
	json_object_set_new(st, "public", json_boolean(pub));
	return 0;
}

/* Reads one page's issues into b; *max_upd/max_s: the newest updated_at.
 * A private repository's issues stay private. */
static int read_page(const struct chttp_response *r, const char *repo, bool private_repo,
                     struct connector_batch *b, int64_t *max_upd, char *max_s, size_t max_len,
                     struct err *err)
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
		if (rc == 1 && private_repo)
			m.is_public = false;
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

/* One request for a repository's issues: the page a walk left off at, or
 * the first page since the watermark, conditional on that page's ETag. */
struct gh_page {
	const char *since; /* the repository's watermark (borrowed from its cursor), or NULL */
	const char *cont;  /* the walk's next page (borrowed), or NULL: a new walk */
	char *url;         /* new: the URL asked */
	struct chttp_response r;
};

static int request_page(struct gh_state *s, const char *repo, const json_t *st,
                        struct gh_page *pg, struct connector_batch *b, struct err *err)
{
	pg->since = str_of(st, "since");
	pg->cont = str_of(st, "next");
	int64_t t;
	if (pg->since && gh_time_parse(pg->since, &t) < 0)
		pg->since = NULL;
	if (pg->cont && !same_api(s, pg->cont))
		pg->cont = NULL;
	pg->url = pg->cont ? strdup(pg->cont) : first_url(s, repo, pg->since);
	if (!pg->url)
		return err_set(err, "out of memory");
	char auth[600], inm[300];
	const char *headers[6] = {0};
	int nh = api_headers(s, auth, headers);
	const char *etag = str_of(st, "etag"), *etag_since = str_of(st, "etag_since");
	/* the ETag answers one URL: the first page of the same watermark */
	bool conditional = !pg->cont && etag &&
	                   ((!pg->since && !etag_since) ||
	                    (pg->since && etag_since && !strcmp(pg->since, etag_since)));
	if (conditional && header_safe(etag)) {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		headers[nh++] = inm;
	}
	b->requests++;
	return chttp_request(s->http, "GET", pg->url, headers, NULL, NULL, NULL, &pg->r, err);
}

/* The repository's walk ended with this page: the watermark moves to the
 * newest updated_at seen (max_s, "" when none), and the page's ETag is kept
 * when the next run asks the same URL. */
static void end_walk(json_t *st, const struct gh_page *pg, const char *max_s)
{
	const char *etag_new = chttp_header(&pg->r, "ETag");
	bool moved = *max_s && (!pg->since || strcmp(pg->since, max_s) != 0);
	char new_since[64];
	snprintf(new_since, sizeof(new_since), "%s", *max_s ? max_s : pg->since ? pg->since : "");
	if (!pg->cont && !moved && etag_new && header_safe(etag_new)) {
		set_or_del(st, "etag", etag_new);
		set_or_del(st, "etag_since", *new_since ? new_since : NULL);
	} else {
		json_object_del(st, "etag");
		json_object_del(st, "etag_since");
	}
	set_or_del(st, "since", *new_since ? new_since : NULL);
	json_object_del(st, "next");
	json_object_del(st, "walk_max");
}

/* After a page of issues: the walk goes on at the Link next URL (which must
 * stay on the API and not name this page again), or ends (s->pos moves on). */
static int advance(struct gh_state *s, const char *repo, json_t *st, const struct gh_page *pg,
                   const char *max_s, struct connector_batch *b, struct err *err)
{
	const char *link = chttp_header(&pg->r, "Link");
	char *next = link ? chttp_link_next(link) : NULL;
	int rc = 0;
	if (next && !same_api(s, next)) {
		rc = err_set(err, "%s: GitHub's Link header points away from %s", repo,
		             s->cfg->github_api_url);
	} else if (next && strcmp(next, pg->url) == 0) {
		rc = err_set(err,
		             "%s: GitHub's Link header names the page it came with: stopped to avoid "
		             "a loop",
		             repo);
	} else if (next) {
		set_or_del(st, "next", next);
		set_or_del(st, "walk_max", *max_s ? max_s : NULL);
	} else {
		end_walk(st, pg, max_s);
		s->pos++;
		b->done = s->pos >= s->cfg->github_nrepos;
	}
	free(next);
	return rc;
}

/* What the answer to a page request means for the batch and the cursor. */
static int take_page(struct gh_state *s, const char *repo, json_t *st, const struct gh_page *pg,
                     struct connector_batch *b, long *retry_after, time_t now, struct err *err)
{
	const struct chttp_response *r = &pg->r;
	if ((r->status == 403 || r->status == 429) && rate_limited(s, r, retry_after, repo, err))
		return -1;
	if (r->status == 304) {
		if (asprintf(&b->note, "%s: not modified", repo) < 0)
			b->note = NULL;
		s->pos++;
		b->done = s->pos >= s->cfg->github_nrepos;
		return 0;
	}
	if (r->status != 200) {
		char msg[220];
		upstream_message(r, msg, sizeof(msg));
		return err_set(err, "%s: GitHub answered HTTP %ld%s%s", repo, r->status,
		               *msg ? ": " : "", msg);
	}
	char max_s[64] = "";
	const char *walk_max = str_of(st, "walk_max");
	int64_t max_upd = 0;
	if (walk_max && gh_time_parse(walk_max, &max_upd) == 0)
		snprintf(max_s, sizeof(max_s), "%s", walk_max);
	else
		max_upd = 0;
	bool pub = json_is_true(json_object_get(st, "public"));
	if (read_page(r, repo, !pub, b, &max_upd, max_s, sizeof(max_s), err) < 0 ||
	    advance(s, repo, st, pg, max_s, b, err) < 0)
		return -1;
	/* the last request allowed: wait for the reset before the next one (at
	 * most a day, as rate_limited: a reset far off would stop the connector) */
	const char *remaining = chttp_header(r, "X-RateLimit-Remaining");
	const char *reset = chttp_header(r, "X-RateLimit-Reset");
	if (remaining && atol(remaining) == 0 && reset && atol(reset) > (long)now)
		s->blocked_until = atol(reset) - (long)now > 86400 ? now + 86400 : (time_t)atol(reset);
	return 0;
}

/* One batch of the repository at s->pos, its cursor in root: its visibility
 * first (see the top), then its next page of issues. */
static int fetch_repo(struct gh_state *s, json_t *root, struct connector_batch *b,
                      long *retry_after, time_t now, struct err *err)
{
	const char *repo = s->cfg->github_repos[s->pos];
	json_t *st = repo_cursor(root, repo);
	if (s->unseen == 2)
		return err_set(
		    err,
		    "%s: GitHub answered HTTP 404 for the repository (deleted, or private to this "
		    "token): its mentions are private now",
		    repo);
	if (ask_visibility(s, repo, st, b, retry_after, err) < 0 ||
	    apply_visibility(s, repo, st, b, err) < 0)
		return -1;
	if (s->unseen) { /* this batch takes its mentions back; the next fails */
		s->unseen = 2;
		return 0;
	}
	struct gh_page pg = {0};
	int rc = request_page(s, repo, st, &pg, b, err);
	if (rc == 0)
		rc = take_page(s, repo, st, &pg, b, retry_after, now, err);
	chttp_response_clear(&pg.r);
	free(pg.url);
	return rc;
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
	if (s->pos >= s->cfg->github_nrepos)
		b->done = true;
	else if (fetch_repo(s, root, b, retry_after, now, err) < 0)
		goto out;
	b->next_cursor = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (!b->next_cursor) {
		err_set(err, "out of memory");
		goto out;
	}
	rc = 0;
out:
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
	const char *headers[6] = {0};
	(void)api_headers(s, auth, headers);
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
