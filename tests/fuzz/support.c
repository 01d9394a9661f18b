/* tests/fuzz/support.c - see fuzz.h. The __wrap_ functions replace the
 * real ones in every harness (linked with -Wl,--wrap=NAME). */
#include "fuzz.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <jansson.h>
#include <string.h>

#include "connectors/http.h"
#include "intake/config.h"
#include "intake/log.h"

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int fuzz_split(const uint8_t *data, size_t size, char **parts, int max)
{
	const size_t seplen = strlen(FUZZ_SEP);
	int n = 0;
	while (n < max - 1) {
		const uint8_t *sep = memmem(data, size, FUZZ_SEP, seplen);
		if (!sep)
			break;
		parts[n++] = fuzz_strndup(data, (size_t)(sep - data));
		size -= (size_t)(sep - data) + seplen;
		data = sep + seplen;
	}
	parts[n++] = fuzz_strndup(data, size);
	return n;
}

void fuzz_free_parts(char **parts, int n)
{
	for (int i = 0; i < n; i++)
		free(parts[i]);
}

bool fuzz_json_string_ok(const char *s)
{
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

void fuzz_check_mention(const struct mention *m)
{
	FUZZ_ASSERT(m->external_id && *m->external_id);
	const char *strs[] = {m->external_id, m->parent_external_id,
	                      m->author,      m->author_email,
	                      m->account,     m->title,
	                      m->body,        m->url};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		FUZZ_ASSERT(!strs[i] || fuzz_json_string_ok(strs[i]));
	FUZZ_ASSERT(m->nlabels >= 0 && m->nlabels <= MENTION_MAX_LABELS);
	for (int i = 0; i < m->nlabels; i++)
		FUZZ_ASSERT(m->labels[i] && fuzz_json_string_ok(m->labels[i]));
	FUZZ_ASSERT(m->arr >= -1);
}

/* --- the fake HTTP client ------------------------------------------------ */

#define FUZZ_MAX_REQUESTS 64

static struct {
	char *const *answers;
	int n, next;
	char *urls[FUZZ_MAX_REQUESTS];
	int nurls;
} http;

void fuzz_http_script(char *const *answers, int n)
{
	fuzz_http_reset();
	http.answers = answers;
	http.n = n;
}

void fuzz_http_reset(void)
{
	for (int i = 0; i < http.nurls; i++)
		free(http.urls[i]);
	memset(&http, 0, sizeof(http));
}

int fuzz_http_nrequests(void)
{
	return http.nurls;
}

const char *fuzz_http_url(int i)
{
	return http.urls[i];
}

/* "STATUS\nName: value\n...\n\nbody" into *out, as chttp_request fills it. */
static void parse_answer(const char *a, struct chttp_response *out)
{
	memset(out, 0, sizeof(*out));
	out->status = 200;
	const char *p = a;
	if (*p >= '1' && *p <= '9') {
		out->status = strtol(p, NULL, 10) % 1000;
		p += strcspn(p, "\n");
		p += *p == '\n';
	}
	while (*p && *p != '\n') {
		size_t linelen = strcspn(p, "\n");
		const char *colon = memchr(p, ':', linelen);
		if (colon && out->nheaders < CHTTP_MAX_HEADERS) {
			const char *v = colon + 1;
			while (v < p + linelen && *v == ' ')
				v++;
			out->names[out->nheaders] = strndup(p, (size_t)(colon - p));
			out->values[out->nheaders++] = strndup(v, (size_t)(p + linelen - v));
		}
		p += linelen;
		p += *p == '\n';
	}
	p += *p == '\n';
	out->len = strlen(p);
	out->body = strdup(p);
}

int __wrap_chttp_request(struct chttp *h, const char *method, const char *url,
                         const char *const *headers, const char *body, const char *basic_user,
                         const char *basic_pass, struct chttp_response *out, struct err *err);
int __wrap_chttp_request(struct chttp *h, const char *method, const char *url,
                         const char *const *headers, const char *body, const char *basic_user,
                         const char *basic_pass, struct chttp_response *out, struct err *err)
{
	FUZZ_ASSERT(http.nurls < FUZZ_MAX_REQUESTS); /* a connector that never stops asking */
	http.urls[http.nurls++] = strdup(url);
	if (http.next >= http.n)
		return err_set(err, "%s: connection refused (the fuzz script ran out)", method);
	parse_answer(http.answers[http.next++], out);
	return 0;
}

/* --- requests and replies -------------------------------------------------- */

static struct {
	int count, status;
	char *body;
} reply;

void __wrap_evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
                              struct evbuffer *databuf);
void __wrap_evhttp_send_reply(struct evhttp_request *req, int code, const char *reason,
                              struct evbuffer *databuf)
{
	reply.count++;
	reply.status = code;
	free(reply.body);
	size_t n = databuf ? evbuffer_get_length(databuf) : 0;
	reply.body = malloc(n + 1);
	if (n)
		evbuffer_copyout(databuf, reply.body, n);
	reply.body[n] = '\0';
}

struct db *__wrap_http_db(struct http_ctx *c);
struct db *__wrap_http_db(struct http_ctx *c)
{
	return NULL;
}

int fuzz_request_init(struct fuzz_request *r, const struct config *cfg, int method, const char *uri,
                      const char *const *headers, const char *body, size_t len)
{
	free(reply.body);
	memset(&reply, 0, sizeof(reply));
	memset(r, 0, sizeof(*r));
	r->req = evhttp_request_new(NULL, NULL);
	r->req->type = (enum evhttp_cmd_type)method;
	if (uri) {
		r->req->uri = strdup(uri);
		r->req->uri_elems = evhttp_uri_parse_with_flags(uri, EVHTTP_URI_NONCONFORMANT);
		if (!r->req->uri_elems) {
			fuzz_request_free(r);
			return -1;
		}
		r->c.path = evhttp_uri_get_path(r->req->uri_elems);
	}
	for (int i = 0; headers && headers[i]; i += 2)
		evhttp_add_header(r->req->input_headers, headers[i], headers[i + 1]);
	evbuffer_add(r->req->input_buffer, body, len);
	r->c.req = r->req;
	r->c.cfg = cfg;
	r->c.route = -1;
	snprintf(r->c.request_id, sizeof(r->c.request_id), "fuzz");
	return 0;
}

void fuzz_request_free(struct fuzz_request *r)
{
	if (r->req)
		evhttp_request_free(r->req);
	r->req = NULL;
	free(reply.body);
	memset(&reply, 0, sizeof(reply));
}

int fuzz_reply_count(void)
{
	return reply.count;
}

int fuzz_reply_status(void)
{
	return reply.status;
}

const char *fuzz_reply_body(void)
{
	return reply.body ? reply.body : "";
}

void fuzz_check_one_reply(const struct fuzz_request *r)
{
	FUZZ_ASSERT(reply.count == 1);
	FUZZ_ASSERT(reply.status >= 100 && reply.status <= 599);
	const char *ct = evhttp_find_header(r->req->output_headers, "Content-Type");
	if (ct && strcmp(ct, "application/problem+json") == 0) {
		json_t *p = json_loads(reply.body, 0, NULL);
		FUZZ_ASSERT(json_is_object(p));
		FUZZ_ASSERT(json_integer_value(json_object_get(p, "status")) == reply.status);
		json_decref(p);
	}
}

struct config *fuzz_config(void)
{
	static struct config *cfg;
	if (!cfg) {
		struct err err = {0};
		log_set_level("error"); /* every reply logs a line at info */
		cfg = config_load(NULL, &err);
		FUZZ_ASSERT(cfg);
	}
	return cfg;
}
