/* tests/bench/fake_github.c - the tests' fake GitHub as a standalone server
 * for tests/bench/sync_bench.sh:
 *   fake_github PORT REPO COUNT   (serves COUNT issues of REPO, a public
 *                                  repository, until SIGTERM)
 * Prints "listening on http://127.0.0.1:PORT" once it answers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake_upstream.h"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: fake_github PORT OWNER/NAME COUNT\n");
		return 2;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	struct fake *f = fake_start(atoi(argv[1]));
	if (!f) {
		fprintf(stderr, "fake_github: cannot listen on port %s\n", argv[1]);
		return 1;
	}
	fake_github_add(f, argv[2], atoi(argv[3]), 0);
	printf("listening on %s\n", fake_url(f));
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	fprintf(stderr, "fake_github: %d requests served\n", fake_nrequests(f));
	fake_stop(f);
	return 0;
}
