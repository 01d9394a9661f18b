/* Config: defaults, --config overrides only what it names, environment wins,
 * and every bad value is refused with the key's name; where the config file
 * is found, relative paths, where each value came from, the scoring file as
 * an error and never a fallback, and rules replaced while in use. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/config.h"
#include "intake/triage_ctx.h"
#include "support.h"
#include "triage/embed.h"

extern const struct embedded_file intake_config_files[];

static char *write_config(const char *name, const char *json)
{
	char *dir = test_tmpdir("config");
	char *path = malloc(1200);
	snprintf(path, 1200, "%s/%s", dir, name);
	free(dir);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(json, f);
	fclose(f);
	return path;
}

static void clean_env(void)
{
	unsetenv("IDEATRIAGE_CONFIG");
	for (int i = 0; i < config_settings_len; i++)
		if (config_settings[i].env)
			unsetenv(config_settings[i].env);
}

TestSuite(config, .init = clean_env);

Test(config, defaults_load_and_match_the_table)
{
	struct err err = {0};
	struct config *cfg = config_load(NULL, &err);
	cr_assert(cfg, "%s", err.msg);
	cr_expect_str_eq(cfg->listen, "127.0.0.1:8080");
	cr_expect_str_eq(cfg->database_url, "");
	cr_expect_str_eq(cfg->embedded_dir, ".ideatriage/pg");
	cr_expect_str_eq(cfg->github_api_url, "https://api.github.com");
	cr_expect_str_eq(cfg->reddit_api_url, "https://oauth.reddit.com");
	cr_expect_str_eq(cfg->reddit_auth_url, "https://www.reddit.com");
	cr_expect_eq(cfg->max_body_bytes, 1048576);
	cr_expect_gt(config_worker_count(cfg), 0);
	config_free(cfg);

	/* every setting has a default in config/ideatriage.json, and nothing else is there */
	const struct embedded_file *f = embedded_find(intake_config_files, "ideatriage.json");
	cr_assert(f);
	json_t *root = json_loadb((const char *)f->data, f->len, 0, NULL);
	cr_assert(root);
	for (int i = 0; i < config_settings_len; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s", config_settings[i].name);
		json_t *node = root;
		for (char *tok = strtok(path, "."); tok && node; tok = strtok(NULL, "."))
			node = json_object_get(node, tok);
		cr_expect(node != NULL, "config/ideatriage.json lacks %s", config_settings[i].name);
	}
	json_decref(root);
}

Test(config, file_overrides_only_the_keys_it_names)
{
	char *path = write_config("partial.json", "{\"http\": {\"workers\": 7}, \"connectors\": "
						  "{\"github\": {\"repos\": [\"acme/mesh\"]}}}");
	struct err err = {0};
	struct config *cfg = config_load(path, &err);
	cr_assert(cfg, "%s", err.msg);
	cr_expect_eq(cfg->workers, 7);
	cr_expect_eq(config_worker_count(cfg), 7);
	cr_assert_eq(cfg->github_repos.len, 1);
	cr_expect_str_eq(cfg->github_repos.items[0], "acme/mesh");
	/* untouched neighbours keep their defaults */
	cr_expect_str_eq(cfg->listen, "127.0.0.1:8080");
	cr_expect_eq(cfg->github_interval_s, 900);
	cr_expect_str_eq(cfg->github_api_url, "https://api.github.com");
	config_free(cfg);
	free(path);
}

Test(config, environment_overrides_file_and_defaults)
{
	char *path = write_config("listen.json", "{\"http\": {\"listen\": \"127.0.0.1:9000\"}}");
	setenv("IDEATRIAGE_LISTEN", "127.0.0.1:9100", 1);
	setenv("DATABASE_URL", "postgresql://u:secret@db.example/ideas", 1);
	setenv("GITHUB_WEBHOOK_SECRET", "s3cret", 1);
	setenv("REDDIT_CLIENT_ID", "rid", 1);
	struct err err = {0};
	struct config *cfg = config_load(path, &err);
	cr_assert(cfg, "%s", err.msg);
	cr_expect_str_eq(cfg->listen, "127.0.0.1:9100");
	cr_expect_str_eq(cfg->database_url, "postgresql://u:secret@db.example/ideas");
	cr_expect_str_eq(cfg->webhook_secret, "s3cret");
	cr_expect_str_eq(cfg->reddit_client_id, "rid");
	config_free(cfg);
	free(path);
}

struct bad_case {
	const char *json;
	const char *field;    /* expected err.field */
	const char *fragment; /* expected in err.msg */
};

Test(config, bad_values_are_refused_naming_the_key)
{
	const struct bad_case cases[] = {
	    {"{\"http\": {\"lisen\": \"x\"}}", "http.lisen", "unknown key"},
	    {"{\"http\": {\"workers\": \"four\"}}", "http.workers", "must be an integer"},
	    {"{\"http\": {\"workers\": -1}}", "http.workers", "between 0 and 256"},
	    {"{\"http\": {\"max_body_bytes\": 10}}", "http.max_body_bytes", "between"},
	    {"{\"http\": {\"listen\": \"localhost\"}}", "http.listen", "host:port"},
	    {"{\"http\": {\"listen\": \"127.0.0.1:99999\"}}", "http.listen", "bad port"},
	    {"{\"log\": {\"level\": \"loud\"}}", "log.level", "debug, info, warn or error"},
	    {"{\"connectors\": {\"github\": {\"repos\": [\"nope\"]}}}", "connectors.github.repos",
	     "owner/name"},
	    {"{\"connectors\": {\"github\": {\"repos\": [1]}}}", "connectors.github.repos",
	     "must be a string"},
	    {"{\"connectors\": {\"reddit\": {\"api_url\": \"ftp://x\"}}}",
	     "connectors.reddit.api_url", "http://"},
	    {"{\"auth\": {\"demo_form_identity\": 1}}", "auth.demo_form_identity", "true or false"},
	    {"{\"auth\": {\"trusted_user_header\": \"X-User\"}}", "auth.trusted_proxies",
	     "trusted_proxies"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = write_config("bad.json", cases[i].json);
		struct err err = {0};
		struct config *cfg = config_load(path, &err);
		cr_expect_null(cfg, "accepted %s", cases[i].json);
		config_free(cfg);
		cr_expect_str_eq(err.field, cases[i].field, "%s: field %s", cases[i].json, err.field);
		cr_expect(strstr(err.msg, cases[i].fragment), "%s: message '%s'", cases[i].json,
			  err.msg);
		free(path);
	}
}

Test(config, malformed_or_missing_file_says_where)
{
	char *path = write_config("broken.json", "{\n  \"http\": {\n    \"workers\": 2,,\n");
	struct err err = {0};
	cr_expect_null(config_load(path, &err));
	cr_expect(strstr(err.msg, "line 3"), "%s", err.msg);
	free(path);

	path = write_config("array.json", "[1, 2]");
	cr_expect_null(config_load(path, &err));
	cr_expect(strstr(err.msg, "JSON object"), "%s", err.msg);
	free(path);

	cr_expect_null(config_load("/nonexistent/ideatriage.json", &err));
	cr_expect(strstr(err.msg, "cannot open"), "%s", err.msg);
	/* a folder named as the file: said so, not "'{' expected" */
	cr_expect_null(config_load(TEST_TMP, &err));
	cr_expect(strstr(err.msg, "Is a directory"), "%s", err.msg);
}

Test(config, bad_environment_is_refused)
{
	setenv("IDEATRIAGE_LISTEN", "nonsense", 1);
	struct err err = {0};
	cr_expect_null(config_load(NULL, &err));
	cr_expect_str_eq(err.field, "http.listen");
}

Test(config, listen_address_forms)
{
	char host[64];
	int port;
	struct err err;
	cr_assert_eq(config_listen_addr("127.0.0.1:8080", host, sizeof(host), &port, &err), 0);
	cr_expect_str_eq(host, "127.0.0.1");
	cr_expect_eq(port, 8080);
	cr_assert_eq(config_listen_addr("[::1]:0", host, sizeof(host), &port, &err), 0);
	cr_expect_str_eq(host, "::1");
	cr_expect_eq(port, 0);
	cr_expect_lt(config_listen_addr(":80", host, sizeof(host), &port, &err), 0);
	cr_expect_lt(config_listen_addr("h:", host, sizeof(host), &port, &err), 0);
}

/* ---- issue 16 point 3: configuration for servers */

/* Relative paths a file sets are its folder's; the built-in defaults and the
 * environment keep meaning the working directory's. */
Test(config, relative_paths_in_a_file_resolve_against_its_folder)
{
	char *path = write_config("paths.json",
				  "{\"triage\": {\"scoring_file\": \"rules/scoring.json\"},"
				  " \"connectors\": {\"sales\": {\"inbox_dir\": \"../inbox\"}},"
				  " \"embedded\": {\"pg_bindir\": \"/usr/lib/postgresql/17/bin\"}}");
	char *dir = realpath(TEST_TMP "/config", NULL);
	cr_assert(dir);
	char want[1400];
	struct err err = {0};
	struct config *cfg = config_load(path, &err);
	cr_assert(cfg, "%s", err.msg);
	snprintf(want, sizeof(want), "%s/rules/scoring.json", dir);
	cr_expect_str_eq(cfg->scoring_file, want);
	snprintf(want, sizeof(want), "%s/../inbox", dir);
	cr_expect_str_eq(cfg->sales_inbox_dir, want);
	cr_expect_str_eq(cfg->pg_bindir, "/usr/lib/postgresql/17/bin", "absolute stays as it is");
	cr_expect_str_eq(cfg->embedded_dir, ".ideatriage/pg", "a default stays cwd-relative");
	config_free(cfg);

	/* a relative file name works the same: made absolute from the cwd */
	cr_assert_eq(chdir(TEST_TMP), 0);
	cfg = config_load("config/paths.json", &err);
	cr_assert(cfg, "%s", err.msg);
	snprintf(want, sizeof(want), "%s/rules/scoring.json", dir);
	cr_expect_str_eq(cfg->scoring_file, want);
	config_free(cfg);
	free(dir);
	free(path);
}

Test(config, every_value_knows_where_it_came_from)
{
	char *path = write_config("origin.json", "{\"http\": {\"workers\": 3}}");
	setenv("GITHUB_TOKEN", "ghp_origin", 1);
	struct err err = {0};
	struct config *cfg = config_load(path, &err);
	cr_assert(cfg, "%s", err.msg);
	cr_expect_str_eq(cfg->file, path);
	for (int i = 0; i < config_settings_len; i++) {
		const char *k = config_settings[i].name;
		int want = strcmp(k, "http.workers") == 0              ? CFG_FROM_FILE
			   : strcmp(k, "connectors.github.token") == 0 ? CFG_FROM_ENV
								       : CFG_FROM_DEFAULT;
		cr_expect_eq(cfg->origin[i], want, "%s: origin %d, want %d", k, cfg->origin[i], want);
	}
	config_free(cfg);
	free(path);
}

Test(config, the_config_file_is_found_in_a_fixed_order)
{
	char *etc = test_tmpdir("sysconf");
	char buf[1200], file[1200];
	const char *how = NULL;
	unsetenv("IDEATRIAGE_CONFIG");
	/* nothing installed: the built-in defaults only */
	cr_expect_null(config_find_file(NULL, etc, buf, sizeof(buf), &how));
	cr_expect_str_eq(how, "built-in defaults only");
	/* installed: SYSCONFDIR/ideatriage/ideatriage.json, readable or not */
	snprintf(file, sizeof(file), "%s/ideatriage", etc);
	cr_assert_eq(mkdir(file, 0755), 0);
	snprintf(file, sizeof(file), "%s/ideatriage/ideatriage.json", etc);
	FILE *f = fopen(file, "w");
	cr_assert(f);
	fputs("{}", f);
	fclose(f);
	const char *got = config_find_file(NULL, etc, buf, sizeof(buf), &how);
	cr_expect_str_eq(got, file);
	cr_expect_str_eq(how, "installed default");
	/* IDEATRIAGE_CONFIG before it, --config before both */
	setenv("IDEATRIAGE_CONFIG", "/srv/it.json", 1);
	cr_expect_str_eq(config_find_file(NULL, etc, buf, sizeof(buf), &how), "/srv/it.json");
	cr_expect_str_eq(how, "IDEATRIAGE_CONFIG");
	cr_expect_str_eq(config_find_file("mine.json", etc, buf, sizeof(buf), &how), "mine.json");
	cr_expect_str_eq(how, "--config");
	unsetenv("IDEATRIAGE_CONFIG");
	free(etc);
}

Test(config, secrets_never_leave_config_value_json)
{
	setenv("GITHUB_TOKEN", "ghp_never_shown", 1);
	setenv("REDDIT_CLIENT_SECRET", "reddit_never_shown", 1);
	struct err err = {0};
	struct config *cfg = config_load(NULL, &err);
	cr_assert(cfg, "%s", err.msg);
	for (int i = 0; i < config_settings_len; i++) {
		json_t *v = config_value_json(cfg, &config_settings[i]);
		cr_assert(v, "%s has no JSON value", config_settings[i].name);
		char *text = json_dumps(v, JSON_ENCODE_ANY);
		cr_expect_null(strstr(text, "never_shown"), "%s printed %s", config_settings[i].name,
			       text);
		if (config_settings[i].secret)
			cr_expect(strcmp(text, "\"(set, hidden)\"") == 0 ||
				      strcmp(text, "\"(empty)\"") == 0,
				  "%s: %s", config_settings[i].name, text);
		free(text);
		json_decref(v);
	}
	config_free(cfg);
}

/* The scoring rules: a named file must be there and valid; none named is
 * the built-in copy, never a quiet substitute for a file that is gone. */
Test(config, a_named_scoring_file_that_is_missing_or_broken_is_an_error)
{
	struct err err = {0};
	struct triage_rules *r = triage_rules_load(NULL, &err);
	cr_expect(r, "no file named: the built-in rules (%s)", err.msg);
	triage_rules_free(r);
	r = triage_rules_load("", &err);
	cr_expect(r, "empty: the built-in rules (%s)", err.msg);
	triage_rules_free(r);

	cr_expect_null(triage_rules_load("/nonexistent/scoring.json", &err));
	cr_expect(strstr(err.msg, "/nonexistent/scoring.json") &&
		      strstr(err.msg, "No such file or directory") && strstr(err.msg, "errno 2"),
		  "%s", err.msg);
	cr_expect_str_eq(err.field, "triage.scoring_file");

	char *dir = test_tmpdir("scoringdir");
	cr_expect_null(triage_rules_load(dir, &err), "a folder is not a scoring file");
	cr_expect(strstr(err.msg, "Is a directory"), "%s", err.msg);
	free(dir);

	char *bad = write_config("scoring.json", "{\n  \"score\": {\n    \"srpf\": [1,,2]\n");
	cr_expect_null(triage_rules_load(bad, &err));
	cr_expect(strstr(err.msg, bad) && strstr(err.msg, "line 3") && strstr(err.msg, "column"),
		  "%s", err.msg);
	free(bad);

	if (geteuid() != 0) { /* root reads a file whatever its mode */
		char *locked = write_config("locked.json", "{}");
		chmod(locked, 0);
		cr_expect_null(triage_rules_load(locked, &err));
		cr_expect(strstr(err.msg, "Permission denied"), "%s", err.msg);
		free(locked);
	}
}

/* A copy of the shipped rules with every SRPF weight multiplied by k (new). */
static char *scaled_rules(const char *name, double k)
{
	json_t *root = json_load_file(TEST_SOURCE_DIR "/../config/scoring.json", 0, NULL);
	cr_assert(root);
	json_t *srpf = json_object_get(json_object_get(root, "score"), "srpf");
	const char *key;
	json_t *v;
	json_object_foreach(srpf, key, v) if (json_is_number(v))
	    json_object_set_new(srpf, key, json_real(json_number_value(v) * k));
	char *dir = test_tmpdir(name);
	char *path = malloc(1200);
	snprintf(path, 1200, "%s/scoring.json", dir);
	cr_assert_eq(json_dump_file(root, path, 0), 0);
	json_decref(root);
	free(dir);
	return path;
}

/* Live rules: a context keeps the rules it has until it refreshes, and the
 * replaced rules live until the last context lets go (ASan would see a use
 * after free otherwise). */
Test(config, live_rules_change_only_at_a_refresh)
{
	struct err err = {0};
	char *p1 = scaled_rules("live1", 1), *p10 = scaled_rules("live10", 10);
	struct triage_rules *r1 = triage_rules_load(p1, &err), *r10 = triage_rules_load(p10, &err);
	cr_assert(r1 && r10, "%s", err.msg);
	struct triage_live *live = triage_live_new(r1);
	cr_assert(live);
	struct triage_ctx a, b;
	cr_assert_eq(triage_ctx_init_live(&a, live, &err), 0, "%s", err.msg);
	cr_assert_eq(triage_ctx_init_live(&b, live, &err), 0, "%s", err.msg);
	double w1 = a.rules->weights.srpf[CAT_FEATURE];
	cr_expect(triage_live_same(live, r1));
	cr_assert_eq(triage_live_publish(live, r10), 0);
	cr_expect(!triage_live_same(live, a.rules));
	cr_expect_eq(a.rules->weights.srpf[CAT_FEATURE], w1, "no refresh, no change");
	cr_assert_eq(triage_ctx_refresh(&a, &err), 0, "%s", err.msg);
	cr_expect_eq(a.rules->weights.srpf[CAT_FEATURE], 10 * w1);
	cr_expect_eq(b.rules->weights.srpf[CAT_FEATURE], w1, "b still runs on the old rules");
	triage_live_free(live); /* b and a still hold theirs */
	cr_expect_eq(b.rules->weights.srpf[CAT_FEATURE], w1);
	triage_ctx_cleanup(&b); /* frees the old rules */
	cr_expect_eq(a.rules->weights.srpf[CAT_FEATURE], 10 * w1);
	triage_ctx_cleanup(&a); /* frees the new ones */
	free(p1);
	free(p10);
}
