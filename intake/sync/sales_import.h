/* intake/sync/sales_import.h - writes a parsed sales-notes batch through the ingest
 * pipeline in ONE transaction: either every good row lands or none does.
 * Shared by POST /api/v1/sales-notes, `ideatriage import-sales` and the inbox. */
#ifndef INTAKE_SALES_IMPORT_H
#define INTAKE_SALES_IMPORT_H

#include <libpq-fe.h>

#include "connectors/sales.h"
#include "triage/err.h"

struct sales_import_result {
	int added;     /* new mentions */
	int updated;   /* known notes whose content changed */
	int unchanged; /* already imported as they are */
};

/* Told how many rows are done (of total) as the import goes, a window of
 * rows at a time - e.g. a progress bar; may be NULL. */
typedef void (*sales_progress_fn)(int done, int total, void *arg);

struct triage_ctx;

/* Rows whose external_id another client owns (their mentions' owner,
 * intake/ingest/parts.h) leave *b for its row errors (field
 * "external_id") and change nothing; the rest land together. */
int sales_import(PGconn *c, struct triage_ctx *t, struct sales_batch *b, sales_progress_fn progress, void *arg,
		 struct sales_import_result *out, struct err *err) __attribute__((warn_unused_result));

/* Parses data as CSV or JSON: JSON when the first non-blank byte (after a BOM)
 * is '[' or '{'; CSV otherwise. */
int sales_parse_any(const char *data, size_t len, struct sales_batch *out, struct err *err)
    __attribute__((warn_unused_result));

#endif
