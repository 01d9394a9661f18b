/* intake/http/server.h - the HTTP server: N event-loop worker threads sharing
 * one listening socket, each with its own database connection, so requests
 * never queue behind a single connection. */
#ifndef INTAKE_HTTP_SERVER_H
#define INTAKE_HTTP_SERVER_H

#include "intake/config.h"
#include "triage/err.h"

struct http_server;

/* Binds cfg->listen (borrowed, must outlive the server). conninfo is copied.
 * New server on success; NULL and *err on failure. */
struct triage_live;

/* rules (borrowed, must outlive the server): each worker makes its own
 * triage context on them and adopts newer rules between requests. */
struct http_server *http_server_new(const struct config *cfg, const char *conninfo,
				    struct triage_live *rules, struct err *err)
    __attribute__((warn_unused_result));

/* The bound port (useful when http.listen asked for port 0). */
int http_server_port(const struct http_server *s);

/* Starts the workers; returns at once. 0 or -1 with *err. */
int http_server_start(struct http_server *s, struct err *err) __attribute__((warn_unused_result));

/* Graceful stop, callable from any thread: stop accepting, let replies in
 * flight finish (up to http.shutdown_grace_ms), close connections, join the
 * workers. Returns when all are gone. */
void http_server_stop(struct http_server *s);

void http_server_free(struct http_server *s); /* accepts NULL; stops first */

/* The server's per-address rate limits (borrowed), for reply.c. */
struct http_ctx;
struct ratelimit *http_ratelimit(struct http_ctx *c);

#endif
