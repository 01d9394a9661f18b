/* intake/http/gate.c - see gate.h for what it does and why it is built this
 * way. Threads: a gate and its gate_worker belong to one worker's loop; the
 * gate_shared counts are atomics, the per-address counts a mutex-guarded
 * table, and by_fd is indexed by descriptors, which are unique while open
 * (a gate's reference keeps its descriptor open until its slot is cleared). */
#include "intake/http/gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "intake/http/addrcount.h"
#include "intake/http/headscan.h"
#include "intake/http/ratelimit.h"
#include "intake/http/router.h"
#include "intake/log.h"
#include "intake/metrics.h"

#define FD_RESERVE            64        /* descriptors kept for the database, logs, files */
#define SMALL_BODY            4096      /* routes that take no body, and unknown paths */
#define SWEEP_MS              100       /* how soon a connection evhttp let go is closed */
#define LINGER_MS             1000      /* after our own answer: read and discard ... */
#define LINGER_BYTES          (1 << 20) /* ... at most this, so the client gets no reset */
#define ACCEPT_PAUSE_MS       250       /* after EMFILE/ENFILE */
#define ACCEPT_LOG_INTERVAL_S 10        /* one log line at most per interval */

enum phase { G_NEW, G_HEAD, G_BODY, G_HANDLING, G_IDLE, G_CLOSED };

struct gate_shared {
	const struct config *cfg;
	long max_connections;
	atomic_long admitted; /* connections let in: what http.max_connections counts */
	atomic_long uploads;
	struct addrcount per_addr;
	struct gate **by_fd;
	long n_fd;
	atomic_long accept_failures; /* since the last log line */
	atomic_llong accept_logged;  /* monotonic seconds of the last log line */
};

struct gate_worker {
	struct gate_shared *gs;
	struct event_base *base;
	struct evconnlistener *lev;
	struct event *sweep;
	struct event *resume;
	struct gate *gates; /* doubly linked */
	struct gate_worker *next_registered;
};

struct gate {
	struct gate_worker *gw;
	struct gate *prev, *next;
	struct bufferevent *bev; /* referenced */
	struct evbuffer_cb_entry *watch;
	struct event *timer; /* admission, our answers, deadlines */
	int fd;
	char addr[INET6_ADDRSTRLEN];
	bool admitted;                    /* admission ran */
	bool holds_slot, counted, upload; /* in gs->admitted, per_addr, uploads */
	enum phase phase;
	struct timespec accepted;
	struct headscan hs;
	long long body_left; /* -1: chunked, counted in body_seen */
	long long body_seen;
	long limit;
	int reject; /* status of our own answer, 0 when none */
	int retry_after;
	char detail[160];
	struct timespec linger_until;
	long lingered;
};

/* ---- the registry: evconnlistener's error callback gets no argument of ours */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gate_worker *registry;

static struct gate_worker *registered(struct evconnlistener *lev)
{
	pthread_mutex_lock(&registry_lock);
	struct gate_worker *gw = registry;
	while (gw && gw->lev != lev)
		gw = gw->next_registered;
	pthread_mutex_unlock(&registry_lock);
	return gw;
}

static void unregister(struct gate_worker *gw)
{
	pthread_mutex_lock(&registry_lock);
	for (struct gate_worker **p = &registry; *p; p = &(*p)->next_registered)
		if (*p == gw) {
			*p = gw->next_registered;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
}

/* ---- small helpers */

static struct timespec now_ts(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static long ms_between(struct timespec a, struct timespec b)
{
	return (b.tv_sec - a.tv_sec) * 1000L + (b.tv_nsec - a.tv_nsec) / 1000000L;
}

/* True while evhttp still owns the bufferevent: its free clears every
 * callback. The read callback alone does not tell: evhttp clears it while it
 * writes a reply, but keeps its event (error) callback all along. */
static bool evhttp_holds(struct gate *g)
{
	bufferevent_data_cb readcb = NULL, writecb = NULL;
	bufferevent_event_cb eventcb = NULL;
	bufferevent_getcb(g->bev, &readcb, &writecb, &eventcb, NULL);
	return readcb || writecb || eventcb;
}

static void arm(struct gate *g, long ms)
{
	event_del(g->timer);
	if (ms < 0)
		ms = 0;
	event_add(g->timer, &(struct timeval){ms / 1000, (ms % 1000) * 1000});
}

/* Our own answer: stop reading, drop what is buffered, answer from the timer. */
static void refuse(struct gate *g, int status, enum metric_limit m, int retry_after,
                   const char *detail)
{
	if (g->reject)
		return;
	g->reject = status;
	g->retry_after = retry_after;
	snprintf(g->detail, sizeof(g->detail), "%s", detail);
	metrics_limit(m);
	bufferevent_disable(g->bev, EV_READ);
	struct evbuffer *in = bufferevent_get_input(g->bev);
	evbuffer_drain(in, evbuffer_get_length(in));
	event_del(g->timer);
	event_active(g->timer, EV_TIMEOUT, 1);
}

/* ---- admission */

static void evhttp_closed(struct evhttp_connection *evcon, void *arg);

static void admit(struct gate *g)
{
	struct gate_shared *gs = g->gw->gs;
	const struct config *cfg = gs->cfg;
	g->admitted = true;
	g->fd = bufferevent_getfd(g->bev);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (g->fd >= 0 && getpeername(g->fd, (struct sockaddr *)&ss, &sl) == 0) {
		const void *a = ss.ss_family == AF_INET6
		                    ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
		                    : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
		inet_ntop(ss.ss_family, a, g->addr, sizeof(g->addr));
	}
	if (g->fd >= 0 && g->fd < gs->n_fd)
		gs->by_fd[g->fd] = g;
	bufferevent_data_cb readcb;
	void *evcon = NULL;
	bufferevent_getcb(g->bev, &readcb, NULL, NULL, &evcon);
	if (evcon)
		evhttp_connection_set_closecb(evcon, evhttp_closed, g);
	g->phase = G_HEAD;
	headscan_init(&g->hs, (size_t)cfg->max_header_bytes);
	arm(g, cfg->head_timeout_s * 1000L - ms_between(g->accepted, now_ts()));
	/* counted at admission, not accept: a burst accepted in one go is let in
	 * up to the cap, not refused whole */
	if (atomic_fetch_add(&gs->admitted, 1) >= gs->max_connections) {
		atomic_fetch_sub(&gs->admitted, 1);
		return refuse(g, 503, ML_REFUSED_MAX_CONNECTIONS, 1,
		              "the server has too many connections open; try again shortly");
	}
	g->holds_slot = true;
	if (!*g->addr || ratelimit_trusted_proxy(cfg, g->addr))
		return;
	g->counted = true;
	if (addrcount_add(&gs->per_addr, g->addr, 1) > cfg->max_connections_per_client)
		refuse(g, 503, ML_REFUSED_PER_CLIENT, 5,
		       "too many connections from your address (http.max_connections_per_client)");
}

/* ---- what the head says */

static int method_bit(const char *m)
{
	static const struct {
		const char *name;
		int bit;
	} map[] = {{"GET", EVHTTP_REQ_GET},         {"POST", EVHTTP_REQ_POST},
	           {"HEAD", EVHTTP_REQ_HEAD},       {"PUT", EVHTTP_REQ_PUT},
	           {"DELETE", EVHTTP_REQ_DELETE},   {"PATCH", EVHTTP_REQ_PATCH},
	           {"OPTIONS", EVHTTP_REQ_OPTIONS}, {"TRACE", EVHTTP_REQ_TRACE},
	           {"CONNECT", EVHTTP_REQ_CONNECT}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(m, map[i].name) == 0)
			return map[i].bit;
	return 0;
}

static void head_done(struct gate *g)
{
	struct gate_shared *gs = g->gw->gs;
	const struct config *cfg = gs->cfg;
	const struct headscan *hs = &g->hs;
	int path_matched = 0, route = -1;
	if (hs->path[0] == '/' && !hs->path_truncated)
		route = router_match(NULL, hs->path, method_bit(hs->method), &path_matched);
	enum body_limit kind = route >= 0 ? http_routes[route].body : BODY_NONE;
	g->limit = kind == BODY_UPLOAD ? cfg->max_upload_bytes
	           : kind == BODY_JSON ? cfg->max_body_bytes
	                               : SMALL_BODY;
	if (hs->content_length > g->limit) {
		char d[160];
		snprintf(d, sizeof(d), "the body is %lld bytes; the limit here is %ld",
		         hs->content_length, g->limit);
		return refuse(g, 413, ML_REFUSED_BODY_TOO_LARGE, 0, d);
	}
	bufferevent_data_cb readcb;
	void *evcon = NULL;
	bufferevent_getcb(g->bev, &readcb, NULL, NULL, &evcon);
	if (evcon) /* libevent then never buffers more of a chunked body either */
		evhttp_connection_set_max_body_size(evcon, g->limit);
	bool has_body = hs->chunked || hs->content_length > 0;
	if (has_body && kind == BODY_UPLOAD &&
	    (hs->chunked || hs->content_length > cfg->max_body_bytes)) {
		if (atomic_fetch_add(&gs->uploads, 1) >= cfg->max_concurrent_uploads) {
			atomic_fetch_sub(&gs->uploads, 1);
			return refuse(g, 503, ML_REFUSED_UPLOADS, 5,
			              "too many uploads in progress; try again shortly");
		}
		g->upload = true;
	}
	if (!has_body) {
		g->phase = G_HANDLING;
		event_del(g->timer);
		return;
	}
	g->phase = G_BODY;
	g->body_left = hs->chunked ? -1 : hs->content_length;
	g->body_seen = 0;
	arm(g, cfg->body_timeout_s * 1000L);
}

/* Scans n bytes that just arrived (or were left from a pipelined request). */
static void consume(struct gate *g, const char *p, size_t n)
{
	const struct config *cfg = g->gw->gs->cfg;
	while (n > 0 && !g->reject) {
		if (g->phase == G_IDLE) { /* the first byte of the next head */
			g->phase = G_HEAD;
			headscan_init(&g->hs, (size_t)cfg->max_header_bytes);
			arm(g, cfg->head_timeout_s * 1000L);
		} else if (g->phase == G_HEAD) {
			size_t k = headscan_feed(&g->hs, p, n);
			p += k;
			n -= k;
			if (g->hs.state == HS_BAD)
				refuse(g, 400, ML_REFUSED_BAD_HEAD, 0, g->hs.why);
			else if (g->hs.state == HS_TOO_LARGE)
				refuse(g, 431, ML_REFUSED_HEAD_TOO_LARGE, 0,
				       "the request head is larger than http.max_header_bytes");
			else if (g->hs.state == HS_DONE)
				head_done(g);
		} else if (g->phase == G_BODY && g->body_left >= 0) {
			size_t k = (long long)n < g->body_left ? n : (size_t)g->body_left;
			g->body_left -= (long long)k;
			p += k;
			n -= k;
			if (g->body_left == 0) {
				g->phase = G_HANDLING;
				event_del(g->timer);
			}
		} else if (g->phase == G_BODY) { /* chunked: count everything */
			g->body_seen += (long long)n;
			n = 0;
			if (g->body_seen >
			    g->limit + 64) /* 64: chunk framing of a body at the limit */
				refuse(g, 413, ML_REFUSED_BODY_TOO_LARGE, 0,
				       "the chunked body is larger than the limit here");
		} else {
			return; /* a later request's bytes: scanned when this one is answered */
		}
	}
}

/* Feeds the input buffer from offset on to the scanner. */
static void scan_from(struct gate *g, struct evbuffer *in, size_t offset)
{
	struct evbuffer_ptr at;
	if (evbuffer_ptr_set(in, &at, offset, EVBUFFER_PTR_SET) < 0)
		return;
	size_t left = evbuffer_get_length(in) - offset;
	while (left > 0 && !g->reject) {
		struct evbuffer_iovec v[4];
		int nv = evbuffer_peek(in, (ev_ssize_t)left, &at, v, 4);
		if (nv <= 0)
			return;
		size_t done = 0;
		for (int i = 0; i < nv && i < 4 && !g->reject; i++) {
			size_t len = v[i].iov_len < left - done ? v[i].iov_len : left - done;
			consume(g, v[i].iov_base, len);
			done += len;
		}
		left -= done;
		if (g->reject) /* refuse() drained the buffer: at is stale */
			return;
		if (done == 0 || evbuffer_ptr_set(in, &at, done, EVBUFFER_PTR_ADD) < 0)
			return;
	}
}

/* Runs for every change of the input buffer, before evhttp reads the bytes. */
static void watch_input(struct evbuffer *in, const struct evbuffer_cb_info *info, void *arg)
{
	struct gate *g = arg;
	if (info->n_added == 0)
		return;
	if (g->reject || g->phase == G_CLOSED) { /* lingering after our answer: discard */
		g->lingered += (long)info->n_added;
		evbuffer_drain(in, evbuffer_get_length(in));
		if (g->lingered > LINGER_BYTES)
			bufferevent_disable(g->bev, EV_READ);
		return;
	}
	if (!g->admitted) {
		admit(g);
		if (g->reject)
			return;
	}
	scan_from(g, in, evbuffer_get_length(in) - info->n_added);
}

/* ---- our answers and deadlines (the gate's timer) */

static void close_connection(struct gate *g)
{
	bufferevent_data_cb readcb;
	void *evcon = NULL;
	bufferevent_getcb(g->bev, &readcb, NULL, NULL, &evcon);
	g->phase = G_CLOSED;
	if (evcon)
		evhttp_connection_free(evcon); /* clears the callbacks: the sweep drops it */
	/* read and discard for a moment, so that closing does not reset the
	 * connection before the client has read our answer */
	g->linger_until = now_ts();
	g->linger_until.tv_nsec += LINGER_MS * 1000000L;
	g->linger_until.tv_sec += g->linger_until.tv_nsec / 1000000000L;
	g->linger_until.tv_nsec %= 1000000000L;
	bufferevent_enable(g->bev, EV_READ);
}

static void answer(struct gate *g, int status, int retry_after, const char *detail)
{
	char buf[2048];
	size_t n = http_raw_problem(buf, sizeof(buf), status, retry_after, detail);
	if (g->fd >= 0)
		(void)send(g->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct gate *g = arg;
	const struct config *cfg = g->gw->gs->cfg;
	if (!evhttp_holds(g))
		return; /* evhttp closed it already: the sweep finishes */
	if (!g->admitted)
		admit(g);
	if (g->reject) {
		answer(g, g->reject, g->retry_after, g->detail);
		return close_connection(g);
	}
	if (!(what & EV_TIMEOUT) || event_pending(g->timer, EV_TIMEOUT, NULL))
		return; /* just admitted: the deadline is armed */
	if (g->phase == G_HEAD) {
		metrics_limit(ML_TIMEOUT_HEAD);
		char d[128];
		snprintf(d, sizeof(d), "the request head did not arrive within %ld s",
		         cfg->head_timeout_s);
		answer(g, 408, 0, d);
	} else if (g->phase == G_BODY) {
		metrics_limit(ML_TIMEOUT_BODY);
		char d[128];
		snprintf(d, sizeof(d), "the request body did not arrive within %ld s",
		         cfg->body_timeout_s);
		answer(g, 408, 0, d);
	} else if (g->phase == G_IDLE) {
		metrics_limit(ML_TIMEOUT_IDLE);
	} else {
		return;
	}
	close_connection(g);
}

/* ---- the connection's life */

static struct bufferevent *new_connection(struct event_base *base, void *arg)
{
	struct gate_worker *gw = arg;
	struct gate *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL; /* evhttp makes its own: that connection goes ungated */
	g->gw = gw;
	g->fd = -1;
	g->accepted = now_ts();
	g->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	g->timer = g->bev ? evtimer_new(base, on_timer, g) : NULL;
	g->watch = g->timer ? evbuffer_add_cb(bufferevent_get_input(g->bev), watch_input, g) : NULL;
	if (!g->watch) {
		if (g->timer)
			event_free(g->timer);
		if (g->bev)
			bufferevent_free(g->bev);
		free(g);
		return NULL;
	}
	bufferevent_incref(g->bev);
	g->next = gw->gates;
	if (gw->gates)
		gw->gates->prev = g;
	gw->gates = g;
	metrics_connections(1);
	/* evhttp sets the descriptor once this returns: admit from the loop */
	event_active(g->timer, EV_TIMEOUT, 1);
	return g->bev;
}

/* Gives back what the connection counts against: at once when evhttp closes
 * it (its close callback), so a client that opens and closes connections in
 * quick succession is not refused for connections it no longer holds. */
static void release(struct gate *g)
{
	struct gate_shared *gs = g->gw->gs;
	if (g->counted)
		(void)addrcount_add(&gs->per_addr, g->addr, -1);
	if (g->holds_slot)
		atomic_fetch_sub(&gs->admitted, 1);
	if (g->upload)
		atomic_fetch_sub(&gs->uploads, 1);
	g->counted = g->holds_slot = g->upload = false;
}

static void evhttp_closed(struct evhttp_connection *evcon, void *arg)
{
	release(arg);
}

static void gate_free(struct gate *g)
{
	struct gate_worker *gw = g->gw;
	struct gate_shared *gs = gw->gs;
	if (g->prev)
		g->prev->next = g->next;
	else
		gw->gates = g->next;
	if (g->next)
		g->next->prev = g->prev;
	if (g->fd >= 0 && g->fd < gs->n_fd && gs->by_fd[g->fd] == g)
		gs->by_fd[g->fd] = NULL;
	release(g);
	metrics_connections(-1);
	event_free(g->timer);
	evbuffer_remove_cb_entry(bufferevent_get_input(g->bev), g->watch);
	bufferevent_decref(g->bev); /* the last reference: closes the descriptor */
	free(g);
}

static void sweep(evutil_socket_t fd, short what, void *arg)
{
	struct gate_worker *gw = arg;
	struct timespec now = now_ts();
	for (struct gate *g = gw->gates, *next; g; g = next) {
		next = g->next;
		if (evhttp_holds(g))
			continue;
		/* reading stops at the client's EOF, an error or LINGER_BYTES */
		bool lingering = g->phase == G_CLOSED &&
		                 (bufferevent_get_enabled(g->bev) & EV_READ) &&
		                 ms_between(now, g->linger_until) > 0;
		if (!lingering)
			gate_free(g);
	}
}

/* ---- accept errors */

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct gate_worker *gw = arg;
	if (gw->lev)
		evconnlistener_enable(gw->lev);
}

/* EMFILE, ENFILE, ENOMEM...: libevent would log each failure and retry at once,
 * in a loop as hot as the backlog is long. */
static void accept_failed(struct evconnlistener *lev, void *unused)
{
	int e = errno;
	metrics_limit(ML_ACCEPT_ERRORS);
	struct gate_worker *gw = registered(lev);
	if (!gw)
		return;
	evconnlistener_disable(lev);
	event_add(gw->resume, &(struct timeval){0, ACCEPT_PAUSE_MS * 1000});
	struct gate_shared *gs = gw->gs;
	long n = atomic_fetch_add(&gs->accept_failures, 1) + 1;
	long long now = (long long)now_ts().tv_sec, last = atomic_load(&gs->accept_logged);
	if (last && now - last < ACCEPT_LOG_INTERVAL_S)
		return;
	if (!atomic_compare_exchange_strong(&gs->accept_logged, &last, now))
		return; /* another worker logs this interval */
	atomic_fetch_sub(&gs->accept_failures, n);
	log_msg(LOG_WARN,
	        "cannot accept connections: %s; pausing accepts %d ms at a time (%ld failures "
	        "since the last report; at most one report per %d s)",
	        strerror(e), ACCEPT_PAUSE_MS, n, ACCEPT_LOG_INTERVAL_S);
}

/* ---- the public side */

struct gate_shared *gate_shared_new(const struct config *cfg, struct err *err)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	struct gate_shared *gs = calloc(1, sizeof(*gs));
	long n_fd =
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 20) ? (1 << 20) : (long)rl.rlim_cur;
	if (!gs || !(gs->by_fd = calloc((size_t)n_fd, sizeof(*gs->by_fd)))) {
		free(gs);
		err_set(err, "out of memory");
		return NULL;
	}
	addrcount_init(&gs->per_addr);
	gs->cfg = cfg;
	gs->n_fd = n_fd;
	gs->max_connections = cfg->max_connections;
	if (gs->max_connections > n_fd - FD_RESERVE) {
		gs->max_connections = n_fd - FD_RESERVE > 1 ? n_fd - FD_RESERVE : 1;
		log_msg(LOG_WARN,
		        "http.max_connections lowered to %ld: the descriptor limit is %ld and %d "
		        "are kept for the rest of the service",
		        gs->max_connections, n_fd, FD_RESERVE);
	}
	return gs;
}

void gate_shared_free(struct gate_shared *gs)
{
	if (!gs)
		return;
	addrcount_cleanup(&gs->per_addr);
	free(gs->by_fd);
	free(gs);
}

long gate_max_connections(const struct gate_shared *gs)
{
	return gs->max_connections;
}

struct gate_worker *gate_worker_new(struct gate_shared *gs, struct event_base *base,
                                    struct evhttp *http, struct evconnlistener *lev)
{
	struct gate_worker *gw = calloc(1, sizeof(*gw));
	if (!gw)
		return NULL;
	gw->gs = gs;
	gw->base = base;
	gw->lev = lev;
	gw->sweep = event_new(base, -1, EV_PERSIST, sweep, gw);
	gw->resume = evtimer_new(base, accept_resume, gw);
	if (!gw->sweep || !gw->resume) {
		gate_worker_free(gw);
		return NULL;
	}
	event_add(gw->sweep, &(struct timeval){0, SWEEP_MS * 1000});
	pthread_mutex_lock(&registry_lock);
	gw->next_registered = registry;
	registry = gw;
	pthread_mutex_unlock(&registry_lock);
	evconnlistener_set_error_cb(lev, accept_failed);
	evhttp_set_bevcb(http, new_connection, gw);
	return gw;
}

void gate_worker_unbind(struct gate_worker *gw)
{
	if (!gw)
		return;
	unregister(gw);
	event_del(gw->resume);
	gw->lev = NULL;
}

void gate_worker_free(struct gate_worker *gw)
{
	if (!gw)
		return;
	gate_worker_unbind(gw);
	while (gw->gates)
		gate_free(gw->gates);
	if (gw->sweep)
		event_free(gw->sweep);
	if (gw->resume)
		event_free(gw->resume);
	free(gw);
}

struct gate *gate_of(struct gate_worker *gw, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
	int fd = bev ? bufferevent_getfd(bev) : -1;
	if (!gw || fd < 0 || fd >= gw->gs->n_fd)
		return NULL;
	struct gate *g = gw->gs->by_fd[fd]; /* a slot is only used by the worker owning fd */
	return g && g->bev == bev ? g : NULL;
}

void gate_dispatched(struct gate *g)
{
	if (!g || g->reject)
		return;
	g->phase = G_HANDLING;
	event_del(g->timer);
}

void gate_reply_done(struct gate *g)
{
	if (!g || g->reject || g->phase == G_CLOSED)
		return;
	if (g->upload) {
		atomic_fetch_sub(&g->gw->gs->uploads, 1);
		g->upload = false;
	}
	g->phase = G_IDLE;
	arm(g, g->gw->gs->cfg->idle_timeout_s * 1000L);
	scan_from(g, bufferevent_get_input(g->bev), 0); /* a pipelined next request */
}
