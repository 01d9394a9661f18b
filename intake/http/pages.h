/* intake/http/pages.h - what the web pages' handlers share (pages.c): the
 * layout and its headers, sign-in redirects, form bodies and their CSRF
 * check. Private to intake/http. */
#ifndef INTAKE_HTTP_PAGES_H
#define INTAKE_HTTP_PAGES_H

#include <event2/keyvalq_struct.h>
#include <stdbool.h>

#include "intake/http/auth.h"
#include "intake/http/request.h"

/* Answers status with content (takes ownership; NULL answers 500: a
 * template is missing) in the layout, with a sign-out form when who signed
 * in with a web session. */
void page_send(struct http_ctx *c, int status, const char *title, char *content,
	       const struct principal *who);

/* Answers 303 to the path to. */
void page_redirect(struct http_ctx *c, const char *to);

/* A path on this site only, safe to go to after sign-in. */
bool page_local_path(const char *s);

/* The signed-in person with at least role need: 0 and *who; otherwise -1
 * after redirecting to the sign-in page (or answering 403). */
int page_principal(struct http_ctx *c, enum role need, struct principal *who);

/* Parses an urlencoded form body into *form (clear it with
 * evhttp_clear_headers); -1 after answering. */
int page_read_form(struct http_ctx *c, struct evkeyvalq *form);

/* Reads a page form posted by a triager after checking its CSRF token;
 * -1 after answering. */
int page_triage_form(struct http_ctx *c, struct principal *who, struct evkeyvalq *form);

#endif
