/* triage/dedup.c - see dedup.h. */
#include "triage/dedup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_cand(const void *a, const void *b)
{
	double x = ((const struct dedup_candidate *)a)->r.score;
	double y = ((const struct dedup_candidate *)b)->r.score;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Keeps the candidates worth suggesting, in their order, at the front of
 * c[0..n), sorts them best first; returns how many count (at most
 * DEDUP_MAX). The order before the sort is retrieval's, so the same
 * candidates give the same ranking (ties included) on every path. */
static int best_of(struct dedup_candidate *c, int n, double suggest)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (c[i].r.score >= suggest)
			c[k++] = c[i];
	if (k > 1)
		qsort(c, (size_t)k, sizeof(*c), cmp_cand);
	return k < DEDUP_MAX ? k : DEDUP_MAX;
}

int dedup_decide(const struct dedup_rules *rules, struct dedup_input *in,
		 struct dedup_decision *out)
{
	memset(out, 0, sizeof(*out));
	if (in->link > 0) {
		out->kind = DEDUP_LINK;
		out->method = "explicit_link";
		out->idea_id = in->link;
		out->similarity = 1.0;
		if (asprintf(&out->evidence, "{\"link\":\"%s\"}", in->link_why ? in->link_why : "") < 0)
			out->evidence = NULL;
		return out->evidence ? 0 : -1;
	}
	int best = best_of(in->cand, in->ncand, rules->suggest);
	if (best > 0 && in->cand[0].r.strict >= rules->auto_merge) {
		out->kind = DEDUP_MERGE;
		out->method = "auto_merge";
		out->idea_id = in->cand[0].idea_id;
		out->similarity = in->cand[0].r.strict;
		out->evidence = dedup_evidence_json(&in->cand[0].r);
		return out->evidence ? 0 : -1;
	}
	out->kind = DEDUP_NEW;
	out->method = "new";
	out->sugg = in->cand;
	out->nsugg = best < rules->suggestions_kept ? best : rules->suggestions_kept;
	out->evidence = strdup(best ? "{\"suggested\":true}" : "{}");
	return out->evidence ? 0 : -1;
}

void dedup_decision_clear(struct dedup_decision *d)
{
	free(d->evidence);
	memset(d, 0, sizeof(*d));
}

/* x (0 <= x < 1e9) with four decimals, as "%.4f" of x rounded to them
 * prints it; returns the end. */
static char *put_fixed4(char *o, double x)
{
	if (!(x >= 0 && x < 1e9))
		return o + sprintf(o, "%.4f", round(x * 1e4) / 1e4);
	long long k = llround(x * 1e4);
	o += sprintf(o, "%lld", k / 10000);
	int frac = (int)(k % 10000);
	*o++ = '.';
	for (int d = 1000; d; d /= 10) {
		*o++ = (char)('0' + frac / d);
		frac %= d;
	}
	return o;
}

/* Written by hand: this runs for every suggestion of every mention, and a
 * JSON library's general number formatting (then stdio's) cost more than
 * the match. */
char *dedup_evidence_json(const struct sim_result *r)
{
	size_t len = 64 + 4 * 320; /* keys, and four numbers at their longest */
	for (int i = 0; i < r->nshared; i++)
		len += 6 * strlen(r->shared[i]) + 3; /* each byte escaped at worst */
	char *buf = malloc(len), *o = buf;
	if (!buf)
		return NULL;
	const char *keys[] = {"{\"similarity\":", ",\"strict\":", ",\"all_terms\":",
			      ",\"title_terms\":"};
	double vals[] = {r->score, r->strict, r->cos_all, r->cos_title};
	for (int k = 0; k < 4; k++) {
		o = stpcpy(o, keys[k]);
		o = put_fixed4(o, vals[k]);
	}
	o = stpcpy(o, ",\"shared\":[");
	for (int i = 0; i < r->nshared; i++) {
		o = stpcpy(o, i ? ",\"" : "\"");
		for (const unsigned char *p = (const unsigned char *)r->shared[i]; *p; p++) {
			if (*p == '"' || *p == '\\') {
				*o++ = '\\';
				*o++ = (char)*p;
			} else if (*p < 0x20) {
				o += sprintf(o, "\\u%04x", *p);
			} else {
				*o++ = (char)*p;
			}
		}
		*o++ = '"';
	}
	strcpy(o, "]}");
	return buf;
}
