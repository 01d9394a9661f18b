/* tests/support/session.h - signing in through the web pages as a browser
 * does: the sign-in form's pre-session cookie and CSRF token, the post, the
 * session cookie, and the session's own CSRF token. */
#ifndef TESTS_SESSION_H
#define TESTS_SESSION_H

#include "support.h"

struct tsession {
	char cookie[200]; /* "name=value" of the session cookie */
	char id[64];      /* the session id (the cookie's value) */
	char csrf[65];    /* the CSRF token of the session's forms */
};

/* The value of Set-Cookie for cookie `name` in r (new; "" when the reply
 * deletes it), or NULL when r sets no such cookie. *attrs (new, may be
 * NULL) gets the whole header line. */
char *tresp_set_cookie(const struct tresp *r, const char *name, char **attrs);

/* The value of the first hidden field name="csrf" of an HTML page (new), or
 * NULL. */
char *html_csrf(const char *html);

/* Sends method path with "Cookie: cookie" (may be NULL), a form body (may
 * be NULL: none) and one more header line (may be NULL). */
struct tresp *page_do(const char *base_url, const char *method, const char *path,
                      const char *cookie, const char *form, const char *extra);

/* Signs in at base_url with token, as above; aborts the test on failure.
 * extra (may be NULL) is sent with every request. */
void tsession_sign_in(const char *base_url, const char *token, const char *extra,
                      struct tsession *s);

#endif
