/* tests/fuzz/connector_run.h - drives a connector through the fake HTTP
 * client: the Reddit and GitHub source harnesses. Input: "CURSOR\n====\n"
 * then one scripted HTTP answer per part (fuzz.h). Each fetch starts from the
 * cursor the previous one returned, so the fuzzer reaches what a hostile
 * upstream can put into a stored cursor and what the next fetch does with
 * it; a run that ends is rewound and walked again from its cursor. */
#ifndef TESTS_FUZZ_CONNECTOR_RUN_H
#define TESTS_FUZZ_CONNECTOR_RUN_H

#include <jansson.h>
#include <string.h>

#include "connectors/connector.h"
#include "fuzz.h"

#define RUN_MAX_PARTS   12
#define RUN_MAX_FETCHES 12

/* Source-specific checks: of every batch a fetch returned, and of every URL
 * the connector requested. */
typedef void (*batch_check)(const struct connector_batch *b);
typedef void (*url_check)(const char *url);

static void connector_run(const char *name, const struct connector_config *cfg, const uint8_t *data,
                          size_t size, batch_check check, url_check check_url)
{
	char *parts[RUN_MAX_PARTS];
	int n = fuzz_split(data, size, parts, RUN_MAX_PARTS);
	struct err err = {0};
	struct connector *c = connector_new(name, cfg, &err);
	FUZZ_ASSERT(c);
	fuzz_http_script(parts + 1, n - 1);
	char *cursor = strdup(parts[0]);
	for (int i = 0; i < RUN_MAX_FETCHES && fuzz_http_nrequests() < n; i++) {
		struct connector_batch b;
		long retry_after = -1;
		memset(&err, 0, sizeof(err));
		int rc = connector_fetch(c, cursor, &b, &retry_after, &err);
		FUZZ_ASSERT(retry_after >= 0 && retry_after <= 86400);
		if (rc < 0) {
			FUZZ_ASSERT(*err.msg && fuzz_json_string_ok(err.msg));
			continue; /* the cursor stays; the next answer is tried */
		}
		FUZZ_ASSERT(rc == 0 && b.next_cursor);
		json_t *next = json_loads(b.next_cursor, 0, NULL);
		FUZZ_ASSERT(json_is_object(next)); /* what the sync stores */
		json_decref(next);
		for (int k = 0; k < b.nmentions; k++)
			fuzz_check_mention(&b.mentions[k]);
		FUZZ_ASSERT(b.skipped >= 0 && b.errors >= 0 && b.requests >= 0);
		check(&b);
		free(cursor);
		cursor = strdup(b.next_cursor);
		if (b.done)
			connector_rewind(c);
		connector_batch_clear(&b);
	}
	for (int i = 0; i < fuzz_http_nrequests(); i++)
		check_url(fuzz_http_url(i));
	free(cursor);
	connector_free(c);
	fuzz_http_reset();
	fuzz_free_parts(parts, n);
}

#endif
