/* intake/read/render.h - roadmaps in every format, from the objects triage/view.h
 * built (never from database rows), so each format shows exactly what the
 * view allows. The HTTP roadmap and `ideatriage export` call the same
 * function and so produce the same bytes. */
#ifndef INTAKE_RENDER_H
#define INTAKE_RENDER_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "intake/triage_ctx.h"
#include "triage/err.h"
#include "triage/view.h"

enum format { FMT_HTML, FMT_JSON, FMT_CSV, FMT_MD, FMT_ATOM };

const char *format_name(enum format f);
int format_from_name(const char *s, enum format *out); /* 0, or -1 when unknown */
const char *format_content_type(enum format f);

/* Most ideas a roadmap lists. */
#define ROADMAP_MAX_ITEMS 2000

/* The view's roadmap (ideas in progress, planned, under review, shipped;
 * grouped Now / Next / Later / Shipped) rendered as fmt: a new buffer in
 * *out, its length in *len. Atom is for the public view only (err->field
 * "format" otherwise). 0, or -1 with *err. */
int roadmap_render(PGconn *c, struct triage_ctx *t, enum view v, enum format fmt, char **out,
		   size_t *len, struct err *err) __attribute__((warn_unused_result));

/* Writes s into f as CSV field (quoted; a leading = + - @ is defused so a
 * spreadsheet never runs it as a formula). */
void render_csv_field(FILE *f, const char *s);

#endif
