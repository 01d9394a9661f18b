/* intake/http/pages.c - the web pages for people inside the company: sign
 * in, the internal board (ranked ideas, filters, each score's factors as a
 * bar, the SRPF x segment mix as a chart) and the idea page with its
 * mentions, similar ideas and the triage form. Server-rendered, no script;
 * every value is escaped on the way out. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "db/db.h"
#include "intake/decide/actions.h"
#include "intake/read/idea_detail.h"
#include "intake/decide/merge.h"
#include "intake/http/request.h"
#include "intake/http/router.h"
#include "intake/read/template.h"
#include "intake/read/views.h"
#include "triage/text.h"

static void h(FILE *f, const char *s)
{
	text_html_escape(s ? s : "", f);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Sends the page layout around content (taken). */
static void send_page(struct http_ctx *c, int status, const char *title, char *content,
		      const struct principal *who)
{
	char *css = tpl_render("app.css", NULL);
	char *account = NULL;
	char session[64], csrf[65];
	/* sign-out ends a web session; a bearer token has none to end */
	if (who && http_session_cookie(c, session) && http_form_csrf(c, csrf) == 0) {
		json_t *av = json_pack("{s:s s:s s:s}", "csrf", csrf, "name", who->name, "role",
				       role_name(who->role));
		account = tpl_render("account.html", av);
		json_decref(av);
	}
	json_t *vars = json_pack("{s:s s:s s:s s:s}", "title", title, "css", css ? css : "", "content",
				 content ? content : "", "account", account ? account : "");
	free(css);
	free(content);
	free(account);
	char *page = tpl_render("page.html", vars);
	json_decref(vars);
	http_set_header(c, "Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
			"form-action 'self'; frame-ancestors 'none'");
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, page, strlen(page));
	free(page);
	http_reply(c, status, "text/html; charset=utf-8", b);
}

static void redirect(struct http_ctx *c, const char *to)
{
	http_set_header(c, "Location", to);
	http_reply(c, 303, "text/plain; charset=utf-8", NULL);
}

/* A path on this site only, to go to after sign-in: one leading '/', then
 * only [A-Za-z0-9/_.~%?=&+-]. Browsers strip TAB, CR and LF from a Location
 * and read '\\' as '/', so "/\t/evil.example" would leave the site: an
 * allow-list leaves no such character in, nor a percent-escape of one (or
 * of a second leading slash) for anything that decodes it again. */
static bool local_path(const char *s)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789/_.~%?=&+-";
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= 512 || s[0] != '/' || s[1] == '/' || strspn(s, allowed) != n)
		return false;
	for (const char *p = strchr(s, '%'); p; p = strchr(p + 1, '%')) {
		if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
			return false;
		char hex[3] = {p[1], p[2], '\0'};
		long v = strtol(hex, NULL, 16);
		if (v < 0x20 || v == 0x7f || v == '\\' || (p == s + 1 && v == '/'))
			return false;
	}
	return true;
}

/* The signed-in person with at least role need: 0 and *who; otherwise -1
 * after redirecting to the sign-in page (or answering 403). */
static int page_principal(struct http_ctx *c, enum role need, struct principal *who)
{
	int have = http_optional_principal(c, who);
	if (have < 0)
		return -1;
	if (have == 0) {
		const char *uri = evhttp_request_get_uri(c->req);
		struct evbuffer *b = evbuffer_new();
		char *enc = evhttp_encode_uri(local_path(uri) ? uri : "/board");
		evbuffer_add_printf(b, "/login?next=%s", enc);
		free(enc);
		size_t n = evbuffer_get_length(b);
		char *loc = malloc(n + 1);
		evbuffer_remove(b, loc, n);
		loc[n] = '\0';
		evbuffer_free(b);
		redirect(c, loc);
		free(loc);
		return -1;
	}
	if (!role_allows(who->role, need)) {
		char *content = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&content, &len);
		fprintf(f, "<h1>Not for this token</h1><p class=\"error\">This page needs the %s role; "
			   "you are signed in as a %s.</p>",
			role_name(need), role_name(who->role));
		fclose(f);
		send_page(c, 403, "Forbidden", content, who);
		return -1;
	}
	return 0;
}

/* GET /: the public roadmap is the front page. */
void home_page(struct http_ctx *c)
{
	redirect(c, "/roadmap/public");
}

/* ---- sign in / out -------------------------------------------------------- */

static void login_render(struct http_ctx *c, int status, const char *next, const char *error)
{
	char *err_html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&err_html, &len);
	if (error) {
		fputs("<p class=\"error\" role=\"alert\">", f);
		h(f, error);
		fputs("</p>", f);
	}
	fclose(f);
	char csrf[65];
	if (http_form_csrf(c, csrf) < 0) {
		free(err_html);
		http_problem(c, 500, NULL, "no randomness available");
		return;
	}
	json_t *vars = json_pack("{s:s s:s s:s}", "next", local_path(next) ? next : "", "error", err_html,
				 "csrf", csrf);
	free(err_html);
	send_page(c, status, "Sign in", tpl_render("login.html", vars), NULL);
	json_decref(vars);
}

void login_form(struct http_ctx *c)
{
	char *next = http_query_param(c, "next");
	login_render(c, 200, next, NULL);
	free(next);
}

/* Parses an urlencoded form body into *form; -1 after answering. */
static int read_form(struct http_ctx *c, struct evkeyvalq *form)
{
	TAILQ_INIT(form);
	if (!http_content_type_is(c, "application/x-www-form-urlencoded"))
		return http_problem(c, 415, "Content-Type", "post the form as application/x-www-form-urlencoded");
	size_t len;
	char *raw = http_body(c, &len);
	int rc = strlen(raw) != len || !text_valid_utf8(raw, len) ? -1 : evhttp_parse_query_str(raw, form);
	free(raw);
	if (rc < 0) {
		evhttp_clear_headers(form);
		return http_problem(c, 400, NULL, "the form body is malformed");
	}
	return 0;
}

/* Opens a web session for who (ending the one this browser had, if any)
 * and sets its cookie. 0, or -1 after answering 503. */
static int session_start(struct http_ctx *c, struct db *db, const struct principal *who)
{
	struct err err = {0};
	char old[64], sid[48];
	const char *prev = http_session_cookie(c, old);
	if ((prev && auth_session_close(db_conn(db), prev, &err) < 0) ||
	    auth_session_open(db_conn(db), who->token_id, c->cfg->session_ttl_s,
			      c->cfg->session_idle_s, sid, &err) < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	http_add_cookie(c, HTTP_SESSION_COOKIE, sid, c->cfg->session_ttl_s);
	return 0;
}

/* POST /login (form: csrf, token, next): the token opens a session; the
 * browser keeps only the session's random id. */
void login_post(struct http_ctx *c)
{
	c->keeps_views = true;
	struct evkeyvalq form;
	if (read_form(c, &form) < 0)
		return;
	const char *token = evhttp_find_header(&form, "token");
	const char *next = evhttp_find_header(&form, "next");
	char dest[512];
	snprintf(dest, sizeof(dest), "%s", local_path(next) ? next : "");
	/* else another site could sign a browser in under the attacker's token */
	if (!http_form_csrf_ok(c, evhttp_find_header(&form, "csrf"))) {
		evhttp_clear_headers(&form);
		login_render(c, 403, dest, "The sign-in form expired or came from another site: try again.");
		return;
	}
	struct principal who;
	int found = 0;
	struct err err = {0};
	struct db *db = http_db(c);
	if (!db) {
		evhttp_clear_headers(&form);
		http_db_unavailable(c, "login");
		return;
	}
	if (token && strlen(token) < 100)
		found = auth_token_lookup(db_conn(db), token, &who, &err);
	evhttp_clear_headers(&form);
	if (found < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (found == 0) {
		login_render(c, 401, dest, "That token is unknown or revoked.");
		return;
	}
	/* a customer lands on the roadmap made for them, everyone else on the board */
	if (!dest[0] || (who.role == ROLE_CUSTOMER && strcmp(dest, "/board") == 0))
		snprintf(dest, sizeof(dest), "%s", who.role == ROLE_CUSTOMER ? "/roadmap/customer" : "/board");
	if (session_start(c, db, &who) < 0)
		return;
	redirect(c, dest);
}

/* POST /logout (form: csrf): ends the session in the database at once.
 * Without a session there is nothing to end and nothing changes. */
void logout_post(struct http_ctx *c)
{
	c->keeps_views = true;
	char buf[64];
	const char *session = http_session_cookie(c, buf);
	if (!session) {
		redirect(c, "/login");
		return;
	}
	/* no body at all is a missing token, not a malformed form */
	bool ok = false;
	if (evbuffer_get_length(evhttp_request_get_input_buffer(c->req)) > 0) {
		struct evkeyvalq form;
		if (read_form(c, &form) < 0)
			return;
		ok = http_form_csrf_ok(c, evhttp_find_header(&form, "csrf"));
		evhttp_clear_headers(&form);
	}
	if (!ok) {
		http_problem(c, 403, "csrf", "the sign-out form expired or came from another site: reload the page and try again");
		return;
	}
	struct db *db = http_db(c);
	if (!db) {
		http_db_unavailable(c, "logout");
		return;
	}
	struct err err = {0};
	if (auth_session_close(db_conn(db), session, &err) < 0) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	http_add_cookie(c, HTTP_SESSION_COOKIE, NULL, 0);
	redirect(c, "/login");
}

/* ---- the board ------------------------------------------------------------ */

static const char *const seg_classes[] = {"bridge", "vpn_only", "platform_only", "neither"};
static const char *const seg_labels[] = {"Bridge (VPN + platform)", "VPN only", "Platform only", "Neither"};
static const char *const seg_colors[] = {"#2e7d32", "#1565c0", "#6a1b9a", "#9aa3b2"};

/* The backlog by SRPF category (rows) and segment (stacked), as SVG. */
static void mix_chart(FILE *f, json_t *stats)
{
	json_t *by = json_object_get(stats, "by_category_segment");
	long long max = 1;
	for (int a = 0; a < 4; a++) {
		long long row = 0;
		for (int b = 0; b < 4; b++)
			row += json_integer_value(json_object_get(json_object_get(json_object_get(by, idea_categories[a]), seg_classes[b]), "ideas"));
		max = row > max ? row : max;
	}
	fputs("<figure class=\"panel\"><figcaption><strong>Open ideas by SRPF category and segment"
	      "</strong></figcaption>"
	      "<svg id=\"mix-chart\" viewBox=\"0 0 640 140\" width=\"100%\" role=\"img\" "
	      "aria-labelledby=\"mix-title\"><title id=\"mix-title\">Open ideas by SRPF category and "
	      "segment</title>",
	      f);
	for (int a = 0; a < 4; a++) {
		double x = 110;
		int y = 10 + a * 32;
		fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>", y + 16, idea_categories[a]);
		long long row = 0;
		for (int b = 0; b < 4; b++) {
			long long n = json_integer_value(json_object_get(json_object_get(json_object_get(by, idea_categories[a]), seg_classes[b]), "ideas"));
			row += n;
			double w = 440.0 * (double)n / (double)max;
			if (n > 0)
				fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"%s\">"
					   "<title>%s %s: %lld</title></rect>",
					x, y, w, seg_colors[b], idea_categories[a], seg_labels[b], n);
			x += w;
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%d\">%lld</text>", x + 6, y + 16, row);
	}
	fputs("</svg><p class=\"legend\">", f);
	for (int b = 0; b < 4; b++)
		fprintf(f, "<span style=\"background:%s\"></span>%s", seg_colors[b], seg_labels[b]);
	json_t *top = json_object_get(stats, "top");
	size_t i;
	json_t *t;
	fputs("</p><p>", f);
	json_array_foreach(top, i, t)
	fprintf(f, "Bridge share of the top %lld: <strong>%.0f%%</strong>. ",
		(long long)json_integer_value(json_object_get(t, "top")),
		100.0 * json_real_value(json_object_get(t, "bridge_share")));
	json_t *conc = json_object_get(stats, "concentration");
	fprintf(f, "%lld of %lld open ideas rest on a single requester.</p></figure>",
		(long long)json_integer_value(json_object_get(conc, "single_requester_ideas")),
		(long long)json_integer_value(json_object_get(conc, "open_ideas")));
}

/* The score's factors as a stacked bar: each factor's share of the log of
 * the score, so what lifts an idea is visible at a glance. */
static void breakdown_bar(FILE *f, json_t *breakdown)
{
	json_t *factors = json_object_get(breakdown, "factors");
	double total = 0;
	size_t i;
	json_t *fa;
	json_array_foreach(factors, i, fa)
	{
		double v = json_number_value(json_object_get(fa, "value"));
		total += v > 1 ? log(v) : 0;
	}
	if (total <= 0) {
		fputs("<span class=\"nolift\">no factor lifts it</span>", f);
		return;
	}
	fputs("<div class=\"bar\" role=\"img\" aria-label=\"", f);
	json_array_foreach(factors, i, fa)
	{
		fprintf(f, "%s%s %.2f", i ? ", " : "", jstr(fa, "name"),
			json_number_value(json_object_get(fa, "value")));
	}
	fputs("\">", f);
	json_array_foreach(factors, i, fa)
	{
		double v = json_number_value(json_object_get(fa, "value"));
		if (v <= 1 || total <= 0)
			continue;
		const char *name = jstr(fa, "name");
		fprintf(f, "<span class=\"f-");
		h(f, name);
		fprintf(f, "\" style=\"width:%.1f%%\" title=\"", 100.0 * log(v) / total);
		h(f, name);
		fprintf(f, " ×%.2f: ", v);
		h(f, jstr(fa, "note"));
		fputs("\"></span>", f);
	}
	fputs("</div>", f);
}

static void select_opts(FILE *f, const char *name, const char *label, const char *cur,
			const char *const *opts)
{
	fprintf(f, "<label>%s<select name=\"%s\"><option value=\"\">any</option>", label, name);
	for (int i = 0; opts[i]; i++) {
		fprintf(f, "<option%s>", cur && !strcmp(cur, opts[i]) ? " selected" : "");
		h(f, opts[i]);
		fputs("</option>", f);
	}
	fputs("</select></label>", f);
}

void board_page(struct http_ctx *c)
{
	struct principal who;
	if (page_principal(c, ROLE_TRIAGER, &who) < 0)
		return;
	static const char *const params[] = {"category", "segment", "bridge", "status", "visibility",
					     "q",        "after",   "source", NULL};
	struct evkeyvalq q;
	if (http_query(c, &q, params) < 0)
		return;
	struct backlog_filter fl = {.view = VIEW_INTERNAL, .limit = 50};
#define P(k) (evhttp_find_header(&q, k) && *evhttp_find_header(&q, k) ? evhttp_find_header(&q, k) : NULL)
	fl.category = P("category");
	fl.segment = P("segment");
	fl.bridge = P("bridge");
	fl.status = P("status");
	fl.visibility = P("visibility");
	fl.q = P("q");
	fl.after = P("after");
	fl.source = P("source");
#undef P
	struct db *db = http_db(c);
	if (!db) {
		evhttp_clear_headers(&q);
		http_db_unavailable(c, "board");
		return;
	}
	json_t *items = NULL;
	char *next = NULL;
	struct err err = {0};
	int rc = views_backlog(db_conn(db), http_triage(c), &fl, &items, &next, &err);
	json_t *stats = rc == 0 ? stats_collect(db_conn(db), &err) : NULL;
	if (rc < 0 && err.field[0]) {
		evhttp_clear_headers(&q);
		http_problem(c, 400, err.field, "%s", err.msg);
		return;
	}
	if (!stats) {
		evhttp_clear_headers(&q);
		json_decref(items);
		free(next);
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	char *content = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&content, &len);
	fputs("<h1>Backlog</h1><p class=\"intro\">Every open idea, ranked by strategy: Security &gt; "
	      "Reliability &gt; Performance &gt; Features, bridge ideas above one-segment ones, demand "
	      "counted by distinct requesters.</p>",
	      f);
	mix_chart(f, stats);
	fputs("<form class=\"filters\" method=\"get\" action=\"/board\" role=\"search\">", f);
	select_opts(f, "category", "Category", fl.category, idea_categories);
	select_opts(f, "segment", "Segment", fl.segment, idea_segments);
	select_opts(f, "bridge", "Bridge", fl.bridge, (const char *const[]){"true", "false", NULL});
	select_opts(f, "status", "Status", fl.status, idea_statuses);
	select_opts(f, "visibility", "Visibility", fl.visibility, idea_visibilities);
	fputs("<label>Search<input type=\"search\" name=\"q\" value=\"", f);
	h(f, fl.q);
	fputs("\"></label><button type=\"submit\">Filter</button></form>", f);
	fputs("<p class=\"legend\">Score factors:", f);
	static const char *const fnames[] = {"srpf", "bridge", "runtime", "demand", "freshness", "override"};
	for (int i = 0; i < 6; i++)
		fprintf(f, "<span class=\"f-%s\"></span>%s", fnames[i], fnames[i]);
	fputs("</p><table id=\"backlog\"><thead><tr><th>#</th><th>Idea</th><th>Category</th>"
	      "<th class=\"opt\">Segments</th><th>Status</th><th class=\"opt\">Visible to</th>"
	      "<th class=\"num\">Requesters</th><th class=\"num\">Score</th><th class=\"opt\">Why</th>"
	      "</tr></thead><tbody>",
	      f);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *segs = json_object_get(it, "segments");
		fprintf(f, "<tr id=\"row-%lld\"><td class=\"num\">%lld</td><td><a href=\"/ideas/%lld\">",
			(long long)json_integer_value(json_object_get(it, "id")),
			(long long)json_integer_value(json_object_get(it, "rank")),
			(long long)json_integer_value(json_object_get(it, "id")));
		h(f, jstr(it, "title"));
		fprintf(f, "</a></td><td><span class=\"tag cat-%s\">%s</span></td><td class=\"opt\">",
			jstr(it, "category"), jstr(it, "category"));
		if (json_is_true(json_object_get(it, "bridge")))
			fputs("<span class=\"tag bridge\">bridge</span>", f);
		else if (json_array_size(segs) == 1)
			fprintf(f, "<span class=\"tag\">%s</span>", json_string_value(json_array_get(segs, 0)));
		else
			fputs("<span class=\"nolift\">none</span>", f);
		if (json_is_true(json_object_get(it, "table_stakes")))
			fputs("<span class=\"tag\">table stakes</span>", f);
		fprintf(f, "</td><td>%s</td><td class=\"opt\">%s</td><td class=\"num\">%lld</td>"
			   "<td class=\"num\">%.2f</td><td class=\"opt\">",
			jstr(it, "status"), jstr(it, "visibility"),
			(long long)json_integer_value(json_object_get(json_object_get(it, "demand"), "requesters")),
			json_real_value(json_object_get(it, "score")));
		breakdown_bar(f, json_object_get(it, "breakdown"));
		fputs("</td></tr>", f);
	}
	if (json_array_size(items) == 0)
		fputs("<tr><td colspan=\"9\" class=\"empty\">No idea matches these filters.</td></tr>", f);
	fputs("</tbody></table>", f);
	if (next) {
		/* the next page keeps the filters */
		fputs("<p><a class=\"button\" href=\"/board?", f);
		struct evkeyval *kv;
		TAILQ_FOREACH(kv, &q, next)
		{
			if (!strcmp(kv->key, "after") || !*kv->value)
				continue;
			char *ek = evhttp_encode_uri(kv->key), *ev = evhttp_encode_uri(kv->value);
			h(f, ek);
			fputc('=', f);
			h(f, ev);
			fputs("&amp;", f);
			free(ek);
			free(ev);
		}
		char *en = evhttp_encode_uri(next);
		fputs("after=", f);
		h(f, en);
		free(en);
		fputs("\">Next page</a></p>", f);
	}
	fclose(f);
	evhttp_clear_headers(&q);
	json_decref(items);
	json_decref(stats);
	free(next);
	send_page(c, 200, "Backlog", content, &who);
}

/* ---- the idea page -------------------------------------------------------- */

static void options(FILE *f, const char *cur, const char *const *vals, const char *const *labels)
{
	for (int i = 0; vals[i]; i++) {
		fputs("<option value=\"", f);
		h(f, vals[i]);
		fprintf(f, "\"%s>", cur && !strcmp(cur, vals[i]) ? " selected" : "");
		h(f, labels ? labels[i] : vals[i]);
		fputs("</option>", f);
	}
}

static void text_input(FILE *f, const char *name, const char *label, const char *value, int max)
{
	fprintf(f, "<label for=\"%s\">%s</label><input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"%d\" value=\"",
		name, label, name, name, max);
	h(f, value);
	fputs("\">", f);
}

static void render_idea(struct http_ctx *c, int status, const struct principal *who, json_t *d,
			const char *notice, const char *error)
{
	char csrf[65];
	if (http_form_csrf(c, csrf) < 0) {
		http_problem(c, 500, NULL, "no randomness available");
		return;
	}
	json_t *idea = json_object_get(d, "idea");
	long long id = (long long)json_integer_value(json_object_get(idea, "id"));
	char *content = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&content, &len);
	fputs("<p><a href=\"/board\">← Backlog</a></p><h1 id=\"idea-title\">", f);
	h(f, jstr(idea, "title"));
	fputs("</h1>", f);
	if (notice) {
		fputs("<p class=\"notice\" role=\"status\">", f);
		h(f, notice);
		fputs("</p>", f);
	}
	if (error) {
		fputs("<p class=\"error\" role=\"alert\">", f);
		h(f, error);
		fputs("</p>", f);
	}
	bool merged = !strcmp(jstr(idea, "status"), "merged");
	json_t *segs = json_object_get(idea, "segments");
	fputs("<div class=\"grid2\"><section class=\"panel\"><h2>Where it ranks and why</h2><dl class=\"kv\">", f);
	fprintf(f, "<dt>Status</dt><dd id=\"idea-status\">%s</dd>", jstr(idea, "status"));
	if (merged) {
		long long into = (long long)json_integer_value(json_object_get(idea, "merged_into"));
		fprintf(f, "<dt>Merged into</dt><dd><a href=\"/ideas/%lld\">idea #%lld</a></dd></dl>"
			   "<form method=\"post\" action=\"/ideas/%lld/unfold\"><input type=\"hidden\" "
			   "name=\"csrf\" value=\"%s\"><button type=\"submit\" id=\"unfold\">Undo the "
			   "merge</button></form></section></div>",
			into, into, id, csrf);
		goto mentions;
	}
	fprintf(f, "<dt>Visible to</dt><dd id=\"idea-visibility\">%s</dd>", jstr(idea, "visibility"));
	fprintf(f, "<dt>Category</dt><dd><span class=\"tag cat-%s\">%s</span></dd>", jstr(idea, "category"),
		jstr(idea, "category"));
	fputs("<dt>Segments</dt><dd>", f);
	size_t i;
	json_t *v;
	json_array_foreach(segs, i, v)
	fprintf(f, "<span class=\"tag\">%s</span>", json_string_value(v));
	if (json_is_true(json_object_get(idea, "bridge")))
		fputs("<span class=\"tag bridge\">bridge</span>", f);
	fprintf(f, "</dd><dt>Runtime</dt><dd>%s</dd>", jstr(idea, "runtime"));
	json_t *dem = json_object_get(idea, "demand");
	fprintf(f, "<dt>Demand</dt><dd>%lld requesters, %lld mentions, %lld sources</dd>",
		(long long)json_integer_value(json_object_get(dem, "requesters")),
		(long long)json_integer_value(json_object_get(dem, "mentions")),
		(long long)json_integer_value(json_object_get(dem, "sources")));
	fprintf(f, "<dt>Score</dt><dd><strong>%.3f</strong></dd></dl>", json_real_value(json_object_get(idea, "score")));
	json_t *bd = json_object_get(idea, "breakdown");
	fputs("<table><thead><tr><th>Factor</th><th class=\"num\">×</th><th>Why</th></tr></thead><tbody>", f);
	json_array_foreach(json_object_get(bd, "factors"), i, v)
	{
		fputs("<tr><td>", f);
		h(f, jstr(v, "name"));
		fprintf(f, "</td><td class=\"num\">%.3f</td><td>", json_number_value(json_object_get(v, "value")));
		h(f, jstr(v, "note"));
		fputs("</td></tr>", f);
	}
	fputs("</tbody></table>", f);
	if (jstr(bd, "why")) {
		fputs("<p class=\"demand\">Classified: ", f);
		h(f, jstr(bd, "why"));
		fputs("</p>", f);
	}
	fputs("<h3>Similar ideas</h3>", f);
	json_t *sim = json_object_get(d, "similar");
	if (json_array_size(sim) == 0)
		fputs("<p class=\"empty\">None found.</p>", f);
	fputs("<ul>", f);
	json_array_foreach(sim, i, v)
	{
		long long other = (long long)json_integer_value(json_object_get(v, "idea_id"));
		fprintf(f, "<li><a href=\"/ideas/%lld\">", other);
		h(f, jstr(v, "title"));
		/* the same request asked again: one click folds it in (undoable) */
		fprintf(f, "</a> (%.0f%% similar)<form class=\"inline\" method=\"post\" "
			   "action=\"/ideas/%lld/fold\"><input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
			   "name=\"into\" value=\"%lld\"><button type=\"submit\" class=\"link\" "
			   "data-fold=\"%lld\">Fold into this idea</button></form></li>",
			100 * json_real_value(json_object_get(v, "similarity")), other, csrf, id, other);
	}
	fputs("</ul></section>", f);

	/* the triage form: only fields a person sets; blank = leave to the rules */
	fprintf(f, "<section class=\"panel\"><h2>Triage</h2><form class=\"actions\" method=\"post\" "
		   "action=\"/ideas/%lld\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">",
		id, csrf);
	fputs("<label for=\"status\">Status</label><select id=\"status\" name=\"status\">", f);
	options(f, jstr(idea, "status"), idea_statuses,
		(const char *const[]){"New", "Under review (Later)", "Planned (Next)", "In progress (Now)", "Shipped",
				      "Declined", NULL});
	fputs("</select><label for=\"visibility\">Visible to</label><select id=\"visibility\" name=\"visibility\">", f);
	options(f, jstr(idea, "visibility"), idea_visibilities,
		(const char *const[]){"Internal only", "Customers (and inside)", "Everyone (public)", NULL});
	fputs("</select><label for=\"stage\">Stage</label><select id=\"stage\" name=\"stage\">", f);
	options(f, jstr(idea, "stage") ? jstr(idea, "stage") : "",
		(const char *const[]){"", "poc", "alpha", "beta", "ga", NULL},
		(const char *const[]){"none", "poc", "alpha", "beta", "ga", NULL});
	json_t *ovr = json_object_get(idea, "overrides");
	fputs("</select><label for=\"category\">Category override</label><select id=\"category\" name=\"category\">", f);
	options(f, jstr(ovr, "category") ? jstr(ovr, "category") : "",
		(const char *const[]){"", "security", "reliability", "performance", "feature", NULL},
		(const char *const[]){"from the rules", "security", "reliability", "performance", "feature", NULL});
	fputs("</select>", f);
	text_input(f, "public_title", "Public title (what customers and the public read)", jstr(idea, "public_title"), 200);
	text_input(f, "owner", "Owner", jstr(idea, "owner"), 200);
	text_input(f, "declined_reason", "Reason (when declining)", jstr(idea, "declined_reason"), 1000);
	fputs("<label for=\"decision_note\">Decision note (internal)</label><textarea id=\"decision_note\" "
	      "name=\"decision_note\" maxlength=\"5000\">",
	      f);
	h(f, jstr(idea, "decision_note"));
	fprintf(f, "</textarea><label><input type=\"checkbox\" name=\"table_stakes\" value=\"true\"%s> Table "
		   "stakes (no one-segment discount)</label>",
		json_is_true(json_object_get(idea, "table_stakes")) ? " checked" : "");
	/* only a security idea waits for disclosure before it may be shown outside */
	if (!strcmp(jstr(idea, "category"), "security") || json_is_true(json_object_get(idea, "disclosed")))
		fprintf(f, "<label><input type=\"checkbox\" name=\"disclosed\" value=\"true\"%s> Security "
			   "fix disclosed (it may then be shown once shipped)</label>",
			json_is_true(json_object_get(idea, "disclosed")) ? " checked" : "");
	fputs("<p><button type=\"submit\" id=\"save\">Save</button></p></form></section></div>", f);

mentions:
	fputs("<section class=\"panel\"><h2>Mentions</h2>", f);
	json_array_foreach(json_object_get(d, "mentions"), i, v)
	{
		json_t *link = json_object_get(v, "link");
		fprintf(f, "<article class=\"mention\"><p class=\"meta\"><strong>%s</strong> · ", jstr(v, "source"));
		h(f, jstr(v, "author"));
		fprintf(f, " (%s)", jstr(v, "author_kind"));
		if (jstr(v, "account")) {
			fputs(" · account ", f);
			h(f, jstr(v, "account"));
		}
		if (json_is_integer(json_object_get(v, "arr")))
			fprintf(f, " · ARR $%lld", (long long)json_integer_value(json_object_get(v, "arr")));
		if (jstr(v, "author_email")) {
			fputs(" · ", f);
			h(f, jstr(v, "author_email"));
		}
		if (link) {
			fputs(" · linked by ", f);
			h(f, jstr(link, "method"));
			if (json_is_real(json_object_get(link, "similarity")) && strcmp(jstr(link, "method"), "new") != 0)
				fprintf(f, " (%.2f)", json_real_value(json_object_get(link, "similarity")));
		}
		if (json_is_true(json_object_get(v, "deleted")))
			fputs(" · <em>deleted upstream</em>", f);
		fputs("</p><p><strong>", f);
		h(f, jstr(v, "title"));
		fputs("</strong></p><p>", f);
		h(f, jstr(v, "body"));
		fputs("</p>", f);
		const char *url = jstr(v, "url");
		if (url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))) {
			fputs("<a rel=\"nofollow noopener\" href=\"", f);
			h(f, url);
			fputs("\">Open the original</a>", f);
		}
		fputs("</article>", f);
	}
	fputs("</section><section class=\"panel\"><h2>History</h2><ul>", f);
	json_array_foreach(json_object_get(d, "audit"), i, v)
	{
		fputs("<li>", f);
		h(f, jstr(v, "at"));
		fputs(" · ", f);
		h(f, jstr(v, "actor"));
		fputs(" · ", f);
		h(f, jstr(v, "action"));
		char *det = json_dumps(json_object_get(v, "details"), JSON_COMPACT);
		fputs(" <code>", f);
		h(f, det);
		fputs("</code></li>", f);
		free(det);
	}
	fputs("</ul></section>", f);
	fclose(f);
	send_page(c, status, jstr(idea, "title") ? jstr(idea, "title") : "Idea", content, who);
}

/* Loads the idea's detail; -1 after answering (404, 503). */
static int load_detail(struct http_ctx *c, int64_t id, json_t **d)
{
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "idea");
	struct err err = {0};
	int rc = idea_detail(db_conn(db), id, d, &err);
	if (rc < 0) {
		db_check_broken(db);
		return http_db_unavailable(c, err.msg);
	}
	if (rc == 0)
		return http_problem(c, 404, NULL, "no idea %lld", (long long)id);
	return 0;
}

void idea_page(struct http_ctx *c)
{
	struct principal who;
	if (page_principal(c, ROLE_TRIAGER, &who) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	json_t *d;
	if (!id || load_detail(c, id, &d) < 0)
		return;
	char *saved = http_query_param(c, "saved"), *folded = http_query_param(c, "folded"),
	     *unfolded = http_query_param(c, "unfolded");
	char notice[160];
	if (folded)
		snprintf(notice, sizeof(notice),
			 "Idea #%lld was folded into this one; its page can undo it.", atoll(folded));
	const char *says = folded     ? notice
			   : unfolded ? "The merge was undone: this idea is live again."
			   : saved    ? "Saved."
				      : NULL;
	render_idea(c, 200, &who, d, says, NULL);
	free(saved);
	free(folded);
	free(unfolded);
	json_decref(d);
}

/* Reads a page form posted by a triager after checking its CSRF token;
 * -1 after answering. */
static int triage_form(struct http_ctx *c, struct principal *who, struct evkeyvalq *form)
{
	if (page_principal(c, ROLE_TRIAGER, who) < 0 || read_form(c, form) < 0)
		return -1;
	if (!http_form_csrf_ok(c, evhttp_find_header(form, "csrf"))) {
		evhttp_clear_headers(form);
		return http_problem(c, 403, "csrf",
				    "the form expired or came from another site: reload the page and try again");
	}
	return 0;
}

/* The form's fields as a PATCH body: blank text clears, blank selects leave
 * the choice to the rules, unchecked boxes are false. */
static json_t *form_changes(struct evkeyvalq *form)
{
	json_t *ch = json_object();
	static const char *const plain[] = {"status", "visibility", NULL};
	static const char *const nullable[] = {"stage", "category", "public_title", "owner",
					       "declined_reason", "decision_note", NULL};
	for (int i = 0; plain[i]; i++) {
		const char *v = evhttp_find_header(form, plain[i]);
		if (v)
			json_object_set_new(ch, plain[i], json_string(v));
	}
	for (int i = 0; nullable[i]; i++) {
		const char *v = evhttp_find_header(form, nullable[i]);
		if (v)
			json_object_set_new(ch, nullable[i], *v ? json_string(v) : json_null());
	}
	json_object_set_new(ch, "table_stakes", json_boolean(evhttp_find_header(form, "table_stakes") != NULL));
	json_object_set_new(ch, "disclosed", json_boolean(evhttp_find_header(form, "disclosed") != NULL));
	return ch;
}

void idea_page_post(struct http_ctx *c)
{
	struct principal who;
	struct evkeyvalq form;
	if (triage_form(c, &who, &form) < 0)
		return;
	int64_t id = http_param_id(c, 0);
	if (!id) {
		evhttp_clear_headers(&form);
		return;
	}
	json_t *ch = form_changes(&form);
	evhttp_clear_headers(&form);
	struct db *db = http_db(c);
	if (!db) {
		json_decref(ch);
		http_db_unavailable(c, "idea");
		return;
	}
	struct err err = {0};
	int changed = 0;
	int rc = idea_apply(c, db_conn(db), id, ch, who.name, &changed, &err);
	json_decref(ch);
	if (rc == 0) {
		http_problem(c, 404, NULL, "no live idea %lld", (long long)id);
		return;
	}
	if (rc < 0 && !err.field[0]) {
		db_check_broken(db);
		http_db_unavailable(c, err.msg);
		return;
	}
	if (rc < 0) {
		json_t *d;
		if (load_detail(c, id, &d) < 0)
			return;
		render_idea(c, strncmp(err.field, "conflict:", 9) == 0 ? 409 : 400, &who, d, NULL, err.msg);
		json_decref(d);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/ideas/%lld?saved=1", (long long)id);
	redirect(c, loc);
}

/* Runs a merge or an unmerge in its own transaction; on a refusal shows the
 * page of show_id with what is wrong. 0 when done, -1 after answering. */
static int fold_tx(struct http_ctx *c, const struct principal *who, int64_t from, int64_t into,
		   int64_t show_id)
{
	struct db *db = http_db(c);
	if (!db)
		return http_db_unavailable(c, "merge");
	struct err err = {0};
	if (merge_in_tx(db_conn(db), http_triage(c), from, into, who->name, NULL, &err) < 0) {
		if (db_check_broken(db) || !err.field[0])
			return http_db_unavailable(c, err.msg);
		json_t *d;
		if (load_detail(c, show_id, &d) < 0)
			return -1;
		render_idea(c, strstr(err.msg, "no such idea") ? 404 : 409, who, d, NULL, err.msg);
		json_decref(d);
		return -1;
	}
	return 0;
}

/* POST /ideas/{id}/fold (form: csrf, into): folds idea {id} into the idea
 * whose page offered it as similar - the merge of POST
 * /api/v1/ideas/{id}/merge (audited, undoable) - and goes back to that page. */
void idea_fold_post(struct http_ctx *c)
{
	struct principal who;
	int64_t from = http_param_id(c, 0);
	struct evkeyvalq form;
	if (!from || triage_form(c, &who, &form) < 0)
		return;
	const char *v = evhttp_find_header(&form, "into");
	char *end = NULL;
	long long into = v ? strtoll(v, &end, 10) : 0;
	bool ok = v && *v && end && !*end && into > 0;
	evhttp_clear_headers(&form);
	if (!ok) {
		http_problem(c, 400, "into", "into must be the id of the idea to fold this one into");
		return;
	}
	if (fold_tx(c, &who, from, into, into) < 0)
		return;
	char loc[80];
	snprintf(loc, sizeof(loc), "/ideas/%lld?folded=%lld", into, (long long)from);
	redirect(c, loc);
}

/* POST /ideas/{id}/unfold (form: csrf): undoes the latest merge of {id}. */
void idea_unfold_post(struct http_ctx *c)
{
	struct principal who;
	int64_t id = http_param_id(c, 0);
	struct evkeyvalq form;
	if (!id || triage_form(c, &who, &form) < 0)
		return;
	evhttp_clear_headers(&form);
	if (fold_tx(c, &who, id, 0, id) < 0)
		return;
	char loc[64];
	snprintf(loc, sizeof(loc), "/ideas/%lld?unfolded=1", (long long)id);
	redirect(c, loc);
}
