/* intake/app/pgembed.h - a private PostgreSQL cluster owned by this process.
 *
 * Used when no DATABASE_URL is configured: initdb on first use, started on a
 * Unix socket inside its folder (no TCP port), stopped on exit. Started as
 * root, the server runs as an unprivileged user (run.user, the one the whole
 * process then drops to), in a folder that user can reach. One process at a
 * time is the owner (it holds a lock file); others that find the cluster
 * running use it as guests and leave it up. */
#ifndef INTAKE_PGEMBED_H
#define INTAKE_PGEMBED_H

#include <stdbool.h>

#include "triage/err.h"

/* The user the cluster runs as when started by root and none is named. */
#define PGEMBED_USER "ideatriage"

struct pgembed;

struct pgembed_options {
	const char *dir;         /* data folder, e.g. ".ideatriage/pg" */
	const char *bindir;      /* folder with initdb, pg_ctl, postgres */
	const char *dbname;      /* database to create if missing, e.g. "ideatriage" */
	const char *extra_opts;  /* extra postgres -c options, or NULL */
	const char *user; /* started as root: run the server as this user (NULL: PGEMBED_USER) */
	bool detach;             /* leave it running on free (test fixtures) */
};

/* Starts (or joins) the cluster. New handle on success; NULL and *err with an
 * actionable message (missing package, unreachable folder, log excerpt). */
struct pgembed *pgembed_start(const struct pgembed_options *opt, struct err *err)
    __attribute__((warn_unused_result));

/* libpq conninfo for the database (borrowed from pg). */
const char *pgembed_conninfo(const struct pgembed *pg);
/* The data folder actually used (differs from opt->dir when that was unreachable). */
const char *pgembed_datadir(const struct pgembed *pg);
/* True when this process started or adopted the cluster and will stop it. */
bool pgembed_is_owner(const struct pgembed *pg);

/* True when the server's postmaster process exists (its pid file names a live
 * process). */
bool pgembed_alive(const struct pgembed *pg);

/* Starts the owned server again after it died (a stale pid file is dealt
 * with), waiting until it answers. 0 or -1 with *err (e.g. the old server's
 * processes still hold its shared memory: try again a little later). */
int pgembed_restart(struct pgembed *pg, struct err *err) __attribute__((warn_unused_result));

/* Stops the server now if owned (fast shutdown, waits). 0 or -1 with *err. */
int pgembed_stop(struct pgembed *pg, struct err *err) __attribute__((warn_unused_result));

/* Stops the server when owned and not detached, then frees. Accepts NULL. */
void pgembed_free(struct pgembed *pg);

/* Stops a cluster by folder, whoever started it (test fixtures, `dev` script). */
int pgembed_stop_dir(const char *dir, const char *bindir, struct err *err)
    __attribute__((warn_unused_result));

#endif
