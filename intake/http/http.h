/* intake/http/http.h - what a route handler sees: the request context and the
 * reply helpers. Every handler ends in exactly one reply; the helpers log the
 * request and record metrics, so a handler can `return http_problem(...)`. */
#ifndef INTAKE_HTTP_HTTP_H
#define INTAKE_HTTP_HTTP_H

#include <event2/http.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "intake/config.h"

struct db;
struct http_worker;

#define HTTP_MAX_PARAMS 4

struct http_ctx {
	struct evhttp_request *req;
	struct http_worker *worker;
	const struct config *cfg;
	int route;               /* index in the route table, -1 when none */
	const char *path;        /* borrowed from the request URI */
	const char *params[HTTP_MAX_PARAMS]; /* {name} segments, in order */
	char param_buf[256];
	char request_id[40];
	struct timespec start;
	int status; /* set by the reply */
	bool replied;
	bool keeps_views; /* set by a handler that changes no idea (sign-in, sign-out):
			     its success leaves the public caches alone */
};

/* The worker's database connection (borrowed). NULL when the database is
 * down; handlers then answer with http_db_unavailable(). A connection that
 * broke is noticed by the query that fails (db_check_broken) and reopened on
 * the next call, so a request costs no extra round trip. */
struct db *http_db(struct http_ctx *c);

/* Like http_db, but proves the database answers now (a round trip): for
 * readiness checks. */
struct db *http_db_checked(struct http_ctx *c);

/* The worker's triage context (borrowed). */
struct triage_ctx *http_triage(struct http_ctx *c);

/* Sends body (taken; may be NULL) with status and content type. */
void http_reply(struct http_ctx *c, int status, const char *content_type, struct evbuffer *body);

/* Sends JSON (stolen) with status. */
void http_reply_json(struct http_ctx *c, int status, json_t *body);

/* Sends an RFC 7807 application/problem+json: detail says exactly what is
 * wrong; field (may be NULL) names the input at fault. Returns -1. */
int http_problem(struct http_ctx *c, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* 503 problem for a database that does not answer. Returns -1. */
int http_db_unavailable(struct http_ctx *c, const char *why);

/* The standard reason phrase for status. */
const char *http_reason(int status);

/* Request header (borrowed) or NULL. */
const char *http_header(struct http_ctx *c, const char *name);

/* Adds a response header (before the reply). */
void http_set_header(struct http_ctx *c, const char *name, const char *value);

#endif
