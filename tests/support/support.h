/* tests/support/support.h - helpers shared by the integration tests: fresh
 * databases on the fixture cluster, a real ideatriage server process, and a
 * real HTTP client (libcurl) plus raw sockets for misbehaving clients. */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A fresh, empty database named t_<name> on the fixture cluster; returns its
 * conninfo (new). Aborts the test on failure. */
char *testdb_create(const char *name);

/* A connection to conninfo; aborts the test on failure. */
PGconn *testdb_connect(const char *conninfo);

/* Runs sql and returns the first column of the first row (new), or NULL. */
char *testdb_value(PGconn *c, const char *sql);

/* A new empty folder under the test tmp dir (removed first if present). */
char *test_tmpdir(const char *name);

/* Reads a whole file (new, NUL-terminated) or NULL. */
char *test_read_file(const char *path);

/* A free TCP port on 127.0.0.1 (best effort). */
int test_free_port(void);

/* A running `ideatriage serve` process. */
struct tserver {
	pid_t pid;
	int port;
	char url[64];
	char dir[1024];
	char log[1100];
};

/* Starts `ideatriage serve` with DATABASE_URL=conninfo (NULL: embedded, no
 * DATABASE_URL) in folder cwd (NULL: a fresh tmp folder), with extra_config
 * (a JSON object, may be NULL) merged into its config file. Waits for
 * /healthz. Aborts the test on failure. */
struct tserver *tserver_start(const char *conninfo, const char *cwd, const char *extra_config);

/* Sends sig and waits (up to 30 s) for the exit; returns the exit status
 * (128+signal when killed, -1 on timeout). Fails the test (cr_expect) when
 * the log holds a sanitizer report, and, unless sig is SIGKILL, when the exit
 * status is not 0. Frees ts. */
int tserver_stop(struct tserver *ts, int sig);

/* Fails the test (cr_expect) when the file at path (a child's log) holds a
 * sanitizer report: AddressSanitizer, LeakSanitizer or UndefinedBehavior-
 * Sanitizer's "runtime error". The failure names the file and quotes the
 * report's first lines. Returns true when the file is clean (or missing). */
bool expect_no_sanitizer_report(const char *path);

/* The server's log so far (new). */
char *tserver_log(const struct tserver *ts);

/* Runs the ideatriage binary with argv (NULL-terminated, without argv[0])
 * in cwd with extra environment (NULL-terminated "K=V", may be NULL); captures
 * stdout+stderr into *out (new, may be NULL). Returns the exit status. A
 * sanitizer report in the output fails the test (the output file is then kept
 * for reading). */
int run_cli(const char *cwd, const char *const *env, const char *const *argv, char **out);

/* An HTTP response. */
struct tresp {
	long status;
	char *body;
	size_t len;
	char *headers; /* raw header block */
};

/* Sends one request with libcurl. headers: NULL-terminated "Name: value".
 * body may be NULL. Returns NULL only when no connection could be made. */
struct tresp *http_do(const char *method, const char *url, const char *const *headers,
		      const char *body, size_t len);
struct tresp *http_get(const char *url);
void tresp_free(struct tresp *r);
/* A response header's value (new) or NULL; name is case-insensitive. */
char *tresp_header(const struct tresp *r, const char *name);
/* The body parsed as JSON (new) or NULL. */
json_t *tresp_json(const struct tresp *r);
/* True when r is an application/problem+json with this status. */
bool tresp_is_problem(const struct tresp *r, long status);

/* Raw sockets: a connection to 127.0.0.1:port, or -1. */
int tcp_connect(int port);
/* Reads until EOF or timeout_ms (whichever first) into buf; returns bytes. */
ssize_t tcp_read_all(int fd, char *buf, size_t len, int timeout_ms);

/* Milliseconds since an arbitrary start. */
double test_now_ms(void);

#endif

/* Runs `ideatriage token create` against conninfo; returns the token (new). */
char *test_token(const char *conninfo, const char *role, const char *name);

/* POSTs body to url with Content-Type ct and a bearer token (may be NULL). */
struct tresp *http_post(const char *url, const char *token, const char *ct, const char *body,
			size_t len);

/* Sends a GitHub-style delivery: X-GitHub-Event, X-GitHub-Delivery and
 * X-Hub-Signature-256 = HMAC-SHA256(secret, body) (no signature when secret
 * is NULL). */
struct tresp *send_webhook(const char *base_url, const char *secret, const char *event,
			   const char *delivery, const char *body, size_t len);

/* count(*) of a query's rows as a number (runs "SELECT count(*) FROM <from>"). */
long testdb_count(PGconn *c, const char *from);
