/* intake/sync/sync.h - runs one connector once against the database. This is where
 * connectors/ (fetch and parse) meets the ingest pipeline (write): each batch's
 * mentions and the connector's next cursor are committed in ONE transaction,
 * so a crash or a failed page leaves the cursor at the last committed batch.
 *
 * Runs are serialised across processes by a PostgreSQL advisory lock per
 * connector: with several `serve` instances on one database, a connector runs
 * in one place at a time, and connector_state.next_run_at (read under the
 * lock) keeps the others from running it again right after. */
#ifndef INTAKE_SYNC_H
#define INTAKE_SYNC_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "connectors/connector.h"
#include "intake/config.h"
#include "triage/err.h"

struct triage_ctx;

struct sync_stats {
	long fetched;   /* mentions the upstream returned */
	long added;     /* new mentions */
	long updated;   /* known mentions whose content changed */
	long unchanged; /* known, same content (or older than what is stored) */
	long errors;    /* items that could not be read or ingested */
	long requests;  /* upstream requests */
	long gone;      /* known items found deleted upstream by the reconciliation */
	long batches;
};

enum sync_outcome {
	SYNC_OK,
	SYNC_FAILED,
	SYNC_LOCKED,  /* another process holds the connector's lock: skipped */
	SYNC_NOT_DUE, /* next_run_at is in the future (not forced): skipped */
};

const char *sync_outcome_name(enum sync_outcome o); /* "ok", "error", "locked", "not_due" */

struct sync_result {
	enum sync_outcome outcome;
	struct sync_stats stats;
	long duration_ms;
	long retry_after;   /* the upstream's wait, when the run ended on a rate limit */
	time_t next_run_at; /* as stored (Unix seconds), 0 when unknown */
	char error[ERR_MSG_MAX];
};

typedef void (*sync_progress_fn)(const char *name, const struct sync_stats *s, void *arg);

struct sync_options {
	bool force;              /* run even when next_run_at is in the future */
	long interval_s;         /* the connector's interval: next_run_at after a success */
	long max_wait_s;         /* a rate limit this short is waited out inside the run */
	long reconcile_interval_s; /* seconds between checks for deletions upstream */
	const atomic_bool *stop; /* may be NULL: true ends the run at the next page */
	sync_progress_fn progress; /* may be NULL; called after every committed batch */
	void *arg;
};

/* Runs connector c once on connection pg (no transaction open) with triage
 * context t. Always fills *out. Returns 0 when the run succeeded or was
 * skipped (out->outcome says which), -1 when it failed (out->error, and
 * connector_state.last_error, say why). */
int sync_run(PGconn *pg, struct triage_ctx *t, struct connector *c, const struct sync_options *o,
             struct sync_result *out);

/* The delay before the next run: interval_s after a success; after `failures`
 * failures in a row, 30 s doubled per further failure, capped at interval_s
 * (so a broken upstream is asked at most as often as a healthy one); never
 * less than retry_after; then +-10% jitter so instances and connectors drift
 * apart. */
long sync_next_delay(long interval_s, int failures, long retry_after);

/* Connector settings from the service config (cfg borrowed; out borrows it). */
void sync_connector_config(const struct config *cfg, const atomic_bool *cancel,
                           struct connector_config *out);
/* True when cfg gives connector name something to do. */
bool sync_configured(const struct config *cfg, const char *name);
long sync_interval(const struct config *cfg, const char *name);

#endif
