/* The options run, gate and bisect share, taken before a command sees its
 * own. */
#include <getopt.h>
#include <stddef.h>

#include "guest/kernel-image.h"
#include "lib/log.h"

#include "cli/commands.h"
#include "kernel/kernel-build.h"
#include "run/suite.h"

int mhp_cli_option(int argc, char **argv, const struct option *opts, struct mhp_suite_args *run,
		   struct mhp_kbuild *build)
{
	int o, r;

	while ((o = getopt_long(argc, argv, "vhj:", opts, NULL)) != -1) {
		if ((r = mhp_suite_option(o, optarg, run)) == 0 && build)
			r = mhp_kbuild_option(o, optarg, build);
		if (r < 0)
			return MHP_CLI_OPTION_ERROR;
		if (r)
			continue;
		return o;
	}
	return MHP_CLI_OPTIONS_END;
}

int mhp_cli_default_kernel(const char **kernel, char **owned)
{
	int r;

	if (*kernel)
		return 0;
	if ((r = mhp_kernel_newest("/boot", "vmlinuz-", owned)) < 0) {
		mhp_log_errno(r, "no kernel given and none found as /boot/vmlinuz-* (install linux-image-amd64)");
		return MHP_EXIT_SKIP;
	}
	*kernel = *owned;
	return 0;
}
