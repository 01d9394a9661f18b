/* The HTTP server as a client sees it: health, readiness, metrics, problem
 * documents, limits, misbehaving clients and graceful shutdown. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

static char *conninfo;
static struct tserver *srv;

static void start(void)
{
	char *base = testdb_create("server");
	/* trust auth ignores the password: it is here to prove it is never logged */
	conninfo = malloc(strlen(base) + 64);
	sprintf(conninfo, "%s password=hunter2-canary", base);
	free(base);
	srv = tserver_start(conninfo, NULL,
			    "{\"http\": {\"io_timeout_s\": 2, \"max_header_bytes\": 4096,"
			    " \"max_body_bytes\": 2048, \"max_upload_bytes\": 4096}}");
}

static void stop(void)
{
	if (srv)
		tserver_stop(srv, SIGTERM);
	free(conninfo);
}

TestSuite(server, .init = start, .fini = stop);

static struct tresp *get(const char *path)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", srv->url, path);
	return http_get(url);
}

Test(server, healthz_and_readyz_answer_200_with_json)
{
	struct tresp *r = get("/healthz");
	cr_assert(r);
	cr_expect_eq(r->status, 200);
	json_t *j = tresp_json(r);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "ok");
	char *rid = tresp_header(r, "X-Request-Id");
	cr_expect(rid && strlen(rid) == 16, "every response carries a request id");
	free(rid);
	json_decref(j);
	tresp_free(r);

	r = get("/readyz");
	cr_assert(r);
	cr_expect_eq(r->status, 200);
	tresp_free(r);
}

Test(server, unknown_paths_and_methods_get_problem_json)
{
	struct tresp *r = get("/no/such/thing");
	cr_expect(tresp_is_problem(r, 404), "404 problem: %s", r ? r->body : "");
	tresp_free(r);

	char url[256];
	snprintf(url, sizeof(url), "%s/healthz", srv->url);
	r = http_do("DELETE", url, NULL, NULL, 0);
	cr_expect(tresp_is_problem(r, 405));
	char *allow = tresp_header(r, "Allow");
	cr_expect(allow && strstr(allow, "GET"), "405 names the allowed methods");
	free(allow);
	tresp_free(r);
}

Test(server, request_id_is_echoed_when_sane_and_replaced_when_not)
{
	char url[256];
	snprintf(url, sizeof(url), "%s/healthz", srv->url);
	const char *good[] = {"X-Request-Id: abc-123", NULL};
	struct tresp *r = http_do("GET", url, good, NULL, 0);
	char *rid = tresp_header(r, "X-Request-Id");
	cr_expect_str_eq(rid, "abc-123");
	free(rid);
	tresp_free(r);
	const char *bad[] = {"X-Request-Id: <script>alert(1)</script>", NULL};
	r = http_do("GET", url, bad, NULL, 0);
	rid = tresp_header(r, "X-Request-Id");
	cr_expect(rid && !strchr(rid, '<'), "unsafe ids are replaced: %s", rid);
	free(rid);
	tresp_free(r);
}

/* The value of the metric line starting with series, or -1. */
static long metric(const char *series)
{
	struct tresp *r = get("/metrics");
	cr_assert(r && r->status == 200);
	const char *p = strstr(r->body, series);
	long v = p ? atol(p + strlen(series)) : -1;
	tresp_free(r);
	return v;
}

Test(server, metrics_count_requests_by_route_and_status)
{
	const char *ok = "ideatriage_http_requests_total{route=\"/healthz\",status=\"200\"} ";
	const char *nf = "ideatriage_http_requests_total{route=\"unmatched\",status=\"404\"} ";
	const char *hist =
	    "ideatriage_http_request_duration_seconds_count{route=\"/healthz\"} ";
	long ok0 = metric(ok), nf0 = metric(nf), h0 = metric(hist);
	tresp_free(get("/healthz"));
	tresp_free(get("/healthz"));
	tresp_free(get("/missing"));
	cr_expect_eq(metric(ok), ok0 + 2);
	cr_expect_eq(metric(nf), (nf0 < 0 ? 0 : nf0) + 1);
	cr_expect_eq(metric(hist), h0 + 2, "the latency histogram counts every request");
	cr_expect_geq(metric("ideatriage_db_errors_total "), 0);

	struct tresp *r = get("/metrics");
	char *ct = tresp_header(r, "Content-Type");
	cr_expect(ct && strstr(ct, "text/plain"), "%s", ct);
	cr_expect(strstr(r->body, "# TYPE ideatriage_http_request_duration_seconds histogram"));
	free(ct);
	tresp_free(r);
}

static bool still_serving(void)
{
	struct tresp *r = get("/healthz");
	bool ok = r && r->status == 200;
	tresp_free(r);
	return ok;
}

Test(server, garbage_bytes_do_not_stop_the_server)
{
	const char *garbage[] = {"\x00\x01\x02\xff\xfe garbage\r\n\r\n",
				 "GET / HTTP/9.9\r\n\r\n",
				 "NOTAMETHOD /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
				 "GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
				 "\r\n\r\n\r\n"};
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		int fd = tcp_connect(srv->port);
		cr_assert_geq(fd, 0);
		cr_expect_geq(write(fd, garbage[i], strlen(garbage[i]) + (i == 0 ? 12 : 0)), 0);
		char buf[4096];
		tcp_read_all(fd, buf, sizeof(buf), 1000);
		close(fd);
		cr_expect(still_serving(), "server stopped answering after garbage %zu", i);
	}
}

Test(server, oversized_headers_and_bodies_are_refused)
{
	/* a head larger than http.max_header_bytes */
	char *big = malloc(8192);
	memset(big, 'a', 8191);
	big[8191] = '\0';
	char *hdr = malloc(8300);
	snprintf(hdr, 8300, "X-Big: %s", big);
	const char *headers[] = {hdr, NULL};
	char url[256];
	snprintf(url, sizeof(url), "%s/healthz", srv->url);
	struct tresp *r = http_do("GET", url, headers, NULL, 0);
	cr_expect(!r || r->status >= 400, "an oversized head must not be served");
	tresp_free(r);

	/* a body beyond every limit: refused before it is read, with 413 */
	size_t n = 1 << 20;
	char *body = malloc(n);
	memset(body, 'x', n);
	const char *ct[] = {"Content-Type: application/json", NULL};
	r = http_do("POST", url, ct, body, n);
	cr_expect(!r || r->status == 413, "status %ld", r ? r->status : 0);
	tresp_free(r);
	cr_expect(still_serving());
	free(body);
	free(big);
	free(hdr);
}

static bool closed_by_peer(int fd, int timeout_ms)
{
	double deadline = test_now_ms() + timeout_ms;
	char buf[512];
	while (test_now_ms() < deadline) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 100) > 0) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				return true;
		}
	}
	return false;
}

Test(server, a_client_that_never_finishes_cannot_hold_the_server)
{
	/* three slow clients: a head never finished, a body never sent */
	int slow[3];
	const char *partial[] = {"GET /healthz HTTP/1.1\r\nHost: x\r\n",
				 "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
				 "GE"};
	for (int i = 0; i < 3; i++) {
		slow[i] = tcp_connect(srv->port);
		cr_assert_geq(slow[i], 0);
		cr_assert_gt(write(slow[i], partial[i], strlen(partial[i])), 0);
	}
	/* others are answered meanwhile, promptly */
	for (int i = 0; i < 20; i++)
		cr_expect(still_serving());
	/* and the slow ones are dropped after http.io_timeout_s (2 s here) */
	for (int i = 0; i < 3; i++) {
		cr_expect(closed_by_peer(slow[i], 8000), "slow client %d still connected", i);
		close(slow[i]);
	}
}

Test(server, sigterm_exits_cleanly)
{
	/* a second server on the same database, stopped with SIGTERM */
	struct tserver *s2 = tserver_start(conninfo, NULL, NULL);
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", s2->url);
	struct tresp *r = http_get(url);
	cr_expect_eq(r ? r->status : 0, 200);
	tresp_free(r);
	int port = s2->port;
	char logpath[1100];
	snprintf(logpath, sizeof(logpath), "%s", s2->log);
	cr_expect_eq(tserver_stop(s2, SIGTERM), 0, "exit status after SIGTERM");
	cr_expect_lt(tcp_connect(port), 0, "the port is closed after exit");
	char *log = test_read_file(logpath);
	cr_expect(log && strstr(log, "\"msg\":\"stopped\""), "%s", log);
	free(log);
}

Test(server, secrets_never_reach_the_log)
{
	tresp_free(get("/readyz"));
	char *log = tserver_log(srv);
	cr_assert(log);
	cr_expect(strstr(log, "\"path\":\"/readyz\"") != NULL, "requests are logged");
	cr_expect_null(strstr(log, "hunter2-canary"), "the database password leaked into the log");
	free(log);
}
