#include "triage/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->field[0] = '\0';
	err->sqlstate[0] = '\0';
	return -1;
}

int err_set_field(struct err *err, const char *field, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	err->sqlstate[0] = '\0';
	return -1;
}

void err_clear(struct err *err)
{
	if (err) {
		err->field[0] = '\0';
		err->msg[0] = '\0';
		err->sqlstate[0] = '\0';
	}
}
