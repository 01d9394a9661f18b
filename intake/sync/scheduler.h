/* intake/sync/scheduler.h - runs the connectors on their intervals, off the
 * request-serving threads: one thread of its own with its own database
 * connection and triage context. Each connector runs every interval_s (+-10%
 * jitter), backs off after failures (sync_next_delay in sync.h), honours an
 * upstream's retry_after, and is serialised across instances by sync_run's
 * advisory lock; connector_state.next_run_at is the shared schedule. */
#ifndef INTAKE_SCHEDULER_H
#define INTAKE_SCHEDULER_H

#include "intake/config.h"
#include "triage/err.h"

struct scheduler;
struct triage_live;

/* Starts the scheduler thread for the connectors configured in cfg (all
 * borrowed; they must outlive it). Each run starts on the newest rules. NULL
 * with *err on failure. The process has one scheduler; it is what
 * scheduler_request_run reaches. */
struct scheduler *scheduler_start(const struct config *cfg, const char *conninfo,
				  struct triage_live *rules, struct err *err);

/* Takes the connectors' intervals (connectors.*.interval_s) from cfg
 * (borrowed for the call only): serve's SIGHUP. Thread-safe. The next run
 * of each is still the one already set; the runs after it use the new one. */
void scheduler_set_intervals(struct scheduler *s, const struct config *cfg);

/* Stops it (a run in progress ends at its next page; a request in flight is
 * aborted) and frees it; NULL is fine. */
void scheduler_stop(struct scheduler *s);

/* Asks the running scheduler to run connector name now (forced: even when it
 * is not due), without waiting for it. Thread-safe; for the HTTP handlers.
 * 0 queued; -1 when no scheduler runs in this process or name is not one of
 * its configured connectors. */
int scheduler_request_run(const char *name);

#endif
