#include "triage/mention.h"

#include <stdlib.h>
#include <string.h>

static const char *const source_names[] = {"github", "reddit", "sales", "employee"};
static const char *const author_kind_names[] = {"employee", "customer", "community"};

void mention_init(struct mention *m)
{
	memset(m, 0, sizeof(*m));
	m->arr = -1;
}

void mention_clear(struct mention *m)
{
	free(m->external_id);
	free(m->parent_external_id);
	free(m->author);
	free(m->author_email);
	free(m->account);
	free(m->title);
	free(m->body);
	free(m->url);
	free(m->owner);
	for (int i = 0; i < m->nlabels; i++)
		free(m->labels[i]);
	mention_init(m);
}

const char *source_name(enum source s)
{
	return (unsigned)s < 4 ? source_names[s] : "?";
}

const char *author_kind_name(enum author_kind k)
{
	return (unsigned)k < 3 ? author_kind_names[k] : "?";
}

const char *mention_kind_name(enum mention_kind k)
{
	return k == MENTION_COMMENT ? "comment" : "post";
}

int source_from_name(const char *name, enum source *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, source_names[i]) == 0) {
			*out = (enum source)i;
			return 0;
		}
	return -1;
}

int author_kind_from_name(const char *name, enum author_kind *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(name, author_kind_names[i]) == 0) {
			*out = (enum author_kind)i;
			return 0;
		}
	return -1;
}

void mention_add_label(struct mention *m, const char *label)
{
	if (m->nlabels >= MENTION_MAX_LABELS)
		return;
	for (int i = 0; i < m->nlabels; i++)
		if (strcmp(m->labels[i], label) == 0)
			return;
	m->labels[m->nlabels++] = strdup(label);
}
