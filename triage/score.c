#include "triage/score.h"

#include <math.h>

double score_demand(const struct demand *d)
{
	if (d->requesters <= 0)
		return 0.0;
	double base = log2(1.0 + d->requesters);
	double sources = d->sources > 1 ? 1.0 + 0.25 * (d->sources - 1) : 1.0;
	return base * sources;
}
