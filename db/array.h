/* db/array.h - PostgreSQL text[] literals in and out. */
#ifndef DB_ARRAY_H
#define DB_ARRAY_H

#include "triage/normalize.h"

/* A text[] literal for v[0..n) (new string), every element quoted. */
char *db_text_array(const char *const *v, int n);

/* Like db_text_array, a NULL element becoming SQL NULL: for unnest() of a
 * column that may be empty. */
char *db_array_nullable(const char *const *v, int n);

/* Parses a text[] value as PostgreSQL prints it ("{a,b,\"c d\"}") into
 * *out (appended, new strings). 0, or -1 when malformed. */
int db_parse_text_array(const char *s, struct tokens *out);

#endif
