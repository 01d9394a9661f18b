/* The Cookie header (http_cookie, http_form_csrf, http_form_csrf_ok in
 * intake/http/request.c).
 * Input: the first byte picks the cookie name asked for, the rest is the
 * header value. */
#include <event2/http.h>
#include <string.h>

#include "fuzz.h"
#include "intake/http/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {HTTP_SESSION_COOKIE, HTTP_PRESESSION_COOKIE, "a", "a=b"};
	if (size < 1)
		return 0;
	const char *name = names[data[0] % 4];
	char *value = fuzz_strndup(data + 1, size - 1);
	const char *headers[] = {"Cookie", value, NULL};
	struct fuzz_request r;
	FUZZ_ASSERT(fuzz_request_init(&r, fuzz_config(), EVHTTP_REQ_GET, "/", headers, "", 0) == 0);
	const char *h = http_header(&r.c, "Cookie");
	size_t lens[] = {1, 16, 64, 4096};
	for (int i = 0; i < 4; i++) {
		char *buf = malloc(lens[i]);
		const char *v = http_cookie(&r.c, name, buf, lens[i]);
		if (v) {
			/* name=value stands in the header, the value cut at ';' */
			FUZZ_ASSERT(h && v == buf && strlen(v) < lens[i] && !strchr(v, ';'));
			char *pair = NULL;
			FUZZ_ASSERT(asprintf(&pair, "%s=%s", name, v) > 0);
			FUZZ_ASSERT(strstr(h, pair));
			free(pair);
		}
		free(buf);
	}
	/* a form's CSRF token is derived from the cookie, never the cookie
	 * itself, and only the token derived from this request's cookie passes */
	char raw[64], token[65];
	const char *cookie = http_session_cookie(&r.c, raw);
	if (!cookie)
		cookie = http_cookie(&r.c, HTTP_PRESESSION_COOKIE, raw, sizeof(raw));
	FUZZ_ASSERT(!http_form_csrf_ok(&r.c, NULL));
	if (cookie && *cookie)
		FUZZ_ASSERT(!http_form_csrf_ok(&r.c, cookie));
	FUZZ_ASSERT(http_form_csrf(&r.c, token) == 0);
	FUZZ_ASSERT(strlen(token) == 64);
	if (cookie && *cookie)
		FUZZ_ASSERT(http_form_csrf_ok(&r.c, token));
	FUZZ_ASSERT(fuzz_reply_count() == 0);
	fuzz_request_free(&r);
	free(value);
	return 0;
}
