/* connectors/sales.h - the sales-notes parser: a CSV (RFC 4180) or JSON export
 * of account notes in, customer mentions out. Pure: no I/O, no database, no
 * logging, no globals.
 *
 * Input columns (CSV header names, case-insensitive and trimmed) or JSON keys:
 *   account      required, 1-200 characters, one line
 *   arr          required, whole dollars 0..10^12: 240000, 240,000, $240,000,
 *                240k, 1.2M, 3B (a JSON integer or string)
 *   contact      required, 1-200 characters, one line
 *   note         required, 1-20000 characters (after trimming; CRLF becomes LF)
 *   date         required, YYYY-MM-DD, a real calendar date, year >= 2000
 *   external_id  optional, 1-200 characters, one line
 *
 * A document is either readable as a whole (0: good rows become mentions, bad
 * rows become row errors, both in file order) or it is not (-1 and one error
 * naming the line): over SALES_MAX_BYTES or SALES_MAX_ROWS, invalid UTF-8, a NUL
 * byte, broken CSV quoting, an unknown, duplicate or missing CSV header column,
 * malformed JSON or a JSON document that is not an array. A UTF-8 byte order
 * mark at the start is skipped. */
#ifndef CONNECTORS_SALES_H
#define CONNECTORS_SALES_H

#include <stddef.h>

#include "triage/err.h"
#include "triage/mention.h"

#define SALES_MAX_BYTES ((size_t)64 * 1024 * 1024) /* whole document */
#define SALES_MAX_ROWS  100000                     /* data rows (CSV) or elements (JSON) */

/* One rejected row. line: CSV, the 1-based physical line where the record
 * starts (the header is line 1); JSON, the 1-based index in the array. field:
 * the column or key at fault, "" when the row as a whole is (ragged CSV row,
 * JSON element that is not an object). Only the first problem of a row is kept. */
struct sales_row_error {
	int line;
	char field[32];
	char msg[200];
};

/* The result of one parse; everything in it is owned by the batch. */
struct sales_batch {
	struct mention *mentions; /* good rows, in file order */
	int nmentions;
	struct sales_row_error *errors; /* bad rows, in file order */
	int nerrors;
	int *mention_lines; /* source line of each good row (same numbering as errors) */
};

/* Each good row becomes a mention: source SRC_SALES, kind MENTION_POST, author
 * = contact (AUTHOR_CUSTOMER), account, arr, body = note, title = the note's
 * first sentence or first line (at most 120 characters, "…" when cut),
 * is_public false, created_at = updated_at = the date at 00:00 UTC, and
 * external_id = the given one, or else "sha256:" + 32 hex digits of SHA-256
 * over account, contact, date and note (joined by 0x1f), so re-importing the
 * same file yields the same ids.
 *
 * data (borrowed, len bytes, need not be NUL-terminated). On 0, *out is
 * overwritten (not freed first) with a new batch the caller releases with
 * sales_batch_clear; on -1, *out is untouched and *err names the line
 * (field "line N"). */
int sales_parse_csv(const char *data, size_t len, struct sales_batch *out, struct err *err)
    __attribute__((warn_unused_result));
int sales_parse_json(const char *data, size_t len, struct sales_batch *out, struct err *err)
    __attribute__((warn_unused_result));

/* Frees everything the batch owns and zeroes it; accepts a zeroed batch. */
void sales_batch_clear(struct sales_batch *b);

#endif
