/* The dedup decision (triage/dedup.h), table-driven: pure, no database.
 * Candidates and their scores in, a decision with its evidence out. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "triage/dedup.h"

static const struct dedup_rules RULES = {.auto_merge = 0.8, .suggest = 0.4, .suggestions_kept = 3};

static struct dedup_candidate cand(int64_t id, double score, double strict)
{
	return (struct dedup_candidate){.idea_id = id, .r = {.score = score, .strict = strict}};
}

Test(dedup, an_explicit_link_wins_over_any_candidate)
{
	struct dedup_candidate c[] = {cand(7, 0.99, 0.99)};
	struct dedup_input in = {.link = 42, .link_why = "comment on its post", .cand = c, .ncand = 1};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_LINK);
	cr_expect_str_eq(d.method, "explicit_link");
	cr_expect_eq(d.idea_id, 42);
	cr_expect_eq(d.similarity, 1.0);
	cr_expect_str_eq(d.evidence, "{\"link\":\"comment on its post\"}");
	dedup_decision_clear(&d);
}

Test(dedup, the_best_candidate_merges_when_its_strict_similarity_reaches_the_threshold)
{
	/* retrieval's order is not the ranking: the best is found */
	struct dedup_candidate c[] = {cand(1, 0.5, 0.5), cand(2, 0.9, 0.85), cand(3, 0.3, 0.3)};
	struct dedup_input in = {.cand = c, .ncand = 3};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_MERGE);
	cr_expect_str_eq(d.method, "auto_merge");
	cr_expect_eq(d.idea_id, 2);
	cr_expect_float_eq(d.similarity, 0.85, 1e-12);
	cr_expect(strstr(d.evidence, "\"similarity\":0.9000"), "%s", d.evidence);
	cr_expect(strstr(d.evidence, "\"strict\":0.8500"), "%s", d.evidence);
	dedup_decision_clear(&d);
}

Test(dedup, a_high_score_with_a_low_strict_similarity_only_suggests)
{
	/* the score ranks; the strict similarity (stored norms) decides a merge */
	struct dedup_candidate c[] = {cand(5, 0.95, 0.7)};
	struct dedup_input in = {.cand = c, .ncand = 1};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_NEW);
	cr_expect_eq(d.nsugg, 1);
	cr_expect_eq(d.sugg[0].idea_id, 5);
	cr_expect_str_eq(d.evidence, "{\"suggested\":true}");
	dedup_decision_clear(&d);
}

Test(dedup, a_new_idea_keeps_its_best_near_matches_above_the_suggest_threshold)
{
	struct dedup_candidate c[] = {cand(1, 0.45, 0.4), cand(2, 0.1, 0.1), cand(3, 0.7, 0.6),
				      cand(4, 0.5, 0.5),  cand(5, 0.6, 0.5), cand(6, 0.39, 0.39)};
	struct dedup_input in = {.cand = c, .ncand = 6};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_NEW);
	cr_expect_str_eq(d.method, "new");
	cr_expect_eq(d.idea_id, 0);
	cr_expect_eq(d.similarity, 0);
	cr_assert_eq(d.nsugg, 3, "suggestions_kept bounds them");
	int64_t want[] = {3, 5, 4};
	for (int i = 0; i < 3; i++)
		cr_expect_eq(d.sugg[i].idea_id, want[i], "%d", i);
	dedup_decision_clear(&d);
}

Test(dedup, no_candidate_founds_a_plain_new_idea)
{
	struct dedup_input in = {0};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_NEW);
	cr_expect_eq(d.nsugg, 0);
	cr_expect_str_eq(d.evidence, "{}");
	dedup_decision_clear(&d);
}

Test(dedup, candidates_below_the_suggest_threshold_count_as_none)
{
	struct dedup_candidate c[] = {cand(1, 0.2, 0.9), cand(2, 0.39, 0.39)};
	struct dedup_input in = {.cand = c, .ncand = 2};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&RULES, &in, &d), 0);
	cr_expect_eq(d.kind, DEDUP_NEW, "a strict match that is not worth suggesting does not merge");
	cr_expect_eq(d.nsugg, 0);
	cr_expect_str_eq(d.evidence, "{}");
	dedup_decision_clear(&d);
}

Test(dedup, at_most_dedup_max_candidates_are_ranked)
{
	struct dedup_candidate c[DEDUP_MAX + 5];
	for (int i = 0; i < DEDUP_MAX + 5; i++)
		c[i] = cand(i + 1, 0.41 + i * 0.01, 0.41);
	struct dedup_rules keep_all = RULES;
	keep_all.suggestions_kept = DEDUP_MAX + 5;
	struct dedup_input in = {.cand = c, .ncand = DEDUP_MAX + 5};
	struct dedup_decision d;
	cr_assert_eq(dedup_decide(&keep_all, &in, &d), 0);
	cr_expect_eq(d.nsugg, DEDUP_MAX);
	cr_expect_eq(d.sugg[0].idea_id, DEDUP_MAX + 5, "best first");
	dedup_decision_clear(&d);
}

Test(dedup, evidence_escapes_the_shared_terms)
{
	struct sim_result r = {.score = 0.5, .strict = 0.25, .cos_all = 1, .cos_title = 0,
			       .shared = {"a\"b", "c\\d"}, .nshared = 2};
	char *j = dedup_evidence_json(&r);
	cr_expect_str_eq(j, "{\"similarity\":0.5000,\"strict\":0.2500,\"all_terms\":1.0000,"
			    "\"title_terms\":0.0000,\"shared\":[\"a\\\"b\",\"c\\\\d\"]}");
	free(j);
}
