/* intake/http/health.c - liveness, readiness and metrics. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"
#include "intake/http/router.h"
#include "intake/metrics.h"

void health_healthz(struct http_ctx *c)
{
	http_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
}

void health_readyz(struct http_ctx *c)
{
	if (!http_db_checked(c)) {
		http_db_unavailable(c, "readyz");
		return;
	}
	http_reply_json(c, 200, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
}

void health_metrics(struct http_ctx *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		http_problem(c, 500, NULL, "out of memory");
		return;
	}
	metrics_render(f);
	fclose(f);
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, text, len);
	free(text);
	http_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", buf);
}
