/* triage/dedup.h - THE dedup decision: which idea a new mention belongs to.
 * Pure: no I/O, no database. Its callers (intake/ingest: one mention at a
 * time, and many at once) retrieve and verify the candidates (intake/dedup)
 * and write what it decides; the rule itself is written only here:
 *
 *   1. an explicit link (a comment's post, a tracked URL, a "duplicate of")
 *      wins outright;
 *   2. else the best verified candidate joins the mention to its idea when
 *      its strict similarity reaches the auto-merge threshold;
 *   3. else the mention founds a new idea, and the best candidates at or
 *      above the suggest threshold are kept as its near matches for a
 *      person to decide on. */
#ifndef TRIAGE_DEDUP_H
#define TRIAGE_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "triage/similar.h"

/* The most candidates a decision keeps (best first). */
#define DEDUP_MAX 10

/* A candidate idea as verification scored it. idea_id may be a caller's
 * placeholder (an idea not written yet): the decision only copies it. */
struct dedup_candidate {
	int64_t idea_id;
	struct sim_result r; /* its shared terms borrowed from the caller's query */
};

/* The thresholds of config/scoring.json's "dedup". */
struct dedup_rules {
	double auto_merge;    /* strict similarity at or above which a mention joins by itself */
	double suggest;       /* similarity at or above which an idea is offered as similar */
	int suggestions_kept; /* near matches kept for a new idea, 1..DEDUP_MAX */
};

enum dedup_kind {
	DEDUP_LINK,  /* an explicit link named the idea */
	DEDUP_MERGE, /* the best candidate is close enough to join */
	DEDUP_NEW    /* a new idea, with its near matches as suggestions */
};

/* What the caller knows of a mention: the idea an explicit link names (0:
 * none) and why (static text, e.g. "comment on its post"), and its
 * verified candidates cand[0..ncand), in the order retrieval gave them
 * (reordered in place: best first, those worth suggesting at the front). */
struct dedup_input {
	int64_t link;
	const char *link_why;
	struct dedup_candidate *cand;
	int ncand;
};

struct dedup_decision {
	enum dedup_kind kind;
	const char *method;  /* "explicit_link", "auto_merge", "new" (static) */
	int64_t idea_id;     /* the idea joined (LINK, MERGE); 0 for NEW */
	double similarity;   /* 1 for a link, the strict similarity of a merge, 0 for NEW */
	char *evidence;      /* why, as JSON text (new; NULL only when out of memory) */
	const struct dedup_candidate *sugg; /* NEW: near matches to keep, best first (borrowed from cand) */
	int nsugg;
};

/* Decides for one mention. Returns 0, or -1 when out of memory (nothing to
 * free then). Free the decision's evidence with dedup_decision_clear. */
int dedup_decide(const struct dedup_rules *rules, struct dedup_input *in,
		 struct dedup_decision *out) __attribute__((warn_unused_result));
void dedup_decision_clear(struct dedup_decision *d);

/* The evidence of a match as JSON text (new): {"similarity", "strict",
 * "all_terms", "title_terms", "shared": [...]}; NULL when out of memory. */
char *dedup_evidence_json(const struct sim_result *r);

#endif
