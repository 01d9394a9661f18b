/* intake/scheduler.h - runs the connectors on their intervals, off the
 * request-serving threads. */
#ifndef INTAKE_SCHEDULER_H
#define INTAKE_SCHEDULER_H

#include "intake/config.h"
#include "triage/err.h"

struct scheduler;
struct triage_rules;

/* Starts the scheduler thread for the connectors configured in cfg (all
 * borrowed; they must outlive it). NULL with *err on failure. */
struct scheduler *scheduler_start(const struct config *cfg, const char *conninfo,
				  const struct triage_rules *rules, struct err *err);

/* Stops it (a run in progress ends at its next page) and frees it; NULL is fine. */
void scheduler_stop(struct scheduler *s);

#endif
