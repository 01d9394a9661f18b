/* Migrations against a real PostgreSQL: idempotent, race-free, and strict
 * about edited history. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/migrate.h"
#include "support.h"

static int count_files(const struct embedded_file *f)
{
	int n = 0;
	while (f[n].name)
		n++;
	return n;
}

Test(migrate, applies_everything_once_then_is_a_no_op)
{
	char *ci = testdb_create("migrate_twice");
	PGconn *c = testdb_connect(ci);
	struct err err = {0};
	int applied = -1;
	cr_assert_eq(db_migrate(c, db_migration_files, &applied, &err), 0, "%s", err.msg);
	cr_expect_eq(applied, count_files(db_migration_files));
	cr_assert_eq(db_migrate(c, db_migration_files, &applied, &err), 0, "%s", err.msg);
	cr_expect_eq(applied, 0);

	/* the core schema is there, pg_trgm with it */
	const char *tables[] = {"ideas", "mentions", "mention_links", "connector_state",
				"webhook_deliveries", "api_tokens", "audit_log"};
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char sql[200];
		snprintf(sql, sizeof(sql), "SELECT to_regclass('public.%s') IS NOT NULL", tables[i]);
		char *v = testdb_value(c, sql);
		cr_expect_str_eq(v, "t", "table %s missing", tables[i]);
		free(v);
	}
	char *ext = testdb_value(c, "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'");
	cr_expect_str_eq(ext, "1");
	char *rows = testdb_value(c, "SELECT count(*) FROM schema_migrations");
	cr_expect_eq(atoi(rows), count_files(db_migration_files));
	free(ext);
	free(rows);
	PQfinish(c);
	free(ci);
}

struct racer {
	const char *conninfo;
	int rc;
	int applied;
	char msg[512];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	PGconn *c = PQconnectdb(r->conninfo);
	struct err err = {0};
	r->rc = db_migrate(c, db_migration_files, &r->applied, &err);
	snprintf(r->msg, sizeof(r->msg), "%s", err.msg);
	PQfinish(c);
	return NULL;
}

Test(migrate, concurrent_runs_both_succeed_and_apply_once)
{
	char *ci = testdb_create("migrate_race");
	struct racer r[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){.conninfo = ci, .rc = -2};
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	int total = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(r[i].rc, 0, "racer %d: %s", i, r[i].msg);
		total += r[i].applied;
	}
	cr_expect_eq(total, count_files(db_migration_files), "each file applied exactly once");
	PGconn *c = testdb_connect(ci);
	char *rows = testdb_value(c, "SELECT count(*) FROM schema_migrations");
	cr_expect_eq(atoi(rows), count_files(db_migration_files));
	free(rows);
	PQfinish(c);
	free(ci);
}

#define FILE_(n, text) {n, (const unsigned char *)text, sizeof(text) - 1}

Test(migrate, an_edited_applied_migration_is_refused)
{
	char *ci = testdb_create("migrate_edited");
	PGconn *c = testdb_connect(ci);
	const struct embedded_file v1[] = {FILE_("001_a.sql", "CREATE TABLE a (x int);"),
					   {0, 0, 0}};
	const struct embedded_file v2[] = {FILE_("001_a.sql", "CREATE TABLE a (x bigint);"),
					   FILE_("002_b.sql", "CREATE TABLE b (y int);"),
					   {0, 0, 0}};
	struct err err = {0};
	int applied;
	cr_assert_eq(db_migrate(c, v1, &applied, &err), 0, "%s", err.msg);
	cr_expect_lt(db_migrate(c, v2, &applied, &err), 0, "an edited migration was accepted");
	cr_expect(strstr(err.msg, "001_a.sql") && strstr(err.msg, "edited"), "%s", err.msg);
	char *b = testdb_value(c, "SELECT to_regclass('public.b') IS NULL");
	cr_expect_str_eq(b, "t", "nothing after the edited file may be applied");
	free(b);
	PQfinish(c);
	free(ci);
}

Test(migrate, a_failing_migration_leaves_nothing_behind)
{
	char *ci = testdb_create("migrate_fail");
	PGconn *c = testdb_connect(ci);
	const struct embedded_file files[] = {
	    FILE_("001_ok.sql", "CREATE TABLE ok (x int);"),
	    FILE_("002_bad.sql", "CREATE TABLE half (x int); SELECT no_such_function();"),
	    {0, 0, 0}};
	struct err err = {0};
	int applied;
	cr_expect_lt(db_migrate(c, files, &applied, &err), 0);
	cr_expect(strstr(err.msg, "002_bad.sql") && strstr(err.msg, "no_such_function"), "%s",
		  err.msg);
	char *half = testdb_value(c, "SELECT to_regclass('public.half') IS NULL");
	cr_expect_str_eq(half, "t", "a failed migration must roll back whole");
	char *rec = testdb_value(c, "SELECT string_agg(name, ',') FROM schema_migrations");
	cr_expect_str_eq(rec, "001_ok.sql");
	free(half);
	free(rec);
	PQfinish(c);
	free(ci);
}
