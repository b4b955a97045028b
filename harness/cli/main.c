/* mhp: the command line only.  Dispatches through the command table; each
 * command is one cli/cmd-*.c. */
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>

#include "guest/libvirt-embed.h"
#include "cli/commands.h"
#include "lib/cleanup.h"
#include "lib/process.h"
#include "lib/util.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int cmd_help(int argc, char **argv);

static void on_signal(int sig)
{
	mhp_interrupted = sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static const struct cmd commands[] = {
	{ "run", mhp_cmd_run, "run topologies and report a verdict for each" },
	{ "boot", mhp_cmd_boot, "boot a topology's machine and power off (a bare boot)" },
	{ "kernel", mhp_cmd_kernel, "build a minimal hotplug kernel from a tree, with patches (kernel build)" },
	{ "gate", mhp_cmd_gate, "does a patch series break hotplug? its checks against the baseline kernel's" },
	{ "bisect", mhp_cmd_bisect, "find the commit that broke a check (drives git bisect run)" },
	{ "fuzz", mhp_cmd_fuzz, "random machines and hotplug sequences: distinct failures, minimised reproducers" },
	{ "report", mhp_cmd_report, "an HTML page of runs: memory maps, zones by step, failed checks" },
	{ "results", mhp_cmd_results, "merge the shards of a suite or a gate (run, gate --shard K/N)" },
	{ "topo", mhp_cmd_topo, "check, show, or turn a topology into ACPI tables or a QEMU command line" },
	{ "help", cmd_help, "show this help, or a command's" },
};

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			if (!strcmp(commands[i].name, argv[1]) && commands[i].fn != cmd_help) {
				char *args[] = { argv[1], "--help", NULL };
				return commands[i].fn(2, args);
			}
		fprintf(stderr, "mhp: unknown command '%s'\n", argv[1]);
		return MHP_EXIT_USAGE;
	}
	printf("usage: mhp [--version] COMMAND [ARGS]\n\nLinux memory hotplug test harness.\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-8s %s\n", commands[i].name, commands[i].help);
	printf("\n'mhp COMMAND --help' tells more.\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	/* libvirt's emulator for TCG (guest/libvirt-embed.h): nothing of mhp. */
	if (!strcmp(name ? name + 1 : argv[0], MHP_QEMU_TCG_WRAPPER))
		return mhp_qemu_tcg_wrapper_main(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	install_signals();
	/* Orphaned descendants come to us, so none outlives mhp. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (argc < 2) {
		cmd_help(1, argv);
		return MHP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version")) {
		puts("mhp 0.1");
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, argv[1])) {
			int r = commands[i].fn(argc - 1, argv + 1);
			/* A grandchild still running (a bisect step whose git was
			 * stopped) goes with us. */
			mhp_reap_orphans(800);
			return r;
		}
	/* What mhp bisect has git bisect run call; not for people. */
	if (!strcmp(argv[1], "bisect-step"))
		return mhp_cmd_bisect_step(argc - 1, argv + 1);
	fprintf(stderr, "mhp: unknown command '%s'; see 'mhp --help'\n", argv[1]);
	return MHP_EXIT_USAGE;
}
