/* triage/score.h - scoring of ideas against strategy. Pure: no I/O, no globals.
 *
 * score = srpf x bridge x runtime x demand x freshness x override, every
 * factor kept in the breakdown so the internal view can say why an idea ranks
 * where it does. Scores are absolute: an idea's score depends only on the
 * idea, its mentions and the weights, never on other ideas. */
#ifndef TRIAGE_SCORE_H
#define TRIAGE_SCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"
#include "triage/idea.h"
#include "triage/mention.h"

/* Every weight comes from config/scoring.json "score". */
struct score_weights {
	double srpf[CAT_LEN];   /* e.g. security 4, reliability 3, performance 2, feature 1 */
	double bridge_both;     /* serves VPN customers and platform users, e.g. 1.5 */
	double bridge_one;      /* serves one segment, e.g. 0.7 (the discount) */
	double bridge_unknown;  /* nothing says which, e.g. 0.85 */
	double table_stakes;    /* one segment but table stakes: replaces bridge_one, e.g. 1.0 */
	double runtime[RT_LEN]; /* client e.g. 0.85 (slow to reach users), cloud 1.0, both 0.9 */
	/* demand */
	double requester_cap;   /* most any one requester can weigh, e.g. 3 */
	double comment_weight;  /* a requester who only commented, e.g. 0.5 */
	double employee_weight; /* an employee requester, e.g. 0.8 (proximity bias) */
	double arr_unit;        /* customer ARR scale in dollars, e.g. 50000 */
	double arr_weight;      /* customer weight = 1 + arr_weight * log2(1 + arr / arr_unit) */
	double source_bonus;    /* per source beyond the first, e.g. 0.25 */
	double vote_weight;     /* votes: vote_weight * log2(1 + votes) ... */
	double vote_cap;        /* ... at most this much, e.g. 1 */
	/* freshness */
	double half_life_days; /* e.g. 180 */
	double fresh_floor;    /* an old idea keeps at least this factor, e.g. 0.5 */
};

/* One distinct requester of an idea (all their live mentions folded). */
struct requester {
	enum author_kind kind;
	enum source source;
	int64_t arr;  /* customer account ARR, dollars; <= 0 unknown */
	int posts;    /* live posts (issues, posts, notes, form ideas) */
	int comments; /* live comments */
};

struct score_input {
	enum category category;
	int segments; /* SEG_VPN | SEG_PLATFORM */
	enum runtime runtime;
	bool table_stakes;
	double override; /* a person's multiplier; 1.0 when none */
	const struct requester *req;
	int nreq;
	int nsources; /* distinct sources with live mentions */
	int votes;    /* summed upvotes / reactions of live mentions */
	int64_t last_activity; /* Unix seconds of the newest live mention */
	int64_t now;
};

#define SCORE_MAX_FACTORS 8

struct score_factor {
	const char *name; /* static: "srpf", "bridge", "runtime", "demand", "freshness", "override" */
	double value;
	char note[120];   /* e.g. "security", "bridge: vpn+platform", "5 requesters, 2 sources, ARR $1.2M" */
};

struct score {
	double total; /* the product of the factors */
	struct score_factor f[SCORE_MAX_FACTORS];
	int n;
};

/* Fills *out; -1 with *err only for invalid input (negative counts). */
int score_compute(const struct score_weights *w, const struct score_input *in, struct score *out,
		  struct err *err) __attribute__((warn_unused_result));

/* The factor called name in s, or NULL. */
const struct score_factor *score_factor(const struct score *s, const char *name);

#endif
