#include "session.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *tresp_set_cookie(const struct tresp *r, const char *name, char **attrs)
{
	size_t n = strlen(name);
	for (const char *p = r->headers; p && *p;) {
		const char *eol = p + strcspn(p, "\r\n");
		if (strncasecmp(p, "Set-Cookie:", 11) == 0) {
			const char *v = p + 11;
			while (*v == ' ')
				v++;
			if (strncmp(v, name, n) == 0 && v[n] == '=') {
				if (attrs)
					*attrs = strndup(v, (size_t)(eol - v));
				v += n + 1;
				return strndup(v, strcspn(v, ";\r\n"));
			}
		}
		p = eol + strspn(eol, "\r\n");
	}
	return NULL;
}

char *html_csrf(const char *html)
{
	const char *v = html ? strstr(html, "name=\"csrf\" value=\"") : NULL;
	if (!v)
		return NULL;
	v += strlen("name=\"csrf\" value=\"");
	return strndup(v, strcspn(v, "\""));
}

struct tresp *page_do(const char *base_url, const char *method, const char *path,
                      const char *cookie, const char *form, const char *extra)
{
	char url[1200], ck[400];
	snprintf(url, sizeof(url), "%s%s", base_url, path);
	const char *h[4] = {NULL};
	int n = 0;
	if (cookie) {
		snprintf(ck, sizeof(ck), "Cookie: %s", cookie);
		h[n++] = ck;
	}
	if (form)
		h[n++] = "Content-Type: application/x-www-form-urlencoded";
	if (extra)
		h[n++] = extra;
	struct tresp *r = http_do(method, url, h, form, form ? strlen(form) : 0);
	cr_assert(r, "no answer to %s %s", method, path);
	return r;
}

void tsession_sign_in(const char *base_url, const char *token, const char *extra,
                      struct tsession *s)
{
	struct tresp *r = page_do(base_url, "GET", "/login", NULL, NULL, extra);
	cr_assert_eq(r->status, 200);
	char *attrs = NULL;
	char *pre = tresp_set_cookie(r, "ideatriage_pre", &attrs);
	if (!pre)
		pre = tresp_set_cookie(r, "__Host-ideatriage_pre", &attrs);
	cr_assert(pre && *pre, "GET /login set no pre-session cookie:\n%s", r->headers);
	char precookie[200];
	snprintf(precookie, sizeof(precookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	free(attrs);
	free(pre);
	char *csrf = html_csrf(r->body);
	cr_assert(csrf, "no CSRF field on the sign-in form");
	tresp_free(r);
	char form[400];
	snprintf(form, sizeof(form), "csrf=%s&token=%s&next=%%2Fsubmit%%2Fthanks", csrf, token);
	free(csrf);
	r = page_do(base_url, "POST", "/login", precookie, form, extra);
	cr_assert_eq(r->status, 303, "sign-in: %ld %s", r->status, r->body);
	char *id = tresp_set_cookie(r, "ideatriage_session", &attrs);
	if (!id)
		id = tresp_set_cookie(r, "__Host-ideatriage_session", &attrs);
	cr_assert(id && *id, "sign-in set no session cookie:\n%s", r->headers);
	snprintf(s->cookie, sizeof(s->cookie), "%.*s", (int)strcspn(attrs, ";"), attrs);
	snprintf(s->id, sizeof(s->id), "%s", id);
	free(attrs);
	free(id);
	tresp_free(r);
	/* the sign-in form fetched with the session cookie carries the session's token */
	r = page_do(base_url, "GET", "/login", s->cookie, NULL, extra);
	csrf = html_csrf(r->body);
	cr_assert(csrf && strlen(csrf) == 64, "no session CSRF token");
	snprintf(s->csrf, sizeof(s->csrf), "%s", csrf);
	free(csrf);
	tresp_free(r);
}
