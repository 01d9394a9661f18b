/* intake/http/idea_pages.c - the idea page (GET /ideas/{id}) and its
 * forms: triage (POST /ideas/{id}), fold into a similar idea and undo a
 * fold. The HTML is intake/read/pages.h's page_idea. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/decide/actions.h"
#include "intake/decide/merge.h"
#include "intake/http/pages.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/idea_detail.h"
#include "intake/read/pages.h"

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void render_idea(struct http_ctx *c, int status, const struct principal *who, json_t *d,
			const char *notice, const char *error)
{
	char csrf[65];
	if (http_form_csrf(c, csrf) < 0) {
		http_problem(c, 500, NULL, "no randomness available");
		return;
	}
	const char *title = jstr(json_object_get(d, "idea"), "title");
	page_send(c, status, title ? title : "Idea", page_idea(d, csrf, notice, error), who);
}

/* Loads the idea's detail, with its ETag as "version" (the triage form
 * sends it back, so a save applies only to the idea as the page showed
 * it); -1 after answering (404, 503). */
static int load_detail(struct http_ctx *c, int64_t id, json_t **d)
{
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "idea");
	struct err err = {0};
	int rc = idea_detail(db_conn(db), id, d, &err);
	if (rc < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	if (rc == 0)
		return http_problem(c, 404, NULL, "no idea %lld", (long long)id);
	char etag[40];
	if (idea_detail_etag(*d, etag) < 0) {
		json_decref(*d);
		return http_problem(c, 500, NULL, "out of memory");
	}
	json_object_set_new(*d, "version", json_string(etag));
	return 0;
}

void idea_page(struct http_ctx *c)
{
	struct principal who;
	if (page_principal(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	json_t *d;
	if (!id || load_detail(c, id, &d) < 0)
		return;
	char *saved = http_query_param(c, "saved"), *folded = http_query_param(c, "folded"),
	     *unfolded = http_query_param(c, "unfolded");
	char notice[160];
	if (folded)
		snprintf(notice, sizeof(notice),
			 "Idea #%lld was folded into this one; its page can undo it.", atoll(folded));
	const char *says = folded     ? notice
			   : unfolded ? "The merge was undone: this idea is live again."
			   : saved    ? "Saved."
				      : NULL;
	render_idea(c, 200, &who, d, says, NULL);
	free(saved);
	free(folded);
	free(unfolded);
	json_decref(d);
}

/* The form's fields as a PATCH body: blank text clears, blank selects leave
 * the choice to the rules, unchecked boxes are false. */
static json_t *form_changes(struct evkeyvalq *form)
{
	json_t *ch = json_object();
	static const char *const plain[] = {"status", "visibility", NULL};
	static const char *const nullable[] = {"stage", "category", "public_title", "owner",
					       "declined_reason", "decision_note", NULL};
	for (int i = 0; plain[i]; i++) {
		const char *v = evhttp_find_header(form, plain[i]);
		if (v)
			json_object_set_new(ch, plain[i], json_string(v));
	}
	for (int i = 0; nullable[i]; i++) {
		const char *v = evhttp_find_header(form, nullable[i]);
		if (v)
			json_object_set_new(ch, nullable[i], *v ? json_string(v) : json_null());
	}
	json_object_set_new(ch, "table_stakes", json_boolean(evhttp_find_header(form, "table_stakes") != NULL));
	json_object_set_new(ch, "disclosed", json_boolean(evhttp_find_header(form, "disclosed") != NULL));
	return ch;
}

/* Answers a save that changed nothing: the page again, as the idea is
 * now, saying why (409 when it changed since the form was shown, or the
 * change conflicts with its state; 400 for a bad field); 404, 503. */
static void save_refused(struct http_ctx *c, struct db *db, const struct principal *who,
			 int64_t id, enum patch_outcome rc, const struct err *err)
{
	if (rc == PATCH_NO_IDEA) {
		http_problem(c, 404, NULL, "no live idea %lld", (long long)id);
		return;
	}
	if (rc == PATCH_FAILED && !err->field[0]) {
		db_check_broken(db);
		http_db_unavailable(c, err->msg);
		return;
	}
	json_t *d;
	if (load_detail(c, id, &d) < 0)
		return;
	if (rc == PATCH_STALE)
		render_idea(c, 409, who, d, NULL,
			    "This idea changed since you opened it (another decision, a merge or a new "
			    "mention): nothing was saved. Here it is as it is now; make your change "
			    "again.");
	else
		render_idea(c, strncmp(err->field, "conflict:", 9) == 0 ? 409 : 400, who, d, NULL,
			    err->msg);
	json_decref(d);
}

void idea_page_post(struct http_ctx *c)
{
	struct principal who;
	struct evkeyvalq form;
	if (page_triage_form(c, &who, &form) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id) {
		evhttp_clear_headers(&form);
		return;
	}
	json_t *ch = form_changes(&form);
	/* the page's version: a form from before this idea changed saves
	 * nothing (it would put back every field as it was then) */
	const char *v = evhttp_find_header(&form, "version");
	char *version = v ? strdup(v) : NULL;
	evhttp_clear_headers(&form);
	struct db *db = http_db(c);
	if (!db) {
		json_decref(ch);
		free(version);
		http_db_unavailable(c, "idea");
		return;
	}
	struct err err = {0};
	int changed = 0;
	char etag[40];
	enum patch_outcome rc =
	    idea_apply(c, db_conn(db), id, ch, who.name, version, &changed, etag, &err);
	json_decref(ch);
	free(version);
	if (rc != PATCH_APPLIED) {
		save_refused(c, db, &who, id, rc, &err);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/ideas/%lld?saved=1", (long long)id);
	page_redirect(c, loc);
}

/* Runs a merge or an unmerge in its own transaction; on a refusal shows the
 * page of show_id with what is wrong. 0 when done, -1 after answering. */
static int fold_tx(struct http_ctx *c, const struct principal *who, int64_t from, int64_t into,
		   int64_t show_id)
{
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "merge");
	struct err err = {0};
	if (merge_in_tx(db_conn(db), http_triage(c), from, into, who->name, NULL, &err) < 0) {
		if (db_check_broken(db) || !err.field[0])
			return http_db_unavailable(c, err.msg);
		json_t *d;
		if (load_detail(c, show_id, &d) < 0)
			return -1;
		render_idea(c, strstr(err.msg, "no such idea") ? 404 : 409, who, d, NULL, err.msg);
		json_decref(d);
		return -1;
	}
	return 0;
}

/* POST /ideas/{id}/fold (form: csrf, into): folds idea {id} into the idea
 * whose page offered it as similar - the merge of POST
 * /api/v1/ideas/{id}/merge (audited, undoable) - and goes back to that page. */
void idea_fold_post(struct http_ctx *c)
{
	struct principal who;
	int64_t from = http_param_id(c, 0);
	struct evkeyvalq form;
	if (!from || page_triage_form(c, &who, &form) < 0)
		return;
	const char *v = evhttp_find_header(&form, "into");
	char *end = NULL;
	long long into = v ? strtoll(v, &end, 10) : 0;
	bool ok = v && *v && end && !*end && into > 0;
	evhttp_clear_headers(&form);
	if (!ok) {
		http_problem(c, 400, "into", "into must be the id of the idea to fold this one into");
		return;
	}
	if (fold_tx(c, &who, from, into, into) < 0)
		return;
	char loc[80];
	snprintf(loc, sizeof(loc), "/ideas/%lld?folded=%lld", into, (long long)from);
	page_redirect(c, loc);
}

/* POST /ideas/{id}/unfold (form: csrf): undoes the latest merge of {id}. */
void idea_unfold_post(struct http_ctx *c)
{
	struct principal who;
	int64_t id = http_param_id(c, 0);
	struct evkeyvalq form;
	if (!id || page_triage_form(c, &who, &form) < 0)
		return;
	evhttp_clear_headers(&form);
	if (fold_tx(c, &who, id, 0, id) < 0)
		return;
	char loc[64];
	snprintf(loc, sizeof(loc), "/ideas/%lld?unfolded=1", (long long)id);
	page_redirect(c, loc);
}
