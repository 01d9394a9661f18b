/* GitHub webhook deliveries: gh_webhook_to_mentions (connectors/github.c)
 * and the route handler in front of it (intake/http/webhook.c), with a valid
 * signature computed here so the fuzzer reaches the parsing. Input:
 * "EVENT\n====\nBODY"; a body starting "payload=" is sent as a form post. */
#include <event2/http.h>
#include <jansson.h>
#include <openssl/hmac.h>
#include <string.h>

#include "connectors/github.h"
#include "fuzz.h"
#include "intake/http/router.h"

#define SECRET "fuzz-webhook-secret"

static void check_mentions(const char *event, const char *body)
{
	json_t *payload = json_loads(body, 0, NULL);
	if (!payload)
		return;
	struct mention ms[2];
	const char *ignored = NULL;
	struct err err = {0};
	int n = gh_webhook_to_mentions(event, payload, ms, &ignored, &err);
	FUZZ_ASSERT(n >= -1 && n <= 2);
	FUZZ_ASSERT(n != 0 || ignored);
	FUZZ_ASSERT(n != -1 || *err.msg);
	for (int i = 0; i < n; i++) {
		fuzz_check_mention(&ms[i]);
		FUZZ_ASSERT(ms[i].source == SRC_GITHUB);
	}
	if (n == 2) /* the comment names the post it belongs to */
		FUZZ_ASSERT(ms[1].parent_external_id &&
		            strcmp(ms[1].parent_external_id, ms[0].external_id) == 0);
	for (int i = 0; i < n; i++)
		mention_clear(&ms[i]);
	json_decref(payload);
}

static void check_handler(const char *event, const char *body)
{
	struct config *cfg = fuzz_config();
	if (strcmp(cfg->webhook_secret, SECRET) != 0) {
		free(cfg->webhook_secret);
		cfg->webhook_secret = strdup(SECRET);
	}
	unsigned char md[32];
	unsigned int mdlen = 0;
	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)body, strlen(body),
	     md, &mdlen);
	char sig[7 + 65] = "sha256=";
	for (int i = 0; i < 32; i++)
		snprintf(sig + 7 + 2 * i, 3, "%02x", md[i]);
	const char *ctype = strncmp(body, "payload=", 8) == 0 ? "application/x-www-form-urlencoded"
	                                                      : "application/json";
	const char *headers[] = {"Content-Type",
	                         ctype,
	                         "X-Hub-Signature-256",
	                         sig,
	                         "X-GitHub-Event",
	                         event,
	                         "X-GitHub-Delivery",
	                         "fuzz-delivery",
	                         NULL};
	struct fuzz_request r;
	FUZZ_ASSERT(fuzz_request_init(&r, cfg, EVHTTP_REQ_POST, "/webhooks/github", headers, body,
	                              strlen(body)) == 0);
	webhook_github(&r.c);
	fuzz_check_one_reply(&r);
	fuzz_request_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *parts[2];
	int n = fuzz_split(data, size, parts, 2);
	if (n == 2) {
		check_mentions(parts[0], parts[1]);
		check_handler(parts[0], parts[1]);
	}
	fuzz_free_parts(parts, n);
	return 0;
}
