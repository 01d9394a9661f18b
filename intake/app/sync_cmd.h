/* intake/app/sync_cmd.h - the `sync` command. */
#ifndef INTAKE_APP_SYNC_CMD_H
#define INTAKE_APP_SYNC_CMD_H

#include <stdio.h>

/* `ideatriage sync NAME|--all`: runs the connector called only (a known
 * one: cli.c checks), or every one when only is NULL. Returns the process
 * exit status: 0 ok, 1 a connector failed. */
int sync_cli(const char *config_file, const char *only);

/* "connectors: NAME ...": the end of `sync --help`, the names sync accepts. */
void sync_cli_connectors(FILE *f);

#endif
