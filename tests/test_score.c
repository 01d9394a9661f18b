/* Scoring: the strategy questions the score must answer the right way round
 * (SRPF order, bridge bonus, table stakes, honest demand against loud
 * posters, upvote swarms and big logos, freshness), and the breakdown
 * contract (named factors, in order, multiplying to the total). Pure: no
 * server, no database. Weights are the config/scoring.json defaults, fixed
 * here so a config edit cannot silently change what these tests mean. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "triage/score.h"

#define DAY 86400
#define NOW 1767225600 /* 2026-01-01 */

static const struct score_weights W = {
    .srpf = {[CAT_SECURITY] = 4, [CAT_RELIABILITY] = 3, [CAT_PERFORMANCE] = 2, [CAT_FEATURE] = 1},
    .bridge_both = 1.5,
    .bridge_one = 0.7,
    .bridge_unknown = 0.85,
    .table_stakes = 1.0,
    .runtime = {[RT_CLIENT] = 0.85, [RT_CLOUD] = 1.0, [RT_BOTH] = 0.9},
    .requester_cap = 3,
    .comment_weight = 0.5,
    .employee_weight = 0.8,
    .arr_unit = 50000,
    .arr_weight = 0.5,
    .source_bonus = 0.25,
    .vote_weight = 0.15,
    .vote_cap = 1.0,
    .half_life_days = 180,
    .fresh_floor = 0.5,
};

static const struct requester ONE_POSTER[] = {{AUTHOR_COMMUNITY, SRC_GITHUB, 0, 1, 0}};
static const struct requester THREE_ON_THREE[] = {
    {AUTHOR_COMMUNITY, SRC_GITHUB, 0, 1, 0},
    {AUTHOR_COMMUNITY, SRC_REDDIT, 0, 1, 0},
    {AUTHOR_CUSTOMER, SRC_SALES, 0, 1, 0},
};

/* A plain, fresh, one-requester feature idea; tests change what they test. */
static struct score_input base_input(void)
{
	return (struct score_input){
	    .category = CAT_FEATURE,
	    .segments = SEG_VPN,
	    .runtime = RT_CLOUD,
	    .override = 1.0,
	    .req = ONE_POSTER,
	    .nreq = 1,
	    .nsources = 1,
	    .votes = 0,
	    .last_activity = NOW,
	    .now = NOW,
	};
}

static struct score score_ok(const struct score_input *in)
{
	struct score s;
	struct err err = {0};
	int rc = score_compute(&W, in, &s, &err);
	cr_assert_eq(rc, 0, "score_compute failed: %s: %s", err.field, err.msg);
	return s;
}

static double factor(const struct score *s, const char *name)
{
	const struct score_factor *f = score_factor(s, name);
	cr_assert_not_null(f, "no factor %s", name);
	return f->value;
}

static double demand_of(const struct score_input *in)
{
	struct score s = score_ok(in);
	return factor(&s, "demand");
}

Test(score, security_outranks_feature_with_same_demand)
{
	struct score_input feat = base_input(), sec = base_input();
	sec.category = CAT_SECURITY;
	struct score a = score_ok(&sec), b = score_ok(&feat);
	cr_expect_gt(a.total, b.total);
	cr_expect_float_eq(a.total / b.total, 4.0, 1e-12);
}

Test(score, srpf_order_is_strict)
{
	double prev = INFINITY;
	for (int c = CAT_SECURITY; c < CAT_LEN; c++) {
		struct score_input in = base_input();
		in.category = (enum category)c;
		struct score s = score_ok(&in);
		cr_expect_lt(s.total, prev, "%s should rank below the category before it",
		             category_name((enum category)c));
		prev = s.total;
	}
}

Test(score, fifty_comments_by_one_person_rank_below_five_customers_once)
{
	const struct requester loud[] = {{AUTHOR_COMMUNITY, SRC_GITHUB, 0, 1, 49}};
	struct requester five[5];
	for (int i = 0; i < 5; i++)
		five[i] = (struct requester){AUTHOR_CUSTOMER, SRC_SALES, 0, 1, 0};
	struct score_input a = base_input(), b = base_input();
	a.req = loud;
	a.nreq = 1;
	b.req = five;
	b.nreq = 5;
	cr_expect_lt(score_ok(&a).total, score_ok(&b).total);
	/* Fifty comments weigh the same as one post: people count, not messages. */
	struct score_input once = base_input();
	cr_expect_float_eq(demand_of(&a), demand_of(&once), 1e-12);
}

Test(score, commenters_count_less_than_posters)
{
	const struct requester commenter[] = {{AUTHOR_COMMUNITY, SRC_GITHUB, 0, 0, 3}};
	struct score_input a = base_input(), b = base_input();
	a.req = commenter;
	cr_expect_lt(demand_of(&a), demand_of(&b));
	cr_expect_gt(demand_of(&a), 0.0);
	cr_expect_float_eq(demand_of(&a), log2(1.0 + W.comment_weight), 1e-12);
}

Test(score, employee_counts_less_than_community)
{
	const struct requester emp[] = {{AUTHOR_EMPLOYEE, SRC_EMPLOYEE, 0, 1, 0}};
	struct score_input a = base_input(), b = base_input();
	a.req = emp;
	cr_expect_float_eq(demand_of(&a), log2(1.0 + W.employee_weight), 1e-12);
	cr_expect_lt(demand_of(&a), demand_of(&b));
}

Test(score, bridge_outranks_one_segment)
{
	struct score_input one = base_input(), both = base_input(), unknown = base_input();
	both.segments = SEG_VPN | SEG_PLATFORM;
	unknown.segments = 0;
	struct score s1 = score_ok(&one), s2 = score_ok(&both), s0 = score_ok(&unknown);
	cr_expect_gt(s2.total, s1.total);
	cr_expect_gt(s2.total, s0.total);
	cr_expect_gt(s0.total, s1.total, "unknown is discounted less than known one-segment");
	cr_expect_str_eq(score_factor(&s2, "bridge")->note, "bridge: vpn+platform");
	cr_expect_float_eq(factor(&s1, "bridge"), W.bridge_one, 1e-12);
	cr_expect_float_eq(factor(&s0, "bridge"), W.bridge_unknown, 1e-12);
}

Test(score, table_stakes_one_segment_is_not_discounted)
{
	static const int segs[] = {SEG_VPN, SEG_PLATFORM};
	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
		struct score_input ts = base_input(), plain = base_input();
		ts.segments = plain.segments = segs[i];
		ts.table_stakes = true;
		struct score a = score_ok(&ts), b = score_ok(&plain);
		/* Not discounted: the bridge factor is neutral (1.0), so the total is
		 * exactly the product of the other factors... */
		cr_expect_float_eq(factor(&a, "bridge"), 1.0, 1e-12);
		double others = factor(&a, "srpf") * factor(&a, "runtime") * factor(&a, "demand") *
		                factor(&a, "freshness");
		cr_expect_float_eq(a.total, others, 1e-12);
		/* ... and above both the discounted and the unknown-segment idea. */
		cr_expect_gt(a.total, b.total);
		struct score_input unknown = base_input();
		unknown.segments = 0;
		cr_expect_gt(a.total, score_ok(&unknown).total);
		cr_expect(strstr(score_factor(&a, "bridge")->note, "table stakes"));
	}
	/* Table stakes means nothing for a bridge idea: it keeps its bonus. */
	struct score_input both = base_input();
	both.segments = SEG_VPN | SEG_PLATFORM;
	both.table_stakes = true;
	struct score s = score_ok(&both);
	cr_expect_float_eq(factor(&s, "bridge"), W.bridge_both, 1e-12);
}

Test(score, override_multiplies_and_appears_only_when_set)
{
	struct score_input in = base_input();
	struct score plain = score_ok(&in);
	cr_expect_null(score_factor(&plain, "override"));
	in.override = 2.5;
	struct score o = score_ok(&in);
	cr_expect_float_eq(o.total, plain.total * 2.5, 1e-12);
	cr_expect_float_eq(factor(&o, "override"), 2.5, 0);
	cr_expect_str_eq(o.f[o.n - 1].name, "override");
	in.override = 0.0; /* a person can bury an idea */
	cr_expect_float_eq(score_ok(&in).total, 0.0, 0);
}

/* Table of varied inputs: the breakdown is complete, in order, and
 * multiplies (in that order) to exactly the stored total. */
Test(score, factors_multiply_to_total)
{
	const struct requester mix[] = {
	    {AUTHOR_CUSTOMER, SRC_SALES, 1200000, 1, 0}, {AUTHOR_CUSTOMER, SRC_SALES, 80000, 0, 2},
	    {AUTHOR_EMPLOYEE, SRC_EMPLOYEE, 0, 1, 0},    {AUTHOR_COMMUNITY, SRC_REDDIT, 0, 1, 4},
	    {AUTHOR_COMMUNITY, SRC_GITHUB, 0, 0, 1},
	};
	const struct {
		enum category cat;
		int seg;
		enum runtime rt;
		bool ts;
		double override;
		int nreq, nsources, votes;
		int age_days;
	} cases[] = {
	    {CAT_SECURITY, SEG_VPN, RT_CLIENT, false, 1.0, 5, 4, 120, 0},
	    {CAT_RELIABILITY, SEG_VPN | SEG_PLATFORM, RT_BOTH, false, 1.7, 3, 2, 7, 40},
	    {CAT_PERFORMANCE, SEG_PLATFORM, RT_CLOUD, true, 0.5, 1, 1, 0, 400},
	    {CAT_FEATURE, 0, RT_CLIENT, false, 1.0, 2, 1, 5000, 3000},
	    {CAT_FEATURE, SEG_VPN, RT_CLOUD, false, 3.0, 0, 0, 10, 1},
	};
	static const char *const order[] = {"srpf",   "bridge",    "runtime",
	                                    "demand", "freshness", "override"};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct score_input in = base_input();
		in.category = cases[i].cat;
		in.segments = cases[i].seg;
		in.runtime = cases[i].rt;
		in.table_stakes = cases[i].ts;
		in.override = cases[i].override;
		in.req = mix;
		in.nreq = cases[i].nreq;
		in.nsources = cases[i].nsources;
		in.votes = cases[i].votes;
		in.last_activity = NOW - (int64_t)cases[i].age_days * DAY;
		struct score s = score_ok(&in);
		cr_expect_eq(s.n, cases[i].override != 1.0 ? 6 : 5, "case %zu", i);
		double product = 1.0;
		for (int k = 0; k < s.n; k++) {
			cr_expect_str_eq(s.f[k].name, order[k], "case %zu factor %d", i, k);
			cr_expect_neq(s.f[k].note[0], '\0', "case %zu: %s has no note", i,
			              s.f[k].name);
			product *= s.f[k].value;
		}
		cr_expect_eq(product, s.total, "case %zu: %.17g != %.17g", i, product, s.total);
		cr_expect_gt(s.total, 0.0, "case %zu", i);
	}
}

Test(score, reddit_upvote_swarm_does_not_outrank_three_independent_requesters)
{
	struct score_input swarm = base_input(), three = base_input();
	swarm.votes = 5000;
	three.req = THREE_ON_THREE;
	three.nreq = 3;
	three.nsources = 3;
	cr_expect_lt(score_ok(&swarm).total, score_ok(&three).total);
	/* Votes help, but at most vote_cap. */
	struct score_input none = base_input();
	cr_expect_float_eq(demand_of(&swarm) - demand_of(&none), W.vote_cap, 1e-12);
	struct score_input few = base_input();
	few.votes = 10;
	cr_expect_gt(demand_of(&few), demand_of(&none));
	cr_expect_lt(demand_of(&few), demand_of(&swarm));
}

Test(score, more_sources_earn_a_bonus)
{
	struct score_input one = base_input(), three = base_input();
	one.req = three.req = THREE_ON_THREE;
	one.nreq = three.nreq = 3;
	three.nsources = 3;
	cr_expect_float_eq(demand_of(&three) / demand_of(&one), 1.0 + 2 * W.source_bonus, 1e-12);
}

Test(score, arr_helps_with_diminishing_returns_and_a_cap)
{
	static const int64_t arrs[] = {0, 10000, 100000, 1000000, 10000000, 100000000};
	double w[6];
	for (int i = 0; i < 6; i++) {
		const struct requester r[] = {{AUTHOR_CUSTOMER, SRC_SALES, arrs[i], 1, 0}};
		struct score_input in = base_input();
		in.req = r;
		/* demand = log2(1 + weight) for one requester on one source */
		w[i] = exp2(demand_of(&in)) - 1.0;
	}
	cr_expect_float_eq(w[0], 1.0, 1e-9, "unknown ARR weighs like anyone else");
	for (int i = 1; i < 4; i++)
		cr_expect_gt(w[i], w[i - 1], "more ARR should help (%lld)", (long long)arrs[i]);
	/* 10x the ARR is far less than 10x the weight. */
	cr_expect_lt(w[3], 10 * w[2]);
	cr_expect_lt(w[2], 10 * w[1]);
	cr_expect_lt(w[3] - w[2], 10 * (w[2] - w[1]));
	/* Capped: past the cap, more ARR changes nothing. */
	cr_expect_float_eq(w[4], W.requester_cap, 1e-9);
	cr_expect_float_eq(w[5], W.requester_cap, 1e-9);
	/* One very big logo does not beat three independent requesters on three sources. */
	const struct requester big[] = {{AUTHOR_CUSTOMER, SRC_SALES, 100000000, 1, 0}};
	struct score_input logo = base_input(), three = base_input();
	logo.req = big;
	three.req = THREE_ON_THREE;
	three.nreq = 3;
	three.nsources = 3;
	cr_expect_lt(demand_of(&logo), demand_of(&three));
}

Test(score, demand_note_is_readable)
{
	const struct requester r[] = {
	    {AUTHOR_CUSTOMER, SRC_SALES, 1000000, 1, 0},
	    {AUTHOR_CUSTOMER, SRC_SALES, 200000, 1, 0},
	    {AUTHOR_COMMUNITY, SRC_GITHUB, 0, 1, 0},
	    {AUTHOR_COMMUNITY, SRC_REDDIT, 0, 0, 2},
	    {AUTHOR_EMPLOYEE, SRC_EMPLOYEE, 0, 1, 0},
	    {AUTHOR_COMMUNITY, SRC_GITHUB, 0, 0, 0}, /* deleted everything: not live */
	};
	struct score_input in = base_input();
	in.req = r;
	in.nreq = 6;
	in.nsources = 3;
	in.votes = 120;
	struct score s = score_ok(&in);
	cr_expect_str_eq(score_factor(&s, "demand")->note,
	                 "5 requesters (2 customers, ARR $1.2M), 3 sources, 120 votes");
	cr_expect_str_eq(score_factor(&s, "srpf")->note, "feature");
	cr_expect_str_eq(score_factor(&s, "runtime")->note, "cloud");
}

Test(score, no_live_requesters_and_no_votes_scores_zero)
{
	const struct requester gone[] = {{AUTHOR_COMMUNITY, SRC_GITHUB, 0, 0, 0},
	                                 {AUTHOR_CUSTOMER, SRC_SALES, 500000, 0, 0}};
	struct score_input in = base_input();
	in.category = CAT_SECURITY;
	in.segments = SEG_VPN | SEG_PLATFORM;
	in.req = gone;
	in.nreq = 2;
	in.nsources = 2;
	cr_expect_eq(score_ok(&in).total, 0.0);
	in.nreq = 0;
	in.req = NULL;
	in.nsources = 0;
	cr_expect_eq(score_ok(&in).total, 0.0);
}

Test(score, freshness_decays_and_floors)
{
	const struct {
		int64_t age_days;
		double want;
	} cases[] = {
	    {0, 1.0},
	    {180, 0.75},  /* one half-life: halfway to the floor */
	    {360, 0.625}, /* two */
	    {18000, 0.5}, /* floored */
	};
	double prev = 2.0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct score_input in = base_input();
		in.last_activity = NOW - cases[i].age_days * DAY;
		struct score s = score_ok(&in);
		double f = factor(&s, "freshness");
		cr_expect_float_eq(f, cases[i].want, 1e-9, "age %lld",
		                   (long long)cases[i].age_days);
		cr_expect_lt(f, prev);
		cr_expect_geq(f, W.fresh_floor);
		prev = f;
	}
	/* Activity in the future (clock skew) is never fresher than new. */
	struct score_input in = base_input();
	in.last_activity = NOW + 30 * DAY;
	struct score s = score_ok(&in);
	cr_expect_float_eq(factor(&s, "freshness"), 1.0, 0);
	/* Unknown activity time is treated as old, not as new. */
	in.last_activity = 0;
	s = score_ok(&in);
	cr_expect_float_eq(factor(&s, "freshness"), W.fresh_floor, 0);
}

Test(score, runtime_client_weighs_less_than_cloud)
{
	struct score_input cl = base_input(), cd = base_input(), both = base_input();
	cl.runtime = RT_CLIENT;
	both.runtime = RT_BOTH;
	double a = score_ok(&cl).total, b = score_ok(&cd).total, c = score_ok(&both).total;
	cr_expect_lt(a, c);
	cr_expect_lt(c, b);
}

/* Scores are absolute: the same input always gives the same score, bit for
 * bit, and nothing outside the input (another idea scored in between) can
 * change it. */
Test(score, deterministic_and_absolute)
{
	struct score_input in = base_input();
	in.req = THREE_ON_THREE;
	in.nreq = 3;
	in.nsources = 3;
	in.votes = 42;
	in.last_activity = NOW - 77 * DAY;
	struct score a = score_ok(&in);
	struct score_input other = base_input();
	other.category = CAT_SECURITY;
	other.votes = 99999;
	(void)score_ok(&other);
	struct score b = score_ok(&in);
	cr_expect_eq(a.total, b.total);
	cr_expect_eq(a.n, b.n);
	for (int i = 0; i < a.n; i++) {
		cr_expect_eq(a.f[i].value, b.f[i].value);
		cr_expect_str_eq(a.f[i].note, b.f[i].note);
	}
}

Test(score, invalid_input_is_an_error_and_leaves_out_alone)
{
	const struct requester neg[] = {{AUTHOR_COMMUNITY, SRC_GITHUB, 0, -1, 0}};
	const struct {
		const char *what;
		int nreq, nsources, votes;
		const struct requester *req;
		double override;
	} cases[] = {
	    {"negative nreq", -1, 1, 0, ONE_POSTER, 1.0},
	    {"negative sources", 1, -1, 0, ONE_POSTER, 1.0},
	    {"negative votes", 1, 1, -5, ONE_POSTER, 1.0},
	    {"negative posts", 1, 1, 0, neg, 1.0},
	    {"missing requesters", 2, 1, 0, NULL, 1.0},
	    {"negative override", 1, 1, 0, ONE_POSTER, -1.0},
	    {"nan override", 1, 1, 0, ONE_POSTER, NAN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct score_input in = base_input();
		in.nreq = cases[i].nreq;
		in.nsources = cases[i].nsources;
		in.votes = cases[i].votes;
		in.req = cases[i].req;
		in.override = cases[i].override;
		struct score s = {.total = 123.0, .n = 0};
		struct err err = {0};
		cr_expect_eq(score_compute(&W, &in, &s, &err), -1, "%s", cases[i].what);
		cr_expect_neq(err.msg[0], '\0', "%s", cases[i].what);
		cr_expect_eq(s.total, 123.0, "%s: out written on failure", cases[i].what);
	}
}

