/* intake/http/health.c - liveness, readiness and metrics. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>

#include "db/connector_runs.h"
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

/* The database knows every connector's last success, whoever ran it (another
 * instance, `ideatriage sync` from cron) and across restarts. Best effort:
 * with the database down, /metrics still answers, with what this process
 * saw itself. */
static void read_sync_success(struct http_ctx *c)
{
	struct db *db = http_db(c);
	PGconn *pg = db ? db_conn(db) : NULL;
	if (!pg)
		return;
	struct db_connector_last_ok ok[16];
	int n = 0;
	struct err err = {0};
	if (db_connector_last_ok(pg, ok, 16, &n, &err) < 0) {
		db_check_broken(db);
		return;
	}
	for (int i = 0; i < n; i++)
		metrics_sync_last_success(ok[i].name, ok[i].at);
}

void health_metrics(struct http_ctx *c)
{
	read_sync_success(c);
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
