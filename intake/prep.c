/* intake/prep.c - see prep.h. */
#include "intake/prep.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "intake/pipeline_parts.h"
#include "triage/text.h"

struct prep_item {
	struct prepared v;
	bool done; /* prepared and not taken yet */
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
	int ready; /* items[0..ready) are final: prepared, or left to the caller */
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
	if (pipeline_can_prescore(m)) {
		if (pipeline_prescore(t, m, &it->sc, &err) < 0)
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
	for (int i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		const struct mention *m = &p->ms[i];
		bool done = !p->skip[i] && m->kind == MENTION_POST && prepare(&p->t, m, &p->items[i].v);
		pthread_mutex_lock(&p->mu);
		p->items[i].done = done;
		p->ready = i + 1;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	/* stopped early: what is left, the caller does */
	pthread_mutex_lock(&p->mu);
	p->ready = p->n;
	pthread_cond_signal(&p->cv);
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

bool prep_take(struct prep *p, int i, struct prepared *out)
{
	if (!p || i < 0 || i >= p->n)
		return false;
	pthread_mutex_lock(&p->mu);
	while (p->ready <= i)
		pthread_cond_wait(&p->cv, &p->mu);
	bool done = p->items[i].done;
	p->items[i].done = false;
	pthread_mutex_unlock(&p->mu);
	if (!done)
		return false;
	*out = p->items[i].v;
	memset(&p->items[i].v, 0, sizeof(p->items[i].v)); /* moved */
	return true;
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
		if (p->items[i].done) {
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
