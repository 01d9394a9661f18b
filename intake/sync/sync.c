/* intake/sync/sync.c - one connector run: fetch a batch, write it and the next
 * cursor in one transaction, acknowledge it, repeat until done. See sync.h. */
#include "intake/sync/sync.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/connector_runs.h"
#include "db/mention_privacy.h"
#include "intake/log.h"
#include "intake/metrics.h"
#include "intake/ingest/ingest.h"
#include "intake/triage_ctx.h"

#define SYNC_MAX_BATCHES 1000000 /* a runaway upstream (a Link loop) ends here */
#define SYNC_MAX_WAITS 10        /* rate-limit waits inside one run */

const char *sync_outcome_name(enum sync_outcome o)
{
	switch (o) {
	case SYNC_OK: return "ok";
	case SYNC_FAILED: return "error";
	case SYNC_LOCKED: return "locked";
	case SYNC_NOT_DUE: return "not_due";
	}
	return "?";
}

long sync_next_delay(long interval_s, int failures, long retry_after)
{
	long d = interval_s;
	if (failures > 0) {
		int shift = failures - 1 > 20 ? 20 : failures - 1;
		long backoff = 30L << shift;
		d = backoff < interval_s ? backoff : interval_s;
	}
	if (retry_after > d)
		d = retry_after;
	/* +-10%, at least a second either way when d is small */
	long spread = d / 10 > 1 ? d / 10 : 1;
	d += (long)(random() % (2 * spread + 1)) - spread;
	if (retry_after > 0 && d < retry_after)
		d = retry_after; /* never before the upstream said */
	return d < 1 ? 1 : d;
}

void sync_connector_config(const struct config *cfg, const atomic_bool *cancel,
                           struct connector_config *out)
{
	memset(out, 0, sizeof(*out));
	out->connect_timeout_s = cfg->conn_connect_timeout_s;
	out->timeout_s = cfg->conn_timeout_s;
	out->max_response_bytes = (size_t)cfg->conn_max_response_bytes;
	out->user_agent = cfg->conn_user_agent;
	out->cancel = cancel;
	out->github_api_url = cfg->github_api_url;
	out->github_repos = (const char *const *)cfg->github_repos.items;
	out->github_nrepos = cfg->github_repos.len;
	out->github_token = cfg->github_token;
	out->github_private_repos = (const char *const *)cfg->github_private_repos.items;
	out->github_nprivate = cfg->github_private_repos.len;
	out->reddit_api_url = cfg->reddit_api_url;
	out->reddit_auth_url = cfg->reddit_auth_url;
	out->reddit_subreddits = cfg->reddit_subreddits;
	out->reddit_client_id = cfg->reddit_client_id;
	out->reddit_client_secret = cfg->reddit_client_secret;
	out->sales_inbox_dir = cfg->sales_inbox_dir;
	out->sales_settle_s = cfg->sales_settle_s;
}

bool sync_configured(const struct config *cfg, const char *name)
{
	if (strcmp(name, "github") == 0)
		return cfg->github_repos.len > 0;
	if (strcmp(name, "reddit") == 0)
		return strcmp(cfg->reddit_subreddits, "[]") != 0;
	if (strcmp(name, "sales") == 0)
		return cfg->sales_inbox_dir[0] != '\0';
	return false;
}

long sync_interval(const struct config *cfg, const char *name)
{
	if (strcmp(name, "github") == 0)
		return cfg->github_interval_s;
	if (strcmp(name, "reddit") == 0)
		return cfg->reddit_interval_s;
	return cfg->sales_interval_s;
}

/* ---- connector_state ---- */

static char *stats_json(const struct sync_stats *s)
{
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "fetched", (json_int_t)s->fetched,
	                      "new", (json_int_t)s->added, "updated", (json_int_t)s->updated,
	                      "unchanged", (json_int_t)s->unchanged, "errors",
	                      (json_int_t)s->errors, "requests", (json_int_t)s->requests, "gone",
	                      (json_int_t)s->gone);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return text;
}

/* Records the end of a run; returns next_run_at (Unix seconds) or 0. */
static time_t record_end(PGconn *pg, const char *name, bool ok, const struct sync_result *res,
                         long delay_s)
{
	char *stats = stats_json(&res->stats);
	struct db_connector_run_end e = {.ok = ok,
	                                 .duration_ms = res->duration_ms,
	                                 .delay_s = delay_s,
	                                 .stats_json = stats ? stats : "{}",
	                                 .error = res->error};
	time_t next = 0;
	struct err err = {0};
	if (db_connector_run_end(pg, name, &e, &next, &err) < 0)
		log_json(LOG_ERROR, "cannot record a connector run",
		         json_pack("{s:s, s:s}", "connector", name, "error", err.msg));
	free(stats);
	return next;
}

/* ---- one batch ---- */

/* Inside the batch's transaction, before its mentions are written: the
 * stored mentions whose upstream turned private stop being public
 * (connector_batch.unpublish), so they leave every outside view with the
 * commit that stores the cursor saying so. */
static int unpublish(PGconn *pg, const char *name, const struct connector_batch *b, struct err *err)
{
	for (char **p = b->unpublish; p && *p; p++) {
		long n = 0;
		if (db_mentions_unpublish(pg, name, *p, &n, err) < 0)
			return -1;
		if (n > 0)
			log_json(LOG_INFO, "mentions made private: their upstream is private now",
			         json_pack("{s:s, s:s, s:I}", "connector", name, "external_ids", *p,
			                   "count", (json_int_t)n));
	}
	return 0;
}

/* Ingests b's mentions and stores its cursor in one transaction. A mention the
 * pipeline rejects without breaking the transaction is counted and skipped; a
 * database error rolls the whole batch back (tried twice on a deadlock or a
 * race with a webhook delivering the same item). */
static int write_one_by_one(PGconn *pg, struct triage_ctx *t, const char *name,
                            const struct connector_batch *b, struct sync_stats *st, struct err *err)
{
	for (int attempt = 0;; attempt++) {
		struct sync_stats add = {0};
		bool failed = false;
		struct ingest_tx tx;
		if (ingest_begin(&tx, pg, t, err) < 0)
			return -1;
		failed = unpublish(pg, name, b, err) < 0;
		for (int i = 0; i < b->nmentions && !failed; i++) {
			struct ingest_result r;
			struct err ierr = {0};
			if (ingest_one(&tx, &b->mentions[i], "triage", &r, &ierr) < 0) {
				if (PQtransactionStatus(pg) == PQTRANS_INERROR || !ierr.field[0]) {
					*err = ierr;
					failed = true;
					break;
				}
				add.errors++;
				log_json(LOG_WARN, "connector item rejected",
				         json_pack("{s:s, s:s, s:s}", "connector", name, "external_id",
				                   b->mentions[i].external_id ? b->mentions[i].external_id
				                                              : "",
				                   "error", ierr.msg));
				continue;
			}
			add.added += r.outcome == INGEST_NEW;
			add.updated += r.outcome == INGEST_UPDATED;
			add.unchanged += r.outcome == INGEST_UNCHANGED || r.outcome == INGEST_STALE;
		}
		if (!failed)
			failed = db_connector_save_cursor(pg, name, b->next_cursor, err) < 0;
		if (!failed && ingest_commit(&tx, err) == 0) {
			st->added += add.added;
			st->updated += add.updated;
			st->unchanged += add.unchanged;
			st->errors += add.errors;
			return 0;
		}
		ingest_rollback(&tx);
		if (attempt < 2 && db_err_retryable(err))
			continue;
		return -1;
	}
}

/* The whole page through the many-at-once ingest, with its cursor, in one
 * transaction. When an item is refused (it would be skipped and counted),
 * the page is written again one item at a time, which can skip it. */
static int write_batch(PGconn *pg, struct triage_ctx *t, const char *name,
                       const struct connector_batch *b, struct sync_stats *st, struct err *err)
{
	if (b->nmentions == 0)
		return write_one_by_one(pg, t, name, b, st, err);
	struct ingest_result *res = calloc((size_t)b->nmentions, sizeof(*res));
	for (int attempt = 0;; attempt++) {
		struct err ierr = {0};
		int failed = -1;
		struct ingest_tx tx;
		if (ingest_begin(&tx, pg, t, err) < 0) {
			free(res);
			return -1;
		}
		if (unpublish(pg, name, b, &ierr) == 0 &&
		    ingest_many(&tx, b->mentions, b->nmentions, "triage", res, &failed,
		                &ierr) == 0 &&
		    db_connector_save_cursor(pg, name, b->next_cursor, &ierr) == 0 &&
		    ingest_commit(&tx, &ierr) == 0) {
			for (int i = 0; i < b->nmentions; i++) {
				st->added += res[i].outcome == INGEST_NEW;
				st->updated += res[i].outcome == INGEST_UPDATED;
				st->unchanged += res[i].outcome == INGEST_UNCHANGED || res[i].outcome == INGEST_STALE;
			}
			free(res);
			return 0;
		}
		bool refused = ierr.field[0] && PQtransactionStatus(pg) != PQTRANS_INERROR;
		ingest_rollback(&tx);
		if (refused) {
			free(res);
			return write_one_by_one(pg, t, name, b, st, err);
		}
		if (attempt < 2 && db_err_retryable(&ierr))
			continue;
		*err = ierr;
		free(res);
		return -1;
	}
}

/* Items checked against the upstream per run: the ones not seen for the
 * longest time. A listing never shows a deletion; this finds them, a few
 * requests at a time, so a backlog is reconciled in rotation. */
#define RECONCILE_PER_RUN 20

/* Asks the upstream whether the least recently seen known posts of this
 * connector still exist; the pipeline marks the deleted ones (and their
 * comments) and rescores their ideas, in one transaction. A failure here is
 * logged, not a failed run: the listing was written already. */
static void reconcile(PGconn *pg, struct triage_ctx *t, struct connector *c, long interval_s,
                      struct sync_stats *st)
{
	const char *name = connector_name(c);
	if (strcmp(name, "github") != 0)
		return; /* the others cannot tell (Reddit marks removals in its listing) */
	struct err err = {0};
	/* at most every interval_s; the first run only starts the clock (it
	 * has just listed everything) */
	bool run = false;
	if (db_connector_reconcile_due(pg, name, interval_s, &run, &err) < 0 || !run)
		return;
	char **ids = NULL;
	int n = 0;
	if (db_posts_least_seen(pg, "github", RECONCILE_PER_RUN, &ids, &n, &err) < 0)
		return;
	bool *gone = calloc((size_t)n + 1, sizeof(bool));
	long wait = 0;
	int requests = 0;
	int checked = n ? connector_verify(c, (const char *const *)ids, n, gone, &requests, &wait, &err) : 0;
	st->requests += requests;
	if (checked > 0) {
		const char **dead = calloc((size_t)checked + 1, sizeof(char *)),
		           **alive = calloc((size_t)checked + 1, sizeof(char *));
		int nd = 0, na = 0, marked = 0;
		for (int i = 0; i < checked; i++) {
			if (gone[i])
				dead[nd++] = ids[i];
			else
				alive[na++] = ids[i];
		}
		struct ingest_tx tx;
		if (ingest_begin(&tx, pg, t, &err) == 0 &&
		    ingest_mark_gone(&tx, SRC_GITHUB, dead, nd, alive, na, &marked, &err) == 0 &&
		    ingest_commit(&tx, &err) == 0)
			st->gone += nd;
		else
			ingest_rollback(&tx);
		free(dead);
		free(alive);
	}
	if (checked < 0 || err.msg[0])
		log_json(LOG_WARN, "connector reconciliation incomplete",
		         json_pack("{s:s, s:s}", "connector", name, "error", err.msg));
	free(ids);
	free(gone);
}

/* Sleeps seconds, waking early when *stop turns true. */
static void nap(long seconds, const atomic_bool *stop)
{
	for (long i = 0; i < seconds * 10; i++) {
		if (stop && atomic_load(stop))
			return;
		usleep(100 * 1000);
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* The next page fetched in a thread of its own while the current one is
 * written: the upstream's time and ours overlap. Only one fetch runs at a
 * time, so the connector is never used by two threads at once. */
struct prefetch {
	pthread_t thread;
	bool running;
	struct connector *c;
	char *cursor;
	struct connector_batch b;
	long wait;
	int rc;
	struct err err;
};

static void *prefetch_main(void *arg)
{
	struct prefetch *p = arg;
	p->rc = connector_fetch(p->c, p->cursor, &p->b, &p->wait, &p->err);
	return NULL;
}

static void prefetch_start(struct prefetch *p, struct connector *c, const char *cursor)
{
	memset(p, 0, sizeof(*p));
	p->c = c;
	p->cursor = strdup(cursor);
	p->running = pthread_create(&p->thread, NULL, prefetch_main, p) == 0;
	if (!p->running)
		free(p->cursor);
}

/* Waits for the fetch; true when it ran (its result is in p). */
static bool prefetch_join(struct prefetch *p)
{
	if (!p->running)
		return false;
	pthread_join(p->thread, NULL);
	p->running = false;
	free(p->cursor);
	p->cursor = NULL;
	return true;
}

static void prefetch_discard(struct prefetch *p)
{
	if (prefetch_join(p) && p->rc == 0)
		connector_batch_clear(&p->b);
}

/* The next batch: the one fetched while the last was written, or one fetched
 * now. connector_fetch's return, *b, *wait and *err. */
static int next_batch(struct connector *c, struct prefetch *pf, const char *cursor,
                      struct connector_batch *b, long *wait, struct err *err)
{
	if (!prefetch_join(pf))
		return connector_fetch(c, cursor, b, wait, err);
	*b = pf->b;
	*wait = pf->wait;
	if (pf->rc < 0)
		*err = pf->err;
	return pf->rc;
}

/* After a failed fetch: true when the upstream's rate limit (wait seconds) is
 * short enough to wait out inside the run, and it has been. */
static bool waited_out(const char *name, const struct sync_options *o, long wait, int *waits)
{
	if (wait <= 0 || wait > o->max_wait_s || (*waits)++ >= SYNC_MAX_WAITS)
		return false;
	log_json(LOG_INFO, "rate limited: waiting",
	         json_pack("{s:s, s:i}", "connector", name, "seconds", (int)wait));
	nap(wait, o->stop);
	return true;
}

static void count_batch(const char *name, const struct connector_batch *b, struct sync_stats *st)
{
	st->fetched += b->nmentions;
	st->errors += b->errors;
	st->requests += b->requests;
	st->batches++;
	metrics_sync_fetched(name, b->nmentions);
}

/* After b is committed: the connector acknowledges it (a sales file moves
 * away), and the run goes on from b's cursor (moved into *cursor). */
static void finish_batch(struct connector *c, const char *name, struct connector_batch *b,
                         char **cursor)
{
	struct err aerr = {0};
	if (connector_ack(c, b, &aerr) < 0)
		log_json(LOG_WARN, "connector batch committed but not acknowledged",
		         json_pack("{s:s, s:s}", "connector", name, "error", aerr.msg));
	if (b->note)
		log_json(LOG_DEBUG, b->note, json_pack("{s:s}", "connector", name));
	free(*cursor);
	*cursor = b->next_cursor;
	b->next_cursor = NULL;
}

/* The fetch/write/ack loop; 0 or -1 with *err (*retry_after on a rate limit). */
static int run_batches(PGconn *pg, struct triage_ctx *t, struct connector *c,
                       const struct sync_options *o, char **cursor, struct sync_stats *st,
                       long *retry_after, struct err *err)
{
	const char *name = connector_name(c);
	int waits = 0;
	struct prefetch pf = {0};
	connector_rewind(c);
	for (int n = 0; n < SYNC_MAX_BATCHES; n++) {
		if (o->stop && atomic_load(o->stop)) {
			prefetch_discard(&pf);
			return err_set(err, "stopped before the run finished (shutting down)");
		}
		struct connector_batch b;
		long wait = 0;
		if (next_batch(c, &pf, *cursor, &b, &wait, err) < 0) {
			st->requests++; /* a failed fetch cost at least one request */
			if (waited_out(name, o, wait, &waits)) {
				n--;
				continue;
			}
			*retry_after = wait;
			return -1;
		}
		count_batch(name, &b, st);
		if (!b.done && connector_can_prefetch(c))
			prefetch_start(&pf, c, b.next_cursor);
		if (b.nmentions > 0 || b.unpublish || strcmp(b.next_cursor, *cursor) != 0) {
			if (write_batch(pg, t, name, &b, st, err) < 0) {
				connector_batch_clear(&b);
				prefetch_discard(&pf); /* its cursor follows a batch not written */
				return -1;
			}
		}
		finish_batch(c, name, &b, cursor);
		bool done = b.done;
		connector_batch_clear(&b);
		if (o->progress)
			o->progress(name, st, o->arg);
		if (done) {
			prefetch_discard(&pf);
			return 0;
		}
	}
	prefetch_discard(&pf);
	return err_set(err, "more than %d batches in one run: stopped", SYNC_MAX_BATCHES);
}

/* Takes connector name's lock and reads its state: SYNC_OK when the run goes
 * ahead (the lock held, *st filled), SYNC_LOCKED or SYNC_NOT_DUE when it is
 * skipped (*st->next_run_at set for the latter), SYNC_FAILED and *err. */
static enum sync_outcome claim(PGconn *pg, const char *name, bool force,
                               struct db_connector_state *st, struct err *err)
{
	bool got = false;
	if (db_connector_try_lock(pg, name, &got, err) < 0)
		return SYNC_FAILED;
	if (!got)
		return SYNC_LOCKED;
	if (db_connector_state_read(pg, name, st, err) < 0) {
		db_connector_unlock(pg, name);
		return SYNC_FAILED;
	}
	if (!force && !st->due) {
		/* another instance ran it a moment ago */
		db_connector_unlock(pg, name);
		free(st->cursor);
		st->cursor = NULL;
		return SYNC_NOT_DUE;
	}
	return SYNC_OK;
}

static void log_end(const char *name, int rc, const struct sync_result *out)
{
	log_json(rc == 0 ? LOG_INFO : LOG_WARN, rc == 0 ? "connector run finished" : "connector run failed",
	         json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s?}", "connector", name,
	                   "fetched", (json_int_t)out->stats.fetched, "new",
	                   (json_int_t)out->stats.added, "updated", (json_int_t)out->stats.updated,
	                   "unchanged", (json_int_t)out->stats.unchanged, "gone",
	                   (json_int_t)out->stats.gone, "errors",
	                   (json_int_t)out->stats.errors, "requests",
	                   (json_int_t)out->stats.requests, "duration_ms",
	                   (json_int_t)out->duration_ms, "error", rc == 0 ? NULL : out->error));
}

int sync_run(PGconn *pg, struct triage_ctx *t, struct connector *c, const struct sync_options *o,
             struct sync_result *out)
{
	memset(out, 0, sizeof(*out));
	const char *name = connector_name(c);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct err err = {0};
	struct db_connector_state st = {0};
	out->outcome = claim(pg, name, o->force, &st, &err);
	if (out->outcome == SYNC_NOT_DUE)
		out->next_run_at = st.next_run_at;
	if (out->outcome == SYNC_FAILED)
		snprintf(out->error, sizeof(out->error), "%s", err.msg);
	if (out->outcome == SYNC_FAILED || out->outcome == SYNC_LOCKED)
		metrics_sync_run(name, sync_outcome_name(out->outcome));
	if (out->outcome != SYNC_OK)
		return out->outcome == SYNC_FAILED ? -1 : 0;
	db_connector_run_started(pg, name);

	int rc = run_batches(pg, t, c, o, &st.cursor, &out->stats, &out->retry_after, &err);
	if (rc == 0 && !(o->stop && atomic_load(o->stop)))
		reconcile(pg, t, c, o->reconcile_interval_s, &out->stats);
	out->duration_ms = ms_since(&t0);
	bool stopped = o->stop && atomic_load(o->stop);
	if (rc == 0) {
		out->outcome = SYNC_OK;
		out->next_run_at =
		    record_end(pg, name, true, out, sync_next_delay(o->interval_s, 0, 0));
	} else {
		out->outcome = SYNC_FAILED;
		snprintf(out->error, sizeof(out->error), "%s", err.msg);
		/* a shutdown is not the upstream's fault: no backoff for it */
		int failures = stopped ? 0 : st.failures + 1;
		out->next_run_at = record_end(pg, name, false, out,
		                              sync_next_delay(o->interval_s, failures, out->retry_after));
	}
	db_connector_unlock(pg, name);
	free(st.cursor);
	metrics_sync_run(name, rc == 0 ? "ok" : "error");
	log_end(name, rc, out);
	return rc;
}
