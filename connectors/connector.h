/* connectors/connector.h - the one interface every upstream source implements:
 * configure, fetch one batch from a cursor, return mentions and the next
 * cursor. Connectors fetch and parse; they never touch the database. */
#ifndef CONNECTORS_CONNECTOR_H
#define CONNECTORS_CONNECTOR_H

#include "triage/err.h"

/* Names of the connectors this build knows, NULL-terminated. */
extern const char *const connector_names[];

/* True when name is a known connector. */
int connector_known(const char *name);

#endif
