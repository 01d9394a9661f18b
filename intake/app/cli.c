/* intake/app/cli.c - the command table and the commands. Each command opens
 * the app (config + database), does one job, and closes it, stopping an
 * embedded cluster it started; none runs before cli_args.c has passed its
 * arguments, so `--help` and a usage error never open anything. */
#include "intake/app/cli.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/demo.h"
#include "db/tokens.h"
#include "intake/app/app.h"
#include "intake/app/cli_args.h"
#include "intake/http/auth.h"
#include "intake/app/config_cmd.h"
#include "intake/app/demo.h"
#include "intake/app/reload.h"
#include "intake/ingest/ingest.h"
#include "intake/ingest/rescore.h"
#include "intake/read/render.h"
#include "intake/sync/sales_import.h"
#include "intake/sync/scheduler.h"
#include "intake/sync/sync.h"
#include "intake/app/sync_cmd.h"
#include "intake/triage_ctx.h"
#include "intake/http/server.h"
#include "intake/log.h"
#include "version.h" /* generated: IDEATRIAGE_VERSION */

static int fail(const struct err *err)
{
	fprintf(stderr, "ideatriage: %s\n", err->msg);
	return 1;
}

static int cmd_serve(const struct cli_command *cmd, const struct cli_args *a)
{
	const char *config_file = a->config_file;
	/* Signals are taken by sigwait() below, not by any worker thread: SIGHUP
	 * reloads (intake/app/reload.c) between requests, never inside one. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct app app;
	struct err err = {0};
	if (app_open_server(&app, config_file, &err) < 0)
		return fail(&err);
	/* bound (a port below 1024 needs root), then never root again: no
	 * request and no upstream answer is read with privileges */
	struct http_server *srv = http_server_new(app.cfg, app.conninfo, app.live, &err);
	if (!srv || app_drop_privileges(&app, &err) < 0 || http_server_start(srv, &err) < 0) {
		http_server_free(srv);
		app_close(&app);
		return fail(&err);
	}
	struct scheduler *sched = scheduler_start(app.cfg, app.conninfo, app.live, &err);
	if (!sched) {
		http_server_stop(srv);
		http_server_free(srv);
		app_close(&app);
		return fail(&err);
	}
	int sig = 0;
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		(void)app_reload(&app, sched); /* a failure is logged and keeps the old settings */
	log_json(LOG_INFO, "shutting down", json_pack("{s:s}", "signal", strsignal(sig)));
	scheduler_stop(sched);
	http_server_stop(srv);
	http_server_free(srv);
	bool lost = atomic_load(&app.cluster_lost);
	app_close(&app);
	log_msg(LOG_INFO,
	        lost ? "stopped: the embedded PostgreSQL could not be restarted" : "stopped");
	return lost ? 1 : 0;
}

static int cmd_migrate(const struct cli_command *cmd, const struct cli_args *a)
{
	const char *config_file = a->config_file;
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

/* Opens the app and a connection for a one-shot command. */
static int open_db(struct app *app, const char *config_file, struct db **db, struct err *err)
{
	if (app_open(app, config_file, true, err) < 0)
		return -1;
	*db = db_open(app->conninfo, (int)app->cfg->connect_timeout_s, err);
	if (!*db || !db_conn(*db)) {
		db_close(*db);
		app_close(app);
		return -1;
	}
	return 0;
}

/* The `token list` table: the secret's prefix only, never the token. */
static void print_tokens(const struct db_token_info *t, int n)
{
	printf("%-5s %-10s %-24s %-14s %-11s %-8s\n", "id", "role", "name", "token", "created",
	       "state");
	for (int i = 0; i < n; i++) {
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "%s…", t[i].prefix);
		printf("%-5lld %-10s %-24s %-14s %-11s %-8s\n", (long long)t[i].id, t[i].role,
		       t[i].name, prefix, t[i].created, t[i].revoked ? "revoked" : "live");
	}
}

/* token's options, by their index in its table entry */
enum { TOKEN_ROLE, TOKEN_NAME };

/* The checks of `token create|list|revoke` that cli_parse cannot make: which
 * subcommand takes what. Returns CLI_OK or a usage error. */
static int token_check(const struct cli_command *cmd, const struct cli_args *a, enum role *role,
                       int64_t *id)
{
	const char *sub = a->arg[0], *role_s = a->opt[TOKEN_ROLE], *name = a->opt[TOKEN_NAME];
	if (strcmp(sub, "create") == 0) {
		if (a->nargs > 1)
			return cli_usage_error(cmd, "unexpected argument '%s'", a->arg[1]);
		if (!role_s || !name)
			return cli_usage_error(cmd, "token create needs --role and --name");
		if (role_from_name(role_s, role) < 0)
			return cli_usage_error(cmd, "unknown role '%s'", role_s);
		return CLI_OK;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "revoke") != 0)
		return cli_usage_error(cmd, "unknown token command '%s'", sub);
	if (role_s || name)
		return cli_usage_error(cmd, "--role and --name are for token create only");
	if (strcmp(sub, "list") == 0)
		return a->nargs > 1 ? cli_usage_error(cmd, "unexpected argument '%s'", a->arg[1])
		                    : CLI_OK;
	char *end = NULL;
	long long v = a->nargs > 1 ? strtoll(a->arg[1], &end, 10) : 0;
	if (a->nargs < 2)
		return cli_usage_error(cmd, "token revoke needs the token's ID (token list shows it)");
	if (*end || v <= 0)
		return cli_usage_error(cmd, "'%s' is not a token ID", a->arg[1]);
	*id = v;
	return CLI_OK;
}

static int cmd_token(const struct cli_command *cmd, const struct cli_args *a)
{
	enum role role = 0;
	int64_t id = 0;
	int rc = token_check(cmd, a, &role, &id);
	if (rc != CLI_OK)
		return rc;
	const char *sub = a->arg[0], *name = a->opt[TOKEN_NAME];
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, a->config_file, &db, &err) < 0)
		return fail(&err);
	if (strcmp(sub, "create") == 0) {
		char token[64];
		if (auth_token_create(db_conn(db), role, name, token, &id, &err) < 0) {
			rc = fail(&err);
		} else {
			/* the only time the secret is ever shown */
			printf("%s\n", token);
			fprintf(stderr, "token %lld (%s, %s) created; it is shown only once\n",
				(long long)id, name, a->opt[TOKEN_ROLE]);
		}
	} else if (strcmp(sub, "list") == 0) {
		struct db_token_info *t = NULL;
		int n = 0;
		if (db_token_list(db_conn(db), &t, &n, &err) < 0)
			rc = fail(&err);
		else
			print_tokens(t, n);
		free(t);
	} else if (auth_token_revoke(db_conn(db), id, &err) < 0) {
		rc = fail(&err);
	} else {
		printf("token %s revoked\n", a->arg[1]);
	}
	db_close(db);
	app_close(&app);
	return rc;
}

static void progress_bar(int done, int total, void *arg)
{
	(void)arg;
	static int shown = -1; /* the percentage drawn last */
	int pct = total ? (int)((long long)done * 100 / total) : 100;
	if (pct == shown && done != total)
		return;
	shown = pct;
	int width = 30, fill = total ? done * width / total : width;
	fprintf(stderr, "\r[%.*s%*s] %3d%% %d/%d", fill, "##############################",
		width - fill, "", total ? done * 100 / total : 100, done, total);
	if (done == total)
		fputc('\n', stderr);
}

static char *read_file(const char *path, size_t *len, struct err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		err_set(err, "cannot open %s: %m", path);
		return NULL;
	}
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	char chunk[65536];
	size_t k;
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0 && n <= SALES_MAX_BYTES)
		fwrite(chunk, 1, k, m);
	fclose(f);
	fclose(m);
	if (n > SALES_MAX_BYTES) {
		free(buf);
		err_set(err, "%s is larger than %zu bytes", path, SALES_MAX_BYTES);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Parsing an import file: on a thread of its own while the database is
 * opened (starting the embedded server takes ~0.4 s, parsing 100,000 notes
 * ~0.3 s). The file is read before, so a missing one fails at once. */
struct parse_job {
	const char *path;
	char *data;
	size_t len;
	struct sales_batch b;
	struct err err;
	int rc;
};

static void *parse_file(void *arg)
{
	struct parse_job *j = arg;
	size_t plen = strlen(j->path);
	j->rc = plen > 5 && strcmp(j->path + plen - 5, ".json") == 0
		    ? sales_parse_json(j->data, j->len, &j->b, &j->err)
		    : sales_parse_csv(j->data, j->len, &j->b, &j->err);
	free(j->data);
	j->data = NULL;
	return NULL;
}

/* Frees a parsed file: on a thread of its own while the embedded server
 * shuts down (100,000 notes take ~0.25 s). */
static void *clear_batch(void *arg)
{
	sales_batch_clear(arg);
	return NULL;
}

static int cmd_import_sales(const struct cli_command *cmd, const struct cli_args *a)
{
	const char *config_file = a->config_file, *path = a->arg[0];
	struct err err = {0};
	struct parse_job job = {.path = path};
	if (!(job.data = read_file(path, &job.len, &err)))
		return fail(&err);
	pthread_t parser;
	bool threaded = pthread_create(&parser, NULL, parse_file, &job) == 0;
	if (!threaded)
		parse_file(&job);
	struct app app;
	struct db *db;
	int opened = open_db(&app, config_file, &db, &err);
	if (threaded)
		pthread_join(parser, NULL);
	struct sales_batch *b = &job.b;
	if (job.rc < 0) {
		if (opened == 0) {
			db_close(db);
			app_close(&app);
		}
		sales_batch_clear(b);
		return fail(&job.err);
	}
	for (int i = 0; i < b->nerrors; i++)
		fprintf(stderr, "%s:%d: %s%s%s\n", path, b->errors[i].line, b->errors[i].field,
			b->errors[i].field[0] ? ": " : "", b->errors[i].msg);
	if (opened < 0) {
		sales_batch_clear(b);
		return fail(&err);
	}
	struct sales_import_result res = {0};
	struct triage_ctx t;
	int rc = triage_ctx_init(&t, app.rules, &err);
	if (rc == 0)
		rc = sales_import(db_conn(db), &t, b, isatty(2) ? progress_bar : NULL, NULL, &res,
				  &err);
	triage_ctx_cleanup(&t);
	if (rc == 0)
		printf("%s: %d rows accepted (%d new, %d updated, %d already imported), %d rejected\n",
		       path, b->nmentions, res.added, res.updated, res.unchanged, b->nerrors);
	int rejected = b->nerrors;
	pthread_t clearer;
	bool clearing = pthread_create(&clearer, NULL, clear_batch, b) == 0;
	db_close(db);
	app_close(&app);
	if (clearing)
		pthread_join(clearer, NULL);
	else
		sales_batch_clear(b);
	if (rc < 0)
		return fail(&err);
	return rejected ? CLI_ROWS_REJECTED : CLI_OK; /* some rows need fixing */
}

/* demo's options, by their index in its table entry */
enum { DEMO_IF_EMPTY, DEMO_FORCE };

/* Loads the demo set, or says why not: the demo's made-up ideas, customers
 * and decisions must never land among real ones by accident, so a database
 * that holds data is refused (exit 1) unless --force asks for it; --if-empty
 * (scripts/dev run) skips it and succeeds. */
static int cmd_demo(const struct cli_command *cmd, const struct cli_args *a)
{
	bool if_empty = a->opt[DEMO_IF_EMPTY], force = a->opt[DEMO_FORCE];
	if (if_empty && force)
		return cli_usage_error(cmd, "--if-empty and --force contradict each other");
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, a->config_file, &db, &err) < 0)
		return fail(&err);
	int rc = CLI_OK;
	bool has_data = false;
	if (db_demo_has_data(db_conn(db), &has_data, &err) < 0) {
		rc = fail(&err);
	} else if (has_data && if_empty) {
		printf("demo: the database already holds data; nothing loaded\n");
	} else if (has_data && !force) {
		fprintf(stderr,
		        "ideatriage: demo: the database already holds %ld ideas; nothing loaded "
		        "(demo --force loads the demo data set among them)\n",
		        db_demo_idea_count(db_conn(db)));
		rc = CLI_FAILED;
	} else {
		struct demo_counts n;
		struct triage_ctx t = {0};
		demo_progress_fn *bar = isatty(2) ? progress_bar : NULL;
		if (triage_ctx_init(&t, app.rules, &err) < 0 ||
		    demo_load(db_conn(db), &t, bar, NULL, &n, &err) < 0)
			rc = fail(&err);
		else
			printf("demo: %d GitHub issues and comments, %d Reddit posts, %d sales notes, "
			       "%d employee ideas -> %d ideas\n",
			       n.github, n.reddit, n.sales, n.employee, n.ideas);
		triage_ctx_cleanup(&t);
	}
	db_close(db);
	app_close(&app);
	return rc;
}

static int cmd_rescore(const struct cli_command *cmd, const struct cli_args *a)
{
	const char *config_file = a->config_file;
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, config_file, &db, &err) < 0)
		return fail(&err);
	struct triage_ctx t = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int n = 0, rc = triage_ctx_init(&t, app.rules, &err);
	PGconn *pg = db_conn(db);
	struct ingest_tx tx = {0};
	if (rc == 0)
		rc = ingest_begin(&tx, pg, &t, &err);
	if (rc == 0)
		rc = rescore_all(pg, &t, isatty(2) ? &(struct rescore_progress){progress_bar, NULL} : NULL,
				 &n, &err);
	if (rc == 0)
		rc = ingest_commit(&tx, &err);
	if (rc < 0)
		ingest_rollback(&tx);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	triage_ctx_cleanup(&t);
	db_close(db);
	app_close(&app);
	if (rc < 0)
		return fail(&err);
	printf("rescored %d ideas in %.2f s\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

/* export's options, by their index in its table entry */
enum { EXPORT_VIEW, EXPORT_FORMAT, EXPORT_OUTPUT };

/* The roadmap of one view in one format on stdout: the same bytes
 * GET /roadmap/{view}?format= serves, so it can be published elsewhere. */
static int cmd_export(const struct cli_command *cmd, const struct cli_args *a)
{
	const char *vs = a->opt[EXPORT_VIEW], *fs = a->opt[EXPORT_FORMAT];
	enum view v;
	enum format f;
	if (!vs || !fs)
		return cli_usage_error(cmd, "--view and --format are both needed");
	if (view_from_name(vs, &v) < 0)
		return cli_usage_error(cmd, "unknown view '%s'", vs);
	if (format_from_name(fs, &f) < 0)
		return cli_usage_error(cmd, "unknown format '%s'", fs);
	if (f == FMT_ATOM && v != VIEW_PUBLIC)
		return cli_usage_error(cmd, "the atom feed is of the public view only");
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, a->config_file, &db, &err) < 0)
		return fail(&err);
	struct triage_ctx t = {0};
	char *out = NULL;
	size_t len = 0;
	int rc = triage_ctx_init(&t, app.rules, &err);
	if (rc == 0)
		rc = roadmap_render(db_conn(db), &t, v, f, &out, &len, &err);
	triage_ctx_cleanup(&t);
	db_close(db);
	app_close(&app);
	if (rc < 0)
		return fail(&err);
	const char *path = a->opt[EXPORT_OUTPUT];
	char tmp[4200];
	FILE *o = stdout;
	if (path) { /* written beside, then renamed: a reader never sees half a file */
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		o = fopen(tmp, "wb");
		if (!o) {
			fprintf(stderr, "ideatriage: cannot write %s: %s\n", tmp, strerror(errno));
			free(out);
			return 1;
		}
	}
	size_t w = fwrite(out, 1, len, o);
	free(out);
	bool ok = w == len && fflush(o) == 0;
	if (path) {
		ok = fclose(o) == 0 && ok && rename(tmp, path) == 0;
		if (!ok)
			unlink(tmp);
	}
	if (!ok) {
		fprintf(stderr, "ideatriage: writing the export failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* sync's option, by its index in its table entry */
enum { SYNC_ALL };

static int cmd_sync(const struct cli_command *cmd, const struct cli_args *a)
{
	bool all = a->opt[SYNC_ALL];
	if (all == (a->nargs == 1))
		return cli_usage_error(cmd, all ? "a connector NAME or --all, not both"
		                                : "a connector NAME or --all is needed");
	if (!all && !connector_known(a->arg[0])) {
		cli_usage_error(cmd, "unknown connector '%s'", a->arg[0]);
		sync_cli_connectors(stderr);
		return CLI_USAGE;
	}
	return sync_cli(a->config_file, all ? NULL : a->arg[0]);
}

/* Every command: what `help` prints and what cli_parse lets through. An
 * option's index here is the index its command reads a->opt[] by. */
static const struct cli_command commands[] = {
    {"serve", "serve", "HTTP API, web pages and scheduler",
     "Serves the HTTP API and the web pages on http.listen (IDEATRIAGE_LISTEN, default\n"
     "127.0.0.1:8080) and runs the connectors on their schedules, until SIGTERM or\n"
     "SIGINT. Started as root, it binds, then runs as run.user. SIGHUP reads the\n"
     "config file again and applies the scoring rules, log.level and connector\n"
     "intervals (`config show` marks them), without dropping a request.\n",
     {{0}}, 0, 0, NULL, cmd_serve},
    {"migrate", "migrate", "apply database migrations (idempotent)",
     "Applies the migrations this binary carries that the database lacks.\n",
     {{0}}, 0, 0, NULL, cmd_migrate},
    {"sync", "sync NAME|--all", "run connector(s) once",
     "Runs one connector (or --all of them) once, now, whatever its schedule, with\n"
     "progress on a terminal. A connector that is not configured is skipped.\n"
     "\n"
     "  --all           every connector\n",
     {{"--all", false}}, 0, 1, sync_cli_connectors, cmd_sync},
    {"import-sales", "import-sales FILE.csv|FILE.json", "bulk import sales notes",
     "Imports sales notes from a CSV or JSON file through the ingest pipeline, with a\n"
     "progress bar on a terminal. A row already imported is not imported twice.\n"
     "Rejected rows are listed on stderr as FILE:LINE: and make the exit status 3.\n",
     {{0}}, 1, 1, NULL, cmd_import_sales},
    {"export", "export --view V --format F [--output FILE]",
     "one roadmap view in one format",
     "Writes the roadmap of one view in one format: the bytes GET /roadmap/V?format=F\n"
     "serves.\n"
     "\n"
     "  --view V        internal, customer or public\n"
     "  --format F      json, csv, md, html or atom (atom: the public view only)\n"
     "  --output FILE   write FILE (whole, or not at all) instead of stdout\n",
     {{"--view", true}, {"--format", true}, {"--output", true}}, 0, 0, NULL, cmd_export},
    {"rescore", "rescore", "recompute every score",
     "Recomputes the score of every idea with the scoring rules in the config (after\n"
     "a change to config/scoring.json), in one transaction.\n",
     {{0}}, 0, 0, NULL, cmd_rescore},
    {"token", "token create --role R --name N\ntoken list\ntoken revoke ID",
     "API tokens: R customer|submitter|triager|admin",
     "create prints a new API token on stdout, the only time it is ever shown; list\n"
     "shows every token (its prefix, never the secret); revoke ID stops one.\n"
     "\n"
     "  --role R        customer, submitter, triager or admin\n"
     "  --name N        who or what the token is for\n",
     {{"--role", true}, {"--name", true}}, 1, 2, NULL, cmd_token},
    {"demo", "demo [--if-empty|--force]", "load the bundled demo data set",
     "Loads the bundled demo data set (GitHub, Reddit, sales and employee ideas of a\n"
     "made-up company, and a first triage pass) through the ingest pipeline. A\n"
     "database that already holds ideas is refused (exit 1), so made-up data never\n"
     "lands among real data by accident.\n"
     "\n"
     "  --if-empty      a database that holds ideas is left as it is (exit 0)\n"
     "  --force         load the demo data set into it all the same\n",
     {{"--if-empty", false}, {"--force", false}}, 0, 0, NULL, cmd_demo},
    {"config", "config show [--json]", "print the effective settings",
     CONFIG_CMD_HELP, {{"--json", false}}, 1, 1, config_help_tail, cmd_config},
    {0},
};

/* "ideatriage: MESSAGE" and the overview on stderr: a usage error before
 * any command is known. */
static int top_usage_error(const char *what, const char *who)
{
	fprintf(stderr, "ideatriage: %s '%s'\n\n", what, who);
	cli_print_overview(commands, stderr);
	return CLI_USAGE;
}

static bool is_help(const char *s)
{
	return strcmp(s, "help") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* `ideatriage help [COMMAND]`: args are the arguments after "help". */
static int cmd_help(int argc, char **argv)
{
	if (argc == 0 || is_help(argv[0])) {
		cli_print_overview(commands, stdout);
		return CLI_OK;
	}
	const struct cli_command *c = cli_find(commands, argv[0]);
	if (!c)
		return top_usage_error("unknown command", argv[0]);
	if (argc > 1)
		return top_usage_error("unexpected argument", argv[1]);
	cli_print_help(c, stdout);
	return CLI_OK;
}

int cli_main(int argc, char **argv)
{
	struct cli_args a = {0};
	int i = 1;
	/* the options before the command */
	for (; i < argc && argv[i][0] == '-' && !is_help(argv[i]); i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("ideatriage %s\n", IDEATRIAGE_VERSION);
			return CLI_OK;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			a.config_file = argv[i] + 9;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			a.config_file = argv[++i];
		else if (strcmp(argv[i], "--config") == 0)
			return top_usage_error("a value is needed after", argv[i]);
		else
			return top_usage_error("unknown option", argv[i]);
	}
	if (i >= argc) {
		cli_print_overview(commands, stderr);
		return CLI_USAGE;
	}
	if (is_help(argv[i]))
		return cmd_help(argc - i - 1, argv + i + 1);
	const struct cli_command *c = cli_find(commands, argv[i]);
	if (!c)
		return top_usage_error("unknown command", argv[i]);
	int status;
	if (!cli_parse(c, argc - i - 1, argv + i + 1, &a, &status))
		return status;
	return c->run(c, &a);
}
