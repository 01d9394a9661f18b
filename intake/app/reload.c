/* intake/app/reload.c - see reload.h. */
#include "intake/app/reload.h"

#include <stdbool.h>
#include <string.h>

#include "intake/log.h"
#include "intake/sync/scheduler.h"
#include "intake/triage_ctx.h"

/* The keys whose value differs from the running settings: the reloadable ones
 * (against the last config applied) into changed, the others (against the
 * config serve started with, which they keep) into ignored. */
static void diff(const struct app *app, const struct config *cfg, json_t *changed, json_t *ignored)
{
	const struct config *applied = app->applied ? app->applied : app->cfg;
	for (int i = 0; i < config_settings_len; i++) {
		const struct config_setting *s = &config_settings[i];
		if (s->reloadable && !config_value_equal(applied, cfg, s))
			json_array_append_new(changed, json_string(s->name));
		else if (!s->reloadable && !config_value_equal(app->cfg, cfg, s))
			json_array_append_new(ignored, json_string(s->name));
	}
}

static int level_rank(const char *name)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return 1;
}

/* The one "config reloaded" line, written at the more verbose of the old and
 * the new log level, so turning the level up or down shows either way; then
 * the new level. fields is stolen. */
static void log_reloaded(const char *old_level, const char *new_level, json_t *fields)
{
	if (level_rank(new_level) < level_rank(old_level))
		log_set_level(new_level);
	log_json(LOG_INFO, "config reloaded", fields);
	log_set_level(new_level);
}

int app_reload(struct app *app, struct scheduler *sched)
{
	struct err err = {0};
	const char *file = app->cfg->file;
	struct config *cfg = config_reload(app->cfg, &err);
	struct triage_rules *rules = cfg ? triage_rules_load(cfg->scoring_file, &err) : NULL;
	if (!rules) {
		log_json(LOG_ERROR, "config reload failed: every setting keeps its old value",
		         json_pack("{s:s?, s:s, s:s?}", "config_file", file, "error", err.msg, "key",
		                   err.field[0] ? err.field : NULL));
		config_free(cfg);
		return -1;
	}
	json_t *changed = json_array(), *ignored = json_array();
	diff(app, cfg, changed, ignored);
	bool new_rules = !triage_live_same(app->live, rules);
	if (!new_rules) {
		triage_rules_free(rules);
	} else if (triage_live_publish(app->live, rules) < 0) {
		log_msg(LOG_ERROR, "config reload failed: out of memory; old settings kept");
		json_decref(changed);
		json_decref(ignored);
		config_free(cfg);
		return -1;
	} else {
		json_array_append_new(changed, json_string("scoring rules"));
	}
	if (sched)
		scheduler_set_intervals(sched, cfg);
	if (json_array_size(ignored))
		log_json(LOG_WARN, "config reload: these settings changed but need a restart; "
		                   "they keep their old values",
		         json_pack("{s:O}", "keys", ignored));
	const char *scoring = *cfg->scoring_file ? cfg->scoring_file : "built-in";
	json_t *fields = json_pack("{s:s?, s:o, s:o, s:s}", "config_file", file, "changed", changed,
	                           "not_reloaded", ignored, "scoring_file", scoring);
	if (new_rules)
		json_object_set_new(fields, "note",
		                    json_string("new scores use the new rules; `ideatriage rescore` "
		                                "applies them to the ideas scored before"));
	log_reloaded((app->applied ? app->applied : app->cfg)->log_level, cfg->log_level, fields);
	config_free(app->applied);
	app->applied = cfg;
	return 0;
}
