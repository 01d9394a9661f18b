#include "intake/read/idea_detail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/dedup/match.h"
#include "intake/read/views.h"

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define MAX_MENTIONS 500

static json_t *text(PGresult *r, int row, int c)
{
	return PQgetisnull(r, row, c) ? json_null() : json_string(PQgetvalue(r, row, c));
}

static json_t *jsonb(PGresult *r, int row, int c)
{
	json_t *j = PQgetisnull(r, row, c) ? NULL : json_loads(PQgetvalue(r, row, c), 0, NULL);
	return j ? j : json_null();
}

static json_t *mentions(PGconn *c, const char *id, struct err *err)
{
	const char *p[] = {id};
	PGresult *r = db_query(
	    c,
	    "SELECT m.id, m.source, m.external_id, m.kind, m.author, m.author_kind, m.author_email,"
	    " m.account, m.arr, m.title, left(m.body, 4000), m.url, m.votes, m.deleted, m.is_public,"
	    " " ISO("coalesce(m.upstream_created_at, m.first_seen_at)") ","
	    " l.method, l.similarity, l.evidence::text, l.decided_by"
	    " FROM mentions m LEFT JOIN mention_links l ON l.mention_id = m.id AND l.superseded_at IS NULL"
	    " WHERE m.idea_id = $1 ORDER BY m.id LIMIT 500",
	    1, p, err);
	if (!r)
		return NULL;
	json_t *arr = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *m = json_pack(
		    "{sI s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o si sb sb s:o}", "id",
		    (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "source", text(r, i, 1),
		    "external_id", text(r, i, 2), "kind", text(r, i, 3), "author", text(r, i, 4),
		    "author_kind", text(r, i, 5), "author_email", text(r, i, 6), "account",
		    text(r, i, 7), "arr",
		    PQgetisnull(r, i, 8) ? json_null()
					 : json_integer(strtoll(PQgetvalue(r, i, 8), NULL, 10)),
		    "title", text(r, i, 9), "body", text(r, i, 10), "url", text(r, i, 11), "votes",
		    atoi(PQgetvalue(r, i, 12)), "deleted", PQgetvalue(r, i, 13)[0] == 't', "is_public",
		    PQgetvalue(r, i, 14)[0] == 't', "created_at", text(r, i, 15));
		if (!PQgetisnull(r, i, 16))
			json_object_set_new(
			    m, "link",
			    json_pack("{s:o s:o s:o s:o}", "method", text(r, i, 16), "similarity",
				      PQgetisnull(r, i, 17) ? json_null()
							    : json_real(strtod(PQgetvalue(r, i, 17), NULL)),
				      "evidence", jsonb(r, i, 18), "decided_by", text(r, i, 19)));
		json_array_append_new(arr, m);
	}
	PQclear(r);
	return arr;
}

static json_t *rows(PGconn *c, const char *sql, const char *id, struct err *err)
{
	const char *p[] = {id};
	PGresult *r = db_query(c, sql, 1, p, err);
	if (!r)
		return NULL;
	json_t *arr = json_array();
	int nf = PQnfields(r);
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_object();
		for (int f = 0; f < nf; f++) {
			const char *name = PQfname(r, f);
			json_t *v;
			if (PQgetisnull(r, i, f))
				v = json_null();
			else if (!strcmp(name, "details") || !strcmp(name, "evidence"))
				v = jsonb(r, i, f);
			else if (!strcmp(name, "score") || !strcmp(name, "similarity"))
				v = json_real(strtod(PQgetvalue(r, i, f), NULL));
			else if (!strcmp(name, "idea_id") || !strcmp(name, "id"))
				v = json_integer(strtoll(PQgetvalue(r, i, f), NULL, 10));
			else
				v = json_string(PQgetvalue(r, i, f));
			json_object_set_new(o, name, v);
		}
		json_array_append_new(arr, o);
	}
	PQclear(r);
	return arr;
}

int idea_detail(PGconn *c, int64_t id, json_t **out, struct err *err)
{
	*out = NULL;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	const char *p[] = {idbuf};
	PGresult *r = db_query(c,
			       "SELECT status, merged_into, title, prev_breakdown::text, classification::text,"
			       " overrides::text FROM ideas WHERE id = $1",
			       1, p, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	json_t *idea = NULL;
	if (strcmp(PQgetvalue(r, 0, 0), "merged") == 0) {
		idea = json_pack("{sI s:o s:s s:o}", "id", (json_int_t)id, "title", text(r, 0, 2),
				 "status", "merged", "merged_into",
				 json_integer(strtoll(PQgetvalue(r, 0, 1), NULL, 10)));
	} else if (views_idea(c, VIEW_INTERNAL, id, &idea, err) < 0) {
		PQclear(r);
		return -1;
	}
	if (!idea) { /* deleted between the two reads */
		PQclear(r);
		return 0;
	}
	json_object_set_new(idea, "prev_breakdown", jsonb(r, 0, 3));
	json_object_set_new(idea, "classification", jsonb(r, 0, 4));
	json_object_set_new(idea, "overrides", jsonb(r, 0, 5));
	PQclear(r);
	json_t *m = mentions(c, idbuf, err);
	json_t *sim = m ? rows(c,
			       "SELECT s.other AS idea_id, o.title, s.similarity, s.evidence::text AS evidence"
			       " FROM " MATCH_SIMILAR_OF("$1::bigint") " s JOIN ideas o ON o.id = s.other"
			       " WHERE o.status <> 'merged'"
			       " ORDER BY s.similarity DESC, s.other LIMIT 10",
			       idbuf, err)
			: NULL;
	json_t *hist = sim ? rows(c,
				  "SELECT " ISO("at") " AS at, score, status FROM idea_history"
				  " WHERE idea_id = $1 ORDER BY at DESC, id DESC LIMIT 50",
				  idbuf, err)
			   : NULL;
	json_t *audit = hist ? rows(c,
				    "SELECT id, " ISO("at") " AS at, actor, action, details::text AS details"
				    " FROM audit_log WHERE idea_id = $1 ORDER BY id DESC LIMIT 100",
				    idbuf, err)
			     : NULL;
	if (!audit) {
		json_decref(idea);
		json_decref(m);
		json_decref(sim);
		json_decref(hist);
		return -1;
	}
	*out = json_pack("{s:o s:o s:o s:o s:o}", "idea", idea, "mentions", m, "similar", sim,
			 "history", hist, "audit", audit);
	return 1;
}
