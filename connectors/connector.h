/* connectors/connector.h - the one interface every upstream source implements:
 * configure, fetch one batch from a cursor, return mentions and the next
 * cursor. Connectors fetch and parse; they never touch the database: the
 * caller (intake/sync/sync.c) writes a batch's mentions and its next cursor
 * in one transaction, then acknowledges the batch.
 *
 * A cursor is JSON text owned by the connector's format; "{}" (or NULL) means
 * "never ran". Feeding a fetch the cursor of the last COMMITTED batch is what
 * makes a crash harmless: the next run resumes exactly there. */
#ifndef CONNECTORS_CONNECTOR_H
#define CONNECTORS_CONNECTOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "triage/err.h"
#include "triage/mention.h"

/* Names of the connectors this build knows, NULL-terminated. */
extern const char *const connector_names[];

/* True when name is a known connector. */
int connector_known(const char *name);

/* Everything a connector may need, all borrowed (the caller's config must
 * outlive the connector). Each connector reads only its own fields. */
struct connector_config {
	/* HTTP client limits, shared */
	long connect_timeout_s;
	long timeout_s;
	size_t max_response_bytes;
	const char *user_agent;
	const atomic_bool *cancel; /* may be NULL; when it turns true, requests abort */

	const char *github_api_url;
	const char *const *github_repos; /* "owner/name" */
	int github_nrepos;
	const char *github_token; /* "" or NULL: anonymous (60 requests/h) */
	/* "owner/name" of repositories whose issues stay private whatever
	 * GitHub says of the repository (the sync asks it every run) */
	const char *const *github_private_repos;
	int github_nprivate;

	const char *reddit_api_url;
	const char *reddit_auth_url;
	const char *reddit_subreddits; /* JSON array: "name" or {name, keywords[], flairs[]} */
	const char *reddit_client_id;
	const char *reddit_client_secret;

	const char *sales_inbox_dir; /* "" or NULL: not configured */
	long sales_settle_s;         /* a file must be untouched this long before it is read */
};

/* One batch: at most one upstream page (or one inbox file). Everything is
 * owned by the batch (connector_batch_clear). */
struct connector_batch {
	struct mention *mentions;
	int nmentions;
	int cap;
	char *next_cursor; /* JSON text to store with these mentions */
	bool done;         /* nothing more to fetch in this run */
	int skipped;       /* upstream items that are not mentions (pull requests, filtered) */
	int errors;        /* upstream items that could not be read (kept out of the batch) */
	int requests;      /* upstream requests this batch cost */
	char *note;        /* what happened, for logs (e.g. "acme/mesh: 304 Not Modified") */
	/* NULL, or NULL-terminated external_id prefixes: stored mentions of this
	 * connector's source whose external_id starts with one of them
	 * (case-insensitively) stop being public in the batch's transaction,
	 * before its mentions are written. Their upstream was made private (a
	 * GitHub repository), and a listing that did not change since would
	 * never show them again. */
	char **unpublish;
	void *ack_data;    /* the connector's, for connector_ack ... */
	void (*ack_free)(void *ack_data); /* ... and how the batch frees it */
};

struct connector;

/* A new connector named name configured from cfg (borrowed). NULL and *err
 * when the name is unknown or the configuration is invalid. A connector with
 * nothing to do (no repos, no subreddits, no inbox) is created but reports
 * connector_configured() false. */
struct connector *connector_new(const char *name, const struct connector_config *cfg,
                                struct err *err) __attribute__((warn_unused_result));
void connector_free(struct connector *c); /* accepts NULL */

const char *connector_name(const struct connector *c);
bool connector_configured(const struct connector *c);

/* True when the next batch depends only on the cursor, so it may be fetched
 * while the previous one is being written (GitHub, Reddit; not the sales
 * inbox, whose next file is the one not yet acknowledged). */
bool connector_can_prefetch(const struct connector *c);

/* Starts a new run: the next fetch begins with the first repository /
 * subreddit / file again. The connector keeps what outlives a run (an OAuth
 * token, a rate-limit deadline) across runs. */
void connector_rewind(struct connector *c);

/* Fetches the next batch after cursor (borrowed JSON text; NULL = "{}").
 * 0 and *out (overwritten, not freed first) on success; -1 and *err on
 * failure: then nothing of the batch exists and the cursor must stay where it
 * is. *retry_after is always written: seconds the upstream asked us to wait
 * (rate limit, Retry-After), 0 when none; with -1 and a positive value the
 * failure was a rate limit and the same fetch may be tried again after it. */
int connector_fetch(struct connector *c, const char *cursor, struct connector_batch *out,
                    long *retry_after, struct err *err) __attribute__((warn_unused_result));

/* Asks upstream whether the items ids[0..n) (external ids this connector
 * produced) still exist: gone[i] true for one deleted (or moved away)
 * upstream. A listing never shows what was deleted, so this is how a sync
 * reconciles deletions the webhook missed. Returns how many were checked
 * (0 when the source cannot tell; the first unchecked ones stay false), or -1
 * and *err (*retry_after as for fetch). *requests: upstream requests made. */
int connector_verify(struct connector *c, const char *const *ids, int n, bool *gone,
                     int *requests, long *retry_after, struct err *err)
    __attribute__((warn_unused_result));

/* Called after the batch and its cursor were committed (the sales inbox moves
 * its file to processed/ here). 0, or -1 and *err: the data is safe either way. */
int connector_ack(struct connector *c, struct connector_batch *b, struct err *err)
    __attribute__((warn_unused_result));

void connector_batch_clear(struct connector_batch *b); /* accepts a zeroed batch */

/* Appends m to the batch, taking ownership of its strings (m is zeroed). */
int connector_batch_add(struct connector_batch *b, struct mention *m, struct err *err)
    __attribute__((warn_unused_result));

#endif
