/* intake/ingest/prep.c - see prep.h. */
#include "intake/ingest/prep.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "intake/ingest/parts.h"
#include "triage/text.h"

/* An item's state: the helper claims items in order; the caller, asking
 * for one the helper has not reached, claims it and does it itself (at the
 * start of a call both work on the first window). */
enum { ITEM_FREE, ITEM_HELPER, ITEM_DONE, ITEM_CALLER };

struct prep_item {
	struct prepared v;
	int state;
};

struct prep {
	pthread_t thread;
	const struct mention *ms;
	const bool *skip;
	int n;
	struct triage_ctx t; /* the helper's own normaliser */
	struct prep_item *items;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

/* Prepares one mention into it; false when it could not (the caller will). */
static bool prepare(struct triage_ctx *t, const struct mention *m, struct prepared *it)
{
	struct err err = {0};
	if (match_normalize(t, m, &it->q, &err) < 0)
		goto fail;
	it->title = text_trim_dup(m->title && *m->title ? m->title : m->body, IDEA_TITLE_MAX);
	if (!it->title)
		goto fail;
	if (rescore_can_prescore(m)) {
		if (rescore_prescore(t, m, &it->sc, &err) < 0)
			goto fail;
		it->scored = true;
	}
	return true;
fail:
	match_clear(&it->q);
	free(it->title);
	idea_score_clear(&it->sc);
	memset(it, 0, sizeof(*it));
	return false;
}

static void *run(void *arg)
{
	struct prep *p = arg;
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < p->n && !p->stop; i++) {
		const struct mention *m = &p->ms[i];
		if (p->items[i].state != ITEM_FREE || p->skip[i] || m->kind != MENTION_POST)
			continue;
		p->items[i].state = ITEM_HELPER;
		pthread_mutex_unlock(&p->mu);
		bool done = prepare(&p->t, m, &p->items[i].v);
		pthread_mutex_lock(&p->mu);
		p->items[i].state = done ? ITEM_DONE : ITEM_CALLER;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct prep *prep_start(const struct triage_rules *rules, const struct mention *ms, int n,
			const bool *skip)
{
	struct prep *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	struct err err = {0};
	p->items = calloc((size_t)n + 1, sizeof(*p->items));
	if (!p->items || triage_ctx_init(&p->t, rules, &err) < 0) {
		free(p->items);
		free(p);
		return NULL;
	}
	p->ms = ms;
	p->skip = skip;
	p->n = n;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		triage_ctx_cleanup(&p->t);
		free(p->items);
		free(p);
		return NULL;
	}
	return p;
}

enum prep_taken prep_take(struct prep *p, int i, bool wait, struct prepared *out)
{
	if (!p || i < 0 || i >= p->n)
		return PREP_YOURS;
	pthread_mutex_lock(&p->mu);
	while (wait && p->items[i].state == ITEM_HELPER)
		pthread_cond_wait(&p->cv, &p->mu);
	int state = p->items[i].state;
	if (state != ITEM_HELPER)
		p->items[i].state = ITEM_CALLER; /* taken, or the caller's to do */
	pthread_mutex_unlock(&p->mu);
	if (state == ITEM_HELPER)
		return PREP_BUSY;
	if (state != ITEM_DONE)
		return PREP_YOURS;
	*out = p->items[i].v;
	memset(&p->items[i].v, 0, sizeof(p->items[i].v)); /* moved */
	return PREP_TAKEN;
}

void prep_stop(struct prep *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (int i = 0; i < p->n; i++)
		if (p->items[i].state == ITEM_DONE) {
			match_clear(&p->items[i].v.q);
			free(p->items[i].v.title);
			idea_score_clear(&p->items[i].v.sc);
		}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	triage_ctx_cleanup(&p->t);
	free(p->items);
	free(p);
}
