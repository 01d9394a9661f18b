/* intake/decide/actions.h - a person's triage decisions on one idea: status, stage,
 * overrides, visibility, table stakes, owner, notes. Every field is checked
 * before anything is written; the change, its audit record and the rescore
 * it causes are one transaction's work. Shared by PATCH /api/v1/ideas/{id}
 * and the idea page's form. */
#ifndef INTAKE_ACTIONS_H
#define INTAKE_ACTIONS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

#include "intake/triage_ctx.h"
#include "triage/err.h"

/* Fields a person may change, NULL-terminated. */
extern const char *const idea_update_fields[];

/* Applies changes (a JSON object, borrowed) to idea id inside the caller's
 * transaction, as actor. Returns 1 when applied (*changed: how many fields
 * differed; 0 writes nothing), 0 when there is no such live idea, -1 with
 * *err: err->field names the input at fault (a 400, or a 409 when
 * err->field starts with "conflict:"), empty on a database error. */
int idea_update(PGconn *c, struct triage_ctx *t, int64_t id, json_t *changes, const char *actor,
		int *changed, struct err *err) __attribute__((warn_unused_result));

#endif
