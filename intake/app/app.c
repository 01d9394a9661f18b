/* intake/app/app.c - see app.h. */
#include "intake/app/app.h"

#include <errno.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/migrate.h"
#include "intake/log.h"
#include "intake/app/pgembed.h"
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

/* The one line saying which config file and scoring rules are in use. */
static void log_config(const struct config *cfg)
{
	const char *scoring = *cfg->scoring_file ? cfg->scoring_file : "built-in";
	char msg[2 * PATH_MAX + 128];
	snprintf(msg, sizeof(msg), "config: %s (%s); scoring rules: %s",
		 cfg->file ? cfg->file : "built-in defaults", cfg->found_by, scoring);
	log_json(LOG_INFO, msg,
		 json_pack("{s:s?, s:s, s:s}", "config_file", cfg->file, "found_by", cfg->found_by,
			   "scoring_file", scoring));
}

static int open_database(struct app *app, const char *config_file, bool migrate, struct err *err)
{
	memset(app, 0, sizeof(*app));
	app->cfg = config_load_found(config_file, err);
	if (!app->cfg)
		return -1;
	log_set_level(app->cfg->log_level);
	log_config(app->cfg);
	app->rules = triage_rules_load(app->cfg->scoring_file, err);
	if (!app->rules)
		return -1;
	if (app->cfg->database_url[0]) {
		app->conninfo = app->cfg->database_url;
		log_msg(LOG_INFO, "using the PostgreSQL server named by DATABASE_URL");
	} else {
		struct pgembed_options opt = {.dir = app->cfg->embedded_dir,
		                              .bindir = app->cfg->pg_bindir,
		                              .dbname = "ideatriage",
		                              .user = app->cfg->run_user};
		app->pg = pgembed_start(&opt, err);
		if (!app->pg)
			return -1;
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
			return -1;
		if (applied)
			log_msg(LOG_INFO, "applied %d migration(s)", applied);
	}
	return 0;
}

int app_open(struct app *app, const char *config_file, bool migrate, struct err *err)
{
	if (open_database(app, config_file, migrate, err) < 0 ||
	    app_drop_privileges(app, err) < 0) {
		app_close(app);
		return -1;
	}
	return 0;
}

int app_drop_privileges(const struct app *app, struct err *err)
{
	if (getuid() != 0 && geteuid() != 0)
		return 0;
	const char *user = app->cfg->run_user;
	struct passwd *pw = *user ? getpwnam(user) : NULL;
	if (!pw)
		return err_set_field(
		    err, "run.user",
		    "started as root, ideatriage runs as run.user, but there is no "
		    "user '%s': create it (useradd --system --user-group --home-dir "
		    "/nonexistent --shell /usr/sbin/nologin %s; scripts/dev does)",
		    user, user);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		return err_set_field(err, "run.user",
		                     "run.user '%s' is root: name an unprivileged user", user);
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	/* groups first, then the group, then the user: after setuid nothing else
	 * could be changed */
	if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return err_set(err, "cannot drop privileges to user %s: %s", user, strerror(errno));
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0 || r != uid || e != uid ||
	    s != uid || rg != gid || eg != gid || sg != gid || getgroups(0, NULL) != 0 ||
	    setuid(0) == 0 || seteuid(0) == 0)
		return err_set(err, "dropping privileges to user %s did not take", user);
	/* no exec (pg_ctl included) can gain privileges again, setuid binaries and
	 * file capabilities alike */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(err, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	log_json(LOG_INFO, "dropped root privileges",
	         json_pack("{s:s, s:i, s:i}", "user", user, "uid", (int)uid, "gid", (int)gid));
	return 0;
}

static void nap_unless(const struct app *app, long seconds)
{
	for (long i = 0; i < seconds * 10 && !atomic_load(&app->stop_watch); i++)
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
}

/* Polls the postmaster once a second. A cluster we own that died is started
 * again, waiting 1, 2, 4 ... s between attempts; after
 * embedded.restart_attempts failures in a row serve gives up: it must not run
 * on with a dead cluster it owns and holds the lock of. */
static void *watch_cluster(void *arg)
{
	struct app *app = arg;
	long attempts = app->cfg->pg_restart_attempts;
	while (!atomic_load(&app->stop_watch)) {
		nap_unless(app, 1);
		if (atomic_load(&app->stop_watch) || pgembed_alive(app->pg))
			continue;
		log_json(LOG_ERROR, "the embedded PostgreSQL died",
		         json_pack("{s:s, s:I}", "datadir", pgembed_datadir(app->pg),
		                   "restart_attempts", (json_int_t)attempts));
		bool back = false;
		for (long k = 0; k < attempts && !back && !atomic_load(&app->stop_watch); k++) {
			nap_unless(app, 1L << (k < 6 ? k : 6));
			struct err err = {0};
			back = pgembed_restart(app->pg, &err) == 0;
			log_json(back ? LOG_INFO : LOG_WARN,
			         back ? "the embedded PostgreSQL was restarted"
			              : "restarting the embedded PostgreSQL failed",
			         json_pack("{s:I, s:s?}", "attempt", (json_int_t)(k + 1), "error",
			                   back ? NULL : err.msg));
		}
		if (!back && !atomic_load(&app->stop_watch)) {
			log_json(LOG_ERROR,
			         "the embedded PostgreSQL stays down: serve exits non-zero so a "
			         "supervisor can restart it",
			         json_pack("{s:s}", "datadir", pgembed_datadir(app->pg)));
			atomic_store(&app->cluster_lost, true);
			kill(getpid(), SIGTERM);
			return NULL;
		}
	}
	return NULL;
}

int app_open_server(struct app *app, const char *config_file, struct err *err)
{
	if (open_database(app, config_file, true, err) < 0)
		goto fail;
	app->limits = db_conninfo_with_limits(app->conninfo, app->cfg->statement_timeout_ms,
	                                      app->cfg->lock_timeout_ms, err);
	if (!app->limits)
		goto fail;
	app->conninfo = app->limits;
	app->live = triage_live_new(app->rules);
	app->rules = NULL; /* owned by live now, which SIGHUP may replace */
	if (!app->live) {
		err_set(err, "out of memory");
		goto fail;
	}
	if (app->pg && pgembed_is_owner(app->pg)) {
		if (pthread_create(&app->watchdog, NULL, watch_cluster, app) != 0) {
			err_set(err, "cannot start the database watchdog thread");
			goto fail;
		}
		app->watching = true;
	}
	return 0;
fail:
	app_close(app);
	return -1;
}

void app_close(struct app *app)
{
	if (app->watching) {
		atomic_store(&app->stop_watch, true);
		pthread_join(app->watchdog, NULL);
		app->watching = false;
	}
	pgembed_free(app->pg);
	app->pg = NULL;
	triage_rules_free(app->rules);
	app->rules = NULL;
	triage_live_free(app->live);
	app->live = NULL;
	config_free(app->applied);
	app->applied = NULL;
	free(app->limits);
	app->limits = NULL;
	config_free(app->cfg);
	app->cfg = NULL;
	app->conninfo = NULL;
}
