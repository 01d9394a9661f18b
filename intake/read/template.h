/* intake/read/template.h - HTML templates compiled into the binary
 * (intake/http/templates/). {{name}} inserts vars[name] HTML-escaped;
 * {{{name}}} inserts it raw and is only for fragments the server built from
 * escaped parts. Unknown names render as nothing. */
#ifndef INTAKE_HTTP_TEMPLATE_H
#define INTAKE_HTTP_TEMPLATE_H

#include <jansson.h>

/* Renders template name with vars (borrowed). New string, or NULL when there
 * is no such template. */
char *tpl_render(const char *name, json_t *vars);

#endif
