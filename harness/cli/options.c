/* The options run, gate and bisect share, taken before a command sees its
 * own. */
#include <getopt.h>
#include <stddef.h>

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
