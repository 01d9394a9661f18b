/* intake/app/reload.h - serve's SIGHUP: the config file read again and what
 * the settings table marks reloadable applied (the scoring rules, log.level,
 * the connectors' intervals), without a restart and without dropping a
 * request. */
#ifndef INTAKE_APP_RELOAD_H
#define INTAKE_APP_RELOAD_H

#include "intake/app/app.h"

struct scheduler;

/* Reads app->cfg->file again (the file found at start; none: the built-in
 * defaults and the environment) and the scoring file it names, and
 * validates both fully. On any error it logs it and keeps every old setting:
 * never half applied. Else it publishes the new rules (each thread adopts
 * them between requests or connector runs), sets the log level and sched's
 * intervals (sched may be NULL), warns naming every changed key that needs a
 * restart (its old value stays), and logs one "config reloaded" line naming
 * what changed. 0 applied, -1 kept. Called on serve's main thread only. */
int app_reload(struct app *app, struct scheduler *sched);

#endif
