/* connectors/http.h - the outbound HTTP client every connector uses (libcurl).
 * Bounded in every direction: connect and total timeouts, a cap on the
 * response body, TLS verification always on. One client keeps one curl handle
 * so consecutive requests to one host reuse the connection. Not thread-safe:
 * one client per thread. */
#ifndef CONNECTORS_HTTP_H
#define CONNECTORS_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "triage/err.h"

struct chttp_options {
	long connect_timeout_s; /* TCP + TLS handshake */
	long timeout_s;         /* whole request, body included */
	size_t max_bytes; /* response body cap, in decoded bytes; larger answers are aborted */
	const char *user_agent; /* borrowed; a descriptive UA (Reddit requires one) */
	const atomic_bool *cancel; /* borrowed, may be NULL: true aborts a transfer (shutdown) */
};

#define CHTTP_MAX_HEADERS 64

/* One response. Everything is owned by the response (chttp_response_clear). */
struct chttp_response {
	long status;
	char *body; /* NUL-terminated, len bytes (may hold NULs) */
	size_t len;
	char *names[CHTTP_MAX_HEADERS];
	char *values[CHTTP_MAX_HEADERS];
	int nheaders;
};

struct chttp;

/* New client; opts (copied, user_agent borrowed). NULL with *err. */
struct chttp *chttp_new(const struct chttp_options *opts, struct err *err)
    __attribute__((warn_unused_result));
void chttp_free(struct chttp *h); /* accepts NULL */

/* One request. method "GET" or "POST"; headers: NULL-terminated "Name: value"
 * lines (borrowed, may be NULL); body (may be NULL) is sent as is;
 * basic_user/basic_pass (may be NULL) add HTTP basic auth. Any HTTP status is a
 * success (0, *out filled, the caller looks at status; redirects are not
 * followed, a 3xx is such a status); -1 and *err (out
 * untouched) when no complete response arrived: connection refused, a
 * timeout, a body cut short, a body over max_bytes, a TLS failure. The message
 * names the URL without its query (which may carry a cursor, never a secret;
 * secrets go in headers). */
int chttp_request(struct chttp *h, const char *method, const char *url,
                  const char *const *headers, const char *body, const char *basic_user,
                  const char *basic_pass, struct chttp_response *out, struct err *err)
    __attribute__((warn_unused_result));

/* A response header's value (borrowed, last one wins), name case-insensitive;
 * NULL when absent. */
const char *chttp_header(const struct chttp_response *r, const char *name);

void chttp_response_clear(struct chttp_response *r); /* accepts a zeroed response */

/* The URL of rel="next" in an RFC 8288 Link header value (new), or NULL. */
char *chttp_link_next(const char *link);

#endif
