/* Query strings (http_query, http_query_param in intake/http/request.c, on
 * libevent's URI and query parsers). The input is the request target. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>
#include <sys/queue.h>

#include "fuzz.h"
#include "intake/http/request.h"
#include "triage/text.h"

static const char *const allowed[] = {"q", "view", "after", "limit", "status", "next", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *uri = fuzz_strndup(data, size);
	struct fuzz_request r;
	if (fuzz_request_init(&r, fuzz_config(), EVHTTP_REQ_GET, uri, NULL, "", 0) < 0) {
		free(uri);
		return 0;
	}
	char *next = http_query_param(&r.c, "next");
	FUZZ_ASSERT(!next || strlen(next) <= size);
	free(next);
	struct evkeyvalq q;
	if (http_query(&r.c, &q, allowed) == 0) {
		struct evkeyval *kv;
		TAILQ_FOREACH(kv, &q, next)
		{
			bool known = false;
			for (int i = 0; allowed[i]; i++)
				known |= strcmp(kv->key, allowed[i]) == 0;
			FUZZ_ASSERT(known && text_valid_utf8(kv->value, strlen(kv->value)));
		}
		evhttp_clear_headers(&q);
		FUZZ_ASSERT(fuzz_reply_count() == 0);
	} else {
		fuzz_check_one_reply(&r);
		FUZZ_ASSERT(fuzz_reply_status() == 400);
	}
	fuzz_request_free(&r);
	free(uri);
	return 0;
}
