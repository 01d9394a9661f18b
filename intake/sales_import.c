#include "intake/sales_import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "intake/pipeline.h"

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

int sales_import(PGconn *c, struct triage_ctx *t, const struct sales_batch *b, sales_progress_fn progress, void *arg,
		 struct sales_import_result *out, struct err *err)
{
	struct sales_import_result res = {0};
	if (pipeline_begin(c, err) < 0)
		return -1;
	/* in slices, so a long file shows progress; large ones, as the ingest
	 * overlaps the windows of one slice with each other */
	enum { SLICE = 25000 };
	struct ingest_result *r = calloc(SLICE, sizeof(*r));
	for (int at = 0; at < b->nmentions; at += SLICE) {
		int n = b->nmentions - at < SLICE ? b->nmentions - at : SLICE, failed = -1;
		struct err inner = {0};
		if (pipeline_ingest_many(c, t, b->mentions + at, n, "triage", r, &failed, &inner) < 0) {
			pipeline_rollback(c, t);
			free(r);
			return err_set_field(err, inner.field, "line %d: %s",
					     b->mention_lines[at + (failed >= 0 ? failed : 0)], inner.msg);
		}
		for (int i = 0; i < n; i++) {
			res.added += r[i].outcome == INGEST_NEW;
			res.updated += r[i].outcome == INGEST_UPDATED;
			res.unchanged += r[i].outcome == INGEST_UNCHANGED || r[i].outcome == INGEST_STALE;
		}
		if (progress)
			progress(at + n, b->nmentions, arg);
	}
	free(r);
	if (pipeline_commit(c, t, err) < 0) {
		pipeline_rollback(c, t);
		return -1;
	}
	*out = res;
	return 0;
}
