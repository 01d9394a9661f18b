/* connectors/sales_rows.h - what the sales-notes parsers share, inside
 * connectors/ only (the public interface is connectors/sales.h): the columns,
 * one row's values whatever the format, the document checks and the step from
 * a row to a mention or a row error. sales.c holds them; sales_csv.c and
 * sales_json.c read the two formats; sales_title.c makes a note's title. */
#ifndef CONNECTORS_SALES_ROWS_H
#define CONNECTORS_SALES_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "connectors/sales.h"

enum sales_column { COL_ACCOUNT, COL_ARR, COL_CONTACT, COL_NOTE, COL_DATE, COL_EXTERNAL_ID, NCOLS };

struct sales_col {
	const char *name; /* CSV header name and JSON key */
	bool required;
	size_t max_chars;
	bool one_line;
};
extern const struct sales_col sales_cols[NCOLS];

/* The column named name[0..n), case-insensitively, or -1. */
int sales_col_by_name(const char *name, size_t n);

/* One row's values, whatever the format: borrowed pointers, NULL = absent. */
struct row_in {
	const char *v[NCOLS];
	size_t n[NCOLS];
};

/* Turns one row into a mention or a row error, appended to *b (r's values
 * are trimmed in place). Returns -1 only when out of memory. */
int sales_add_row(struct sales_batch *b, int line, struct row_in *r);

/* Appends a row error to *b; -1 only when out of memory. */
int sales_batch_add_error(struct sales_batch *b, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Checks shared by both formats (size, UTF-8, NUL bytes); skips a BOM:
 * *start is where parsing begins. 0, or -1 and *err naming the line. */
int sales_check_document(const char *data, size_t len, size_t *start, struct err *err);

/* A document-level error at a line: field "line N", message "line N: ...";
 * returns -1. */
int sales_doc_error(struct err *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

bool sales_is_ws(unsigned char c); /* ASCII whitespace */
/* Trims ASCII whitespace from both ends of s[0..*n); returns the new start. */
const char *sales_trim(const char *s, size_t *n);
/* Characters (code points) in valid UTF-8. */
size_t sales_utf8_chars(const char *s, size_t n);

/* The title of a note (trimmed, LF-only): its first sentence or line after
 * any meeting preamble, at most 120 characters with "…" when cut. New, or
 * NULL when out of memory. */
char *sales_title(const char *note);

#endif
