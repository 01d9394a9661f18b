/* tests/fuzz/sales_check.h - what sales.h promises about a parsed batch,
 * shared by the CSV and JSON harnesses. */
#ifndef TESTS_FUZZ_SALES_CHECK_H
#define TESTS_FUZZ_SALES_CHECK_H

#include <string.h>

#include "connectors/sales.h"
#include "fuzz.h"
#include "triage/text.h"

static void sales_check(int rc, struct sales_batch *b, const struct err *err)
{
	if (rc < 0) {
		FUZZ_ASSERT(*err->msg);
		return;
	}
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(b->nmentions >= 0 && b->nerrors >= 0);
	FUZZ_ASSERT(b->nmentions + b->nerrors <= SALES_MAX_ROWS);
	for (int i = 0; i < b->nmentions; i++) {
		const struct mention *m = &b->mentions[i];
		fuzz_check_mention(m);
		FUZZ_ASSERT(m->source == SRC_SALES && !m->is_public);
		FUZZ_ASSERT(m->arr >= 0 && m->arr <= 1000000000000LL);
		FUZZ_ASSERT(m->account && *m->account && m->author && *m->author);
		FUZZ_ASSERT(m->body && *m->body && strlen(m->body) <= 4 * 20000);
		FUZZ_ASSERT(m->title && text_utf8_len(m->title) <= 121);
		FUZZ_ASSERT(m->created_at >= 946684800); /* 2000-01-01 */
		FUZZ_ASSERT(i == 0 || b->mention_lines[i] > b->mention_lines[i - 1]);
	}
	for (int i = 0; i < b->nerrors; i++) {
		const struct sales_row_error *e = &b->errors[i];
		FUZZ_ASSERT(e->line >= 1 && memchr(e->field, '\0', sizeof(e->field)));
		/* the message may echo a cut key: the API then says "invalid value" */
		FUZZ_ASSERT(*e->msg);
		FUZZ_ASSERT(i == 0 || e->line > b->errors[i - 1].line);
	}
	sales_batch_clear(b);
}

#endif
