/* intake/main.c - the ideatriage binary. */
#include "intake/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
