/* intake/sync.c - placeholder until the connectors land. */
#include "intake/sync.h"

#include <stdio.h>

int sync_cli(const char *config_file, int argc, char **argv)
{
	(void)config_file;
	(void)argc;
	(void)argv;
	fprintf(stderr, "ideatriage: 'sync' is not yet available in this build\n");
	return 2;
}
