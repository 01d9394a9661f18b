/* connectors/reddit.h - Reddit listing posts to normalised mentions. Pure: no
 * I/O, no logging, no globals; the JSON is borrowed and never modified. */
#ifndef CONNECTORS_REDDIT_H
#define CONNECTORS_REDDIT_H

#include <jansson.h>

#include "triage/err.h"
#include "triage/mention.h"

/* One listing child's "data" object (a t3 post, borrowed) into *m (new
 * strings, released with mention_clear). Returns 1 and fills *m, or -1 and
 * *err (field = "data.<key>") when a required field is missing or mistyped.
 * 0 ("skip") is reserved: every post, stickied mod posts included, is kept;
 * removed and deleted posts come back with deleted = true so the pipeline can
 * stop counting them. *m is written only when 1 is returned. */
int reddit_post_to_mention(const json_t *data, struct mention *m, struct err *err)
    __attribute__((warn_unused_result));

#endif
