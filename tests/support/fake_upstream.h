/* tests/support/fake_upstream.h - a fake GitHub REST and Reddit OAuth API on
 * 127.0.0.1, served by libevent from its own thread inside the test process
 * (or the standalone tests/bench/fake_github). Answers are shaped like the
 * documented public responses ("get a repository", "list repository issues"; Reddit's Listing of
 * t3 posts, the client-credentials token), with the headers the connectors
 * read (Link, ETag, X-RateLimit-*, X-Ratelimit-*), and every request is
 * recorded for assertions. Faults are injected per test with fake_fault(). */
#ifndef TESTS_FAKE_UPSTREAM_H
#define TESTS_FAKE_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

struct fake;

/* Starts on 127.0.0.1:port (0: ephemeral). NULL when it cannot listen. */
struct fake *fake_start(int port);
void fake_stop(struct fake *f); /* accepts NULL; drops delayed answers */

int fake_port(const struct fake *f);
const char *fake_url(const struct fake *f); /* "http://127.0.0.1:PORT" */

/* GitHub: adds issues 1..n to repo "owner/name" (numbers continue after the
 * ones there), updated one minute apart and later than every issue already
 * there; every pr_every-th is a pull request (0: none). */
void fake_github_add(struct fake *f, const char *repo, int n, int pr_every);
/* What GET /repos/{owner}/{name} says of repo (created, with no issues, when
 * absent): "public" (every repository's default), "private" or "internal";
 * "private": true for all but "public". A repository never added answers
 * 404, as GitHub does for one we may not see. */
void fake_github_visibility(struct fake *f, const char *repo, const char *visibility);
/* Edits issue number (new title, updated_at later than all others). */
void fake_github_edit(struct fake *f, const char *repo, int number, const char *title);
/* Deletes it: it is no longer listed (GitHub's behaviour). */
void fake_github_delete(struct fake *f, const char *repo, int number);

/* Reddit: the client credentials the token endpoint accepts. */
void fake_reddit_credentials(struct fake *f, const char *id, const char *secret);
/* Adds n posts to sub, each newer than the ones there. flair may be NULL;
 * title_word (may be NULL) is put in every title. */
void fake_reddit_add(struct fake *f, const char *sub, int n, const char *flair,
		     const char *title_word);
/* Marks post idx (0 = oldest) removed by a moderator. */
void fake_reddit_remove(struct fake *f, const char *sub, int idx);

enum fake_fault {
	FAULT_NONE,
	FAULT_RATE_403,  /* 403, X-RateLimit-Remaining: 0, X-RateLimit-Reset: now + arg s */
	FAULT_RATE_429,  /* 429, Retry-After: arg s */
	FAULT_500,       /* 500 Internal Server Error */
	FAULT_DELAY,     /* the normal answer, arg ms late */
	FAULT_MALFORMED, /* 200 with a JSON document cut in the middle */
	FAULT_TRUNCATE,  /* 200, Content-Length of the whole answer, half of it, then close */
	FAULT_TOKEN_401, /* Reddit: the current token stops working (401) */
};

/* The next count listing requests (GitHub issues, Reddit /new) get fault; when
 * page > 0 only GitHub requests for that page count. Replaces any fault set. */
void fake_fault(struct fake *f, enum fake_fault fault, int count, int arg, int page);

/* Hostile answers: the next count requests whose path contains path_part
 * get status, the header lines headers (NULL-terminated "Name: value", may be
 * NULL) and body (len bytes, copied) instead of the normal answer (they are
 * recorded as usual). With drip_ms > 0 the body is sent chunked, one byte
 * every drip_ms. Replaces any canned answer set before. */
void fake_canned(struct fake *f, const char *path_part, int count, int status,
                 const char *const *headers, const void *body, size_t len, int drip_ms);

/* Recorded requests. */
int fake_nrequests(struct fake *f);
/* How many requests had path containing path_part and query containing
 * query_part (either may be NULL = any). */
int fake_count(struct fake *f, const char *path_part, const char *query_part);
/* Like fake_count, only those with a given status. */
int fake_count_status(struct fake *f, const char *path_part, int status);
/* Request i's header value (new) or NULL; i < 0 counts from the end. */
char *fake_request_header(struct fake *f, int i, const char *name);
/* Request i's path and query ("/x?y", new). */
char *fake_request_target(struct fake *f, int i);
void fake_reset_requests(struct fake *f);
/* Waits until fake_count(path_part, query_part) >= n or timeout_ms passed;
 * returns the count. */
int fake_wait(struct fake *f, const char *path_part, const char *query_part, int n,
	      int timeout_ms);

#endif
