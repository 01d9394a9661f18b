/* intake/http/addrcount.h - open connections per client address, shared by
 * every worker thread (the gate's http.max_connections_per_client). A fixed
 * table of buckets under one lock: an address is counted from its first
 * connection and forgotten at its last, so the table holds only live
 * clients. */
#ifndef INTAKE_HTTP_ADDRCOUNT_H
#define INTAKE_HTTP_ADDRCOUNT_H

#include <arpa/inet.h>
#include <pthread.h>

#define ADDRCOUNT_BUCKETS 1024

struct addr_count {
	struct addr_count *next;
	int n;
	char addr[INET6_ADDRSTRLEN];
};

/* Embedded in its owner: addrcount_init, then addrcount_cleanup. */
struct addrcount {
	pthread_mutex_t lock;
	struct addr_count *buckets[ADDRCOUNT_BUCKETS];
};

void addrcount_init(struct addrcount *t);
void addrcount_cleanup(struct addrcount *t); /* frees what is still counted */

/* Adds delta to addr's (borrowed) open connections; returns the new count.
 * Out of memory on an address's first connection counts it as 0. */
int addrcount_add(struct addrcount *t, const char *addr, int delta);

#endif
