/* The subcommands main.c dispatches to, one file each. */
#ifndef MHP_COMMANDS_H
#define MHP_COMMANDS_H

int mhp_cmd_topo(int argc, char **argv);
int mhp_cmd_kernel(int argc, char **argv);
int mhp_cmd_gate(int argc, char **argv);
int mhp_cmd_bisect(int argc, char **argv);
int mhp_cmd_bisect_step(int argc, char **argv);

#endif
