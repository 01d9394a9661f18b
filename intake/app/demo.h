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

/* Loads the demo set; idempotent (a second load adds nothing). */
struct triage_ctx;

int demo_load(PGconn *c, struct triage_ctx *t, struct demo_counts *out, struct err *err)
    __attribute__((warn_unused_result));

#endif
