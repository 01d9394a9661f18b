/* intake/http/ratelimit.c - see ratelimit.h. An address hashes to a window of
 * WINDOW slots in a table of SLOTS; it takes its own slot there, an empty one,
 * or evicts the least recently used one. An evicted address starts again with
 * a full bucket: the table is sized so that only a flood of distinct
 * addresses evicts, and such a flood is the connection caps' business. */
#include "intake/http/ratelimit.h"

#include <event2/http.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "intake/http/http.h"

#define SLOTS  8192
#define WINDOW 8

struct slot {
	char addr[48];
	double last; /* monotonic seconds of the last use */
	double tokens[RL_BUCKETS];
	double filled[RL_BUCKETS]; /* when tokens[b] was last refilled */
};

struct ratelimit {
	pthread_mutex_t lock;
	double rate[RL_BUCKETS]; /* tokens per second; 0 disables */
	double burst[RL_BUCKETS];
	struct slot slots[SLOTS];
};

struct ratelimit *ratelimit_new(const struct config *cfg)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	if (!rl)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate[RL_SIGNIN] = (double)cfg->rl_signin_per_min / 60.0;
	rl->burst[RL_SIGNIN] = (double)cfg->rl_signin_burst;
	rl->rate[RL_PUBLIC] = (double)cfg->rl_public_per_s;
	rl->burst[RL_PUBLIC] = (double)cfg->rl_public_burst;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for addr, taken over when needed. Called with the lock held. */
static struct slot *slot_for(struct ratelimit *rl, const char *addr, double now)
{
	uint32_t h = hash(addr) % SLOTS;
	struct slot *victim = NULL;
	for (int i = 0; i < WINDOW; i++) {
		struct slot *s = &rl->slots[(h + (uint32_t)i) % SLOTS];
		if (strcmp(s->addr, addr) == 0)
			return s;
		if (!victim || s->last < victim->last)
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->addr, sizeof(victim->addr), "%s", addr);
	for (int b = 0; b < RL_BUCKETS; b++) {
		victim->tokens[b] = rl->burst[b];
		victim->filled[b] = now;
	}
	return victim;
}

static int use(struct ratelimit *rl, enum rl_bucket b, const char *addr, bool take)
{
	if (!rl || rl->rate[b] <= 0 || !addr || !*addr)
		return 0;
	double now = now_s();
	pthread_mutex_lock(&rl->lock);
	struct slot *s = slot_for(rl, addr, now);
	s->last = now;
	s->tokens[b] += (now - s->filled[b]) * rl->rate[b];
	if (s->tokens[b] > rl->burst[b])
		s->tokens[b] = rl->burst[b];
	s->filled[b] = now;
	int wait = 0;
	if (s->tokens[b] >= 1.0) {
		if (take)
			s->tokens[b] -= 1.0;
	} else {
		wait = (int)((1.0 - s->tokens[b]) / rl->rate[b]) + 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

int ratelimit_take(struct ratelimit *rl, enum rl_bucket b, const char *addr)
{
	return use(rl, b, addr, true);
}

int ratelimit_check(struct ratelimit *rl, enum rl_bucket b, const char *addr)
{
	return use(rl, b, addr, false);
}

bool ratelimit_trusted_proxy(const struct config *cfg, const char *addr)
{
	for (int i = 0; addr && i < cfg->trusted_proxies.len; i++)
		if (strcmp(addr, cfg->trusted_proxies.items[i]) == 0)
			return true;
	return false;
}

/* The right-most entry of a comma-separated list that is not a trusted proxy,
 * copied into out; false when there is none. */
static bool forwarded_client(const struct config *cfg, const char *xff, char *out, size_t len)
{
	size_t end = strlen(xff);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		size_t a = start, b = end;
		while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
			a++;
		while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
			b--;
		char item[64];
		if (b > a && b - a < sizeof(item)) {
			memcpy(item, xff + a, b - a);
			item[b - a] = '\0';
			if (!ratelimit_trusted_proxy(cfg, item)) {
				snprintf(out, len, "%s", item);
				return true;
			}
		}
		end = start > 0 ? start - 1 : 0;
	}
	return false;
}

void http_client_address(struct http_ctx *c, char *out, size_t len)
{
	char *peer = NULL;
	ev_uint16_t port = 0;
	evhttp_connection_get_peer(evhttp_request_get_connection(c->req), &peer, &port);
	snprintf(out, len, "%s", peer ? peer : "");
	if (!peer || !ratelimit_trusted_proxy(c->cfg, peer))
		return;
	const char *xff = http_header(c, "X-Forwarded-For");
	if (xff)
		(void)forwarded_client(c->cfg, xff, out, len);
}
