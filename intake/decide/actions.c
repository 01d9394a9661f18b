#include "intake/decide/actions.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/decisions.h"
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

/* segments: null, or a list of at most two of vpn and platform. */
static int check_segments(json_t *v, const char *key, struct err *err)
{
	if (json_is_null(v))
		return 0;
	int rc = 0;
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
	return rc;
}

/* One member of the changes: key must be a known field, v a value it takes. */
static int check_member(const char *key, json_t *v, struct err *err)
{
	if (!view_one_of(key, idea_update_fields))
		return bad(err, key,
			   "unknown field '%s'; fields: status, stage, category, segments, runtime, "
			   "visibility, table_stakes, disclosed, owner, decision_note, "
			   "declined_reason, public_title, score_multiplier",
			   key);
	if (!strcmp(key, "status"))
		return check_enum(v, key, idea_statuses, false,
				  "status must be new, under_review, planned, in_progress, shipped or "
				  "declined (merging is POST /merge)", err);
	if (!strcmp(key, "stage"))
		return check_enum(v, key, idea_stages, true, "stage must be poc, alpha, beta, ga or null", err);
	if (!strcmp(key, "category"))
		return check_enum(v, key, idea_categories, true,
				  "category must be security, reliability, performance, feature, or "
				  "null to use the rules", err);
	if (!strcmp(key, "runtime"))
		return check_enum(v, key, idea_runtimes, true,
				  "runtime must be client, cloud, both, or null to use the rules", err);
	if (!strcmp(key, "visibility"))
		return check_enum(v, key, idea_visibilities, false,
				  "visibility must be internal, customer or public", err);
	if (!strcmp(key, "table_stakes") || !strcmp(key, "disclosed"))
		return json_is_boolean(v) ? 0 : bad(err, key, "%s must be true or false", key);
	if (!strcmp(key, "segments"))
		return check_segments(v, key, err);
	if (!strcmp(key, "owner"))
		return check_text(v, key, 1, 200, true, err);
	if (!strcmp(key, "decision_note"))
		return check_text(v, key, 1, 5000, true, err);
	if (!strcmp(key, "declined_reason"))
		return check_text(v, key, 3, 1000, true, err);
	if (!strcmp(key, "public_title"))
		return check_text(v, key, 3, 200, true, err);
	/* score_multiplier, the last field */
	if (!json_is_null(v) && (!json_is_number(v) || json_number_value(v) < 0.1 ||
				 json_number_value(v) > 10))
		return bad(err, key, "%s", "score_multiplier must be a number from 0.1 to 10, or null");
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
		if (check_member(key, v, err) < 0)
			return -1;
	}
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* One update's values as JSON: what the idea holds, what it will hold, and
 * the difference. All new; freed by update_cleanup. */
struct update {
	json_t *cur, *next; /* status, stage, visibility, table_stakes, ... */
	json_t *ovr, *new_ovr; /* the overrides object */
	json_t *diff;          /* field -> {from, to} */
	bool public_post;      /* the idea has a live public post */
};

/* The update's starting point: d's values, twice. */
static void update_init(struct update *u, const struct db_idea_decision *d)
{
	u->cur = json_object();
	json_object_set_new(u->cur, "status", str_or_null(d->status));
	json_object_set_new(u->cur, "stage", str_or_null(d->stage));
	json_object_set_new(u->cur, "visibility", str_or_null(d->visibility));
	json_object_set_new(u->cur, "table_stakes", json_boolean(d->table_stakes));
	json_object_set_new(u->cur, "disclosed", json_boolean(d->disclosed));
	json_object_set_new(u->cur, "owner", str_or_null(d->owner));
	json_object_set_new(u->cur, "decision_note", str_or_null(d->decision_note));
	json_object_set_new(u->cur, "declined_reason", str_or_null(d->declined_reason));
	json_object_set_new(u->cur, "public_title", str_or_null(d->public_title));
	u->ovr = json_loads(d->overrides, 0, NULL);
	if (!json_is_object(u->ovr)) {
		json_decref(u->ovr);
		u->ovr = json_object();
	}
	u->next = json_deep_copy(u->cur);
	u->new_ovr = json_deep_copy(u->ovr);
	u->diff = json_object();
	u->public_post = d->public_post;
}

static void update_cleanup(struct update *u)
{
	json_decref(u->cur);
	json_decref(u->next);
	json_decref(u->ovr);
	json_decref(u->new_ovr);
	json_decref(u->diff);
}

/* Lays changes (validated) over u->next and u->new_ovr; u->diff gets each
 * field that really changes. Overrides (category, segments, runtime, the
 * score multiplier) go to the overrides object, the rest to the columns. */
static void update_apply(struct update *u, json_t *changes)
{
	const char *key;
	json_t *v;
	json_object_foreach(changes, key, v)
	{
		bool is_ovr = !strcmp(key, "category") || !strcmp(key, "segments") ||
			      !strcmp(key, "runtime") || !strcmp(key, "score_multiplier");
		const char *okey = !strcmp(key, "score_multiplier") ? "multiplier" : key;
		json_t *before = is_ovr ? json_object_get(u->ovr, okey) : json_object_get(u->cur, key);
		if (!before)
			before = json_null();
		if (json_equal(before, v))
			continue;
		json_object_set_new(u->diff, key, json_pack("{s:O s:O}", "from", before, "to", v));
		if (is_ovr) {
			if (json_is_null(v))
				json_object_del(u->new_ovr, okey);
			else
				json_object_set(u->new_ovr, okey, v);
		} else {
			json_object_set(u->next, key, v);
		}
	}
}

/* The rules across fields the new values must keep; -1 with *err. */
static int update_check(const struct update *u, struct err *err)
{
	const char *status = json_string_value(json_object_get(u->next, "status"));
	const char *vis = json_string_value(json_object_get(u->next, "visibility"));
	if (!strcmp(status, "declined") && json_is_null(json_object_get(u->next, "declined_reason")))
		return bad(err, "declined_reason", "%s",
			   "declining an idea needs a declined_reason (3 to 1000 characters)");
	if (strcmp(vis, "internal") != 0 && !u->public_post &&
	    json_is_null(json_object_get(u->next, "public_title")))
		return bad(err, "conflict:public_title", "%s",
			   "this idea has no public thread whose title could be shown outside: set a "
			   "public_title (3 to 200 characters) before making it customer or public");
	return 0;
}

/* Text member k of next, or NULL when it is null. */
static const char *next_text(const struct update *u, const char *k)
{
	json_t *v = json_object_get(u->next, k);
	return json_is_null(v) ? NULL : json_string_value(v);
}

/* Writes the new values of idea id and their audit record, as actor. */
static int update_write(PGconn *c, int64_t id, const struct update *u, const char *actor,
			struct err *err)
{
	char *ovr_s = json_dumps(u->new_ovr, JSON_COMPACT | JSON_SORT_KEYS);
	char *diff_s = json_dumps(u->diff, JSON_COMPACT | JSON_SORT_KEYS);
	const char *before_vis = json_string_value(json_object_get(u->cur, "visibility"));
	const char *vis = next_text(u, "visibility");
	const char *action = strcmp(before_vis, vis) == 0 ? "update"
			     : strcmp(vis, "internal") == 0 ? "unpublish"
							    : "publish";
	struct db_idea_decision d = {
	    .status = next_text(u, "status"),
	    .stage = next_text(u, "stage"),
	    .visibility = vis,
	    .owner = next_text(u, "owner"),
	    .decision_note = next_text(u, "decision_note"),
	    .declined_reason = next_text(u, "declined_reason"),
	    .public_title = next_text(u, "public_title"),
	    .table_stakes = json_is_true(json_object_get(u->next, "table_stakes")),
	    .disclosed = json_is_true(json_object_get(u->next, "disclosed")),
	    .overrides = ovr_s,
	};
	int rc = db_idea_decision_write(c, id, &d, actor, action, diff_s, err);
	free(ovr_s);
	free(diff_s);
	return rc;
}

int idea_update(PGconn *c, struct triage_ctx *t, int64_t id, json_t *changes, const char *actor,
		int *changed, struct err *err)
{
	*changed = 0;
	if (validate(changes, err) < 0)
		return -1;
	struct db_idea_decision d;
	int found = db_idea_decision_lock(c, id, &d, err);
	if (found <= 0)
		return found;
	struct update u;
	update_init(&u, &d);
	db_idea_decision_cleanup(&d);
	update_apply(&u, changes);
	int rc = 1;
	if (json_object_size(u.diff) == 0)
		goto done;
	if (update_check(&u, err) < 0 || update_write(c, id, &u, actor, err) < 0) {
		rc = -1;
		goto done;
	}
	*changed = (int)json_object_size(u.diff);
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	if (rescore_idea(c, t, idbuf, err) < 0)
		rc = -1;
done:
	update_cleanup(&u);
	return rc;
}
