/* connectors/reddit_source.c - a subreddit's newest posts over Reddit's OAuth
 * API (application-only: client credentials), one listing page per batch.
 *
 * Cursor: {"subs": {"name": {"newest", "newest_utc", "after", "walk_newest",
 * "walk_newest_utc"}}}. /r/{sub}/new lists newest first; a walk follows
 * `after` until it reaches the newest post the last walk saw (by fullname,
 * or anything created before it, in case that post is gone). While a walk is
 * under way `after` holds the page after the last committed one, so a
 * restart resumes there; when it ends, the walk's first post becomes `newest`.
 *
 * The bearer token lives in memory only, until expires_in (less a margin),
 * and is fetched again once when the API answers 401. Reddit's rate-limit
 * headers are spelled X-Ratelimit-* and Remaining is a real number. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/reddit.h"
#include "connectors/source.h"

#define REDDIT_LIMIT 100
#define REDDIT_MAX_WORDS 32
#define TOKEN_MAX 512
#define FULLNAME_MAX     60 /* "t3_" and a base-36 id: far shorter in practice */

struct sub {
	char *name;
	char *keywords[REDDIT_MAX_WORDS]; /* any of them in title or text; none = all */
	int nkeywords;
	char *flairs[REDDIT_MAX_WORDS]; /* flair equal to one of them; none = all */
	int nflairs;
};

struct rd_state {
	const struct connector_config *cfg;
	struct chttp *http;
	struct sub *subs;
	int nsubs;
	int pos;
	char token[TOKEN_MAX]; /* secret: never logged */
	time_t token_expires;
	time_t blocked_until;
};

static void subs_free(struct rd_state *s)
{
	for (int i = 0; i < s->nsubs; i++) {
		free(s->subs[i].name);
		for (int k = 0; k < s->subs[i].nkeywords; k++)
			free(s->subs[i].keywords[k]);
		for (int k = 0; k < s->subs[i].nflairs; k++)
			free(s->subs[i].flairs[k]);
	}
	free(s->subs);
}

static bool valid_sub(const char *n)
{
	size_t len = strlen(n);
	if (len < 2 || len > 21)
		return false;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static int words(const json_t *arr, const char *key, char **out, int *n, struct err *err)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > REDDIT_MAX_WORDS)
		return err_set_field(err, "connectors.reddit.subreddits",
		                     "connectors.reddit.subreddits: %s must be a list of at most %d "
		                     "strings",
		                     key, REDDIT_MAX_WORDS);
	size_t i;
	const json_t *w;
	json_array_foreach(arr, i, w)
	{
		if (!json_is_string(w) || !*json_string_value(w))
			return err_set_field(err, "connectors.reddit.subreddits",
			                     "connectors.reddit.subreddits: %s[%zu] must be a "
			                     "non-empty string",
			                     key, i);
		out[(*n)++] = strdup(json_string_value(w));
	}
	return 0;
}

/* subreddits: ["name", {"name": ..., "keywords": [...], "flairs": [...]}] */
static int parse_subs(struct rd_state *s, const char *text, struct err *err)
{
	json_t *arr = json_loads(text && *text ? text : "[]", 0, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		return err_set_field(err, "connectors.reddit.subreddits",
		                     "connectors.reddit.subreddits must be a list");
	}
	s->subs = calloc(json_array_size(arr) + 1, sizeof(*s->subs));
	size_t i;
	json_t *v;
	int rc = 0;
	json_array_foreach(arr, i, v)
	{
		struct sub *sb = &s->subs[s->nsubs];
		const json_t *name = json_is_object(v) ? json_object_get(v, "name") : v;
		if (!json_is_string(name) || !valid_sub(json_string_value(name))) {
			rc = err_set_field(err, "connectors.reddit.subreddits",
			                   "connectors.reddit.subreddits[%zu] must be a subreddit "
			                   "name (2-21 letters, digits, _) or {name, keywords, "
			                   "flairs}",
			                   i);
			break;
		}
		sb->name = strdup(json_string_value(name));
		s->nsubs++;
		if (json_is_object(v) &&
		    (words(json_object_get(v, "keywords"), "keywords", sb->keywords, &sb->nkeywords,
		           err) < 0 ||
		     words(json_object_get(v, "flairs"), "flairs", sb->flairs, &sb->nflairs, err) < 0)) {
			rc = -1;
			break;
		}
	}
	json_decref(arr);
	return rc;
}

static void rd_destroy(void *state)
{
	struct rd_state *s = state;
	if (!s)
		return;
	chttp_free(s->http);
	subs_free(s);
	free(s);
}

static void *rd_create(const struct connector_config *cfg, bool *configured, struct err *err)
{
	struct rd_state *s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	if (parse_subs(s, cfg->reddit_subreddits, err) < 0 || !(s->http = source_http_new(cfg, err))) {
		rd_destroy(s);
		return NULL;
	}
	*configured = s->nsubs > 0;
	return s;
}

static void rd_rewind(void *state)
{
	((struct rd_state *)state)->pos = 0;
}

static const char *str_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A listing cursor goes into the next URL as it is: only a fullname
 * ("t3_abc": letters, digits, _) of bounded length may. */
static bool valid_fullname(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > FULLNAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* The page's data.after into *out: NULL when the listing ends here (absent,
 * null or ""). A value of another type, one that is not a fullname, or the
 * very cursor this page was asked with (a page pointing at itself would be
 * fetched forever) is an upstream fault: -1, and the cursor stays put. */
static int listing_after(const struct sub *sb, const json_t *data, const char *asked,
                         const char **out, struct err *err)
{
	const json_t *v = json_object_get(data, "after");
	*out = NULL;
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
		return 0;
	if (!json_is_string(v) || !valid_fullname(json_string_value(v)))
		return err_set_field(
		    err, "data.after",
		    "r/%s: Reddit sent a listing cursor (data.after) that is not a "
		    "post name",
		    sb->name);
	if (asked && strcmp(asked, json_string_value(v)) == 0)
		return err_set_field(
		    err, "data.after",
		    "r/%s: Reddit sent the same listing cursor (data.after) again: "
		    "stopped to avoid a loop",
		    sb->name);
	*out = json_string_value(v);
	return 0;
}

static char *join_url(const char *base, const char *path)
{
	size_t bl = strlen(base);
	char *u = NULL;
	if (asprintf(&u, "%.*s%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base, path) < 0)
		return NULL;
	return u;
}

/* Remaining < 1: wait for Reset (seconds from now) before the next request. */
static void note_limits(struct rd_state *s, const struct chttp_response *r)
{
	const char *rem = chttp_header(r, "X-Ratelimit-Remaining");
	const char *reset = chttp_header(r, "X-Ratelimit-Reset");
	if (rem && reset && strtod(rem, NULL) < 1.0) {
		long w = source_retry_after(reset);
		s->blocked_until = time(NULL) + (w > 0 ? w : 1);
	}
}

static int limited(struct rd_state *s, const struct chttp_response *r, long *retry_after,
                   struct err *err)
{
	long w = source_retry_after(chttp_header(r, "Retry-After"));
	if (!w)
		w = source_retry_after(chttp_header(r, "X-Ratelimit-Reset"));
	if (!w)
		w = 60;
	s->blocked_until = time(NULL) + w;
	*retry_after = w;
	return err_set(err, "rate limited by Reddit (HTTP %ld); retrying in %ld s", r->status, w);
}

/* Client-credentials grant: the token is kept in memory until it expires. */
static int get_token(struct rd_state *s, long *retry_after, struct err *err)
{
	const struct connector_config *cfg = s->cfg;
	if (!cfg->reddit_client_id || !*cfg->reddit_client_id || !cfg->reddit_client_secret)
		return err_set(err, "Reddit needs REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET");
	char *url = join_url(cfg->reddit_auth_url, "/api/v1/access_token");
	if (!url)
		return err_set(err, "out of memory");
	const char *headers[] = {"Content-Type: application/x-www-form-urlencoded",
	                         "Accept: application/json", NULL};
	struct chttp_response r = {0};
	int rc = chttp_request(s->http, "POST", url, headers, "grant_type=client_credentials",
	                       cfg->reddit_client_id, cfg->reddit_client_secret, &r, err);
	free(url);
	if (rc < 0)
		return -1;
	json_t *j = NULL;
	if (r.status == 429) {
		limited(s, &r, retry_after, err);
		goto fail;
	}
	if (r.status != 200) {
		err_set(err, "Reddit refused the client credentials (HTTP %ld)", r.status);
		goto fail;
	}
	j = json_loadb(r.body, r.len, 0, NULL);
	const char *tok = str_of(j, "access_token");
	const json_t *exp = json_object_get(j, "expires_in");
	if (!tok || !*tok || strlen(tok) >= TOKEN_MAX || !json_is_number(exp)) {
		err_set(err, "Reddit's token answer lacks access_token or expires_in");
		goto fail;
	}
	snprintf(s->token, sizeof(s->token), "%s", tok);
	/* clamped before the conversion: a hostile 1e300 must not overflow a long */
	double secs = json_number_value(exp);
	long ttl = secs > 0 && secs < 86400.0 * 30 ? (long)secs : secs > 0 ? 86400L * 30 : 0;
	/* renew a minute early so a token never expires in the middle of a page */
	s->token_expires = time(NULL) + (ttl > 120 ? ttl - 60 : ttl / 2);
	json_decref(j);
	chttp_response_clear(&r);
	return 0;
fail:
	json_decref(j);
	chttp_response_clear(&r);
	return -1;
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; p && *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

static bool wanted(const struct sub *sb, const json_t *data)
{
	if (sb->nflairs) {
		const char *f = str_of(data, "link_flair_text");
		bool ok = false;
		for (int i = 0; f && i < sb->nflairs; i++)
			ok |= strcasecmp(f, sb->flairs[i]) == 0;
		if (!ok)
			return false;
	}
	if (sb->nkeywords) {
		const char *t = str_of(data, "title"), *x = str_of(data, "selftext");
		for (int i = 0; i < sb->nkeywords; i++)
			if (contains_ci(t, sb->keywords[i]) || contains_ci(x, sb->keywords[i]))
				return true;
		return false;
	}
	return true;
}

static double utc_of(const json_t *data)
{
	const json_t *v = json_object_get(data, "created_utc");
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Reads a listing page into b. *reached: the walk met what the last one saw. */
static int read_listing(struct rd_state *s, const struct sub *sb, const struct chttp_response *r,
                        json_t *st, const char *asked, struct connector_batch *b, bool *reached,
                        const char **after_out, json_t **keep, struct err *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(r->body, r->len, 0, &jerr);
	*keep = j;
	if (!j)
		return err_set(err, "r/%s: Reddit sent malformed JSON (line %d, column %d: %s)",
		               sb->name, jerr.line, jerr.column, jerr.text);
	const json_t *data = json_object_get(j, "data");
	const json_t *children = json_object_get(data, "children");
	if (!json_is_array(children))
		return err_set(err, "r/%s: Reddit sent something that is not a listing", sb->name);
	if (listing_after(sb, data, asked, after_out, err) < 0)
		return -1;
	const char *newest = str_of(st, "newest");
	const json_t *nu = json_object_get(st, "newest_utc");
	double newest_utc = json_is_number(nu) ? json_number_value(nu) : 0;
	bool first_page = !asked;
	size_t i;
	const json_t *child;
	*reached = false;
	json_array_foreach(children, i, child)
	{
		const json_t *d = json_object_get(child, "data");
		const char *name = str_of(d, "name");
		if (!name) {
			b->errors++;
			continue;
		}
		if ((newest && strcmp(name, newest) == 0) ||
		    (newest_utc > 0 && utc_of(d) > 0 && utc_of(d) < newest_utc)) {
			*reached = true;
			break;
		}
		if (first_page && i == 0) {
			json_object_set_new(st, "walk_newest", json_string(name));
			json_object_set_new(st, "walk_newest_utc", json_real(utc_of(d)));
		}
		if (!wanted(sb, d)) {
			b->skipped++;
			continue;
		}
		struct mention m;
		struct err ierr = {0};
		if (reddit_post_to_mention(d, &m, &ierr) < 0)
			b->errors++;
		else if (connector_batch_add(b, &m, err) < 0)
			return -1;
	}
	(void)s;
	return 0;
}

/* The subreddit's cursor object inside root (borrowed; created if absent). */
static json_t *sub_cursor(json_t *root, const char *name)
{
	json_t *subs = json_object_get(root, "subs");
	if (!json_is_object(subs))
		json_object_set_new(root, "subs", subs = json_object());
	json_t *st = json_object_get(subs, name);
	if (!json_is_object(st))
		json_object_set_new(subs, name, st = json_object());
	return st;
}

/* GET url with a bearer token, fetching a token first when there is none or
 * it expired, and once more with a fresh one when Reddit refuses it (401). */
static int get_listing(struct rd_state *s, const char *url, struct connector_batch *b,
                       struct chttp_response *r, long *retry_after, struct err *err)
{
	for (int attempt = 0;; attempt++) {
		if ((!*s->token || time(NULL) >= s->token_expires)) {
			b->requests++;
			if (get_token(s, retry_after, err) < 0)
				return -1;
		}
		char auth[TOKEN_MAX + 40];
		snprintf(auth, sizeof(auth), "Authorization: bearer %s", s->token);
		const char *headers[] = {auth, "Accept: application/json", NULL};
		chttp_response_clear(r);
		b->requests++;
		if (chttp_request(s->http, "GET", url, headers, NULL, NULL, NULL, r, err) < 0)
			return -1;
		if (r->status == 401 && attempt == 0) {
			s->token[0] = '\0'; /* expired or revoked early: one fresh token */
			continue;
		}
		return 0;
	}
}

/* The walk of a subreddit ended: the newest post it saw becomes the mark
 * the next walk stops at. */
static void end_walk(json_t *st)
{
	json_t *wn = json_object_get(st, "walk_newest");
	if (json_is_string(wn)) {
		json_object_set(st, "newest", wn);
		json_object_set(st, "newest_utc", json_object_get(st, "walk_newest_utc"));
	}
	json_object_del(st, "after");
	json_object_del(st, "walk_newest");
	json_object_del(st, "walk_newest_utc");
}

/* One page of the subreddit at s->pos, its cursor in root. */
static int fetch_sub(struct rd_state *s, json_t *root, struct connector_batch *b,
                     long *retry_after, struct err *err)
{
	const struct sub *sb = &s->subs[s->pos];
	json_t *st = sub_cursor(root, sb->name), *page = NULL;
	const char *after = str_of(st, "after");
	if (!valid_fullname(after))
		after = NULL; /* not one we could have stored: the walk starts over */
	char path[200];
	snprintf(path, sizeof(path), "/r/%s/new?limit=%d&raw_json=1%s%s", sb->name, REDDIT_LIMIT,
	         after ? "&after=" : "", after ? after : "");
	char *url = join_url(s->cfg->reddit_api_url, path);
	if (!url)
		return err_set(err, "out of memory");
	struct chttp_response r = {0};
	int rc = get_listing(s, url, b, &r, retry_after, err);
	free(url);
	if (rc < 0)
		goto out;
	rc = -1;
	note_limits(s, &r);
	if (r.status == 429) {
		limited(s, &r, retry_after, err);
		goto out;
	}
	if (r.status != 200) {
		err_set(err, "r/%s: Reddit answered HTTP %ld", sb->name, r.status);
		goto out;
	}
	bool reached = false;
	const char *next = NULL;
	if (read_listing(s, sb, &r, st, after, b, &reached, &next, &page, err) < 0)
		goto out;
	if (!reached && next) {
		json_object_set_new(st, "after", json_string(next));
	} else {
		end_walk(st);
		s->pos++;
		b->done = s->pos >= s->nsubs;
	}
	rc = 0;
out:
	json_decref(page);
	chttp_response_clear(&r);
	return rc;
}

static int rd_fetch(void *state, const char *cursor, struct connector_batch *b, long *retry_after,
                    struct err *err)
{
	struct rd_state *s = state;
	time_t now = time(NULL);
	if (s->blocked_until > now) {
		*retry_after = (long)(s->blocked_until - now);
		return err_set(err, "rate limited by Reddit; retrying in %ld s", *retry_after);
	}
	json_t *root = json_loads(cursor, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	int rc = -1;
	if (s->pos >= s->nsubs)
		b->done = true;
	else if (fetch_sub(s, root, b, retry_after, err) < 0)
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

const struct source_ops reddit_source = {
    .create = rd_create,
    .rewind = rd_rewind,
    .fetch = rd_fetch,
    .ack = NULL,
    .destroy = rd_destroy,
};
