/* connectors/sales.c - sales-notes CSV/JSON parser. CSV tokenising is libcsv's
 * job (strict RFC 4180 quoting); this file adds line numbers, the header, row
 * validation and the mapping to struct mention. */
#include "connectors/sales.h"

#include <csv.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARR_MAX   INT64_C(1000000000000) /* 10^12 dollars */
#define TITLE_MAX 120                    /* characters, including a trailing "…" */

enum col { COL_ACCOUNT, COL_ARR, COL_CONTACT, COL_NOTE, COL_DATE, COL_EXTERNAL_ID, NCOLS };

static const struct {
	const char *name;
	bool required;
	size_t max_chars;
	bool one_line;
} cols[NCOLS] = {
    [COL_ACCOUNT] = {"account", true, 200, true},
    [COL_ARR] = {"arr", true, 40, true},
    [COL_CONTACT] = {"contact", true, 200, true},
    [COL_NOTE] = {"note", true, 20000, false},
    [COL_DATE] = {"date", true, 40, true},
    [COL_EXTERNAL_ID] = {"external_id", false, 200, true},
};

static int col_by_name(const char *name, size_t n)
{
	for (int i = 0; i < NCOLS; i++)
		if (strlen(cols[i].name) == n && strncasecmp(cols[i].name, name, n) == 0)
			return i;
	return -1;
}

/* ---- text helpers ---------------------------------------------------- */

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims ASCII whitespace from both ends of s[0..*n); returns the new start. */
static const char *trim(const char *s, size_t *n)
{
	size_t len = *n;
	while (len && is_ws((unsigned char)*s))
		s++, len--;
	while (len && is_ws((unsigned char)s[len - 1]))
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
static size_t utf8_chars(const char *s, size_t n)
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
static int check_document(const char *data, size_t len, size_t *start, struct err *err)
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
static int doc_error(struct err *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int doc_error(struct err *err, int line, const char *fmt, ...)
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

/* Whole dollars from "240000", "240,000", "$240,000", "240k", "1.2M", "3B".
 * Returns NULL and *out, or the reason it is refused. */
static const char *parse_arr(const char *s, size_t n, int64_t *out)
{
	static const char *const not_number =
	    "is not an amount of dollars (e.g. 240000, $240,000, 240k, 1.2M)";
	size_t i = 0;
	if (i < n && s[i] == '-')
		return "must not be negative";
	if (i < n && s[i] == '$')
		i++;
	if (i < n && s[i] == '-')
		return "must not be negative";
	if (i >= n || s[i] < '0' || s[i] > '9')
		return not_number;

	/* integer part; commas only as thousands separators */
	int64_t ip = 0;
	int group = 0;
	bool commas = false;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (ip > ARR_MAX)
				return "is larger than 10^12 dollars";
			ip = ip * 10 + (s[i] - '0');
			group++;
		} else if (s[i] == ',') {
			if ((commas && group != 3) || (!commas && group > 3) || group == 0)
				return not_number;
			commas = true;
			group = 0;
		} else {
			break;
		}
	}
	if (commas && group != 3)
		return not_number;

	int64_t fp = 0, scale = 1;
	if (i < n && s[i] == '.') {
		i++;
		size_t digits = 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			if (digits >= 9)
				return "has too many decimal places";
			fp = fp * 10 + (s[i] - '0');
			scale *= 10;
		}
		if (digits == 0)
			return not_number;
	}

	int64_t mult = 1;
	if (i < n) {
		switch (s[i]) {
		case 'k':
		case 'K':
			mult = INT64_C(1000);
			break;
		case 'm':
		case 'M':
			mult = INT64_C(1000000);
			break;
		case 'b':
		case 'B':
			mult = INT64_C(1000000000);
			break;
		default:
			return not_number;
		}
		i++;
	}
	if (i != n)
		return not_number;

	/* ip <= ~10^13 and mult <= 10^9, so check before multiplying; fp < scale
	 * <= 10^9, so fp * mult < 10^18 fits. */
	if (ip > ARR_MAX / mult)
		return "is larger than 10^12 dollars";
	int64_t frac = fp * mult;
	if (frac % scale != 0)
		return "must be a whole number of dollars";
	int64_t v = ip * mult + frac / scale;
	if (v > ARR_MAX)
		return "is larger than 10^12 dollars";
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

/* One row's values, whatever the format: borrowed pointers, NULL = absent. */
struct row_in {
	const char *v[NCOLS];
	size_t n[NCOLS];
};

/* The new capacity when element n is about to be appended, or 0 when there is
 * room: arrays double at 16, 32, 64... so appends stay linear. */
static size_t grow_cap(int n)
{
	if (n == 0)
		return 16;
	return (n >= 16 && (n & (n - 1)) == 0) ? (size_t)n * 2 : 0;
}

static int batch_add_error(struct sales_batch *b, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int batch_add_error(struct sales_batch *b, int line, const char *field, const char *fmt, ...)
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

/* Length of the first sentence or line of s. */
static size_t segment_end(const char *s)
{
	size_t end = 0;
	for (; s[end] && s[end] != '\n'; end++) {
		char c = s[end];
		if ((c == '.' || c == '!' || c == '?') &&
		    (s[end + 1] == '\0' || is_ws((unsigned char)s[end + 1]))) {
			end++;
			break;
		}
	}
	return end;
}

/* True when s[0..n) names a meeting ("Renewal prep call", "QBR notes");
 * only_nouns leaves out the words a request often starts with ("Sync groups
 * from Okta", "Review access requests", "Demo mode"). */
static bool names_meeting(const char *s, size_t n, bool only_nouns)
{
	static const char *const all[] = {"call", "recap", "notes", "sync", "meeting", "qbr",
					  "review", "workshop", "met w", "check-in", "demo", NULL};
	static const char *const nouns[] = {"call", "recap", "notes", "meeting", "qbr",
					    "workshop", "met w", "check-in", NULL};
	const char *const *words = only_nouns ? nouns : all;
	char buf[128];
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	for (size_t i = 0; i < k; i++)
		buf[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	buf[k] = '\0';
	for (int i = 0; words[i]; i++)
		if (strstr(buf, words[i]))
			return true;
	return false;
}

static int count_words(const char *s, size_t n)
{
	int words = 0;
	for (size_t i = 0; i < n; i++)
		words += !is_ws((unsigned char)s[i]) && (i == 0 || is_ws((unsigned char)s[i - 1]));
	return words;
}

/* The length of s[0..n)'s first three words. */
static size_t first_words(const char *s, size_t n)
{
	int words = 0;
	for (size_t i = 0; i < n; i++) {
		bool starts = !is_ws((unsigned char)s[i]) && (i == 0 || is_ws((unsigned char)s[i - 1]));
		if (starts && ++words > 3)
			return i;
	}
	return n;
}

/* Call notes open with a preamble ("Renewal prep call.", "QBR notes -",
 * "Call w/ their platform team: ...", "Discovery call, champion is their
 * staff SRE."): the request is what follows. Skips a leading sentence of at
 * most six words that names a meeting or ends in ':' or '-', or of at most
 * ten with a meeting noun in its first three words, and such a lead-in before
 * ": ", as long as text remains. Left as titles, such sentences (the same in
 * many notes) made unrelated notes look alike. */
static const char *skip_preamble(const char *note)
{
	const char *p = note;
	for (int guard = 0; guard < 4; guard++) {
		while (*p && (is_ws((unsigned char)*p) || *p == '-' || *p == '*'))
			p++;
		size_t end = segment_end(p);
		const char *colon = memchr(p, ':', end);
		if (colon && colon[1] == ' ' && count_words(p, (size_t)(colon - p)) <= 6 &&
		    names_meeting(p, (size_t)(colon - p), false) &&
		    count_words(colon + 1, end - (size_t)(colon + 1 - p)) >= 3)
			return colon + 2;
		size_t last = end;
		while (last && is_ws((unsigned char)p[last - 1]))
			last--;
		int words = count_words(p, end);
		bool preamble = (words <= 6 && (names_meeting(p, end, false) ||
						(last && (p[last - 1] == ':' || p[last - 1] == '-')))) ||
				(words <= 10 && names_meeting(p, first_words(p, end), true));
		const char *rest = p + end;
		while (*rest && (is_ws((unsigned char)*rest) || *rest == '-' || *rest == '*'))
			rest++;
		if (!preamble || !*rest)
			break;
		p = rest;
	}
	return *p ? p : note;
}

/* The note's first sentence or first line, whichever ends first, after any
 * preamble; at most TITLE_MAX characters with "…" when cut (new). note is
 * trimmed, LF-only. */
static char *make_title(const char *full)
{
	const char *note = skip_preamble(full);
	size_t end = segment_end(note);
	const char *t = trim(note, &end);
	if (utf8_chars(t, end) <= TITLE_MAX)
		return strndup(t, end);
	/* keep TITLE_MAX - 1 characters; a cut never splits a UTF-8 sequence
	 * because it stops at the lead byte of character TITLE_MAX */
	size_t cut = 0, chars = 0;
	for (; cut < end; cut++) {
		if (((unsigned char)t[cut] & 0xc0) != 0x80 && chars++ == TITLE_MAX - 1)
			break;
	}
	trim(t, &cut);
	char *title = malloc(cut + 4);
	if (!title)
		return NULL;
	memcpy(title, t, cut);
	memcpy(title + cut, "\xe2\x80\xa6", 4); /* "…" and the NUL */
	return title;
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
			r->v[c] = trim(r->v[c], &r->n[c]);
			if (r->n[c] == 0)
				r->v[c] = NULL;
		}
		if (!r->v[c]) {
			if (!cols[c].required)
				continue;
			snprintf(why, whylen, "%s is required", cols[c].name);
			return c;
		}
		if (utf8_chars(r->v[c], r->n[c]) > cols[c].max_chars) {
			snprintf(why, whylen, "%s is longer than %zu characters", cols[c].name,
			         cols[c].max_chars);
			return c;
		}
		for (size_t i = 0; cols[c].one_line && i < r->n[c]; i++)
			if ((unsigned char)r->v[c][i] < 0x20 || r->v[c][i] == 0x7f)
				bad = "must be one line without control characters";
		if (!bad && c == COL_ARR)
			bad = parse_arr(r->v[c], r->n[c], arr);
		if (!bad && c == COL_DATE)
			bad = parse_date(r->v[c], r->n[c], date);
		if (bad) {
			snprintf(why, whylen, "%s %s", cols[c].name, bad);
			return c;
		}
	}
	return -1;
}

/* Turns one row into a mention or a row error, appended to *b. Returns -1
 * only when out of memory. */
static int add_row(struct sales_batch *b, int line, struct row_in *r)
{
	int64_t arr = -1, date = 0;
	char why[160];
	int bad = validate_row(r, &arr, &date, why, sizeof(why));
	if (bad >= 0)
		return batch_add_error(b, line, cols[bad].name, "%s", why);

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
		m->title = make_title(m->body);
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

/* ---- CSV ------------------------------------------------------------- */

/* libcsv calls back per field and per record; it knows nothing of lines, so
 * the input is fed one physical line at a time and the line where a record
 * started is noted when a non-blank line arrives between records. */
struct csv_ctx {
	struct sales_batch *b;
	struct err *err;
	bool failed;      /* *err is set; ignore further callbacks */
	bool have_header; /* the header record is complete */
	int ncols;        /* header columns */
	int col_of[NCOLS];
	bool in_record;
	int rec_line; /* line where the current record started */
	int nfields;  /* fields seen in the current record */
	char *vals[NCOLS];
	size_t lens[NCOLS];
	int nrows;
};

static void csv_reset_record(struct csv_ctx *x)
{
	for (int i = 0; i < NCOLS; i++) {
		free(x->vals[i]);
		x->vals[i] = NULL;
	}
	x->nfields = 0;
}

static void csv_header_field(struct csv_ctx *x, const char *s, size_t n)
{
	const char *name = trim(s, &n);
	int c = col_by_name(name, n);
	if (n == 0) {
		doc_error(x->err, x->rec_line, "a header column has no name");
		x->failed = true;
		return;
	}
	if (c < 0) {
		doc_error(x->err, x->rec_line,
		          "unknown column \"%.*s\" (known: account, arr, contact, note, date, "
		          "external_id)",
		          (int)(n > 60 ? 60 : n), name);
		x->failed = true;
		return;
	}
	for (int i = 0; i < x->ncols; i++)
		if (x->col_of[i] == c) {
			doc_error(x->err, x->rec_line, "column \"%s\" appears twice", cols[c].name);
			x->failed = true;
			return;
		}
	x->col_of[x->ncols++] = c; /* at most NCOLS: all distinct known columns */
}

static void csv_on_field(void *s, size_t n, void *data)
{
	struct csv_ctx *x = data;
	if (x->failed)
		return;
	if (!x->have_header) {
		csv_header_field(x, s, n);
	} else if (x->nfields < x->ncols) {
		/* fields beyond the header are only counted: the row is ragged */
		char *copy = malloc(n + 1);
		if (!copy) {
			doc_error(x->err, x->rec_line, "out of memory");
			x->failed = true;
			return;
		}
		memcpy(copy, s, n);
		copy[n] = '\0';
		x->vals[x->nfields] = copy;
		x->lens[x->nfields] = n;
	}
	x->nfields++;
}

static void csv_header_done(struct csv_ctx *x)
{
	for (int c = 0; c < NCOLS; c++) {
		if (!cols[c].required)
			continue;
		bool found = false;
		for (int i = 0; i < x->ncols; i++)
			found = found || x->col_of[i] == c;
		if (!found) {
			doc_error(x->err, x->rec_line, "missing column \"%s\" in the header",
			          cols[c].name);
			x->failed = true;
			return;
		}
	}
	x->have_header = true;
}

static void csv_on_record(int term, void *data)
{
	struct csv_ctx *x = data;
	x->in_record = false;
	if (x->failed)
		return;
	if (!x->have_header) {
		csv_header_done(x);
		x->nfields = 0;
		return;
	}
	if (++x->nrows > SALES_MAX_ROWS) {
		doc_error(x->err, x->rec_line, "more than %d rows", SALES_MAX_ROWS);
		x->failed = true;
		return;
	}
	int rc;
	if (x->nfields != x->ncols) {
		rc = batch_add_error(x->b, x->rec_line, "", "row has %d fields, the header has %d",
		                     x->nfields, x->ncols);
	} else {
		struct row_in r = {0};
		for (int i = 0; i < x->ncols; i++) {
			r.v[x->col_of[i]] = x->vals[i];
			r.n[x->col_of[i]] = x->lens[i];
		}
		rc = add_row(x->b, x->rec_line, &r);
	}
	csv_reset_record(x);
	if (rc < 0) {
		doc_error(x->err, x->rec_line, "out of memory");
		x->failed = true;
	}
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws((unsigned char)s[i]))
			return false;
	return true;
}

/* Feeds data[pos..len) to libcsv line by line; 0 or -1 with *err. */
static int csv_feed_lines(struct csv_parser *p, struct csv_ctx *x, const char *data, size_t pos,
                          size_t len)
{
	for (int line = 1; pos < len; line++) {
		size_t end = pos;
		while (end < len && data[end] != '\n' && data[end] != '\r')
			end++;
		if (end < len)
			end +=
			    (data[end] == '\r' && end + 1 < len && data[end + 1] == '\n') ? 2 : 1;
		if (!x->in_record && !blank(data + pos, end - pos)) {
			x->in_record = true;
			x->rec_line = line;
		}
		size_t used = csv_parse(p, data + pos, end - pos, csv_on_field, csv_on_record, x);
		if (x->failed)
			return -1;
		if (used != end - pos && csv_error(p) == CSV_EPARSE)
			return doc_error(x->err, line,
			                 "malformed quoting (a quote inside an unquoted field, or "
			                 "text after a closing quote)");
		if (used != end - pos)
			return doc_error(x->err, line, "%s", csv_strerror(csv_error(p)));
		pos = end;
	}
	if (csv_fini(p, csv_on_field, csv_on_record, x) != 0) {
		if (x->failed)
			return -1;
		if (csv_error(p) == CSV_EPARSE)
			return doc_error(x->err, x->rec_line, "quoted field is never closed");
		return doc_error(x->err, x->rec_line, "%s", csv_strerror(csv_error(p)));
	}
	return x->failed ? -1 : 0;
}

int sales_parse_csv(const char *data, size_t len, struct sales_batch *out, struct err *err)
{
	size_t start;
	if (check_document(data, len, &start, err) < 0)
		return -1;
	struct sales_batch b = {0};
	struct csv_ctx x = {.b = &b, .err = err};
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(err, "out of memory");

	int rc = csv_feed_lines(&p, &x, data, start, len);
	if (rc == 0 && !x.have_header)
		rc =
		    doc_error(err, 1, "no header row (expected account, arr, contact, note, date)");
	csv_free(&p);
	csv_reset_record(&x);
	if (rc < 0) {
		sales_batch_clear(&b);
		return -1;
	}
	*out = b;
	return 0;
}

/* ---- JSON ------------------------------------------------------------ */

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* One array element to a mention or a row error; -1 only when out of memory. */
static int json_row(struct sales_batch *b, int line, json_t *obj)
{
	if (!json_is_object(obj))
		return batch_add_error(b, line, "", "element %d is %s, expected an object", line,
		                       json_type_name(obj));
	struct row_in r = {0};
	char num[32];
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		int c = col_by_name(key, strlen(key));
		/* key case matters in JSON: "Account" is not "account" */
		if (c < 0 || strcmp(key, cols[c].name) != 0)
			return batch_add_error(b, line, key, "unknown key \"%.60s\"", key);
		if (json_is_null(v))
			continue; /* same as absent */
		if (json_is_string(v)) {
			r.v[c] = json_string_value(v);
			r.n[c] = json_string_length(v);
			/* jansson rejects \u0000 by default, so n is also strlen */
		} else if (c == COL_ARR && json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			r.v[c] = num;
			r.n[c] = strlen(num);
		} else {
			return batch_add_error(b, line, key, "%s must be %s, got %s", key,
			                       c == COL_ARR ? "an integer or a string" : "a string",
			                       json_type_name(v));
		}
	}
	return add_row(b, line, &r);
}

int sales_parse_json(const char *data, size_t len, struct sales_batch *out, struct err *err)
{
	size_t start;
	if (check_document(data, len, &start, err) < 0)
		return -1;
	json_error_t je;
	json_t *root =
	    json_loadb(data + start, len - start, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root)
		return doc_error(err, je.line > 0 ? je.line : 1, "malformed JSON: %s", je.text);
	if (!json_is_array(root)) {
		doc_error(err, 1, "expected a JSON array of objects, got %s", json_type_name(root));
		json_decref(root);
		return -1;
	}
	if (json_array_size(root) > SALES_MAX_ROWS) {
		doc_error(err, 1, "more than %d rows", SALES_MAX_ROWS);
		json_decref(root);
		return -1;
	}
	struct sales_batch b = {0};
	size_t i;
	json_t *el;
	json_array_foreach(root, i, el)
	{
		if (json_row(&b, (int)i + 1, el) < 0) {
			doc_error(err, (int)i + 1, "out of memory");
			sales_batch_clear(&b);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = b;
	return 0;
}
