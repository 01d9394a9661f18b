/* intake/metrics.c - see metrics.h. */
#include "intake/metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "connectors/connector.h"
#include "version.h" /* generated: IDEATRIAGE_VERSION */

static const int status_codes[] = {200, 201, 202, 204, 301, 303, 304, 400, 401, 403, 404,
				   405, 408, 409, 413, 415, 422, 429, 431, 500, 503};
#define N_STATUS (int)(sizeof(status_codes) / sizeof(status_codes[0]))
#define SLOT_OTHER N_STATUS
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define N_BUCKETS (int)(sizeof(buckets) / sizeof(buckets[0]))
#define ROUTE_SLOTS (METRICS_MAX_ROUTES + 1) /* last: unmatched */

static const char *const *route_names;
static int n_routes;
static atomic_long requests[ROUTE_SLOTS][N_STATUS + 1];
static atomic_long latency[ROUTE_SLOTS][N_BUCKETS + 1];
static atomic_llong latency_sum_us[ROUTE_SLOTS];
static atomic_long counters[M_COUNTER_LEN];

/* Per connector (index in connector_names; the last slot: unknown names). */
#define SYNC_SLOTS 8
static const char *const sync_outcomes[] = {"ok", "error", "locked"};
#define N_OUTCOMES 3
static atomic_long sync_runs[SYNC_SLOTS][N_OUTCOMES];
static atomic_long sync_fetched[SYNC_SLOTS];
/* Unix milliseconds of each connector's last good run, 0 when none known */
static atomic_llong sync_ok_ms[SYNC_SLOTS];

static const char *const counter_names[M_COUNTER_LEN][2] = {
    [M_DB_ERRORS] = {"ideatriage_db_errors_total", "database errors seen by requests"},
    [M_INGESTS] = {"ideatriage_ingests_total", "mentions written by the ingest pipeline"},
    [M_INGEST_ERRORS] = {"ideatriage_ingest_errors_total", "mentions the pipeline rejected"},
    [M_SYNC_RUNS] = {"ideatriage_sync_runs_total", "connector runs"},
    [M_SYNC_ERRORS] = {"ideatriage_sync_errors_total", "connector runs that failed"},
    [M_WEBHOOKS] = {"ideatriage_webhook_deliveries_total", "webhook deliveries accepted"},
};

static atomic_long limits[ML_LIMIT_LEN];
static atomic_long connections_open;

/* metric name, label, label value (NULL: no label) */
static const char *const limit_names[ML_LIMIT_LEN][3] = {
    [ML_REFUSED_MAX_CONNECTIONS] = {"ideatriage_connections_refused_total", "reason",
				    "max_connections"},
    [ML_REFUSED_PER_CLIENT] = {"ideatriage_connections_refused_total", "reason", "per_client"},
    [ML_REFUSED_UPLOADS] = {"ideatriage_requests_refused_total", "reason", "uploads"},
    [ML_REFUSED_BODY_TOO_LARGE] = {"ideatriage_requests_refused_total", "reason",
				   "body_too_large"},
    [ML_REFUSED_HEAD_TOO_LARGE] = {"ideatriage_requests_refused_total", "reason",
				   "head_too_large"},
    [ML_REFUSED_BAD_HEAD] = {"ideatriage_requests_refused_total", "reason", "bad_head"},
    [ML_TIMEOUT_HEAD] = {"ideatriage_connections_timed_out_total", "phase", "head"},
    [ML_TIMEOUT_BODY] = {"ideatriage_connections_timed_out_total", "phase", "body"},
    [ML_TIMEOUT_IDLE] = {"ideatriage_connections_timed_out_total", "phase", "idle"},
    [ML_ACCEPT_ERRORS] = {"ideatriage_accept_errors_total", NULL, NULL},
    [ML_RATE_SIGNIN] = {"ideatriage_rate_limited_total", "bucket", "signin"},
    [ML_RATE_PUBLIC] = {"ideatriage_rate_limited_total", "bucket", "public"},
};

void metrics_limit(enum metric_limit m)
{
	atomic_fetch_add(&limits[m], 1);
}

void metrics_connections(long delta)
{
	atomic_fetch_add(&connections_open, delta);
}

/* HELP text of limit_names' metrics, one per name */
static const char *const limit_help[][2] = {
    {"ideatriage_connections_refused_total", "Connections refused at accept, by reason."},
    {"ideatriage_requests_refused_total", "Requests refused before their body, by reason."},
    {"ideatriage_connections_timed_out_total", "Connections closed by a deadline, by phase."},
    {"ideatriage_accept_errors_total", "accept() failures (accepting pauses)."},
    {"ideatriage_rate_limited_total", "Requests answered 429, by rate-limit bucket."},
};

static const char *limit_help_of(const char *name)
{
	for (size_t i = 0; i < sizeof(limit_help) / sizeof(limit_help[0]); i++)
		if (strcmp(limit_help[i][0], name) == 0)
			return limit_help[i][1];
	return "";
}

static void render_limits(FILE *f)
{
	const char *last = "";
	for (int m = 0; m < ML_LIMIT_LEN; m++) {
		const char *const *n = limit_names[m];
		if (strcmp(n[0], last) != 0) /* rows of one metric are adjacent */
			fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", n[0], limit_help_of(n[0]),
				n[0]);
		last = n[0];
		if (n[1])
			fprintf(f, "%s{%s=\"%s\"} %ld\n", n[0], n[1], n[2], atomic_load(&limits[m]));
		else
			fprintf(f, "%s %ld\n", n[0], atomic_load(&limits[m]));
	}
	fprintf(f, "# HELP ideatriage_connections_open Client connections open now.\n"
		   "# TYPE ideatriage_connections_open gauge\nideatriage_connections_open %ld\n",
		atomic_load(&connections_open));
}

void metrics_set_routes(const char *const *names, int n)
{
	route_names = names;
	n_routes = n > METRICS_MAX_ROUTES ? METRICS_MAX_ROUTES : n;
}

static int route_slot(int route)
{
	return route >= 0 && route < n_routes ? route : METRICS_MAX_ROUTES;
}

void metrics_observe(int route, int status, double seconds)
{
	int r = route_slot(route), s = SLOT_OTHER, b = N_BUCKETS;
	for (int i = 0; i < N_STATUS; i++)
		if (status_codes[i] == status)
			s = i;
	for (int i = 0; i < N_BUCKETS; i++)
		if (seconds <= buckets[i]) {
			b = i;
			break;
		}
	atomic_fetch_add(&requests[r][s], 1);
	atomic_fetch_add(&latency[r][b], 1);
	atomic_fetch_add(&latency_sum_us[r], (long long)(seconds * 1e6));
}

void metrics_add(enum metric_counter c, long n)
{
	atomic_fetch_add(&counters[c], n);
}

static int connector_slot(const char *name)
{
	for (int i = 0; connector_names[i] && i < SYNC_SLOTS - 1; i++)
		if (strcmp(connector_names[i], name) == 0)
			return i;
	return SYNC_SLOTS - 1;
}

void metrics_sync_run(const char *connector, const char *outcome)
{
	int o = 0;
	for (int i = 0; i < N_OUTCOMES; i++)
		if (strcmp(sync_outcomes[i], outcome) == 0)
			o = i;
	atomic_fetch_add(&sync_runs[connector_slot(connector)][o], 1);
	if (o == 0) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		metrics_sync_last_success(connector, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
	}
	if (o != 2)
		atomic_fetch_add(&counters[M_SYNC_RUNS], 1);
	if (o == 1)
		atomic_fetch_add(&counters[M_SYNC_ERRORS], 1);
}

void metrics_sync_last_success(const char *connector, double unix_seconds)
{
	int i = connector_slot(connector);
	if (i == SYNC_SLOTS - 1)
		return; /* an unknown name (a row left by an old version): no series */
	long long ms = (long long)(unix_seconds * 1000.0);
	long long cur = atomic_load(&sync_ok_ms[i]);
	/* only forward: a scrape's database read may be older than a run that
	 * just ended in this process */
	while (cur < ms && !atomic_compare_exchange_weak(&sync_ok_ms[i], &cur, ms))
		;
}

void metrics_sync_fetched(const char *connector, long n)
{
	atomic_fetch_add(&sync_fetched[connector_slot(connector)], n);
}

static const char *slot_name(int i)
{
	for (int k = 0; connector_names[k]; k++)
		if (k == i)
			return connector_names[k];
	return "other";
}

static void render_sync(FILE *f)
{
	fputs("# HELP ideatriage_connector_runs_total Connector runs by connector and outcome.\n"
	      "# TYPE ideatriage_connector_runs_total counter\n",
	      f);
	for (int i = 0; i < SYNC_SLOTS; i++)
		for (int o = 0; o < N_OUTCOMES; o++) {
			long v = atomic_load(&sync_runs[i][o]);
			if (v)
				fprintf(f,
					"ideatriage_connector_runs_total{connector=\"%s\",outcome=\"%s\"} %ld\n",
					slot_name(i), sync_outcomes[o], v);
		}
	fputs("# HELP ideatriage_connector_items_fetched_total Items fetched from upstream, by "
	      "connector.\n# TYPE ideatriage_connector_items_fetched_total counter\n",
	      f);
	for (int i = 0; i < SYNC_SLOTS; i++) {
		long v = atomic_load(&sync_fetched[i]);
		if (v || strcmp(slot_name(i), "other") != 0) /* known connectors: even at 0 */
			fprintf(f, "ideatriage_connector_items_fetched_total{connector=\"%s\"} %ld\n",
				slot_name(i), v);
	}
}

static void render_sync_success(FILE *f)
{
	fputs("# HELP ideatriage_sync_last_success_timestamp_seconds When each connector last "
	      "finished a run without error, in Unix time.\n"
	      "# TYPE ideatriage_sync_last_success_timestamp_seconds gauge\n",
	      f);
	for (int i = 0; i < SYNC_SLOTS - 1; i++) {
		long long ms = atomic_load(&sync_ok_ms[i]);
		if (ms > 0) /* never succeeded (or not configured): no series */
			fprintf(f,
				"ideatriage_sync_last_success_timestamp_seconds{connector=\"%s\"} "
				"%lld.%03lld\n",
				slot_name(i), ms / 1000, ms % 1000);
	}
}

static const char *name_of(int r)
{
	return r == METRICS_MAX_ROUTES ? "unmatched" : route_names[r];
}

void metrics_render(FILE *f)
{
	fputs("# HELP ideatriage_build_info The version running; the value is always 1.\n"
	      "# TYPE ideatriage_build_info gauge\n"
	      "ideatriage_build_info{version=\"" IDEATRIAGE_VERSION "\"} 1\n",
	      f);
	metrics_render_process(f);
	fputs("# HELP ideatriage_http_requests_total HTTP requests answered, by route and "
	      "status.\n# TYPE ideatriage_http_requests_total counter\n",
	      f);
	for (int r = 0; r < ROUTE_SLOTS; r++) {
		if (r >= n_routes && r != METRICS_MAX_ROUTES)
			continue;
		for (int s = 0; s <= N_STATUS; s++) {
			long v = atomic_load(&requests[r][s]);
			if (!v)
				continue;
			if (s == SLOT_OTHER)
				fprintf(f, "ideatriage_http_requests_total{route=\"%s\",status=\"other\"} %ld\n",
					name_of(r), v);
			else
				fprintf(f, "ideatriage_http_requests_total{route=\"%s\",status=\"%d\"} %ld\n",
					name_of(r), status_codes[s], v);
		}
	}
	fputs("# HELP ideatriage_http_request_duration_seconds Time to answer, by route.\n"
	      "# TYPE ideatriage_http_request_duration_seconds histogram\n",
	      f);
	for (int r = 0; r < ROUTE_SLOTS; r++) {
		if (r >= n_routes && r != METRICS_MAX_ROUTES)
			continue;
		long cum = 0;
		for (int b = 0; b <= N_BUCKETS; b++)
			cum += atomic_load(&latency[r][b]);
		if (!cum)
			continue;
		cum = 0;
		for (int b = 0; b < N_BUCKETS; b++) {
			cum += atomic_load(&latency[r][b]);
			fprintf(f,
				"ideatriage_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %ld\n",
				name_of(r), buckets[b], cum);
		}
		cum += atomic_load(&latency[r][N_BUCKETS]);
		fprintf(f,
			"ideatriage_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %ld\n",
			name_of(r), cum);
		fprintf(f, "ideatriage_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
			name_of(r), (double)atomic_load(&latency_sum_us[r]) / 1e6);
		fprintf(f, "ideatriage_http_request_duration_seconds_count{route=\"%s\"} %ld\n",
			name_of(r), cum);
	}
	for (int c = 0; c < M_COUNTER_LEN; c++)
		fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %ld\n", counter_names[c][0],
			counter_names[c][1], counter_names[c][0], counter_names[c][0],
			atomic_load(&counters[c]));
	render_sync(f);
	render_sync_success(f);
	render_limits(f);
}
