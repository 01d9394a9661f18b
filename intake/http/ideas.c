/* intake/http/ideas.c - POST /api/v1/ideas: a submitter's idea, through the
 * ingest pipeline. An Idempotency-Key makes a retry return the first answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/idempotency.h"
#include "intake/http/auth.h"
#include "intake/http/paging.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/log.h"
#include "db/detail.h"
#include "intake/decide/merge.h"
#include "intake/ingest/ingest.h"
#include "triage/text.h"

#define TITLE_MIN 3
#define TITLE_MAX 200
#define BODY_MAX 20000
#define SHORT_MAX 200

/* Reads an optional string member: 0 ok (*out borrowed or NULL), -1 after a 400. */
static int str_field(struct http_ctx *c, json_t *obj, const char *name, bool required,
		     size_t min, size_t max, const char **out)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return http_problem(c, 400, name, "%s is required", name);
		return 0;
	}
	if (!json_is_string(v))
		return http_problem(c, 400, name, "%s must be a string", name);
	const char *s = json_string_value(v);
	if (!text_valid_utf8(s, json_string_length(v)))
		return http_problem(c, 400, name, "%s holds control characters", name);
	size_t n = text_utf8_len(s);
	if (n < min || n > max)
		return http_problem(c, 400, name, "%s must be %zu to %zu characters, got %zu", name,
				    min, max, n);
	*out = s;
	return 0;
}

static const char *const known_fields[] = {"title",  "body",    "author", "author_email",
					   "author_kind", "account", "arr", "url",
					   "labels", "external_id", NULL};

/* A 400 naming the first member of j that is not a known field; 0 when all are known. */
static int unknown_field(struct http_ctx *c, json_t *j)
{
	const char *key;
	json_t *v;
	json_object_foreach(j, key, v)
	{
		bool known = false;
		for (int i = 0; known_fields[i]; i++)
			known |= strcmp(key, known_fields[i]) == 0;
		if (!known)
			return http_problem(c, 400, key, "unknown field '%s'", key);
	}
	return 0;
}

/* The string members of an idea, each checked (borrowed from the JSON). */
struct idea_strings {
	const char *title, *body, *author, *email, *kind, *account, *url, *ext;
};

/* Reads the string members of j into *s, each within its length; -1 after a 400. */
static int read_strings(struct http_ctx *c, json_t *j, struct idea_strings *s)
{
	if (str_field(c, j, "title", true, TITLE_MIN, TITLE_MAX, &s->title) < 0 ||
	    str_field(c, j, "body", false, 0, BODY_MAX, &s->body) < 0 ||
	    str_field(c, j, "author", false, 1, SHORT_MAX, &s->author) < 0 ||
	    str_field(c, j, "author_email", false, 3, SHORT_MAX, &s->email) < 0 ||
	    str_field(c, j, "author_kind", false, 1, 20, &s->kind) < 0 ||
	    str_field(c, j, "account", false, 1, SHORT_MAX, &s->account) < 0 ||
	    str_field(c, j, "url", false, 8, 2000, &s->url) < 0 ||
	    str_field(c, j, "external_id", false, 1, SHORT_MAX, &s->ext) < 0)
		return -1;
	return 0;
}

/* Checks what the lengths alone do not (the author kind into m->author_kind);
 * -1 after a 400. */
static int check_strings(struct http_ctx *c, const struct idea_strings *s, struct mention *m)
{
	if (s->kind && author_kind_from_name(s->kind, &m->author_kind) < 0)
		return http_problem(c, 400, "author_kind",
				    "author_kind must be employee, customer or community");
	if (s->email && !strchr(s->email, '@'))
		return http_problem(c, 400, "author_email", "author_email must be an e-mail address");
	if (s->url && strncmp(s->url, "https://", 8) != 0 && strncmp(s->url, "http://", 7) != 0)
		return http_problem(c, 400, "url", "url must start with http:// or https://");
	/* the ids this service makes up itself: a client naming one could take
	 * another token's retry id or a form submission's before they exist */
	if (s->ext && (strncmp(s->ext, "api:", 4) == 0 || strncmp(s->ext, "form:", 5) == 0))
		return http_problem(c, 400, "external_id",
				    "external_id may not start with \"api:\" or \"form:\" (ids this "
				    "service makes up)");
	return 0;
}

/* Reads the optional arr and labels members of j into *m; -1 after a 400. */
static int read_arr_labels(struct http_ctx *c, json_t *j, struct mention *m)
{
	json_t *arr = json_object_get(j, "arr");
	if (arr && !json_is_null(arr)) {
		if (!json_is_integer(arr) || json_integer_value(arr) < 0 ||
		    json_integer_value(arr) > 1000000000000LL)
			return http_problem(c, 400, "arr",
					    "arr must be a whole number of dollars, 0 or more");
		m->arr = json_integer_value(arr);
	}
	json_t *labels = json_object_get(j, "labels");
	if (labels && !json_is_null(labels)) {
		size_t i;
		json_t *l;
		if (!json_is_array(labels) || json_array_size(labels) > MENTION_MAX_LABELS)
			return http_problem(c, 400, "labels", "labels must be an array of at most %d strings",
					    MENTION_MAX_LABELS);
		json_array_foreach(labels, i, l)
		{
			if (!json_is_string(l) || json_string_length(l) == 0 || json_string_length(l) > 50)
				return http_problem(c, 400, "labels",
						    "labels[%zu] must be a string of 1 to 50 characters", i);
		}
		json_array_foreach(labels, i, l) mention_add_label(m, json_string_value(l));
	}
	return 0;
}

/* Builds the mention from a validated JSON object; -1 after a 400. */
static int mention_from_json(struct http_ctx *c, json_t *j, const struct principal *who,
			     struct mention *m)
{
	if (!json_is_object(j))
		return http_problem(c, 400, NULL, "the body must be a JSON object");
	struct idea_strings s;
	if (unknown_field(c, j) < 0 || read_strings(c, j, &s) < 0)
		return -1;
	mention_init(m);
	m->source = SRC_EMPLOYEE;
	m->author_kind = AUTHOR_EMPLOYEE;
	if (check_strings(c, &s, m) < 0 || read_arr_labels(c, j, m) < 0)
		return -1;
	m->title = text_trim_dup(s.title, 1000);
	if (text_utf8_len(m->title) < TITLE_MIN)
		return http_problem(c, 400, "title", "title must have at least %d characters besides spaces",
				    TITLE_MIN);
	m->body = s.body ? strdup(s.body) : strdup("");
	m->author = strdup(s.author ? s.author : who->name);
	m->author_email = s.email ? strdup(s.email) : NULL;
	m->account = s.account ? strdup(s.account) : NULL;
	m->url = s.url ? strdup(s.url) : NULL;
	m->is_public = false;
	if (s.ext)
		m->external_id = strdup(s.ext);
	/* the external_id is this token's: another token reusing it gets a 409 */
	if (asprintf(&m->owner, "token:%lld", (long long)who->token_id) < 0) {
		m->owner = NULL;
		return http_problem(c, 500, NULL, "out of memory");
	}
	return 0;
}

/* The external id when the client gave none: derived from the Idempotency-Key
 * when there is one (so even a replay after a lost answer creates nothing new),
 * else random. */
static char *default_external_id(const struct principal *who, const char *idem)
{
	char buf[300];
	if (idem) {
		snprintf(buf, sizeof(buf), "api:%lld:%s", (long long)who->token_id, idem);
	} else {
		char rnd[32];
		if (auth_random_token(16, rnd, sizeof(rnd)) < 0)
			return NULL;
		snprintf(buf, sizeof(buf), "api:%s", rnd);
	}
	return strdup(buf);
}

/* 1 and a replied answer when the key was used before, 0 when new, -1 replied error. */
static int replay(struct http_ctx *c, PGconn *pg, const struct principal *who, const char *key,
		  const char *req_hash)
{
	struct db_idem_answer a;
	struct err err = {0};
	int found = db_idem_lookup(pg, who->token_id, key, &a, &err);
	if (found < 0)
		return http_db_unavailable(c, "idempotency lookup");
	if (found == 0)
		return 0;
	if (strcmp(a.request_hash, req_hash) != 0) {
		free(a.response);
		return http_problem(c, 409, "Idempotency-Key",
				    "this Idempotency-Key was used with a different request body");
	}
	json_t *body = json_loads(a.response, 0, NULL);
	free(a.response);
	http_set_header(c, "Idempotent-Replayed", "true");
	http_reply_json(c, a.status, body);
	return 1;
}

static int remember(PGconn *pg, const struct principal *who, const char *key,
		    const char *req_hash, json_t *answer, struct err *err)
{
	char *text = json_dumps(answer, JSON_COMPACT);
	int rc = db_idem_store(pg, who->token_id, key, req_hash, 201, text, err);
	free(text);
	return rc;
}

/* Answers a failed ingest (the transaction already rolled back): 503 for the
 * database, 409 for another token's external id, else 400. */
static void create_failed(struct http_ctx *c, struct db *db, int rc, const struct err *err)
{
	if (db_check_broken(db) || !err->field[0]) {
		http_db_unavailable(c, err->msg);
	} else if (rc == INGEST_NOT_OWNER) {
		http_problem(c, 409, err->field, "%s", err->msg);
	} else {
		http_problem(c, 400, err->field, "%s", err->msg);
	}
}

/* Ingests m as who in one transaction, with the Idempotency-Key idem (or
 * NULL) replayed or remembered in the same transaction, and replies. */
static void create_in_tx(struct http_ctx *c, struct db *db, const struct principal *who,
			 const char *idem, struct mention *m)
{
	PGconn *pg = db_conn(db);
	char req_hash[65];
	size_t blen;
	char *raw = http_body(c, &blen);
	auth_sha256_hex(raw, blen, req_hash);
	free(raw);
	struct err err = {0};
	struct ingest_tx tx;
	if (ingest_begin(&tx, pg, http_triage(c), &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	int seen = idem ? replay(c, pg, who, idem, req_hash) : 0;
	if (seen != 0) {
		ingest_rollback(&tx);
		return;
	}
	struct ingest_result res;
	json_t *answer = NULL;
	int rc = ingest_one(&tx, m, "triage", &res, &err);
	if (rc == 0) {
		answer = json_pack("{s:I, s:I, s:b}", "idea_id", (json_int_t)res.idea_id,
				   "mention_id", (json_int_t)res.mention_id, "merged", res.merged);
		if ((idem && remember(pg, who, idem, req_hash, answer, &err) < 0) ||
		    ingest_commit(&tx, &err) < 0) {
			json_decref(answer);
			answer = NULL;
		}
	}
	if (!answer) {
		ingest_rollback(&tx);
		create_failed(c, db, rc, &err);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/ideas/%lld", (long long)res.idea_id);
	http_set_header(c, "Location", loc);
	http_reply_json(c, res.outcome == INGEST_NEW ? 201 : 200, answer);
}

void ideas_create(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_SUBMITTER, &who) < 0)
		return;
	const char *idem = http_header(c, "Idempotency-Key");
	if (idem && (strlen(idem) == 0 || strlen(idem) > 200 || !text_valid_utf8(idem, strlen(idem)))) {
		http_problem(c, 400, "Idempotency-Key", "Idempotency-Key must be 1 to 200 characters");
		return;
	}
	json_t *j = http_json_body(c);
	if (!j)
		return;
	struct mention m;
	mention_init(&m);
	if (mention_from_json(c, j, &who, &m) < 0)
		goto out;
	if (!m.external_id && !(m.external_id = default_external_id(&who, idem))) {
		http_problem(c, 500, NULL, "no randomness available");
		goto out;
	}
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "ideas");
		goto out;
	}
	create_in_tx(c, db, &who, idem, &m);
out:
	mention_clear(&m);
	json_decref(j);
}

/* GET /api/v1/ideas/{id}/similar: near matches below the auto-merge
 * threshold, best first, for a person to merge or dismiss: the 20 best on
 * one page (a person decides on the top few; the rest are noise). */
void ideas_similar(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "similar");
		return;
	}
	struct err err = {0};
	PGresult *r = db_idea_similar(db_conn(db), id, 20, &err);
	/* no near match: an empty list for a known idea, else a 404 */
	int exists = r && PQntuples(r) == 0 ? db_idea_exists(db_conn(db), id, &err) : 1;
	if (!r || exists < 0) {
		PQclear(r);
		db_check_broken(db);
		http_db_unavailable(c, "similar");
		return;
	}
	if (!exists) {
		PQclear(r);
		http_problem(c, 404, NULL, "no idea %lld", (long long)id);
		return;
	}
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *ev = json_loads(PQgetvalue(r, i, 3), 0, NULL);
		json_array_append_new(out, json_pack("{s:I, s:s, s:f, s:o}", "idea_id",
						     (json_int_t)atoll(PQgetvalue(r, i, 0)), "title",
						     PQgetvalue(r, i, 1), "similarity",
						     atof(PQgetvalue(r, i, 2)), "evidence",
						     ev ? ev : json_object()));
	}
	PQclear(r);
	http_reply_json(c, 200, http_list_body(out, NULL));
}

/* Answers a failed merge or unmerge: 404 for an unknown idea, 409 for a
 * request the ideas' state does not allow, 503 for the database. */
static void merge_failed(struct http_ctx *c, struct db *db, const struct err *err)
{
	if (db_check_broken(db) || !err->field[0])
		http_db_unavailable(c, err->msg);
	else if (strstr(err->msg, "no such idea"))
		http_problem(c, 404, err->field, "%s", err->msg);
	else
		http_problem(c, 409, err->field, "%s", err->msg);
}

/* POST /api/v1/ideas/{id}/merge {"into": id}: fold this idea into another. */
void ideas_merge(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	json_t *j = http_json_body(c);
	if (!j)
		return;
	json_t *into = json_object_get(j, "into");
	if (!json_is_object(j) || json_object_size(j) != 1 || !json_is_integer(into) ||
	    json_integer_value(into) <= 0) {
		json_decref(j);
		http_problem(c, 400, "into", "send {\"into\": <idea id>} and nothing else");
		return;
	}
	int64_t target = json_integer_value(into);
	json_decref(j);
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "merge");
		return;
	}
	struct err err = {0};
	int64_t merge_id = 0;
	if (merge_in_tx(db_conn(db), http_triage(c), id, target, who.name, &merge_id, &err) < 0) {
		merge_failed(c, db, &err);
		return;
	}
	http_reply_json(c, 200, json_pack("{s:I, s:I, s:I}", "merge_id", (json_int_t)merge_id,
					  "idea_id", (json_int_t)id, "into", (json_int_t)target));
}

/* POST /api/v1/ideas/{id}/unmerge: undo the latest merge of this idea. */
void ideas_unmerge(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id)
		return;
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "unmerge");
		return;
	}
	struct err err = {0};
	if (merge_in_tx(db_conn(db), http_triage(c), id, 0, who.name, NULL, &err) < 0) {
		merge_failed(c, db, &err);
		return;
	}
	http_reply_json(c, 200, json_pack("{s:I, s:b}", "idea_id", (json_int_t)id, "unmerged", 1));
}
