/* intake/read/pages.c - the layout, the 403 page and the sign-in form
 * (pages.h). */
#include "intake/read/pages.h"

#include <stdlib.h>

#include "intake/read/template.h"

char *page_layout(const char *title, const char *content, const struct page_account *account)
{
	char *css = tpl_render("app.css", NULL);
	json_t *vars = json_pack("{s:s s:s s:s}", "title", title, "css", css ? css : "", "content",
				 content ? content : "");
	if (account)
		json_object_set_new(vars, "account",
				    json_pack("{s:s s:s s:s}", "csrf", account->csrf, "name",
					      account->name, "role", account->role));
	free(css);
	char *page = tpl_render("page.html", vars);
	json_decref(vars);
	return page;
}

char *page_forbidden(const char *need, const char *have)
{
	json_t *vars = json_pack("{s:s s:s}", "need", need, "have", have);
	char *html = tpl_render("forbidden.html", vars);
	json_decref(vars);
	return html;
}

char *page_login(const char *next, const char *error, const char *csrf)
{
	json_t *vars = json_pack("{s:s s:s? s:s}", "next", next, "error", error, "csrf", csrf);
	char *html = tpl_render("login.html", vars);
	json_decref(vars);
	return html;
}
