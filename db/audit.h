/* db/audit.h - reading the audit log (audit_log): who changed what, when.
 * The log is written by the statements that make the change (db/decisions.h),
 * in the same statement, so a change and its record cannot part. */
#ifndef DB_AUDIT_H
#define DB_AUDIT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

/* One record. The strings belong to the page that holds it. */
struct db_audit_row {
	int64_t id;
	char at[40]; /* UTC, ISO 8601 with microseconds: 2026-01-02T03:04:05.000006Z */
	char *actor;
	char *action;
	bool has_idea; /* idea_id is set */
	int64_t idea_id;
	char *details; /* JSON object text */
};

struct db_audit_page {
	struct db_audit_row *rows;
	int n;
};

/* Up to limit records, newest first: of idea_id only when it is > 0, and
 * older than record `before` when it is > 0. *out is new (free it with
 * db_audit_page_free), written only on success. 0, or -1 with *err. */
int db_audit_list(PGconn *c, int64_t idea_id, int64_t before, int limit, struct db_audit_page *out,
                  struct err *err) __attribute__((warn_unused_result));

void db_audit_page_free(struct db_audit_page *p); /* accepts NULL and an empty page */

#endif
