/* db/deliveries.h - the webhook deliveries table (webhook_deliveries): each
 * delivery id GitHub sends is recorded once, so a redelivery is answered as
 * a duplicate instead of ingested twice. */
#ifndef DB_DELIVERIES_H
#define DB_DELIVERIES_H

#include <libpq-fe.h>

#include "triage/err.h"

/* Records delivery id with its event, action and outcome (all borrowed;
 * action may be NULL), inside the caller's transaction: 1 when new, 0 when
 * the id was recorded before, -1 with *err. */
int db_delivery_record(PGconn *c, const char *id, const char *event, const char *action,
                       const char *outcome, struct err *err) __attribute__((warn_unused_result));

#endif
