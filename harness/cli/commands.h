/* The subcommands main.c dispatches to, one file each. */
#ifndef MHP_COMMANDS_H
#define MHP_COMMANDS_H

/* Exit codes, as the kernel's kselftest.h has them (and 128+signo for a
 * signal). */
#define MHP_EXIT_PASS 0
#define MHP_EXIT_FAIL 1
#define MHP_EXIT_USAGE 2
#define MHP_EXIT_SKIP 4

struct option;
struct mhp_suite_args;
struct mhp_kbuild;

/* The next option of argv (getopt_long over opts) that is not one of the
 * suite's (run) or the kernel build's (build, may be NULL), which are
 * applied as they come; MHP_CLI_OPTIONS_END after the last, or
 * MHP_CLI_OPTION_ERROR for a bad value (already said).  Set optind = 1
 * first. */
enum { MHP_CLI_OPTIONS_END = -1, MHP_CLI_OPTION_ERROR = -2 };
int mhp_cli_option(int argc, char **argv, const struct option *opts, struct mhp_suite_args *run,
		   struct mhp_kbuild *build);

/* The kernel to boot: *kernel when set, else the newest /boot/vmlinuz-*
 * (into *owned, which the caller frees).  0, or MHP_EXIT_SKIP (said). */
int mhp_cli_default_kernel(const char **kernel, char **owned);

int mhp_cmd_run(int argc, char **argv);
int mhp_cmd_fuzz(int argc, char **argv);
int mhp_cmd_fuzz_merge(int argc, char **argv);
int mhp_cmd_results(int argc, char **argv);
int mhp_cmd_report(int argc, char **argv);
int mhp_cmd_boot(int argc, char **argv);
int mhp_cmd_topo(int argc, char **argv);
int mhp_cmd_kernel(int argc, char **argv);
int mhp_cmd_gate(int argc, char **argv);
int mhp_cmd_bisect(int argc, char **argv);
int mhp_cmd_bisect_step(int argc, char **argv);

#endif
