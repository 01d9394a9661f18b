/* The web pages in a real browser: Debian's chromium, headless, driven by
 * playwright-core (tests/browser/flow.mjs) against a real server on a fresh
 * database. An employee submits the form, a triager finds the idea on the
 * board, is refused publishing it without a public title, then marks it
 * planned and public; a stranger sees it in the public roadmap's Next column
 * and none of the employee's private text. Screenshots are kept under
 * TEST_TMP/browser/ as artifacts.
 *
 * scripts/dev test installs chromium, node and the npm dependencies; when any
 * is missing this test fails (it never skips). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define CHROMIUM "/usr/bin/chromium"
#define FLOW TEST_SOURCE_DIR "/browser/flow.mjs"
#define NODE_MODULES TEST_SOURCE_DIR "/browser/node_modules/playwright-core/package.json"
#define FLOW_TIMEOUT_S 150

/* The first executable called name on PATH (new), or NULL. */
static char *on_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin"), *save = NULL;
	char *found = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char full[1024];
		snprintf(full, sizeof(full), "%s/%s", *d ? d : ".", name);
		if (access(full, X_OK) == 0)
			found = strdup(full);
	}
	free(copy);
	return found;
}

/* Runs argv with stdout and stderr going to ours (so ctest shows the flow's
 * log); kills it after timeout_s. Returns its exit status, 128+signal when
 * killed. */
static int run_flow(char *const argv[], int timeout_s)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0); /* node and chromium in one group, killed together */
		if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(126);
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	double deadline = test_now_ms() + timeout_s * 1000.0;
	int st = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			cr_assert_fail("waitpid: %s", strerror(errno));
		if (test_now_ms() > deadline) {
			fprintf(stderr, "test_browser: the flow ran over %d s, killing it\n", timeout_s);
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 128 + SIGKILL;
		}
		usleep(100 * 1000);
	}
	if (WIFSIGNALED(st)) {
		kill(-pid, SIGKILL); /* a browser left behind */
		return 128 + WTERMSIG(st);
	}
	kill(-pid, SIGKILL);
	return WEXITSTATUS(st);
}

Test(browser, an_employee_idea_goes_from_the_form_to_the_public_roadmap, .timeout = 240)
{
	/* what scripts/dev test installs: missing means a broken set-up, not a skip */
	cr_assert(access(CHROMIUM, X_OK) == 0,
		  CHROMIUM " is missing: install Debian's chromium (scripts/dev test does)");
	char *node = on_path("node");
	cr_assert(node, "node is not on PATH: install nodejs (scripts/dev test does)");
	cr_assert(access(NODE_MODULES, R_OK) == 0,
		  "playwright-core is not installed in tests/browser: run `npm ci` there "
		  "(scripts/dev test does)");

	char *conninfo = testdb_create("browser");
	/* the demo's set-up (scripts/dev run): the form takes a typed name */
	struct tserver *srv = tserver_start(conninfo, NULL, "{\"auth\": {\"demo_form_identity\": true}}");
	char *token = test_token(conninfo, "triager", "browser-triager");
	char *outdir = test_tmpdir("browser");

	char *const argv[] = {node, (char *)FLOW, srv->url, token, outdir, NULL};
	int rc = run_flow(argv, FLOW_TIMEOUT_S);
	if (rc != 0) {
		char *log = tserver_log(srv);
		size_t n = log ? strlen(log) : 0;
		/* the server's last lines, to tell a page's fault from the browser's */
		cr_log_error("server log (tail):\n%s", log ? log + (n > 4000 ? n - 4000 : 0) : "");
		free(log);
	}
	cr_expect_eq(rc, 0, "the browser flow failed (exit %d); its log is above", rc);

	static const char *const shots[] = {"01-thanks.png", "02-board.png", "03-idea.png",
					    "04-public-roadmap.png", "05-public-phone.png"};
	for (size_t i = 0; i < sizeof(shots) / sizeof(shots[0]); i++) {
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", outdir, shots[i]);
		struct stat st;
		if (stat(path, &st) != 0) {
			cr_expect_fail("screenshot %s is missing", path);
			continue;
		}
		/* a blank 1280x900 PNG is a few kB; any real page is far more */
		cr_expect_gt(st.st_size, 8000, "screenshot %s is only %lld bytes", path,
			     (long long)st.st_size);
	}
	printf("test_browser: screenshots in %s\n", outdir);
	fflush(stdout);

	tserver_stop(srv, SIGTERM);
	free(token);
	free(outdir);
	free(conninfo);
	free(node);
}
