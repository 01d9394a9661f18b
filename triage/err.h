/* triage/err.h - the caller-owned error value every fallible function fills. */
#ifndef TRIAGE_ERR_H
#define TRIAGE_ERR_H

#define ERR_MSG_MAX 512

/* A message a person can act on; field names the input at fault, if any
 * ("title", "line 4", "http.listen"). Both empty when no error. sqlstate:
 * the SQLSTATE of a database error (db_err sets it), so callers decide on
 * the code and not on the server's words, which lc_messages may translate;
 * empty otherwise. */
struct err {
	char field[64];
	char msg[ERR_MSG_MAX];
	char sqlstate[6];
};

/* Sets *err (NULL is allowed and ignored); always returns -1 so callers can
 * write `return err_set(err, ...);`. */
int err_set(struct err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Like err_set, also naming the field at fault. */
int err_set_field(struct err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void err_clear(struct err *err);

#endif
