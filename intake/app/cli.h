/* intake/app/cli.h - the `ideatriage` command line. */
#ifndef INTAKE_CLI_H
#define INTAKE_CLI_H

/* Runs the command in argv; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
