/* triage/normalize.c - Markdown prose -> folded, stemmed matching tokens.
 *
 * Pipeline (see normalize.h): prose_extract (prose.c: cap at 64 KiB, drop
 * invalid UTF-8, cut at a signature, libcmark walk keeping prose only, per
 * line drop bare URLs and template boilerplate) -> fold_words (fold.c:
 * camelCase split, utf8proc NFKC + casefold + strip accents, words) -> here:
 * synonyms -> drop 1-character words and stop words -> Snowball stem.
 *
 * Cost: every step is one pass over the (capped) text; config lookups are
 * hash probes; the only per-token allocation is the token string the caller
 * receives, because struct tokens owns each string separately. */
#include "triage/normalize.h"
#include "triage/fold.h"
#include "triage/prose.h"
#include "triage/text.h"
#include "triage/wordlists.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#define STEM_CACHE 4096 /* recent stems kept per normalizer (power of two) */

struct normalizer {
	struct sb_stemmer *stemmer;
	char *stem_cache[STEM_CACHE]; /* "word\0stem\0" or NULL */
	struct stopwords stop;
	struct synonyms syn;
	struct boilerplate bp;
};

void normalizer_free(struct normalizer *n)
{
	if (!n)
		return;
	if (n->stemmer)
		sb_stemmer_delete(n->stemmer);
	for (int i = 0; i < STEM_CACHE; i++)
		free(n->stem_cache[i]);
	stopwords_cleanup(&n->stop);
	synonyms_cleanup(&n->syn);
	boilerplate_cleanup(&n->bp);
	free(n);
}

struct normalizer *normalizer_new(const struct normalize_config *cfg, struct err *err)
{
	static const struct normalize_config empty = {0};
	if (!cfg)
		cfg = &empty;
	struct normalizer *n = calloc(1, sizeof(*n));
	if (!n) {
		err_set(err, "out of memory");
		return NULL;
	}
	if (stopwords_load(&n->stop, cfg->stopwords, err) < 0 ||
	    synonyms_load(&n->syn, cfg->syn_from, cfg->syn_to, err) < 0 ||
	    boilerplate_load(&n->bp, cfg->boilerplate, err) < 0)
		goto fail;
	if (!(n->stemmer = sb_stemmer_new("english", NULL))) {
		err_set(err, "cannot create the Snowball English stemmer");
		goto fail;
	}
	return n;
fail:
	normalizer_free(n);
	return NULL;
}

char *normalize_prose(const struct normalizer *n, const char *text)
{
	return prose_extract(&n->bp, text);
}

/* Appends word w unless it is one character or a stop word; stemmed. */
static int emit(struct normalizer *n, const struct word *w, struct tokens *out)
{
	if (w->ncp < 2 || strmap_get(&n->stop.set, w->s) >= 0)
		return 0;
	/* words repeat a lot (Zipf): a direct-mapped cache of recent stems saves
	 * most stemmer runs at a fixed memory cost; a collision just replaces */
	char **slot = &n->stem_cache[text_hash(w->s) & (STEM_CACHE - 1)];
	if (*slot && strcmp(*slot, w->s) == 0) {
		const char *stem = *slot + w->len + 1;
		return tokens_push(out, stem, strlen(stem));
	}
	const sb_symbol *st = sb_stemmer_stem(n->stemmer, (const sb_symbol *)w->s, (int)w->len);
	if (!st)
		return -1;
	size_t slen = (size_t)sb_stemmer_length(n->stemmer);
	char *entry = malloc(w->len + slen + 2); /* "word\0stem\0" */
	if (entry) {
		memcpy(entry, w->s, w->len + 1);
		memcpy(entry + w->len + 1, st, slen);
		entry[w->len + 1 + slen] = '\0';
		free(*slot);
		*slot = entry;
	}
	return tokens_push(out, (const char *)st, slen);
}

/* The synonym whose whole from-phrase starts at words[i], longest first, or NULL. */
static const struct synonym *synonym_at(const struct synonyms *syn, const struct folded *f, int i)
{
	for (int s = strmap_get(&syn->first, f->w[i].s); s >= 0; s = syn->v[s].next) {
		const struct folded *from = &syn->v[s].from;
		if (i + from->n > f->n)
			continue;
		int k = 1;
		while (k < from->n && strcmp(from->w[k].s, f->w[i + k].s) == 0)
			k++;
		if (k == from->n)
			return &syn->v[s];
	}
	return NULL;
}

int normalize_text(struct normalizer *n, const char *text, struct tokens *out)
{
	if (!text)
		return 0;
	int start = out->n;
	char *prose = prose_extract(&n->bp, text);
	if (!prose)
		return -1;
	struct folded f;
	int rc = fold_words(prose, strlen(prose), &f);
	free(prose);
	for (int i = 0; rc == 0 && i < f.n;) {
		const struct synonym *s = n->syn.n ? synonym_at(&n->syn, &f, i) : NULL;
		if (!s) {
			rc = emit(n, &f.w[i++], out);
			continue;
		}
		for (int k = 0; rc == 0 && k < s->to.n; k++)
			rc = emit(n, &s->to.w[k], out);
		i += s->from.n;
	}
	folded_cleanup(&f);
	if (rc < 0)
		tokens_truncate(out, start);
	return rc;
}
