/* Limits that hold under abuse (issue 14): connection caps, head and body
 * deadlines that bytes do not restart, body limits decided before buffering,
 * descriptor exhaustion, rate limits, the base headers and SIGTERM under
 * load - each against a real server on 127.0.0.1, bounded in time and size.
 * Clients spread over 127.0.0.x source addresses where the per-address cap
 * would otherwise be what is tested. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static char *conninfo;
static struct tserver *srv;
static char *triager;

#define LIMITS_CONFIG                                                                              \
	"{\"http\": {\"head_timeout_s\": 2, \"body_timeout_s\": 2, \"idle_timeout_s\": 2,"         \
	" \"max_connections\": 4096, \"max_connections_per_client\": 64,"                          \
	" \"max_body_bytes\": 65536, \"max_upload_bytes\": 16777216,"                              \
	" \"max_concurrent_uploads\": 2},"                                                         \
	" \"ratelimit\": {\"signin_per_min\": 1, \"signin_burst\": 5,"                             \
	" \"public_per_s\": 1, \"public_burst\": 5}}"

static void raise_nofile(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void start(void)
{
	raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	conninfo = testdb_create("limits");
	triager = test_token(conninfo, "triager", "tess");
	srv = tserver_start(conninfo, NULL, LIMITS_CONFIG);
}

static void stop(void)
{
	if (srv)
		tserver_stop(srv, SIGTERM);
	free(triager);
	free(conninfo);
}

TestSuite(limits, .init = start, .fini = stop, .timeout = 240);

/* ---- helpers */

/* A blocking connection to 127.0.0.1:port from source address src
 * (127.0.0.x; NULL: any). -1 when it cannot be made. */
static int connect_from(const char *src, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (src) {
		struct sockaddr_in s = {.sin_family = AF_INET};
		inet_pton(AF_INET, src, &s.sin_addr);
		if (bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0) {
			close(fd);
			return -1;
		}
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req from src and reads the answer until EOF (up to 3 s) into out
 * (NUL-terminated). Returns the status, 0 when none came. */
static int raw_request(const char *src, const char *req, char *out, size_t len)
{
	out[0] = '\0';
	int fd = connect_from(src, srv->port);
	if (fd < 0)
		return 0;
	ssize_t n = send(fd, req, strlen(req), MSG_NOSIGNAL);
	ssize_t got = n < 0 ? 0 : tcp_read_all(fd, out, len - 1, 3000);
	close(fd);
	out[got > 0 ? got : 0] = '\0';
	int status = 0;
	return sscanf(out, "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

/* True when the raw response head holds the header line "name: value..."
 * (case-insensitive name, value as a prefix). */
static bool has_header(const char *resp, const char *name, const char *value)
{
	char line[256];
	snprintf(line, sizeof(line), "\r\n%s: %s", name, value);
	return strcasestr(resp, line) != NULL;
}

static bool base_headers(const char *resp)
{
	return has_header(resp, "Content-Security-Policy", "default-src 'self'") &&
	       strstr(resp, "frame-ancestors 'none'") && strstr(resp, "script-src 'none'") &&
	       has_header(resp, "X-Content-Type-Options", "nosniff") &&
	       has_header(resp, "X-Frame-Options", "DENY") &&
	       has_header(resp, "Referrer-Policy", "same-origin");
}

static long rss_kb(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char *s = test_read_file(path);
	const char *p = s ? strstr(s, "VmRSS:") : NULL;
	long kb = p ? strtol(p + 6, NULL, 10) : -1;
	free(s);
	return kb;
}

/* utime + stime of pid, in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	char *s = test_read_file(path);
	const char *p = s ? strrchr(s, ')') : NULL;
	long ut = 0, st = 0;
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st);
	free(s);
	return ut + st;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* 0: still open and silent; 1: closed (EOF/reset, after any answer). The
 * answer's first bytes, if any, go to buf. */
static int closed_within(int fd, int ms, char *buf, size_t len)
{
	buf[0] = '\0';
	size_t used = 0;
	double deadline = test_now_ms() + ms;
	while (test_now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 50) <= 0)
			continue;
		char tmp[4096];
		ssize_t n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT);
		if (n > 0 && used < len - 1) {
			size_t k = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;
			memcpy(buf + used, tmp, k);
			used += k;
			buf[used] = '\0';
		}
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return 1;
	}
	return 0;
}

static bool healthz_ok(const char *base_url)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", base_url);
	struct tresp *r = http_get(url);
	bool ok = r && r->status == 200;
	tresp_free(r);
	return ok;
}

/* ---- (1) thousands of dripping connections */

#define DRIPPERS 2000

Test(limits, dripping_connections_are_cut_at_the_head_deadline_while_others_are_served)
{
	static int fds[DRIPPERS];
	int open = 0;
	for (int i = 0; i < DRIPPERS; i++) {
		char src[32]; /* 50 per address: under the per-address cap */
		snprintf(src, sizeof(src), "127.0.1.%d", 1 + i / 50);
		fds[i] = connect_from(src, srv->port);
		if (fds[i] >= 0 && send(fds[i], "G", 1, MSG_NOSIGNAL) == 1)
			open++;
	}
	cr_assert_eq(open, DRIPPERS, "only %d dripping connections could be opened", open);
	const char *more = "ET /healthz HTTP/1.1\r\nX-Drip: ";
	char url[256];
	snprintf(url, sizeof(url), "%s/api/v1/stats", srv->url);
	char auth[256];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", triager);
	const char *hdrs[] = {auth, NULL};
	/* one byte a second on each, while normal requests are answered */
	for (int round = 0; round < 4; round++) {
		double t0 = test_now_ms();
		for (int i = 0; i < DRIPPERS; i++)
			(void)send(fds[i], more + round, 1, MSG_NOSIGNAL);
		for (int k = 0; k < 5; k++) {
			double s = test_now_ms();
			cr_expect(healthz_ok(srv->url), "GET /healthz failed in round %d", round);
			cr_expect_lt(test_now_ms() - s, 5000, "GET /healthz took over 5 s");
		}
		double s = test_now_ms();
		struct tresp *r = http_do("GET", url, hdrs, NULL, 0);
		cr_expect(r && r->status == 200, "an authenticated request failed: %ld",
		          r ? r->status : 0);
		cr_expect_lt(test_now_ms() - s, 5000, "the authenticated request took over 5 s");
		tresp_free(r);
		double left = 1000 - (test_now_ms() - t0);
		if (left > 0)
			usleep((useconds_t)(left * 1000));
	}
	/* http.head_timeout_s is 2: every dripper was cut (after 4 s of drip) */
	int closed = 0, told = 0;
	double deadline = test_now_ms() + 2000;
	for (int i = 0; i < DRIPPERS; i++) {
		char buf[256];
		int wait = (int)(deadline - test_now_ms());
		if (closed_within(fds[i], wait > 20 ? wait : 20, buf, sizeof(buf))) {
			closed++;
			told += strstr(buf, " 408 ") != NULL;
		}
		close(fds[i]);
	}
	cr_expect_eq(closed, DRIPPERS, "%d of %d dripping connections are still open",
	             DRIPPERS - closed, DRIPPERS);
	cr_expect_gt(told, DRIPPERS / 2, "only %d were told 408", told);
	cr_expect(healthz_ok(srv->url));
}

/* ---- (2) the per-address cap */

Test(limits, connections_over_the_per_address_cap_get_503)
{
	enum { CAP = 64, EXTRA = 4 };
	int fds[CAP + EXTRA];
	for (int i = 0; i < CAP + EXTRA; i++) {
		fds[i] = connect_from("127.0.2.1", srv->port);
		cr_assert_geq(fds[i], 0);
	}
	usleep(500 * 1000); /* admitted or refused by now; the head deadline is 2 s */
	int refused = 0, silent = 0;
	char last[4096] = "";
	for (int i = 0; i < CAP + EXTRA; i++) {
		char buf[4096];
		ssize_t n = recv(fds[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 0) {
			buf[n] = '\0';
			refused += strstr(buf, "HTTP/1.1 503 ") != NULL;
			snprintf(last, sizeof(last), "%s", buf);
		} else if (n < 0 && errno == EAGAIN) {
			silent++;
		}
	}
	cr_expect_eq(refused, EXTRA, "refused %d, expected %d", refused, EXTRA);
	cr_expect_eq(silent, CAP, "%d connections held, expected %d", silent, CAP);
	cr_expect(has_header(last, "Retry-After", ""), "%s", last);
	cr_expect(has_header(last, "Content-Type", "application/problem+json"), "%s", last);
	cr_expect(base_headers(last), "the gate's 503 lacks the base headers:\n%s", last);
	/* another address is not affected */
	char out[8192];
	cr_expect_eq(raw_request("127.0.2.2", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
	                         out, sizeof(out)),
	             200);
	for (int i = 0; i < CAP + EXTRA; i++)
		close(fds[i]);
}

Test(limits, a_burst_over_the_overall_cap_is_let_in_up_to_the_cap)
{
	struct tserver *s = tserver_start(
	    conninfo, NULL,
	    "{\"http\": {\"max_connections\": 50, \"max_connections_per_client\": 1000}}");
	enum { N = 60 };
	int fds[N];
	usleep(300 * 1000); /* the start-up probe's connection is gone */
	for (int i = 0; i < N; i++)
		cr_assert_geq(fds[i] = connect_from("127.0.2.9", s->port), 0);
	usleep(500 * 1000);
	int refused = 0, held = 0;
	for (int i = 0; i < N; i++) {
		char buf[512];
		ssize_t n = recv(fds[i], buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 0) {
			buf[n] = '\0';
			refused += strstr(buf, "HTTP/1.1 503 ") != NULL;
		}
		held += n < 0 && errno == EAGAIN;
		close(fds[i]);
	}
	cr_expect_eq(held, 50, "%d held", held);
	cr_expect_eq(refused, N - 50, "%d refused", refused);
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

/* ---- (3) many large bodies at once */

struct big_post {
	int fd;
	size_t sent;
	int status;
	char head[4096];
};

Test(limits, concurrent_large_bodies_are_refused_before_buffering)
{
	enum { N = 20, CHUNK = 65536 };
	const size_t announced = 16u << 20;
	static char chunk[CHUNK];
	memset(chunk, 'x', sizeof(chunk));
	static struct big_post p[N];
	sleep(1); /* let earlier tests' connections go */
	long base = rss_kb(srv->pid), peak = base;
	for (int i = 0; i < N; i++) {
		char src[32];
		snprintf(src, sizeof(src), "127.0.3.%d", 1 + i);
		p[i].fd = connect_from(src, srv->port);
		cr_assert_geq(p[i].fd, 0);
		snprintf(p[i].head, sizeof(p[i].head),
		         "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: "
		         "%zu\r\n\r\n",
		         i % 2 ? "/login" : "/api/v1/ideas",
		         i % 2 ? "application/x-www-form-urlencoded" : "application/json",
		         announced);
		cr_assert_gt(send(p[i].fd, p[i].head, strlen(p[i].head), MSG_NOSIGNAL), 0);
		fcntl(p[i].fd, F_SETFL, O_NONBLOCK);
	}
	/* each sends its body until it is answered (the old server answered only
	 * once it had buffered every byte), for at most 30 s */
	double deadline = test_now_ms() + 30000;
	for (int done = 0; done < N && test_now_ms() < deadline;) {
		done = 0;
		for (int i = 0; i < N; i++) {
			if (p[i].status) {
				done++;
				continue;
			}
			char buf[512];
			ssize_t n = recv(p[i].fd, buf, sizeof(buf) - 1, 0);
			if (n > 0) {
				buf[n] = '\0';
				if (sscanf(buf, "HTTP/1.1 %d", &p[i].status) != 1)
					p[i].status = -1;
				continue;
			}
			if (n == 0 || p[i].sent >= announced) {
				p[i].status = p[i].status ? p[i].status : -2;
				continue;
			}
			ssize_t w = send(p[i].fd, chunk, CHUNK, MSG_NOSIGNAL);
			if (w > 0)
				p[i].sent += (size_t)w;
			else if (errno != EAGAIN)
				p[i].status = -3;
		}
		long now = rss_kb(srv->pid);
		peak = now > peak ? now : peak;
		usleep(2000);
	}
	size_t most = 0;
	for (int i = 0; i < N; i++) {
		cr_expect_eq(p[i].status, 413, "request %d: status %d", i, p[i].status);
		most = p[i].sent > most ? p[i].sent : most;
		close(p[i].fd);
	}
	cr_log_info("RSS %ld kB before, %ld kB at most; at most %zu body bytes sent", base, peak,
	            most);
	cr_expect_lt(peak - base, 30 * 1024, "RSS grew by %ld kB with %d 16 MiB bodies",
	             peak - base, N);
	cr_expect(healthz_ok(srv->url));
}

/* ---- (4) a chunked body */

Test(limits, a_chunked_body_over_the_route_limit_is_cut_early_with_a_problem)
{
	int fd = connect_from("127.0.4.1", srv->port);
	cr_assert_geq(fd, 0);
	const char *head =
	    "POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	cr_assert_gt(send(fd, head, strlen(head), MSG_NOSIGNAL), 0);
	char chunk[8192 + 16];
	int hl = snprintf(chunk, sizeof(chunk), "2000\r\n");
	memset(chunk + hl, 'y', 8192);
	memcpy(chunk + hl + 8192, "\r\n", 2);
	size_t sent = 0;
	char resp[4096] = "";
	/* 4 MiB at most; the limit (http.max_body_bytes) is 64 KiB */
	while (sent < (4u << 20)) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, 2) > 0) /* a little time for an answer between chunks */
			break;
		ssize_t w = send(fd, chunk, (size_t)hl + 8192 + 2, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	tcp_read_all(fd, resp, sizeof(resp) - 1, 3000);
	close(fd);
	cr_expect(strstr(resp, "HTTP/1.1 413 "), "no 413 after %zu bytes:\n%.300s", sent, resp);
	cr_expect(has_header(resp, "Content-Type", "application/problem+json"), "%.600s", resp);
	cr_expect_lt(sent, 512u * 1024, "%zu bytes were taken before the 413", sent);
	cr_expect(healthz_ok(srv->url));
}

/* ---- (6) rate limits */

static int bearer_get(const char *src, const char *token, const char *path, char *out, size_t len)
{
	char req[512];
	snprintf(
	    req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n",
	    path, token);
	return raw_request(src, req, out, len);
}

Test(limits, failed_credentials_run_out_and_then_even_good_ones_get_429)
{
	char out[8192];
	const char *src = "127.0.6.1";
	for (int i = 0; i < 5; i++) /* the burst: answered, each 401 costs a token */
		cr_expect_eq(bearer_get(src, "wrong-token-xxxxxxxxxxxxxx", "/api/v1/stats", out,
		                        sizeof(out)),
		             401, "attempt %d", i);
	cr_expect_eq(
	    bearer_get(src, "wrong-token-xxxxxxxxxxxxxx", "/api/v1/stats", out, sizeof(out)), 429);
	cr_expect(has_header(out, "Retry-After", ""), "%s", out);
	cr_expect(has_header(out, "Content-Type", "application/problem+json"), "%s", out);
	/* refused before the token is looked up: a valid one gets 429 too */
	cr_expect_eq(bearer_get(src, triager, "/api/v1/stats", out, sizeof(out)), 429);
	const char *login = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: "
	                    "application/x-www-form-urlencoded\r\nContent-Length: 11\r\n"
	                    "Connection: close\r\n\r\ntoken=guess";
	cr_expect_eq(raw_request(src, login, out, sizeof(out)), 429);
	/* another address still signs in */
	cr_expect_eq(bearer_get("127.0.6.2", triager, "/api/v1/stats", out, sizeof(out)), 200);
	struct tresp *m = NULL;
	char url[128];
	snprintf(url, sizeof(url), "%s/metrics", srv->url);
	m = http_get(url);
	cr_assert(m);
	cr_expect(strstr(m->body, "ideatriage_rate_limited_total{bucket=\"signin\"} "), "%s",
	          m->body);
	cr_expect_null(strstr(m->body, "ideatriage_rate_limited_total{bucket=\"signin\"} 0\n"));
	tresp_free(m);
}

Test(limits, sign_in_attempts_run_out)
{
	char out[8192];
	const char *login = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: "
	                    "application/x-www-form-urlencoded\r\nContent-Length: 11\r\n"
	                    "Connection: close\r\n\r\ntoken=guess";
	int last = 0;
	for (int i = 0; i < 8 && last != 429; i++)
		last = raw_request("127.0.6.3", login, out, sizeof(out));
	cr_expect_eq(last, 429, "wrong sign-ins were never limited");
	cr_expect(has_header(out, "Retry-After", ""), "%s", out);
}

Test(limits, anonymous_public_requests_run_out)
{
	char out[65536];
	int ok = 0, last = 0;
	for (int i = 0; i < 12 && last != 429; i++) {
		last = raw_request(
		    "127.0.6.4",
		    "GET /api/v1/backlog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", out,
		    sizeof(out));
		ok += last == 200;
	}
	cr_expect_eq(last, 429);
	cr_expect_eq(ok, 5, "the burst is 5; %d were answered", ok);
	cr_expect(has_header(out, "Retry-After", ""), "%s", out);
	/* signed-in readers are not counted in the public bucket */
	cr_expect_eq(bearer_get("127.0.6.4", triager, "/api/v1/backlog", out, sizeof(out)), 200);
}

Test(limits, behind_a_trusted_proxy_the_forwarded_address_is_limited)
{
	struct tserver *s =
	    tserver_start(conninfo, NULL,
	                  "{\"auth\": {\"trusted_proxies\": [\"127.0.8.1\"]},"
	                  " \"http\": {\"max_connections_per_client\": 2},"
	                  " \"ratelimit\": {\"signin_per_min\": 1, \"signin_burst\": 2}}");
	struct tserver *keep = srv;
	srv = s; /* raw_request talks to srv */
	char out[8192], req[512];
#define PROXIED                                                                                    \
	"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"                    \
	"X-Forwarded-For: %s\r\nConnection: close\r\n\r\n"
	/* through the proxy: each forwarded client has its own bucket */
	snprintf(req, sizeof(req), PROXIED, "wrong-token-xxxxxxxxxxxxxx",
	         "198.51.100.7, 203.0.113.9");
	for (int i = 0; i < 2; i++)
		cr_expect_eq(raw_request("127.0.8.1", req, out, sizeof(out)), 401);
	cr_expect_eq(raw_request("127.0.8.1", req, out, sizeof(out)), 429);
	snprintf(req, sizeof(req), PROXIED, triager, "203.0.113.10");
	cr_expect_eq(raw_request("127.0.8.1", req, out, sizeof(out)), 200,
	             "another client behind the proxy was limited");
	/* a client that is not a trusted proxy cannot pick its address */
	snprintf(req, sizeof(req), PROXIED, "wrong-token-xxxxxxxxxxxxxx", "192.0.2.1");
	for (int i = 0; i < 2; i++) {
		usleep(200 * 1000); /* the closed connection is no longer counted (cap 2) */
		cr_expect_eq(raw_request("127.0.8.2", req, out, sizeof(out)), 401);
	}
	usleep(200 * 1000);
	snprintf(req, sizeof(req), PROXIED, triager, "192.0.2.2");
	cr_expect_eq(raw_request("127.0.8.2", req, out, sizeof(out)), 429, "%s", out);
	/* the proxy is exempt from the per-address connection cap (2 here) */
	int fds[4];
	for (int i = 0; i < 4; i++)
		cr_assert_geq(fds[i] = connect_from("127.0.8.1", s->port), 0);
	usleep(300 * 1000);
	for (int i = 0; i < 4; i++) {
		char buf[64];
		cr_expect(recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno == EAGAIN,
		          "the trusted proxy's connection %d was refused", i);
		close(fds[i]);
	}
	srv = keep;
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

/* ---- (7) headers */

Test(limits, every_reply_carries_the_base_headers)
{
	char out[65536];
	const char *gets[] = {"/", "/healthz", "/no/such/thing", "/submit"};
	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		char req[256];
		snprintf(req, sizeof(req),
		         "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", gets[i]);
		cr_expect_gt(raw_request("127.0.7.1", req, out, sizeof(out)), 0);
		cr_expect(base_headers(out), "%s lacks the base headers:\n%.1200s", gets[i], out);
	}
	/* the gate's own answers: 413, 400, 408 */
	cr_expect_eq(
	    raw_request("127.0.7.2",
	                "POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", out,
	                sizeof(out)),
	    413);
	cr_expect(base_headers(out), "413:\n%s", out);
	cr_expect_eq(raw_request("127.0.7.2", "BREW /pot HTTP/1.1\r\n\r\n", out, sizeof(out)), 400);
	cr_expect(base_headers(out), "400:\n%s", out);
	int fd = connect_from("127.0.7.3", srv->port);
	cr_assert_geq(fd, 0);
	(void)send(fd, "GET / HT", 8, MSG_NOSIGNAL);
	cr_expect(closed_within(fd, 5000, out, sizeof(out)), "a half head was kept past 2 s");
	close(fd);
	cr_expect(strstr(out, "HTTP/1.1 408 ") && base_headers(out), "408:\n%s", out);
	/* authenticated answers, problems included, are never stored */
	cr_expect_eq(bearer_get("127.0.7.4", triager, "/api/v1/stats", out, sizeof(out)), 200);
	cr_expect(has_header(out, "Cache-Control", "no-store"), "%s", out);
	cr_expect(base_headers(out));
	cr_expect_eq(bearer_get("127.0.7.4", triager, "/api/v1/ideas/999999", out, sizeof(out)),
	             404);
	cr_expect(has_header(out, "Cache-Control", "no-store"), "%s", out);
	cr_expect_eq(bearer_get("127.0.7.4", triager, "/roadmap/public", out, sizeof(out)), 200);
	cr_expect(has_header(out, "Cache-Control", "no-store"), "%.800s", out);
}

/* ---- (5) descriptor exhaustion */

/* prlimit(pid) from a child that takes pid's user and group: a server
 * started as root has dropped to run.user, and changing another user's
 * limits needs CAP_SYS_RESOURCE, which a container's root may lack.
 * 0 or the errno. */
static int prlimit_as_owner(pid_t pid, const struct rlimit *lim)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno;
	unsigned uid = 0, gid = 0;
	while (fgets(line, sizeof(line), f)) {
		(void)sscanf(line, "Uid: %u", &uid);
		(void)sscanf(line, "Gid: %u", &gid);
	}
	fclose(f);
	pid_t child = fork();
	if (child < 0)
		return errno;
	if (child == 0) {
		if (getuid() != uid && (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0))
			_exit(errno);
		_exit(prlimit(pid, RLIMIT_NOFILE, lim, NULL) == 0 ? 0 : errno);
	}
	int status = 0;
	if (waitpid(child, &status, 0) != child)
		return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

Test(limits, descriptor_exhaustion_pauses_accepting_without_a_log_flood)
{
	struct tserver *s = tserver_start(
	    conninfo, NULL,
	    "{\"http\": {\"head_timeout_s\": 60, \"max_connections_per_client\": 100000}}");
	/* a few descriptors above what it has open now */
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)s->pid);
	int used = 0;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ls %s | wc -l", dir);
	FILE *ls = popen(cmd, "r");
	cr_assert(ls && fscanf(ls, "%d", &used) == 1);
	pclose(ls);
	struct rlimit low = {(rlim_t)used + 24, (rlim_t)used + 24};
	int e = prlimit_as_owner(s->pid, &low);
	cr_assert_eq(e, 0, "prlimit: %s", strerror(e));

	char *log0 = tserver_log(s);
	int lines0 = count_lines(log0);
	free(log0);
	long cpu0 = cpu_ticks(s->pid);
	enum { N = 200 };
	int fds[N], n = 0;
	for (int i = 0; i < N; i++)
		if ((fds[n] = connect_from("127.0.5.1", s->port)) >= 0)
			n++;
	cr_expect_gt(n, 40, "the backlog took only %d connections", n);
	sleep(3); /* hold them: accept() fails with EMFILE all along */
	long cpu = cpu_ticks(s->pid) - cpu0;
	char *log1 = tserver_log(s);
	int grown = count_lines(log1) - lines0;
	cr_expect(strstr(log1, "Too many open files"), "the exhaustion was not reported");
	free(log1);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	long hz = sysconf(_SC_CLK_TCK);
	cr_log_info("descriptor exhaustion for 3 s: %d log lines, %.2f s CPU", grown,
	            (double)cpu / (double)hz);
	cr_expect_leq(grown, 4, "%d log lines in 3 s of EMFILE", grown);
	cr_expect_lt(cpu, hz / 2, "the server spun: %.2f s CPU in 3 s", (double)cpu / (double)hz);
	bool back = false;
	for (int i = 0; i < 50 && !back; i++) {
		back = healthz_ok(s->url);
		if (!back)
			usleep(100 * 1000);
	}
	cr_expect(back, "the server did not answer once descriptors were free again");
	cr_expect_eq(tserver_stop(s, SIGTERM), 0);
}

/* ---- (8) SIGTERM under load */

struct poster {
	const char *url;
	const char *token;
	int id;
	int acked;
	char titles[400][48];
};

static void *post_loop(void *arg)
{
	struct poster *p = arg;
	char auth[256];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", p->token);
	for (int i = 0; i < 400; i++) {
		char title[48], key[80], body[160];
		snprintf(title, sizeof(title), "sigterm load %d-%d", p->id, i);
		snprintf(key, sizeof(key), "Idempotency-Key: term-%d-%d", p->id, i);
		snprintf(body, sizeof(body), "{\"title\": \"%s\", \"body\": \"under load\"}",
		         title);
		const char *hdrs[] = {auth, key, "Content-Type: application/json", NULL};
		struct tresp *r = http_do("POST", p->url, hdrs, body, strlen(body));
		long st = r ? r->status : 0;
		tresp_free(r);
		if (st >= 200 && st < 300)
			snprintf(p->titles[p->acked++], sizeof(p->titles[0]), "%s", title);
		else if (st == 0)
			break; /* the server is gone */
	}
	return NULL;
}

Test(limits, sigterm_under_load_loses_nothing_acknowledged)
{
	char *ci = testdb_create("limits_term");
	char *tok = test_token(ci, "submitter", "loader");
	struct tserver *s = tserver_start(ci, NULL, "{\"http\": {\"shutdown_grace_ms\": 3000}}");
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/ideas", s->url);
	enum { T = 4 };
	static struct poster p[T];
	pthread_t th[T];
	for (int i = 0; i < T; i++) {
		p[i] = (struct poster){.url = url, .token = tok, .id = i};
		pthread_create(&th[i], NULL, post_loop, &p[i]);
	}
	usleep(1500 * 1000);
	int rc = tserver_stop(s, SIGTERM);
	int acked = 0, missing = 0;
	for (int i = 0; i < T; i++)
		pthread_join(th[i], NULL);
	PGconn *pg = testdb_connect(ci);
	for (int i = 0; i < T; i++)
		for (int k = 0; k < p[i].acked; k++) {
			const char *params[] = {p[i].titles[k]};
			PGresult *res = PQexecParams(pg, "SELECT 1 FROM mentions WHERE title = $1",
			                             1, NULL, params, NULL, NULL, 0);
			acked++;
			missing += PQntuples(res) == 0;
			PQclear(res);
		}
	PQfinish(pg);
	cr_log_info("%d ideas acknowledged before SIGTERM", acked);
	cr_expect_eq(rc, 0, "exit status %d after SIGTERM", rc);
	cr_expect_gt(acked, 0, "nothing was acknowledged: no load");
	cr_expect_eq(missing, 0, "%d acknowledged ideas are not in the database", missing);
	free(tok);
	free(ci);
}
