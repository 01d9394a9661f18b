/* tests/support/testpg.c - the ctest fixture's throwaway PostgreSQL cluster,
 * started with ideatriage's own embedded-cluster code.
 *   testpg start DIR CONNINFO_FILE   (re)start a cluster in DIR, write the
 *                                    admin conninfo (no dbname) to the file
 *   testpg stop DIR CONNINFO_FILE    stop it */
#include <stdio.h>
#include <string.h>

#include "intake/app/pgembed.h"

#define BINDIR "/usr/lib/postgresql/15/bin"

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: testpg start|stop DIR CONNINFO_FILE\n");
		return 2;
	}
	struct err err = {0};
	if (strcmp(argv[1], "stop") == 0) {
		if (pgembed_stop_dir(argv[2], BINDIR, &err) < 0) {
			fprintf(stderr, "testpg: %s\n", err.msg);
			return 1;
		}
		remove(argv[3]);
		return 0;
	}
	/* fsync off: a test cluster trades durability for speed. */
	struct pgembed_options opt = {
	    .dir = argv[2],
	    .bindir = BINDIR,
	    .dbname = "postgres",
	    .extra_opts = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
			  "-c max_connections=300",
	    .detach = true};
	struct pgembed *pg = pgembed_start(&opt, &err);
	if (!pg) {
		fprintf(stderr, "testpg: %s\n", err.msg);
		return 1;
	}
	FILE *f = fopen(argv[3], "w");
	if (!f) {
		perror(argv[3]);
		pgembed_free(pg);
		return 1;
	}
	/* conninfo is "host='...' user=postgres dbname=postgres"; tests add their own dbname */
	char base[4096];
	snprintf(base, sizeof(base), "%s", pgembed_conninfo(pg));
	char *db = strstr(base, " dbname=");
	if (db)
		*db = '\0';
	fprintf(f, "%s\n", base);
	fclose(f);
	printf("test cluster in %s: %s\n", pgembed_datadir(pg), base);
	pgembed_free(pg);
	return 0;
}
