/* intake/log.h - structured one-line JSON logs on stderr. Only intake/ logs;
 * lower layers report through struct err. Never pass a secret to these. */
#ifndef INTAKE_LOG_H
#define INTAKE_LOG_H

#include <jansson.h>
#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the least level written; name is debug|info|warn|error. */
void log_set_level(const char *name);

/* True when stderr is the journal (JOURNAL_STREAM names it): every line then
 * starts with its sd-daemon(3) priority, <7> debug, <6> info, <4> warn, <3>
 * error, which journald strips and stores as PRIORITY (so `journalctl -p
 * warning` works). Decided once, at the first line. */
bool log_to_journal(void);

/* Writes {"ts","level","msg", ...fields} as one line. fields (may be NULL) is
 * stolen: its keys are merged into the line. */
void log_json(enum log_level level, const char *msg, json_t *fields);

/* printf-style convenience: {"ts","level","msg"}. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
