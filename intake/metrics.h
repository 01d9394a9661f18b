/* intake/metrics.h - process counters in Prometheus text format. Lock-free
 * (C11 atomics), so every worker thread records without contention. */
#ifndef INTAKE_METRICS_H
#define INTAKE_METRICS_H

#include <stdio.h>

#define METRICS_MAX_ROUTES 64

enum metric_counter {
	M_DB_ERRORS,
	M_INGESTS,
	M_INGEST_ERRORS,
	M_SYNC_RUNS,
	M_SYNC_ERRORS,
	M_WEBHOOKS,
	M_COUNTER_LEN
};

/* What the connection gate and the rate limits turned away or cut. */
enum metric_limit {
	ML_REFUSED_MAX_CONNECTIONS, /* connections refused: over http.max_connections */
	ML_REFUSED_PER_CLIENT,      /* over http.max_connections_per_client */
	ML_REFUSED_UPLOADS,         /* requests refused: over http.max_concurrent_uploads */
	ML_REFUSED_BODY_TOO_LARGE,  /* over the route's body limit, before reading it */
	ML_REFUSED_HEAD_TOO_LARGE,
	ML_REFUSED_BAD_HEAD,
	ML_TIMEOUT_HEAD, /* connections closed: head deadline */
	ML_TIMEOUT_BODY, /* body deadline */
	ML_TIMEOUT_IDLE, /* idle keep-alive */
	ML_ACCEPT_ERRORS, /* accept() failures such as EMFILE (accepting paused) */
	ML_RATE_SIGNIN,   /* 429s: sign-in bucket */
	ML_RATE_PUBLIC,   /* 429s: public bucket */
	ML_LIMIT_LEN
};

void metrics_limit(enum metric_limit m);

/* The gauge of open client connections. */
void metrics_connections(long delta);

/* Names routes by index (borrowed, must outlive the process). */
void metrics_set_routes(const char *const *names, int n);

/* Records one answered request: route index (-1 = no route), status, seconds. */
void metrics_observe(int route, int status, double seconds);

void metrics_add(enum metric_counter c, long n);

/* One connector run: connector is one of connector_names, outcome "ok",
 * "error" or "locked" (another instance held it). Also counts the totals;
 * an "ok" is the connector's last success from now. */
void metrics_sync_run(const char *connector, const char *outcome);

/* Raises connector's last successful run to unix_seconds (an older time is
 * ignored): the "ok" runs of this process set it, and /metrics reads what
 * the database knows of the others' (another instance, `ideatriage sync`). */
void metrics_sync_last_success(const char *connector, double unix_seconds);

/* Items (mentions) a connector fetched. */
void metrics_sync_fetched(const char *connector, long n);

/* Writes the exposition text to f: build info, the process_* metrics, then
 * ours. */
void metrics_render(FILE *f);

/* The process_* metrics of Prometheus' client libraries, from /proc/self
 * (metrics_process.c): CPU seconds, resident and virtual memory, start
 * time, open and maximum file descriptors. */
void metrics_render_process(FILE *f);

#endif
