/* tests/fuzz/fuzz.h - what every harness shares: invariant checks, splitting
 * one input into parts, and in-process fakes for what a parser would
 * otherwise reach over a network or a database (support.c).
 *
 * Every harness is linked with -Wl,--wrap for chttp_request (the connectors'
 * HTTP client: answers come from fuzz_http_script), evhttp_send_reply (a
 * handler's reply is captured, not sent) and http_db (no database: handlers
 * answer 503 where they would query). See tests/fuzz/README.md. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "intake/http/http.h"
#include "triage/mention.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the parser promises: a failure aborts, so libFuzzer records it
 * as a crash and the replay test fails. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,       \
			        #cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* The separator between the parts of a multi-part input (a line "===="). */
#define FUZZ_SEP "\n====\n"

/* Splits data at FUZZ_SEP into at most max NUL-terminated parts (new
 * strings; the last part keeps any further separators). Returns the count;
 * free them with fuzz_free_parts. */
int fuzz_split(const uint8_t *data, size_t size, char **parts, int max);
void fuzz_free_parts(char **parts, int n);

/* data as a new NUL-terminated string (it may hold NULs before the end). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* True when s is UTF-8 that jansson accepts (what every JSON reply needs). */
bool fuzz_json_string_ok(const char *s);

/* Aborts unless every string of m is valid UTF-8 and the ids are set. */
void fuzz_check_mention(const struct mention *m);

/* --- the fake connectors' HTTP client ----------------------------------- */

/* The answers the next chttp_request calls get, in order: each part is
 * "STATUS\nName: value\n...\n\nbody" (a missing status line means 200).
 * Borrowed until fuzz_http_reset. When they run out a request fails as a
 * refused connection would. */
void fuzz_http_script(char *const *answers, int n);
void fuzz_http_reset(void);
/* The URLs requested since the last reset, in order. */
int fuzz_http_nrequests(void);
const char *fuzz_http_url(int i);

/* --- a request for a route handler, and its captured reply -------------- */

struct fuzz_request {
	struct evhttp_request *req;
	struct http_ctx c;
};

/* A request with method, uri (may be NULL; an unparsable one is left unset,
 * as evhttp would have refused it), NULL-terminated name/value header pairs
 * and body[0..len). cfg is borrowed. 0, or -1 when uri cannot be parsed. */
int fuzz_request_init(struct fuzz_request *r, const struct config *cfg, int method, const char *uri,
                      const char *const *headers, const char *body, size_t len);
void fuzz_request_free(struct fuzz_request *r);

/* What the handler sent since the request was made: how many replies, the
 * last status and body (NUL-terminated). */
int fuzz_reply_count(void);
int fuzz_reply_status(void);
const char *fuzz_reply_body(void);
/* Aborts unless exactly one reply was sent and, when it is a problem, its
 * body is a JSON object whose status matches. */
void fuzz_check_one_reply(const struct fuzz_request *r);

/* The built-in configuration, loaded once and never freed; a harness may set
 * fields before its first request. */
struct config *fuzz_config(void);

#endif
