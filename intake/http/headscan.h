/* intake/http/headscan.h - an incremental scanner of an HTTP/1.x request head,
 * fed the bytes as they arrive from the socket, before libevent parses them.
 * It keeps only what the connection gate needs to decide before a body is
 * buffered: the method, the path, where the head ends, Content-Length and
 * Transfer-Encoding. It allocates nothing and holds a bounded copy of each
 * field, so a hostile head costs a fixed amount of memory. Untrusted input:
 * tests/fuzz/fuzz_headscan.c fuzzes it. */
#ifndef INTAKE_HTTP_HEADSCAN_H
#define INTAKE_HTTP_HEADSCAN_H

#include <stdbool.h>
#include <stddef.h>

enum headscan_state {
	HS_LINE,      /* in the request line */
	HS_HEADERS,   /* in the header fields */
	HS_DONE,      /* the empty line was seen: the head is complete */
	HS_BAD,       /* malformed: why says how */
	HS_TOO_LARGE, /* more than max_head bytes without an end */
};

struct headscan {
	enum headscan_state state;
	size_t max_head;   /* bytes the whole head may take */
	size_t head_bytes; /* seen so far, line ends included */
	const char *why;   /* HS_BAD: a static sentence */

	/* results (valid once HS_DONE) */
	char method[16];
	char path[512];      /* the target up to '?' or '#', truncated */
	bool path_truncated; /* longer than path: matches no route */
	size_t path_len;
	long long content_length; /* -1 when absent */
	bool chunked;

	/* the line being scanned */
	int part;      /* request line: 0 method, 1 target, 2 version */
	size_t len[3]; /* request line: bytes seen of each part */
	bool in_query; /* target: past '?' or '#' */
	char version[12];
	bool pending_cr; /* a '\r' not yet known to end the line */
	size_t line_len;
	char name[24]; /* header name, lowercased, truncated */
	size_t name_len;
	bool in_value;
	char value[24]; /* header value without leading blanks, truncated */
	size_t value_len;
	bool value_truncated;
	bool last_framing; /* the previous field was Content-Length or Transfer-Encoding */
	int te_count;
};

/* Starts a new head that may take at most max_head bytes. */
void headscan_init(struct headscan *s, size_t max_head);

/* Scans up to n bytes of p. Returns how many belong to the head: less than n
 * only when the head ended inside p (state HS_DONE; the rest is body or the
 * next request) or the head turned HS_BAD / HS_TOO_LARGE (the rest is not
 * looked at). Feeding a finished scanner consumes nothing. */
size_t headscan_feed(struct headscan *s, const char *p, size_t n);

#endif
