#include "intake/triage_ctx.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "triage/embed.h"
#include "triage/trgm_cache.h"

extern const struct embedded_file intake_config_files[];

/* A NULL-terminated array of the strings of JSON array a (borrowed from the
 * JSON, which the rules keep). NULL with *err when a is not an array of strings. */
static const char **str_array(json_t *a, const char *key, struct err *err)
{
	if (!json_is_array(a)) {
		err_set_field(err, key, "scoring config: %s must be an array of strings", key);
		return NULL;
	}
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));
	size_t i;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		if (!json_is_string(s)) {
			free(v);
			err_set_field(err, key, "scoring config: %s[%zu] must be a string", key, i);
			return NULL;
		}
		v[i] = json_string_value(s);
	}
	return v;
}

/* Splits a JSON object of strings into two parallel NULL-terminated arrays. */
static int str_map(json_t *o, const char *key, const char ***from, const char ***to,
		   struct err *err)
{
	if (!json_is_object(o))
		return err_set_field(err, key, "scoring config: %s must be an object", key);
	size_t n = json_object_size(o), i = 0;
	*from = calloc(n + 1, sizeof(**from));
	*to = calloc(n + 1, sizeof(**to));
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (k[0] == '_')
			continue; /* "_doc" */
		if (!json_is_string(v))
			return err_set_field(err, key, "scoring config: %s.%s must be a string", key, k);
		(*from)[i] = k;
		(*to)[i] = json_string_value(v);
		i++;
	}
	return 0;
}

static int num(json_t *o, const char *path, double *out, struct err *err)
{
	json_t *v = o;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	if (!json_is_number(v))
		return err_set_field(err, path, "scoring config: %s must be a number", path);
	*out = json_number_value(v);
	if (*out < 0)
		return err_set_field(err, path, "scoring config: %s must not be negative", path);
	return 0;
}

/* The rules' JSON: path's, or with no path the copy built into the binary. A
 * named file that cannot be read is an error, never a quiet fall back to the
 * built-in rules: the operator would score with rules they did not choose. */
static json_t *load(const char *path, struct err *err)
{
	json_error_t jerr;
	json_t *root;
	if (path && *path) {
		FILE *f = fopen(path, "rb");
		struct stat st;
		int e = !f ? errno : fstat(fileno(f), &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
		if (e) {
			if (f)
				fclose(f);
			err_set_field(err, "triage.scoring_file", "cannot read scoring file %s: %s (errno %d)",
				      path, strerror(e), e);
			return NULL;
		}
		root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
		fclose(f);
		if (!root)
			err_set_field(err, "triage.scoring_file", "scoring file %s: line %d, column %d: %s",
				      path, jerr.line, jerr.column, jerr.text);
		else if (!json_is_object(root)) {
			json_decref(root);
			root = NULL;
			err_set_field(err, "triage.scoring_file",
				      "scoring file %s: the top level must be a JSON object", path);
		}
		return root;
	}
	const struct embedded_file *f = embedded_find(intake_config_files, "scoring.json");
	if (!f) {
		err_set(err, "no scoring rules: none named and none built in");
		return NULL;
	}
	root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		err_set(err, "built-in scoring.json: line %d: %s", jerr.line, jerr.text);
	return root;
}

static int load_weights(json_t *root, struct triage_rules *r, struct err *err)
{
	static const char *const cats[CAT_LEN] = {"security", "reliability", "performance",
						  "feature"};
	struct score_weights *w = &r->weights;
	char path[96];
	for (int i = 0; i < CAT_LEN; i++) {
		snprintf(path, sizeof(path), "score.srpf.%s", cats[i]);
		if (num(root, path, &w->srpf[i], err) < 0)
			return -1;
	}
	const struct {
		const char *path;
		double *out;
	} nums[] = {
	    {"score.bridge.both", &w->bridge_both},
	    {"score.bridge.one", &w->bridge_one},
	    {"score.bridge.unknown", &w->bridge_unknown},
	    {"score.bridge.table_stakes", &w->table_stakes},
	    {"score.runtime.client", &w->runtime[RT_CLIENT]},
	    {"score.runtime.cloud", &w->runtime[RT_CLOUD]},
	    {"score.runtime.both", &w->runtime[RT_BOTH]},
	    {"score.demand.requester_cap", &w->requester_cap},
	    {"score.demand.comment_weight", &w->comment_weight},
	    {"score.demand.employee_weight", &w->employee_weight},
	    {"score.demand.arr_unit", &w->arr_unit},
	    {"score.demand.arr_weight", &w->arr_weight},
	    {"score.demand.source_bonus", &w->source_bonus},
	    {"score.demand.vote_weight", &w->vote_weight},
	    {"score.demand.vote_cap", &w->vote_cap},
	    {"score.freshness.half_life_days", &w->half_life_days},
	    {"score.freshness.floor", &w->fresh_floor},
	    {"dedup.auto_merge", &r->dedup.auto_merge},
	    {"dedup.suggest", &r->dedup.suggest},
	    {"dedup.weights.all", &r->sim.all},
	    {"dedup.weights.title", &r->sim.title},
	    {"dedup.weights.trigram", &r->sim.trigram},
	    {"dedup.weights.length_exponent", &r->sim.length_exp},
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (num(root, nums[i].path, nums[i].out, err) < 0)
			return -1;
	double cand;
	if (num(root, "dedup.candidates", &cand, err) < 0)
		return -1;
	r->candidates = cand < 1 ? 1 : cand > 200 ? 200 : (int)cand;
	/* added after the first scoring files were written: optional */
	double kept = 5;
	json_t *dedup = json_object_get(root, "dedup");
	if (json_object_get(dedup, "suggestions_kept") &&
	    num(root, "dedup.suggestions_kept", &kept, err) < 0)
		return -1;
	r->dedup.suggestions_kept = kept < 1 ? 1 : kept > DEDUP_MAX ? DEDUP_MAX : (int)kept;
	if (w->arr_unit <= 0 || w->half_life_days <= 0)
		return err_set(err, "scoring config: arr_unit and half_life_days must be positive");
	return 0;
}

static void free_arrays(struct triage_rules *r)
{
	for (int i = 0; i < 4; i++)
		free(r->norm_arrays[i]);
}

/* The normaliser's settings ("normalise") into r->norm_cfg, its arrays
 * owned by r. */
static int load_normalise(json_t *norm, struct triage_rules *r, struct err *err)
{
	if (!(r->norm_arrays[0] = str_array(json_object_get(norm, "stopwords"),
					    "normalise.stopwords", err)) ||
	    !(r->norm_arrays[1] = str_array(json_object_get(norm, "boilerplate"),
					    "normalise.boilerplate", err)))
		return -1;
	if (str_map(json_object_get(norm, "synonyms"), "normalise.synonyms", &r->norm_arrays[2],
		    &r->norm_arrays[3], err) < 0)
		return -1;
	r->norm_cfg.stopwords = r->norm_arrays[0];
	r->norm_cfg.boilerplate = r->norm_arrays[1];
	r->norm_cfg.syn_from = r->norm_arrays[2];
	r->norm_cfg.syn_to = r->norm_arrays[3];
	return 0;
}

/* The classification's settings ("classify") into *cc, its keyword and
 * label arrays kept by r (r->kept) whether or not it succeeds. */
static int load_classify(json_t *root, struct triage_rules *r, struct classify_config *cc,
			 struct err *err)
{
	json_t *cls = json_object_get(root, "classify");
	static const char *const keys[8] = {"security", "reliability", "performance", "vpn",
					    "platform", "bridge", "client", "cloud"};
	for (int i = 0; i < 8; i++) {
		char key[64];
		snprintf(key, sizeof(key), "classify.%s", keys[i]);
		if (!(r->kept[i] = str_array(json_object_get(cls, keys[i]), key, err)))
			return -1;
	}
	cc->category_keywords[CAT_SECURITY] = r->kept[0];
	cc->category_keywords[CAT_RELIABILITY] = r->kept[1];
	cc->category_keywords[CAT_PERFORMANCE] = r->kept[2];
	cc->vpn = r->kept[3];
	cc->platform = r->kept[4];
	cc->bridge = r->kept[5];
	cc->client = r->kept[6];
	cc->cloud = r->kept[7];
	if (str_map(json_object_get(cls, "labels"), "classify.labels", &r->kept[8], &r->kept[9],
		    err) < 0)
		return -1;
	cc->label_from = r->kept[8];
	cc->label_to = r->kept[9];
	if (num(root, "classify.title_weight", &cc->title_weight, err) < 0 ||
	    num(root, "classify.label_weight", &cc->label_weight, err) < 0 ||
	    num(root, "classify.min_hits", &cc->min_hits, err) < 0)
		return -1;
	return 0;
}

struct triage_rules *triage_rules_load(const char *path, struct err *err)
{
	json_t *root = load(path, err);
	if (!root)
		return NULL;
	struct triage_rules *r = calloc(1, sizeof(*r));
	if (!r) {
		json_decref(root);
		err_set(err, "out of memory");
		return NULL;
	}
	r->owned = root;
	struct classify_config cc = {0};
	if (load_normalise(json_object_get(root, "normalise"), r, err) < 0 ||
	    load_classify(root, r, &cc, err) < 0 || load_weights(root, r, err) < 0) {
		triage_rules_free(r);
		return NULL;
	}
	struct normalizer *n = normalizer_new(&r->norm_cfg, err);
	if (n)
		r->classify = classify_rules_new(&cc, n, err);
	normalizer_free(n);
	if (!r->classify) {
		triage_rules_free(r);
		return NULL;
	}
	return r;
}

void triage_rules_free(struct triage_rules *r)
{
	if (!r)
		return;
	classify_rules_free(r->classify);
	free_arrays(r);
	for (int i = 0; i < 10; i++)
		free((void *)r->kept[i]);
	json_decref(r->owned);
	free(r);
}

struct rules_ref;
static void rules_ref_put(struct rules_ref *r);

int triage_ctx_init(struct triage_ctx *t, const struct triage_rules *rules, struct err *err)
{
	memset(t, 0, sizeof(*t));
	t->rules = rules;
	t->norm = normalizer_new(&rules->norm_cfg, err);
	return t->norm ? 0 : -1;
}

void triage_ctx_cleanup(struct triage_ctx *t)
{
	trgm_cache_free(t->trgm);
	t->trgm = NULL;
	normalizer_free(t->norm);
	t->norm = NULL;
	if (t->live)
		rules_ref_put(t->ref);
	t->ref = NULL;
	t->live = NULL;
}

/* ---- rules that serve's SIGHUP replaces while threads use them
 *
 * RCU by reference count: live->current is the newest rules; each thread's
 * context holds a reference to the rules it runs with, taken under the
 * mutex, and swaps it for the newest only at a safe point (between requests,
 * between connector runs). The rules are freed by whoever drops the last
 * reference, so a request in flight never sees them change or vanish. */
struct rules_ref {
	struct triage_rules *rules;
	atomic_int refs;
};

struct triage_live {
	pthread_mutex_t mu;
	struct rules_ref *current; /* under mu; the live's own reference */
	atomic_ulong gen;          /* bumped by each publish: a cheap "anything new?" */
};

static struct rules_ref *rules_ref_new(struct triage_rules *rules)
{
	struct rules_ref *r = calloc(1, sizeof(*r));
	if (!r) {
		triage_rules_free(rules);
		return NULL;
	}
	r->rules = rules;
	atomic_init(&r->refs, 1);
	return r;
}

static void rules_ref_put(struct rules_ref *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
		triage_rules_free(r->rules);
		free(r);
	}
}

/* The newest rules with a reference taken for the caller, and their generation. */
static struct rules_ref *live_get(struct triage_live *l, unsigned long *gen)
{
	pthread_mutex_lock(&l->mu);
	struct rules_ref *r = l->current;
	atomic_fetch_add(&r->refs, 1);
	*gen = atomic_load(&l->gen);
	pthread_mutex_unlock(&l->mu);
	return r;
}

struct triage_live *triage_live_new(struct triage_rules *rules)
{
	struct triage_live *l = calloc(1, sizeof(*l));
	if (!l || !(l->current = rules_ref_new(rules))) {
		if (!l)
			triage_rules_free(rules);
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	atomic_init(&l->gen, 1);
	return l;
}

int triage_live_publish(struct triage_live *l, struct triage_rules *rules)
{
	struct rules_ref *r = rules_ref_new(rules);
	if (!r)
		return -1;
	pthread_mutex_lock(&l->mu);
	struct rules_ref *old = l->current;
	l->current = r;
	atomic_fetch_add(&l->gen, 1);
	pthread_mutex_unlock(&l->mu);
	rules_ref_put(old);
	return 0;
}

bool triage_live_same(struct triage_live *l, const struct triage_rules *r)
{
	pthread_mutex_lock(&l->mu);
	bool same = json_equal(l->current->rules->owned, r->owned);
	pthread_mutex_unlock(&l->mu);
	return same;
}

void triage_live_free(struct triage_live *l)
{
	if (!l)
		return;
	rules_ref_put(l->current);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

int triage_ctx_init_live(struct triage_ctx *t, struct triage_live *l, struct err *err)
{
	unsigned long gen;
	struct rules_ref *r = live_get(l, &gen);
	if (triage_ctx_init(t, r->rules, err) < 0) {
		rules_ref_put(r);
		return -1;
	}
	t->live = l;
	t->ref = r;
	t->gen = gen;
	return 0;
}

int triage_ctx_refresh(struct triage_ctx *t, struct err *err)
{
	if (!t->live || atomic_load(&t->live->gen) == t->gen)
		return 0;
	unsigned long gen;
	struct rules_ref *r = live_get(t->live, &gen);
	struct normalizer *n = normalizer_new(&r->rules->norm_cfg, err);
	if (!n) {
		rules_ref_put(r);
		return -1;
	}
	/* the memo of trigram sets came from the old normaliser's output */
	trgm_cache_free(t->trgm);
	t->trgm = NULL;
	normalizer_free(t->norm);
	t->norm = n;
	rules_ref_put(t->ref);
	t->ref = r;
	t->rules = r->rules;
	t->gen = gen;
	return 0;
}
