/* GitHub REST issue lists, their Link and ETag headers, timestamps and the
 * cursor built from them (connectors/github.c, connectors/github_source.c,
 * connectors/http.c): the real github connector, its HTTP answered in process
 * (connector_run.h). */
#include "connector_run.h"
#include "triage/mention.h"

#define API "https://api.github.test"

static void check(const struct connector_batch *b)
{
	for (int i = 0; i < b->nmentions; i++)
		FUZZ_ASSERT(b->mentions[i].source == SRC_GITHUB);
}

/* a Link header never sends the token to another host */
static void check_url(const char *u)
{
	FUZZ_ASSERT(strncmp(u, API "/", strlen(API) + 1) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const repos[] = {"acme/mesh", "acme/agent"};
	const struct connector_config cfg = {
	    .connect_timeout_s = 1,
	    .timeout_s = 1,
	    .max_response_bytes = 1 << 20,
	    .user_agent = "fuzz",
	    .github_api_url = API,
	    .github_repos = repos,
	    .github_nrepos = 2,
	    .github_token = "fuzz-token",
	};
	connector_run("github", &cfg, data, size, check, check_url);
	return 0;
}
