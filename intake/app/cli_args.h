/* intake/app/cli_args.h - the shape of the command table (intake/app/cli.c)
 * and the checks every command gets before it does anything: `--help`
 * anywhere prints its usage and stops, an unknown option or a stray argument
 * is a usage error (exit 2). Nothing here opens the app, reads a config or
 * touches a database: a command's run() is called only once its arguments
 * have passed. Every string handed out is borrowed from argv or the table. */
#ifndef INTAKE_APP_CLI_ARGS_H
#define INTAKE_APP_CLI_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_MAX_OPTS 6 /* options one command accepts, --config aside */
#define CLI_MAX_ARGS 2 /* positional arguments one command accepts */

/* The exit statuses, as the top-level --help documents them. */
enum {
	CLI_OK = 0,
	CLI_FAILED = 1,
	CLI_USAGE = 2,
	CLI_ROWS_REJECTED = 3, /* import-sales: imported, but some rows were refused */
};

struct cli_opt {
	const char *name; /* "--view" */
	bool takes_value; /* "--view V" or "--view=V"; else a flag */
};

/* One parsed command line. */
struct cli_args {
	const char *config_file;       /* --config, before or after the command; NULL: built-in */
	const char *opt[CLI_MAX_OPTS]; /* by the command's opts[] index: the value, "" for a
	                                * flag given, NULL when absent */
	const char *arg[CLI_MAX_ARGS]; /* the positional arguments, in order */
	int nargs;
};

/* One command: its usage and what it accepts. The table ends with name NULL. */
struct cli_command {
	const char *name;
	const char *synopsis; /* after "ideatriage ", one form per line */
	const char *summary;  /* one line in the command list */
	const char *help;     /* `help COMMAND`: what it does, its options */
	struct cli_opt opts[CLI_MAX_OPTS];
	int min_args, max_args;
	void (*help_tail)(FILE *f); /* more help computed at run time; may be NULL */
	int (*run)(const struct cli_command *cmd, const struct cli_args *a); /* exit status */
};

/* The command called name in table, or NULL. */
const struct cli_command *cli_find(const struct cli_command *table, const char *name);

/* The top-level usage: synopsis, the command list, the exit statuses. */
void cli_print_overview(const struct cli_command *table, FILE *f);

/* One command's full help (`help COMMAND`, `COMMAND --help`). */
void cli_print_help(const struct cli_command *cmd, FILE *f);

/* A usage error: "ideatriage: CMD: <message>" and the command's usage lines
 * on stderr. Returns CLI_USAGE, for `return cli_usage_error(...)`. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses argv (the arguments after the command's name) into *a, keeping
 * a->config_file unless --config is given. True when the command should run;
 * false when it should not, with *status its exit status: CLI_OK after
 * printing its help on stdout (--help or -h among the arguments), CLI_USAGE
 * after printing a usage error on stderr. */
bool cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a,
               int *status) __attribute__((warn_unused_result));

#endif
