/* intake/triage_ctx.h - the triage rules loaded from config/scoring.json:
 * normaliser settings, classification taxonomies, score weights and the
 * dedup thresholds (as triage/dedup.h takes them). The loaded rules are
 * immutable and shared by every thread; each thread makes its own
 * triage_ctx (the stemmer keeps state). */
#ifndef INTAKE_TRIAGE_CTX_H
#define INTAKE_TRIAGE_CTX_H

#include "triage/classify.h"
#include "triage/dedup.h"
#include "triage/err.h"
#include "triage/normalize.h"
#include "triage/score.h"
#include "triage/similar.h"

struct triage_rules {
	struct normalize_config norm_cfg; /* arrays owned by the rules */
	struct classify_rules *classify;
	struct score_weights weights;
	struct similar_weights sim;
	struct dedup_rules dedup; /* auto-merge and suggest thresholds, suggestions kept */
	int candidates;    /* how many candidates retrieval returns */
	void *owned;       /* the parsed JSON the strings point into */
	const char **norm_arrays[4]; /* the arrays norm_cfg points at, owned */
	const char **kept[10]; /* keyword and label arrays the classify rules may point into */
};

/* Loads path; when path is NULL or does not exist, the copy compiled into the
 * binary. New rules or NULL with *err naming the key. */
struct triage_rules *triage_rules_load(const char *path, struct err *err)
    __attribute__((warn_unused_result));
void triage_rules_free(struct triage_rules *r);

/* What one thread uses: the shared rules, its own normaliser (the stemmer
 * keeps state) and its memo of candidate titles' trigram sets (a pure
 * function's results, valid across transactions: triage/trgm_cache.h).
 * What lives for one transaction is the ingest's (intake/ingest/ingest.h:
 * struct ingest_tx), never here. */
struct trgm_cache;

struct triage_ctx {
	const struct triage_rules *rules;
	struct normalizer *norm;
	struct trgm_cache *trgm;
};

int triage_ctx_init(struct triage_ctx *t, const struct triage_rules *rules, struct err *err)
    __attribute__((warn_unused_result));
void triage_ctx_cleanup(struct triage_ctx *t);

#endif
