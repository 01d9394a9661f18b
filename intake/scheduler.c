/* intake/scheduler.c - placeholder until the connectors land. */
#include "intake/scheduler.h"

#include <stdlib.h>

struct scheduler {
	int unused;
};

struct scheduler *scheduler_start(const struct config *cfg, const char *conninfo,
				  const struct triage_rules *rules, struct err *err)
{
	(void)cfg;
	(void)conninfo;
	(void)rules;
	(void)err;
	return calloc(1, sizeof(struct scheduler));
}

void scheduler_stop(struct scheduler *s)
{
	free(s);
}
