/* serve's SIGHUP (issue 16 point 3), against the real server: the scoring
 * rules, log.level and the connectors' intervals are reloaded without a
 * restart; a broken config or scoring file keeps every old setting and the
 * server answering; a changed setting that needs a restart is named and kept;
 * the process survives a burst of SIGHUPs. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static struct tserver *srv;
static char *conninfo, *submitter, *dir, *cfg_path, *scoring_path;
static json_t *base_cfg; /* the config the server started with */
static PGconn *pg;

/* The shipped rules with every SRPF weight times k, written to scoring.json. */
static void write_rules(double k)
{
	json_t *root = json_load_file(TEST_SOURCE_DIR "/../config/scoring.json", 0, NULL);
	cr_assert(root);
	json_t *srpf = json_object_get(json_object_get(root, "score"), "srpf");
	const char *key;
	json_t *v;
	json_object_foreach(srpf, key, v) if (json_is_number(v))
	    json_object_set_new(srpf, key, json_real(json_number_value(v) * k));
	/* written beside and renamed, as an operator's tool would */
	char tmp[1300];
	snprintf(tmp, sizeof(tmp), "%s.tmp", scoring_path);
	cr_assert_eq(json_dump_file(root, tmp, JSON_INDENT(1)), 0);
	cr_assert_eq(rename(tmp, scoring_path), 0);
	json_decref(root);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

/* The start-up config with extra (a JSON object) merged over it. */
static void write_config(const char *extra)
{
	json_t *c = json_deep_copy(base_cfg);
	json_t *x = json_loads(extra, 0, NULL);
	cr_assert(x, "bad extra %s", extra);
	const char *k;
	json_t *v;
	json_object_foreach(x, k, v)
	{
		json_t *have = json_object_get(c, k);
		if (json_is_object(have) && json_is_object(v))
			json_object_update(have, v);
		else
			json_object_set(c, k, v);
	}
	cr_assert_eq(json_dump_file(c, cfg_path, 0), 0);
	json_decref(x);
	json_decref(c);
}

static int count_in_log(const char *needle)
{
	char *log = tserver_log(srv);
	int n = 0;
	for (const char *p = log; p && (p = strstr(p, needle)); p++)
		n++;
	free(log);
	return n;
}

/* SIGHUP, then waits for the reload's outcome line; true when it applied. */
static bool sighup(void)
{
	int ok = count_in_log("\"config reloaded\""), failed = count_in_log("config reload failed");
	cr_assert_eq(kill(srv->pid, SIGHUP), 0);
	for (int i = 0; i < 1000; i++) {
		if (count_in_log("\"config reloaded\"") > ok)
			return true;
		if (count_in_log("config reload failed") > failed)
			return false;
		usleep(10 * 1000);
	}
	cr_assert_fail("no reload outcome in the log after 10 s: %s", srv->log);
	return false;
}

static void start(void)
{
	dir = test_tmpdir("reload");
	scoring_path = malloc(1200);
	snprintf(scoring_path, 1200, "%s/scoring.json", dir);
	write_rules(1);
	conninfo = testdb_create("reload");
	/* a path relative to the config file's folder: serve resolves it there */
	srv = tserver_start(conninfo, dir, "{\"triage\": {\"scoring_file\": \"scoring.json\"}}");
	cfg_path = malloc(1200);
	snprintf(cfg_path, 1200, "%s/test-config-%d.json", dir, srv->port);
	base_cfg = json_load_file(cfg_path, 0, NULL);
	cr_assert(base_cfg);
	pg = testdb_connect(conninfo);
	submitter = test_token(conninfo, "submitter", "sam");
}

static void stop(void)
{
	tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	json_decref(base_cfg);
	free(conninfo);
	free(submitter);
	free(cfg_path);
	free(scoring_path);
	free(dir);
}

TestSuite(reload, .init = start, .fini = stop, .timeout = 120);

/* Posts an idea; returns the SRPF factor of its score (and its category
 * into cat): the factor the test's rules scale, whatever else the idea's
 * words change in the other factors. */
static double new_idea_score(const char *title, char *cat, size_t catlen)
{
	char url[256], body[512];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", srv->url);
	snprintf(body, sizeof(body), "{\"title\": \"%s\"}", title);
	struct tresp *r = http_post(url, submitter, "application/json", body, strlen(body));
	cr_assert(r && r->status == 201, "%ld %s", r ? r->status : 0, r ? r->body : "");
	json_t *j = tresp_json(r);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT (f->>'value') || ' ' || category FROM ideas, "
		 "jsonb_array_elements(score_breakdown->'factors') f "
		 "WHERE id = %lld AND f->>'name' = 'srpf'",
		 (long long)json_integer_value(json_object_get(j, "idea_id")));
	json_decref(j);
	tresp_free(r);
	char *v = testdb_value(pg, sql);
	cr_assert(v);
	double score = atof(v);
	snprintf(cat, catlen, "%s", strchr(v, ' ') + 1);
	free(v);
	return score;
}

static bool healthy(void)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", srv->url);
	struct tresp *r = http_get(url);
	bool ok = r && r->status == 200;
	tresp_free(r);
	return ok;
}

Test(reload, new_scoring_weights_score_new_ideas_and_broken_files_keep_the_old)
{
	char c1[32], c2[32], c3[32];
	double s1 = new_idea_score("Export dashboards as spreadsheets", c1, sizeof(c1));
	write_rules(10);
	cr_assert(sighup(), "the reload failed: %s", srv->log);
	double s2 = new_idea_score("Colour themes for the admin console", c2, sizeof(c2));
	cr_assert_str_eq(c1, c2, "both ideas must be in one category to compare");
	cr_expect(s2 > 9.99 * s1 && s2 < 10.01 * s1, "ten times the weights: %g vs %g", s2, s1);
	cr_expect_geq(count_in_log("ideatriage rescore"), 1, "the reload says how to rescore");

	/* a broken scoring file: the reload fails, the x10 rules stay */
	write_text(scoring_path, "{\n  \"score\": oops\n}\n");
	cr_expect_not(sighup(), "a broken scoring file was applied");
	cr_expect_geq(count_in_log("line 2, column"), 1, "the error names the line");
	cr_expect(healthy());
	double s3 = new_idea_score("Saved searches on the backlog page", c3, sizeof(c3));
	cr_assert_str_eq(c1, c3);
	cr_expect(s3 > 9.99 * s1 && s3 < 10.01 * s1, "old rules kept: %g vs %g", s3, s1);

	/* a broken config file: the same */
	write_rules(1);
	write_text(cfg_path, "{\"log\": {\"level\": ");
	cr_expect_not(sighup(), "a broken config file was applied");
	double s4 = new_idea_score("Pin favourite ideas to the top", c3, sizeof(c3));
	cr_assert_str_eq(c1, c3);
	cr_expect(s4 > 9.99 * s1 && s4 < 10.01 * s1, "old rules kept: %g vs %g", s4, s1);

	/* fixed again: x1 rules apply */
	write_config("{}");
	cr_expect(sighup());
	double s5 = new_idea_score("Keyboard shortcuts for triage", c3, sizeof(c3));
	cr_assert_str_eq(c1, c3);
	cr_expect(s5 > 0.999 * s1 && s5 < 1.001 * s1, "back to x1: %g vs %g", s5, s1);
}

Test(reload, log_level_changes_and_restart_only_keys_are_named)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/no/such/page", srv->url);
	write_config("{\"log\": {\"level\": \"warn\"}}");
	cr_assert(sighup());
	int before = count_in_log("\"msg\":\"request\"");
	for (int i = 0; i < 5; i++)
		tresp_free(http_get(url));
	cr_expect_eq(count_in_log("\"msg\":\"request\""), before, "info lines at level warn");

	/* back to info, with a change that needs a restart: named, not applied */
	write_config("{\"log\": {\"level\": \"info\"}, \"http\": {\"workers\": 5}}");
	cr_assert(sighup());
	for (int i = 0; i < 5; i++)
		tresp_free(http_get(url));
	cr_expect_geq(count_in_log("\"msg\":\"request\""), before + 5, "info lines are back");
	char *log = tserver_log(srv);
	const char *warn = strstr(log, "need a restart");
	cr_expect(warn && strstr(warn, "http.workers"), "the warning names http.workers");
	const char *line = strstr(log, "\"config reloaded\"");
	while (line && strstr(line + 1, "\"config reloaded\""))
		line = strstr(line + 1, "\"config reloaded\"");
	cr_expect(line && strstr(line, "log.level"), "the reload line names log.level");
	free(log);
	write_config("{}");
	cr_expect(sighup());
}

Test(reload, the_server_survives_a_burst_of_sighups_and_keeps_answering)
{
	write_config("{\"connectors\": {\"sales\": {\"interval_s\": 60}}}");
	int ok = count_in_log("\"config reloaded\"");
	for (int i = 0; i < 20; i++) {
		write_rules(i % 2 ? 2 : 1);
		cr_assert_eq(kill(srv->pid, SIGHUP), 0);
		usleep(20 * 1000);
		cr_expect(healthy(), "not answering after SIGHUP %d", i + 1);
	}
	for (int i = 0; i < 500 && count_in_log("\"config reloaded\"") < ok + 1; i++)
		usleep(10 * 1000);
	cr_expect_gt(count_in_log("\"config reloaded\""), ok);
	cr_expect_eq(count_in_log("config reload failed"), 0);
	cr_expect(healthy());
	write_rules(1);
	write_config("{}");
	cr_expect(sighup());
}

/* The seconds between connector run's end and its next run (the schedule
 * it set), once its last run is later than after (an epoch); -1 on timeout. */
static double sales_gap_after(double after)
{
	char sql[300];
	snprintf(sql, sizeof(sql),
		 "SELECT extract(epoch FROM next_run_at - last_run_at) FROM connector_state "
		 "WHERE name = 'sales' AND extract(epoch FROM last_run_at) > %f",
		 after);
	for (int i = 0; i < 1500; i++) {
		char *v = testdb_value(pg, sql);
		if (v) {
			double gap = atof(v);
			free(v);
			return gap;
		}
		usleep(10 * 1000);
	}
	return -1;
}

/* connectors.sales.interval_s reloads: the runs after the reload are spaced
 * by the new interval. (The sales inbox is a path relative to the config
 * file's folder: the connector runs only if serve found it.) */
Test(reload, a_connector_interval_applies_from_its_next_run)
{
	char inbox[1300];
	snprintf(inbox, sizeof(inbox), "%s/inbox", dir);
	cr_assert_eq(mkdir(inbox, 0755), 0);
	write_config("{\"connectors\": {\"sales\": {\"inbox_dir\": \"inbox\", \"interval_s\": 300}}}");
	/* the inbox is a key that needs a restart: start a server on this config */
	tserver_stop(srv, SIGTERM);
	srv = tserver_start(conninfo, dir,
			    "{\"triage\": {\"scoring_file\": \"scoring.json\"}, \"connectors\": "
			    "{\"sales\": {\"inbox_dir\": \"inbox\", \"interval_s\": 300}}}");
	snprintf(cfg_path, 1200, "%s/test-config-%d.json", dir, srv->port);
	json_decref(base_cfg);
	base_cfg = json_load_file(cfg_path, 0, NULL);
	double gap = sales_gap_after(0);
	cr_expect(gap > 250 && gap < 350, "first run: the next is %g s later, want ~300", gap);

	write_config("{\"connectors\": {\"sales\": {\"interval_s\": 7}}}");
	cr_assert(sighup());
	char *admin = test_token(conninfo, "admin", "ada"), url[256];
	char *last = testdb_value(pg, "SELECT extract(epoch FROM last_run_at) FROM "
				      "connector_state WHERE name = 'sales'");
	cr_assert(last);
	snprintf(url, sizeof(url), "%s/api/v1/connectors/sales/sync", srv->url);
	struct tresp *r = http_post(url, admin, NULL, "", 0);
	cr_expect(r && r->status == 202, "%ld", r ? r->status : 0);
	tresp_free(r);
	gap = sales_gap_after(atof(last));
	cr_expect(gap > 5 && gap < 9, "after the reload: the next run %g s later, want ~7", gap);
	free(last);
	free(admin);
}
