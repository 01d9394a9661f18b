/* intake/app/cli.c - subcommands. Each opens the app (config + database), does
 * one job, and closes it, stopping an embedded cluster it started. */
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
#include "intake/http/auth.h"
#include "intake/app/demo.h"
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

static const char usage[] =
    "usage: ideatriage [--config FILE] COMMAND [ARGS]\n"
    "\n"
    "  serve                              HTTP API, web pages and scheduler\n"
    "  migrate                            apply database migrations (idempotent)\n"
    "  sync NAME|--all                    run connector(s) once\n"
    "  import-sales FILE.csv|FILE.json    bulk import sales notes\n"
    "  export --view V --format F [--output FILE]\n"
    "                                     V: internal|customer|public; F: json|csv|md|html|atom\n"
    "  rescore                            recompute every score\n"
    "  token create --role R --name N     R: customer|submitter|triager|admin\n"
    "  token list | token revoke ID       list tokens (never their secrets), revoke one\n"
    "  demo [--if-empty]                  load the bundled demo data set\n"
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
	if (app_open_server(&app, config_file, &err) < 0)
		return fail(&err);
	/* bound (a port below 1024 needs root), then never root again: no
	 * request and no upstream answer is read with privileges */
	struct http_server *srv = http_server_new(app.cfg, app.conninfo, app.rules, &err);
	if (!srv || app_drop_privileges(&app, &err) < 0 || http_server_start(srv, &err) < 0) {
		http_server_free(srv);
		app_close(&app);
		return fail(&err);
	}
	struct scheduler *sched = scheduler_start(app.cfg, app.conninfo, app.rules, &err);
	if (!sched) {
		http_server_stop(srv);
		http_server_free(srv);
		app_close(&app);
		return fail(&err);
	}
	int sig = 0;
	sigwait(&set, &sig);
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

static const char *opt_value(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
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

static int cmd_token(const char *config_file, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "";
	struct app app;
	struct db *db;
	struct err err = {0};
	int rc = 0;
	if (strcmp(sub, "create") == 0) {
		const char *role_s = opt_value(argc, argv, "--role");
		const char *name = opt_value(argc, argv, "--name");
		enum role role;
		if (!role_s || role_from_name(role_s, &role) < 0 || !name) {
			fprintf(stderr, "usage: ideatriage token create --role "
					"customer|submitter|triager|admin --name NAME\n");
			return 2;
		}
		if (open_db(&app, config_file, &db, &err) < 0)
			return fail(&err);
		char token[64];
		int64_t id;
		if (auth_token_create(db_conn(db), role, name, token, &id, &err) < 0) {
			rc = fail(&err);
		} else {
			/* the only time the secret is ever shown */
			printf("%s\n", token);
			fprintf(stderr, "token %lld (%s, %s) created; it is shown only once\n",
				(long long)id, name, role_s);
		}
	} else if (strcmp(sub, "list") == 0) {
		if (open_db(&app, config_file, &db, &err) < 0)
			return fail(&err);
		struct db_token_info *t = NULL;
		int n = 0;
		if (db_token_list(db_conn(db), &t, &n, &err) < 0)
			rc = fail(&err);
		else
			print_tokens(t, n);
		free(t);
	} else if (strcmp(sub, "revoke") == 0 && argc > 1) {
		if (open_db(&app, config_file, &db, &err) < 0)
			return fail(&err);
		if (auth_token_revoke(db_conn(db), atoll(argv[1]), &err) < 0)
			rc = fail(&err);
		else
			printf("token %s revoked\n", argv[1]);
	} else {
		fprintf(stderr, "usage: ideatriage token create|list|revoke\n");
		return 2;
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

static int cmd_import_sales(const char *config_file, const char *path)
{
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
	return rejected ? 3 : 0; /* some rows need fixing */
}

static int cmd_demo(const char *config_file, bool if_empty)
{
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, config_file, &db, &err) < 0)
		return fail(&err);
	int rc = 0;
	bool has_data = false;
	if (db_demo_has_data(db_conn(db), &has_data, &err) < 0) {
		db_close(db);
		app_close(&app);
		return fail(&err);
	}
	if (if_empty && has_data) {
		printf("demo: the database already holds data; nothing loaded\n");
	} else {
		struct demo_counts n;
		struct triage_ctx t = {0};
		if (triage_ctx_init(&t, app.rules, &err) < 0 || demo_load(db_conn(db), &t, &n, &err) < 0) {
			rc = fail(&err);
			triage_ctx_cleanup(&t);
		}
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

static int cmd_rescore(const char *config_file)
{
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
		rc = rescore_all(pg, &t, &n, &err);
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

/* The roadmap of one view in one format on stdout: the same bytes
 * GET /roadmap/{view}?format= serves, so it can be published elsewhere. */
static int cmd_export(const char *config_file, int argc, char **argv)
{
	const char *vs = opt_value(argc, argv, "--view"), *fs = opt_value(argc, argv, "--format");
	enum view v;
	enum format f;
	if (!vs || view_from_name(vs, &v) < 0 || !fs || format_from_name(fs, &f) < 0 ||
	    (f == FMT_ATOM && v != VIEW_PUBLIC)) {
		fprintf(stderr, "usage: ideatriage export --view internal|customer|public "
				"--format json|csv|md|html|atom [--output FILE] (atom: public only)\n");
		return 2;
	}
	struct app app;
	struct db *db;
	struct err err = {0};
	if (open_db(&app, config_file, &db, &err) < 0)
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
	const char *path = opt_value(argc, argv, "--output");
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
	if (strcmp(cmd, "token") == 0)
		return cmd_token(config_file, argc - i - 1, argv + i + 1);
	if (strcmp(cmd, "import-sales") == 0) {
		if (i + 1 >= argc) {
			fprintf(stderr, "usage: ideatriage import-sales FILE.csv|FILE.json\n");
			return 2;
		}
		return cmd_import_sales(config_file, argv[i + 1]);
	}
	if (strcmp(cmd, "demo") == 0)
		return cmd_demo(config_file, opt_value(argc, argv, "--if-empty") ||
						     (argc > i + 1 && strcmp(argv[argc - 1], "--if-empty") == 0));
	if (strcmp(cmd, "rescore") == 0)
		return cmd_rescore(config_file);
	if (strcmp(cmd, "sync") == 0)
		return sync_cli(config_file, argc - i - 1, argv + i + 1);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(config_file, argc - i - 1, argv + i + 1);
	fprintf(stderr, "ideatriage: unknown command '%s'\n\n%s", cmd, usage);
	return 2;
}
