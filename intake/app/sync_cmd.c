/* intake/app/sync_cmd.c - `ideatriage sync NAME|--all`: opens the app and
 * runs connectors once through intake/sync (which never opens the app). */
#include "intake/app/sync_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "intake/app/app.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"

static void progress_line(const char *name, const struct sync_stats *s, void *arg)
{
	(void)arg;
	fprintf(stderr, "\r%s: %ld fetched, %ld new, %ld updated, %ld unchanged, %ld errors ...", name,
	        s->fetched, s->added, s->updated, s->unchanged, s->errors);
}

void sync_cli_connectors(FILE *f)
{
	fputs("\nconnectors:", f);
	for (int i = 0; connector_names[i]; i++)
		fprintf(f, " %s", connector_names[i]);
	fputc('\n', f);
}

/* Runs one connector for the CLI; returns 0 ok/skipped, 1 failed. */
static int cli_one(PGconn *pg, struct triage_ctx *t, const struct config *cfg, const char *name)
{
	if (!sync_configured(cfg, name)) {
		printf("%s: not configured, skipped\n", name);
		return 0;
	}
	struct connector_config cc;
	sync_connector_config(cfg, NULL, &cc);
	struct err err = {0};
	struct connector *c = connector_new(name, &cc, &err);
	if (!c) {
		printf("%s: failed: %s\n", name, err.msg);
		return 1;
	}
	bool tty = isatty(2);
	struct sync_options o = {.force = true,
	                         .reconcile_interval_s = cfg->github_reconcile_interval_s,
	                         .interval_s = sync_interval(cfg, name),
	                         .max_wait_s = cfg->conn_max_wait_s,
	                         .progress = tty ? progress_line : NULL};
	struct sync_result res;
	int rc = sync_run(pg, t, c, &o, &res);
	connector_free(c);
	if (tty && res.stats.batches)
		fputc('\n', stderr);
	if (res.outcome == SYNC_LOCKED) {
		printf("%s: running elsewhere right now (its lock is held), skipped\n", name);
		return 0;
	}
	printf("%s: %ld fetched, %ld new, %ld updated, %ld unchanged, %ld errors (%ld requests, "
	       "%.2f s; %ld found deleted upstream)%s%s\n",
	       name, res.stats.fetched, res.stats.added, res.stats.updated, res.stats.unchanged,
	       res.stats.errors, res.stats.requests, (double)res.duration_ms / 1000.0, res.stats.gone,
	       rc < 0 ? "; FAILED: " : "", rc < 0 ? res.error : "");
	return rc < 0 ? 1 : 0;
}

int sync_cli(const char *config_file, const char *only)
{
	bool all = !only;
	struct app app;
	struct err err = {0};
	if (app_open(&app, config_file, true, &err) < 0) {
		fprintf(stderr, "ideatriage: %s\n", err.msg);
		return 1;
	}
	struct db *db = db_open(app.conninfo, (int)app.cfg->connect_timeout_s, &err);
	struct triage_ctx t = {0};
	int rc = 0;
	if (!db || !db_conn(db) || triage_ctx_init(&t, app.rules, &err) < 0) {
		fprintf(stderr, "ideatriage: %s\n", err.msg);
		rc = 1;
	} else {
		srandom((unsigned)time(NULL) ^ (unsigned)getpid());
		for (int i = 0; connector_names[i]; i++)
			if (all || strcmp(connector_names[i], only) == 0)
				rc |= cli_one(db_conn(db), &t, app.cfg, connector_names[i]);
	}
	triage_ctx_cleanup(&t);
	db_close(db);
	app_close(&app);
	return rc;
}
