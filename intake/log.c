/* intake/log.c - see log.h. */
#include "intake/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* atomic: serve's SIGHUP changes it while every thread logs */
static _Atomic int min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};
/* sd-daemon(3) priorities of the levels: debug, info, warning, err */
static const char *const journal_prefix[] = {"<7>", "<6>", "<4>", "<3>"};

static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static bool to_journal;

/* systemd sets JOURNAL_STREAM to "device:inode" of the stream it connects
 * stderr to (systemd.exec(5)). Comparing with stderr itself, not just seeing
 * the variable, keeps a child whose stderr was redirected to a file (a test
 * log, a pipe) free of prefixes it inherited the variable for. */
static void detect_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (v && sscanf(v, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0)
		to_journal = (unsigned long long)st.st_dev == dev &&
			     (unsigned long long)st.st_ino == ino;
}

bool log_to_journal(void)
{
	pthread_once(&journal_once, detect_journal);
	return to_journal;
}

void log_set_level(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, level_names[i]) == 0)
			atomic_store(&min_level, i);
}

void log_json(enum log_level level, const char *msg, json_t *fields)
{
	if ((int)level < atomic_load(&min_level)) {
		json_decref(fields);
		return;
	}
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	gmtime_r(&tv.tv_sec, &tm);
	char ts[96];
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long)(tv.tv_usec / 1000));
	json_t *line = json_object();
	json_object_set_new(line, "ts", json_string(ts));
	json_object_set_new(line, "level", json_string(level_names[level]));
	json_object_set_new(line, "msg", json_string(msg ? msg : ""));
	if (json_is_object(fields))
		json_object_update_missing(line, fields);
	json_decref(fields);
	char *s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(5));
	json_decref(line);
	if (s) {
		/* One fprintf per line: stdio locks the stream, so lines from
		 * different threads never interleave. */
		fprintf(stderr, "%s%s\n", log_to_journal() ? journal_prefix[level] : "", s);
		free(s);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if ((int)level < atomic_load(&min_level))
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_json(level, buf, NULL);
}
