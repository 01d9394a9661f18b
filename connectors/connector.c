#include "connectors/connector.h"

#include <string.h>

const char *const connector_names[] = {"github", "reddit", "sales", NULL};

int connector_known(const char *name)
{
	for (int i = 0; connector_names[i]; i++)
		if (strcmp(connector_names[i], name) == 0)
			return 1;
	return 0;
}
