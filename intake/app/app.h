/* intake/app/app.h - what every command needs: the configuration and a migrated
 * database, embedded or external; and, started as root, the drop to an
 * unprivileged user. */
#ifndef INTAKE_APP_H
#define INTAKE_APP_H

#include <pthread.h>
#include <stdatomic.h>

#include "intake/config.h"
#include "triage/err.h"

struct pgembed;
struct triage_rules;
struct triage_live;

struct app {
	struct config *cfg;
	struct pgembed *pg; /* NULL when DATABASE_URL names a server */
	const char
	    *conninfo; /* borrowed from cfg or pg, or limits; may hold a password: never log */
	char *limits;  /* serve: conninfo with statement and lock timeouts (new) */
	struct triage_rules *rules; /* scoring weights and taxonomies; NULL in serve: see live */
	struct triage_live *live;   /* serve: the rules, replaced by SIGHUP (intake/app/reload.c) */
	struct config *applied;     /* serve: the config last reloaded (reloadable keys); NULL: cfg */
	pthread_t watchdog;         /* serve, owning the embedded cluster: restarts it */
	bool watching;
	atomic_bool stop_watch;
	atomic_bool cluster_lost; /* the cluster died for good: serve must exit non-zero */
};

/* Loads config (file may be NULL: config_load_found looks for one; one log
 * line says which was used), opens the database (starting the embedded
 * cluster when none is configured) and, when migrate is true, applies
 * migrations; then, started as root, drops to run.user for good
 * (app_drop_privileges). 0, or -1 with *err. */
int app_open(struct app *app, const char *config_file, bool migrate, struct err *err)
    __attribute__((warn_unused_result));

/* app_open for `serve`: migrates, keeps root (the caller binds its socket,
 * then calls app_drop_privileges before it reads a request), gives
 * app->conninfo the statement and lock timeouts of database.*, moves the rules
 * into app->live (for SIGHUP to replace), and watches an
 * embedded cluster it owns: one that dies is restarted with backoff
 * (embedded.restart_attempts in a row), else app->cluster_lost turns true and
 * SIGTERM is raised so serve stops and exits non-zero. */
int app_open_server(struct app *app, const char *config_file, struct err *err)
    __attribute__((warn_unused_result));

/* Started as root (real or effective uid 0): setgroups(0), setgid, setuid to
 * run.user, checks that they took and that root cannot be regained, and sets
 * PR_SET_NO_NEW_PRIVS. A no-op for any other user. 0, or -1 with *err. */
int app_drop_privileges(const struct app *app, struct err *err) __attribute__((warn_unused_result));

/* Stops the watchdog, then the embedded cluster if this process owns it;
 * frees everything. */
void app_close(struct app *app);

/* Applies migrations over a fresh connection; sets *applied. */
int app_migrate(const struct app *app, int *applied, struct err *err)
    __attribute__((warn_unused_result));

#endif
