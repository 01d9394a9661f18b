/* intake/http/server.c - workers, dispatch, limits and graceful shutdown.
 *
 * Handlers run synchronously on their worker's loop (libpq calls block that
 * worker only). Limits: the connection gate (gate.h) admits connections,
 * holds the head and body deadlines and refuses a body over its route's limit
 * before it is buffered; libevent still enforces the header size and a hard
 * body cap; dispatch() applies the per-address rate limits (ratelimit.h)
 * before any handler - and so before any credential is looked up. */
#include "intake/http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db/db.h"
#include "intake/http/cache.h"
#include "intake/http/gate.h"
#include "intake/http/ratelimit.h"
#include "intake/http/router.h"
#include "intake/log.h"
#include "intake/metrics.h"
#include "intake/triage_ctx.h"

struct http_worker {
	struct http_server *srv;
	int index;
	pthread_t thread;
	bool started;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct gate_worker *gate;
	struct db *db;
	struct triage_ctx triage;
	int replies_in_flight;
	struct event *drain;
	struct timespec stop_deadline;
};

struct http_server {
	const struct config *cfg;
	struct triage_live *rules;
	char *conninfo;
	int fd;
	int port;
	int nworkers;
	struct http_worker *workers;
	struct gate_shared *gate;
	struct ratelimit *ratelimit;
	atomic_bool stopping;
};

static const char *route_names[64];

struct db *http_db(struct http_ctx *c)
{
	struct http_worker *w = c->worker;
	PGconn *conn = db_conn(w->db);
	if (conn && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE)
		return w->db;
	return http_db_checked(c);
}

struct db *http_db_checked(struct http_ctx *c)
{
	struct http_worker *w = c->worker;
	struct err err;
	if (!db_ok(w->db, &err))
		return NULL;
	return w->db;
}

struct triage_ctx *http_triage(struct http_ctx *c)
{
	return &c->worker->triage;
}

struct ratelimit *http_ratelimit(struct http_ctx *c)
{
	return c->worker->srv->ratelimit;
}

static void new_request_id(struct http_ctx *c)
{
	const char *given = http_header(c, "X-Request-Id");
	if (given && strlen(given) < sizeof(c->request_id) && *given &&
	    strspn(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
		strlen(given)) {
		snprintf(c->request_id, sizeof(c->request_id), "%s", given);
		return;
	}
	unsigned char r[8] = {0};
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		memset(r, 0, sizeof(r));
	for (int i = 0; i < 8; i++)
		snprintf(c->request_id + 2 * i, 3, "%02x", r[i]);
}

static void reply_done(struct evhttp_request *req, void *arg)
{
	struct http_worker *w = arg;
	w->replies_in_flight--;
	gate_reply_done(gate_of(w->gate, req));
}

/* The per-address buckets: 0 to go on, -1 after answering 429. A request
 * with credentials is refused while its address's sign-in bucket is empty
 * (every 401 takes a token: reply.c), so guessing costs no database lookup. */
static int rate_limited(struct http_ctx *c, const struct route *r)
{
	char addr[64];
	http_client_address(c, addr, sizeof(addr));
	struct ratelimit *rl = c->worker->srv->ratelimit;
	bool credentials = r->rate == RATE_SIGNIN || http_authenticated_request(c);
	int wait = credentials ? ratelimit_check(rl, RL_SIGNIN, addr)
		   : r->rate == RATE_PUBLIC ? ratelimit_take(rl, RL_PUBLIC, addr)
					    : 0;
	if (!wait)
		return 0;
	metrics_limit(credentials ? ML_RATE_SIGNIN : ML_RATE_PUBLIC);
	char secs[16];
	snprintf(secs, sizeof(secs), "%d", wait);
	http_set_header(c, "Retry-After", secs);
	return http_problem(c, 429, NULL,
			    credentials ? "too many failed sign-ins from your address; retry in %d s"
					: "too many requests from your address; retry in %d s",
			    wait);
}

static void dispatch(struct evhttp_request *req, void *arg)
{
	struct http_worker *w = arg;
	struct http_ctx c = {.req = req, .worker = w, .cfg = w->srv->cfg, .route = -1};
	clock_gettime(CLOCK_MONOTONIC, &c.start);
	new_request_id(&c);
	w->replies_in_flight++;
	evhttp_request_set_on_complete_cb(req, reply_done, w);
	gate_dispatched(gate_of(w->gate, req));
	/* between requests: the only point where this worker's rules may change
	 * (serve's SIGHUP); failing, it keeps the rules it has */
	struct err rerr;
	if (triage_ctx_refresh(&w->triage, &rerr) < 0)
		log_msg(LOG_WARN, "worker %d keeps its scoring rules: %s", w->index, rerr.msg);

	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	c.path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (!c.path || c.path[0] != '/') {
		c.path = NULL;
		http_problem(&c, 400, NULL, "the request target is not a valid path");
		return;
	}
	int method = evhttp_request_get_command(req), path_matched = 0;
	c.route = router_match(&c, c.path, method, &path_matched);
	if (c.route < 0) {
		if (path_matched) {
			char allow[128];
			router_allow(c.path, allow, sizeof(allow));
			http_set_header(&c, "Allow", allow);
			http_problem(&c, 405, NULL, "this path does not accept that method; allowed: %s",
				     allow);
		} else {
			http_problem(&c, 404, NULL, "no such resource: %s", c.path);
		}
		return;
	}
	const struct route *r = &http_routes[c.route];
	if (rate_limited(&c, r) < 0)
		return;
	size_t len = evbuffer_get_length(evhttp_request_get_input_buffer(req));
	long limit = r->body == BODY_UPLOAD ? c.cfg->max_upload_bytes
		     : r->body == BODY_JSON ? c.cfg->max_body_bytes
					    : 0;
	if (r->body == BODY_NONE && len > 0 && method != EVHTTP_REQ_GET) {
		http_problem(&c, 400, NULL, "this request takes no body");
		return;
	}
	if (r->body != BODY_NONE && (long)len > limit) {
		http_problem(&c, 413, NULL, "the body is %zu bytes; the limit is %ld", len, limit);
		return;
	}
	r->handler(&c);
	if (!c.replied) { /* a handler must always answer; never leave a client hanging */
		log_msg(LOG_ERROR, "handler for %s returned without a reply", r->pattern);
		http_problem(&c, 500, NULL, "internal error");
	}
}

/* Runs on the worker's thread: stop accepting, then drain. */
static void drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct http_worker *w = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	bool late = now.tv_sec > w->stop_deadline.tv_sec ||
		    (now.tv_sec == w->stop_deadline.tv_sec &&
		     now.tv_nsec >= w->stop_deadline.tv_nsec);
	if (w->replies_in_flight <= 0 || late)
		event_base_loopbreak(w->base);
}

static void begin_stop(evutil_socket_t fd, short what, void *arg)
{
	struct http_worker *w = arg;
	if (w->bound) {
		gate_worker_unbind(w->gate);
		evhttp_del_accept_socket(w->http, w->bound);
		w->bound = NULL;
	}
	long grace = w->srv->cfg->shutdown_grace_ms;
	clock_gettime(CLOCK_MONOTONIC, &w->stop_deadline);
	w->stop_deadline.tv_sec += grace / 1000;
	w->stop_deadline.tv_nsec += (grace % 1000) * 1000000L;
	if (w->stop_deadline.tv_nsec >= 1000000000L) {
		w->stop_deadline.tv_sec++;
		w->stop_deadline.tv_nsec -= 1000000000L;
	}
	w->drain = event_new(w->base, -1, EV_PERSIST, drain_check, w);
	event_add(w->drain, &(struct timeval){0, 20000});
	drain_check(-1, 0, w);
}

static void *worker_main(void *arg)
{
	struct http_worker *w = arg;
	struct err err = {0};
	w->db = db_open(w->srv->conninfo, (int)w->srv->cfg->connect_timeout_s, &err);
	if (w->db && !db_conn(w->db))
		log_msg(LOG_WARN, "worker %d: %s (will retry)", w->index, err.msg);
	event_base_dispatch(w->base);
	/* Closes every connection; replies still unsent after the grace are cut. */
	evhttp_free(w->http);
	w->http = NULL;
	gate_worker_free(w->gate);
	w->gate = NULL;
	if (w->drain)
		event_free(w->drain);
	db_close(w->db);
	w->db = NULL;
	return NULL;
}

static int setup_worker(struct http_server *s, struct http_worker *w, struct err *err)
{
	const struct config *cfg = s->cfg;
	w->srv = s;
	if (triage_ctx_init_live(&w->triage, s->rules, err) < 0)
		return -1;
	w->base = event_base_new();
	w->http = w->base ? evhttp_new(w->base) : NULL;
	if (!w->http)
		return err_set(err, "cannot create an event loop");
	evhttp_set_gencb(w->http, dispatch, w);
	/* every method: dispatch answers 405 with a problem, not libevent's page */
	evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
						EVHTTP_REQ_PATCH | EVHTTP_REQ_PUT |
						EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
						EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT);
	evhttp_set_max_headers_size(w->http, cfg->max_header_bytes);
	long hard = cfg->max_upload_bytes > cfg->max_body_bytes ? cfg->max_upload_bytes
								: cfg->max_body_bytes;
	evhttp_set_max_body_size(w->http, hard + 65536);
	evhttp_set_timeout(w->http, (int)cfg->io_timeout_s);
	/* Not LEV_OPT_CLOSE_ON_FREE: the socket is shared by all workers. */
	struct evconnlistener *l =
	    evconnlistener_new(w->base, NULL, NULL, LEV_OPT_CLOSE_ON_EXEC, 0, s->fd);
	if (!l || !(w->bound = evhttp_bind_listener(w->http, l)))
		return err_set(err, "cannot listen with worker %d", w->index);
	if (!(w->gate = gate_worker_new(s->gate, w->base, w->http, l)))
		return err_set(err, "out of memory");
	return 0;
}

static int bind_socket(struct http_server *s, struct err *err)
{
	char host[256];
	int port;
	if (config_listen_addr(s->cfg->listen, host, sizeof(host), &port, err) < 0)
		return -1;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char portstr[16];
	snprintf(portstr, sizeof(portstr), "%d", port);
	int gai = getaddrinfo(host, portstr, &hints, &ai);
	if (gai != 0)
		return err_set_field(err, "http.listen", "cannot resolve %s: %s", host,
				     gai_strerror(gai));
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	/* TCP_NODELAY (inherited by accepted sockets): without it the tail of
	 * every reply larger than a segment waits ~40 ms for a delayed ACK */
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    bind(s->fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(s->fd, 1024) < 0) {
		int e = errno;
		freeaddrinfo(ai);
		return err_set_field(err, "http.listen", "cannot listen on %s: %s", s->cfg->listen,
				     strerror(e));
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(s->fd, (struct sockaddr *)&ss, &sl);
	s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

static void use_pthreads(void)
{
	/* lets another thread wake a worker's loop (event_base_once on stop) */
	(void)evthread_use_pthreads();
}

struct http_server *http_server_new(const struct config *cfg, const char *conninfo,
				    struct triage_live *rules, struct err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, use_pthreads);
	for (int i = 0; i < http_routes_len && i < 64; i++)
		route_names[i] = http_routes[i].pattern;
	metrics_set_routes(route_names, http_routes_len);

	struct http_server *s = calloc(1, sizeof(*s));
	if (!s || !(s->conninfo = strdup(conninfo))) {
		free(s);
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->rules = rules;
	s->fd = -1;
	s->nworkers = config_worker_count(cfg);
	http_cache_set_ttl(cfg->public_cache_ms);
	s->workers = calloc((size_t)s->nworkers, sizeof(*s->workers));
	if (!s->workers || !(s->gate = gate_shared_new(cfg, err)) || bind_socket(s, err) < 0)
		goto fail;
	if (!(s->ratelimit = ratelimit_new(cfg))) {
		err_set(err, "out of memory");
		goto fail;
	}
	for (int i = 0; i < s->nworkers; i++) {
		s->workers[i].index = i;
		if (setup_worker(s, &s->workers[i], err) < 0)
			goto fail;
	}
	return s;
fail:
	http_server_free(s);
	return NULL;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

int http_server_start(struct http_server *s, struct err *err)
{
	for (int i = 0; i < s->nworkers; i++) {
		if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0)
			return err_set(err, "cannot start worker thread %d", i);
		s->workers[i].started = true;
	}
	log_json(LOG_INFO, "listening",
		 json_pack("{s:s, s:i, s:i, s:I}", "listen", s->cfg->listen, "port", s->port,
			   "workers", s->nworkers, "max_connections",
			   (json_int_t)gate_max_connections(s->gate)));
	return 0;
}

void http_server_stop(struct http_server *s)
{
	if (atomic_exchange(&s->stopping, true))
		return;
	for (int i = 0; i < s->nworkers; i++)
		if (s->workers[i].started)
			event_base_once(s->workers[i].base, -1, EV_TIMEOUT, begin_stop,
					&s->workers[i], &(struct timeval){0, 0});
	for (int i = 0; i < s->nworkers; i++)
		if (s->workers[i].started) {
			pthread_join(s->workers[i].thread, NULL);
			s->workers[i].started = false;
		}
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	http_server_stop(s);
	for (int i = 0; s->workers && i < s->nworkers; i++) {
		struct http_worker *w = &s->workers[i];
		if (w->http) /* never started */
			evhttp_free(w->http);
		gate_worker_free(w->gate);
		if (w->base)
			event_base_free(w->base);
		triage_ctx_cleanup(&w->triage);
	}
	if (s->fd >= 0)
		close(s->fd);
	free(s->workers);
	gate_shared_free(s->gate);
	ratelimit_free(s->ratelimit);
	free(s->conninfo);
	free(s);
}
