/* `ideatriage config show` with the real binary (issue 16 point 3): every
 * setting, its value and where it came from (default, file PATH, env NAME);
 * secrets never printed; the config file found by --config, then
 * IDEATRIAGE_CONFIG; a wrong config or scoring file exits 1 naming it; and
 * nothing else happens: no database, no embedded cluster. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intake/config.h"
#include "support.h"

static void clean_env(void)
{
	unsetenv("IDEATRIAGE_CONFIG");
	for (int i = 0; i < config_settings_len; i++)
		if (config_settings[i].env)
			unsetenv(config_settings[i].env);
}

TestSuite(config_show, .init = clean_env, .timeout = 60);

static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path = malloc(1200);
	snprintf(path, 1200, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The line of key in a `config show` table (new), or NULL. */
static char *line_of(const char *out, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strndup(p, strcspn(p, "\n"));
	return NULL;
}

static bool exists(const char *dir, const char *name)
{
	char p[1200];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

Test(config_show, defaults_every_key_and_nothing_started)
{
	char *dir = test_tmpdir("show-default");
	const char *argv[] = {"config", "show", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(dir, NULL, argv, &out), 0, "%s", out);
	cr_expect(strstr(out, "config file: none (built-in defaults only)"), "%s", out);
	for (int i = 0; i < config_settings_len; i++) {
		char *l = line_of(out, config_settings[i].name);
		cr_expect(l, "%s is not shown:\n%s", config_settings[i].name, out);
		cr_expect(l && strstr(l, config_settings[i].reloadable ? " yes " : " no "),
			  "reloadable mark: %s", l);
		free(l);
	}
	char *l = line_of(out, "triage.scoring_file");
	cr_expect(l && strstr(l, "default (built-in)"), "%s", l);
	free(l);
	l = line_of(out, "http.listen");
	cr_expect(l && strstr(l, "default") && strstr(l, "\"127.0.0.1:8080\""), "%s", l);
	free(l);
	cr_expect(!exists(dir, ".ideatriage"), "config show started an embedded cluster");
	free(out);
	free(dir);
}

Test(config_show, file_and_environment_override_and_secrets_stay_hidden)
{
	char *dir = test_tmpdir("show-file");
	char *rules = test_read_file(TEST_SOURCE_DIR "/../config/scoring.json");
	cr_assert(rules);
	free(write_file(dir, "scoring.json", rules));
	free(rules);
	char *cfg = write_file(dir, "ideatriage.json",
			       "{\"http\": {\"workers\": 3}, \"triage\": {\"scoring_file\": "
			       "\"scoring.json\"}, \"github\": {\"webhook_secret\": \"whsec_FILE\"}}");
	const char *env[] = {"DATABASE_URL=postgresql://app:pw_URL_SECRET@db.internal:5433/ideas",
			     "GITHUB_TOKEN=ghp_TOKEN_SECRET", "REDDIT_CLIENT_SECRET=rd_SECRET",
			     NULL};
	const char *argv[] = {"--config", cfg, "config", "show", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(dir, env, argv, &out), 0, "%s", out);
	char want[1400];
	snprintf(want, sizeof(want), "file %s", cfg);
	char *l = line_of(out, "http.workers");
	cr_expect(l && strstr(l, want) && strstr(l, " 3"), "%s", l);
	free(l);
	l = line_of(out, "triage.scoring_file");
	char *real = realpath(dir, NULL);
	snprintf(want, sizeof(want), "\"%s/scoring.json\"", real);
	cr_expect(l && strstr(l, want), "relative to the config file's folder: %s", l);
	free(real);
	free(l);
	l = line_of(out, "database.url");
	cr_expect(l && strstr(l, "env DATABASE_URL") && strstr(l, "host=db.internal") &&
		      strstr(l, "password=(hidden)"),
		  "%s", l);
	free(l);
	l = line_of(out, "connectors.github.token");
	cr_expect(l && strstr(l, "env GITHUB_TOKEN") && strstr(l, "(set, hidden)"), "%s", l);
	free(l);
	l = line_of(out, "connectors.reddit.client_id");
	cr_expect(l && strstr(l, "default"), "%s", l);
	free(l);
	const char *secrets[] = {"pw_URL_SECRET", "ghp_TOKEN_SECRET", "rd_SECRET", "whsec_FILE"};
	for (int i = 0; i < 4; i++)
		cr_expect_null(strstr(out, secrets[i]), "%s printed:\n%s", secrets[i], out);
	free(out);

	/* --json says the same, as well-formed JSON, and hides the same */
	const char *json_argv[] = {"--config", cfg, "config", "show", "--json", NULL};
	cr_assert_eq(run_cli(dir, env, json_argv, &out), 0, "%s", out);
	json_error_t jerr;
	json_t *doc = json_loads(strchr(out, '{'), 0, &jerr);
	cr_assert(doc, "%s: %s", jerr.text, out);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "config_file")), cfg);
	cr_expect_eq(json_array_size(json_object_get(doc, "settings")),
		     (size_t)config_settings_len);
	for (int i = 0; i < 4; i++)
		cr_expect_null(strstr(out, secrets[i]), "%s printed in --json", secrets[i]);
	json_decref(doc);
	free(out);
	free(cfg);
	free(dir);
}

Test(config_show, ideatriage_config_names_the_file)
{
	char *dir = test_tmpdir("show-envfile");
	char *cfg = write_file(dir, "site.json", "{\"log\": {\"level\": \"warn\"}}");
	char env0[1300];
	snprintf(env0, sizeof(env0), "IDEATRIAGE_CONFIG=%s", cfg);
	const char *env[] = {env0, NULL};
	const char *argv[] = {"config", "show", NULL};
	char *out = NULL;
	cr_assert_eq(run_cli(dir, env, argv, &out), 0, "%s", out);
	char want[1400];
	snprintf(want, sizeof(want), "config file: %s (IDEATRIAGE_CONFIG)", cfg);
	cr_expect(strstr(out, want), "%s", out);
	char *l = line_of(out, "log.level");
	cr_expect(l && strstr(l, "\"warn\"") && strstr(l, " yes "), "%s", l);
	free(l);
	free(out);
	free(cfg);
	free(dir);
}

/* A wrong setting, a missing or broken scoring file: exit 1, the key or the
 * file named, nothing printed as if it were fine. */
Test(config_show, a_bad_config_exits_1_naming_the_key_or_file)
{
	char *dir = test_tmpdir("show-bad");
	struct {
		const char *config, *fragment[3];
	} cases[] = {
	    {"{\"log\": {\"level\": \"loud\"}}", {"log.level", "loud", NULL}},
	    {"{\"http\": {\"workerz\": 2}}", {"unknown key", "http.workerz", NULL}},
	    {"{\"triage\": {\"scoring_file\": \"gone.json\"}}",
	     {"gone.json", "No such file or directory", "errno 2"}},
	    {"{\"triage\": {\"scoring_file\": \"broken.json\"}}", {"broken.json", "line 2", "column"}},
	};
	free(write_file(dir, "broken.json", "{\n  \"score\": nope\n}\n"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *cfg = write_file(dir, "bad.json", cases[i].config);
		const char *argv[] = {"config", "show", "--config", cfg, NULL};
		char *out = NULL;
		cr_expect_eq(run_cli(dir, NULL, argv, &out), 1, "%s: %s", cases[i].config, out);
		for (int k = 0; k < 3 && cases[i].fragment[k]; k++)
			cr_expect(strstr(out, cases[i].fragment[k]), "%s: wants '%s' in: %s",
				  cases[i].config, cases[i].fragment[k], out);
		cr_expect_null(strstr(out, "KEY "), "no table after an error: %s", out);
		free(out);
		free(cfg);
	}
	const char *argv[] = {"config", "list", NULL};
	char *out = NULL;
	cr_expect_eq(run_cli(dir, NULL, argv, &out), 2, "%s", out);
	cr_expect(strstr(out, "unknown config command 'list'"), "%s", out);
	free(out);
	free(dir);
}
