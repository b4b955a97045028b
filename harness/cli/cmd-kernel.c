/* mhp kernel build: a minimal kernel for hotplug guests from a tree. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "cli/commands.h"
#include "kernel/kernel-build.h"
#include "lib/util.h"

static const char kernel_usage[] =
	"usage: mhp kernel build --src TREE [--rev REV] [--series DIR] [--patch FILE]...\n"
	"                        [--config FRAGMENT] [--jobs N] [--cache DIR]\n"
	"\n"
	"Builds bzImage from TREE (a git tree or an unpacked source): tinyconfig +\n"
	"kernel-patches/configs/mhp.config + FRAGMENT, merged with the kernel's\n"
	"merge_config.sh, then checked option by option after olddefconfig. Patches\n"
	"(a series directory's \"series\" file, then each --patch) go onto a copy, never\n"
	"onto TREE: mhp keeps its own work tree and O= directory per source under\n"
	"the cache (default ~/.cache/mhp), so the next build recompiles only what\n"
	"changed. Kernels are kept by commit, patches and config (CACHE/kernels).\n"
	"Prints the bzImage path.\n";

static int kernel_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rev", required_argument, NULL, 'r' }, { "series", required_argument, NULL, 'S' },
		{ "patch", required_argument, NULL, 'p' }, MHP_KBUILD_OPTIONS, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct mhp_strv patches = MHP_STRV_INIT;
	struct mhp_kbuild b;
	char err[4096], *path = NULL;
	int o, r;

	mhp_kbuild_init(&b);
	optind = 1;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if ((r = mhp_kbuild_option(o, optarg, &b)) < 0) {
			mhp_strv_release(&patches);
			return MHP_EXIT_USAGE;
		}
		if (r)
			continue;
		switch (o) {
		case 'r': b.rev = optarg; break;
		case 'S': b.series_dir = optarg; break;
		case 'p': mhp_strv_push(&patches, optarg); break;
		case 'h': fputs(kernel_usage, stdout); mhp_strv_release(&patches); return MHP_EXIT_PASS;
		default: fputs(kernel_usage, stderr); mhp_strv_release(&patches); return MHP_EXIT_USAGE;
		}
	}
	if (!b.src || optind != argc) {
		fputs(kernel_usage, stderr);
		mhp_strv_release(&patches);
		return MHP_EXIT_USAGE;
	}
	b.patches = (const char *const *)patches.v;
	b.npatches = patches.n;
	fprintf(stderr, "mhp: building a kernel from '%s'\n", b.src);
	r = mhp_kernel_build(&b, &path, err, sizeof(err));
	mhp_strv_release(&patches);
	if (r < 0 && mhp_interrupted)
		return fprintf(stderr, "mhp: kernel build: interrupted\n"), 128 + mhp_interrupted;
	if (r < 0) {
		fprintf(stderr, "mhp: kernel build: %s\n", err);
		return MHP_EXIT_FAIL;
	}
	printf("%s\n", path);
	free(path);
	return MHP_EXIT_PASS;
}

int mhp_cmd_kernel(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "build"))
		return kernel_build(argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(kernel_usage, stdout);
		return MHP_EXIT_PASS;
	}
	fputs(kernel_usage, stderr);
	return MHP_EXIT_USAGE;
}
