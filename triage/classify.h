/* triage/classify.h - SRPF category, segments and runtime of an idea from its
 * text and source labels. Rules and keyword taxonomies come from config
 * (config/scoring.json "classify"); nothing is hard-coded. Pure. */
#ifndef TRIAGE_CLASSIFY_H
#define TRIAGE_CLASSIFY_H

#include <stdbool.h>

#include "triage/err.h"
#include "triage/idea.h"
#include "triage/normalize.h"

/* Keyword lists are NULL-terminated phrases of one or more words, written
 * plainly ("exit node", "device posture"); they are normalised with the same
 * normalizer as the text, so "exit nodes" in a text matches "exit node". */
struct classify_config {
	const char *const *category_keywords[CAT_LEN]; /* [CAT_FEATURE] is unused (NULL) */
	const char *const *vpn;      /* VPN customers: humans reaching resources */
	const char *const *platform; /* platform users: workloads reaching workloads */
	const char *const *bridge;   /* serves both: services, workload identity, multiple tailnets */
	const char *const *client;   /* needs a client release */
	const char *const *cloud;    /* cloud side only */
	/* source labels (lowercase) -> a class name: a category ("security",
	 * "reliability", "performance", "feature"), "vpn", "platform", "bridge",
	 * "client" or "cloud". Both NULL-terminated, same length. */
	const char *const *label_from;
	const char *const *label_to;
	double title_weight; /* a keyword in the title counts this many times (e.g. 2) */
	double label_weight; /* a mapped label counts this many keyword hits (e.g. 3) */
	double min_hits;     /* a category needs at least this much evidence, else feature */
};

struct classify_rules;

/* n is borrowed only during the call. */
struct classify_rules *classify_rules_new(const struct classify_config *cfg, struct normalizer *n,
					  struct err *err) __attribute__((warn_unused_result));
void classify_rules_free(struct classify_rules *r); /* accepts NULL */

struct classify_input {
	const struct tokens *title; /* normalised tokens of the title(s) */
	const struct tokens *body;  /* normalised tokens of the body text(s) */
	const char *const *labels;  /* source labels, lowercase; may be NULL */
	int nlabels;
};

struct classification {
	enum category category;
	int segments; /* SEG_VPN | SEG_PLATFORM bits; 0 when nothing says */
	enum runtime runtime;
	double evidence[CAT_LEN]; /* keyword weight found per category */
	char why[512];            /* e.g. "security: mfa, sso (label security); vpn: exit node; client: macos" */
};

/* Classifies; never fails. Ties between categories go to the one first in
 * SRPF order. Runtime: client evidence and cloud evidence -> both; client
 * only -> client; otherwise cloud. A bridge keyword sets both segments. */
void classify(const struct classify_rules *r, const struct classify_input *in,
	      struct classification *out);

#endif
