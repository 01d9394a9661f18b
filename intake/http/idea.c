/* intake/http/idea.c - GET and PATCH /api/v1/ideas/{id}: the whole idea for
 * a triager, and a triager's decisions on it (audited). The detail carries
 * an ETag (a digest of the very bytes answered); a PATCH with If-Match
 * changes the idea only while that is still its ETag (docs/design.md,
 * "Lists, cursors and concurrent edits"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/idea_version.h"
#include "intake/decide/actions.h"
#include "intake/read/idea_detail.h"
#include "intake/http/cache.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/ingest/ingest.h"
#include "intake/read/views.h"

/* detail as GET answers it (new: the JSON and a newline), *len its length;
 * NULL when out of memory. */
static char *detail_text(json_t *detail, size_t *len)
{
	char *s = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	size_t n = s ? strlen(s) : 0;
	char *t = s ? realloc(s, n + 2) : NULL;
	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	*len = n + 1;
	return t;
}

int idea_detail_etag(json_t *detail, char etag[40])
{
	size_t len;
	char *text = detail_text(detail, &len);
	if (!text)
		return -1;
	http_etag(text, len, etag);
	free(text);
	return 0;
}

/* Idea id's detail as GET answers it: 1 with its ETag and, when text is
 * not NULL, *text (new) and *len; 0 when there is no such idea; -1 with
 * *err. */
static int detail_render(PGconn *pg, int64_t id, char etag[40], char **text, size_t *len,
			 struct err *err)
{
	json_t *d;
	int rc = idea_detail(pg, id, &d, err);
	if (rc <= 0)
		return rc;
	size_t n;
	char *t = detail_text(d, &n);
	json_decref(d);
	if (!t)
		return err_set(err, "out of memory");
	http_etag(t, n, etag);
	if (text) {
		*text = t;
		*len = n;
	} else {
		free(t);
	}
	return 1;
}

void idea_get(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "idea");
		return;
	}
	struct cached_reply once = {.content_type = "application/json"};
	struct err err = {0};
	int rc = detail_render(db_conn(db), id, once.etag, &once.body, &once.len, &err);
	if (rc < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (rc == 0) {
		http_problem(c, 404, NULL, "no idea %lld", (long long)id);
		return;
	}
	/* If-None-Match answers 304; no-store, as every signed-in answer
	 * (http_reply): the client keeps the ETag itself */
	http_reply_cached(c, &once, "no-store");
	free(once.body);
}

/* Which views show the idea now, so a triager sees at once whether a
 * publish took effect (a security idea stays hidden until disclosed). */
json_t *idea_visible_in(PGconn *pg, int64_t id)
{
	json_t *in = json_array();
	for (enum view v = VIEW_INTERNAL; v <= VIEW_PUBLIC; v++) {
		json_t *o = NULL;
		struct err err = {0};
		if (views_idea(pg, v, id, &o, &err) == 1)
			json_array_append_new(in, json_string(view_name(v)));
		json_decref(o);
	}
	return in;
}

/* Whether the If-Match value list holds etag by the strong comparison of
 * RFC 9110 (13.1.1): "*" or one of its entity tags byte for byte; a weak
 * tag (W/"...") never matches. 1 or 0; -1 when list is not a
 * comma-separated list of entity tags. */
static int if_match_has(const char *list, const char *etag)
{
	const char *p = list;
	int found = 0;
	for (;;) {
		p += strspn(p, " \t");
		if (*p == '*') {
			found = 1;
			p++;
		} else {
			bool weak = strncmp(p, "W/", 2) == 0;
			const char *open = weak ? p + 2 : p;
			const char *close = *open == '"' ? strchr(open + 1, '"') : NULL;
			if (!close)
				return -1;
			size_t n = (size_t)(close - open) + 1;
			found |= !weak && n == strlen(etag) && memcmp(open, etag, n) == 0;
			p = close + 1;
		}
		p += strspn(p, " \t");
		if (*p == '\0')
			return found;
		if (*p++ != ',')
			return -1;
	}
}

/* Checks if_match (NULL: no condition) against idea id's ETag under the
 * row's lock, taken first so that no writer comes between the check and
 * the change. */
static enum patch_outcome precondition(PGconn *pg, int64_t id, const char *if_match,
				       struct err *err)
{
	if (!if_match)
		return PATCH_APPLIED;
	char now[40];
	int rc = db_idea_lock_live(pg, id, err);
	if (rc == 1)
		rc = detail_render(pg, id, now, NULL, NULL, err);
	if (rc <= 0)
		return rc < 0 ? PATCH_FAILED : PATCH_NO_IDEA;
	return if_match_has(if_match, now) == 1 ? PATCH_APPLIED : PATCH_STALE;
}

enum patch_outcome idea_apply(struct http_ctx *c, PGconn *pg, int64_t id, json_t *changes,
			      const char *who, const char *if_match, int *changed, char etag[40],
			      struct err *err)
{
	struct ingest_tx tx;
	if (ingest_begin(&tx, pg, http_triage(c), err) < 0)
		return PATCH_FAILED;
	enum patch_outcome out = precondition(pg, id, if_match, err);
	if (out == PATCH_APPLIED) {
		int rc = idea_update(pg, http_triage(c), id, changes, who, changed, err);
		if (rc == 1)
			rc = detail_render(pg, id, etag, NULL, NULL, err);
		out = rc == 1 ? PATCH_APPLIED : rc == 0 ? PATCH_NO_IDEA : PATCH_FAILED;
	}
	if (out == PATCH_APPLIED && ingest_commit(&tx, err) < 0)
		out = PATCH_FAILED;
	if (out != PATCH_APPLIED)
		ingest_rollback(&tx);
	return out;
}

/* Answers a PATCH that changed nothing. */
static void patch_refused(struct http_ctx *c, struct db *db, enum patch_outcome out, int64_t id,
			  const struct err *err)
{
	if (out == PATCH_STALE)
		http_problem(c, 412, "If-Match",
			     "idea %lld changed since that ETag: nothing was changed; GET it again, "
			     "and decide on what it is now",
			     (long long)id);
	else if (out == PATCH_NO_IDEA)
		http_problem(c, 404, NULL, "no live idea %lld (merged ideas change through unmerge)",
			     (long long)id);
	else if (strncmp(err->field, "conflict:", 9) == 0)
		http_problem(c, 409, err->field + 9, "%s", err->msg);
	else if (err->field[0])
		http_problem(c, 400, err->field, "%s", err->msg);
	else {
		db_check_broken(db);
		http_db_unavailable(c, err->msg);
	}
}

/* The request's If-Match (borrowed), NULL when absent; -1 after a 400 for
 * one that is not a list of entity tags, or sent twice. */
static int read_if_match(struct http_ctx *c, const char **out)
{
	*out = http_header(c, "If-Match");
	if (*out && (http_header_count(c, "If-Match") > 1 || if_match_has(*out, "") < 0))
		return http_problem(c, 400, "If-Match",
				    "If-Match must be the ETag of GET /api/v1/ideas/{id} (a quoted "
				    "string), or *");
	return 0;
}

void idea_patch(struct http_ctx *c)
{
	struct principal who;
	const char *if_match;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0 || read_if_match(c, &if_match) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	json_t *j = http_json_body(c);
	if (!j)
		return;
	struct db *db = http_db(c);
	if (!db) {
		json_decref(j);
		http_db_unavailable(c, "idea");
		return;
	}
	PGconn *pg = db_conn(db);
	struct err err = {0};
	int changed = 0;
	char etag[40];
	enum patch_outcome out = idea_apply(c, pg, id, j, who.name, if_match, &changed, etag, &err);
	json_decref(j);
	if (out != PATCH_APPLIED) {
		patch_refused(c, db, out, id, &err);
		return;
	}
	json_t *idea = NULL;
	if (views_idea(pg, VIEW_INTERNAL, id, &idea, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	http_set_header(c, "ETag", etag);
	http_reply_json(c, 200, json_pack("{s:o s:i s:o}", "idea", idea ? idea : json_null(), "changed",
					  changed, "visible_in", idea_visible_in(pg, id)));
}
