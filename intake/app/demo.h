/* intake/app/demo.h - the bundled demo data set (demo/demo.json, compiled in):
 * GitHub issues and comments, Reddit posts, sales notes and employee ideas of
 * a mesh-VPN company, loaded through the same parsers and the same ingest
 * pipeline as live data. */
#ifndef INTAKE_DEMO_H
#define INTAKE_DEMO_H

#include <libpq-fe.h>

#include "triage/err.h"

struct demo_counts {
	int github, reddit, sales, employee;
	int ideas; /* ideas in the database afterwards */
};

struct triage_ctx;

/* Told after each record of the data set is in: done of total. */
typedef void demo_progress_fn(int done, int total, void *arg);

/* Loads the demo set in one transaction; idempotent (a second load adds
 * nothing). progress (may be NULL) is called as it goes. */
int demo_load(PGconn *c, struct triage_ctx *t, demo_progress_fn *progress, void *progress_arg,
	      struct demo_counts *out, struct err *err) __attribute__((warn_unused_result));

#endif
