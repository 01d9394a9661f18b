/* intake/app/sync_cmd.h - the `sync` command. */
#ifndef INTAKE_APP_SYNC_CMD_H
#define INTAKE_APP_SYNC_CMD_H

/* `ideatriage sync NAME|--all`. argv: the arguments after "sync". Returns the
 * process exit status: 0 ok, 1 a connector failed, 2 usage. */
int sync_cli(const char *config_file, int argc, char **argv);

#endif
