/* triage/wordlists.c - loading the normaliser's stop words, synonyms and
 * boilerplate phrases from config (see wordlists.h). Runs once per
 * normalizer, so it favours plain code over speed. */
#include "triage/wordlists.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int count_list(const char *const *v)
{
	int c = 0;
	while (v && v[c])
		c++;
	return c;
}

/* Folds config phrase s into *f; an error naming field[i] when it has no word. */
static int fold_config(const char *s, const char *field, int i, struct folded *f, struct err *err)
{
	if (fold_words(s, strlen(s), f) < 0)
		return err_set_field(err, field, "out of memory");
	if (f->n == 0)
		return err_set_field(err, field, "entry %d (\"%.80s\") has no letters or digits", i,
		                     s);
	return 0;
}

int stopwords_load(struct stopwords *s, const char *const *words, struct err *err)
{
	int count = count_list(words), total = 0;
	if (!(s->v = calloc((size_t)count + 1, sizeof(*s->v))))
		return err_set(err, "out of memory");
	for (; s->n < count; s->n++) {
		if (fold_config(words[s->n], "normalise.stopwords", s->n, &s->v[s->n], err) < 0) {
			s->n++; /* so the half-built entry is freed */
			return -1;
		}
		total += s->v[s->n].n;
	}
	if (strmap_init(&s->set, (size_t)total) < 0)
		return err_set(err, "out of memory");
	/* "don't" folds to "don" "t": every word of an entry is a stop word, as
	 * the text is cut the same way */
	for (int i = 0; i < s->n; i++)
		for (int w = 0; w < s->v[i].n; w++)
			strmap_put(&s->set, s->v[i].w[w].s, 1);
	return 0;
}

void stopwords_cleanup(struct stopwords *s)
{
	for (int i = 0; i < s->n; i++)
		folded_cleanup(&s->v[i]);
	free(s->v);
	strmap_cleanup(&s->set);
	memset(s, 0, sizeof(*s));
}

static bool same_words(const struct folded *a, const struct folded *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->w[i].s, b->w[i].s) != 0)
			return false;
	return true;
}

/* Links v[i] into the chain of its first word, longest phrase first; a
 * repeated from-phrase is ignored (the first one in config wins). */
static void link_synonym(struct synonyms *ss, int i)
{
	struct synonym *s = &ss->v[i];
	size_t slot = strmap_slot(&ss->first, s->from.w[0].s);
	s->next = -1;
	if (!ss->first.key[slot]) {
		ss->first.key[slot] = s->from.w[0].s;
		ss->first.val[slot] = i;
		return;
	}
	int *link = &ss->first.val[slot];
	while (*link >= 0 && ss->v[*link].from.n >= s->from.n) {
		if (same_words(&ss->v[*link].from, &s->from))
			return;
		link = &ss->v[*link].next;
	}
	s->next = *link;
	*link = i;
}

int synonyms_load(struct synonyms *s, const char *const *from, const char *const *to,
                  struct err *err)
{
	int count = count_list(from);
	if (count != count_list(to))
		return err_set_field(err, "normalise.synonyms",
		                     "%d phrases to replace but %d replacements", count,
		                     count_list(to));
	if (!(s->v = calloc((size_t)count + 1, sizeof(*s->v))))
		return err_set(err, "out of memory");
	for (; s->n < count; s->n++) {
		struct synonym *e = &s->v[s->n];
		if (fold_config(from[s->n], "normalise.synonyms", s->n, &e->from, err) < 0 ||
		    fold_config(to[s->n], "normalise.synonyms", s->n, &e->to, err) < 0) {
			s->n++; /* so the half-built entry is freed */
			return -1;
		}
	}
	if (strmap_init(&s->first, (size_t)count) < 0)
		return err_set(err, "out of memory");
	for (int i = 0; i < s->n; i++)
		link_synonym(s, i);
	return 0;
}

void synonyms_cleanup(struct synonyms *s)
{
	for (int i = 0; i < s->n; i++) {
		folded_cleanup(&s->v[i].from);
		folded_cleanup(&s->v[i].to);
	}
	free(s->v);
	strmap_cleanup(&s->first);
	memset(s, 0, sizeof(*s));
}

/* Adds the folded key of config phrase i (already in b->key[i]) to the
 * set and to the length bounds the line pre-check uses. */
static void index_boilerplate(struct boilerplate *b, int i)
{
	const char *key = b->key[i];
	strmap_put(&b->set, key, 1);
	size_t len = strlen(key), alnum = 0;
	for (size_t k = 0; k < len; k++)
		alnum += key[k] != ' ';
	if (len > b->longest)
		b->longest = len;
	if (i == 0 || alnum < b->fewest)
		b->fewest = alnum;
}

int boilerplate_load(struct boilerplate *b, const char *const *phrases, struct err *err)
{
	int count = count_list(phrases);
	if (!(b->key = calloc((size_t)count + 1, sizeof(*b->key))) ||
	    strmap_init(&b->set, (size_t)count) < 0)
		return err_set(err, "out of memory");
	for (; b->n < count; b->n++) {
		struct folded f;
		if (fold_config(phrases[b->n], "normalise.boilerplate", b->n, &f, err) < 0) {
			folded_cleanup(&f);
			return -1;
		}
		b->key[b->n] = folded_key(&f);
		folded_cleanup(&f);
		if (!b->key[b->n])
			return err_set(err, "out of memory");
		index_boilerplate(b, b->n);
	}
	return 0;
}

void boilerplate_cleanup(struct boilerplate *b)
{
	for (int i = 0; i < b->n; i++)
		free(b->key[i]);
	free(b->key);
	strmap_cleanup(&b->set);
	memset(b, 0, sizeof(*b));
}
