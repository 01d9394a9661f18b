#include "intake/app.h"

#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "db/migrate.h"
#include "intake/log.h"
#include "intake/pgembed.h"
#include "intake/triage_ctx.h"

int app_migrate(const struct app *app, int *applied, struct err *err)
{
	struct db *db = db_open(app->conninfo, (int)app->cfg->connect_timeout_s, err);
	if (!db)
		return -1;
	if (!db_conn(db)) {
		db_close(db);
		return -1;
	}
	int rc = db_migrate(db_conn(db), db_migration_files, applied, err);
	db_close(db);
	return rc;
}

int app_open(struct app *app, const char *config_file, bool migrate, struct err *err)
{
	memset(app, 0, sizeof(*app));
	app->cfg = config_load(config_file, err);
	if (!app->cfg)
		return -1;
	log_set_level(app->cfg->log_level);
	app->rules = triage_rules_load(app->cfg->scoring_file, err);
	if (!app->rules)
		goto fail;
	if (app->cfg->database_url[0]) {
		app->conninfo = app->cfg->database_url;
		log_msg(LOG_INFO, "using the PostgreSQL server named by DATABASE_URL");
	} else {
		struct pgembed_options opt = {.dir = app->cfg->embedded_dir,
					      .bindir = app->cfg->pg_bindir,
					      .dbname = "ideatriage"};
		app->pg = pgembed_start(&opt, err);
		if (!app->pg)
			goto fail;
		app->conninfo = pgembed_conninfo(app->pg);
		char msg[PATH_MAX + 128];
		snprintf(msg, sizeof(msg),
			 "no DATABASE_URL: %s the embedded PostgreSQL in %s (Unix socket only)",
			 pgembed_is_owner(app->pg) ? "running" : "joining", pgembed_datadir(app->pg));
		log_json(LOG_INFO, msg,
			 json_pack("{s:s, s:s, s:b}", "datadir", pgembed_datadir(app->pg), "database",
				   "ideatriage", "owner", pgembed_is_owner(app->pg)));
	}
	if (migrate) {
		int applied = 0;
		if (app_migrate(app, &applied, err) < 0)
			goto fail;
		if (applied)
			log_msg(LOG_INFO, "applied %d migration(s)", applied);
	}
	return 0;
fail:
	app_close(app);
	return -1;
}

void app_close(struct app *app)
{
	pgembed_free(app->pg);
	app->pg = NULL;
	triage_rules_free(app->rules);
	app->rules = NULL;
	config_free(app->cfg);
	app->cfg = NULL;
	app->conninfo = NULL;
}
