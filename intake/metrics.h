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

/* Names routes by index (borrowed, must outlive the process). */
void metrics_set_routes(const char *const *names, int n);

/* Records one answered request: route index (-1 = no route), status, seconds. */
void metrics_observe(int route, int status, double seconds);

void metrics_add(enum metric_counter c, long n);

/* One connector run: connector is one of connector_names, outcome "ok",
 * "error" or "locked" (another instance held it). Also counts the totals. */
void metrics_sync_run(const char *connector, const char *outcome);

/* Items (mentions) a connector fetched. */
void metrics_sync_fetched(const char *connector, long n);

/* Writes the exposition text to f. */
void metrics_render(FILE *f);

#endif
