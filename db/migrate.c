#include "db/migrate.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"

/* Arbitrary, fixed: the advisory lock that serialises migrations. */
#define MIGRATE_LOCK_KEY "7262014901"

static void sha256_hex(const unsigned char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

static int exec_ok(PGconn *c, const char *sql, struct err *err)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? 0 : db_err(c, res, err);
	PQclear(res);
	return rc;
}

/* Applies one file in one transaction with its record. */
static int apply_one(PGconn *c, const struct embedded_file *f, const char *sum, struct err *err)
{
	if (exec_ok(c, "BEGIN", err) < 0)
		return -1;
	PGresult *res = PQexec(c, (const char *)f->data);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		struct err inner;
		db_err(c, res, &inner);
		PQclear(res);
		(void)exec_ok(c, "ROLLBACK", NULL);
		return err_set(err, "migration %s failed: %s", f->name, inner.msg);
	}
	PQclear(res);
	const char *params[] = {f->name, sum};
	res = PQexecParams(c, "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", 2,
			   NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_err(c, res, err);
		PQclear(res);
		(void)exec_ok(c, "ROLLBACK", NULL);
		return -1;
	}
	PQclear(res);
	return exec_ok(c, "COMMIT", err);
}

/* 0 when f is recorded with the same checksum (*done = true) or not at all. */
static int check_recorded(PGconn *c, const struct embedded_file *f, const char *sum, bool *done,
			  struct err *err)
{
	const char *params[] = {f->name};
	PGresult *res = PQexecParams(c, "SELECT checksum FROM schema_migrations WHERE name = $1",
				     1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_err(c, res, err);
		PQclear(res);
		return -1;
	}
	*done = PQntuples(res) > 0;
	int rc = 0;
	if (*done && strcmp(PQgetvalue(res, 0, 0), sum) != 0)
		rc = err_set(err,
			     "migration %s was edited after it was applied (checksum %.12s, applied "
			     "%.12s): add a new migration instead of changing an old one",
			     f->name, sum, PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc;
}

int db_migrate(PGconn *c, const struct embedded_file *files, int *applied, struct err *err)
{
	if (exec_ok(c, "SET client_min_messages = warning", err) < 0 ||
	    exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err) < 0)
		return -1;
	int rc = exec_ok(c,
			 "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 " name text PRIMARY KEY,"
			 " checksum text NOT NULL,"
			 " applied_at timestamptz NOT NULL DEFAULT now())",
			 err);
	int n = 0;
	for (const struct embedded_file *f = files; rc == 0 && f->name; f++) {
		char sum[65];
		bool done = false;
		sha256_hex(f->data, f->len, sum);
		rc = check_recorded(c, f, sum, &done, err);
		if (rc == 0 && !done) {
			rc = apply_one(c, f, sum, err);
			n += rc == 0;
		}
	}
	(void)exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", NULL);
	if (rc == 0 && applied)
		*applied = n;
	return rc;
}
