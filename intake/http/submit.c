/* intake/http/submit.c - the employee web form (GET/POST /submit) and its
 * thank-you page. Works without JavaScript; every value is escaped by the
 * template; a CSRF token bound to the session (or, signed out, to the
 * pre-session cookie) guards against cross-site posts.
 *
 * Who the employee is: the trusted single-sign-on proxy's header (accepted
 * only from auth.trusted_proxies), else a submitter token, else - only when
 * auth.demo_form_identity is on - the name and e-mail typed into the form. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "intake/http/auth.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/template.h"
#include "intake/log.h"
#include "intake/ingest/ingest.h"
#include "triage/text.h"

struct employee {
	char name[201];
	char email[201];
	bool typed; /* taken from the form fields (demo configuration) */
};

/* 0 with *e filled (typed=true: read the fields), or -1 after answering. */
static int identify(struct http_ctx *c, struct employee *e)
{
	memset(e, 0, sizeof(*e));
	const char *hdr = c->cfg->trusted_user_header;
	if (*hdr && http_peer_trusted(c)) {
		/* two copies: one from the proxy, one the client smuggled past it;
		 * which is which cannot be told, so neither is believed */
		if (http_header_count(c, hdr) > 1)
			return http_problem(c, 400, hdr, "the %s header was sent more than once", hdr);
		const char *v = http_header(c, hdr);
		if (v && *v && strlen(v) <= 200 && text_valid_utf8(v, strlen(v))) {
			snprintf(e->name, sizeof(e->name), "%s", v);
			if (strchr(v, '@'))
				snprintf(e->email, sizeof(e->email), "%s", v);
			return 0;
		}
	}
	struct principal who;
	int have = http_optional_principal(c, &who);
	if (have < 0)
		return -1;
	if (have > 0) {
		if (!role_allows(who.role, ROLE_SUBMITTER))
			return http_problem(c, 403, NULL, "a %s token may not submit ideas",
					    role_name(who.role));
		snprintf(e->name, sizeof(e->name), "%s", who.name);
		return 0;
	}
	if (c->cfg->demo_form_identity) {
		e->typed = true;
		return 0;
	}
	return http_problem(c, 401, NULL,
			    "sign in through the company single sign-on to share an idea");
}

static void field_error(json_t *vars, const char *field, const char *msg)
{
	char key[40], inv[40];
	snprintf(key, sizeof(key), "%s_error", field);
	snprintf(inv, sizeof(inv), "%s_invalid", field);
	char *frag = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&frag, &len);
	fprintf(f, "<p class=\"error\" id=\"%s-error\">", field);
	text_html_escape(msg, f);
	fputs("</p>", f);
	fclose(f);
	json_object_set_new(vars, key, json_string(frag));
	json_object_set_new(vars, inv, json_string("aria-invalid=\"true\""));
	free(frag);
}

/* Renders the form (status 200 or 400) with vars (stolen) and the CSRF
 * token of this browser's session or pre-session cookie. */
static void render_form(struct http_ctx *c, int status, const struct employee *e, json_t *vars)
{
	char csrf[65];
	if (http_form_csrf(c, csrf) < 0) {
		json_decref(vars);
		http_problem(c, 500, NULL, "no randomness available");
		return;
	}
	json_object_set_new(vars, "csrf", json_string(csrf));
	char *frag = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&frag, &len);
	if (e->typed) {
		const char *name = json_string_value(json_object_get(vars, "name"));
		const char *email = json_string_value(json_object_get(vars, "email"));
		fputs("<label for=\"name\">Your name</label>\n<input id=\"name\" name=\"name\" "
		      "maxlength=\"200\" required autocomplete=\"name\" aria-describedby=\"name-error\" value=\"",
		      f);
		text_html_escape(name ? name : "", f);
		fputs("\">\n", f);
		const char *ne = json_string_value(json_object_get(vars, "name_error_text"));
		if (ne) {
			fputs("<p class=\"error\" id=\"name-error\">", f);
			text_html_escape(ne, f);
			fputs("</p>", f);
		}
		fputs("<label for=\"email\">Work e-mail</label>\n<input id=\"email\" name=\"email\" "
		      "type=\"email\" maxlength=\"200\" autocomplete=\"email\" value=\"",
		      f);
		text_html_escape(email ? email : "", f);
		fputs("\">\n", f);
	} else {
		fputs("<p class=\"who\">Submitting as <strong>", f);
		text_html_escape(e->name, f);
		fputs("</strong></p>\n", f);
	}
	fclose(f);
	json_object_set_new(vars, "identity", json_string(frag));
	free(frag);
	char *html = tpl_render("submit.html", vars);
	json_decref(vars);
	http_set_header(c, "Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
			"frame-ancestors 'none'");
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, html, strlen(html));
	free(html);
	http_reply(c, status, "text/html; charset=utf-8", buf);
}

void submit_form(struct http_ctx *c)
{
	struct employee e;
	if (identify(c, &e) < 0)
		return;
	render_form(c, 200, &e, json_object());
}

/* Checks one form field; on failure records the message for the page. */
static bool check_field(json_t *vars, const char *name, const char *v, size_t min, size_t max,
			const char *what)
{
	size_t n = v ? text_utf8_len(v) : 0;
	if (v && !text_valid_utf8(v, strlen(v))) {
		field_error(vars, name, "This holds characters that are not allowed.");
		return false;
	}
	if (n < min || n > max) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s must be %zu to %zu characters.", what, min, max);
		field_error(vars, name, msg);
		return false;
	}
	return true;
}

void submit_post(struct http_ctx *c)
{
	struct employee e;
	if (identify(c, &e) < 0)
		return;
	if (!http_content_type_is(c, "application/x-www-form-urlencoded")) {
		http_problem(c, 415, "Content-Type", "post the form as application/x-www-form-urlencoded");
		return;
	}
	size_t len;
	char *raw = http_body(c, &len);
	struct evkeyvalq form;
	TAILQ_INIT(&form);
	if (strlen(raw) != len || evhttp_parse_query_str(raw, &form) < 0) {
		free(raw);
		evhttp_clear_headers(&form);
		http_problem(c, 400, NULL, "the form body is malformed");
		return;
	}
	free(raw);
	const char *csrf = evhttp_find_header(&form, "csrf");
	if (!http_form_csrf_ok(c, csrf)) {
		evhttp_clear_headers(&form);
		http_problem(c, 403, "csrf",
			     "the form's security token is missing or stale: reload the page and "
			     "submit again");
		return;
	}
	const char *title = evhttp_find_header(&form, "title");
	const char *body = evhttp_find_header(&form, "body");
	const char *name = evhttp_find_header(&form, "name");
	const char *email = evhttp_find_header(&form, "email");
	json_t *vars = json_object();
	bool ok = true;
	char *ttitle = text_trim_dup(title ? title : "", 1000);
	ok &= check_field(vars, "title", ttitle, 3, 200, "The title");
	ok &= check_field(vars, "body", body, 0, 20000, "The description");
	if (e.typed) {
		char *tname = text_trim_dup(name ? name : "", 300);
		if (!*tname || text_utf8_len(tname) > 200 || !text_valid_utf8(tname, strlen(tname))) {
			json_object_set_new(vars, "name_error_text",
					    json_string("Please give your name (up to 200 characters)."));
			ok = false;
		}
		snprintf(e.name, sizeof(e.name), "%s", tname);
		free(tname);
		if (email && *email && text_valid_utf8(email, strlen(email)) && strchr(email, '@'))
			snprintf(e.email, sizeof(e.email), "%s", email);
	}
	if (!ok) {
		/* keep what was typed (valid UTF-8 only: jansson refuses the rest) */
		json_object_set_new(vars, "title", json_string(title ? title : ""));
		json_object_set_new(vars, "body", json_string(body ? body : ""));
		json_object_set_new(vars, "name", json_string(name ? name : ""));
		json_object_set_new(vars, "email", json_string(email ? email : ""));
		json_object_set_new(vars, "banner",
				    json_string("<p class=\"banner\" role=\"alert\">Please correct the "
						"highlighted fields.</p>"));
		free(ttitle);
		evhttp_clear_headers(&form);
		render_form(c, 400, &e, vars);
		return;
	}
	json_decref(vars);

	struct mention m;
	mention_init(&m);
	m.source = SRC_EMPLOYEE;
	m.author_kind = AUTHOR_EMPLOYEE;
	m.title = ttitle;
	m.body = strdup(body ? body : "");
	m.author = strdup(e.name);
	m.author_email = e.email[0] ? strdup(e.email) : NULL;
	/* the same form posted twice (a double click, a reload) is one mention */
	char digest[65], ext[80];
	char *material = NULL;
	size_t mlen = 0;
	FILE *f = open_memstream(&material, &mlen);
	fprintf(f, "%s%c%s%c%s%c%s", csrf, 0, m.title, 0, m.body, 0, m.author);
	fclose(f);
	auth_sha256_hex(material, mlen, digest);
	free(material);
	snprintf(ext, sizeof(ext), "form:%.40s", digest);
	m.external_id = strdup(ext);
	evhttp_clear_headers(&form);

	struct db *db = http_db(c);
	struct ingest_result res;
	struct err err = {0};
	if (!db) {
		mention_clear(&m);
		http_db_unavailable(c, "submit");
		return;
	}
	if (ingest_mention(db_conn(db), http_triage(c), &m, "triage", &res, &err) < 0) {
		mention_clear(&m);
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	mention_clear(&m);
	char loc[128];
	snprintf(loc, sizeof(loc), "/submit/thanks?idea=%lld&merged=%d", (long long)res.idea_id,
		 res.merged ? 1 : 0);
	http_set_header(c, "Location", loc);
	http_reply(c, 303, "text/plain; charset=utf-8", NULL);
}

void submit_thanks(struct http_ctx *c)
{
	char *idea = http_query_param(c, "idea");
	char *merged = http_query_param(c, "merged");
	bool valid = idea && *idea && strlen(idea) < 19 && strspn(idea, "0123456789") == strlen(idea);
	if (!valid) {
		free(idea);
		free(merged);
		http_problem(c, 400, "idea", "idea must be an idea id");
		return;
	}
	bool joined = merged && strcmp(merged, "1") == 0;
	json_t *vars = json_pack(
	    "{s:s, s:s}", "idea_id", idea, "message",
	    joined ? "Your idea joined an existing one that others asked for too: your voice "
		     "now counts towards it."
		   : "Your idea was recorded as a new idea. The product team will triage it.");
	free(idea);
	free(merged);
	char *html = tpl_render("thanks.html", vars);
	json_decref(vars);
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add(buf, html, strlen(html));
	free(html);
	http_set_header(c, "Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	http_reply(c, 200, "text/html; charset=utf-8", buf);
}
