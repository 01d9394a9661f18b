/* Least privilege (issue 14): started as root, `serve` binds and starts its
 * embedded PostgreSQL, then drops to run.user for good before it reads a
 * request: no root uid or gid left, no supplementary groups, no_new_privs.
 * The other commands drop too. Runs only as root (CI does); skips otherwise. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

#define SECRET "privilege-secret"

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	cr_skip_test("runs only as root: it checks what serve drops from root");
	return false;
}

/* The value of "Key:" in /proc/pid/status (new), tabs turned to spaces. */
static char *status_line(pid_t pid, const char *key)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char *text = test_read_file(path);
	cr_assert(text, "cannot read %s", path);
	size_t kl = strlen(key);
	char *v = NULL;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strdup(line + kl + 1 + strspn(line + kl + 1, " \t"));
			break;
		}
	free(text);
	cr_assert(v, "no %s line in %s", key, path);
	for (char *p = v; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return v;
}

/* Uid: and Gid: carry real, effective, saved and filesystem ids. */
static void expect_ids(const char *line, unsigned want, const char *what)
{
	unsigned a, b, c, d;
	cr_assert_eq(sscanf(line, "%u %u %u %u", &a, &b, &c, &d), 4, "%s: %s", what, line);
	cr_expect(a == want && b == want && c == want && d == want, "%s: %s, want all %u", what,
	          line, want);
	cr_expect(a != 0 && b != 0 && c != 0 && d != 0, "%s: root left in %s", what, line);
}

/* The uid running a process whose command line holds both needles, or -1. */
static long uid_of_process_with(const char *a, const char *b)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long uid = -1;
	while (d && (e = readdir(d)) && uid < 0) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300], buf[4096];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[n] = '\0';
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%s", e->d_name);
		if (strstr(buf, a) && strstr(buf, b) && stat(path, &st) == 0)
			uid = st.st_uid;
	}
	if (d)
		closedir(d);
	return uid;
}

Test(privilege, serve_started_as_root_runs_as_the_run_user, .timeout = 180)
{
	if (!need_root())
		return;
	struct passwd *pw = getpwnam("ideatriage");
	cr_assert(pw, "the ideatriage user is missing (scripts/dev creates it)");
	unsigned uid = pw->pw_uid, gid = pw->pw_gid;
	char *dir = test_tmpdir("privilege-serve");
	struct tserver *s =
	    tserver_start(NULL, dir, "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}");

	char *u = status_line(s->pid, "Uid"), *g = status_line(s->pid, "Gid");
	char *groups = status_line(s->pid, "Groups"), *nnp = status_line(s->pid, "NoNewPrivs");
	expect_ids(u, uid, "Uid");
	expect_ids(g, gid, "Gid");
	cr_expect_str_eq(groups, "", "supplementary groups left: %s", groups);
	cr_expect_str_eq(nnp, "1", "no_new_privs is not set");
	free(u);
	free(g);
	free(groups);
	free(nnp);
	char *log = tserver_log(s);
	cr_expect(strstr(log, "dropped root privileges"), "the log says so:\n%s", log);
	free(log);

	/* and it works: the database over the cluster's socket, a POST written */
	char url[128];
	snprintf(url, sizeof(url), "%s/readyz", s->url);
	struct tresp *r = http_get(url);
	cr_expect_eq(r ? r->status : 0, 200);
	tresp_free(r);
	const char *ping = "{\"zen\": \"Keep it simple.\"}";
	r = send_webhook(s->url, SECRET, "ping", "priv-1", ping, strlen(ping));
	cr_expect_eq(r ? r->status : 0, 200, "%s", r ? r->body : "");
	tresp_free(r);
	char pgdir[1200];
	snprintf(pgdir, sizeof(pgdir), "%s/.ideatriage/pg", dir);
	cr_expect_eq(uid_of_process_with("postgres", pgdir), (long)uid,
	             "the embedded cluster runs as the same user");

	cr_expect_eq(tserver_stop(s, SIGTERM), 0, "stopped cleanly");
	cr_expect_eq(uid_of_process_with("postgres", pgdir), -1, "its cluster was stopped with it");
	free(dir);
}

Test(privilege, one_shot_commands_drop_too, .timeout = 180)
{
	if (!need_root())
		return;
	char *dir = test_tmpdir("privilege-cli");
	/* a file only root may write: a command still running as root could */
	char secret[1200];
	snprintf(secret, sizeof(secret), "%s/root-only", dir);
	cr_assert_eq(mkdir(secret, 0700), 0);
	char out_path[1300];
	snprintf(out_path, sizeof(out_path), "%s/roadmap.json", secret);
	const char *argv[] = {"export", "--view",   "public", "--format",
	                      "json",   "--output", out_path, NULL};
	char *out = NULL;
	int rc = run_cli(dir, NULL, argv, &out);
	cr_expect_neq(rc, 0, "export wrote into a folder only root may write:\n%s", out);
	cr_expect(out && strstr(out, "dropped root privileges"), "%s", out ? out : "");
	cr_expect(out && strstr(out, "Permission denied"), "%s", out ? out : "");
	free(out);
	free(dir);
}

Test(privilege, a_missing_run_user_is_named_with_the_command_that_creates_it, .timeout = 60)
{
	if (!need_root())
		return;
	char *dir = test_tmpdir("privilege-nouser");
	const char *env[] = {"IDEATRIAGE_USER=no-such-user-here", NULL};
	const char *argv[] = {"migrate", NULL};
	char *out = NULL;
	cr_expect_eq(run_cli(dir, env, argv, &out), 1);
	cr_expect(out && strstr(out, "no-such-user-here") && strstr(out, "useradd"), "%s",
	          out ? out : "");
	free(out);
	free(dir);
}
