/* connectors/reddit.c - a Reddit post (a listing child's "data") as a mention.
 * The listing comes from the network: every field is type-checked before use
 * and a bad one is reported by its path ("data.created_utc"). */
#include "connectors/reddit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDDIT_URL "https://www.reddit.com"
/* 9999-12-31T23:59:59Z: the bound keeps a hostile double from overflowing
 * the conversion to int64_t (undefined behaviour). */
#define REDDIT_TIME_MAX 253402300799.0

static int bad_field(struct err *err, const char *key, const char *what)
{
	char field[64];
	snprintf(field, sizeof(field), "data.%s", key);
	return err_set_field(err, field, "Reddit listing: %s %s", field, what);
}

/* Required string; when nullable, null and absent read as NULL. */
static int get_str(const json_t *data, const char *key, bool nullable, const char **out,
                   struct err *err)
{
	const json_t *v = json_object_get(data, key);
	if (nullable && (!v || json_is_null(v))) {
		*out = NULL;
		return 0;
	}
	if (!v)
		return bad_field(err, key, "is missing");
	if (!json_is_string(v))
		return bad_field(err, key, "must be a string");
	*out = json_string_value(v);
	return 0;
}

/* Reddit sends epoch seconds as a real (1772619072.0), sometimes an integer. */
static int num_to_time(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0 || i > (json_int_t)REDDIT_TIME_MAX)
			return -1;
		*out = (int64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!(d >= 0 && d <= REDDIT_TIME_MAX))
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	return -1;
}

/* ups, or score when ups is absent; clamped to what an int holds. */
static int get_votes(const json_t *data, int *out, struct err *err)
{
	const char *key = json_object_get(data, "ups") ? "ups" : "score";
	const json_t *v = json_object_get(data, key);
	if (!v)
		return bad_field(err, "ups", "is missing (and so is score)");
	if (!json_is_integer(v))
		return bad_field(err, key, "must be an integer");
	json_int_t n = json_integer_value(v);
	*out = n < 0 ? 0 : n > 2000000000 ? 2000000000 : (int)n;
	return 0;
}

/* edited is false, a time (epoch seconds), or - on some old posts - true. */
static int get_updated(const json_t *data, int64_t created, int64_t *out, struct err *err)
{
	const json_t *v = json_object_get(data, "edited");
	*out = created;
	if (!v || json_is_boolean(v))
		return 0;
	if (num_to_time(v, out) < 0)
		return bad_field(err, "edited", "must be false or a time in epoch seconds");
	return 0;
}

static int set_str(char **dst, const char *s, struct err *err)
{
	*dst = strdup(s);
	return *dst ? 0 : err_set(err, "out of memory");
}

static int add_flair(struct mention *m, const char *flair, struct err *err)
{
	char *low = strdup(flair);
	if (!low)
		return err_set(err, "out of memory");
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	mention_add_label(m, low);
	free(low);
	if (m->nlabels > 0 && !m->labels[m->nlabels - 1]) {
		m->nlabels--; /* mention_add_label's strdup failed */
		return err_set(err, "out of memory");
	}
	return 0;
}

int reddit_post_to_mention(const json_t *data, struct mention *m, struct err *err)
{
	if (!json_is_object(data))
		return err_set_field(err, "data", "Reddit listing: data %s",
		                     data ? "must be an object" : "is missing");
	const char *name = NULL, *title = NULL, *selftext = NULL, *author = NULL, *permalink = NULL, *flair = NULL, *removed = NULL;
	const json_t *created_utc = json_object_get(data, "created_utc");
	struct mention t;
	mention_init(&t);
	t.source = SRC_REDDIT;
	t.kind = MENTION_POST;
	t.author_kind = AUTHOR_COMMUNITY;
	t.is_public = true;
	if (get_str(data, "name", false, &name, err) < 0 ||
	    get_str(data, "title", false, &title, err) < 0 ||
	    get_str(data, "selftext", false, &selftext, err) < 0 ||
	    get_str(data, "author", false, &author, err) < 0 ||
	    get_str(data, "permalink", false, &permalink, err) < 0 ||
	    get_str(data, "link_flair_text", true, &flair, err) < 0 ||
	    get_str(data, "removed_by_category", true, &removed, err) < 0 ||
	    get_votes(data, &t.votes, err) < 0)
		goto fail;
	/* Only posts (t3) are ideas; a comment (t1) here is a caller's mistake. */
	if (strncmp(name, "t3_", 3) != 0 || !name[3]) {
		bad_field(err, "name", "must be a post's fullname (\"t3_...\")");
		goto fail;
	}
	if (permalink[0] != '/') {
		bad_field(err, "permalink", "must be a path starting with \"/\"");
		goto fail;
	}
	if (!created_utc) {
		bad_field(err, "created_utc", "is missing");
		goto fail;
	}
	if (num_to_time(created_utc, &t.created_at) < 0) {
		bad_field(err, "created_utc", "must be a time in epoch seconds");
		goto fail;
	}
	if (get_updated(data, t.created_at, &t.updated_at, err) < 0)
		goto fail;
	/* Removal leaves a placeholder in place of the author or the text. */
	t.deleted = removed != NULL || strcmp(author, "[deleted]") == 0 ||
	            strcmp(selftext, "[removed]") == 0 || strcmp(selftext, "[deleted]") == 0;
	if (set_str(&t.external_id, name, err) < 0 || set_str(&t.title, title, err) < 0 ||
	    set_str(&t.body, selftext, err) < 0 || set_str(&t.author, author, err) < 0)
		goto fail;
	if (asprintf(&t.url, "%s%s", REDDIT_URL, permalink) < 0) {
		t.url = NULL;
		err_set(err, "out of memory");
		goto fail;
	}
	if (flair && *flair && add_flair(&t, flair, err) < 0)
		goto fail;
	*m = t;
	return 1;
fail:
	mention_clear(&t);
	return -1;
}
