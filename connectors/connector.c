/* connectors/connector.c - the dispatch behind connector.h and what every
 * source shares: the batch, the HTTP client set-up, Retry-After. */
#include "connectors/connector.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors/source.h"
#include "version.h" /* generated: IDEATRIAGE_USER_AGENT */

const char *const connector_names[] = {"github", "reddit", "sales", NULL};

static const struct source_ops *const sources[] = {&github_source, &reddit_source,
                                                   &sales_source};

struct connector {
	const char *name; /* static: one of connector_names */
	const struct source_ops *ops;
	void *state;
	bool configured;
};

int connector_known(const char *name)
{
	for (int i = 0; connector_names[i]; i++)
		if (strcmp(connector_names[i], name) == 0)
			return 1;
	return 0;
}

struct connector *connector_new(const char *name, const struct connector_config *cfg,
                                struct err *err)
{
	int idx = -1;
	for (int i = 0; connector_names[i]; i++)
		if (strcmp(connector_names[i], name) == 0)
			idx = i;
	if (idx < 0) {
		err_set(err, "unknown connector \"%.64s\"", name);
		return NULL;
	}
	struct connector *c = calloc(1, sizeof(*c));
	if (!c) {
		err_set(err, "out of memory");
		return NULL;
	}
	c->name = connector_names[idx];
	c->ops = sources[idx];
	c->state = c->ops->create(cfg, &c->configured, err);
	if (!c->state) {
		free(c);
		return NULL;
	}
	return c;
}

void connector_free(struct connector *c)
{
	if (!c)
		return;
	c->ops->destroy(c->state);
	free(c);
}

const char *connector_name(const struct connector *c)
{
	return c->name;
}

bool connector_can_prefetch(const struct connector *c)
{
	const char *n = connector_name(c);
	return strcmp(n, "github") == 0 || strcmp(n, "reddit") == 0;
}

bool connector_configured(const struct connector *c)
{
	return c->configured;
}

void connector_rewind(struct connector *c)
{
	c->ops->rewind(c->state);
}

int connector_verify(struct connector *c, const char *const *ids, int n, bool *gone,
                     int *requests, long *retry_after, struct err *err)
{
	*retry_after = 0;
	*requests = 0;
	for (int i = 0; i < n; i++)
		gone[i] = false;
	if (!c->configured || !c->ops->verify || n <= 0)
		return 0;
	return c->ops->verify(c->state, ids, n, gone, requests, retry_after, err);
}

int connector_fetch(struct connector *c, const char *cursor, struct connector_batch *out,
                    long *retry_after, struct err *err)
{
	*retry_after = 0;
	if (!c->configured)
		return err_set(err, "%s is not configured", c->name);
	struct connector_batch b = {0};
	if (c->ops->fetch(c->state, cursor && *cursor ? cursor : "{}", &b, retry_after, err) < 0) {
		connector_batch_clear(&b);
		return -1;
	}
	*out = b;
	return 0;
}

int connector_ack(struct connector *c, struct connector_batch *b, struct err *err)
{
	return c->ops->ack ? c->ops->ack(c->state, b, err) : 0;
}

void connector_batch_clear(struct connector_batch *b)
{
	for (int i = 0; i < b->nmentions; i++)
		mention_clear(&b->mentions[i]);
	free(b->mentions);
	free(b->next_cursor);
	free(b->note);
	for (char **p = b->unpublish; p && *p; p++)
		free(*p);
	free(b->unpublish);
	if (b->ack_free)
		b->ack_free(b->ack_data);
	memset(b, 0, sizeof(*b));
}

int connector_batch_add(struct connector_batch *b, struct mention *m, struct err *err)
{
	if (b->nmentions == b->cap) {
		int cap = b->cap ? b->cap * 2 : 64;
		struct mention *p = realloc(b->mentions, (size_t)cap * sizeof(*p));
		if (!p) {
			mention_clear(m);
			return err_set(err, "out of memory");
		}
		b->mentions = p;
		b->cap = cap;
	}
	b->mentions[b->nmentions++] = *m;
	memset(m, 0, sizeof(*m));
	return 0;
}

struct chttp *source_http_new(const struct connector_config *cfg, struct err *err)
{
	struct chttp_options o = {
	    .connect_timeout_s = cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 10,
	    .timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 60,
	    .max_bytes = cfg->max_response_bytes ? cfg->max_response_bytes : 20u << 20,
	    .user_agent = cfg->user_agent && *cfg->user_agent ? cfg->user_agent
	                                                      : IDEATRIAGE_USER_AGENT,
	    .cancel = cfg->cancel,
	};
	return chttp_new(&o, err);
}

long source_retry_after(const char *value)
{
	return source_retry_after_at(value, time(NULL));
}

long source_retry_after_at(const char *value, time_t now)
{
	if (!value || !*value)
		return 0;
	char *end;
	double d = strtod(value, &end);
	if (end == value) {
		/* RFC 9110 allows an HTTP date; every form of it starts with a
		 * day name, so it never reads as a number */
		time_t at = curl_getdate(value, &now);
		if (at == -1)
			return 60; /* neither: a minute is a fair wait */
		d = difftime(at, now);
	}
	/* !(d >= 1) also catches a NaN, whose conversion to long is undefined */
	return !(d >= 1) ? 1 : d > 86400 ? 86400 : (long)(d + 0.999);
}
