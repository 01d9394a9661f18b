#include "intake/decide/actions.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/ingest/rescore.h"
#include "triage/text.h"
#include "triage/view.h"

const char *const idea_update_fields[] = {
    "status",          "stage",         "category",    "segments",    "runtime",
    "visibility",      "table_stakes",  "disclosed",   "owner",       "decision_note",
    "declined_reason", "public_title",  "score_multiplier", NULL};

__attribute__((format(printf, 3, 4))) static int bad(struct err *err, const char *field,
							 const char *fmt, ...)
{
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set_field(err, field, "%s", msg);
}

/* An optional enum member: must be one of allowed, or null when nullable. */
static int check_enum(json_t *v, const char *field, const char *const *allowed, bool nullable,
		      const char *expect, struct err *err)
{
	if (json_is_null(v) && nullable)
		return 0;
	if (!json_is_string(v) || !view_one_of(json_string_value(v), allowed))
		return bad(err, field, "%s", expect);
	return 0;
}

/* An optional text member of min..max characters (or null when nullable). */
static int check_text(json_t *v, const char *field, size_t min, size_t max, bool nullable,
		      struct err *err)
{
	if (json_is_null(v) && nullable)
		return 0;
	char msg[120];
	snprintf(msg, sizeof(msg), "%s must be text of %zu to %zu characters%s", field, min, max,
		 nullable ? ", or null" : "");
	if (!json_is_string(v))
		return bad(err, field, "%s", msg);
	const char *s = json_string_value(v);
	if (!text_valid_utf8(s, json_string_length(v)))
		return bad(err, field, "%s holds invalid UTF-8 or control characters", field);
	size_t n = text_utf8_len(s);
	if (n < min || n > max)
		return bad(err, field, "%s", msg);
	return 0;
}

static int validate(json_t *ch, struct err *err)
{
	if (!json_is_object(ch))
		return bad(err, "body", "%s", "the body must be a JSON object");
	if (json_object_size(ch) == 0)
		return bad(err, "body", "%s", "nothing to change: send at least one field");
	const char *key;
	json_t *v;
	json_object_foreach(ch, key, v)
	{
		if (!view_one_of(key, idea_update_fields))
			return bad(err, key,
				   "unknown field '%s'; fields: status, stage, category, segments, runtime, "
				   "visibility, table_stakes, disclosed, owner, decision_note, "
				   "declined_reason, public_title, score_multiplier",
				   key);
		int rc = 0;
		if (!strcmp(key, "status"))
			rc = check_enum(v, key, idea_statuses, false,
					"status must be new, under_review, planned, in_progress, shipped or "
					"declined (merging is POST /merge)", err);
		else if (!strcmp(key, "stage"))
			rc = check_enum(v, key, idea_stages, true, "stage must be poc, alpha, beta, ga or null", err);
		else if (!strcmp(key, "category"))
			rc = check_enum(v, key, idea_categories, true,
					"category must be security, reliability, performance, feature, or "
					"null to use the rules", err);
		else if (!strcmp(key, "runtime"))
			rc = check_enum(v, key, idea_runtimes, true,
					"runtime must be client, cloud, both, or null to use the rules", err);
		else if (!strcmp(key, "visibility"))
			rc = check_enum(v, key, idea_visibilities, false,
					"visibility must be internal, customer or public", err);
		else if (!strcmp(key, "table_stakes") || !strcmp(key, "disclosed")) {
			if (!json_is_boolean(v))
				rc = bad(err, key, "%s must be true or false", key);
		} else if (!strcmp(key, "segments")) {
			if (!json_is_null(v)) {
				size_t i;
				json_t *s;
				if (!json_is_array(v) || json_array_size(v) > 2)
					rc = -1;
				json_array_foreach(v, i, s)
				if (!json_is_string(s) || !view_one_of(json_string_value(s), idea_segments))
					rc = -1;
				if (rc < 0)
					bad(err, key, "%s",
					    "segments must be a list of vpn and/or platform, or null to use the "
					    "rules");
			}
		} else if (!strcmp(key, "owner"))
			rc = check_text(v, key, 1, 200, true, err);
		else if (!strcmp(key, "decision_note"))
			rc = check_text(v, key, 1, 5000, true, err);
		else if (!strcmp(key, "declined_reason"))
			rc = check_text(v, key, 3, 1000, true, err);
		else if (!strcmp(key, "public_title"))
			rc = check_text(v, key, 3, 200, true, err);
		else if (!strcmp(key, "score_multiplier")) {
			if (!json_is_null(v) && (!json_is_number(v) || json_number_value(v) < 0.1 ||
						 json_number_value(v) > 10))
				rc = bad(err, key, "%s", "score_multiplier must be a number from 0.1 to 10, or null");
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The columns idea_update reads and writes, in this order. */
enum { C_STATUS, C_STAGE, C_VIS, C_TS, C_DISC, C_OWNER, C_NOTE, C_REASON, C_PTITLE, C_OVR,
       C_PUBLIC_POST, NCOLS };
static const char *const col_names[] = {"status", "stage", "visibility", "table_stakes",
					"disclosed", "owner", "decision_note", "declined_reason",
					"public_title"};

static json_t *text_or_null(PGresult *r, int c)
{
	return PQgetisnull(r, 0, c) ? json_null() : json_string(PQgetvalue(r, 0, c));
}

int idea_update(PGconn *c, struct triage_ctx *t, int64_t id, json_t *changes, const char *actor,
		int *changed, struct err *err)
{
	*changed = 0;
	if (validate(changes, err) < 0)
		return -1;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	const char *p1[] = {idbuf};
	PGresult *r = db_query(c,
			       "SELECT status, stage, visibility, table_stakes, disclosed, owner,"
			       " decision_note, declined_reason, public_title, overrides::text,"
			       " EXISTS (SELECT 1 FROM mentions m WHERE m.idea_id = i.id AND m.is_public"
			       "         AND NOT m.deleted AND m.kind = 'post')"
			       " FROM ideas i WHERE id = $1 AND status <> 'merged' FOR UPDATE",
			       1, p1, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	/* current values as JSON, then the changes over them */
	json_t *cur = json_object(), *next;
	for (int k = C_STATUS; k <= C_PTITLE; k++) {
		json_t *v = text_or_null(r, k);
		if (k == C_TS || k == C_DISC) {
			json_decref(v);
			v = json_boolean(PQgetvalue(r, 0, k)[0] == 't');
		}
		json_object_set_new(cur, col_names[k], v);
	}
	json_t *ovr = json_loads(PQgetvalue(r, 0, C_OVR), 0, NULL);
	if (!json_is_object(ovr)) {
		json_decref(ovr);
		ovr = json_object();
	}
	bool public_post = PQgetvalue(r, 0, C_PUBLIC_POST)[0] == 't';
	PQclear(r);
	next = json_deep_copy(cur);
	json_t *new_ovr = json_deep_copy(ovr);
	json_t *diff = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(changes, key, v)
	{
		bool is_ovr = !strcmp(key, "category") || !strcmp(key, "segments") ||
			      !strcmp(key, "runtime") || !strcmp(key, "score_multiplier");
		const char *okey = !strcmp(key, "score_multiplier") ? "multiplier" : key;
		json_t *before = is_ovr ? json_object_get(ovr, okey) : json_object_get(cur, key);
		if (!before)
			before = json_null();
		if (json_equal(before, v))
			continue;
		json_object_set_new(diff, key, json_pack("{s:O s:O}", "from", before, "to", v));
		if (is_ovr) {
			if (json_is_null(v))
				json_object_del(new_ovr, okey);
			else
				json_object_set(new_ovr, okey, v);
		} else {
			json_object_set(next, key, v);
		}
	}
	int rc = 1;
	const char *status = json_string_value(json_object_get(next, "status"));
	const char *vis = json_string_value(json_object_get(next, "visibility"));
	if (json_object_size(diff) == 0)
		goto done;
	if (!strcmp(status, "declined") && json_is_null(json_object_get(next, "declined_reason"))) {
		rc = bad(err, "declined_reason", "%s",
			 "declining an idea needs a declined_reason (3 to 1000 characters)");
		goto done;
	}
	if (strcmp(vis, "internal") != 0 && !public_post &&
	    json_is_null(json_object_get(next, "public_title"))) {
		rc = bad(err, "conflict:public_title", "%s",
			 "this idea has no public thread whose title could be shown outside: set a "
			 "public_title (3 to 200 characters) before making it customer or public");
		goto done;
	}
	char *ovr_s = json_dumps(new_ovr, JSON_COMPACT | JSON_SORT_KEYS);
	char *diff_s = json_dumps(diff, JSON_COMPACT | JSON_SORT_KEYS);
	const char *before_vis = json_string_value(json_object_get(cur, "visibility"));
	const char *action = strcmp(before_vis, vis) == 0 ? "update"
			     : strcmp(vis, "internal") == 0 ? "unpublish"
							    : "publish";
#define S(k) (json_is_null(json_object_get(next, k)) ? NULL : json_string_value(json_object_get(next, k)))
	const char *p[] = {idbuf,
			   status,
			   S("stage"),
			   vis,
			   json_is_true(json_object_get(next, "table_stakes")) ? "t" : "f",
			   json_is_true(json_object_get(next, "disclosed")) ? "t" : "f",
			   S("owner"),
			   S("decision_note"),
			   S("declined_reason"),
			   S("public_title"),
			   ovr_s,
			   actor,
			   action,
			   diff_s};
#undef S
	r = db_query(c,
		     "WITH u AS (UPDATE ideas SET status = $2, stage = $3, visibility = $4,"
		     "  table_stakes = $5::bool, disclosed = $6::bool, owner = $7, decision_note = $8,"
		     "  declined_reason = $9, public_title = $10, overrides = $11::jsonb,"
		     "  updated_at = now() WHERE id = $1)"
		     " INSERT INTO audit_log (actor, action, idea_id, details)"
		     " VALUES ($12, $13, $1, $14::jsonb)",
		     14, p, err);
	free(ovr_s);
	free(diff_s);
	if (!r) {
		rc = -1;
		goto done;
	}
	PQclear(r);
	*changed = (int)json_object_size(diff);
	if (rescore_idea(c, t, idbuf, err) < 0)
		rc = -1;
done:
	json_decref(cur);
	json_decref(next);
	json_decref(ovr);
	json_decref(new_ovr);
	json_decref(diff);
	return rc;
}
