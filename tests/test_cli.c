/* The command line is safe to poke (issue 16, point 1), proven with the real
 * binary: --help of any command prints its usage and does nothing else (no
 * config read, no database, no embedded cluster, no port); --version is
 * CMake's project version; unknown options, stray arguments and unknown
 * commands exit 2 naming the offender; demo refuses a database that holds
 * ideas unless forced. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "version.h"

/* What a run of the binary printed, each stream on its own. */
struct run {
	int status;  /* exit status; -1 when it was still running at the deadline */
	bool port_open; /* the listen port accepted a connection at the deadline */
	char *out, *err;
};

static const char *const commands[] = {"serve",  "migrate", "sync",  "import-sales", "config",
                                       "export", "rescore", "token", "demo",
                                       NULL};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* In a forked child: becomes ideatriage with argv, env ("K=V", NULL-ended,
 * may be NULL) added to the environment and no DATABASE_URL but env's. */
__attribute__((noreturn)) static void exec_ideatriage(const char *const *env,
						     const char *const *argv)
{
	unsetenv("DATABASE_URL");
	/* copies: putenv and execv take char *; the exec drops them */
	for (int i = 0; env && env[i]; i++)
		putenv(strdup(env[i]));
	char *args[32] = {strdup(IDEATRIAGE_BIN)};
	for (int i = 0; argv[i] && i < 30; i++)
		args[i + 1] = strdup(argv[i]);
	execv(IDEATRIAGE_BIN, args);
	_exit(127);
}

/* Runs ideatriage with argv in cwd (NULL: here) with env ("K=V", NULL-ended,
 * may be NULL); IDEATRIAGE_LISTEN is set to a free port so a server started
 * by mistake can be seen. A run still going after deadline_s is checked for
 * that port, then stopped (SIGTERM) and counted as status -1. */
static struct run run_split(const char *cwd, const char *const *env, const char *const *argv,
                            int deadline_s)
{
	static int seq;
	char out[300], err[300], listen_env[64];
	snprintf(out, sizeof(out), "%s/cli-%d-%d.stdout", TEST_TMP, getpid(), seq);
	snprintf(err, sizeof(err), "%s/cli-%d-%d.stderr", TEST_TMP, getpid(), seq++);
	mkdir(TEST_TMP, 0755);
	int port = test_free_port();
	snprintf(listen_env, sizeof(listen_env), "IDEATRIAGE_LISTEN=127.0.0.1:%d", port);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || (cwd && chdir(cwd) < 0))
			_exit(126);
		dup2(o, 1);
		dup2(e, 2);
		closefrom(3);
		putenv(listen_env);
		exec_ideatriage(env, argv);
	}
	struct run r = {.status = -1};
	int st;
	double end = test_now_ms() + deadline_s * 1000.0;
	pid_t done;
	while ((done = waitpid(pid, &st, WNOHANG)) == 0 && test_now_ms() < end)
		usleep(20 * 1000);
	if (done == 0) {
		int fd = tcp_connect(port);
		r.port_open = fd >= 0;
		if (fd >= 0)
			close(fd);
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	} else {
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	r.out = test_read_file(out);
	r.err = test_read_file(err);
	cr_assert(r.out && r.err);
	if (expect_no_sanitizer_report(out))
		unlink(out);
	if (expect_no_sanitizer_report(err))
		unlink(err);
	return r;
}

static bool exists(const char *dir, const char *name)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

Test(cli, serve_help_starts_nothing, .timeout = 60)
{
	char *dir = test_tmpdir("cli-serve-help");
	const char *argv[] = {"serve", "--help", NULL};
	double t0 = test_now_ms();
	struct run r = run_split(dir, NULL, argv, 10);
	cr_expect_eq(r.status, 0, "serve --help exits 0 (-1: still running after 10 s)\n%s", r.err);
	cr_expect_lt(test_now_ms() - t0, 5000, "and at once");
	cr_expect_not(r.port_open, "serve --help opened its port");
	cr_expect_not(exists(dir, ".ideatriage"), "serve --help made an embedded cluster");
	cr_expect(strstr(r.out, "usage: ideatriage") && strstr(r.out, "serve"), "%s", r.out);
	run_free(&r);
	free(dir);
}

/* Every command's help, asked for every way, in an empty folder with a
 * config file that does not exist: had anything been loaded or started, the
 * config would have failed it or .ideatriage/ would be there. */
Test(cli, every_command_help_prints_usage_and_does_nothing, .timeout = 120)
{
	char *dir = test_tmpdir("cli-help");
	for (int i = 0; commands[i]; i++) {
		const char *c = commands[i];
		const char *forms[][6] = {
		    {"help", c, NULL},
		    {c, "--help", NULL},
		    {c, "-h", NULL},
		    {"--config", "/nonexistent/ideatriage.json", c, "--bogus", "--help", NULL},
		    {c, "stray", "argument", "--help", NULL},
		};
		for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			struct run r = run_split(dir, NULL, forms[f], 10);
			cr_expect_eq(r.status, 0, "%s form %zu: exit %d\n%s", c, f, r.status, r.err);
			cr_expect(strstr(r.out, "usage: ideatriage [--config FILE] ") &&
			              strstr(r.out, c),
			          "%s form %zu: the usage on stdout:\n%s", c, f, r.out);
			cr_expect_eq(r.err[0], '\0', "%s form %zu: nothing on stderr:\n%s", c, f,
			             r.err);
			run_free(&r);
		}
	}
	cr_expect_not(exists(dir, ".ideatriage"), "a --help started an embedded cluster");
	free(dir);
}

Test(cli, top_level_help_lists_every_command_and_the_exit_codes)
{
	const char *const forms[][2] = {{"help", NULL}, {"--help", NULL}, {"-h", NULL}};
	for (size_t f = 0; f < 3; f++) {
		struct run r = run_split(NULL, NULL, forms[f], 10);
		cr_expect_eq(r.status, 0);
		for (int i = 0; commands[i]; i++)
			cr_expect(strstr(r.out, commands[i]), "%s is listed", commands[i]);
		cr_expect(strstr(r.out, "exit status:") && strstr(r.out, "  0  success") &&
		              strstr(r.out, "  1  failure") && strstr(r.out, "  2  usage") &&
		              strstr(r.out, "  3  import-sales"),
		          "the exit codes are documented:\n%s", r.out);
		run_free(&r);
	}
}

/* The version in the top-level CMakeLists.txt's project(), read here. */
static char *cmake_version(void)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/../CMakeLists.txt", TEST_SOURCE_DIR);
	char *text = test_read_file(path);
	cr_assert(text);
	const char *p = strstr(text, "project(ideatriage VERSION ");
	cr_assert(p, "no project(ideatriage VERSION ...) in %s", path);
	p += strlen("project(ideatriage VERSION ");
	char *v = strndup(p, strcspn(p, " )"));
	free(text);
	return v;
}

Test(cli, version_is_the_cmake_project_version_and_the_user_agent_says_it)
{
	char *v = cmake_version(), want[100];
	snprintf(want, sizeof(want), "ideatriage %s\n", v);
	const char *const forms[][2] = {{"--version", NULL}, {"-V", NULL}};
	for (size_t f = 0; f < 2; f++) {
		struct run r = run_split(NULL, NULL, forms[f], 10);
		cr_expect_eq(r.status, 0);
		cr_expect_str_eq(r.out, want);
		run_free(&r);
	}
	char ua[100];
	snprintf(ua, sizeof(ua), "ideatriage/%s ", v);
	cr_expect_eq(strncmp(IDEATRIAGE_USER_AGENT, ua, strlen(ua)), 0, "%s",
	             IDEATRIAGE_USER_AGENT);
	free(v);
}

/* A usage error: exit 2, the offender named on stderr's first line, the
 * usage after it, nothing on stdout, nothing started. */
static void expect_usage_error(const char *const *argv, const char *offender, const char *usage)
{
	char *dir = test_tmpdir("cli-usage");
	struct run r = run_split(dir, NULL, argv, 10);
	cr_expect_eq(r.status, 2, "%s: exit %d\n%s", argv[0], r.status, r.err);
	size_t first = strcspn(r.err, "\n");
	cr_expect(strstr(r.err, offender) && (size_t)(strstr(r.err, offender) - r.err) < first,
	          "the first line names '%s':\n%s", offender, r.err);
	cr_expect(strstr(r.err, usage), "then the usage (%s):\n%s", usage, r.err);
	cr_expect_eq(r.out[0], '\0', "nothing on stdout:\n%s", r.out);
	cr_expect_not(r.port_open);
	cr_expect_not(exists(dir, ".ideatriage"), "a usage error started an embedded cluster");
	run_free(&r);
	free(dir);
}

Test(cli, unknown_options_and_stray_arguments_exit_2, .timeout = 120)
{
	const char *serve[] = {"serve", "--bogus", NULL};
	expect_usage_error(serve, "'--bogus'", "usage: ideatriage [--config FILE] serve");
	const char *rescore[] = {"rescore", "extra", NULL};
	expect_usage_error(rescore, "'extra'", "usage: ideatriage [--config FILE] rescore");
	const char *migrate[] = {"migrate", "--force", NULL};
	expect_usage_error(migrate, "'--force'", "usage: ideatriage [--config FILE] migrate");
	const char *flag_value[] = {"demo", "--force=yes", NULL};
	expect_usage_error(flag_value, "'--force'", "demo [--if-empty|--force]");
	const char *export[] = {"export", "--view", "public", "--format", "json", "more", NULL};
	expect_usage_error(export, "'more'", "export --view V --format F");
	const char *no_value[] = {"export", "--view", NULL};
	expect_usage_error(no_value, "'--view'", "export --view V --format F");
	const char *token[] = {"token", "revoke", "abc", NULL};
	expect_usage_error(token, "'abc'", "token revoke ID");
	const char *sync[] = {"sync", "nosuch", NULL};
	expect_usage_error(sync, "'nosuch'", "sync NAME|--all");
	const char *import[] = {"import-sales", NULL};
	expect_usage_error(import, "missing", "import-sales FILE.csv|FILE.json");
	const char *top[] = {"--bogus", "serve", NULL};
	expect_usage_error(top, "'--bogus'", "commands:");
}

Test(cli, an_unknown_command_exits_2_with_the_list_of_commands)
{
	const char *argv[] = {"frobnicate", NULL};
	expect_usage_error(argv, "'frobnicate'", "commands:");
	struct run r = run_split(NULL, NULL, argv, 10);
	for (int i = 0; commands[i]; i++)
		cr_expect(strstr(r.err, commands[i]), "%s is listed", commands[i]);
	run_free(&r);
	const char *help[] = {"help", "frobnicate", NULL};
	expect_usage_error(help, "'frobnicate'", "commands:");
}

/* The database tests: one database of their own, its schema migrated. */
static char *conninfo;
static PGconn *pg;
static char db_env[2100];

static void db_start(void)
{
	conninfo = testdb_create("cli");
	pg = testdb_connect(conninfo);
	snprintf(db_env, sizeof(db_env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {db_env, NULL};
	const char *argv[] = {"migrate", NULL};
	cr_assert_eq(run_cli(NULL, envs, argv, NULL), 0);
}

static void db_stop(void)
{
	PQfinish(pg);
	free(conninfo);
}

TestSuite(cli_db, .init = db_start, .fini = db_stop, .timeout = 300);

Test(cli_db, demo_help_loads_nothing)
{
	const char *envs[] = {db_env, NULL};
	const char *const forms[][4] = {{"demo", "--help", NULL}, {"demo", "--force", "-h", NULL}};
	for (size_t f = 0; f < 2; f++) {
		struct run r = run_split(NULL, envs, forms[f], 60);
		cr_expect_eq(r.status, 0, "%s", r.err);
		cr_expect(strstr(r.out, "usage: ideatriage"), "%s", r.out);
		run_free(&r);
	}
	cr_expect_eq(testdb_count(pg, "mentions"), 0, "demo --help loaded data");
	cr_expect_eq(testdb_count(pg, "ideas"), 0, "demo --help loaded data");
}

/* One sales note, so the database holds a real (not demo) idea. */
static void import_one_note(void)
{
	char *dir = test_tmpdir("cli-note");
	char path[1200];
	snprintf(path, sizeof(path), "%s/note.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs("account,arr,contact,note,date\n"
	      "Northwind Logistics,240000,Dana,Wants per-app exit nodes,2026-05-14\n",
	      f);
	fclose(f);
	const char *envs[] = {db_env, NULL};
	const char *argv[] = {"import-sales", path, NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envs, argv, &out), 0, "%s", out ? out : "");
	free(out);
	free(dir);
}

Test(cli_db, demo_refuses_a_database_with_ideas_unless_forced)
{
	import_one_note();
	long ideas = testdb_count(pg, "ideas"), mentions = testdb_count(pg, "mentions");
	cr_assert_gt(ideas, 0);
	const char *envs[] = {db_env, NULL};
	const char *plain[] = {"demo", NULL};
	struct run r = run_split(NULL, envs, plain, 120);
	cr_expect_eq(r.status, 1, "demo on a database with ideas is refused: exit %d\n%s%s",
	             r.status, r.out, r.err);
	cr_expect(strstr(r.err, "already holds") && strstr(r.err, "--force"),
	          "it says why and how to override:\n%s", r.err);
	run_free(&r);
	cr_expect_eq(testdb_count(pg, "mentions"), mentions, "a refused demo loaded data");

	const char *if_empty[] = {"demo", "--if-empty", NULL};
	r = run_split(NULL, envs, if_empty, 120);
	cr_expect_eq(r.status, 0, "--if-empty succeeds (scripts/dev run): %s", r.err);
	cr_expect(strstr(r.out, "nothing loaded"), "%s", r.out);
	run_free(&r);
	cr_expect_eq(testdb_count(pg, "mentions"), mentions, "--if-empty loaded data");

	const char *both[] = {"demo", "--if-empty", "--force", NULL};
	r = run_split(NULL, envs, both, 120);
	cr_expect_eq(r.status, 2, "--if-empty with --force is a usage error");
	run_free(&r);

	const char *force[] = {"demo", "--force", NULL};
	r = run_split(NULL, envs, force, 240);
	cr_expect_eq(r.status, 0, "--force loads: %s", r.err);
	run_free(&r);
	cr_expect_gt(testdb_count(pg, "mentions"), mentions + 500, "--force loaded the demo set");
}

Test(cli_db, demo_loads_into_an_empty_database)
{
	const char *envs[] = {db_env, NULL};
	const char *argv[] = {"demo", NULL};
	struct run r = run_split(NULL, envs, argv, 240);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "ideas"), "%s", r.out);
	cr_expect(!strchr(r.err, '\r'), "no progress bar into a file:\n%s", r.err);
	run_free(&r);
	cr_expect_gt(testdb_count(pg, "ideas"), 100);
}

/* Runs ideatriage with argv on a pseudo-terminal, as from an operator's
 * shell (stdin, stdout and stderr all the terminal), with env as run_split
 * takes it. Returns all it wrote (caller frees); *status its exit status,
 * -1 when still running after deadline_s (then killed). */
static char *run_tty(const char *const *env, const char *const *argv, int deadline_s,
		     int *status)
{
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
	if (pid == 0)
		exec_ideatriage(env, argv);
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	double end = test_now_ms() + deadline_s * 1000.0;
	for (;;) {
		struct pollfd p = {.fd = master, .events = POLLIN};
		if (test_now_ms() > end || poll(&p, 1, 200) < 0)
			break;
		if (!p.revents)
			continue;
		ssize_t n = read(master, buf + len, cap - len - 1);
		if (n <= 0) /* EIO: the child closed the terminal */
			break;
		len += (size_t)n;
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	close(master);
	int st;
	pid_t done; /* the terminal closes just before the process ends */
	while ((done = waitpid(pid, &st, WNOHANG)) == 0 && test_now_ms() < end)
		usleep(10 * 1000);
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		*status = -1;
	} else {
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	return buf;
}

/* Long commands say how far they are on a terminal, like sync and
 * import-sales do (issue 16, point 7): a bar redrawn in place, ending at
 * 100%. */
Test(cli_db, demo_and_rescore_show_progress_on_a_terminal)
{
	const char *envs[] = {db_env, NULL};
	const char *demo[] = {"demo", NULL};
	int status;
	char *out = run_tty(envs, demo, 240, &status);
	cr_expect_eq(status, 0, "%s", out);
	cr_expect(strstr(out, "\r[") && strstr(out, "100%"), "demo draws a progress bar:\n%s",
		  out);
	free(out);

	const char *rescore[] = {"rescore", NULL};
	out = run_tty(envs, rescore, 240, &status);
	cr_expect_eq(status, 0, "%s", out);
	cr_expect(strstr(out, "\r[") && strstr(out, "100%"), "rescore draws a progress bar:\n%s",
		  out);
	cr_expect(strstr(out, "rescored"), "%s", out);
	free(out);
}
