/* triage/score.h - scoring of ideas. Pure: no I/O, no globals. */
#ifndef TRIAGE_SCORE_H
#define TRIAGE_SCORE_H

#include <stdint.h>

/* What an idea's mentions add up to; deleted mentions are not counted. */
struct demand {
	int requesters; /* distinct requesters: a person, or a customer account */
	int sources;    /* distinct sources asking */
	int mentions;
	int64_t arr;    /* summed ARR of distinct customer accounts, dollars */
	int votes;
};

/* Demand factor: distinct requesters with diminishing returns (log), a bonus
 * for each further source. Zero requesters give zero. */
double score_demand(const struct demand *d);

#endif
