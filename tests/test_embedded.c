/* The embedded PostgreSQL default: started and stopped by ideatriage itself,
 * robust to a killed owner, a stale pid file and missing binaries; and a
 * server that rides out its database going away. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/app/pgembed.h"
#include "support.h"

#define BINDIR "/usr/lib/postgresql/15/bin"

/* The "datadir" field of the server's embedded-PostgreSQL log line (new). */
static char *logged_datadir(const char *log)
{
	const char *p = log ? strstr(log, "\"datadir\":\"") : NULL;
	cr_assert(p, "no embedded PostgreSQL log line in:\n%s", log ? log : "");
	p += strlen("\"datadir\":\"");
	return strndup(p, strcspn(p, "\""));
}

/* True when some process runs with datadir on its command line. */
static bool postgres_running_in(const char *datadir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;
	while (d && (e = readdir(d)) && !found) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char buf[4096];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[n] = '\0';
		found = strstr(buf, "postgres") && strstr(buf, datadir);
	}
	if (d)
		closedir(d);
	return found;
}

static bool pidfile_exists(const char *datadir)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
	return access(path, F_OK) == 0;
}

Test(embedded, serve_without_database_url_owns_and_stops_its_postgres, .timeout = 180)
{
	char *dir = test_tmpdir("embedded-serve");
	struct tserver *s = tserver_start(NULL, dir, NULL);
	char url[128];
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	struct tresp *r = http_get(url);
	cr_expect_eq(r ? r->status : 0, 200);
	tresp_free(r);
	char *log = tserver_log(s);
	cr_expect(strstr(log, "no DATABASE_URL"), "one log line says the embedded cluster is used");
	char *datadir = logged_datadir(log);
	free(log);
	cr_expect(postgres_running_in(datadir));
	struct stat st;
	cr_expect_eq(stat(datadir, &st), 0);
	if (geteuid() == 0)
		cr_expect_neq(st.st_uid, 0u, "as root, PostgreSQL runs as the postgres user");

	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
	cr_expect_not(pidfile_exists(datadir), "postmaster.pid left behind");
	cr_expect_not(postgres_running_in(datadir), "a postgres process was left behind");
	free(datadir);
	free(dir);
}

Test(embedded, a_cluster_left_by_a_killed_owner_is_adopted_and_stopped, .timeout = 180)
{
	char *dir = test_tmpdir("embedded-killed");
	struct tserver *s = tserver_start(NULL, dir, NULL);
	char *log = tserver_log(s);
	char *datadir = logged_datadir(log);
	free(log);
	cr_expect_eq(tserver_stop(s, SIGKILL), 128 + SIGKILL);
	cr_expect(postgres_running_in(datadir), "SIGKILL cannot stop PostgreSQL");

	s = tserver_start(NULL, dir, NULL);
	log = tserver_log(s);
	cr_expect(strstr(log, "running the embedded PostgreSQL"), "%s", log);
	free(log);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
	cr_expect_not(postgres_running_in(datadir), "the adopted cluster was not stopped");
	free(datadir);
	free(dir);
}

Test(embedded, a_stale_pid_file_does_not_block_start, .timeout = 180)
{
	char *dir = test_tmpdir("embedded-stale");
	const char *argv[] = {"migrate", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(dir, NULL, argv, &out), 0, "%s", out);
	char *datadir = logged_datadir(out);
	free(out);
	cr_expect_not(pidfile_exists(datadir), "migrate stops the cluster it started");

	/* a pid file naming a live process that is not PostgreSQL (a reused pid) */
	char path[1200];
	snprintf(path, sizeof(path), "%s/postmaster.pid", datadir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fprintf(f, "%d\n%s\n", getpid(), datadir);
	fclose(f);
	cr_assert_eq(run_cli(dir, NULL, argv, &out), 0, "%s", out);
	cr_expect(strstr(out, "migrations: 0 applied"), "%s", out);
	free(out);
	cr_expect_not(postgres_running_in(datadir));
	free(datadir);
	free(dir);
}

Test(embedded, missing_server_binaries_name_the_package)
{
	char *dir = test_tmpdir("embedded-nobin");
	char cfg[1200];
	snprintf(cfg, sizeof(cfg), "%s/cfg.json", dir);
	FILE *f = fopen(cfg, "w");
	fputs("{\"embedded\": {\"pg_bindir\": \"/nonexistent/bin\"}}", f);
	fclose(f);
	const char *argv[] = {"--config", cfg, "migrate", NULL};
	char *out = NULL;
	cr_expect_eq(run_cli(dir, NULL, argv, &out), 1);
	cr_expect(out && strstr(out, "postgresql-15") && strstr(out, "/nonexistent/bin/initdb"),
		  "%s", out);
	free(out);
	free(dir);
}

Test(embedded, a_folder_postgres_cannot_reach_moves_the_cluster, .timeout = 180)
{
	if (geteuid() != 0)
		cr_skip_test("only meaningful as root");
	char *dir = test_tmpdir("embedded-private");
	char proj[1200];
	snprintf(proj, sizeof(proj), "%s/proj", dir);
	cr_assert_eq(mkdir(proj, 0755), 0);
	cr_assert_eq(chmod(dir, 0700), 0); /* like /root: postgres cannot enter */
	const char *argv[] = {"migrate", NULL};
	char *out = NULL;
	int rc = run_cli(proj, NULL, argv, &out);
	chmod(dir, 0755);
	cr_assert_eq(rc, 0, "%s", out);
	char *datadir = logged_datadir(out);
	cr_expect(strncmp(datadir, "/var/tmp/ideatriage-", 20) == 0, "datadir %s", datadir);
	cr_expect(strstr(out, datadir), "the log line says where the cluster lives");
	cr_expect_not(postgres_running_in(datadir));
	/* the fallback folder outlives the test run: leave nothing for the next */
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(datadir, '/') - datadir), datadir);
	cr_expect_eq(system(cmd), 0);
	free(out);
	free(datadir);
	free(dir);
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
	double deadline = test_now_ms() + timeout_ms;
	while (test_now_ms() < deadline) {
		if (status_of(url) == want)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

Test(embedded, readyz_follows_the_database_down_and_back_up, .timeout = 180)
{
	char *dir = test_tmpdir("embedded-flip");
	char pgdir[1200];
	snprintf(pgdir, sizeof(pgdir), "%s/pg", dir);
	struct pgembed_options opt = {.dir = pgdir, .bindir = BINDIR, .dbname = "flip"};
	struct err err = {0};
	struct pgembed *pg = pgembed_start(&opt, &err);
	cr_assert(pg, "%s", err.msg);
	struct tserver *s = tserver_start(pgembed_conninfo(pg), dir, NULL);
	char url[128];
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	cr_expect(wait_status(url, 200, 5000));

	cr_assert_eq(pgembed_stop(pg, &err), 0, "%s", err.msg);
	cr_expect(wait_status(url, 503, 10000), "readyz must turn 503 when the database stops");
	struct tresp *r = http_get(url);
	cr_expect(tresp_is_problem(r, 503));
	tresp_free(r);
	snprintf(url, sizeof(url), "%s/healthz", s->url);
	cr_expect_eq(status_of(url), 200, "the process itself stays up");

	pgembed_free(pg);
	pg = pgembed_start(&opt, &err);
	cr_assert(pg, "%s", err.msg);
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	double t0 = test_now_ms();
	cr_expect(wait_status(url, 200, 10000), "readyz must recover without a restart");
	/* every worker must reconnect: six 200s in a row within a few seconds (a
	 * worker retries its connection at most every 0.5 s, so one may still be
	 * waiting when the first 200 comes from another) */
	int in_a_row = 0;
	double until = test_now_ms() + 5000;
	while (in_a_row < 6 && test_now_ms() < until) {
		in_a_row = status_of(url) == 200 ? in_a_row + 1 : 0;
		if (in_a_row == 0)
			usleep(100 * 1000);
	}
	cr_expect_eq(in_a_row, 6, "a worker did not reconnect");
	cr_log_info("readyz recovered in %.0f ms", test_now_ms() - t0);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
	pgembed_free(pg);
	free(dir);
}
