/* intake/http/addrcount.c - see addrcount.h. */
#include "intake/http/addrcount.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a of the address text, into a bucket. */
static uint32_t addr_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % ADDRCOUNT_BUCKETS;
}

void addrcount_init(struct addrcount *t)
{
	memset(t->buckets, 0, sizeof(t->buckets));
	pthread_mutex_init(&t->lock, NULL);
}

void addrcount_cleanup(struct addrcount *t)
{
	for (int i = 0; i < ADDRCOUNT_BUCKETS; i++)
		while (t->buckets[i]) {
			struct addr_count *a = t->buckets[i];
			t->buckets[i] = a->next;
			free(a);
		}
	pthread_mutex_destroy(&t->lock);
}

int addrcount_add(struct addrcount *t, const char *addr, int delta)
{
	pthread_mutex_lock(&t->lock);
	struct addr_count **p = &t->buckets[addr_hash(addr)];
	while (*p && strcmp((*p)->addr, addr) != 0)
		p = &(*p)->next;
	if (!*p && delta > 0 && (*p = calloc(1, sizeof(**p))))
		snprintf((*p)->addr, sizeof((*p)->addr), "%s", addr);
	int n = 0;
	if (*p) {
		n = ((*p)->n += delta);
		if (n <= 0) {
			struct addr_count *gone = *p;
			*p = gone->next;
			free(gone);
		}
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}
