/* intake/http/paging.h - the one shape of every list the API answers, and
 * its one cursor style (docs/design.md, "Lists, cursors and concurrent
 * edits"): {"items": [...], "next": cursor or null}, the cursor going back
 * as `after=`, and the next page's URL as an RFC 8288 `Link: <...>;
 * rel="next"` header, so a client can walk any list by headers alone. */
#ifndef INTAKE_HTTP_PAGING_H
#define INTAKE_HTTP_PAGING_H

#include <jansson.h>

#include "intake/http/http.h"

/* The query parameter that takes a page's `next` back, on every list. */
#define HTTP_CURSOR_PARAM "after"

/* {"items": items, "next": next or null}: a new object; items is stolen,
 * next borrowed. A list that is never paged answers next null too. */
json_t *http_list_body(json_t *items, const char *next);

/* The root-relative URL of the next page (new string): this request's path
 * and query, every parameter re-encoded, `after` replaced by next. NULL
 * when next is NULL or memory runs out. */
char *http_next_url(struct http_ctx *c, const char *next);

/* The value of the Link header for the next page (new string:
 * `<url>; rel="next"`), or NULL when next is NULL (the last page). */
char *http_next_link(struct http_ctx *c, const char *next);

#endif
