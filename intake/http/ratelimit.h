/* intake/http/ratelimit.h - per-address token buckets: one for sign-in (and
 * every failed credential), one for the public pages and API. A fixed-size
 * table shared by the workers under one mutex: an address not seen for a
 * while, or the least recently used one when the table is full, is
 * forgotten, so memory is bounded however many addresses call. */
#ifndef INTAKE_HTTP_RATELIMIT_H
#define INTAKE_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "intake/config.h"

struct http_ctx;

enum rl_bucket { RL_SIGNIN, RL_PUBLIC, RL_BUCKETS };

struct ratelimit;

/* From ratelimit.* in cfg (borrowed, must outlive it). NULL when out of memory. */
struct ratelimit *ratelimit_new(const struct config *cfg);
void ratelimit_free(struct ratelimit *rl); /* accepts NULL */

/* Takes one token from addr's bucket. 0 when there was one (or the bucket is
 * disabled), else the seconds until one is back (for Retry-After). */
int ratelimit_take(struct ratelimit *rl, enum rl_bucket b, const char *addr);

/* Like ratelimit_take without taking: 0 while a token is left. */
int ratelimit_check(struct ratelimit *rl, enum rl_bucket b, const char *addr);

/* The address a request is counted under: the TCP peer, or - when the peer is
 * listed in auth.trusted_proxies - the right-most X-Forwarded-For address that
 * is not a trusted proxy. Writes at most len bytes (NUL included). */
void http_client_address(struct http_ctx *c, char *out, size_t len);

/* True when addr is listed in auth.trusted_proxies. */
bool ratelimit_trusted_proxy(const struct config *cfg, const char *addr);

#endif
