/* intake/app/cli_args.c - see cli_args.h. */
#include "intake/app/cli_args.h"

#include <stdarg.h>
#include <string.h>

#define SYNOPSIS_WIDTH 34 /* the command list's first column */

const struct cli_command *cli_find(const struct cli_command *table, const char *name)
{
	for (const struct cli_command *c = table; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* "usage: ideatriage [--config FILE] FORM", one line per form of the synopsis. */
static void print_synopsis(const struct cli_command *cmd, FILE *f)
{
	const char *s = cmd->synopsis;
	for (int n = 0; *s; n++) {
		size_t len = strcspn(s, "\n");
		fprintf(f, "%s ideatriage [--config FILE] %.*s\n", n ? "      " : "usage:", (int)len,
		        s);
		s += len + (s[len] == '\n');
	}
}

void cli_print_overview(const struct cli_command *table, FILE *f)
{
	fputs("usage: ideatriage [--config FILE] COMMAND [ARGS]\n"
	      "       ideatriage help [COMMAND] | --help | --version\n"
	      "\n"
	      "commands:\n",
	      f);
	for (const struct cli_command *c = table; c->name; c++) {
		const char *s = c->synopsis;
		for (int n = 0; *s; n++) {
			int len = (int)strcspn(s, "\n");
			if (n > 0)
				fprintf(f, "  %.*s\n", len, s);
			else if (len > SYNOPSIS_WIDTH) /* too long: its summary goes below it */
				fprintf(f, "  %.*s\n  %-*s %s\n", len, s, SYNOPSIS_WIDTH, "",
				        c->summary);
			else
				fprintf(f, "  %-*.*s %s\n", SYNOPSIS_WIDTH, len, s, c->summary);
			s += len + (s[len] == '\n');
		}
	}
	fputs("\n"
	      "`ideatriage help COMMAND` or `ideatriage COMMAND --help` explains one command\n"
	      "and does nothing else: no config is read, no database is touched.\n"
	      "--config FILE names the settings file (default: $IDEATRIAGE_CONFIG, else\n"
	      "SYSCONFDIR/ideatriage/ideatriage.json if it exists, else built-in defaults;\n"
	      "`ideatriage config show` says which); it may also follow the command.\n"
	      "Without DATABASE_URL, a private PostgreSQL is started under ./.ideatriage/pg.\n"
	      "\n"
	      "exit status:\n"
	      "  0  success\n"
	      "  1  failure: configuration, database, connector, file, or demo refused\n"
	      "  2  usage: unknown command or option, missing or stray argument\n"
	      "  3  import-sales: the file was imported but some rows were rejected\n"
	      "     (each one listed on stderr)\n",
	      f);
}

void cli_print_help(const struct cli_command *cmd, FILE *f)
{
	print_synopsis(cmd, f);
	fprintf(f, "\n%s", cmd->help);
	if (cmd->help_tail)
		cmd->help_tail(f);
	fputs("\n  --config FILE   the settings file (default: see `ideatriage help`)\n"
	      "  -h, --help      print this help and exit; nothing else is done\n",
	      f);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	fprintf(stderr, "ideatriage: %s: ", cmd->name);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_synopsis(cmd, stderr);
	fprintf(stderr, "(ideatriage help %s explains it)\n", cmd->name);
	return CLI_USAGE;
}

static bool asks_for_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/* The index of the option argv[*i] names in cmd->opts (-2 for --config),
 * with its value in *value; advances *i past a separate value. -1 after a
 * usage error. */
static int take_option(const struct cli_command *cmd, int argc, char **argv, int *i,
                       const char **value, int *status)
{
	const char *s = argv[*i], *eq = strchr(s, '=');
	size_t len = eq ? (size_t)(eq - s) : strlen(s);
	int k = -1;
	bool takes_value = true;
	if (len == 8 && strncmp(s, "--config", 8) == 0) {
		k = -2;
	} else {
		for (int j = 0; j < CLI_MAX_OPTS && cmd->opts[j].name && k < 0; j++)
			if (strlen(cmd->opts[j].name) == len && strncmp(s, cmd->opts[j].name, len) == 0)
				k = j;
		if (k < 0) {
			*status = cli_usage_error(cmd, "unknown option '%.*s'", (int)len, s);
			return -1;
		}
		takes_value = cmd->opts[k].takes_value;
	}
	if (!takes_value && eq) {
		*status = cli_usage_error(cmd, "option '%.*s' takes no value", (int)len, s);
		return -1;
	}
	if (takes_value && !eq && *i + 1 >= argc) {
		*status = cli_usage_error(cmd, "option '%s' needs a value", s);
		return -1;
	}
	*value = !takes_value ? "" : eq ? eq + 1 : argv[++*i];
	return k;
}

bool cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a,
               int *status)
{
	if (asks_for_help(argc, argv)) {
		cli_print_help(cmd, stdout);
		*status = CLI_OK;
		return false;
	}
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i], *value = NULL;
		if (s[0] == '-' && s[1]) {
			int k = take_option(cmd, argc, argv, &i, &value, status);
			if (k == -1)
				return false;
			if (k == -2)
				a->config_file = value;
			else
				a->opt[k] = value;
		} else if (a->nargs < cmd->max_args) {
			a->arg[a->nargs++] = s;
		} else {
			*status = cli_usage_error(cmd, "unexpected argument '%s'", s);
			return false;
		}
	}
	if (a->nargs < cmd->min_args) {
		*status = cli_usage_error(cmd, "an argument is missing");
		return false;
	}
	return true;
}
