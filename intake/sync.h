/* intake/sync.h - `ideatriage sync NAME|--all`: run connectors once. */
#ifndef INTAKE_SYNC_H
#define INTAKE_SYNC_H

/* argv: the arguments after "sync". Returns the process exit status. */
int sync_cli(const char *config_file, int argc, char **argv);

#endif
