/* intake/read/template.c: the Mustache subset the pages and exports render
 * through (intake/read/template.h). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>

#include "intake/read/template.h"

static void expect(const char *tpl, const char *vars_json, const char *want)
{
	json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
	cr_assert(vars || !vars_json, "bad test JSON: %s", vars_json);
	char *got = tpl_render_text(tpl, vars);
	cr_expect_str_eq(got, want, "%s with %s", tpl, vars_json ? vars_json : "nothing");
	free(got);
	json_decref(vars);
}

Test(template, values_escaped_or_raw)
{
	expect("<p>{{t}}</p>", "{\"t\":\"<b>&\\\"'\"}", "<p>&lt;b&gt;&amp;&quot;&#39;</p>");
	expect("{{{t}}}", "{\"t\":\"<b>\"}", "<b>");
	expect("{{n}} {{x}} {{missing}}|", "{\"n\":3,\"x\":1.5}", "3 1.50 |");
	expect("{{ n }}", "{\"n\":\"spaced\"}", "spaced");
	expect("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
	expect("no tags {{ unclosed", NULL, "no tags {{ unclosed");
}

Test(template, sections_loop_and_test)
{
	expect("{{#l}}[{{.}}]{{/l}}", "{\"l\":[\"a\",\"b\"]}", "[a][b]");
	expect("{{#l}}<{{name}}:{{top}}>{{/l}}", "{\"top\":\"T\",\"l\":[{\"name\":\"x\"},{\"name\":\"y\"}]}",
	       "<x:T><y:T>");
	expect("{{#o}}{{k}}{{/o}}", "{\"o\":{\"k\":\"v\"}}", "v");
	expect("{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":false}", "no");
	expect("{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":true}", "yes");
	expect("{{#l}}x{{/l}}{{^l}}empty{{/l}}", "{\"l\":[]}", "empty");
	expect("{{#s}}{{s}}{{/s}}{{^e}}none{{/e}}", "{\"s\":\"v\",\"e\":\"\"}", "v");
	expect("{{#z}}[{{z}}]{{/z}}{{^n}}null{{/n}}", "{\"z\":0,\"n\":null}", "[0]null");
	expect("{{#rows}}{{#cells}}{{.}}{{/cells}};{{/rows}}",
	       "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[3]}]}", "12;3;");
	expect("{{#l}}never closed", "{\"l\":[1]}", "");
	expect("a{{! a comment }}b", NULL, "ab");
}

Test(template, standalone_lines_vanish)
{
	expect("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\":[1,2]}",
	       "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
	expect("<p>{{#f}}x{{/f}}</p>\n", "{\"f\":true}", "<p>x</p>\n");
}
