/* connectors/sales.c - the sales-notes parsers' common part: document checks,
 * row validation and the mapping of a row to struct mention. The formats are
 * read by sales_csv.c and sales_json.c; see sales_rows.h. */
#include "connectors/sales_rows.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARR_MAX INT64_C(1000000000000) /* 10^12 dollars */

const struct sales_col sales_cols[NCOLS] = {
    [COL_ACCOUNT] = {"account", true, 200, true},
    [COL_ARR] = {"arr", true, 40, true},
    [COL_CONTACT] = {"contact", true, 200, true},
    [COL_NOTE] = {"note", true, 20000, false},
    [COL_DATE] = {"date", true, 40, true},
    [COL_EXTERNAL_ID] = {"external_id", false, 200, true},
};

int sales_col_by_name(const char *name, size_t n)
{
	for (int i = 0; i < NCOLS; i++)
		if (strlen(sales_cols[i].name) == n &&
		    strncasecmp(sales_cols[i].name, name, n) == 0)
			return i;
	return -1;
}

/* ---- text helpers ---------------------------------------------------- */

bool sales_is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims ASCII whitespace from both ends of s[0..*n); returns the new start. */
const char *sales_trim(const char *s, size_t *n)
{
	size_t len = *n;
	while (len && sales_is_ws((unsigned char)*s))
		s++, len--;
	while (len && sales_is_ws((unsigned char)s[len - 1]))
		len--;
	*n = len;
	return s;
}

/* Offset of the first byte that is not part of well-formed UTF-8 (no
 * overlongs, surrogates or code points above U+10FFFF), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t need;
		unsigned lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0; /* overlong */
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90; /* overlong */
			else if (c == 0xf4)
				hi = 0x8f; /* above U+10FFFF */
		} else {
			return i;
		}
		if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += need + 1;
	}
	return len;
}

/* Characters (code points) in valid UTF-8. */
size_t sales_utf8_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* 1-based line of byte off: lines end at LF, CRLF or a lone CR. */
static int line_at(const char *s, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n')))
			line++;
	return line;
}

/* Checks shared by both formats; skips a BOM. *start is where parsing begins. */
int sales_check_document(const char *data, size_t len, size_t *start, struct err *err)
{
	if (len > SALES_MAX_BYTES)
		return err_set_field(err, "line 1", "document is %zu bytes, the limit is %zu", len,
		                     SALES_MAX_BYTES);
	size_t bad = utf8_invalid_at((const unsigned char *)data, len);
	if (bad < len) {
		char where[32];
		int line = line_at(data, bad);
		snprintf(where, sizeof(where), "line %d", line);
		return err_set_field(err, where,
		                     "line %d: invalid UTF-8 (byte 0x%02x at offset %zu)", line,
		                     (unsigned char)data[bad], bad);
	}
	const char *nul = len ? memchr(data, '\0', len) : NULL;
	if (nul) {
		char where[32];
		int line = line_at(data, (size_t)(nul - data));
		snprintf(where, sizeof(where), "line %d", line);
		return err_set_field(err, where, "line %d: contains a NUL byte (not a text file?)",
		                     line);
	}
	*start = (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) ? 3 : 0;
	return 0;
}

/* A document-level error at a line: field "line N", message "line N: ...". */
int sales_doc_error(struct err *err, int line, const char *fmt, ...)
{
	char where[32], msg[ERR_MSG_MAX - 40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "line %d", line);
	return err_set_field(err, where, "line %d: %s", line, msg);
}

/* ---- value parsers --------------------------------------------------- */

#define ARR_NOT_NUMBER "is not an amount of dollars (e.g. 240000, $240,000, 240k, 1.2M)"
#define ARR_TOO_LARGE  "is larger than 10^12 dollars"

/* The integer part of an amount at s[*i..n) into *ip, commas only as
 * thousands separators; *i moves past it. NULL or the reason. */
static const char *arr_integer(const char *s, size_t n, size_t *i, int64_t *ip)
{
	int64_t v = 0;
	int group = 0;
	bool commas = false;
	for (; *i < n; (*i)++) {
		char c = s[*i];
		if (c >= '0' && c <= '9') {
			if (v > ARR_MAX)
				return ARR_TOO_LARGE;
			v = v * 10 + (c - '0');
			group++;
		} else if (c == ',') {
			if ((commas && group != 3) || (!commas && group > 3) || group == 0)
				return ARR_NOT_NUMBER;
			commas = true;
			group = 0;
		} else {
			break;
		}
	}
	if (commas && group != 3)
		return ARR_NOT_NUMBER;
	*ip = v;
	return NULL;
}

/* A fraction at s[*i..n) (".5"), if any, as *fp / *scale; *i moves past it.
 * NULL or the reason. */
static const char *arr_fraction(const char *s, size_t n, size_t *i, int64_t *fp, int64_t *scale)
{
	if (*i >= n || s[*i] != '.')
		return NULL;
	(*i)++;
	size_t digits = 0;
	for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++, digits++) {
		if (digits >= 9)
			return "has too many decimal places";
		*fp = *fp * 10 + (s[*i] - '0');
		*scale *= 10;
	}
	return digits ? NULL : ARR_NOT_NUMBER;
}

/* The multiplier of the suffix s[i..n) ("", "k", "M", "B"), which must end
 * the amount. NULL or the reason. */
static const char *arr_suffix(const char *s, size_t n, size_t i, int64_t *mult)
{
	*mult = 1;
	if (i == n)
		return NULL;
	if (i + 1 != n)
		return ARR_NOT_NUMBER;
	switch (s[i]) {
	case 'k':
	case 'K':
		*mult = INT64_C(1000);
		return NULL;
	case 'm':
	case 'M':
		*mult = INT64_C(1000000);
		return NULL;
	case 'b':
	case 'B':
		*mult = INT64_C(1000000000);
		return NULL;
	}
	return ARR_NOT_NUMBER;
}

/* Whole dollars from "240000", "240,000", "$240,000", "240k", "1.2M", "3B".
 * Returns NULL and *out, or the reason it is refused. */
static const char *parse_arr(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		return "must not be negative";
	if (i < n && s[i] == '$')
		i++;
	if (i < n && s[i] == '-')
		return "must not be negative";
	if (i >= n || s[i] < '0' || s[i] > '9')
		return ARR_NOT_NUMBER;
	int64_t ip = 0, fp = 0, scale = 1, mult = 1;
	const char *bad = arr_integer(s, n, &i, &ip);
	if (!bad)
		bad = arr_fraction(s, n, &i, &fp, &scale);
	if (!bad)
		bad = arr_suffix(s, n, i, &mult);
	if (bad)
		return bad;
	/* ip <= ~10^13 and mult <= 10^9, so check before multiplying; fp < scale
	 * <= 10^9, so fp * mult < 10^18 fits. */
	if (ip > ARR_MAX / mult)
		return ARR_TOO_LARGE;
	int64_t frac = fp * mult;
	if (frac % scale != 0)
		return "must be a whole number of dollars";
	int64_t v = ip * mult + frac / scale;
	if (v > ARR_MAX)
		return ARR_TOO_LARGE;
	*out = v;
	return NULL;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); pure integer arithmetic, no time zone or locale. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int64_t)era * 146097 + doe - 719468;
}

/* YYYY-MM-DD to Unix seconds at 00:00 UTC; NULL or the reason. */
static const char *parse_date(const char *s, size_t n, int64_t *out)
{
	static const char *const fmt = "must be YYYY-MM-DD";
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return fmt;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return fmt;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 2000)
		return "must be in the year 2000 or later";
	if (m < 1 || m > 12)
		return "has no such month";
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return "has no such day in that month";
	*out = days_from_civil(y, m, d) * 86400;
	return NULL;
}

/* ---- rows to mentions ------------------------------------------------ */

/* The new capacity when element n is about to be appended, or 0 when there is
 * room: arrays double at 16, 32, 64... so appends stay linear. */
static size_t grow_cap(int n)
{
	if (n == 0)
		return 16;
	return (n >= 16 && (n & (n - 1)) == 0) ? (size_t)n * 2 : 0;
}

int sales_batch_add_error(struct sales_batch *b, int line, const char *field, const char *fmt, ...)
{
	size_t cap = grow_cap(b->nerrors);
	if (cap) {
		void *p = realloc(b->errors, cap * sizeof(*b->errors));
		if (!p)
			return -1;
		b->errors = p;
	}
	struct sales_row_error *e = &b->errors[b->nerrors++];
	e->line = line;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/* Copies s[0..n) with CRLF and lone CR turned into LF (new). */
static char *dup_lf(const char *s, size_t n)
{
	char *d = malloc(n + 1), *o = d;
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			*o++ = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

/* "sha256:" + 32 hex digits over account 0x1f contact 0x1f date 0x1f note (new). */
static char *derive_id(const char *account, const char *contact, const char *date, size_t date_n,
                       const char *note)
{
	size_t na = strlen(account), nc = strlen(contact), nn = strlen(note);
	size_t total = na + nc + date_n + nn + 3;
	char *buf = malloc(total), *p = buf;
	if (!buf)
		return NULL;
	memcpy(p, account, na), p += na, *p++ = '\x1f';
	memcpy(p, contact, nc), p += nc, *p++ = '\x1f';
	memcpy(p, date, date_n), p += date_n, *p++ = '\x1f';
	memcpy(p, note, nn);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = EVP_Digest(buf, total, md, &mdlen, EVP_sha256(), NULL);
	free(buf);
	if (!ok || mdlen < 16)
		return NULL;
	char *id = malloc(sizeof("sha256:") + 32);
	if (!id)
		return NULL;
	memcpy(id, "sha256:", 7);
	for (int i = 0; i < 16; i++)
		snprintf(id + 7 + 2 * i, 3, "%02x", md[i]);
	return id;
}

/* Validates one row (values already valid UTF-8). Returns the column at
 * fault with the reason in why[0..whylen), or -1 when the row is good; v/n
 * are trimmed in place and empty values become absent. */
static int validate_row(struct row_in *r, int64_t *arr, int64_t *date, char *why, size_t whylen)
{
	for (int c = 0; c < NCOLS; c++) {
		const char *bad = NULL;
		if (r->v[c]) {
			r->v[c] = sales_trim(r->v[c], &r->n[c]);
			if (r->n[c] == 0)
				r->v[c] = NULL;
		}
		if (!r->v[c]) {
			if (!sales_cols[c].required)
				continue;
			snprintf(why, whylen, "%s is required", sales_cols[c].name);
			return c;
		}
		if (sales_utf8_chars(r->v[c], r->n[c]) > sales_cols[c].max_chars) {
			snprintf(why, whylen, "%s is longer than %zu characters",
			         sales_cols[c].name, sales_cols[c].max_chars);
			return c;
		}
		for (size_t i = 0; sales_cols[c].one_line && i < r->n[c]; i++)
			if ((unsigned char)r->v[c][i] < 0x20 || r->v[c][i] == 0x7f)
				bad = "must be one line without control characters";
		if (!bad && c == COL_ARR)
			bad = parse_arr(r->v[c], r->n[c], arr);
		if (!bad && c == COL_DATE)
			bad = parse_date(r->v[c], r->n[c], date);
		if (bad) {
			snprintf(why, whylen, "%s %s", sales_cols[c].name, bad);
			return c;
		}
	}
	return -1;
}

/* Turns one row into a mention or a row error, appended to *b. Returns -1
 * only when out of memory. */
int sales_add_row(struct sales_batch *b, int line, struct row_in *r)
{
	int64_t arr = -1, date = 0;
	char why[160];
	int bad = validate_row(r, &arr, &date, why, sizeof(why));
	if (bad >= 0)
		return sales_batch_add_error(b, line, sales_cols[bad].name, "%s", why);

	size_t cap = grow_cap(b->nmentions);
	if (cap) {
		void *p = realloc(b->mentions, cap * sizeof(*b->mentions));
		if (!p)
			return -1;
		b->mentions = p;
		p = realloc(b->mention_lines, cap * sizeof(*b->mention_lines));
		if (!p)
			return -1;
		b->mention_lines = p;
	}
	struct mention *m = &b->mentions[b->nmentions];
	mention_init(m);
	m->source = SRC_SALES;
	m->kind = MENTION_POST;
	m->author_kind = AUTHOR_CUSTOMER;
	m->arr = arr;
	m->is_public = false;
	m->created_at = m->updated_at = date;
	m->account = strndup(r->v[COL_ACCOUNT], r->n[COL_ACCOUNT]);
	m->author = strndup(r->v[COL_CONTACT], r->n[COL_CONTACT]);
	m->body = dup_lf(r->v[COL_NOTE], r->n[COL_NOTE]);
	if (m->body)
		m->title = sales_title(m->body);
	if (r->v[COL_EXTERNAL_ID])
		m->external_id = strndup(r->v[COL_EXTERNAL_ID], r->n[COL_EXTERNAL_ID]);
	else if (m->account && m->author && m->body)
		m->external_id =
		    derive_id(m->account, m->author, r->v[COL_DATE], r->n[COL_DATE], m->body);
	if (!m->account || !m->author || !m->body || !m->title || !m->external_id) {
		mention_clear(m);
		return -1;
	}
	b->mention_lines[b->nmentions++] = line;
	return 0;
}

void sales_batch_clear(struct sales_batch *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->nmentions; i++)
		mention_clear(&b->mentions[i]);
	free(b->mentions);
	free(b->mention_lines);
	free(b->errors);
	memset(b, 0, sizeof(*b));
}
