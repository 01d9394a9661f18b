#include "triage/embed.h"

#include <string.h>

const struct embedded_file *embedded_find(const struct embedded_file *files, const char *name)
{
	for (const struct embedded_file *f = files; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
