/* intake/read/idea_detail.c - one idea's detail (idea_detail.h) from the
 * queries of db/detail.h, as the API and the idea page show it. */
#include "intake/read/idea_detail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/detail.h"
#include "intake/read/views.h"

static json_t *text(PGresult *r, int row, int c)
{
	return PQgetisnull(r, row, c) ? json_null() : json_string(PQgetvalue(r, row, c));
}

/* JSON text s parsed (null when NULL or not JSON). */
static json_t *json_text(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_null();
}

static json_t *jsonb(PGresult *r, int row, int c)
{
	return json_text(PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c));
}

static json_t *mentions(PGconn *c, int64_t id, struct err *err)
{
	PGresult *r = db_idea_mentions(c, id, err);
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

/* Each row of r (taken) as an object keyed by column name, JSON columns
 * parsed; NULL when r is (a failed query). */
static json_t *rows(PGresult *r)
{
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

/* The idea as the internal view shows it with the columns only this page
 * reads; a merged idea shows only where it went. 1 and *out, 0 when
 * there is no such idea, -1 with *err. */
static int idea_part(PGconn *c, int64_t id, json_t **out, struct err *err)
{
	struct db_idea_head head;
	int rc = db_idea_head(c, id, &head, err);
	if (rc <= 0)
		return rc;
	json_t *idea = NULL;
	if (head.merged)
		idea = json_pack("{sI s:o s:s sI}", "id", (json_int_t)id, "title",
				 head.title ? json_string(head.title) : json_null(), "status", "merged",
				 "merged_into", (json_int_t)head.merged_into);
	else if (views_idea(c, VIEW_INTERNAL, id, &idea, err) < 0) {
		db_idea_head_clear(&head);
		return -1;
	}
	if (idea) { /* else deleted between the two reads */
		json_object_set_new(idea, "prev_breakdown", json_text(head.prev_breakdown));
		json_object_set_new(idea, "classification", json_text(head.classification));
		json_object_set_new(idea, "overrides", json_text(head.overrides));
	}
	db_idea_head_clear(&head);
	*out = idea;
	return idea ? 1 : 0;
}

int idea_detail(PGconn *c, int64_t id, json_t **out, struct err *err)
{
	*out = NULL;
	json_t *idea = NULL;
	int rc = idea_part(c, id, &idea, err);
	if (rc <= 0)
		return rc;
	json_t *m = mentions(c, id, err);
	json_t *sim = m ? rows(db_idea_similar(c, id, 10, err)) : NULL;
	json_t *hist = sim ? rows(db_idea_history(c, id, err)) : NULL;
	json_t *audit = hist ? rows(db_idea_audit(c, id, err)) : NULL;
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
