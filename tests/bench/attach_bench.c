/* tests/bench/attach_bench.c - latency of attaching one new mention
 * (candidate retrieval + verification + insert + rescore) and of the commit
 * after it, one transaction each, as the webhook and the API do.
 *   attach_bench CONNINFO NOTES.csv [SCORING.json]
 * Prints p50, p95, p99 and max in milliseconds. ATTACH_WARMUP=N: the first
 * N notes are attached first and not counted (a new connection's backend
 * fills its catalog caches and the statements are prepared: the first ten
 * attaches of a connection took 4-44 ms; the server's pooled connections
 * are past that). ATTACH_SLOW_MS=X also
 * prints (to stderr) each attach slower than X ms, with its number: slow
 * ones in runs point to interference, scattered ones to costly mentions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors/sales.h"
#include "intake/ingest/ingest.h"
#include "intake/triage_ctx.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: attach_bench CONNINFO NOTES.csv [SCORING.json]\n");
		return 2;
	}
	FILE *f = fopen(argv[2], "rb");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	char *data = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&data, &len);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	fclose(m);
	struct sales_batch b = {0};
	struct err err = {0};
	if (sales_parse_csv(data, len, &b, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	free(data);
	struct triage_rules *rules = triage_rules_load(argc > 3 ? argv[3] : NULL, &err);
	struct triage_ctx t;
	if (!rules || triage_ctx_init(&t, rules, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	PGconn *c = PQconnectdb(argv[1]);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s", PQerrorMessage(c));
		return 1;
	}
	/* the attach itself (retrieval, verification, insert, rescore) and the
	 * commit that makes it durable (a WAL flush), timed apart */
	double *ms = calloc((size_t)b.nmentions + 1, sizeof(double));
	double *cm = calloc((size_t)b.nmentions + 1, sizeof(double));
	double *all = calloc((size_t)b.nmentions + 1, sizeof(double));
	int merged = 0, warmup = getenv("ATTACH_WARMUP") ? atoi(getenv("ATTACH_WARMUP")) : 0;
	if (warmup < 0 || warmup >= b.nmentions)
		warmup = 0;
	for (int i = 0; i < warmup; i++) {
		struct ingest_result r;
		if (ingest_mention(c, &t, &b.mentions[i], "bench", &r, &err) < 0) {
			fprintf(stderr, "warm-up row %d: %s\n", i, err.msg);
			return 1;
		}
	}
	double slow = getenv("ATTACH_SLOW_MS") ? atof(getenv("ATTACH_SLOW_MS")) : 0;
	for (int i = warmup; i < b.nmentions; i++) {
		struct timespec t0, t1, t2;
		struct ingest_result r;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct ingest_tx tx;
		if (ingest_begin(&tx, c, &t, &err) < 0 ||
		    ingest_one(&tx, &b.mentions[i], "bench", &r, &err) < 0) {
			fprintf(stderr, "row %d: %s\n", i, err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (ingest_commit(&tx, &err) < 0) {
			fprintf(stderr, "row %d: %s\n", i, err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t2);
		merged += r.merged;
		int j = i - warmup;
		ms[j] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		cm[j] = (double)(t2.tv_sec - t1.tv_sec) * 1e3 + (double)(t2.tv_nsec - t1.tv_nsec) / 1e6;
		all[j] = ms[j] + cm[j];
		if (slow > 0 && ms[j] > slow)
			fprintf(stderr, "slow attach %d: %.2f ms (commit %.2f ms)\n", i, ms[j], cm[j]);
	}
	int k = b.nmentions - warmup;
	double *sets[] = {ms, cm, all};
	const char *names[] = {"attach (retrieval + verification + insert + rescore)",
			       "commit (WAL flush)", "both (one transaction each, as the API does)"};
	printf("attach one mention at a time: %d mentions, %d joined an idea", k, merged);
	if (warmup)
		printf(" (after %d attaches that warmed the connection up, not counted)", warmup);
	printf("\n");
	for (int s_ = 0; s_ < 3; s_++) {
		double *v = sets[s_], sum = 0;
		qsort(v, (size_t)k, sizeof(double), cmp_d);
		for (int i = 0; i < k; i++)
			sum += v[i];
		printf("  %-50s mean %.2f ms, p50 %.2f, p95 %.2f, p99 %.2f, max %.2f\n", names[s_],
		       sum / k, v[k / 2], v[k * 95 / 100], v[k * 99 / 100], v[k - 1]);
	}
	free(cm);
	free(all);
	free(ms);
	PQfinish(c);
	sales_batch_clear(&b);
	triage_ctx_cleanup(&t);
	triage_rules_free(rules);
	return 0;
}
