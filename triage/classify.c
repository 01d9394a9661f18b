/* triage/classify.c - SRPF category, segments and runtime from keyword
 * phrases and source labels.
 *
 * Every keyword phrase is normalised once, when the rules are built, with the
 * same normaliser as the text, so a phrase is a token sequence and matching is
 * token-sequence equality: "exit node" matches "Exit Nodes" and "k8s" matches
 * "kubernetes" without any knowledge of English here. Phrases are indexed by
 * their first token (a sorted array, binary search), so classifying costs
 * O(tokens x log phrases) plus the few phrases that share a first token. */
#include "triage/classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Evidence classes: the four categories first, in the order of enum
 * category, so evidence[c] for c < CAT_LEN is the category's. */
enum cls {
	CLS_SECURITY = CAT_SECURITY,
	CLS_RELIABILITY = CAT_RELIABILITY,
	CLS_PERFORMANCE = CAT_PERFORMANCE,
	CLS_FEATURE = CAT_FEATURE,
	CLS_VPN = CAT_LEN,
	CLS_PLATFORM,
	CLS_BRIDGE,
	CLS_CLIENT,
	CLS_CLOUD,
	CLS_LEN
};
_Static_assert((int)CAT_FEATURE == 3 && (int)CAT_LEN == 4, "cls_names must follow enum category");

static const char *const cls_names[CLS_LEN] = {"security", "reliability", "performance",
                                               "feature",  "vpn",         "platform",
                                               "bridge",   "client",      "cloud"};

/* How many distinct phrases / labels per class `why` can name; more would not
 * fit its 512 bytes anyway. Fixed so classify() never allocates. */
#define WHY_PER_CLASS 12

struct phrase {
	char *text;        /* as written in config, for `why` */
	struct tokens tok; /* normalised; tok.n >= 1 */
	enum cls cls;
};

struct label_map {
	char *from; /* lowercase source label */
	enum cls cls;
};

/* The first-token index: one entry per phrase, sorted by (first token,
 * longest phrase first, config order). */
struct entry {
	const char *first; /* the phrase's tok.v[0] */
	int ntok;
	int ph;
};

struct classify_rules {
	struct phrase *ph;
	int nph, cap;
	struct entry *order;
	struct label_map *labels; /* sorted by from, case-insensitively */
	int nlabels;
	double title_weight, label_weight, min_hits;
};

void classify_rules_free(struct classify_rules *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nph; i++) {
		free(r->ph[i].text);
		tokens_clear(&r->ph[i].tok);
	}
	free(r->ph);
	free(r->order);
	for (int i = 0; i < r->nlabels; i++)
		free(r->labels[i].from);
	free(r->labels);
	free(r);
}

static int cls_from_name(const char *s)
{
	for (int i = 0; i < CLS_LEN; i++)
		if (strcasecmp(s, cls_names[i]) == 0)
			return i;
	return -1;
}

/* Normalises one keyword and appends it. A keyword that normalises to nothing
 * (only stop words, or boilerplate) could never match: that is a config
 * mistake, reported with the keyword so a person can fix it. */
static int add_phrase(struct classify_rules *r, struct normalizer *n, const char *text,
                      enum cls cls, struct err *err)
{
	char field[64];
	snprintf(field, sizeof(field), "classify.%s", cls_names[cls]);
	if (r->nph == r->cap) {
		int cap = r->cap ? r->cap * 2 : 64;
		struct phrase *ph = realloc(r->ph, (size_t)cap * sizeof(*ph));
		if (!ph)
			return err_set_field(err, field, "out of memory");
		r->ph = ph;
		r->cap = cap;
	}
	struct phrase p = {.cls = cls};
	if (normalize_text(n, text, &p.tok) < 0) {
		tokens_clear(&p.tok);
		return err_set_field(err, field, "out of memory normalising \"%s\"", text);
	}
	if (p.tok.n == 0) {
		tokens_clear(&p.tok);
		return err_set_field(err, field,
		                     "keyword \"%s\" has no words left after normalisation "
		                     "(only stop words or boilerplate?)",
		                     text);
	}
	p.text = strdup(text);
	if (!p.text) {
		tokens_clear(&p.tok);
		return err_set_field(err, field, "out of memory");
	}
	r->ph[r->nph++] = p;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *ea = a, *eb = b;
	int c = strcmp(ea->first, eb->first);
	if (c)
		return c;
	if (ea->ntok != eb->ntok)
		return eb->ntok - ea->ntok; /* longest first */
	return ea->ph - eb->ph;             /* config order: deterministic */
}

static int cmp_label(const void *a, const void *b)
{
	return strcasecmp(((const struct label_map *)a)->from, ((const struct label_map *)b)->from);
}

/* bsearch comparator: a label string against a map entry. */
static int cmp_label_key(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct label_map *)elem)->from);
}

static int load_labels(struct classify_rules *r, const struct classify_config *cfg, struct err *err)
{
	const char *const *from = cfg->label_from, *const *to = cfg->label_to;
	int count = 0;
	if (from || to) {
		if (!from || !to)
			return err_set_field(err, "classify.labels",
			                     "label_from and label_to must both be given");
		while (from[count] && to[count])
			count++;
		if (from[count] || to[count])
			return err_set_field(err, "classify.labels",
			                     "label_from and label_to differ in length");
	}
	if (count == 0)
		return 0;
	r->labels = calloc((size_t)count, sizeof(*r->labels));
	if (!r->labels)
		return err_set_field(err, "classify.labels", "out of memory");
	for (int i = 0; i < count; i++) {
		int c = cls_from_name(to[i]);
		if (c < 0)
			return err_set_field(
			    err, "classify.labels",
			    "label \"%s\" maps to \"%s\"; expected one of security, "
			    "reliability, performance, feature, vpn, platform, "
			    "bridge, client, cloud",
			    from[i], to[i]);
		r->labels[i].from = strdup(from[i]);
		if (!r->labels[i].from)
			return err_set_field(err, "classify.labels", "out of memory");
		r->labels[i].cls = (enum cls)c;
		r->nlabels++;
	}
	qsort(r->labels, (size_t)r->nlabels, sizeof(*r->labels), cmp_label);
	return 0;
}

static int check_weights(const struct classify_config *cfg, struct err *err)
{
	if (!(cfg->title_weight >= 0))
		return err_set_field(err, "classify.title_weight", "must be a number >= 0");
	if (!(cfg->label_weight >= 0))
		return err_set_field(err, "classify.label_weight", "must be a number >= 0");
	if (!(cfg->min_hits >= 0))
		return err_set_field(err, "classify.min_hits", "must be a number >= 0");
	return 0;
}

struct classify_rules *classify_rules_new(const struct classify_config *cfg, struct normalizer *n,
                                          struct err *err)
{
	if (check_weights(cfg, err) < 0)
		return NULL;
	struct classify_rules *r = calloc(1, sizeof(*r));
	if (!r) {
		err_set(err, "out of memory");
		return NULL;
	}
	r->title_weight = cfg->title_weight;
	r->label_weight = cfg->label_weight;
	r->min_hits = cfg->min_hits;

	const char *const *lists[CLS_LEN] = {
	    [CLS_SECURITY] = cfg->category_keywords[CAT_SECURITY],
	    [CLS_RELIABILITY] = cfg->category_keywords[CAT_RELIABILITY],
	    [CLS_PERFORMANCE] = cfg->category_keywords[CAT_PERFORMANCE],
	    /* [CLS_FEATURE]: by definition, what has no S/R/P evidence */
	    [CLS_VPN] = cfg->vpn,
	    [CLS_PLATFORM] = cfg->platform,
	    [CLS_BRIDGE] = cfg->bridge,
	    [CLS_CLIENT] = cfg->client,
	    [CLS_CLOUD] = cfg->cloud,
	};
	for (int c = 0; c < CLS_LEN; c++)
		for (int i = 0; lists[c] && lists[c][i]; i++)
			if (add_phrase(r, n, lists[c][i], (enum cls)c, err) < 0)
				goto fail;
	if (load_labels(r, cfg, err) < 0)
		goto fail;

	if (r->nph > 0) {
		r->order = malloc((size_t)r->nph * sizeof(*r->order));
		if (!r->order) {
			err_set(err, "out of memory");
			goto fail;
		}
		for (int i = 0; i < r->nph; i++)
			r->order[i] = (struct entry){r->ph[i].tok.v[0], r->ph[i].tok.n, i};
		qsort(r->order, (size_t)r->nph, sizeof(*r->order), cmp_entry);
	}
	return r;
fail:
	classify_rules_free(r);
	return NULL;
}

/* What one classify() call has found so far. */
struct found {
	double ev[CLS_LEN];
	int hits[CLS_LEN][WHY_PER_CLASS]; /* phrase indices, first match first */
	int nhits[CLS_LEN];
	const char *labels[CLS_LEN][WHY_PER_CLASS]; /* borrowed from the rules */
	int nlabels[CLS_LEN];
};

static void note_hit(struct found *f, enum cls c, int phrase)
{
	for (int i = 0; i < f->nhits[c]; i++)
		if (f->hits[c][i] == phrase)
			return;
	if (f->nhits[c] < WHY_PER_CLASS)
		f->hits[c][f->nhits[c]++] = phrase;
}

/* First index in r->order whose phrase starts with tok, or r->nph. */
static int first_with(const struct classify_rules *r, const char *tok)
{
	int lo = 0, hi = r->nph;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(r->order[mid].first, tok) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool match_at(const struct phrase *p, const struct tokens *t, int at)
{
	if (p->tok.n > t->n - at)
		return false;
	for (int j = 1; j < p->tok.n; j++)
		if (strcmp(p->tok.v[j], t->v[at + j]) != 0)
			return false;
	return true;
}

/* Counts every occurrence of every phrase in t, weight each. Within one class
 * the longest phrase at a position wins and covers its tokens, so "high cpu"
 * is one performance hit, not "high cpu" plus "cpu". Phrases of different
 * classes may overlap ("audit log streaming" is cloud, "audit log" security). */
static void match_tokens(const struct classify_rules *r, const struct tokens *t, double weight,
                         struct found *f)
{
	if (!t || r->nph == 0)
		return;
	int covered[CLS_LEN] = {0}; /* a class's phrases may not start before this */
	for (int i = 0; i < t->n; i++) {
		for (int k = first_with(r, t->v[i]); k < r->nph; k++) {
			if (strcmp(r->order[k].first, t->v[i]) != 0)
				break;
			const struct phrase *p = &r->ph[r->order[k].ph];
			if (i < covered[p->cls] || !match_at(p, t, i))
				continue;
			covered[p->cls] = i + p->tok.n;
			f->ev[p->cls] += weight;
			note_hit(f, p->cls, r->order[k].ph);
		}
	}
}

/* Each distinct mapped label counts once, however often it is repeated. */
static void match_labels(const struct classify_rules *r, const struct classify_input *in,
                         struct found *f)
{
	for (int i = 0; i < in->nlabels && in->labels; i++) {
		const char *l = in->labels[i];
		if (!l)
			continue;
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = in->labels[j] && strcasecmp(in->labels[j], l) == 0;
		if (seen)
			continue;
		const struct label_map *m = r->nlabels ? bsearch(l, r->labels, (size_t)r->nlabels,
		                                                 sizeof(*r->labels), cmp_label_key)
		                                       : NULL;
		if (!m)
			continue;
		f->ev[m->cls] += r->label_weight;
		if (f->nlabels[m->cls] < WHY_PER_CLASS)
			f->labels[m->cls][f->nlabels[m->cls]++] = m->from;
	}
}

/* A bounded writer for `why`: once something does not fit, it is cut on a
 * UTF-8 character boundary, "..." marks the cut and nothing more is added. */
struct why {
	char *buf;
	size_t cap, len;
	bool full;
};

static void why_put(struct why *w, const char *s)
{
	if (w->full)
		return;
	/* Content stops 4 bytes short of the end so "..." and the NUL always
	 * fit; len <= limit holds throughout. */
	size_t limit = w->cap - 4, n = strlen(s);
	if (w->len + n <= limit) {
		memcpy(w->buf + w->len, s, n + 1);
		w->len += n;
		return;
	}
	size_t keep = limit - w->len;
	while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--; /* s[keep] would be the first byte dropped: never split a character */
	memcpy(w->buf + w->len, s, keep);
	memcpy(w->buf + w->len + keep, "...", 4);
	w->len += keep + 3;
	w->full = true;
}

static void write_why(const struct classify_rules *r, const struct found *f, char *buf, size_t cap)
{
	struct why w = {.buf = buf, .cap = cap};
	buf[0] = '\0';
	for (int c = 0; c < CLS_LEN; c++) {
		if (f->nhits[c] == 0 && f->nlabels[c] == 0)
			continue;
		if (w.len > 0)
			why_put(&w, "; ");
		why_put(&w, cls_names[c]);
		why_put(&w, ":");
		for (int i = 0; i < f->nhits[c]; i++) {
			why_put(&w, i ? ", " : " ");
			why_put(&w, r->ph[f->hits[c][i]].text);
		}
		for (int i = 0; i < f->nlabels[c]; i++) {
			why_put(&w, i ? ", " : " (label ");
			why_put(&w, f->labels[c][i]);
		}
		if (f->nlabels[c] > 0)
			why_put(&w, ")");
	}
}

void classify(const struct classify_rules *r, const struct classify_input *in,
              struct classification *out)
{
	struct found f;
	memset(&f, 0, sizeof(f));
	match_tokens(r, in->title, r->title_weight, &f);
	match_tokens(r, in->body, 1.0, &f);
	match_labels(r, in, &f);

	/* S, R, P compete; strict > keeps ties with the one first in SRPF
	 * order. Labels mapped to "feature" compete too (a tie still goes to
	 * S/R/P), so a label beats one stray keyword in a long body. */
	int best = CAT_SECURITY;
	for (int c = CAT_RELIABILITY; c <= CAT_PERFORMANCE; c++)
		if (f.ev[c] > f.ev[best])
			best = c;
	bool strong =
	    f.ev[best] > 0 && f.ev[best] >= r->min_hits && f.ev[best] >= f.ev[CAT_FEATURE];

	memset(out, 0, sizeof(*out));
	out->category = strong ? (enum category)best : CAT_FEATURE;
	for (int c = 0; c < CAT_LEN; c++)
		out->evidence[c] = f.ev[c];
	if (f.ev[CLS_BRIDGE] > 0)
		out->segments = SEG_VPN | SEG_PLATFORM;
	if (f.ev[CLS_VPN] > 0)
		out->segments |= SEG_VPN;
	if (f.ev[CLS_PLATFORM] > 0)
		out->segments |= SEG_PLATFORM;
	bool client = f.ev[CLS_CLIENT] > 0, cloud = f.ev[CLS_CLOUD] > 0;
	out->runtime = client && cloud ? RT_BOTH : client ? RT_CLIENT : RT_CLOUD;
	write_why(r, &f, out->why, sizeof(out->why));
}
