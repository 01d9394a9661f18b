/* intake/read/idea_detail.h - everything a triager sees about one idea: the idea
 * (internal view), every mention with its source and how it was linked, the
 * score breakdown and the one before it, similar ideas, the history of score
 * and status, and the audit trail. Shared by the API and the idea page. */
#ifndef INTAKE_IDEA_DETAIL_H
#define INTAKE_IDEA_DETAIL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

#include "triage/err.h"

/* 1 and *out (new object), 0 when there is no such idea, -1 with *err. */
int idea_detail(PGconn *c, int64_t id, json_t **out, struct err *err)
    __attribute__((warn_unused_result));

#endif
