/* intake/metrics_process.c - the process_* metrics every Prometheus client
 * library exports (the "process collector"), read from /proc/self at each
 * scrape, so a dashboard built for any other service works here too. */
#include "intake/metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Fields of /proc/self/stat (proc(5)) the metrics need. */
struct proc_stat {
	unsigned long long utime, stime; /* clock ticks */
	unsigned long long starttime;    /* clock ticks after boot */
	unsigned long long vsize;        /* bytes */
	long long rss;                   /* pages */
};

static int read_stat(struct proc_stat *ps)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name (field 2) may hold spaces and ')': skip to the last ')' */
	const char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* from field 3 (state) on; fields 14, 15, 22, 23 and 24 */
	int got = sscanf(p + 1,
			 " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d"
			 " %*d %*d %llu %llu %lld",
			 &ps->utime, &ps->stime, &ps->starttime, &ps->vsize, &ps->rss);
	return got == 5 ? 0 : -1;
}

/* The boot time (Unix seconds), the origin of starttime. */
static long long boot_time(void)
{
	char line[256];
	long long bt = -1;
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	long n = 0;
	const struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* not the one opendir holds */
}

static void gauge(FILE *f, const char *name, const char *help, const char *type, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", name, help, name, type, name, v);
}

void metrics_render_process(FILE *f)
{
	double tick = (double)sysconf(_SC_CLK_TCK);
	long page = sysconf(_SC_PAGESIZE);
	struct proc_stat ps;
	if (tick > 0 && read_stat(&ps) == 0) {
		gauge(f, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
		      "counter", (double)(ps.utime + ps.stime) / tick);
		gauge(f, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
		      (double)ps.rss * (double)page);
		gauge(f, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
		      (double)ps.vsize);
		long long bt = boot_time();
		if (bt >= 0)
			gauge(f, "process_start_time_seconds",
			      "Start time of the process since unix epoch in seconds.", "gauge",
			      (double)bt + (double)ps.starttime / tick);
	}
	long fds = open_fds();
	if (fds >= 0)
		gauge(f, "process_open_fds", "Number of open file descriptors.", "gauge", (double)fds);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		gauge(f, "process_max_fds", "Maximum number of open file descriptors.", "gauge",
		      (double)rl.rlim_cur);
}
