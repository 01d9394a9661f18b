/* triage/score.c - an idea's score as a product of named factors.
 *
 * Every factor lands in the breakdown with a note a person can read, and the
 * total is computed as exactly the product of the stored factor values, in
 * order, so the breakdown always explains the total. Nothing here looks at
 * other ideas: scores are absolute. */
#include "triage/score.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400.0

static double min_d(double a, double b)
{
	return a < b ? a : b;
}

/* Appends a factor; n never exceeds SCORE_MAX_FACTORS (we add at most six). */
static struct score_factor *add_factor(struct score *s, const char *name, double value)
{
	struct score_factor *f = &s->f[s->n++];
	f->name = name;
	f->value = value;
	f->note[0] = '\0';
	return f;
}

/* "$1.2M", "$350k", "$900": short enough for a note. */
static void fmt_money(char *buf, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(buf, n, "$%.1fB", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, n, "$%.1fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, n, "$%.0fk", v / 1e3);
	else
		snprintf(buf, n, "$%.0f", v);
}

/* One requester's weight: who they are, whether they only commented, capped.
 * A requester with no live post or comment weighs nothing. */
static double requester_weight(const struct score_weights *w, const struct requester *r)
{
	if (r->posts <= 0 && r->comments <= 0)
		return 0.0;
	double weight = 1.0;
	if (r->kind == AUTHOR_EMPLOYEE)
		weight = w->employee_weight;
	else if (r->kind == AUTHOR_CUSTOMER && r->arr > 0 && w->arr_unit > 0)
		weight = 1.0 + w->arr_weight * log2(1.0 + (double)r->arr / w->arr_unit);
	if (r->posts <= 0)
		weight *= w->comment_weight;
	/* The cap is what makes one big account or one loud person unable to
	 * outweigh a few independent requesters on its own. */
	if (w->requester_cap > 0)
		weight = min_d(weight, w->requester_cap);
	return weight < 0 ? 0.0 : weight;
}

static void demand_factor(const struct score_weights *w, const struct score_input *in,
                          struct score *s)
{
	double sum = 0, arr = 0;
	int live = 0, customers = 0;
	for (int i = 0; i < in->nreq; i++) {
		const struct requester *r = &in->req[i];
		if (r->posts <= 0 && r->comments <= 0)
			continue;
		live++;
		sum += requester_weight(w, r);
		if (r->kind == AUTHOR_CUSTOMER) {
			customers++;
			if (r->arr > 0)
				arr += (double)r->arr;
		}
	}
	double value = 0;
	if (live > 0) {
		int extra = in->nsources > 1 ? in->nsources - 1 : 0;
		value = log2(1.0 + sum) * (1.0 + w->source_bonus * extra);
	}
	if (in->votes > 0)
		value += min_d(w->vote_cap, w->vote_weight * log2(1.0 + in->votes));
	struct score_factor *f = add_factor(s, "demand", value);

	char money[32] = "";
	if (arr > 0) {
		char m[24];
		fmt_money(m, sizeof(m), arr);
		snprintf(money, sizeof(money), ", ARR %s", m);
	}
	char who[64] = "";
	if (customers > 0)
		snprintf(who, sizeof(who), " (%d customer%s%s)", customers,
		         customers == 1 ? "" : "s", money);
	snprintf(f->note, sizeof(f->note), "%d requester%s%s, %d source%s, %d vote%s", live,
	         live == 1 ? "" : "s", who, in->nsources, in->nsources == 1 ? "" : "s", in->votes,
	         in->votes == 1 ? "" : "s");
}

static void freshness_factor(const struct score_weights *w, const struct score_input *in,
                             struct score *s)
{
	double floor_ = w->fresh_floor;
	if (in->last_activity <= 0) {
		/* Unknown age: neither reward nor trust it; treat it as old. */
		struct score_factor *f = add_factor(s, "freshness", floor_);
		snprintf(f->note, sizeof(f->note), "last activity unknown");
		return;
	}
	/* A clock skew or a future-dated mention must not make an idea "fresher
	 * than new": the age never goes below zero. */
	double age = in->now > in->last_activity
	                 ? (double)(in->now - in->last_activity) / SECONDS_PER_DAY
	                 : 0.0;
	double decay = w->half_life_days > 0 ? pow(0.5, age / w->half_life_days) : 1.0;
	struct score_factor *f = add_factor(s, "freshness", floor_ + (1.0 - floor_) * decay);
	snprintf(f->note, sizeof(f->note), "last activity %.0f day%s ago (half-life %.0f days)",
	         floor(age), floor(age) == 1 ? "" : "s", w->half_life_days);
}

static void bridge_factor(const struct score_weights *w, const struct score_input *in,
                          struct score *s)
{
	bool vpn = in->segments & SEG_VPN, platform = in->segments & SEG_PLATFORM;
	struct score_factor *f;
	if (vpn && platform) {
		f = add_factor(s, "bridge", w->bridge_both);
		snprintf(f->note, sizeof(f->note), "bridge: vpn+platform");
	} else if (vpn || platform) {
		const char *seg = vpn ? "vpn" : "platform";
		if (in->table_stakes) {
			f = add_factor(s, "bridge", w->table_stakes);
			snprintf(f->note, sizeof(f->note), "%s only, table stakes", seg);
		} else {
			f = add_factor(s, "bridge", w->bridge_one);
			snprintf(f->note, sizeof(f->note), "%s only", seg);
		}
	} else {
		f = add_factor(s, "bridge", w->bridge_unknown);
		snprintf(f->note, sizeof(f->note), "segment unknown");
	}
}

static int check_input(const struct score_input *in, struct err *err)
{
	if ((unsigned)in->category >= CAT_LEN)
		return err_set_field(err, "category", "unknown category %d", (int)in->category);
	if ((unsigned)in->runtime >= RT_LEN)
		return err_set_field(err, "runtime", "unknown runtime %d", (int)in->runtime);
	if (in->nreq < 0 || (in->nreq > 0 && !in->req))
		return err_set_field(err, "requesters", "invalid requester list (%d)", in->nreq);
	if (in->nsources < 0)
		return err_set_field(err, "sources", "negative source count %d", in->nsources);
	if (in->votes < 0)
		return err_set_field(err, "votes", "negative vote count %d", in->votes);
	if (!isfinite(in->override) || in->override < 0)
		return err_set_field(err, "override", "override must be a number >= 0");
	for (int i = 0; i < in->nreq; i++)
		if (in->req[i].posts < 0 || in->req[i].comments < 0)
			return err_set_field(err, "requesters",
			                     "requester %d has a negative post or comment count",
			                     i);
	return 0;
}

int score_compute(const struct score_weights *w, const struct score_input *in, struct score *out,
                  struct err *err)
{
	if (check_input(in, err) < 0)
		return -1;

	struct score s = {0};
	struct score_factor *f = add_factor(&s, "srpf", w->srpf[in->category]);
	snprintf(f->note, sizeof(f->note), "%s", category_name(in->category));
	bridge_factor(w, in, &s);
	f = add_factor(&s, "runtime", w->runtime[in->runtime]);
	snprintf(f->note, sizeof(f->note), "%s", runtime_name(in->runtime));
	demand_factor(w, in, &s);
	freshness_factor(w, in, &s);
	if (in->override != 1.0) {
		f = add_factor(&s, "override", in->override);
		snprintf(f->note, sizeof(f->note), "manual x%g", in->override);
	}

	/* The total is the product of the stored values in order, nothing else,
	 * so anyone can recompute it from the breakdown. */
	s.total = 1.0;
	for (int i = 0; i < s.n; i++)
		s.total *= s.f[i].value;
	*out = s;
	return 0;
}

const struct score_factor *score_factor(const struct score *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->f[i].name, name) == 0)
			return &s->f[i];
	return NULL;
}

