/* The embedded PostgreSQL killed under a running `serve` (issue 14): serve
 * notices, says so in its log, and restarts it with backoff, so /readyz and
 * writes come back; when it cannot (restart_attempts spent), it exits
 * non-zero for a supervisor instead of running on with a dead cluster whose
 * lock it holds. Either way the next `serve` starts cleanly on the folder. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#define SECRET "restart-secret"

/* The "datadir" field of the server's embedded-PostgreSQL log line (new). */
static char *logged_datadir(const struct tserver *s)
{
	char *log = tserver_log(s);
	const char *p = log ? strstr(log, "\"datadir\":\"") : NULL;
	cr_assert(p, "no embedded PostgreSQL log line in:\n%s", log ? log : "");
	p += strlen("\"datadir\":\"");
	char *d = strndup(p, strcspn(p, "\""));
	free(log);
	return d;
}

static pid_t postmaster_of(const char *datadir)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
	char *text = test_read_file(path);
	pid_t pid = text ? (pid_t)atol(text) : 0;
	free(text);
	return pid;
}

static long status_of(const char *url)
{
	struct tresp *r = http_get(url);
	long st = r ? r->status : 0;
	tresp_free(r);
	return st;
}

static bool wait_status(const char *url, long want, int timeout_ms)
{
	for (double end = test_now_ms() + timeout_ms; test_now_ms() < end; usleep(100 * 1000))
		if (status_of(url) == want)
			return true;
	return false;
}

static long ping(const struct tserver *s, const char *delivery)
{
	const char *body = "{\"zen\": \"Design for failure.\"}";
	struct tresp *r = send_webhook(s->url, SECRET, "ping", delivery, body, strlen(body));
	long st = r ? r->status : 0;
	tresp_free(r);
	return st;
}

static const char *config = "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}";

/* The next serve on the same folder starts, answers and stops cleanly. */
static void next_serve_starts_cleanly(const char *dir)
{
	struct tserver *s = tserver_start(NULL, dir, config);
	char url[128];
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	cr_expect(wait_status(url, 200, 20000), "the next serve is ready");
	cr_expect_eq(ping(s, "next-1"), 200);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

Test(pg_restart, a_killed_cluster_is_restarted_and_serve_recovers, .timeout = 240)
{
	char *dir = test_tmpdir("pg-restart");
	struct tserver *s = tserver_start(NULL, dir, config);
	char url[128];
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	cr_assert(wait_status(url, 200, 20000));
	char *datadir = logged_datadir(s);
	pid_t pm = postmaster_of(datadir);
	cr_assert_gt(pm, 0);
	cr_assert_eq(kill(pm, SIGKILL), 0);
	double t0 = test_now_ms();
	/* the backoff starts at 1 s; the old backends must first notice their
	 * postmaster is gone and let go of its shared memory */
	pid_t again = pm;
	for (int i = 0; i < 600 && (again == pm || again <= 0 || kill(again, 0) < 0);
	     i++, usleep(100 * 1000))
		again = postmaster_of(datadir);
	cr_expect(again > 0 && again != pm, "no new postmaster (%d, was %d)", (int)again, (int)pm);
	cr_expect(wait_status(url, 200, 20000), "readyz did not come back");
	cr_log_info("ready again %.0f ms after the SIGKILL", test_now_ms() - t0);
	bool written = false;
	for (int i = 0; i < 100 && !written; i++, usleep(100 * 1000))
		written = ping(s, "after-restart") == 200;
	cr_expect(written, "a POST works again");
	char *log = tserver_log(s);
	cr_expect(strstr(log, "the embedded PostgreSQL died"), "the log says it died");
	cr_expect(strstr(log, "the embedded PostgreSQL was restarted"), "and that it came back");
	free(log);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0, "a clean stop after the restart");
	next_serve_starts_cleanly(dir);
	free(datadir);
	free(dir);
}

Test(pg_restart, with_no_restarts_allowed_serve_exits_non_zero_and_says_why, .timeout = 240)
{
	char *dir = test_tmpdir("pg-giveup");
	struct tserver *s = tserver_start(NULL, dir,
	                                  "{\"github\": {\"webhook_secret\": \"" SECRET
	                                  "\"}, \"embedded\": {\"restart_attempts\": 0}}");
	char *datadir = logged_datadir(s);
	pid_t pm = postmaster_of(datadir);
	cr_assert_gt(pm, 0);
	cr_assert_eq(kill(pm, SIGKILL), 0);
	int status = 0;
	pid_t done = 0;
	for (int i = 0; i < 300 && done != s->pid; i++, usleep(100 * 1000))
		done = waitpid(s->pid, &status, WNOHANG);
	if (done != s->pid) { /* never leave it running past the test */
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		cr_assert_fail("serve kept running with a dead cluster it owns");
	}
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) != 0, "exit status %d", status);
	char *log = tserver_log(s);
	cr_expect(strstr(log, "exits non-zero so a supervisor can restart it"), "%s", log);
	free(log);
	expect_no_sanitizer_report(s->log);
	free(s);
	next_serve_starts_cleanly(dir);
	free(datadir);
	free(dir);
}
