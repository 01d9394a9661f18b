/* intake/read/views.c - the backlog each view may see: checks the filters,
 * reads the rows through db/reports.h (whose SQL already narrows each
 * view), and passes every row through view_idea(), which has the last
 * word: a row it refuses is skipped. */
#include "intake/read/views.h"

#include <stdatomic.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/reports.h"
#include "triage/idea.h"
#include "triage/normalize.h"
#include "triage/text.h"

static int bad(struct err *err, const char *field, const char *msg)
{
	return err_set_field(err, field, "%s", msg);
}

static const char *const all_sources[] = {"github", "reddit", "sales", "employee", NULL};
static const char *const public_sources[] = {"github", "reddit", NULL};

/* "status=planned,in_progress" into a text[] literal (new), checking each. */
static char *status_list(const char *s, struct err *err)
{
	struct tokens t = {0};
	char *copy = strdup(s), *save = NULL;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (!view_one_of(p, idea_statuses)) {
			free(copy);
			tokens_clear(&t);
			bad(err, "status",
			    "status must be new, under_review, planned, in_progress, shipped "
			    "or declined (several separated by commas)");
			return NULL;
		}
		if (t.n == t.cap) {
			t.cap = t.cap ? 2 * t.cap : 8;
			t.v = realloc(t.v, (size_t)t.cap * sizeof(char *));
		}
		t.v[t.n++] = strdup(p);
	}
	free(copy);
	if (t.n == 0) {
		bad(err, "status", "status is empty");
		return NULL;
	}
	char *lit = db_text_array((const char *const *)t.v, t.n);
	tokens_clear(&t);
	return lit;
}

/* A LIKE pattern matching s anywhere, with LIKE's own wildcards escaped. */
static char *like_pattern(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(2 * n + 3), *o = out;
	*o++ = '%';
	for (const char *p = s; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/* The query's normalised terms as "a & b" for to_tsquery (new), or NULL
 * when nothing is left after normalising. Terms are letters and digits. */
static char *ts_and(struct triage_ctx *t, const char *q)
{
	struct tokens toks = {0};
	if (normalize_text(t->norm, q, &toks) < 0 || toks.n == 0) {
		tokens_clear(&toks);
		return NULL;
	}
	size_t len = 1;
	for (int i = 0; i < toks.n; i++)
		len += strlen(toks.v[i]) + 3;
	char *out = malloc(len), *o = out;
	for (int i = 0; i < toks.n; i++) {
		if (i)
			o += sprintf(o, " & ");
		for (const char *p = toks.v[i]; *p; p++)
			if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (unsigned char)*p >= 0x80)
				*o++ = *p;
	}
	*o = '\0';
	tokens_clear(&toks);
	return out;
}

/* A whole decimal number in [0, max], digits only (no sign, space or
 * exponent), without overflowing; -1 otherwise. */
static int parse_count(const char *s, size_t n, long long max, long long *out)
{
	long long v = 0;
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		int d = s[i] - '0';
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Most ideas one view can rank: rank + limit never overflows. */
#define RANK_MAX 1000000000000LL

/* `next` is "key~id~rank": the last row read, so nothing is skipped or
 * repeated whatever the view dropped. key is the score (%.17g keeps it
 * exact) inside, the public demand outside. A hostile cursor is refused,
 * never parsed past a number's range. */
static int parse_after(const char *s, bool outside, char *key, size_t klen, char *id,
		       size_t idlen, int64_t *rank)
{
	const char *t1 = strchr(s, '~'), *t2 = t1 ? strchr(t1 + 1, '~') : NULL;
	long long i, r, k;
	if (!t2 || strlen(s) > 80 ||
	    parse_count(t1 + 1, (size_t)(t2 - t1 - 1), INT64_MAX, &i) < 0 || i <= 0 ||
	    parse_count(t2 + 1, strlen(t2 + 1), RANK_MAX, &r) < 0)
		return -1;
	if (outside) {
		if (parse_count(s, (size_t)(t1 - s), INT32_MAX, &k) < 0)
			return -1;
		snprintf(key, klen, "%lld", k);
	} else {
		char num[48], *end = NULL;
		size_t n = (size_t)(t1 - s);
		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, s, n);
		num[n] = '\0';
		double d = strtod(num, &end);
		/* what %.17g writes, so no hex, no "inf", no spaces */
		if (*end != '\0' || !isfinite(d) || strspn(num, "0123456789.eE+-") != n)
			return -1;
		snprintf(key, klen, "%.17g", d);
	}
	snprintf(id, idlen, "%lld", i);
	*rank = r;
	return 0;
}

/* 0 when every filter is one the view takes, else -1 with err->field
 * naming the first that is not. */
static int check_filter(const struct backlog_filter *f, bool outside, struct err *err)
{
	if (f->limit < 1 || f->limit > BACKLOG_MAX_LIMIT)
		return bad(err, "limit", "limit must be between 1 and 500");
	if (f->category && !view_one_of(f->category, idea_categories))
		return bad(err, "category", "category must be security, reliability, performance or feature");
	if (f->segment && !view_one_of(f->segment, idea_segments))
		return bad(err, "segment", "segment must be vpn or platform");
	if (f->bridge && strcmp(f->bridge, "true") != 0 && strcmp(f->bridge, "false") != 0)
		return bad(err, "bridge", "bridge must be true or false");
	if (f->stage && !view_one_of(f->stage, idea_stages))
		return bad(err, "stage", "stage must be poc, alpha, beta or ga");
	if (f->source && !view_one_of(f->source, outside ? public_sources : all_sources))
		return bad(err, "source", outside ? "source must be github or reddit"
						  : "source must be github, reddit, sales or employee");
	if (f->visibility && (outside || !view_one_of(f->visibility, idea_visibilities)))
		return bad(err, "visibility", outside ? "visibility is a filter of the internal view"
						      : "visibility must be internal, customer or public");
	if (f->q && (!text_valid_utf8(f->q, strlen(f->q)) || text_utf8_len(f->q) > 200))
		return bad(err, "q", "q must be valid UTF-8 text of at most 200 characters");
	return 0;
}

int views_backlog(PGconn *c, struct triage_ctx *t, const struct backlog_filter *f, json_t **items,
		  char **next, struct err *err)
{
	*items = NULL;
	*next = NULL;
	bool outside = f->view != VIEW_INTERNAL;
	if (check_filter(f, outside, err) < 0)
		return -1;
	char score[40] = "", id[24] = "", limit[16];
	int64_t rank = 0;
	if (f->after && parse_after(f->after, outside, score, sizeof(score), id, sizeof(id), &rank) < 0)
		return bad(err, "after", "after must be the `next` value of the previous page");
	char *status = NULL;
	if (f->status && !(status = status_list(f->status, err)))
		return -1;
	char *like = f->q && f->q[0] ? like_pattern(f->q) : NULL;
	char *tsq = like && !outside ? ts_and(t, f->q) : NULL;
	/* one row past the page: a next page only when something follows */
	snprintf(limit, sizeof(limit), "%d", f->limit + 1);
	struct db_backlog_query dq = {.limit = limit,        .after_key = f->after ? score : NULL,
				      .after_id = f->after ? id : NULL,
				      .category = f->category, .segment = f->segment,
				      .bridge = f->bridge,     .statuses = status,
				      .stage = f->stage,       .source = f->source,
				      .title_like = like,      .visibility = f->visibility,
				      .tsquery = tsq};
	PGresult *r = db_backlog_page(c, f->view, &dq, err);
	free(status);
	free(like);
	free(tsq);
	if (!r)
		return -1;
	json_t *arr = json_array();
	int n = PQntuples(r) > f->limit ? f->limit : PQntuples(r);
	bool more = PQntuples(r) > f->limit;
	for (int row = 0; row < n; row++) {
		struct idea_record rec;
		struct tokens links;
		db_backlog_record(r, row, &rec, &links);
		json_t *o = view_idea(f->view, &rec, rank + 1);
		if (o) {
			json_array_append_new(arr, o);
			rank++;
		}
		if (row == n - 1 && more) {
			char buf[96];
			if (outside)
				snprintf(buf, sizeof(buf), "%d~%" PRId64 "~%" PRId64, rec.public_requesters,
					 rec.id, rank);
			else
				snprintf(buf, sizeof(buf), "%.17g~%" PRId64 "~%" PRId64, rec.score, rec.id,
					 rank);
			*next = strdup(buf);
		}
		tokens_clear(&links);
	}
	PQclear(r);
	*items = arr;
	return 0;
}

int views_idea(PGconn *c, enum view v, int64_t id, json_t **out, struct err *err)
{
	*out = NULL;
	PGresult *r = db_backlog_one(c, v, id, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 1) {
		struct idea_record rec;
		struct tokens links;
		db_backlog_record(r, 0, &rec, &links);
		*out = view_idea(v, &rec, 0);
		tokens_clear(&links);
	}
	PQclear(r);
	return *out ? 1 : 0;
}

static atomic_uint generation;

unsigned views_generation(void)
{
	return atomic_load(&generation);
}

void views_changed(void)
{
	atomic_fetch_add(&generation, 1);
}
