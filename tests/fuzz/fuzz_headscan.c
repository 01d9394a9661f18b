/* libFuzzer harness for the request-head scanner (intake/http/headscan.c),
 * which reads untrusted bytes from every client before libevent does. The
 * input is fed twice: whole, and split at a point taken from its first byte,
 * and both must end in the same state - a head scans the same however the
 * network splits it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "intake/http/headscan.h"

static void check(const struct headscan *a, const struct headscan *b, size_t ca, size_t cb)
{
	if (a->state != b->state || ca != cb || a->content_length != b->content_length ||
	    a->chunked != b->chunked || strcmp(a->method, b->method) != 0 ||
	    strcmp(a->path, b->path) != 0)
		abort();
	if (a->state == HS_DONE && (a->content_length < -1 || a->head_bytes > a->max_head))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t max_head = 64 + data[0] * 16u;
	const char *p = (const char *)data + 1;
	size_t n = size - 1;

	struct headscan whole, split;
	headscan_init(&whole, max_head);
	size_t used_whole = headscan_feed(&whole, p, n);

	headscan_init(&split, max_head);
	size_t cut = n ? data[0] % (n + 1) : 0;
	size_t used_split = headscan_feed(&split, p, cut);
	if (used_split == cut) /* the first part did not end the head */
		used_split += headscan_feed(&split, p + cut, n - cut);
	check(&whole, &split, used_whole, used_split);
	/* a finished scanner takes nothing more */
	if (whole.state != HS_LINE && whole.state != HS_HEADERS && headscan_feed(&whole, p, n) != 0)
		abort();
	return 0;
}
