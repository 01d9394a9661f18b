#include "db/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* Copies row i of r into *row; -1 when out of memory (*row then freeable). */
static int audit_row(PGresult *r, int i, struct db_audit_row *row)
{
	row->id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	snprintf(row->at, sizeof(row->at), "%s", PQgetvalue(r, i, 1));
	row->actor = strdup(PQgetvalue(r, i, 2));
	row->action = strdup(PQgetvalue(r, i, 3));
	row->has_idea = !PQgetisnull(r, i, 4);
	row->idea_id = row->has_idea ? strtoll(PQgetvalue(r, i, 4), NULL, 10) : 0;
	row->details = strdup(PQgetvalue(r, i, 5));
	return row->actor && row->action && row->details ? 0 : -1;
}

int db_audit_list(PGconn *c, int64_t idea_id, int64_t before, int limit, struct db_audit_page *out,
                  struct err *err)
{
	char idea[24], bef[24], lim[24];
	snprintf(idea, sizeof(idea), "%lld", (long long)idea_id);
	snprintf(bef, sizeof(bef), "%lld", (long long)before);
	snprintf(lim, sizeof(lim), "%d", limit);
	const char *p[] = {idea_id > 0 ? idea : NULL, before > 0 ? bef : NULL, lim};
	PGresult *r = db_query(
	    c,
	    "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
	    " actor, action, idea_id, details::text FROM audit_log"
	    " WHERE ($1::bigint IS NULL OR idea_id = $1) AND ($2::bigint IS NULL OR id < $2)"
	    " ORDER BY id DESC LIMIT $3::int",
	    3, p, err);
	if (!r)
		return -1;
	struct db_audit_page page = {calloc((size_t)PQntuples(r) + 1, sizeof(*page.rows)), 0};
	int rc = page.rows ? 0 : -1;
	/* page.n counts a row that failed half-way too, so it is freed */
	for (int i = 0; rc == 0 && i < PQntuples(r); i++, page.n++)
		rc = audit_row(r, i, &page.rows[i]);
	PQclear(r);
	if (rc < 0) {
		db_audit_page_free(&page);
		return err_set(err, "out of memory");
	}
	*out = page;
	return 0;
}

void db_audit_page_free(struct db_audit_page *p)
{
	if (!p || !p->rows)
		return;
	for (int i = 0; i < p->n; i++) {
		free(p->rows[i].actor);
		free(p->rows[i].action);
		free(p->rows[i].details);
	}
	free(p->rows);
	p->rows = NULL;
	p->n = 0;
}
