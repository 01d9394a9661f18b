/* intake/cli.c - subcommands. Each opens the app (config + database), does
 * one job, and closes it, stopping an embedded cluster it started. */
#include "intake/cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "intake/app.h"
#include "intake/http/server.h"
#include "intake/log.h"

static const char usage[] =
    "usage: ideatriage [--config FILE] COMMAND [ARGS]\n"
    "\n"
    "  serve                              HTTP API, web pages and scheduler\n"
    "  migrate                            apply database migrations (idempotent)\n"
    "  sync NAME|--all                    run connector(s) once\n"
    "  import-sales FILE.csv|FILE.json    bulk import sales notes\n"
    "  export --view V --format F         V: internal|customer|public; F: json|csv|md|html\n"
    "  rescore                            recompute every score\n"
    "  token create --role R --name N     R: customer|submitter|triager|admin\n"
    "  demo                               load the bundled demo data set\n"
    "\n"
    "Without DATABASE_URL, a private PostgreSQL is started under ./.ideatriage/pg.\n";

static int fail(const struct err *err)
{
	fprintf(stderr, "ideatriage: %s\n", err->msg);
	return 1;
}

static int cmd_serve(const char *config_file)
{
	/* Signals are taken by sigwait() below, not by any worker thread. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct app app;
	struct err err = {0};
	if (app_open(&app, config_file, true, &err) < 0)
		return fail(&err);
	struct http_server *srv = http_server_new(app.cfg, app.conninfo, &err);
	if (!srv || http_server_start(srv, &err) < 0) {
		http_server_free(srv);
		app_close(&app);
		return fail(&err);
	}
	int sig = 0;
	sigwait(&set, &sig);
	log_json(LOG_INFO, "shutting down", json_pack("{s:s}", "signal", strsignal(sig)));
	http_server_stop(srv);
	http_server_free(srv);
	app_close(&app);
	log_msg(LOG_INFO, "stopped");
	return 0;
}

static int cmd_migrate(const char *config_file)
{
	struct app app;
	struct err err = {0};
	if (app_open(&app, config_file, false, &err) < 0)
		return fail(&err);
	int applied = 0;
	int rc = app_migrate(&app, &applied, &err);
	app_close(&app);
	if (rc < 0)
		return fail(&err);
	printf("migrations: %d applied, schema up to date\n", applied);
	return 0;
}

static int not_yet(const char *cmd)
{
	fprintf(stderr, "ideatriage: '%s' is not yet available in this build\n", cmd);
	return 2;
}

int cli_main(int argc, char **argv)
{
	const char *config_file = NULL;
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config_file = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config_file = argv[i] + 9;
		else
			break;
	}
	if (i >= argc || strcmp(argv[i], "help") == 0 || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "-h") == 0) {
		fputs(usage, i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	const char *cmd = argv[i];
	/* "--config" may also follow the command (ideatriage serve --config F). */
	for (int j = i + 1; j < argc; j++) {
		if (strcmp(argv[j], "--config") == 0 && j + 1 < argc)
			config_file = argv[j + 1];
		else if (strncmp(argv[j], "--config=", 9) == 0)
			config_file = argv[j] + 9;
	}
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(config_file);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(config_file);
	if (strcmp(cmd, "sync") == 0 || strcmp(cmd, "import-sales") == 0 ||
	    strcmp(cmd, "export") == 0 || strcmp(cmd, "rescore") == 0 ||
	    strcmp(cmd, "token") == 0 || strcmp(cmd, "demo") == 0)
		return not_yet(cmd);
	fprintf(stderr, "ideatriage: unknown command '%s'\n\n%s", cmd, usage);
	return 2;
}
