/* intake/http/headscan.c - see headscan.h. Byte by byte, so that a head split
 * anywhere across reads scans the same as one read. It is never more lenient
 * than libevent about what it passes on: where the two could read the framing
 * of a request differently (two Content-Lengths, Transfer-Encoding other than
 * chunked, both at once, a folded framing header), it refuses the head. */
#include "intake/http/headscan.h"

#include <string.h>

static const char *const known_methods[] = {"GET",   "POST",    "HEAD",    "PUT",   "DELETE",
                                            "PATCH", "OPTIONS", "CONNECT", "TRACE", NULL};

void headscan_init(struct headscan *s, size_t max_head)
{
	memset(s, 0, sizeof(*s));
	s->state = HS_LINE;
	s->max_head = max_head;
	s->content_length = -1;
}

static void bad(struct headscan *s, const char *why)
{
	s->state = HS_BAD;
	s->why = why;
}

static void store(char *buf, size_t size, size_t *len, char c)
{
	if (*len < size - 1)
		buf[*len] = c;
	(*len)++;
}

static void request_line_byte(struct headscan *s, char c)
{
	if (c == ' ') {
		if (++s->part > 2)
			bad(s, "the request line has more than three parts");
		return;
	}
	if ((unsigned char)c < 0x20 || c == 0x7f) {
		bad(s, "the request line holds a control character");
		return;
	}
	if (s->part == 0) {
		store(s->method, sizeof(s->method), &s->len[0], c);
	} else if (s->part == 1) {
		s->len[1]++;
		if (c == '?' || c == '#')
			s->in_query = true;
		if (s->in_query)
			return;
		if (s->path_len >= sizeof(s->path) - 1)
			s->path_truncated = true;
		store(s->path, sizeof(s->path), &s->path_len, c);
	} else {
		store(s->version, sizeof(s->version), &s->len[2], c);
	}
}

static void end_request_line(struct headscan *s)
{
	if (s->part != 2 || !s->len[0] || !s->len[1] || !s->len[2])
		return bad(s, "the request line is not METHOD TARGET VERSION");
	bool known = false;
	for (int i = 0; known_methods[i] && s->len[0] < sizeof(s->method); i++)
		known = known || strcmp(s->method, known_methods[i]) == 0;
	if (!known)
		return bad(s, "unknown request method");
	const char *v = s->version;
	if (s->len[2] != 8 || strncmp(v, "HTTP/", 5) != 0 || (v[5] != '0' && v[5] != '1') ||
	    v[6] != '.' || v[7] < '0' || v[7] > '9')
		return bad(s, "unsupported HTTP version");
	s->state = HS_HEADERS;
}

static void header_byte(struct headscan *s, char c)
{
	if (s->line_len == 1 && (c == ' ' || c == '\t')) { /* obsolete line folding */
		if (s->last_framing)
			bad(s, "a folded Content-Length or Transfer-Encoding");
		s->in_value = true; /* the rest of the line continues an earlier field */
		s->name_len = 0;
		return;
	}
	if (!s->in_value) {
		if (c == ':')
			s->in_value = true;
		else
			store(s->name, sizeof(s->name), &s->name_len,
			      (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
		return;
	}
	if (s->value_len == 0 && (c == ' ' || c == '\t'))
		return;
	if (s->value_len >= sizeof(s->value) - 1)
		s->value_truncated = true;
	store(s->value, sizeof(s->value), &s->value_len,
	      (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c);
}

static bool name_is(const struct headscan *s, const char *name)
{
	return s->name_len == strlen(name) && s->name_len < sizeof(s->name) &&
	       memcmp(s->name, name, s->name_len) == 0;
}

static void framing_field(struct headscan *s)
{
	size_t n = s->value_len < sizeof(s->value) ? s->value_len : sizeof(s->value) - 1;
	while (n > 0 && (s->value[n - 1] == ' ' || s->value[n - 1] == '\t'))
		n--;
	s->value[n] = '\0';
	s->last_framing = true;
	if (name_is(s, "transfer-encoding")) {
		if (++s->te_count > 1 || strcmp(s->value, "chunked") != 0 || s->value_truncated)
			return bad(s, "Transfer-Encoding other than a single chunked");
		s->chunked = true;
		return;
	}
	long long v = 0;
	if (n == 0 || n > 18 || s->value_truncated || strspn(s->value, "0123456789") != n)
		return bad(s, "Content-Length is not a number");
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s->value[i] - '0');
	if (s->content_length >= 0 && s->content_length != v)
		return bad(s, "two different Content-Length values");
	s->content_length = v;
}

static void end_header_line(struct headscan *s)
{
	if (s->line_len == 0) {
		if (s->chunked && s->content_length >= 0)
			return bad(s, "both Content-Length and Transfer-Encoding");
		s->state = HS_DONE;
		return;
	}
	if (!s->in_value)
		return bad(s, "a header line without a colon");
	if (s->name_len == 0) { /* a folded continuation: nothing we track */
	} else if (name_is(s, "content-length") || name_is(s, "transfer-encoding")) {
		framing_field(s);
	} else {
		s->last_framing = false;
	}
}

static void end_line(struct headscan *s)
{
	if (s->state == HS_LINE)
		end_request_line(s);
	else
		end_header_line(s);
	s->line_len = 0;
	s->name_len = 0;
	s->value_len = 0;
	s->value_truncated = false;
	s->in_value = false;
	memset(s->name, 0, sizeof(s->name));
	memset(s->value, 0, sizeof(s->value));
}

size_t headscan_feed(struct headscan *s, const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (s->state == HS_LINE || s->state == HS_HEADERS)) {
		char c = p[i++];
		if (++s->head_bytes > s->max_head) {
			s->state = HS_TOO_LARGE;
			break;
		}
		if (c == '\n') {
			s->pending_cr = false;
			end_line(s);
			continue;
		}
		if (s->pending_cr) {
			bad(s, "a carriage return not followed by a line feed");
			break;
		}
		if (c == '\r') {
			s->pending_cr = true;
			continue;
		}
		s->line_len++;
		if (s->state == HS_LINE)
			request_line_byte(s, c);
		else
			header_byte(s, c);
	}
	return i;
}
