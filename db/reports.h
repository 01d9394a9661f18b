/* db/reports.h - the backlog as each view reads it: one page of the
 * ranking, or one idea, as rows the caller turns into idea_records. The
 * SQL lives in db/reports.c (tests/bench/backlog_bench.sh runs sql_public
 * and sql_internal from there as they are, so keep them literal). */
#ifndef DB_REPORTS_H
#define DB_REPORTS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "triage/err.h"
#include "triage/normalize.h"
#include "triage/view.h"

/* One page's filters, as text the server binds (borrowed; NULL = any).
 * Inside the key is the score of the previous page's last row, outside its
 * public demand; the caller has checked every value. */
struct db_backlog_query {
	const char *limit;      /* "1".."500" */
	const char *after_key;  /* with after_id: keyset pagination */
	const char *after_id;
	const char *category, *segment, *bridge;
	const char *statuses;   /* a text[] literal */
	const char *stage, *source;
	const char *title_like; /* a LIKE pattern over the title the view shows */
	const char *visibility; /* internal view only */
	const char *tsquery;    /* internal view only: terms of every mention, "a & b" */
};

/* The rows of one page of view v's ranking, best first (the caller clears
 * the result; read each row with db_backlog_record). NULL with *err. */
PGresult *db_backlog_page(PGconn *c, enum view v, const struct db_backlog_query *q,
                          struct err *err) __attribute__((warn_unused_result));

/* The row of idea id as view v may read it (no row: no such idea), or NULL
 * with *err. Outside views read the outside columns, whatever the idea's
 * visibility: view_idea() decides what is shown. */
PGresult *db_backlog_one(PGconn *c, enum view v, int64_t id, struct err *err)
    __attribute__((warn_unused_result));

/* Row row of a db_backlog_* result as a record whose strings are borrowed
 * from r and from *links (new: tokens_clear it when done with *rec). */
void db_backlog_record(PGresult *r, int row, struct idea_record *rec, struct tokens *links);

#endif
