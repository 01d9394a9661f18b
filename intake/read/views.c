/* intake/read/views.c - backlog queries. The SQL narrows each view with the same
 * rules triage/view.c states (so the database uses the view's index and
 * never sends a field the view drops), and every row still goes through
 * view_idea(), which has the last word: a row it refuses is skipped. */
#include "intake/read/views.h"

#include <stdatomic.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/array.h"
#include "db/db.h"
#include "triage/idea.h"
#include "triage/normalize.h"
#include "triage/text.h"

/* Columns, in the order record_from_row() reads them. Outside views select
 * NULL for every internal field, and nothing that private data moves (the
 * score, the classification rescoring keeps current, demand and times over
 * every mention: the public_* columns of db/migrations/013 instead), so
 * none of it leaves the database. */
#define LINKS                                                                                      \
	" ARRAY(SELECT l.url FROM mentions l WHERE l.idea_id = i.id AND l.is_public AND l.kind = 'post'" \
	"       AND NOT l.deleted AND l.url IS NOT NULL ORDER BY l.id LIMIT 5),"
/* ISO 8601 in UTC, to the second */
#define ISO_FORMAT " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define SELECT_INTERNAL                                                                            \
	"SELECT i.id, i.title, i.public_title, pm.title, i.status, i.stage, i.category, i.runtime," \
	" i.visibility, i.segments, i.table_stakes, i.disclosed, i.score,"                          \
	" i.requesters, i.mention_count, i.source_count," LINKS                                    \
	" i.score_breakdown::text, i.owner, i.decision_note, i.declined_reason,"                  \
	" (SELECT coalesce(sum(v.votes), 0) FROM mentions v WHERE v.idea_id = i.id AND NOT v.deleted)," \
	" to_char(i.created_at" ISO_FORMAT ", to_char(i.updated_at" ISO_FORMAT ","                \
	" NULL, '{}', 0, 0, 0, NULL"
#define SELECT_OUTSIDE                                                                             \
	"SELECT i.id, NULL, i.public_title, pm.title, i.status, i.stage, NULL, NULL,"              \
	" i.visibility, '{}', false, i.disclosed, 0, 0, 0, 0," LINKS                               \
	" NULL, NULL, NULL, NULL, 0, NULL, NULL,"                                                  \
	" coalesce(i.public_category, i.category), coalesce(i.public_segments, i.segments),"       \
	" i.public_requesters, i.public_mentions, i.public_sources,"                              \
	" to_char(i.public_changed_at" ISO_FORMAT
/* The first live public post gives an outside title. */
#define FROM_IDEAS                                                                                 \
	" FROM ideas i LEFT JOIN LATERAL (SELECT p.title FROM mentions p WHERE p.idea_id = i.id"   \
	"  AND p.is_public AND NOT p.deleted AND p.kind = 'post' ORDER BY p.id LIMIT 1) pm ON true"
/* Outside views: marked, not embargoed, with a title that may be shown;
 * filtered on what they show. */
#define WHERE_OUTSIDE                                                                              \
	" AND i.status <> 'merged'"                                                                \
	" AND NOT (coalesce(i.public_category, i.category) = 'security'"                           \
	"          AND NOT (i.status = 'shipped' AND i.disclosed))"                                 \
	" AND (i.public_title IS NOT NULL OR pm.title IS NOT NULL)"                                \
	" AND ($10::text IS NULL OR coalesce(i.public_title, pm.title) ILIKE $10)"                 \
	" AND ($2::int IS NULL OR i.public_requesters < $2"                                        \
	"      OR (i.public_requesters = $2 AND i.id > $3::bigint))"                               \
	" AND ($4::text IS NULL OR coalesce(i.public_category, i.category) = $4)"                  \
	" AND ($5::text IS NULL OR $5 = ANY (coalesce(i.public_segments, i.segments)))"            \
	" AND ($6::bool IS NULL OR ($6 = ('vpn' = ANY (coalesce(i.public_segments, i.segments))"   \
	"      AND 'platform' = ANY (coalesce(i.public_segments, i.segments)))))"                  \
	" AND ($7::text[] IS NULL OR i.status = ANY ($7))"                                         \
	" AND ($8::text IS NULL OR i.stage = $8)"                                                  \
	" AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM mentions s WHERE s.idea_id = i.id"       \
	"      AND s.source = $9 AND s.is_public AND NOT s.deleted))"                              \
	" ORDER BY i.public_requesters DESC, i.id LIMIT $1::int"
#define FILTERS                                                                                    \
	" AND ($2::float8 IS NULL OR i.score < $2 OR (i.score = $2 AND i.id > $3::bigint))"       \
	" AND ($4::text IS NULL OR i.category = $4)"                                               \
	" AND ($5::text IS NULL OR $5 = ANY (i.segments))"                                         \
	" AND ($6::bool IS NULL OR ($6 = ('vpn' = ANY (i.segments) AND 'platform' = ANY (i.segments))))" \
	" AND ($7::text[] IS NULL OR i.status = ANY ($7))"                                         \
	" AND ($8::text IS NULL OR i.stage = $8)"                                                  \
	" AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM mentions s WHERE s.idea_id = i.id"       \
	"      AND s.source = $9 AND NOT s.deleted))"                                              \
	" ORDER BY i.score DESC, i.id LIMIT $1::int"

static const char sql_public[] = SELECT_OUTSIDE FROM_IDEAS
    " WHERE i.visibility = 'public'" WHERE_OUTSIDE;
static const char sql_customer[] = SELECT_OUTSIDE FROM_IDEAS
    " WHERE i.visibility IN ('customer', 'public')" WHERE_OUTSIDE;
/* $11: visibility, $12: a full-text query over every mention's terms, $10
 * a title pattern; either matching is enough. */
static const char sql_internal[] = SELECT_INTERNAL FROM_IDEAS
    " WHERE i.status <> 'merged'"
    " AND ($11::text IS NULL OR i.visibility = $11)"
    " AND ($10::text IS NULL OR i.title ILIKE $10 OR EXISTS (SELECT 1 FROM idea_search q"
    "      WHERE q.idea_id = i.id AND q.search @@ to_tsquery('simple', $12)))" FILTERS;

static const char sql_one_internal[] = SELECT_INTERNAL FROM_IDEAS " WHERE i.id = $1";
static const char sql_one_outside[] = SELECT_OUTSIDE FROM_IDEAS " WHERE i.id = $1";

/* The strings of one row; valid while the result lives. */
struct row_strings {
	struct tokens links;
};

static const char *col(PGresult *r, int row, int c)
{
	return PQgetisnull(r, row, c) ? NULL : PQgetvalue(r, row, c);
}

/* SEG_* bits of a text[] literal of segment names. */
static int segment_bits(const char *lit)
{
	struct tokens segs = {0};
	int bits = 0;
	if (db_parse_text_array(lit, &segs) == 0)
		for (int i = 0; i < segs.n; i++) {
			bits |= strcmp(segs.v[i], "vpn") == 0 ? SEG_VPN : 0;
			bits |= strcmp(segs.v[i], "platform") == 0 ? SEG_PLATFORM : 0;
		}
	tokens_clear(&segs);
	return bits;
}

static void record_from_row(PGresult *r, int row, struct idea_record *rec, struct row_strings *rs)
{
	memset(rec, 0, sizeof(*rec));
	rec->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	rec->title = col(r, row, 1);
	rec->public_title = col(r, row, 2);
	rec->public_mention_title = col(r, row, 3);
	rec->status = col(r, row, 4);
	rec->stage = col(r, row, 5);
	rec->category = col(r, row, 6);
	rec->runtime = col(r, row, 7);
	rec->visibility = col(r, row, 8);
	rec->segments = segment_bits(PQgetvalue(r, row, 9));
	rec->table_stakes = PQgetvalue(r, row, 10)[0] == 't';
	rec->disclosed = PQgetvalue(r, row, 11)[0] == 't';
	rec->score = strtod(PQgetvalue(r, row, 12), NULL);
	rec->requesters = atoi(PQgetvalue(r, row, 13));
	rec->mentions = atoi(PQgetvalue(r, row, 14));
	rec->sources = atoi(PQgetvalue(r, row, 15));
	memset(&rs->links, 0, sizeof(rs->links));
	if (db_parse_text_array(PQgetvalue(r, row, 16), &rs->links) == 0)
		for (int i = 0; i < rs->links.n && i < VIEW_MAX_LINKS; i++)
			rec->public_links[rec->nlinks++] = rs->links.v[i];
	rec->breakdown_json = col(r, row, 17);
	rec->owner = col(r, row, 18);
	rec->decision_note = col(r, row, 19);
	rec->declined_reason = col(r, row, 20);
	rec->votes = atoi(PQgetvalue(r, row, 21));
	rec->created_at = col(r, row, 22);
	rec->updated_at = col(r, row, 23);
	rec->public_category = col(r, row, 24);
	rec->public_segments = segment_bits(PQgetvalue(r, row, 25));
	rec->public_requesters = atoi(PQgetvalue(r, row, 26));
	rec->public_mentions = atoi(PQgetvalue(r, row, 27));
	rec->public_sources = atoi(PQgetvalue(r, row, 28));
	rec->public_updated_at = col(r, row, 29);
}

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

int views_backlog(PGconn *c, struct triage_ctx *t, const struct backlog_filter *f, json_t **items,
		  char **next, struct err *err)
{
	*items = NULL;
	*next = NULL;
	bool outside = f->view != VIEW_INTERNAL;
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
	char score[40] = "", id[24] = "", limit[16];
	int64_t rank = 0;
	if (f->after && parse_after(f->after, outside, score, sizeof(score), id, sizeof(id), &rank) < 0)
		return bad(err, "after", "after must be the `next` value of the previous page");
	char *status = NULL;
	if (f->status && !(status = status_list(f->status, err)))
		return -1;
	char *like = f->q && f->q[0] ? like_pattern(f->q) : NULL;
	char *tsq = like && !outside ? ts_and(t, f->q) : NULL;
	snprintf(limit, sizeof(limit), "%d", f->limit);
	const char *params[12] = {limit,     f->after ? score : NULL, f->after ? id : NULL,
				  f->category, f->segment,           f->bridge,
				  status,      f->stage,             f->source,
				  like,        f->visibility,        tsq};
	const char *sql = f->view == VIEW_PUBLIC ? sql_public
			  : f->view == VIEW_CUSTOMER ? sql_customer
						     : sql_internal;
	PGresult *r = db_query(c, sql, outside ? 10 : 12, params, err);
	free(status);
	free(like);
	free(tsq);
	if (!r)
		return -1;
	json_t *arr = json_array();
	int n = PQntuples(r);
	for (int row = 0; row < n; row++) {
		struct idea_record rec;
		struct row_strings rs;
		record_from_row(r, row, &rec, &rs);
		json_t *o = view_idea(f->view, &rec, rank + 1);
		if (o) {
			json_array_append_new(arr, o);
			rank++;
		}
		if (row == n - 1 && n == f->limit) {
			char buf[96];
			if (outside)
				snprintf(buf, sizeof(buf), "%d~%" PRId64 "~%" PRId64, rec.public_requesters,
					 rec.id, rank);
			else
				snprintf(buf, sizeof(buf), "%.17g~%" PRId64 "~%" PRId64, rec.score, rec.id,
					 rank);
			*next = strdup(buf);
		}
		tokens_clear(&rs.links);
	}
	PQclear(r);
	*items = arr;
	return 0;
}

int views_idea(PGconn *c, enum view v, int64_t id, json_t **out, struct err *err)
{
	*out = NULL;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
	const char *params[1] = {idbuf};
	PGresult *r = db_query(c, v == VIEW_INTERNAL ? sql_one_internal : sql_one_outside, 1, params, err);
	if (!r)
		return -1;
	if (PQntuples(r) == 1) {
		struct idea_record rec;
		struct row_strings rs;
		record_from_row(r, 0, &rec, &rs);
		*out = view_idea(v, &rec, 0);
		tokens_clear(&rs.links);
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
