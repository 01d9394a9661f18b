/* intake/app/config_cmd.h - `ideatriage config show`: the effective settings,
 * where each came from, secrets hidden. Reads the config and the scoring file
 * only: no database, no cluster, no port. */
#ifndef INTAKE_APP_CONFIG_CMD_H
#define INTAKE_APP_CONFIG_CMD_H

#include "intake/app/cli_args.h"

#define CONFIG_CMD_HELP                                                                     \
	"Prints every setting: its value, where it came from (default, file PATH, env\n"    \
	"NAME) and whether serve's SIGHUP reloads it. Secrets print as (set, hidden) or\n" \
	"(empty); database.url shows its connection options, the password hidden. The\n"  \
	"config file is --config FILE, else $IDEATRIAGE_CONFIG, else\n"                    \
	"SYSCONFDIR/ideatriage/ideatriage.json when it exists, else none. Exits 1\n"       \
	"naming the key when the config or the scoring file is wrong. Touches no\n"        \
	"database.\n"                                                                       \
	"\n"                                                                                \
	"  --json          the same as one JSON document\n"

/* The table entry's help tail: the SYSCONFDIR this binary was built with. */
void config_help_tail(FILE *f);

/* The table entry's run function (intake/app/cli.c). */
int cmd_config(const struct cli_command *cmd, const struct cli_args *a);

#endif
