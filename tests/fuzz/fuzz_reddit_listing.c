/* Reddit listings and the cursor built from them (connectors/reddit.c,
 * connectors/reddit_source.c): the real reddit connector, its HTTP answered
 * in process (connector_run.h). The first answer is the OAuth token's. */
#include <ctype.h>

#include "connector_run.h"
#include "triage/mention.h"

#define API "https://oauth.reddit.test"

static void check(const struct connector_batch *b)
{
	for (int i = 0; i < b->nmentions; i++)
		FUZZ_ASSERT(b->mentions[i].source == SRC_REDDIT);
}

/* upstream text reaches a URL only as a plain fullname */
static void check_url(const char *u)
{
	FUZZ_ASSERT(strncmp(u, API "/", strlen(API) + 1) == 0 ||
	            strcmp(u, "https://www.reddit.test/api/v1/access_token") == 0);
	const char *a = strstr(u, "&after=");
	for (a = a ? a + 7 : NULL; a && *a; a++)
		FUZZ_ASSERT(isalnum((unsigned char)*a) || *a == '_');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct connector_config cfg = {
	    .connect_timeout_s = 1,
	    .timeout_s = 1,
	    .max_response_bytes = 1 << 20,
	    .user_agent = "fuzz",
	    .reddit_api_url = API,
	    .reddit_auth_url = "https://www.reddit.test",
	    .reddit_subreddits = "[\"meshvpn\", {\"name\": \"selfhosted\", \"keywords\": "
	                         "[\"vpn\", \"mesh\"], \"flairs\": [\"Idea\"]}]",
	    .reddit_client_id = "id",
	    .reddit_client_secret = "secret",
	};
	connector_run("reddit", &cfg, data, size, check, check_url);
	return 0;
}
