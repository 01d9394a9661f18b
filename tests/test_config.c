/* Config: defaults, --config overrides only what it names, environment wins,
 * and every bad value is refused with the key's name. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/config.h"
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
