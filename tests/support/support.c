#include "support.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double test_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *admin_conninfo(void)
{
	char *s = test_read_file(TEST_PG_CONNINFO);
	cr_assert(s, "the pg fixture did not run: %s is missing", TEST_PG_CONNINFO);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

PGconn *testdb_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	cr_assert(PQstatus(c) == CONNECTION_OK, "connect failed: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, NULL, NULL); /* silence NOTICEs */
	return c;
}

char *testdb_value(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	char *v = NULL;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	else if (PQresultStatus(r) != PGRES_TUPLES_OK)
		cr_log_error("query failed: %s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	return v;
}

char *testdb_create(const char *name)
{
	char *base = admin_conninfo();
	char admin[2048], sql[256];
	snprintf(admin, sizeof(admin), "%s dbname=postgres", base);
	PGconn *c = testdb_connect(admin);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS t_%s WITH (FORCE)", name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE t_%s", name);
	PGresult *r = PQexec(c, sql);
	cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK, "create database: %s",
		  PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	char *out = malloc(2048);
	snprintf(out, 2048, "%s dbname=t_%s", base, name);
	free(base);
	return out;
}

char *test_tmpdir(const char *name)
{
	char *path = malloc(1024);
	snprintf(path, 1024, "%s/%s", TEST_TMP, name);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", path, path);
	cr_assert(system(cmd) == 0, "cannot make %s", path);
	return path;
}

int test_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &l);
	int port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static pid_t spawn(const char *cwd, const char *const *env, const char *const *argv,
		   const char *outpath)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (cwd && chdir(cwd) < 0)
		_exit(126);
	int fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd < 0)
		_exit(126);
	dup2(fd, 1);
	dup2(fd, 2);
	int devnull = open("/dev/null", O_RDONLY);
	dup2(devnull, 0);
	closefrom(3);
	unsetenv("DATABASE_URL");
	unsetenv("IDEATRIAGE_LISTEN");
	unsetenv("GITHUB_WEBHOOK_SECRET");
	for (int i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	const char *args[64] = {IDEATRIAGE_BIN};
	int n = 1;
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	execv(IDEATRIAGE_BIN, (char *const *)args);
	_exit(127);
}

/* Where the first sanitizer report in text starts (its line), or NULL.
 * UBSan's reports read "file:line:col: runtime error: ...": the digit before
 * the colon keeps a "panic: runtime error" quoted in test data from counting. */
static const char *sanitizer_report(const char *text)
{
	static const char *const marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
					    "SUMMARY: UndefinedBehaviorSanitizer"};
	const char *first = NULL;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *m = strstr(text, marks[i]);
		if (m && (!first || m < first))
			first = m;
	}
	for (const char *m = text; (m = strstr(m, ": runtime error: ")); m++)
		if (m > text && isdigit((unsigned char)m[-1])) {
			if (!first || m < first)
				first = m;
			break;
		}
	while (first && first > text && first[-1] != '\n')
		first--;
	return first;
}

bool expect_no_sanitizer_report(const char *path)
{
	char *log = test_read_file(path);
	const char *r = log ? sanitizer_report(log) : NULL;
	if (r) {
		int len = 0, lines = 0; /* its first 24 lines: what and where */
		while (r[len] && lines < 24)
			lines += r[len++] == '\n';
		cr_expect_fail("a sanitizer report in %s:\n%.*s", path, len, r);
	}
	free(log);
	return !r;
}

int run_cli(const char *cwd, const char *const *env, const char *const *argv, char **out)
{
	char outpath[256];
	snprintf(outpath, sizeof(outpath), "%s/cli-%d-%ld.out", TEST_TMP, getpid(),
		 (long)test_now_ms());
	mkdir(TEST_TMP, 0755);
	pid_t pid = spawn(cwd, env, argv, outpath);
	int status;
	waitpid(pid, &status, 0);
	if (out)
		*out = test_read_file(outpath);
	if (expect_no_sanitizer_report(outpath))
		unlink(outpath);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static struct tserver *tserver_try(const char *conninfo, const char *cwd, const char *extra_config,
				   bool *port_taken);

/* The free port is found by binding port 0 and closing it: another test
 * binary running at the same time may take it first, so a server that could
 * not listen is tried again on another port. */
struct tserver *tserver_start(const char *conninfo, const char *cwd, const char *extra_config)
{
	for (int attempt = 0;; attempt++) {
		bool taken = false;
		struct tserver *ts = tserver_try(conninfo, cwd, extra_config, &taken);
		if (ts || !taken || attempt == 4) {
			cr_assert(ts, "the server could not start");
			return ts;
		}
	}
}

static struct tserver *tserver_try(const char *conninfo, const char *cwd, const char *extra_config,
				   bool *port_taken)
{
	static int seq;
	struct tserver *ts = calloc(1, sizeof(*ts));
	ts->port = test_free_port();
	snprintf(ts->url, sizeof(ts->url), "http://127.0.0.1:%d", ts->port);
	if (cwd) {
		snprintf(ts->dir, sizeof(ts->dir), "%s", cwd);
	} else {
		char name[64];
		snprintf(name, sizeof(name), "srv-%d-%d", getpid(), seq++);
		char *d = test_tmpdir(name);
		snprintf(ts->dir, sizeof(ts->dir), "%s", d);
		free(d);
	}
	json_error_t jerr;
	json_t *cfg = extra_config ? json_loads(extra_config, 0, &jerr) : json_object();
	cr_assert(cfg, "bad extra config: %s", jerr.text);
	/* per-address rate limits would throttle a test's rapid requests from
	 * 127.0.0.1: off unless the test configures them (tests/test_limits.c) */
	if (!json_object_get(cfg, "ratelimit"))
		json_object_set_new(cfg, "ratelimit",
				    json_pack("{s:i, s:i}", "signin_per_min", 0, "public_per_s", 0));
	json_t *http = json_object_get(cfg, "http");
	if (!http)
		json_object_set_new(cfg, "http", http = json_object());
	char listen[64];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts->port);
	json_object_set_new(http, "listen", json_string(listen));
	if (!json_object_get(http, "workers"))
		json_object_set_new(http, "workers", json_integer(2));
	char cfgpath[1100];
	snprintf(cfgpath, sizeof(cfgpath), "%s/test-config-%d.json", ts->dir, ts->port);
	cr_assert(json_dump_file(cfg, cfgpath, 0) == 0);
	json_decref(cfg);
	snprintf(ts->log, sizeof(ts->log), "%s/serve-%d.log", ts->dir, ts->port);

	static char envbuf[2100];
	const char *env[2] = {NULL, NULL};
	if (conninfo) {
		snprintf(envbuf, sizeof(envbuf), "DATABASE_URL=%s", conninfo);
		env[0] = envbuf;
	}
	const char *argv[] = {"serve", "--config", cfgpath, NULL};
	ts->pid = spawn(ts->dir, env, argv, ts->log);
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", ts->url);
	for (int i = 0; i < 600; i++) { /* up to 60 s: an embedded initdb takes a while */
		struct tresp *r = http_get(url);
		long st = r ? r->status : 0;
		tresp_free(r);
		if (st == 200)
			return ts;
		int status;
		if (waitpid(ts->pid, &status, WNOHANG) == ts->pid) {
			char *log = tserver_log(ts);
			if (log && strstr(log, "cannot listen")) {
				expect_no_sanitizer_report(ts->log);
				*port_taken = true;
				free(log);
				free(ts);
				return NULL;
			}
			cr_assert_fail("server exited early:\n%s", log ? log : "");
		}
		usleep(100 * 1000);
	}
	char *log = tserver_log(ts);
	cr_assert_fail("server did not answer /healthz:\n%s", log ? log : "");
	return NULL;
}

char *tserver_log(const struct tserver *ts)
{
	return test_read_file(ts->log);
}

int tserver_stop(struct tserver *ts, int sig)
{
	kill(ts->pid, sig);
	int status = 0, rc = -1;
	for (int i = 0; i < 3000; i++) {
		pid_t p = waitpid(ts->pid, &status, WNOHANG);
		if (p == ts->pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		usleep(10 * 1000);
	}
	if (rc == -1) {
		kill(ts->pid, SIGKILL);
		waitpid(ts->pid, &status, 0);
	}
	/* a server stops by exiting from main, where LeakSanitizer runs: its
	 * report goes to the log and makes the exit status non-zero */
	expect_no_sanitizer_report(ts->log);
	if (sig != SIGKILL)
		cr_expect_eq(rc, 0, "the server exited with %d after signal %d"
			     " (-1: still running after 30 s); log: %s", rc, sig, ts->log);
	free(ts);
	return rc;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	FILE *f = arg;
	return fwrite(data, size, n, f);
}

struct tresp *http_do(const char *method, const char *url, const char *const *headers,
		      const char *body, size_t len)
{
	CURL *curl = curl_easy_init();
	struct tresp *r = calloc(1, sizeof(*r));
	size_t hlen = 0;
	FILE *b = open_memstream(&r->body, &r->len);
	FILE *h = open_memstream(&r->headers, &hlen);
	struct curl_slist *hl = NULL;
	for (int i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hl);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(curl);
	fclose(b);
	fclose(h);
	if (rc != CURLE_OK && r->status == 0) {
		tresp_free(r);
		return NULL;
	}
	return r;
}

struct tresp *http_get(const char *url)
{
	return http_do("GET", url, NULL, NULL, 0);
}

void tresp_free(struct tresp *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->headers);
	free(r);
}

char *tresp_header(const struct tresp *r, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		if (!end)
			break;
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(end - v));
		}
		line = end + 2;
	}
	return NULL;
}

json_t *tresp_json(const struct tresp *r)
{
	return r && r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
}

bool tresp_is_problem(const struct tresp *r, long status)
{
	if (!r || r->status != status)
		return false;
	char *ct = tresp_header(r, "Content-Type");
	bool ok = ct && strcmp(ct, "application/problem+json") == 0;
	free(ct);
	json_t *j = tresp_json(r);
	ok = ok && j && json_integer_value(json_object_get(j, "status")) == status &&
	     json_is_string(json_object_get(j, "detail"));
	json_decref(j);
	return ok;
}

int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t tcp_read_all(int fd, char *buf, size_t len, int timeout_ms)
{
	size_t used = 0;
	double deadline = test_now_ms() + timeout_ms;
	while (used < len) {
		int left = (int)(deadline - test_now_ms());
		if (left <= 0)
			break;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, left) <= 0)
			break;
		ssize_t n = read(fd, buf + used, len - used);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	return (ssize_t)used;
}

char *test_token(const char *conninfo, const char *role, const char *name)
{
	char env[2100];
	snprintf(env, sizeof(env), "DATABASE_URL=%s", conninfo);
	const char *envs[] = {env, NULL};
	const char *argv[] = {"token", "create", "--role", role, "--name", name, NULL};
	char *out = NULL;
	int rc = run_cli(NULL, envs, argv, &out);
	cr_assert_eq(rc, 0, "token create failed: %s", out ? out : "");
	/* the token is the line starting with itk_ */
	char *t = out ? strstr(out, "itk_") : NULL;
	cr_assert(t, "no token printed: %s", out ? out : "");
	char *tok = strndup(t, strcspn(t, "\r\n"));
	free(out);
	return tok;
}

struct tresp *http_post(const char *url, const char *token, const char *ct, const char *body,
			size_t len)
{
	char auth[200], ctype[200];
	const char *headers[3] = {NULL, NULL, NULL};
	int n = 0;
	if (ct) {
		snprintf(ctype, sizeof(ctype), "Content-Type: %s", ct);
		headers[n++] = ctype;
	}
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		headers[n++] = auth;
	}
	return http_do("POST", url, headers, body, len);
}

#include <openssl/evp.h>
#include <openssl/hmac.h>

struct tresp *send_webhook(const char *base_url, const char *secret, const char *event,
			   const char *delivery, const char *body, size_t len)
{
	char url[256], ev[128], dl[256], sig[128];
	snprintf(url, sizeof(url), "%s/webhooks/github", base_url);
	snprintf(ev, sizeof(ev), "X-GitHub-Event: %s", event);
	snprintf(dl, sizeof(dl), "X-GitHub-Delivery: %s", delivery);
	const char *headers[5] = {"Content-Type: application/json", ev, dl, NULL, NULL};
	if (secret) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, md,
		     &mdlen);
		int o = snprintf(sig, sizeof(sig), "X-Hub-Signature-256: sha256=");
		for (unsigned int i = 0; i < mdlen; i++)
			o += snprintf(sig + o, sizeof(sig) - (size_t)o, "%02x", md[i]);
		headers[3] = sig;
	}
	return http_do("POST", url, headers, body, len);
}

long testdb_count(PGconn *c, const char *from)
{
	char sql[1024];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", from);
	char *v = testdb_value(c, sql);
	long n = v ? atol(v) : -1;
	free(v);
	return n;
}
