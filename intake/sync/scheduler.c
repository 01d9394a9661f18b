/* intake/sync/scheduler.c - see scheduler.h.
 *
 * The thread sleeps on a condition variable (monotonic clock) until the next
 * connector is due, a run is requested, or stop is called. "Due" locally is
 * only a hint: sync_run re-reads connector_state.next_run_at under the
 * connector's advisory lock, so N instances share one schedule and a
 * connector another instance just ran is skipped. */
#include "intake/sync/scheduler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "intake/log.h"
#include "intake/sync/sync.h"
#include "intake/triage_ctx.h"

#define SCHED_MAX 8
#define SCHED_DB_RETRY_S 5 /* database down: look again this soon */
#define SCHED_LOCKED_S 15  /* another instance is running it: look again this soon */

struct slot {
	const char *name; /* static, from connector_names */
	struct connector *c;
	long interval_s;
	time_t next; /* wall clock: when to look at it again */
	bool requested;
};

struct scheduler {
	const struct config *cfg;
	const char *conninfo;
	struct triage_live *rules;
	struct connector_config ccfg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool stopping; /* under mu */
	atomic_bool stop; /* read by runs in progress */
	struct slot slots[SCHED_MAX];
	int nslots;
	struct db *db;
	struct triage_ctx t;
	bool t_ok;
};

static pthread_mutex_t current_mu = PTHREAD_MUTEX_INITIALIZER;
static struct scheduler *current;

int scheduler_request_run(const char *name)
{
	int rc = -1;
	pthread_mutex_lock(&current_mu);
	struct scheduler *s = current;
	if (s) {
		pthread_mutex_lock(&s->mu);
		for (int i = 0; i < s->nslots; i++)
			if (strcmp(s->slots[i].name, name) == 0) {
				s->slots[i].requested = true;
				rc = 0;
			}
		pthread_cond_signal(&s->cond);
		pthread_mutex_unlock(&s->mu);
	}
	pthread_mutex_unlock(&current_mu);
	return rc;
}

/* Runs one slot (outside the lock) every interval_s; returns when to look at
 * it again. */
static time_t run_slot(struct scheduler *s, struct slot *sl, long interval_s, bool forced)
{
	time_t now = time(NULL);
	struct err err = {0};
	if (triage_ctx_refresh(&s->t, &err) < 0)
		log_json(LOG_WARN, "scheduler: keeping the old scoring rules",
			 json_pack("{s:s}", "error", err.msg));
	if (!s->db)
		s->db = db_open(s->conninfo, (int)s->cfg->connect_timeout_s, &err);
	if (!s->db || !db_ok(s->db, &err)) {
		log_json(LOG_WARN, "scheduler: database unavailable",
			 json_pack("{s:s, s:s}", "connector", sl->name, "error", err.msg));
		return now + SCHED_DB_RETRY_S;
	}
	struct sync_options o = {.force = forced,
				 .reconcile_interval_s = s->cfg->github_reconcile_interval_s,
				 .interval_s = interval_s,
				 .max_wait_s = s->cfg->conn_max_wait_s,
				 .stop = &s->stop};
	struct sync_result res;
	(void)sync_run(db_conn(s->db), &s->t, sl->c, &o, &res);
	if (res.outcome == SYNC_FAILED)
		db_check_broken(s->db);
	now = time(NULL);
	if (res.outcome == SYNC_LOCKED)
		return now + (interval_s < SCHED_LOCKED_S ? interval_s : SCHED_LOCKED_S);
	if (res.next_run_at > now)
		return res.next_run_at + (random() % 2); /* instances do not wake in lockstep */
	return now + SCHED_DB_RETRY_S;
}

static void *loop(void *arg)
{
	struct scheduler *s = arg;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		time_t now = time(NULL), soonest = now + 3600;
		struct slot *due = NULL;
		for (int i = 0; i < s->nslots && !due; i++)
			if (s->slots[i].requested || s->slots[i].next <= now)
				due = &s->slots[i];
		for (int i = 0; i < s->nslots; i++)
			if (s->slots[i].next < soonest)
				soonest = s->slots[i].next;
		if (!due) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += soonest - now > 0 ? soonest - now : 1;
			pthread_cond_timedwait(&s->cond, &s->mu, &ts);
			continue;
		}
		bool forced = due->requested;
		long interval_s = due->interval_s; /* scheduler_set_intervals writes it under mu */
		due->requested = false;
		pthread_mutex_unlock(&s->mu);
		time_t next = run_slot(s, due, interval_s, forced);
		pthread_mutex_lock(&s->mu);
		due->next = next;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void free_all(struct scheduler *s)
{
	for (int i = 0; i < s->nslots; i++)
		connector_free(s->slots[i].c);
	db_close(s->db);
	if (s->t_ok)
		triage_ctx_cleanup(&s->t);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

struct scheduler *scheduler_start(const struct config *cfg, const char *conninfo,
				  struct triage_live *rules, struct err *err)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->conninfo = conninfo;
	s->rules = rules;
	atomic_init(&s->stop, false);
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* a wall-clock jump cannot stall it */
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	sync_connector_config(cfg, &s->stop, &s->ccfg);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int i = 0; connector_names[i] && s->nslots < SCHED_MAX; i++) {
		if (!sync_configured(cfg, connector_names[i]))
			continue;
		struct connector *c = connector_new(connector_names[i], &s->ccfg, err);
		if (!c) {
			free_all(s);
			return NULL;
		}
		struct slot *sl = &s->slots[s->nslots++];
		sl->name = connector_names[i];
		sl->c = c;
		sl->interval_s = sync_interval(cfg, sl->name);
		sl->next = time(NULL); /* due now: next_run_at in the database decides */
	}
	if (triage_ctx_init_live(&s->t, rules, err) < 0) {
		free_all(s);
		return NULL;
	}
	s->t_ok = true;
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		err_set(err, "cannot start the scheduler thread");
		free_all(s);
		return NULL;
	}
	pthread_mutex_lock(&current_mu);
	current = s;
	pthread_mutex_unlock(&current_mu);
	if (s->nslots)
		log_json(LOG_INFO, "scheduler started", json_pack("{s:i}", "connectors", s->nslots));
	return s;
}

void scheduler_set_intervals(struct scheduler *s, const struct config *cfg)
{
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < s->nslots; i++)
		s->slots[i].interval_s = sync_interval(cfg, s->slots[i].name);
	pthread_mutex_unlock(&s->mu);
}

void scheduler_stop(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&current_mu);
	if (current == s)
		current = NULL;
	pthread_mutex_unlock(&current_mu);
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	atomic_store(&s->stop, true);
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	free_all(s);
}
