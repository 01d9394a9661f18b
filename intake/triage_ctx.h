/* intake/triage_ctx.h - the triage rules loaded from config/scoring.json:
 * normaliser settings, classification taxonomies, dedup thresholds and score
 * weights. The loaded rules are immutable and shared by every thread; each
 * thread makes its own triage_ctx (the stemmer keeps state). */
#ifndef INTAKE_TRIAGE_CTX_H
#define INTAKE_TRIAGE_CTX_H

#include "triage/classify.h"
#include "triage/err.h"
#include "triage/normalize.h"
#include "triage/score.h"
#include "triage/similar.h"

struct triage_rules {
	struct normalize_config norm_cfg; /* arrays owned by the rules */
	struct classify_rules *classify;
	struct score_weights weights;
	struct similar_weights sim;
	double auto_merge; /* similarity at or above which a mention joins an idea by itself */
	double suggest;    /* similarity at or above which an idea is offered as similar */
	int candidates;    /* how many candidates retrieval returns */
	int suggestions_kept; /* how many near matches of a new idea are stored, best first */
	void *owned;       /* the parsed JSON the strings point into */
	const char **norm_arrays[4]; /* the arrays norm_cfg points at, owned */
	const char **kept[10]; /* keyword and label arrays the classify rules may point into */
};

/* Loads path; when path is NULL or does not exist, the copy compiled into the
 * binary. New rules or NULL with *err naming the key. */
struct triage_rules *triage_rules_load(const char *path, struct err *err)
    __attribute__((warn_unused_result));
void triage_rules_free(struct triage_rules *r);

/* What one thread uses: the shared rules and its own normaliser. */
struct df_pending;
struct trgm_cache;
struct fresh_index;

struct triage_ctx {
	const struct triage_rules *rules;
	struct normalizer *norm;
	/* term frequencies added by the open transaction, written at commit:
	 * updating the same rows (a common term, the corpus count) once per
	 * mention would serialise writers and, in one long import, make every
	 * update walk a longer chain of row versions */
	struct df_pending *pending;
	/* candidate titles' trigram sets: the same ideas are candidates for
	 * many mentions, and their sets cost more than the comparison */
	struct trgm_cache *trgm;
	/* ideas the open transaction's many-at-once ingest founded, retrieved
	 * from memory until commit writes their full-text entries */
	struct fresh_index *fresh;
	/* ideas to rescore before the open transaction commits */
	int64_t *later;
	int nlater, caplater;
	/* idea ids reserved by the open transaction's piped ingest, used from
	 * ids_next on */
	int64_t *ids;
	int nids, ids_next;
	/* told how many of a many-at-once ingest's mentions are done, as it
	 * goes (a long import's progress bar); NULL: nobody asks */
	void (*progress)(int done, int total, void *arg);
	void *progress_arg;
};

int triage_ctx_init(struct triage_ctx *t, const struct triage_rules *rules, struct err *err)
    __attribute__((warn_unused_result));
void triage_ctx_cleanup(struct triage_ctx *t);

#endif
