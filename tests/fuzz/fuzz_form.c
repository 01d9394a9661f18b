/* Form decoding: the submit form's POST (submit_post in intake/http/submit.c,
 * with the demo's typed identity so the fields are read) and the sign-in
 * form (login_post in intake/http/pages.c; its read_form is static). No
 * database: a valid form ends in a 503 where it would be stored. The input
 * is the urlencoded body; a valid CSRF pair is given as a cookie, so a body
 * with "csrf=" FUZZ_CSRF passes the token check. A page echoing the form must
 * have as much markup as the page echoing the same form made inert. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "intake/http/router.h"

#define FUZZ_CSRF "fuzzcsrftokenfuzzcsrftoken01"

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
	                         "it_csrf=" FUZZ_CSRF, NULL};
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
