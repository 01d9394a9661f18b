/* triage/wordlists.h - the normaliser's configured word lists, folded the
 * way text is (fold.h) and indexed for lookup: stop words, synonyms and
 * issue-template boilerplate phrases. Built once by normalizer_new from the
 * borrowed config strings; each struct owns everything it points to and is
 * read-only afterwards. The *_cleanup functions accept a half-built or
 * zeroed struct.
 * Private to the normaliser's files: callers use triage/normalize.h. */
#ifndef TRIAGE_WORDLISTS_H
#define TRIAGE_WORDLISTS_H

#include <stddef.h>

#include "triage/err.h"
#include "triage/fold.h"
#include "triage/strmap.h"

struct stopwords {
	struct folded *v;
	int n;
	struct strmap set; /* folded word -> 1 */
};

struct synonym {
	struct folded from, to;
	int next; /* next synonym with the same first word, longer phrases first */
};

struct synonyms {
	struct synonym *v;
	int n;
	struct strmap first; /* folded first word -> first index in v[] */
};

struct boilerplate {
	char **key; /* folded phrases, words joined by single spaces */
	int n;
	struct strmap set; /* key -> 1 */
	size_t longest;    /* bytes of the longest key */
	size_t fewest;     /* fewest non-space bytes of a key */
};

/* words: NULL-terminated (NULL = none). An entry without letters or digits
 * is an error naming it. Every word of an entry is a stop word. */
int stopwords_load(struct stopwords *s, const char *const *words, struct err *err)
    __attribute__((warn_unused_result));
void stopwords_cleanup(struct stopwords *s);

/* from[i] is replaced by to[i]; both NULL-terminated and of equal length.
 * A repeated from-phrase is ignored (the first one in config wins). */
int synonyms_load(struct synonyms *s, const char *const *from, const char *const *to,
                  struct err *err) __attribute__((warn_unused_result));
void synonyms_cleanup(struct synonyms *s);

/* phrases: NULL-terminated (NULL = none). */
int boilerplate_load(struct boilerplate *b, const char *const *phrases, struct err *err)
    __attribute__((warn_unused_result));
void boilerplate_cleanup(struct boilerplate *b);

#endif
