/* db/demo.h - what loading the bundled demo data set asks of the database
 * (intake/app/demo.c): whether it is empty, which ideas its first triage
 * pass decides, and what it left. */
#ifndef DB_DEMO_H
#define DB_DEMO_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

/* 0 and *any (true when any mention is stored), or -1 and *err. */
int db_demo_has_data(PGconn *c, bool *any, struct err *err) __attribute__((warn_unused_result));

/* The ideas a first triage pass decides, best score first, at most limit:
 * new ones with a live public post, and none at all once a pass has been
 * audited (actor "demo"). 0 with *ids (new, for free()) and *n, or -1 and
 * *err. */
int db_demo_untriaged(PGconn *c, int limit, int64_t **ids, int *n, struct err *err)
    __attribute__((warn_unused_result));

/* How many ideas there are, merged ones not counted; -1 on an error. */
long db_demo_idea_count(PGconn *c);

#endif
