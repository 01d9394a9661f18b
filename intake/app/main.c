/* intake/app/main.c - the ideatriage binary. */
#include "intake/app/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
