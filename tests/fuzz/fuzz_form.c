/* Form decoding: the submit form's POST (submit_post in intake/http/submit.c,
 * with the demo's typed identity so the fields are read) and the sign-in
 * form (login_post in intake/http/pages.c, read by page_read_form). No
 * database: a valid form ends in a 503 where it would be stored. The input
 * is the urlencoded body; a pre-session cookie is given, and FUZZ_CSRF in the
 * body stands for the CSRF token bound to it, so "csrf=" FUZZ_CSRF passes
 * the token check. A page echoing the form must
 * have as much markup as the page echoing the same form made inert. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "intake/http/auth.h"
#include "intake/http/request.h"
#include "intake/http/router.h"

#define FUZZ_CSRF "fuzzcsrftokenfuzzcsrftoken01"
#define FUZZ_PRESESSION "fuzzpresessionfuzzpresessionfuzzpresession0"

/* body with each FUZZ_CSRF replaced by the token bound to FUZZ_PRESESSION */
static char *with_token(const char *body)
{
	char token[65];
	auth_csrf_token(FUZZ_PRESESSION, token);
	size_t n = 0;
	for (const char *p = body; (p = strstr(p, FUZZ_CSRF)); p += strlen(FUZZ_CSRF))
		n++;
	char *out = malloc(strlen(body) + n * 64 + 1), *o = out;
	for (const char *p = body;;) {
		const char *hit = strstr(p, FUZZ_CSRF);
		size_t k = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(o, p, k);
		o += k;
		if (!hit)
			break;
		memcpy(o, token, 64);
		o += 64;
		p = hit + strlen(FUZZ_CSRF);
	}
	*o = '\0';
	return out;
}

static size_t markup(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '<' || *s == '>' || *s == '"' || *s == '\'';
	return n;
}

/* body with every < > " ' (raw or percent-encoded) made an 'x': the same
 * fields of the same lengths, so the same page with only inert values. */
static char *defused(const char *body)
{
	char *out = strdup(body), *o = out;
	for (const char *p = body; *p;) {
		if (*p == '%' && (!strncasecmp(p, "%3c", 3) || !strncasecmp(p, "%3e", 3) ||
		                  !strncmp(p, "%22", 3) || !strncmp(p, "%27", 3))) {
			*o++ = 'x';
			p += 3;
		} else {
			*o++ = strchr("<>\"'", *p) ? 'x' : *p;
			p++;
		}
	}
	*o = '\0';
	return out;
}

/* The reply to body: status, and the markup count when it is a page. */
static int post(void (*handler)(struct http_ctx *), const char *uri, const char *body, size_t len,
                size_t *nmarkup)
{
	const char *headers[] = {"Content-Type", "application/x-www-form-urlencoded", "Cookie",
	                         HTTP_PRESESSION_COOKIE "=" FUZZ_PRESESSION, NULL};
	struct fuzz_request r;
	FUZZ_ASSERT(
	    fuzz_request_init(&r, fuzz_config(), EVHTTP_REQ_POST, uri, headers, body, len) == 0);
	handler(&r.c);
	fuzz_check_one_reply(&r);
	const char *ct =
	    evhttp_find_header(evhttp_request_get_output_headers(r.req), "Content-Type");
	*nmarkup = ct && strncmp(ct, "text/html", 9) == 0 ? markup(fuzz_reply_body()) : 0;
	int status = fuzz_reply_status();
	fuzz_request_free(&r);
	return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = fuzz_config();
	cfg->demo_form_identity = true; /* read the name and e-mail fields too */
	cfg->trusted_user_header[0] = '\0';
	char *body = fuzz_strndup(data, size);
	if (strlen(body) == size) { /* with a NUL, the handler sees a cut string */
		char *tokened = with_token(body);
		free(body);
		body = tokened;
		size = strlen(body);
	}
	/* what the form echoes is text, never markup */
	size_t m1, m2;
	char *inert = defused(body);
	int status = post(submit_post, "/submit", body, size, &m1);
	if (strlen(body) == size) { /* a NUL makes both malformed, differently cut */
		FUZZ_ASSERT(post(submit_post, "/submit", inert, strlen(inert), &m2) == status);
		FUZZ_ASSERT(m1 == m2);
	}
	post(login_post, "/login", body, size, &m1);
	free(inert);
	free(body);
	return 0;
}
