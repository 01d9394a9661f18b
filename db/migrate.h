/* db/migrate.h - schema migrations: db/migrations/NNN_name.sql, applied in
 * order, each in its own transaction, recorded with a SHA-256 checksum. */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include <libpq-fe.h>

#include "triage/embed.h"
#include "triage/err.h"

/* The migrations compiled into this binary, sorted by name. */
extern const struct embedded_file db_migration_files[];

/* Applies every file of files (borrowed; sorted, NULL-terminated) not yet
 * recorded in schema_migrations. Serialised across processes by an advisory
 * lock, so concurrent callers apply each file once. An applied file whose
 * checksum changed is an error: nothing further is applied. On success sets
 * *applied (may be NULL) to the number applied now. */
int db_migrate(PGconn *conn, const struct embedded_file *files, int *applied, struct err *err)
    __attribute__((warn_unused_result));

#endif
