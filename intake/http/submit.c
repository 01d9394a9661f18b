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

/* Records msg as what is wrong with field, for the page to show next to it. */
static void field_error(json_t *vars, const char *field, const char *msg)
{
	char key[40];
	snprintf(key, sizeof(key), "%s_error", field);
	json_object_set_new(vars, key, json_string(msg));
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
	/* typed: the name and e-mail fields (demo configuration); else who
	 * the server already knows */
	json_object_set_new(vars, "typed", json_boolean(e->typed));
	json_object_set_new(vars, "who", json_string(e->name));
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

/* Reads the posted form into *form after checking its type and CSRF
 * token; -1 after answering. */
static int read_submission(struct http_ctx *c, struct evkeyvalq *form)
{
	TAILQ_INIT(form);
	if (!http_content_type_is(c, "application/x-www-form-urlencoded"))
		return http_problem(c, 415, "Content-Type", "post the form as application/x-www-form-urlencoded");
	size_t len;
	char *raw = http_body(c, &len);
	int rc = strlen(raw) != len ? -1 : evhttp_parse_query_str(raw, form);
	free(raw);
	if (rc < 0) {
		evhttp_clear_headers(form);
		return http_problem(c, 400, NULL, "the form body is malformed");
	}
	if (!http_form_csrf_ok(c, evhttp_find_header(form, "csrf"))) {
		evhttp_clear_headers(form);
		return http_problem(c, 403, "csrf",
				    "the form's security token is missing or stale: reload the page and "
				    "submit again");
	}
	return 0;
}

/* Checks the form's fields, recording what is wrong in vars; a typed name
 * and e-mail go into *e. *ttitle: the trimmed title (new). */
static bool check_submission(struct evkeyvalq *form, struct employee *e, json_t *vars, char **ttitle)
{
	const char *title = evhttp_find_header(form, "title");
	const char *email = evhttp_find_header(form, "email");
	bool ok = true;
	*ttitle = text_trim_dup(title ? title : "", 1000);
	ok &= check_field(vars, "title", *ttitle, 3, 200, "The title");
	ok &= check_field(vars, "body", evhttp_find_header(form, "body"), 0, 20000, "The description");
	if (e->typed) {
		const char *name = evhttp_find_header(form, "name");
		char *tname = text_trim_dup(name ? name : "", 300);
		if (!*tname || text_utf8_len(tname) > 200 || !text_valid_utf8(tname, strlen(tname))) {
			field_error(vars, "name", "Please give your name (up to 200 characters).");
			ok = false;
		}
		snprintf(e->name, sizeof(e->name), "%s", tname);
		free(tname);
		if (email && *email && text_valid_utf8(email, strlen(email)) && strchr(email, '@'))
			snprintf(e->email, sizeof(e->email), "%s", email);
	}
	return ok;
}

/* The form as a mention of e's (title taken). */
static void submission_mention(struct mention *m, const struct employee *e, char *title,
			       const char *body, const char *csrf)
{
	mention_init(m);
	m->source = SRC_EMPLOYEE;
	m->author_kind = AUTHOR_EMPLOYEE;
	m->title = title;
	m->body = strdup(body ? body : "");
	m->author = strdup(e->name);
	m->author_email = e->email[0] ? strdup(e->email) : NULL;
	/* the same form posted twice (a double click, a reload) is one mention */
	char digest[65], ext[80];
	char *material = NULL;
	size_t mlen = 0;
	FILE *f = open_memstream(&material, &mlen);
	fprintf(f, "%s%c%s%c%s%c%s", csrf ? csrf : "", 0, m->title, 0, m->body, 0, m->author);
	fclose(f);
	auth_sha256_hex(material, mlen, digest);
	free(material);
	snprintf(ext, sizeof(ext), "form:%.40s", digest);
	m->external_id = strdup(ext);
}

void submit_post(struct http_ctx *c)
{
	struct employee e;
	struct evkeyvalq form;
	if (identify(c, &e) < 0 || read_submission(c, &form) < 0)
		return;
	json_t *vars = json_object();
	char *ttitle;
	if (!check_submission(&form, &e, vars, &ttitle)) {
		/* keep what was typed (valid UTF-8 only: jansson refuses the rest) */
		static const char *const kept[] = {"title", "body", "name", "email"};
		for (int i = 0; i < 4; i++) {
			const char *v = evhttp_find_header(&form, kept[i]);
			json_object_set_new(vars, kept[i], json_string(v ? v : ""));
		}
		json_object_set_new(vars, "invalid", json_true());
		free(ttitle);
		evhttp_clear_headers(&form);
		render_form(c, 400, &e, vars);
		return;
	}
	json_decref(vars);
	struct mention m;
	submission_mention(&m, &e, ttitle, evhttp_find_header(&form, "body"),
			   evhttp_find_header(&form, "csrf"));
	evhttp_clear_headers(&form);

	struct db *db = http_db(c);
	struct ingest_result res;
	struct err err = {0};
	if (!db) {
		mention_clear(&m);
		http_db_unavailable(c, "submit");
		return;
	}
	int rc = ingest_mention(db_conn(db), http_triage(c), &m, "triage", &res, &err);
	mention_clear(&m);
	if (rc < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
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
