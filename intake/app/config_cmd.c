/* intake/app/config_cmd.c - see config_cmd.h. */
#include "intake/app/config_cmd.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake/config.h"
#include "intake/triage_ctx.h"

void config_help_tail(FILE *f)
{
	fprintf(f, "\n  SYSCONFDIR of this binary: %s\n", config_sysconfdir());
}

/* database.url as shown (new): its connection options, the passwords
 * hidden. libpq parses both the URI and the key=value forms, so a password
 * in either (user:pw@, ?password=, password=) is found; a URL it cannot
 * parse is hidden whole. */
static char *redacted_conninfo(const char *url)
{
	if (!*url)
		return strdup("(empty)");
	PQconninfoOption *opts = PQconninfoParse(url, NULL);
	if (!opts)
		return strdup("(set, hidden: not a connection string libpq can read)");
	char *buf = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&buf, &n);
	for (PQconninfoOption *o = opts; m && o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		/* dispchar "*": libpq's own mark of a password field */
		bool hide = strchr(o->dispchar, '*') || strstr(o->keyword, "password");
		fprintf(m, "%s%s=%s", ftell(m) > 0 ? " " : "", o->keyword, hide ? "(hidden)" : o->val);
	}
	if (m)
		fclose(m);
	PQconninfoFree(opts);
	return buf;
}

/* Where s's value came from (new): "default", "file PATH" or "env NAME". */
static char *source_text(const struct config *cfg, const struct config_setting *s)
{
	char *out = NULL;
	int i = (int)(s - config_settings), rc = -1;
	switch (cfg->origin[i]) {
	case CFG_FROM_FILE:
		rc = asprintf(&out, "file %s", cfg->file);
		break;
	case CFG_FROM_ENV:
		rc = asprintf(&out, "env %s", s->env);
		break;
	default:
		/* no scoring file named anywhere: the rules built into the binary */
		rc = asprintf(&out, "%s",
		              s->offset == offsetof(struct config, scoring_file) && !*cfg->scoring_file
		                  ? "default (built-in)"
		                  : "default");
	}
	return rc < 0 ? NULL : out;
}

/* s's value as JSON (new): secrets as config_value_json hides them, the
 * database URL without its password. */
static json_t *shown_value(const struct config *cfg, const struct config_setting *s)
{
	if (s->offset != offsetof(struct config, database_url))
		return config_value_json(cfg, s);
	char *text = redacted_conninfo(cfg->database_url);
	json_t *v = json_string(text ? text : "(set, hidden)");
	free(text);
	return v;
}

/* Every setting as {key, value, source, reloadable}: one array (new). */
static json_t *settings_json(const struct config *cfg)
{
	json_t *rows = json_array();
	for (int i = 0; i < config_settings_len; i++) {
		const struct config_setting *s = &config_settings[i];
		char *src = source_text(cfg, s);
		json_array_append_new(rows, json_pack("{s:s, s:o, s:s, s:b}", "key", s->name, "value",
		                                      shown_value(cfg, s), "source", src ? src : "?",
		                                      "reloadable", s->reloadable));
		free(src);
	}
	return rows;
}

/* The aligned table: KEY RELOAD SOURCE VALUE, the value last (it may be long). */
static void print_table(const struct config *cfg, json_t *rows)
{
	printf("config file: %s (%s)\n\n", cfg->file ? cfg->file : "none", cfg->found_by);
	int kw = 3, sw = 6;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		int k = (int)strlen(json_string_value(json_object_get(r, "key")));
		int so = (int)strlen(json_string_value(json_object_get(r, "source")));
		kw = k > kw ? k : kw;
		sw = so > sw ? so : sw;
	}
	printf("%-*s  %-6s  %-*s  %s\n", kw, "KEY", "RELOAD", sw, "SOURCE", "VALUE");
	json_array_foreach(rows, i, r)
	{
		json_t *v = json_object_get(r, "value");
		const struct config_setting *s = &config_settings[i];
		/* JSON text, so "" and lists are unambiguous; hidden secrets as words */
		char *text = s->secret ? strdup(json_string_value(v))
		                       : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%-*s  %-6s  %-*s  %s\n", kw, s->name, s->reloadable ? "yes" : "no", sw,
		       json_string_value(json_object_get(r, "source")), text ? text : "?");
		free(text);
	}
}

/* config's option, by its index in its table entry */
enum { CONFIG_JSON };

int cmd_config(const struct cli_command *cmd, const struct cli_args *a)
{
	if (strcmp(a->arg[0], "show") != 0)
		return cli_usage_error(cmd, "unknown config command '%s'", a->arg[0]);
	struct err err = {0};
	struct config *cfg = config_load_found(a->config_file, &err);
	/* the scoring file is part of the settings: a wrong one is shown here too */
	struct triage_rules *rules = cfg ? triage_rules_load(cfg->scoring_file, &err) : NULL;
	if (!rules) {
		config_free(cfg);
		fprintf(stderr, "ideatriage: %s\n", err.msg);
		return CLI_FAILED;
	}
	triage_rules_free(rules);
	json_t *rows = settings_json(cfg);
	if (a->opt[CONFIG_JSON]) {
		json_t *doc = json_pack("{s:s?, s:s, s:O}", "config_file", cfg->file, "found_by",
		                        cfg->found_by, "settings", rows);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else {
		print_table(cfg, rows);
	}
	json_decref(rows);
	config_free(cfg);
	return CLI_OK;
}
