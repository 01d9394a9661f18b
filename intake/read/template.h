/* intake/read/template.h - HTML templates compiled into the binary
 * (intake/read/templates/), in a small subset of Mustache:
 *
 *   {{name}}      vars' name, HTML-escaped (strings, integers; reals as %.2f;
 *                 anything else as nothing)
 *   {{{name}}}    the same, raw: only for text that is already safe HTML
 *                 (the stylesheet, a page's content rendered by a template)
 *   {{a.b}}       b of the object a; {{.}} the current item
 *   {{#name}}...{{/name}}  once per item of a list, once (with the object as
 *                 the innermost context) for an object, once for any other
 *                 true value; not at all for a false one: missing, null,
 *                 false, [] (unlike most Mustaches, "" and 0 are true)
 *   {{^name}}...{{/name}}  only when name is false
 *   {{! note }}   a comment
 *
 * Names are looked up from the innermost section out. A section, inverted,
 * closing or comment tag alone on its line removes that line. No partials,
 * no lambdas, no delimiter changes. Unknown names render as nothing. */
#ifndef INTAKE_READ_TEMPLATE_H
#define INTAKE_READ_TEMPLATE_H

#include <jansson.h>

/* Renders template name with vars (borrowed; NULL: no values). New string,
 * or NULL when there is no such template. */
char *tpl_render(const char *name, json_t *vars) __attribute__((warn_unused_result));

/* Renders the template text itself (borrowed, NUL-terminated): for tests.
 * New string, or NULL when out of memory. */
char *tpl_render_text(const char *text, json_t *vars) __attribute__((warn_unused_result));

#endif
