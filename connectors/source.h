/* connectors/source.h - private to connectors/: what one source implements
 * behind the connector.h interface. */
#ifndef CONNECTORS_SOURCE_H
#define CONNECTORS_SOURCE_H

#include <time.h>

#include "connectors/connector.h"
#include "connectors/http.h"

struct source_ops {
	/* new state from cfg; *configured false when it has nothing to do */
	void *(*create)(const struct connector_config *cfg, bool *configured, struct err *err);
	void (*rewind)(void *state);
	int (*fetch)(void *state, const char *cursor, struct connector_batch *out,
	             long *retry_after, struct err *err);
	int (*ack)(void *state, struct connector_batch *b, struct err *err); /* may be NULL */
	/* asks upstream whether items still exist (may be NULL: cannot tell) */
	int (*verify)(void *state, const char *const *ids, int n, bool *gone, int *requests,
	              long *retry_after, struct err *err);
	void (*destroy)(void *state);
};

extern const struct source_ops github_source;
extern const struct source_ops reddit_source;
extern const struct source_ops sales_source;

/* A client for this connector's HTTP requests, from the shared limits. */
struct chttp *source_http_new(const struct connector_config *cfg, struct err *err);

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date,
 * RFC 9110 10.2.3; anything else is read as 60), clamped to [1, 86400]; 0
 * when absent. The _at form counts from now, for tests. */
long source_retry_after(const char *value);
long source_retry_after_at(const char *value, time_t now);

#endif
