/* Operator telemetry (issue 16 point 5): what /metrics tells a Prometheus
 * (build info, process_* metrics, each connector's last success), the client
 * address in the access log, Retry-After as an HTTP date, and sd-daemon
 * priorities on log lines when stderr is the journal. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connectors/source.h"
#include "intake/log.h"
#include "support.h"
#include "version.h" /* generated: IDEATRIAGE_VERSION */

/* ---- Retry-After ---- */

Test(retry_after, an_http_date_is_the_time_until_it)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT, RFC 9110's own example */
	time_t at = 1445412480;
	cr_expect_eq(source_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", at - 120), 120);
	cr_expect_eq(source_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", at - 7200), 7200);
	/* the obsolete forms RFC 9110 still asks a recipient to read */
	cr_expect_eq(source_retry_after_at("Wednesday, 21-Oct-15 07:28:00 GMT", at - 30), 30);
	cr_expect_eq(source_retry_after_at("Wed Oct 21 07:28:00 2015", at - 45), 45);
}

Test(retry_after, a_date_past_or_far_is_clamped_and_seconds_still_work)
{
	time_t at = 1445412480;
	cr_expect_eq(source_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", at + 600), 1,
		     "a date already past: retry (almost) at once");
	cr_expect_eq(source_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", at - 10 * 86400),
		     86400, "at most a day");
	cr_expect_eq(source_retry_after_at("120", at), 120);
	cr_expect_eq(source_retry_after_at("0", at), 1);
	cr_expect_eq(source_retry_after_at("nan", at), 1, "no undefined conversion");
	cr_expect_eq(source_retry_after_at("soon, maybe", at), 60, "unreadable: a minute");
	cr_expect_eq(source_retry_after_at("", at), 0);
	cr_expect_eq(source_retry_after_at(NULL, at), 0);
}

/* ---- journald priorities ---- */

/* Points stderr at a fresh file and returns its path (new); JOURNAL_STREAM
 * names that file when journal, some other file otherwise. */
static char *stderr_to_file(bool journal)
{
	char *dir = test_tmpdir("telemetry_log");
	char *path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/stderr", dir);
	free(dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert(fd >= 0);
	cr_assert(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	close(fd);
	struct stat st;
	cr_assert(fstat(STDERR_FILENO, &st) == 0);
	char v[64];
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + (journal ? 0 : 1));
	setenv("JOURNAL_STREAM", v, 1);
	return path;
}

static void log_every_level(void)
{
	log_set_level("debug");
	log_msg(LOG_DEBUG, "d");
	log_msg(LOG_INFO, "i");
	log_msg(LOG_WARN, "w");
	log_msg(LOG_ERROR, "e");
	fflush(stderr);
}

Test(journal, lines_carry_sd_daemon_priorities_when_stderr_is_the_journal)
{
	char *path = stderr_to_file(true);
	log_every_level();
	char *text = test_read_file(path);
	cr_assert(text);
	cr_expect(log_to_journal());
	const char *want[] = {"<7>{", "\"level\":\"debug\"", "<6>{", "\"level\":\"info\"",
			      "<4>{", "\"level\":\"warn\"", "<3>{", "\"level\":\"error\""};
	const char *p = text;
	for (int i = 0; i < 8; i++) {
		const char *q = strstr(p, want[i]);
		cr_expect(q, "%s in order in: %s", want[i], text);
		if (q)
			p = q;
	}
	/* the rest of the line is the same JSON as without the journal */
	cr_expect(strncmp(text, "<7>{\"ts\":", 9) == 0, "%s", text);
	free(text);
	free(path);
}

Test(journal, no_prefix_when_stderr_is_not_the_stream_journald_gave)
{
	char *path = stderr_to_file(false);
	log_every_level();
	char *text = test_read_file(path);
	cr_assert(text);
	cr_expect(!log_to_journal());
	cr_expect(text[0] == '{' && !strstr(text, "\n<"), "plain JSON lines: %s", text);
	free(text);
	free(path);
}

/* ---- /metrics and the access log ---- */

static char *conninfo;
static struct tserver *srv;
static PGconn *pg;

static void start(void)
{
	conninfo = testdb_create("telemetry");
	srv = tserver_start(conninfo, NULL, "{\"auth\": {\"trusted_proxies\": [\"127.0.0.1\"]}}");
	pg = testdb_connect(conninfo);
}

static void stop(void)
{
	if (srv)
		tserver_stop(srv, SIGTERM);
	PQfinish(pg);
	free(conninfo);
}

TestSuite(telemetry, .init = start, .fini = stop);

static char *scrape(void)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/metrics", srv->url);
	struct tresp *r = http_get(url);
	cr_assert(r && r->status == 200);
	char *body = strdup(r->body);
	tresp_free(r);
	return body;
}

/* The value of the sample line that starts with series (name and labels),
 * or -1 when there is none. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

Test(telemetry, metrics_carry_build_info_and_process_metrics)
{
	char *m = scrape();
	cr_expect_eq(sample(m, "ideatriage_build_info{version=\"" IDEATRIAGE_VERSION "\"}"), 1,
		     "%s", m);
	cr_expect(strstr(m, "# TYPE process_cpu_seconds_total counter\n"));
	cr_expect_geq(sample(m, "process_cpu_seconds_total"), 0);
	double rss = sample(m, "process_resident_memory_bytes");
	cr_expect(rss > 1 << 20 && rss < 64.0 * (1 << 30), "rss %g", rss);
	cr_expect_gt(sample(m, "process_virtual_memory_bytes"), rss);
	double fds = sample(m, "process_open_fds"), max = sample(m, "process_max_fds");
	cr_expect(fds >= 3 && fds < max, "open %g of %g", fds, max);
	double started = sample(m, "process_start_time_seconds");
	double now = (double)time(NULL);
	cr_expect(started > now - 600 && started <= now + 1, "started %f, now %f", started, now);
	free(m);
}

Test(telemetry, metrics_show_each_connectors_last_success_from_the_database)
{
	const char *series = "ideatriage_sync_last_success_timestamp_seconds{connector=\"github\"}";
	char *m = scrape();
	cr_expect_eq(sample(m, series), -1, "no series before a first success");
	free(m);
	/* as another process (`ideatriage sync`) records a good run */
	PQclear(PQexec(pg, "INSERT INTO connector_state (name, last_ok_at) VALUES"
			   " ('github', '2026-01-02T03:04:05.25Z'), ('reddit', NULL)"
			   " ON CONFLICT (name) DO UPDATE SET last_ok_at = excluded.last_ok_at"));
	m = scrape();
	cr_expect_eq(sample(m, series), 1767323045.25, "%s", m);
	cr_expect_eq(sample(m, "ideatriage_sync_last_success_timestamp_seconds{connector=\"reddit\"}"),
		     -1, "a connector that never succeeded has no series");
	cr_expect(strstr(m, "# TYPE ideatriage_sync_last_success_timestamp_seconds gauge\n"));
	free(m);
}

/* The access log line of the request with this id (new), or NULL. */
static char *access_line(const char *request_id)
{
	char *log = tserver_log(srv);
	char needle[96];
	snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", request_id);
	char *p = log ? strstr(log, needle) : NULL;
	char *line = NULL;
	if (p) {
		while (p > log && p[-1] != '\n')
			p--;
		line = strndup(p, strcspn(p, "\n"));
	}
	free(log);
	return line;
}

Test(telemetry, access_log_names_the_client_as_the_rate_limiter_does)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/healthz", srv->url);
	const char *direct[] = {"X-Request-Id: telemetry-direct", NULL};
	tresp_free(http_do("GET", url, direct, NULL, 0));
	/* the peer 127.0.0.1 is a trusted proxy: the forwarded address counts */
	const char *proxied[] = {"X-Request-Id: telemetry-proxied",
				 "X-Forwarded-For: 198.51.100.9, 203.0.113.7", NULL};
	tresp_free(http_do("GET", url, proxied, NULL, 0));
	usleep(200 * 1000); /* the line is written just after the reply */

	char *line = access_line("telemetry-direct");
	cr_assert(line, "an access log line for the direct request");
	cr_expect(strstr(line, "\"client\":\"127.0.0.1\""), "%s", line);
	free(line);
	line = access_line("telemetry-proxied");
	cr_assert(line, "an access log line for the proxied request");
	cr_expect(strstr(line, "\"client\":\"203.0.113.7\""), "%s", line);
	free(line);
}

/* Does text hold the line "# kind family ..."? */
static bool has_comment(const char *text, const char *kind, const char *family)
{
	char want[200];
	snprintf(want, sizeof(want), "# %s %s ", kind, family);
	size_t n = strlen(want);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, want, n) == 0)
			return true;
	return false;
}

/* Prometheus' conventions (prometheus.io/docs/practices/naming): every
 * family has HELP and TYPE, every counter ends in _total, names are of the
 * allowed characters. */
Test(telemetry, every_metric_follows_prometheus_conventions)
{
	char *m = scrape(), *lines = strdup(m); /* strtok cuts lines; m stays whole */
	int samples = 0;
	for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#') {
			char kind[8], name[160], type[16];
			if (sscanf(line, "# %7s %159s %15s", kind, name, type) == 3 &&
			    strcmp(kind, "TYPE") == 0 && strcmp(type, "counter") == 0) {
				size_t n = strlen(name);
				cr_expect(n > 6 && strcmp(name + n - 6, "_total") == 0,
					  "counter %s ends in _total", name);
			}
			continue;
		}
		char family[160];
		size_t n = strcspn(line, "{ ");
		cr_assert(n < sizeof(family));
		memcpy(family, line, n);
		family[n] = '\0';
		cr_expect(strspn(family, "abcdefghijklmnopqrstuvwxyz_0123456789") == n,
			  "name %s", family);
		const char *suffixes[] = {"_bucket", "_sum", "_count"};
		for (int i = 0; i < 3 && !has_comment(m, "TYPE", family); i++) {
			size_t k = strlen(suffixes[i]);
			if (n > k && strcmp(family + n - k, suffixes[i]) == 0)
				family[n - k] = '\0'; /* a histogram's series */
		}
		cr_expect(has_comment(m, "TYPE", family), "TYPE of %s", family);
		cr_expect(has_comment(m, "HELP", family), "HELP of %s", family);
		samples++;
	}
	cr_expect_gt(samples, 20);
	free(lines);
	free(m);
}
