#include "triage/idea.h"

#include <string.h>

static const char *const cat_names[CAT_LEN] = {"security", "reliability", "performance",
					       "feature"};
static const char *const rt_names[RT_LEN] = {"client", "cloud", "both"};

const char *category_name(enum category c)
{
	return (unsigned)c < CAT_LEN ? cat_names[c] : "?";
}

int category_from_name(const char *s, enum category *out)
{
	for (int i = 0; i < CAT_LEN; i++)
		if (strcmp(s, cat_names[i]) == 0) {
			*out = (enum category)i;
			return 0;
		}
	return -1;
}

const char *runtime_name(enum runtime r)
{
	return (unsigned)r < RT_LEN ? rt_names[r] : "?";
}

int runtime_from_name(const char *s, enum runtime *out)
{
	for (int i = 0; i < RT_LEN; i++)
		if (strcmp(s, rt_names[i]) == 0) {
			*out = (enum runtime)i;
			return 0;
		}
	return -1;
}
