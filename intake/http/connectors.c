/* intake/http/connectors.c - placeholder until the connectors land. */
#include "intake/http/router.h"

void connectors_list(struct http_ctx *c)
{
	http_problem(c, 503, NULL, "connectors are not available in this build");
}

void connectors_sync(struct http_ctx *c)
{
	http_problem(c, 503, NULL, "connectors are not available in this build");
}
