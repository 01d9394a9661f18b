/* intake/sync/sales_import.c - see sales_import.h. */
#include "intake/sync/sales_import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/ownership.h"
#include "intake/ingest/ingest.h"

int sales_parse_any(const char *data, size_t len, struct sales_batch *out, struct err *err)
{
	size_t i = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && (data[i] == '[' || data[i] == '{'))
		return sales_parse_json(data, len, out, err);
	return sales_parse_csv(data, len, out, err);
}

static int by_line(const void *a, const void *b)
{
	const struct sales_row_error *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

/* Moves the rows whose (sales, external_id) another client owns out of the
 * batch into its row errors (field external_id), inside the open
 * transaction: they create and change nothing, the others still land. */
static int reject_foreign(PGconn *c, struct sales_batch *b, struct err *err)
{
	if (b->nmentions == 0)
		return 0;
	const char **ext = calloc((size_t)b->nmentions, sizeof(char *));
	const char **own = calloc((size_t)b->nmentions, sizeof(char *));
	if (!ext || !own) {
		free(ext);
		free(own);
		return err_set(err, "out of memory");
	}
	for (int i = 0; i < b->nmentions; i++) {
		ext[i] = b->mentions[i].external_id;
		own[i] = ingest_owner(&b->mentions[i]);
	}
	int *foreign = NULL, nforeign = 0;
	int rc = db_foreign_external_ids(c, "sales", ext, own, b->nmentions, &foreign, &nforeign, err);
	free(ext);
	free(own);
	if (rc < 0)
		return -1;
	if (nforeign == 0)
		return 0;
	struct sales_row_error *e =
	    realloc(b->errors, sizeof(*e) * (size_t)(b->nerrors + nforeign));
	if (!e) {
		free(foreign);
		return err_set(err, "out of memory");
	}
	b->errors = e;
	int kept = 0, next = 0;
	for (int i = 0; i < b->nmentions; i++) {
		if (next >= nforeign || foreign[next] != i) {
			b->mentions[kept] = b->mentions[i];
			b->mention_lines[kept++] = b->mention_lines[i];
			continue;
		}
		next++;
		struct sales_row_error *re = &b->errors[b->nerrors++];
		memset(re, 0, sizeof(*re));
		re->line = b->mention_lines[i];
		snprintf(re->field, sizeof(re->field), "external_id");
		snprintf(re->msg, sizeof(re->msg), "external_id belongs to another client");
		mention_clear(&b->mentions[i]);
	}
	free(foreign);
	b->nmentions = kept;
	qsort(b->errors, (size_t)b->nerrors, sizeof(*b->errors), by_line);
	return 0;
}

int sales_import(PGconn *c, struct triage_ctx *t, struct sales_batch *b, sales_progress_fn progress, void *arg,
		 struct sales_import_result *out, struct err *err)
{
	struct sales_import_result res = {0};
	struct ingest_tx tx;
	if (ingest_begin(&tx, c, t, err) < 0)
		return -1;
	if (reject_foreign(c, b, err) < 0) {
		ingest_rollback(&tx);
		return -1;
	}
	/* in one call, so that each window's reads overlap the writes of the
	 * one before (a call's first window cannot); progress as it goes */
	struct ingest_result *r = calloc((size_t)b->nmentions + 1, sizeof(*r));
	if (!r) {
		ingest_rollback(&tx);
		return err_set(err, "out of memory");
	}
	tx.progress = progress;
	tx.progress_arg = arg;
	int failed = -1;
	struct err inner = {0};
	int rc = ingest_many(&tx, b->mentions, b->nmentions, "triage", r, &failed, &inner);
	if (rc < 0) {
		ingest_rollback(&tx);
		free(r);
		return err_set_field(err, inner.field, "line %d: %s",
				     b->mention_lines[failed >= 0 ? failed : 0], inner.msg);
	}
	for (int i = 0; i < b->nmentions; i++) {
		res.added += r[i].outcome == INGEST_NEW;
		res.updated += r[i].outcome == INGEST_UPDATED;
		res.unchanged += r[i].outcome == INGEST_UNCHANGED || r[i].outcome == INGEST_STALE;
	}
	free(r);
	if (ingest_commit(&tx, err) < 0) {
		ingest_rollback(&tx);
		return -1;
	}
	*out = res;
	return 0;
}
