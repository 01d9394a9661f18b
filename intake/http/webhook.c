/* intake/http/webhook.c - POST /webhooks/github.
 *
 * The signature is checked over the raw body, in constant time, before
 * anything is parsed. The delivery id is recorded in the same transaction as
 * the mentions it produced: a redelivery is a no-op, and a delivery that was
 * answered 2xx is committed. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/github.h"
#include "db/db.h"
#include "db/deliveries.h"
#include "intake/http/auth.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/log.h"
#include "intake/metrics.h"
#include "intake/ingest/ingest.h"
#include "triage/text.h"

/* True when header is "sha256=<hex of HMAC-SHA256(secret, body)>". */
static bool signature_ok(const char *secret, const char *header, const char *body, size_t len)
{
	if (!header || strncmp(header, "sha256=", 7) != 0 || strlen(header + 7) != 64)
		return false;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, md,
		  &mdlen))
		return false;
	char hex[65];
	for (unsigned int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	char given[65];
	for (int i = 0; i < 64; i++) /* GitHub sends lowercase; accept either */
		given[i] = (char)((header[7 + i] >= 'A' && header[7 + i] <= 'F') ? header[7 + i] + 32
										      : header[7 + i]);
	given[64] = '\0';
	return CRYPTO_memcmp(hex, given, 64) == 0;
}

/* The JSON payload: the raw body, or the `payload` field of a form post. */
static json_t *payload_of(struct http_ctx *c, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *j = NULL;
	if (http_content_type_is(c, "application/json")) {
		j = json_loadb(body, len, 0, &jerr);
	} else if (http_content_type_is(c, "application/x-www-form-urlencoded")) {
		struct evkeyvalq form;
		TAILQ_INIT(&form);
		const char *p = NULL;
		if (strlen(body) == len && evhttp_parse_query_str(body, &form) == 0)
			p = evhttp_find_header(&form, "payload");
		if (p)
			j = json_loads(p, 0, &jerr);
		else
			snprintf(jerr.text, sizeof(jerr.text), "no payload field"), jerr.line = 0,
			    jerr.column = 0;
		evhttp_clear_headers(&form);
	} else {
		http_problem(c, 415, "Content-Type",
			     "send deliveries as application/json (the webhook's content type)");
		return NULL;
	}
	if (!j)
		http_problem(c, 400, NULL, "malformed payload at line %d, column %d: %s", jerr.line,
			     jerr.column, jerr.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		http_problem(c, 400, NULL, "the payload must be a JSON object");
	}
	return j;
}

/* True when header value v is 1..max visible ASCII characters: what GitHub
 * sends as an event name ("issue_comment") or a delivery id (a GUID). Both
 * are stored as text: a byte that is not UTF-8 would make PostgreSQL refuse
 * the row (a 503 for what is the client's mistake), and a control character
 * has no business in a log line. */
static bool plain_token(const char *v, size_t max)
{
	size_t n = 0;
	if (!v)
		return false;
	for (; v[n]; n++)
		if ((unsigned char)v[n] <= 0x20 || (unsigned char)v[n] >= 0x7f || n >= max)
			return false;
	return n > 0;
}

static void ingest_delivery(struct http_ctx *c, const char *delivery, const char *event,
			    const char *action, struct mention *ms, int n, const char *ignored)
{
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "webhook");
		return;
	}
	PGconn *pg = db_conn(db);
	struct err err = {0};
	json_t *done = json_array();
	struct ingest_tx tx;
	if (ingest_begin(&tx, pg, http_triage(c), &err) < 0)
		goto dberr;
	int fresh = db_delivery_record(pg, delivery, event, action, n ? "ingested" : ignored, &err);
	if (fresh < 0)
		goto dberr;
	if (fresh == 0) {
		ingest_rollback(&tx);
		json_decref(done);
		http_reply_json(c, 200, json_pack("{s:s, s:b}", "delivery", delivery, "duplicate", 1));
		return;
	}
	for (int i = 0; i < n; i++) {
		struct ingest_result res;
		if (ingest_one(&tx, &ms[i], "triage", &res, &err) < 0) {
			if (!db_check_broken(db) && err.field[0]) {
				ingest_rollback(&tx);
				json_decref(done);
				http_problem(c, 400, err.field, "%s", err.msg);
				return;
			}
			goto dberr;
		}
		json_array_append_new(done, json_pack("{s:s, s:I, s:I, s:s}", "external_id",
						      ms[i].external_id, "idea_id",
						      (json_int_t)res.idea_id, "mention_id",
						      (json_int_t)res.mention_id, "outcome",
						      ingest_outcome_name(res.outcome)));
	}
	if (ingest_commit(&tx, &err) < 0)
		goto dberr;
	metrics_add(M_WEBHOOKS, 1);
	json_t *answer = json_pack("{s:s, s:s, s:o}", "delivery", delivery, "event", event,
				   "mentions", done);
	if (!n)
		json_object_set_new(answer, "ignored", json_string(ignored ? ignored : "ignored"));
	http_reply_json(c, 200, answer);
	return;
dberr:
	ingest_rollback(&tx);
	db_check_broken(db);
	json_decref(done);
	/* 503: GitHub shows the failure and the delivery can be redelivered */
	http_db_unavailable(c, err.msg);
}

void webhook_github(struct http_ctx *c)
{
	const char *secret = c->cfg->webhook_secret;
	if (!secret || !*secret) {
		http_problem(c, 401, NULL,
			     "webhook deliveries are refused: GITHUB_WEBHOOK_SECRET is not configured");
		return;
	}
	size_t len;
	char *body = http_body(c, &len);
	if (!signature_ok(secret, http_header(c, "X-Hub-Signature-256"), body, len)) {
		free(body);
		http_problem(c, 401, "X-Hub-Signature-256",
			     "the X-Hub-Signature-256 signature is missing or does not match");
		return;
	}
	const char *event = http_header(c, "X-GitHub-Event");
	const char *delivery = http_header(c, "X-GitHub-Delivery");
	json_t *payload = NULL;
	if (!plain_token(event, 100)) {
		http_problem(c, 400, "X-GitHub-Event",
		             "the X-GitHub-Event header is missing or not an event name");
		goto out;
	}
	if (!plain_token(delivery, 200)) {
		http_problem(c, 400, "X-GitHub-Delivery",
		             "the X-GitHub-Delivery header is missing or not a delivery id");
		goto out;
	}
	if (!text_valid_utf8(body, len)) {
		http_problem(c, 400, NULL, "the payload is not valid UTF-8 text");
		goto out;
	}
	if (!(payload = payload_of(c, body, len)))
		goto out;
	struct mention ms[2];
	mention_init(&ms[0]);
	mention_init(&ms[1]);
	const char *ignored = NULL;
	struct err err = {0};
	int n = gh_webhook_to_mentions(event, payload, ms, &ignored, &err);
	if (n < 0) {
		http_problem(c, 400, err.field, "%s", err.msg);
		goto out;
	}
	const char *action = json_string_value(json_object_get(payload, "action"));
	ingest_delivery(c, delivery, event, action, ms, n, ignored);
	for (int i = 0; i < n; i++)
		mention_clear(&ms[i]);
out:
	json_decref(payload);
	free(body);
}
