/* The subcommands main.c dispatches to, one file each. */
#ifndef MHP_COMMANDS_H
#define MHP_COMMANDS_H

/* Exit codes, as the kernel's kselftest.h has them (and 128+signo for a
 * signal). */
#define MHP_EXIT_PASS 0
#define MHP_EXIT_FAIL 1
#define MHP_EXIT_USAGE 2
#define MHP_EXIT_SKIP 4

int mhp_cmd_run(int argc, char **argv);
int mhp_cmd_boot(int argc, char **argv);
int mhp_cmd_topo(int argc, char **argv);
int mhp_cmd_kernel(int argc, char **argv);
int mhp_cmd_gate(int argc, char **argv);
int mhp_cmd_bisect(int argc, char **argv);
int mhp_cmd_bisect_step(int argc, char **argv);

#endif
