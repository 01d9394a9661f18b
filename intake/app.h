/* intake/app.h - what every command needs: the configuration and a migrated
 * database, embedded or external. */
#ifndef INTAKE_APP_H
#define INTAKE_APP_H

#include "intake/config.h"
#include "triage/err.h"

struct pgembed;
struct triage_rules;

struct app {
	struct config *cfg;
	struct pgembed *pg; /* NULL when DATABASE_URL names a server */
	const char *conninfo; /* borrowed from cfg or pg; may hold a password: never log */
	struct triage_rules *rules; /* scoring weights and taxonomies */
};

/* Loads config (file may be NULL), opens the database (starting the embedded
 * cluster when none is configured) and, when migrate is true, applies
 * migrations. 0, or -1 with *err. */
int app_open(struct app *app, const char *config_file, bool migrate, struct err *err)
    __attribute__((warn_unused_result));

/* Stops the embedded cluster if this process owns it; frees everything. */
void app_close(struct app *app);

/* Applies migrations over a fresh connection; sets *applied. */
int app_migrate(const struct app *app, int *applied, struct err *err)
    __attribute__((warn_unused_result));

#endif
