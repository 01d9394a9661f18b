/* Smaller findings of the security audit (issue 14), each against real
 * processes: a webhook header that is not plain text, a statement stuck on a
 * lock, symlinks planted where the sales inbox moves its files, and a folder
 * planted where the embedded cluster falls back to in /var/tmp. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/app/pgembed.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"
#include "support.h"
#include "triage/text.h"

#define SECRET "hardening-secret"
#define BINDIR "/usr/lib/postgresql/15/bin"

static char *conninfo;
static PGconn *pg;

static void start(void)
{
	conninfo = testdb_create("hardening");
	char env[2200];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envv[] = {env, NULL}, *argv[] = {"migrate", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(NULL, envv, argv, &out), 0, "migrate: %s", out ? out : "");
	free(out);
	pg = testdb_connect(conninfo);
}

static void stop(void)
{
	PQfinish(pg);
	free(conninfo);
}

TestSuite(hardening, .init = start, .fini = stop, .timeout = 120);

/* ---- the webhook's headers ---- */

Test(hardening, webhook_headers_that_are_not_plain_text_get_400_not_503)
{
	struct tserver *s =
	    tserver_start(conninfo, NULL, "{\"github\": {\"webhook_secret\": \"" SECRET "\"}}");
	const char *events[] = {"iss\xff\xfeues", "issues\x01", "is sues",
	                        "\xc3\xa9v\xc3\xa9nement", NULL};
	for (int i = 0; events[i]; i++) {
		struct tresp *r = send_webhook(s->url, SECRET, events[i], "h-1", "{}", 2);
		cr_expect(tresp_is_problem(r, 400), "event #%d: %ld %s", i, r ? r->status : 0,
		          r ? r->body : "");
		cr_expect(r && strstr(r->body, "X-GitHub-Event"), "names the header");
		tresp_free(r);
	}
	const char *deliveries[] = {"d\xff-1", "d\x7f", "d 1", NULL};
	for (int i = 0; deliveries[i]; i++) {
		struct tresp *r = send_webhook(s->url, SECRET, "ping", deliveries[i], "{}", 2);
		cr_expect(tresp_is_problem(r, 400), "delivery #%d: %ld", i, r ? r->status : 0);
		tresp_free(r);
	}
	struct tresp *r = send_webhook(s->url, SECRET, "ping", "d-ok", "{}", 2);
	cr_expect_eq(r ? r->status : 0, 200, "a plain delivery still works");
	tresp_free(r);
	cr_expect_eq(testdb_count(pg, "webhook_deliveries"), 1);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

/* ---- statement_timeout ---- */

Test(hardening, a_statement_stuck_on_a_lock_is_cut_and_answered_503)
{
	struct tserver *s =
	    tserver_start(conninfo, NULL,
	                  "{\"database\": {\"statement_timeout_ms\": 1500, \"lock_timeout_ms\": 0},"
	                  " \"http\": {\"public_cache_ms\": 0}}");
	char url[200];
	snprintf(url, sizeof(url), "%s/api/v1/backlog?view=public", s->url);
	struct tresp *r = http_get(url);
	cr_assert_eq(r ? r->status : 0, 200, "before the lock");
	tresp_free(r);
	/* another session holds every idea: the server's read waits on it */
	PGconn *locker = testdb_connect(conninfo);
	PQclear(PQexec(locker, "BEGIN; LOCK TABLE ideas IN ACCESS EXCLUSIVE MODE"));
	double t0 = test_now_ms();
	r = http_get(url);
	double took = test_now_ms() - t0;
	cr_expect(r, "no answer at all: the request hung (%.0f ms)", took);
	cr_expect(r && (r->status == 503 || r->status == 500), "status %ld", r ? r->status : 0);
	cr_expect(r && r->headers && strstr(r->headers, "application/problem+json"), "a problem");
	cr_log_info("cut after %.0f ms", took);
	tresp_free(r);
	PQclear(PQexec(locker, "ROLLBACK"));
	PQfinish(locker);
	r = http_get(url);
	cr_expect_eq(r ? r->status : 0, 200, "after the lock, the same connection works again");
	tresp_free(r);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

/* ---- the sales inbox ---- */

static struct triage_rules *rules;

static int inbox_sync(const char *inbox)
{
	struct err err = {0};
	if (!rules)
		rules = triage_rules_load(NULL, &err);
	cr_assert(rules, "%s", err.msg);
	struct triage_ctx t;
	cr_assert_eq(triage_ctx_init(&t, rules, &err), 0, "%s", err.msg);
	struct connector_config cc = {.sales_inbox_dir = inbox, .sales_settle_s = 0};
	struct connector *c = connector_new("sales", &cc, &err);
	cr_assert(c, "%s", err.msg);
	struct sync_options o = {.force = true, .interval_s = 600, .reconcile_interval_s = 3600};
	struct sync_result res;
	int rc = sync_run(pg, &t, c, &o, &res);
	connector_free(c);
	triage_ctx_cleanup(&t);
	return rc;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
	struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};
	utimensat(AT_FDCWD, path, old, 0);
}

static bool exists_in(const char *dir, const char *name)
{
	char path[1200];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* one good row, one rejected (so an .errors file is written) */
static const char *notes =
    "account,arr,contact,note,date\n"
    "Northwind,240k,Dana (AE),Per-app exit nodes are a renewal blocker,2026-05-14\n"
    "Broken Row,12000,Someone\n";

Test(hardening, a_symlinked_processed_folder_is_refused)
{
	char *inbox = test_tmpdir("inbox-link"), *victim = test_tmpdir("inbox-link-victim");
	char link[1200];
	snprintf(link, sizeof(link), "%s/processed", inbox);
	cr_assert_eq(symlink(victim, link), 0);
	put(inbox, "notes.csv", notes);
	cr_expect_eq(inbox_sync(inbox), 0, "the notes are committed; only the move is refused");
	cr_expect_eq(entries(victim), 0, "nothing was moved or written through the symlink");
	cr_expect(exists_in(inbox, "notes.csv"), "the file stays in the inbox");
	free(inbox);
	free(victim);
}

Test(hardening, a_symlink_planted_for_the_errors_file_is_not_followed)
{
	char *inbox = test_tmpdir("inbox-errs"), *victim = test_tmpdir("inbox-errs-victim");
	char processed[1200], target[1200], link[1300];
	snprintf(processed, sizeof(processed), "%s/processed", inbox);
	cr_assert_eq(mkdir(processed, 0750), 0);
	snprintf(target, sizeof(target), "%s/precious", victim);
	FILE *f = fopen(target, "w");
	fputs("keep me\n", f);
	fclose(f);
	snprintf(link, sizeof(link), "%s/notes.csv.errors", processed);
	cr_assert_eq(symlink(target, link), 0);
	put(inbox, "notes.csv", notes);
	cr_expect_eq(inbox_sync(inbox), 0);
	char *text = test_read_file(target);
	cr_expect_str_eq(text, "keep me\n", "the file behind the symlink was overwritten");
	free(text);
	free(inbox);
	free(victim);
}

Test(hardening, a_processed_folder_of_another_user_is_refused)
{
	if (geteuid() != 0) {
		cr_skip_test("needs root to give a folder to another user");
		return;
	}
	char *inbox = test_tmpdir("inbox-owner");
	char processed[1200];
	snprintf(processed, sizeof(processed), "%s/processed", inbox);
	cr_assert_eq(mkdir(processed, 0777), 0);
	struct passwd *nobody = getpwnam("nobody");
	cr_assert(nobody);
	cr_assert_eq(chown(processed, nobody->pw_uid, nobody->pw_gid), 0);
	put(inbox, "notes.csv", notes);
	cr_expect_eq(inbox_sync(inbox), 0);
	cr_expect_eq(entries(processed), 0, "nothing moved into a folder someone else controls");
	cr_expect(exists_in(inbox, "notes.csv"));
	free(inbox);
}

/* ---- the embedded cluster's fallback folder ---- */

Test(hardening, a_symlink_planted_at_the_var_tmp_fallback_is_refused, .timeout = 120)
{
	if (geteuid() != 0) {
		cr_skip_test("the fallback folder is used only when root runs the cluster");
		return;
	}
	char *dir = test_tmpdir("fallback-planted");
	cr_assert_eq(chmod(dir, 0700), 0); /* like /root: the server user cannot enter */
	char pgdir[1200];
	snprintf(pgdir, sizeof(pgdir), "%s/pg", dir);
	/* where the cluster would fall back to: planted first by "another user" */
	char base[200];
	snprintf(base, sizeof(base), "/var/tmp/ideatriage-%s-%012llx", PGEMBED_USER,
	         (unsigned long long)(text_hash(pgdir) & 0xffffffffffffULL));
	char *victim = test_tmpdir("fallback-victim");
	chmod(victim, 0755);
	char rm[300];
	snprintf(rm, sizeof(rm), "rm -rf '%s'", base); /* left by an earlier run */
	cr_assert_eq(system(rm), 0);
	cr_assert_eq(symlink(victim, base), 0, "%s", base);
	struct pgembed_options opt = {.dir = pgdir, .bindir = BINDIR, .dbname = "planted"};
	struct err err = {0};
	struct pgembed *p = pgembed_start(&opt, &err);
	cr_expect_null(p, "a planted symlink must not be used");
	cr_expect(strstr(err.msg, "symlink"), "%s", err.msg);
	struct stat st;
	cr_expect_eq(stat(victim, &st), 0);
	cr_expect_eq(st.st_uid, 0u, "the symlink's target was given away");
	cr_expect_eq(st.st_mode & 07777, 0755u, "the symlink's target was chmodded");
	cr_expect_eq(entries(victim), 0, "something was created through the symlink");
	pgembed_free(p);
	unlink(base);
	/* a real folder of another user's there is refused too */
	cr_assert_eq(mkdir(base, 0777), 0);
	struct passwd *nobody = getpwnam("nobody");
	cr_assert_eq(chown(base, nobody->pw_uid, nobody->pw_gid), 0);
	p = pgembed_start(&opt, &err);
	cr_expect_null(p);
	cr_expect(strstr(err.msg, "belongs to uid"), "%s", err.msg);
	pgembed_free(p);
	cr_expect_eq(system(rm), 0);
	free(victim);
	free(dir);
}
