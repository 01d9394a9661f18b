/* tests/bench/attach_bench.c - latency of attaching one new mention
 * (candidate retrieval + verification + insert + rescore), one transaction
 * each, as the webhook and the API do.
 *   attach_bench CONNINFO NOTES.csv [SCORING.json]
 * Prints p50, p95, p99 and max in milliseconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors/sales.h"
#include "intake/pipeline.h"
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
	double *ms = calloc((size_t)b.nmentions + 1, sizeof(double));
	int merged = 0;
	for (int i = 0; i < b.nmentions; i++) {
		struct timespec t0, t1;
		struct ingest_result r;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pipeline_ingest(c, &t, &b.mentions[i], "bench", &r, &err) < 0) {
			fprintf(stderr, "row %d: %s\n", i, err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		merged += r.merged;
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)b.nmentions, sizeof(double), cmp_d);
	double sum = 0;
	for (int i = 0; i < b.nmentions; i++)
		sum += ms[i];
	int k = b.nmentions;
	printf("attach one mention (%d, one transaction each, %d joined an idea): mean %.2f ms, "
	       "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n",
	       k, merged, sum / k, ms[k / 2], ms[k * 95 / 100], ms[k * 99 / 100], ms[k - 1]);
	free(ms);
	PQfinish(c);
	sales_batch_clear(&b);
	triage_ctx_cleanup(&t);
	triage_rules_free(rules);
	return 0;
}
