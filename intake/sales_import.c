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
	/* in one call, so that each window's reads overlap the writes of the
	 * one before (a call's first window cannot); progress as it goes */
	struct ingest_result *r = calloc((size_t)b->nmentions + 1, sizeof(*r));
	if (!r) {
		pipeline_rollback(c, t);
		return err_set(err, "out of memory");
	}
	t->progress = progress;
	t->progress_arg = arg;
	int failed = -1;
	struct err inner = {0};
	int rc = pipeline_ingest_many(c, t, b->mentions, b->nmentions, "triage", r, &failed, &inner);
	t->progress = NULL;
	t->progress_arg = NULL;
	if (rc < 0) {
		pipeline_rollback(c, t);
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
	if (pipeline_commit(c, t, err) < 0) {
		pipeline_rollback(c, t);
		return -1;
	}
	*out = res;
	return 0;
}
