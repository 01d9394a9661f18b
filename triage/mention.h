/* triage/mention.h - a normalised mention: one message from one source, the
 * unit every intake path hands to the ingest pipeline. */
#ifndef TRIAGE_MENTION_H
#define TRIAGE_MENTION_H

#include <stdbool.h>
#include <stdint.h>

enum source { SRC_GITHUB, SRC_REDDIT, SRC_SALES, SRC_EMPLOYEE };
enum author_kind { AUTHOR_EMPLOYEE, AUTHOR_CUSTOMER, AUTHOR_COMMUNITY };
enum mention_kind { MENTION_POST, MENTION_COMMENT };

#define MENTION_MAX_LABELS 16

/* All strings are owned by the mention (mention_clear frees them); NULL means
 * "not known". Times are Unix seconds, 0 when unknown. */
struct mention {
	enum source source;
	char *external_id; /* unique within source, e.g. "acme/mesh#12", "t3_abc", "crm-7" */
	enum mention_kind kind;
	char *parent_external_id; /* a comment's post; NULL for posts */
	char *author;
	enum author_kind author_kind;
	char *author_email; /* employees */
	char *account;      /* customer account (sales) */
	int64_t arr;        /* annual revenue in dollars, -1 when unknown */
	char *title;
	char *body;
	char *url;
	char *labels[MENTION_MAX_LABELS];
	int nlabels;
	int votes;     /* upvotes / reactions, already summed */
	bool deleted;  /* deleted or removed upstream: stops counting as demand */
	bool is_public; /* its text may appear in public views (GitHub, Reddit) */
	int64_t created_at;
	int64_t updated_at;
	/* the client that supplies it ("token:7", "import", ...): only the
	 * client that created a mention may change it. NULL: the source's
	 * default owner (pipeline_owner in intake/ingest/pipeline.h). */
	char *owner;
};

void mention_init(struct mention *m);  /* zeroes, arr = -1 */
void mention_clear(struct mention *m); /* frees strings; accepts a zeroed mention */

/* Stable names used in the database and the API. */
const char *source_name(enum source s);
const char *author_kind_name(enum author_kind k);
const char *mention_kind_name(enum mention_kind k);
/* Parses a name; 0 or -1 when unknown. */
int source_from_name(const char *name, enum source *out);
int author_kind_from_name(const char *name, enum author_kind *out);

/* Adds a label (copied) unless full or already there. */
void mention_add_label(struct mention *m, const char *label);

#endif
