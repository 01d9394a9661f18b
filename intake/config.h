/* intake/config.h - the service configuration: built-in defaults (the embedded
 * config/ideatriage.json), then one config file naming only the keys it
 * overrides, then environment variables for secrets and endpoints. Each value
 * remembers where it came from (`ideatriage config show`); a relative path set
 * by a file is taken relative to that file's folder. */
#ifndef INTAKE_CONFIG_H
#define INTAKE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "triage/err.h"

#define CONFIG_SETTINGS_MAX 96 /* room in struct config's origin[] */

/* Where a setting's value came from. */
enum config_origin { CFG_FROM_DEFAULT, CFG_FROM_FILE, CFG_FROM_ENV };

/* A NULL-terminated list of strings, owned by the config. */
struct strlist {
	char **items;
	int len;
};

struct config {
	char *file;         /* the config file applied (as named), or NULL: defaults only */
	const char *found_by; /* static: why that file ("--config", "IDEATRIAGE_CONFIG", ...) */
	unsigned char origin[CONFIG_SETTINGS_MAX]; /* enum config_origin, by table index */

	char *database_url; /* secret: may hold a password; never logged */
	long connect_timeout_s;
	char *embedded_dir;
	char *pg_bindir;

	char *listen; /* host:port */
	long workers; /* 0 = one per core */
	long max_body_bytes;
	long max_upload_bytes;
	long max_header_bytes;
	long io_timeout_s;
	long shutdown_grace_ms;
	long public_cache_ms;
	/* limits that hold under abuse (intake/http/gate.c, ratelimit.c) */
	long max_connections;
	long max_connections_per_client;
	long head_timeout_s;
	long body_timeout_s;
	long idle_timeout_s;
	long max_concurrent_uploads;
	long rl_signin_per_min;
	long rl_signin_burst;
	long rl_public_per_s;
	long rl_public_burst;

	char *log_level;
	char *scoring_file;

	char *trusted_user_header;
	struct strlist trusted_proxies;
	bool demo_form_identity;
	long session_ttl_s;  /* absolute lifetime of a web session */
	long session_idle_s; /* idle timeout of a web session */
	char *cookie_secure; /* "auto", "always" or "never" */

	char *webhook_secret; /* secret */

	char *github_api_url;
	struct strlist github_repos;
	long github_interval_s;
	long github_reconcile_interval_s;
	char *github_token; /* secret */
	struct strlist github_private_repos;

	char *reddit_api_url;
	char *reddit_auth_url;
	char *reddit_subreddits; /* JSON array text: "name" or {name, keywords, flairs} */
	long reddit_interval_s;
	char *reddit_client_id;
	char *reddit_client_secret; /* secret */

	char *sales_inbox_dir;
	long sales_interval_s;
	long sales_settle_s;

	long conn_connect_timeout_s; /* connectors.http.* */
	long conn_timeout_s;
	long conn_max_response_bytes;
	char *conn_user_agent;
	long conn_max_wait_s; /* longest rate-limit wait inside one run */

	char *run_user;            /* issue 14: the user root drops to */
	long statement_timeout_ms; /* serve's sessions; 0 = none */
	long lock_timeout_ms;
	long pg_restart_attempts; /* embedded cluster deaths survived in a row */
};

/* Loads defaults, then file (may be NULL), then the environment; validates.
 * New config on success; NULL and *err (naming the key) on failure. */
struct config *config_load(const char *file, struct err *err) __attribute__((warn_unused_result));

/* The folder an installed binary looks in: CMake's sysconfdir (/etc for a
 * /usr prefix), fixed at build time. */
const char *config_sysconfdir(void);

/* Which config file a command uses, when any: given (--config) when not NULL;
 * else $IDEATRIAGE_CONFIG when set and not empty; else
 * SYSCONFDIR/ideatriage/ideatriage.json when it exists (an unreadable one is
 * still chosen, so loading it fails rather than falling back); else NULL, the
 * built-in defaults only. The result points into given, the environment or
 * buf; *how (static text) says which rule chose. */
const char *config_find_file(const char *given, const char *sysconfdir, char *buf, size_t len,
			     const char **how);

/* config_find_file(given, config_sysconfdir()), then config_load of it;
 * cfg->file and cfg->found_by say what was used. */
struct config *config_load_found(const char *given, struct err *err)
    __attribute__((warn_unused_result));

/* The config running was loaded from, loaded again (new): the same file
 * (running->file, not looked for again), today's content, the process's
 * environment. serve's SIGHUP. */
struct config *config_reload(const struct config *running, struct err *err)
    __attribute__((warn_unused_result));
void config_free(struct config *cfg); /* accepts NULL */

/* Number of worker threads to run: http.workers, or the number of cores. */
int config_worker_count(const struct config *cfg);

/* Splits cfg->listen into host and port; 0 or -1 with *err. */
int config_listen_addr(const char *listen, char *host, int hostlen, int *port, struct err *err)
    __attribute__((warn_unused_result));

/* The settings table, for tests and `ideatriage config` documentation. */
struct config_setting {
	const char *name; /* dotted key, e.g. "http.listen" */
	/* CFG_JSON: any JSON value, kept as compact text for the module that reads it;
	 * CFG_PATH: a string naming a file or folder ("" = none): a relative one set
	 * by a config file is made relative to that file's folder */
	enum { CFG_STRING, CFG_INT, CFG_BOOL, CFG_STRLIST, CFG_JSON, CFG_PATH } type;
	unsigned long offset; /* where it goes in struct config */
	const char *env;      /* environment variable that overrides it, or NULL */
	long min, max;        /* for CFG_INT */
	bool secret;          /* never printed or logged */
	bool reloadable;      /* serve's SIGHUP applies a change (intake/app/reload.c) */
	const char *help;
};
extern const struct config_setting config_settings[];
extern const int config_settings_len;

/* True when a and b hold the same value of setting s. */
bool config_value_equal(const struct config *a, const struct config *b,
			const struct config_setting *s);

/* The value of s in cfg as JSON (new): a string, integer, boolean, array or
 * the CFG_JSON value itself. Secrets come out as "(set, hidden)" or
 * "(empty)": the secret itself never leaves this function. */
json_t *config_value_json(const struct config *cfg, const struct config_setting *s);

#endif
