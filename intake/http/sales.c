/* intake/http/sales.c - POST /api/v1/sales-notes: a JSON array or text/csv.
 * Good rows are accepted (all in one transaction), bad rows come back as
 * {line, field, error}; a document that cannot be read at all changes nothing. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/sync/sales_import.h"

static json_t *rejected_json(const struct sales_batch *b)
{
	json_t *a = json_array();
	for (int i = 0; i < b->nerrors; i++) {
		json_t *e = json_pack("{s:i, s:s}", "line", b->errors[i].line, "error",
				      b->errors[i].msg);
		if (!e) /* a message echoing bad bytes */
			e = json_pack("{s:i, s:s}", "line", b->errors[i].line, "error",
				      "invalid value");
		if (b->errors[i].field[0])
			json_object_set_new(e, "field", json_string(b->errors[i].field));
		json_array_append_new(a, e);
	}
	return a;
}

/* 400 for a document none of whose rows can be accepted, with each row's
 * reason. */
static void reply_no_rows(struct http_ctx *c, const struct sales_batch *b)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:o}", "type", "about:blank", "title",
			      "Bad Request", "status", 400, "detail",
			      b->nerrors ? "no row could be accepted" : "the document has no rows",
			      "rejected", rejected_json(b));
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, s, strlen(s));
	free(s);
	http_reply(c, 400, "application/problem+json", buf);
}

/* Each note's external_id is token_id's: a row reusing another client's
 * comes back rejected (sales_import). -1 when out of memory. */
static int own(struct sales_batch *b, int64_t token_id)
{
	char owner[32];
	snprintf(owner, sizeof(owner), "token:%lld", (long long)token_id);
	for (int i = 0; i < b->nmentions; i++)
		if (!(b->mentions[i].owner = strdup(owner)))
			return -1;
	return 0;
}

void sales_notes_create(struct http_ctx *c)
{
	struct principal who;
	if (http_require_role(c, ROLE_SUBMITTER, &who) < 0)
		return;
	bool csv = http_content_type_is(c, "text/csv");
	if (!csv && !http_content_type_is(c, "application/json")) {
		http_problem(c, 415, "Content-Type", "send sales notes as text/csv or application/json");
		return;
	}
	size_t len;
	char *body = http_body(c, &len);
	struct sales_batch b = {0};
	struct err err = {0};
	int rc = csv ? sales_parse_csv(body, len, &b, &err) : sales_parse_json(body, len, &b, &err);
	free(body);
	if (rc < 0) {
		http_problem(c, 400, err.field, "%s", err.msg);
		return;
	}
	if (b.nmentions == 0) {
		reply_no_rows(c, &b);
		sales_batch_clear(&b);
		return;
	}
	struct db *db = http_db(c);
	if (!db) {
		sales_batch_clear(&b);
		http_db_unavailable(c, "sales-notes");
		return;
	}
	if (own(&b, who.token_id) < 0) {
		sales_batch_clear(&b);
		http_problem(c, 500, NULL, "out of memory");
		return;
	}
	struct sales_import_result res;
	if (sales_import(db_conn(db), http_triage(c), &b, NULL, NULL, &res, &err) < 0) {
		sales_batch_clear(&b);
		if (db_check_broken(db) || !err.field[0])
			http_db_unavailable(c, err.msg);
		else
			http_problem(c, 400, err.field, "%s", err.msg);
		return;
	}
	json_t *answer = json_pack("{s:i, s:i, s:i, s:i, s:o}", "accepted", b.nmentions, "added",
				   res.added, "updated", res.updated, "unchanged", res.unchanged,
				   "rejected", rejected_json(&b));
	sales_batch_clear(&b);
	http_reply_json(c, 200, answer);
}
