/* intake/http/gate.h - the connection gate: limits that hold under abuse, on
 * libevent 2.1's evhttp, which has no hook for a new connection or a request
 * head. The gate creates each connection's bufferevent (evhttp_set_bevcb),
 * keeps a reference to it, and watches its input buffer: every byte passes
 * its head scanner (headscan.h) before evhttp parses it. From that it
 *   - admits a connection or answers 503 (http.max_connections overall,
 *     http.max_connections_per_client per address; trusted proxies exempt);
 *   - decides a request's body limit from its route before any body is
 *     buffered: 413 from Content-Length, or by counting a chunked body;
 *   - bounds large bodies in flight (http.max_concurrent_uploads, 503);
 *   - holds deadlines that bytes do not restart: the whole head within
 *     http.head_timeout_s, the whole body within http.body_timeout_s (408),
 *     a kept-alive connection idle for http.idle_timeout_s is closed;
 *   - answers a malformed (400) or oversized (431) head itself;
 *   - pauses accepting on EMFILE/ENFILE and logs once per interval.
 * Its own answers are problem+json with the base headers, written straight to
 * the socket; then evhttp's connection is freed from a gate event (never from
 * inside evhttp's callbacks), the input drained for a moment so the client
 * reads the answer rather than a reset, and the reference dropped by a
 * periodic sweep that notices evhttp has let the bufferevent go. */
#ifndef INTAKE_HTTP_GATE_H
#define INTAKE_HTTP_GATE_H

#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <stdbool.h>
#include <stddef.h>

#include "intake/config.h"
#include "triage/err.h"

struct http_ctx;
struct gate_shared; /* the whole server's counts */
struct gate_worker; /* one per worker thread */
struct gate;        /* one per connection */

/* Raises RLIMIT_NOFILE's soft limit to the hard one and sizes the caps from
 * cfg (borrowed, must outlive it). NULL and *err on failure. */
struct gate_shared *gate_shared_new(const struct config *cfg, struct err *err)
    __attribute__((warn_unused_result));
void gate_shared_free(struct gate_shared *gs); /* accepts NULL; after every worker */

/* http.max_connections as applied: below the descriptor limit. */
long gate_max_connections(const struct gate_shared *gs);

/* Gates every connection http accepts through lev (both borrowed; lev until
 * gate_worker_unbind). Runs on the worker's thread from then on. */
struct gate_worker *gate_worker_new(struct gate_shared *gs, struct event_base *base,
                                    struct evhttp *http, struct evconnlistener *lev);
/* Before the listener is freed: no more pausing or resuming it. */
void gate_worker_unbind(struct gate_worker *gw);
/* After evhttp_free (every connection gone): drops what is left. */
void gate_worker_free(struct gate_worker *gw); /* accepts NULL */

/* The gate of the connection req came on, or NULL (an ungated connection). */
struct gate *gate_of(struct gate_worker *gw, struct evhttp_request *req);
/* The request reached dispatch: no deadline while it is handled. */
void gate_dispatched(struct gate *g); /* accepts NULL */
/* Its reply was sent: the connection idles until the next head. */
void gate_reply_done(struct gate *g); /* accepts NULL */

/* Defined in reply.c, where every reply's headers are: a whole HTTP/1.1
 * problem+json response with the base headers and Connection: close, into
 * out (len bytes). Retry-After when retry_after > 0. Returns its length. */
size_t http_raw_problem(char *out, size_t len, int status, int retry_after, const char *detail);

/* True when the request carries credentials: an Authorization header or the
 * session cookie (reply.c). */
bool http_authenticated_request(struct http_ctx *c);

#endif
