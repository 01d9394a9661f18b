/* connectors/sales_csv.c - sales notes from CSV. Tokenising is libcsv's job
 * (strict RFC 4180 quoting); this file adds line numbers and the header, and
 * hands each record to the rows of sales.c. */
#include <csv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/sales_rows.h"

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
	const char *name = sales_trim(s, &n);
	int c = sales_col_by_name(name, n);
	if (n == 0) {
		sales_doc_error(x->err, x->rec_line, "a header column has no name");
		x->failed = true;
		return;
	}
	if (c < 0) {
		sales_doc_error(
		    x->err, x->rec_line,
		    "unknown column \"%.*s\" (known: account, arr, contact, note, date, "
		    "external_id)",
		    (int)(n > 60 ? 60 : n), name);
		x->failed = true;
		return;
	}
	for (int i = 0; i < x->ncols; i++)
		if (x->col_of[i] == c) {
			sales_doc_error(x->err, x->rec_line, "column \"%s\" appears twice",
			                sales_cols[c].name);
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
			sales_doc_error(x->err, x->rec_line, "out of memory");
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
		if (!sales_cols[c].required)
			continue;
		bool found = false;
		for (int i = 0; i < x->ncols; i++)
			found = found || x->col_of[i] == c;
		if (!found) {
			sales_doc_error(x->err, x->rec_line, "missing column \"%s\" in the header",
			                sales_cols[c].name);
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
		sales_doc_error(x->err, x->rec_line, "more than %d rows", SALES_MAX_ROWS);
		x->failed = true;
		return;
	}
	int rc;
	if (x->nfields != x->ncols) {
		rc = sales_batch_add_error(x->b, x->rec_line, "",
		                           "row has %d fields, the header has %d", x->nfields,
		                           x->ncols);
	} else {
		struct row_in r = {0};
		for (int i = 0; i < x->ncols; i++) {
			r.v[x->col_of[i]] = x->vals[i];
			r.n[x->col_of[i]] = x->lens[i];
		}
		rc = sales_add_row(x->b, x->rec_line, &r);
	}
	csv_reset_record(x);
	if (rc < 0) {
		sales_doc_error(x->err, x->rec_line, "out of memory");
		x->failed = true;
	}
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sales_is_ws((unsigned char)s[i]))
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
			return sales_doc_error(
			    x->err, line,
			    "malformed quoting (a quote inside an unquoted field, or "
			    "text after a closing quote)");
		if (used != end - pos)
			return sales_doc_error(x->err, line, "%s", csv_strerror(csv_error(p)));
		pos = end;
	}
	if (csv_fini(p, csv_on_field, csv_on_record, x) != 0) {
		if (x->failed)
			return -1;
		if (csv_error(p) == CSV_EPARSE)
			return sales_doc_error(x->err, x->rec_line, "quoted field is never closed");
		return sales_doc_error(x->err, x->rec_line, "%s", csv_strerror(csv_error(p)));
	}
	return x->failed ? -1 : 0;
}

int sales_parse_csv(const char *data, size_t len, struct sales_batch *out, struct err *err)
{
	size_t start;
	if (sales_check_document(data, len, &start, err) < 0)
		return -1;
	struct sales_batch b = {0};
	struct csv_ctx x = {.b = &b, .err = err};
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return err_set(err, "out of memory");

	int rc = csv_feed_lines(&p, &x, data, start, len);
	if (rc == 0 && !x.have_header)
		rc = sales_doc_error(err, 1,
		                     "no header row (expected account, arr, contact, note, date)");
	csv_free(&p);
	csv_reset_record(&x);
	if (rc < 0) {
		sales_batch_clear(&b);
		return -1;
	}
	*out = b;
	return 0;
}
