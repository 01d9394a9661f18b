/* intake/triage_ctx.h - the triage rules loaded from config/scoring.json:
 * normaliser settings, classification taxonomies, score weights and the
 * dedup thresholds (as triage/dedup.h takes them). The loaded rules are
 * immutable and shared by every thread; each thread makes its own
 * triage_ctx (the stemmer keeps state). */
#ifndef INTAKE_TRIAGE_CTX_H
#define INTAKE_TRIAGE_CTX_H

#include <stdbool.h>

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

/* Loads path (config's triage.scoring_file); with path NULL or "", the copy
 * of config/scoring.json compiled into the binary. A named file that is
 * missing or unreadable is an error naming it and the errno, invalid JSON one
 * naming its line and column: never a fall back to the built-in rules. New
 * rules or NULL with *err naming the key. */
struct triage_rules *triage_rules_load(const char *path, struct err *err)
    __attribute__((warn_unused_result));
void triage_rules_free(struct triage_rules *r);

/* What one thread uses: the shared rules, its own normaliser (the stemmer
 * keeps state) and its memo of candidate titles' trigram sets (a pure
 * function's results, valid across transactions: triage/trgm_cache.h).
 * What lives for one transaction is the ingest's (intake/ingest/ingest.h:
 * struct ingest_tx), never here. */
struct trgm_cache;
struct triage_live;
struct rules_ref;

struct triage_ctx {
	const struct triage_rules *rules;
	struct normalizer *norm;
	struct trgm_cache *trgm;
	struct triage_live *live; /* borrowed; NULL: rules are fixed for the context's life */
	struct rules_ref *ref;    /* live only: this context's reference to rules */
	unsigned long gen;        /* live only: the generation rules came from */
};

/* A context on rules (borrowed, must outlive it), fixed for its life. */
int triage_ctx_init(struct triage_ctx *t, const struct triage_rules *rules, struct err *err)
    __attribute__((warn_unused_result));
void triage_ctx_cleanup(struct triage_ctx *t);

/* Rules that can be replaced while threads use them (serve's SIGHUP). Each
 * thread's context keeps the rules it started a request or run with until
 * it calls triage_ctx_refresh at a safe point; replaced rules are freed when
 * the last context lets go of them. */
struct triage_live *triage_live_new(struct triage_rules *rules); /* takes ownership; NULL: OOM */
/* Makes rules (ownership taken, freed on failure) the newest: 0, -1 on OOM. */
int triage_live_publish(struct triage_live *l, struct triage_rules *rules)
    __attribute__((warn_unused_result));
void triage_live_free(struct triage_live *l); /* after every context on it is cleaned up */
/* True when r holds the same rules (the same JSON) as l's newest. For the one
 * thread that publishes. */
bool triage_live_same(struct triage_live *l, const struct triage_rules *r);

/* A context on the newest rules of l (borrowed, must outlive it). */
int triage_ctx_init_live(struct triage_ctx *t, struct triage_live *l, struct err *err)
    __attribute__((warn_unused_result));
/* At a safe point (no request or run in progress on this thread): adopts the
 * newest rules when l has newer ones. 0; -1 with *err keeping the old ones. A
 * no-op for a context made by triage_ctx_init. */
int triage_ctx_refresh(struct triage_ctx *t, struct err *err) __attribute__((warn_unused_result));

#endif
