/* intake/config.c - one declarative table drives parsing, overriding and
 * validation of every setting. Defaults live only in config/ideatriage.json,
 * embedded at build time; a test checks the table and that file agree. */
#include "intake/config.h"

#include <jansson.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "triage/embed.h"

extern const struct embedded_file intake_config_files[];

#define CONFIG_FILE_MAX (1 << 20)

#define S(name, type, field, env, min, max, secret, reload, help)                                  \
	{name, type, offsetof(struct config, field), env, min, max, secret, reload, help}

const struct config_setting config_settings[] = {
    S("database.url", CFG_STRING, database_url, "DATABASE_URL", 0, 0, true, false,
      "PostgreSQL URL; empty starts the embedded cluster"),
    S("database.connect_timeout_s", CFG_INT, connect_timeout_s, NULL, 1, 60, false, false,
      "seconds to wait for a database connection"),
    S("embedded.dir", CFG_PATH, embedded_dir, NULL, 0, 0, false, false,
      "folder of the embedded PostgreSQL cluster"),
    S("embedded.pg_bindir", CFG_PATH, pg_bindir, NULL, 0, 0, false, false,
      "folder holding initdb, pg_ctl and postgres"),
    S("http.listen", CFG_STRING, listen, "IDEATRIAGE_LISTEN", 0, 0, false, false,
      "host:port to serve on"),
    S("http.workers", CFG_INT, workers, NULL, 0, 256, false, false,
      "event-loop threads, each with its own database connection; 0 = one per core"),
    S("http.max_body_bytes", CFG_INT, max_body_bytes, NULL, 1024, 64L << 20, false, false,
      "largest JSON or form request body"),
    S("http.max_upload_bytes", CFG_INT, max_upload_bytes, NULL, 1024, 1L << 30, false, false,
      "largest bulk upload (sales notes)"),
    S("http.max_header_bytes", CFG_INT, max_header_bytes, NULL, 1024, 1L << 20, false, false,
      "largest request head"),
    S("http.io_timeout_s", CFG_INT, io_timeout_s, NULL, 1, 3600, false, false,
      "a client that sends or reads nothing for this long is dropped"),
    S("http.shutdown_grace_ms", CFG_INT, shutdown_grace_ms, NULL, 0, 600000, false, false,
      "time in-flight requests get to finish after SIGTERM"),
    S("http.public_cache_ms", CFG_INT, public_cache_ms, NULL, 0, 600000, false, false,
      "how long public answers (backlog, roadmap) are served from memory; 0 = never"),
    /* limits that hold under abuse: intake/http/gate.c and ratelimit.c */
    S("http.max_connections", CFG_INT, max_connections, NULL, 1, 1000000, false, false,
      "open client connections at most (kept below the descriptor limit); more get 503"),
    S("http.max_connections_per_client", CFG_INT, max_connections_per_client, NULL, 1, 1000000,
      false, false,
      "open connections at most from one address (auth.trusted_proxies exempt); more get 503"),
    S("http.head_timeout_s", CFG_INT, head_timeout_s, NULL, 1, 3600, false, false,
      "a whole request head must arrive within this many seconds (of the connection or its "
      "first byte), however slowly it trickles; else 408 and close"),
    S("http.body_timeout_s", CFG_INT, body_timeout_s, NULL, 1, 3600, false, false,
      "a whole request body must arrive within this many seconds of the head; else 408"),
    S("http.idle_timeout_s", CFG_INT, idle_timeout_s, NULL, 1, 3600, false, false,
      "a kept-alive connection idle this long between requests is closed"),
    S("http.max_concurrent_uploads", CFG_INT, max_concurrent_uploads, NULL, 1, 100000, false,
      false, "large bodies (upload routes) read at once across the server; more get 503"),
    S("ratelimit.signin_per_min", CFG_INT, rl_signin_per_min, NULL, 0, 1000000, false, false,
      "sign-in attempts and failed credentials per minute per address; 0 disables"),
    S("ratelimit.signin_burst", CFG_INT, rl_signin_burst, NULL, 1, 1000000, false, false,
      "sign-in attempts and failed credentials allowed at once per address"),
    S("ratelimit.public_per_s", CFG_INT, rl_public_per_s, NULL, 0, 1000000, false, false,
      "anonymous requests to the public pages and API per second per address; 0 disables"),
    S("ratelimit.public_burst", CFG_INT, rl_public_burst, NULL, 1, 1000000, false, false,
      "anonymous public requests allowed at once per address"),
    S("triage.scoring_file", CFG_PATH, scoring_file, NULL, 0, 0, false, true,
      "scoring weights and taxonomies (config/scoring.json's shape); empty: the copy built "
      "into the binary. A file named here that is missing, unreadable or invalid stops "
      "start-up"),
    S("log.level", CFG_STRING, log_level, NULL, 0, 0, false, true, "debug, info, warn or error"),
    S("auth.trusted_user_header", CFG_STRING, trusted_user_header, NULL, 0, 0, false, false,
      "header set by a single-sign-on proxy naming the employee"),
    S("auth.trusted_proxies", CFG_STRLIST, trusted_proxies, NULL, 0, 0, false, false,
      "addresses allowed to set the trusted user header"),
    S("auth.demo_form_identity", CFG_BOOL, demo_form_identity, NULL, 0, 0, false, false,
      "let the web form take the employee's name from its own fields (the demo only)"),
    S("auth.session_ttl_s", CFG_INT, session_ttl_s, NULL, 60, 2592000, false, false,
      "a web session ends this many seconds after sign-in, however busy"),
    S("auth.session_idle_s", CFG_INT, session_idle_s, NULL, 60, 2592000, false, false,
      "a web session ends after this many seconds without a request"),
    S("auth.cookie_secure", CFG_STRING, cookie_secure, NULL, 0, 0, false, false,
      "Secure cookies (and their __Host- names): auto (when a trusted proxy sends "
      "X-Forwarded-Proto: https), always or never"),
    S("github.webhook_secret", CFG_STRING, webhook_secret, "GITHUB_WEBHOOK_SECRET", 0, 0, true,
      false, "HMAC secret for GitHub webhooks; empty refuses every delivery"),
    S("connectors.github.api_url", CFG_STRING, github_api_url, NULL, 0, 0, false, false,
      "GitHub REST base URL"),
    S("connectors.github.repos", CFG_STRLIST, github_repos, NULL, 0, 0, false, false,
      "owner/name repositories to sync"),
    S("connectors.github.interval_s", CFG_INT, github_interval_s, NULL, 10, 604800, false, true,
      "seconds between GitHub syncs"),
    S("connectors.github.reconcile_interval_s", CFG_INT, github_reconcile_interval_s, NULL, 0,
      604800, false, false,
      "seconds between checks of known issues for deletions (a few requests each time)"),
    S("connectors.github.token", CFG_STRING, github_token, "GITHUB_TOKEN", 0, 0, true, false,
      "GitHub API token"),
    S("connectors.github.private_repos", CFG_STRLIST, github_private_repos, NULL, 0, 0, false,
      false, "owner/name repositories whose issues stay private even where GitHub says the "
             "repository is public (the sync asks GitHub every run: private and internal "
             "repositories need no entry)"),
    S("connectors.reddit.api_url", CFG_STRING, reddit_api_url, NULL, 0, 0, false, false,
      "Reddit OAuth API base URL"),
    S("connectors.reddit.auth_url", CFG_STRING, reddit_auth_url, NULL, 0, 0, false, false,
      "Reddit token endpoint base URL"),
    S("connectors.reddit.subreddits", CFG_JSON, reddit_subreddits, NULL, 0, 0, false, false,
      "subreddits to sync: names, or {name, keywords: [...], flairs: [...]} to keep only "
      "matching posts"),
    S("connectors.reddit.interval_s", CFG_INT, reddit_interval_s, NULL, 10, 604800, false, true,
      "seconds between Reddit syncs"),
    S("connectors.reddit.client_id", CFG_STRING, reddit_client_id, "REDDIT_CLIENT_ID", 0, 0, false,
      false, "Reddit OAuth client id"),
    S("connectors.reddit.client_secret", CFG_STRING, reddit_client_secret, "REDDIT_CLIENT_SECRET",
      0, 0, true, false, "Reddit OAuth client secret"),
    S("connectors.sales.inbox_dir", CFG_PATH, sales_inbox_dir, NULL, 0, 0, false, false,
      "folder watched for sales-note files; empty disables"),
    S("connectors.sales.interval_s", CFG_INT, sales_interval_s, NULL, 5, 604800, false, true,
      "seconds between inbox scans"),
    S("connectors.sales.settle_s", CFG_INT, sales_settle_s, NULL, 0, 3600, false, false,
      "an inbox file is read only once it has not changed for this many seconds"),
    S("connectors.http.connect_timeout_s", CFG_INT, conn_connect_timeout_s, NULL, 1, 300, false,
      false, "seconds to connect to an upstream API"),
    S("connectors.http.timeout_s", CFG_INT, conn_timeout_s, NULL, 1, 3600, false, false,
      "seconds one upstream request may take, body included"),
    S("connectors.http.max_response_bytes", CFG_INT, conn_max_response_bytes, NULL, 65536, 1L << 30,
      false, false, "largest upstream response accepted"),
    S("connectors.http.user_agent", CFG_STRING, conn_user_agent, NULL, 0, 0, false, false,
      "User-Agent sent upstream (Reddit requires a descriptive one)"),
    S("connectors.max_wait_s", CFG_INT, conn_max_wait_s, NULL, 0, 3600, false, false,
      "a rate limit that resets within this many seconds is waited out inside the run; a "
      "longer one ends the run and sets the next one after the reset"),
    /* issue 14 (least privilege, database limits) */
    S("run.user", CFG_STRING, run_user, "IDEATRIAGE_USER", 0, 0, false, false,
      "started as root, every command drops to this user (and runs the embedded "
      "PostgreSQL as it) before it reads any request or upstream answer"),
    S("database.statement_timeout_ms", CFG_INT, statement_timeout_ms, NULL, 0, 86400000L, false,
      false, "serve's database sessions cancel a statement running longer (0: no limit)"),
    S("database.lock_timeout_ms", CFG_INT, lock_timeout_ms, NULL, 0, 86400000L, false, false,
      "serve's database sessions give up waiting for a lock after this long (0: no limit)"),
    S("embedded.restart_attempts", CFG_INT, pg_restart_attempts, NULL, 0, 100, false, false,
      "serve restarts an embedded PostgreSQL that died this many times in a row (backing off "
      "1, 2, 4 ... s), then exits non-zero so a supervisor can"),
};
const int config_settings_len = sizeof(config_settings) / sizeof(config_settings[0]);

static const struct config_setting *setting_find(const char *name)
{
	for (int i = 0; i < config_settings_len; i++)
		if (strcmp(config_settings[i].name, name) == 0)
			return &config_settings[i];
	return NULL;
}

static void strlist_clear(struct strlist *l)
{
	for (int i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->len = 0;
}

/* Where the values being applied come from. */
struct source {
	enum config_origin origin;
	const char *where; /* prefixes errors: "built-in config", the file, "environment" */
	const char *base;  /* a config file's folder, for its relative paths; else NULL */
};

/* A CFG_PATH value as stored (new): relative to src->base when it set one. */
static char *path_value(const char *v, const struct source *src)
{
	if (!src->base || !*v || v[0] == '/')
		return strdup(v);
	size_t n = strlen(src->base) + strlen(v) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", src->base, v);
	return p;
}

static int strlist_apply(struct strlist *l, const struct config_setting *s, json_t *v,
			 const char *where, struct err *err)
{
	if (!json_is_array(v))
		return err_set_field(err, s->name, "%s: %s must be an array of strings", where,
				     s->name);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item))
			return err_set_field(err, s->name, "%s: %s[%zu] must be a string", where,
					     s->name, i);
	}
	strlist_clear(l);
	l->items = calloc(json_array_size(v) + 1, sizeof(char *));
	json_array_foreach(v, i, item) l->items[l->len++] = strdup(json_string_value(item));
	return 0;
}

/* Stores one JSON value into the setting's field and notes its origin. */
static int setting_apply(struct config *cfg, const struct config_setting *s, json_t *v,
			 const struct source *src, struct err *err)
{
	const char *where = src->where;
	char *field = (char *)cfg + s->offset;
	cfg->origin[s - config_settings] = (unsigned char)src->origin;
	switch (s->type) {
	case CFG_STRING:
	case CFG_PATH:
		if (!json_is_string(v))
			return err_set_field(err, s->name, "%s: %s must be a string", where,
					     s->name);
		free(*(char **)field);
		*(char **)field = s->type == CFG_PATH ? path_value(json_string_value(v), src)
						      : strdup(json_string_value(v));
		return 0;
	case CFG_INT: {
		if (!json_is_integer(v))
			return err_set_field(err, s->name, "%s: %s must be an integer", where,
					     s->name);
		json_int_t n = json_integer_value(v);
		if (n < s->min || n > s->max)
			return err_set_field(err, s->name, "%s: %s must be between %ld and %ld, got %lld",
					     where, s->name, s->min, s->max, (long long)n);
		*(long *)field = (long)n;
		return 0;
	}
	case CFG_BOOL:
		if (!json_is_boolean(v))
			return err_set_field(err, s->name, "%s: %s must be true or false", where,
					     s->name);
		*(bool *)field = json_is_true(v);
		return 0;
	case CFG_STRLIST:
		return strlist_apply((struct strlist *)field, s, v, where, err);
	case CFG_JSON: {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			return err_set_field(err, s->name, "%s: %s: out of memory", where, s->name);
		free(*(char **)field);
		*(char **)field = text;
		return 0;
	}
	}
	return err_set(err, "%s: %s has an unknown type", where, s->name);
}

/* Walks obj; every leaf must be a known setting. prefix is the dotted path so far. */
static int apply_object(struct config *cfg, json_t *obj, const char *prefix,
			const struct source *src, struct err *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		char name[256];
		if (snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", key) >=
		    (int)sizeof(name))
			return err_set(err, "%s: key too long: %s", src->where, key);
		const struct config_setting *s = setting_find(name);
		if (s) {
			if (setting_apply(cfg, s, v, src, err) < 0)
				return -1;
		} else if (json_is_object(v)) {
			if (apply_object(cfg, v, name, src, err) < 0)
				return -1;
		} else {
			return err_set_field(err, name, "%s: unknown key '%s'", src->where, name);
		}
	}
	return 0;
}

static json_t *load_json_file(const char *path, struct err *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int e = !f ? errno : fstat(fileno(f), &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e) {
		if (f)
			fclose(f);
		err_set(err, "cannot open config file %s: %s (errno %d)", path, strerror(e), e);
		return NULL;
	}
	char *buf = malloc(CONFIG_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, CONFIG_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n > CONFIG_FILE_MAX) {
		free(buf);
		err_set(err, "config file %s is larger than %d bytes", path, CONFIG_FILE_MAX);
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!root) {
		err_set(err, "config file %s: line %d, column %d: %s", path, jerr.line, jerr.column,
			jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(err, "config file %s: the top level must be a JSON object", path);
		return NULL;
	}
	return root;
}

static int apply_defaults(struct config *cfg, struct err *err)
{
	const struct embedded_file *f = embedded_find(intake_config_files, "ideatriage.json");
	if (!f)
		return err_set(err, "built-in config/ideatriage.json is missing from this binary");
	json_error_t jerr;
	json_t *root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(err, "built-in config: line %d: %s", jerr.line, jerr.text);
	struct source src = {CFG_FROM_DEFAULT, "built-in config", NULL};
	int rc = apply_object(cfg, root, "", &src, err);
	json_decref(root);
	return rc;
}

static int apply_env(struct config *cfg, struct err *err)
{
	/* a relative path in the environment is the caller's: relative to the cwd */
	struct source src = {CFG_FROM_ENV, "environment", NULL};
	for (int i = 0; i < config_settings_len; i++) {
		const struct config_setting *s = &config_settings[i];
		const char *v = s->env ? getenv(s->env) : NULL;
		if (!v)
			continue;
		json_t *j = json_string(v);
		if (!j)
			return err_set_field(err, s->name, "environment %s is not valid UTF-8", s->env);
		int rc = setting_apply(cfg, s, j, &src, err);
		json_decref(j);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int config_listen_addr(const char *listen, char *host, int hostlen, int *port, struct err *err)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return err_set_field(err, "http.listen", "http.listen must be host:port, got '%s'",
				     listen);
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || p < 0 || p > 65535)
		return err_set_field(err, "http.listen", "http.listen has a bad port in '%s'",
				     listen);
	int n = (int)(colon - listen);
	if (listen[0] == '[' && colon[-1] == ']') { /* [::1]:8080 */
		listen++;
		n -= 2;
	}
	if (n >= hostlen)
		return err_set_field(err, "http.listen", "http.listen host is too long");
	memcpy(host, listen, n);
	host[n] = '\0';
	*port = (int)p;
	return 0;
}

static int is_http_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

/* connectors.reddit.subreddits: ["name", {"name", "keywords": [...], "flairs": [...]}] */
static int validate_subreddits(const char *text, struct err *err)
{
	const char *key = "connectors.reddit.subreddits";
	json_t *arr = json_loads(text, JSON_DECODE_ANY, NULL);
	int rc = 0;
	if (!json_is_array(arr))
		rc = err_set_field(err, key, "%s must be a list", key);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (rc < 0)
			break;
		json_t *name = json_is_object(v) ? json_object_get(v, "name") : v;
		if (!json_is_string(name) || json_string_length(name) < 2 ||
		    json_string_length(name) > 21 ||
		    strspn(json_string_value(name), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						    "0123456789_") != json_string_length(name)) {
			rc = err_set_field(err, key,
					   "%s[%zu] must be a subreddit name (2-21 letters, digits, _) "
					   "or an object with one",
					   key, i);
			break;
		}
		const char *k;
		json_t *list;
		json_object_foreach(json_is_object(v) ? v : NULL, k, list)
		{
			bool words = strcmp(k, "keywords") == 0 || strcmp(k, "flairs") == 0;
			if (strcmp(k, "name") != 0 && !words) {
				rc = err_set_field(err, key, "%s[%zu]: unknown key '%s'", key, i, k);
				break;
			}
			size_t j;
			json_t *w;
			if (words && !json_is_array(list))
				rc = err_set_field(err, key, "%s[%zu].%s must be a list of strings", key,
						   i, k);
			json_array_foreach(words ? list : NULL, j, w) if (!json_is_string(w))
				rc = err_set_field(err, key, "%s[%zu].%s must be a list of strings", key,
						   i, k);
		}
	}
	json_decref(arr);
	return rc;
}

static int validate(const struct config *cfg, struct err *err)
{
	char host[256];
	int port;
	if (config_listen_addr(cfg->listen, host, sizeof(host), &port, err) < 0)
		return -1;
	const char *levels[] = {"debug", "info", "warn", "error"};
	bool ok = false;
	for (size_t i = 0; i < 4; i++)
		ok |= strcmp(cfg->log_level, levels[i]) == 0;
	if (!ok)
		return err_set_field(err, "log.level",
				     "log.level must be debug, info, warn or error, got '%s'",
				     cfg->log_level);
	const struct {
		const char *name, *value;
	} urls[] = {{"connectors.github.api_url", cfg->github_api_url},
		    {"connectors.reddit.api_url", cfg->reddit_api_url},
		    {"connectors.reddit.auth_url", cfg->reddit_auth_url}};
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		if (!is_http_url(urls[i].value))
			return err_set_field(err, urls[i].name,
					     "%s must start with http:// or https://, got '%s'",
					     urls[i].name, urls[i].value);
	for (int i = 0; i < cfg->github_repos.len; i++) {
		const char *r = cfg->github_repos.items[i], *slash = strchr(r, '/');
		if (!slash || slash == r || !slash[1] || strchr(slash + 1, '/'))
			return err_set_field(err, "connectors.github.repos",
					     "connectors.github.repos[%d] must be owner/name, got '%s'",
					     i, r);
	}
	if (validate_subreddits(cfg->reddit_subreddits, err) < 0)
		return -1;
	if (cfg->embedded_dir[0] == '\0' && cfg->database_url[0] == '\0')
		return err_set_field(err, "embedded.dir",
				     "embedded.dir must not be empty when database.url is empty");
	if (cfg->trusted_user_header[0] && cfg->trusted_proxies.len == 0)
		return err_set_field(err, "auth.trusted_proxies",
				     "auth.trusted_user_header is set but auth.trusted_proxies is "
				     "empty: name the proxies allowed to set it");
	if (strcmp(cfg->cookie_secure, "auto") != 0 && strcmp(cfg->cookie_secure, "always") != 0 &&
	    strcmp(cfg->cookie_secure, "never") != 0)
		return err_set_field(err, "auth.cookie_secure",
				     "auth.cookie_secure must be auto, always or never, got '%s'",
				     cfg->cookie_secure);
	return 0;
}

/* Applies file over cfg: its relative paths are taken relative to its folder
 * (made absolute, so they mean the same after a chdir and in the log). */
static int apply_file(struct config *cfg, const char *file, struct err *err)
{
	json_t *root = load_json_file(file, err);
	if (!root)
		return -1;
	char *copy = strdup(file), *base = copy ? realpath(dirname(copy), NULL) : NULL;
	free(copy);
	if (!base) {
		json_decref(root);
		return err_set(err, "cannot resolve the folder of config file %s: %s", file,
			       strerror(errno));
	}
	struct source src = {CFG_FROM_FILE, file, base};
	int rc = apply_object(cfg, root, "", &src, err);
	free(base);
	json_decref(root);
	return rc;
}

struct config *config_load(const char *file, struct err *err)
{
	_Static_assert(sizeof(config_settings) / sizeof(config_settings[0]) <= CONFIG_SETTINGS_MAX,
		       "struct config's origin[] is too small for the settings table");
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (apply_defaults(cfg, err) < 0)
		goto fail;
	for (int i = 0; i < config_settings_len; i++) {
		const struct config_setting *s = &config_settings[i];
		if ((s->type == CFG_STRING || s->type == CFG_JSON || s->type == CFG_PATH) &&
		    !*(char **)((char *)cfg + s->offset)) {
			err_set(err, "built-in config lacks %s", s->name);
			goto fail;
		}
	}
	if (file && (!(cfg->file = strdup(file)) || apply_file(cfg, file, err) < 0)) {
		if (!cfg->file)
			err_set(err, "out of memory");
		goto fail;
	}
	cfg->found_by = file ? "--config" : "built-in defaults only";
	if (apply_env(cfg, err) < 0 || validate(cfg, err) < 0)
		goto fail;
	return cfg;
fail:
	config_free(cfg);
	return NULL;
}

const char *config_sysconfdir(void)
{
	return IDEATRIAGE_SYSCONFDIR;
}

const char *config_find_file(const char *given, const char *sysconfdir, char *buf, size_t len,
			     const char **how)
{
	const char *env = getenv("IDEATRIAGE_CONFIG");
	if (given) {
		*how = "--config";
		return given;
	}
	if (env && *env) {
		*how = "IDEATRIAGE_CONFIG";
		return env;
	}
	struct stat st;
	if (snprintf(buf, len, "%s/ideatriage/ideatriage.json", sysconfdir) < (int)len &&
	    stat(buf, &st) == 0) {
		*how = "installed default";
		return buf;
	}
	*how = "built-in defaults only";
	return NULL;
}

struct config *config_load_found(const char *given, struct err *err)
{
	char buf[PATH_MAX];
	const char *how;
	const char *file = config_find_file(given, config_sysconfdir(), buf, sizeof(buf), &how);
	struct config *cfg = config_load(file, err);
	if (cfg)
		cfg->found_by = how;
	return cfg;
}

struct config *config_reload(const struct config *running, struct err *err)
{
	struct config *cfg = config_load(running->file, err);
	if (cfg)
		cfg->found_by = running->found_by;
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (int i = 0; i < config_settings_len; i++) {
		const struct config_setting *s = &config_settings[i];
		char *field = (char *)cfg + s->offset;
		if (s->type == CFG_STRING || s->type == CFG_JSON || s->type == CFG_PATH)
			free(*(char **)field);
		else if (s->type == CFG_STRLIST)
			strlist_clear((struct strlist *)field);
	}
	free(cfg->file);
	free(cfg);
}

int config_worker_count(const struct config *cfg)
{
	if (cfg->workers > 0)
		return (int)cfg->workers;
	/* a worker waits for its database connection while it answers, so a few
	 * per core keep both the cores and the database busy */
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	n = n > 0 ? 4 * n : 8;
	return (int)(n > 64 ? 64 : n);
}

bool config_value_equal(const struct config *a, const struct config *b,
			const struct config_setting *s)
{
	const char *fa = (const char *)a + s->offset, *fb = (const char *)b + s->offset;
	switch (s->type) {
	case CFG_INT:
		return *(const long *)fa == *(const long *)fb;
	case CFG_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case CFG_STRLIST: {
		const struct strlist *la = (const struct strlist *)fa, *lb = (const struct strlist *)fb;
		if (la->len != lb->len)
			return false;
		for (int i = 0; i < la->len; i++)
			if (strcmp(la->items[i], lb->items[i]) != 0)
				return false;
		return true;
	}
	default: /* the strings: CFG_STRING, CFG_PATH, CFG_JSON (compact, so comparable) */
		return strcmp(*(char *const *)fa, *(char *const *)fb) == 0;
	}
}

json_t *config_value_json(const struct config *cfg, const struct config_setting *s)
{
	const char *field = (const char *)cfg + s->offset;
	if (s->secret)
		return json_string(**(char *const *)field ? "(set, hidden)" : "(empty)");
	switch (s->type) {
	case CFG_INT:
		return json_integer(*(const long *)field);
	case CFG_BOOL:
		return json_boolean(*(const bool *)field);
	case CFG_STRLIST: {
		const struct strlist *l = (const struct strlist *)field;
		json_t *a = json_array();
		for (int i = 0; i < l->len; i++)
			json_array_append_new(a, json_string(l->items[i]));
		return a;
	}
	case CFG_JSON:
		return json_loads(*(char *const *)field, JSON_DECODE_ANY, NULL);
	default:
		return json_string(*(char *const *)field);
	}
}
